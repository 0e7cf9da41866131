"""The invited frame (research/frame.csv): one invalid file per check rule, code and line asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from folge import DefinitionError
from folge.definitions import check_definitions, load_frame, load_study

from .test_instrument_checks import VALID, _study
from .test_study_checks import STUDY

FRAME = """\
wave,region,role,invited
2015-1,nord,politician,8
2015-1,nord,business,12
2015-1,vest,politician,5
2015-1,vest,business,7
"""


def _root(tmp_path: Path, frame: str) -> Path:
    _study(tmp_path, VALID)
    (tmp_path / "research").mkdir(exist_ok=True)
    (tmp_path / "research" / "study.yaml").write_text(STUDY, encoding="utf-8")
    (tmp_path / "research" / "frame.csv").write_text(frame, encoding="utf-8")
    return tmp_path


def _codes(tmp_path: Path, frame: str) -> list[tuple[str, int]]:
    root = _root(tmp_path, frame)
    return [(p.code, p.line) for p in check_definitions(root, [root / "research" / "frame.csv"]) if p.is_error]


def test_valid_frame_loads(tmp_path):
    assert _codes(tmp_path, FRAME) == []
    frame = load_frame(load_study(tmp_path))
    assert list(frame.columns) == ["wave", "region", "role", "invited"]
    assert frame["invited"].dtype == "int64" and frame["invited"].sum() == 32


def test_no_frame_is_none(tmp_path):
    _root(tmp_path, FRAME)
    (tmp_path / "research" / "frame.csv").unlink()
    assert load_frame(load_study(tmp_path)) is None


def test_unknown_region(tmp_path):
    assert _codes(tmp_path, FRAME.replace("2015-1,vest,business", "2015-1,west,business")) == [("unknown-region", 5)]


def test_unknown_role(tmp_path):
    assert _codes(tmp_path, FRAME.replace("nord,business", "nord,mayor")) == [("unknown-role", 3)]


def test_unknown_wave(tmp_path):
    assert _codes(tmp_path, FRAME.replace("2015-1,vest,politician", "2019-1,vest,politician")) == [
        ("unknown-wave", 4)]


@pytest.mark.parametrize("count", ["-3", "2.5", "many", ""])
def test_count_must_be_a_whole_number_of_people(tmp_path, count):
    assert _codes(tmp_path, FRAME.replace("nord,business,12", f"nord,business,{count}")) == [("bad-count", 3)]


def test_duplicate_row(tmp_path):
    assert _codes(tmp_path, FRAME + "2015-1,nord,politician,9\n") == [("duplicate-row", 6)]


def test_missing_column(tmp_path):
    assert _codes(tmp_path, FRAME.replace("wave,region,role,invited", "wave,region,invited")) == [
        ("frame-columns", 1)]


def test_unknown_instrument(tmp_path):
    frame = "wave,region,role,invited,instrument\n2015-1,nord,politician,8,mini\n2015-1,vest,business,7,maxi\n"
    assert _codes(tmp_path, frame) == [("frame-unknown-instrument", 3)]


def test_every_problem_at_once_and_load_raises(tmp_path):
    frame = FRAME.replace("nord,business,12", "nord,business,-1").replace("vest,politician", "vst,politician")
    assert _codes(tmp_path, frame) == [("bad-count", 3), ("unknown-region", 4)]
    with pytest.raises(DefinitionError) as raised:
        load_frame(load_study(tmp_path))
    assert "frame.csv:3: bad-count" in str(raised.value)


def test_check_names_the_frame_file_given_alone(tmp_path):
    root = _root(tmp_path, FRAME.replace("nord,mayor", "x").replace("nord,business", "nord,mayor"))
    found = check_definitions(root, [root / "research" / "frame.csv"])
    assert [p.format().split(": ")[1] for p in found] == ["unknown-role"]
    assert found[0].format().startswith(f"{root / 'research' / 'frame.csv'}:3: unknown-role:")


def test_shipped_study_frame_is_clean():
    repo = Path(__file__).resolve().parents[2]
    assert [p for p in check_definitions(repo, [repo / "research" / "frame.csv"]) if p.is_error] == []
    frame = load_frame(load_study(repo))
    study = load_study(repo)
    assert set(frame["wave"]) == {w.id for w in study.waves}
    # synthetic counts that add up to study.yaml's invited totals per region and wave
    totals = frame.groupby(["wave", "region"])["invited"].sum()
    assert all(totals[(w.id, r)] == n for w in study.waves for r, n in w.invited.items())


def test_whole_study_check_includes_the_frame(tmp_path):
    root = _root(tmp_path, FRAME.replace("nord,business,12", "nord,business,-2"))
    found = [(Path(p.file).name, p.code, p.line) for p in check_definitions(root) if p.file.endswith("frame.csv")]
    assert found == [("frame.csv", "bad-count", 3)]


@pytest.mark.parametrize("setting, loaded", [
    ("weighting: none", "none"), ("weighting: raking", "raking"), ("weighting: iterative", None),
    ("weight_trim: 5", 5.0), ("weight_trim: [0.2, 4]", (0.2, 4.0)), ("weight_trim: 0.5", None),
    ("weight_trim: [2, 4]", None), ("weight_empty: collapse", "collapse"), ("weight_empty: drop", None),
    ("eb_below: 15", 15), ("eb_below: 0", None), ("eb_below: 7.5", None),
])
def test_weighting_settings(tmp_path, setting, loaded):
    _study(tmp_path, VALID)
    (tmp_path / "research").mkdir(exist_ok=True)
    path = tmp_path / "research" / "study.yaml"
    path.write_text(STUDY.replace("min_n: 5\n", f"min_n: 5\nsettings:\n  {setting}\n"), encoding="utf-8")
    found = [(p.code, p.line) for p in check_definitions(tmp_path, [path]) if p.is_error]
    assert found == ([] if loaded is not None else [("bad-value", 4)])
    if loaded is not None:
        assert getattr(load_study(tmp_path).settings, setting.split(":")[0]) == loaded


def test_weighting_defaults(tmp_path):
    _root(tmp_path, FRAME)
    settings = load_study(tmp_path).settings
    assert (settings.weighting, settings.weight_trim, settings.weight_empty, settings.eb_below) == (
        "raking", None, "error", 15)
