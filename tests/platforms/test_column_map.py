"""``--columns MAP.yaml``: the schema rule by rule, applied to small inline files, and the shipped maps."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest
from folge import InputError
from folge.definitions import load_study
from folge.ingest import load_column_map
from folge.ingest._column_map import find_column_map, parse_column_map, value_key
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[2]
SHIPPED = sorted((REPO / "instruments" / "maps").glob("*.yaml"))


def cmap(text: str):
    return parse_column_map(YAML(typ="safe", pure=True).load(textwrap.dedent(text)), "test.yaml")


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def root(tmp_path, helpers):
    return helpers.new_study(tmp_path / "study")


# ---------------------------------------------------------------- schema
def test_minimal_map():
    found = cmap("folge_column_map: 1\n")
    assert found.name == "test" and not found.columns


def test_marker_is_required():
    with pytest.raises(InputError, match="folge_column_map: must be 1"):
        cmap("columns: {a: lc1}\n")


def test_every_problem_reported_at_once():
    with pytest.raises(InputError) as caught:
        cmap("""
            folge_column_map: 1
            colums: {a: b}
            patterns: [{match: '(', to: x}]
            constants: {lc1: 3}
            values: {scale: {}, labels: [de]}
            missing: {-77: [9]}
            """)
    text = str(caught.value)
    assert "6 problem(s)" in text
    for part in ("colums: unknown key (did you mean 'columns'?)", "patterns[0].match", "constants.lc1",
                 "values.scale: unknown key", "values.labels: unknown language 'de'", "missing.-77"):
        assert part in text


def test_value_keys_compare_numbers_by_value_and_text_without_case():
    assert value_key(-77) == value_key("-77.0") == value_key(" -77,0 ") == "-77"
    assert value_key(" Helt  Enig ") == "helt enig"


def test_targets_must_exist_in_the_study(root, helpers, tmp_path):
    path = write(tmp_path / "a.csv", "id,region,role,lc1\nx,kongsberg,business,4\n")
    bad = cmap("""
        folge_column_map: 1
        columns: {id: respondnt}
        values: {scales: {agree7: {a: 1}}, items: {lcc1: {a: 1}}}
        """)
    with pytest.raises(InputError) as caught:
        helpers.ingest(root, path, bad)
    text = str(caught.value)
    assert "did you mean 'respondent'" in text and "values.scales.agree7" in text and "values.items.lcc1" in text


# ---------------------------------------------------------------- applying
def test_renames_patterns_ignore_values_missing(root, helpers, tmp_path):
    path = write(tmp_path / "a.csv", """
        Kode;Sted;Rolle;Q[lc1];Q[lc2];Q[lc3];apol1;apol2;Tid;xtra
        p1;KB;pol;A6;A9;-77;1;-99;12;z
        p2;KB;bus;A1;-99;a2;5;4;13;z
        """)
    found = cmap("""
        folge_column_map: 1
        name: Test
        columns: {kode: respondent, sted: region}
        patterns: [{match: 'Q\\[(?P<item>\\w+)\\]', to: '{item}'}]
        ignore: [tid]
        ignore_patterns: ['^x']
        values:
          scales: {agree6: {A1: 1, A6: 6, A9: 9}}
          items: {region: {KB: kongsberg}, role: {pol: politician, bus: business}, lc3: {a2: 2}}
        missing: {-77: 9, -99: blank}
        """)
    result, stored = helpers.ingest(root, path, found)
    assert result.quarantined == 0 and "columns: Test" in result.description
    assert not [w for w in result.warnings if w.code == "unknown-column"]
    rows = stored.set_index("role")
    assert rows.loc["politician", ["lc1", "lc2", "lc3", "apol1"]].tolist() == [6, 9, 9, 1]
    assert pd.isna(rows.loc["politician", "apol2"])
    assert rows.loc["business", ["lc1", "lc3", "apol1", "apol2"]].tolist() == [1, 2, 5, 4]
    assert pd.isna(rows.loc["business", "lc2"])


def test_item_map_wins_over_scale_map_and_unmapped_cells_are_quarantined(root, helpers, tmp_path):
    path = write(tmp_path / "a.csv", "respondent,region,role,lc1,lc2\np1,kongsberg,business,A1,A7\n")
    found = cmap("""
        folge_column_map: 1
        values: {scales: {agree6: {A1: 1}}, items: {lc1: {A1: 3}}}
        """)
    result, _ = helpers.ingest(root, path, found)
    assert result.quarantined == 1 and "not-a-number" in result.codes  # A7: nothing maps it


def test_labels_in_chosen_languages(root, helpers, tmp_path):
    path = write(tmp_path / "a.csv", """
        respondent,region,role,lc1,lc2,apol1
        p1,kongsberg,business,Heilt samd,Vet ikke,Strongly disagree
        """)
    result, stored = helpers.ingest(root, path, cmap("folge_column_map: 1\nvalues: {labels: all}\n"))
    assert result.quarantined == 0
    assert stored.loc[0, ["lc1", "lc2", "apol1"]].tolist() == [6, 9, 1]
    result, _ = helpers.ingest(helpers.new_study(tmp_path / "nb"), path, cmap(
        "folge_column_map: 1\nvalues: {labels: [nb]}\n"))
    assert result.quarantined == 1  # "Heilt samd" is nynorsk, "Strongly disagree" English


def test_missing_map_on_free_text_only_blanks(root, helpers, tmp_path):
    path = write(tmp_path / "a.csv", "respondent,region,role,lc1,comment\np1,kongsberg,business,99,99\n"
                                     "p2,kongsberg,politician,4,-99\n")
    result, stored = helpers.ingest(root, path, cmap("folge_column_map: 1\nmissing: {99: 9, -99: blank}\n"))
    assert result.quarantined == 0
    rows = stored.set_index("role")
    assert rows.loc["business", "lc1"] == 9 and rows.loc["business", "comment"] == "99"
    assert pd.isna(rows.loc["politician", "comment"])


def test_constants_fill_key_columns(root, helpers, tmp_path):
    path = write(tmp_path / "a.csv", "respondent,role,lc1\np1,business,4\n")
    found = cmap("folge_column_map: 1\nconstants: {region: grenland, wave: '2016-1'}\n")
    result, stored = helpers.ingest(root, path, found, wave=None)
    assert result.stored == 1 and stored.loc[0, ["region", "wave"]].tolist() == ["grenland", "2016-1"]


def test_constant_beside_a_column_is_an_error(root, helpers, tmp_path):
    path = write(tmp_path / "a.csv", "respondent,region,role,lc1\np1,kongsberg,business,4\n")
    with pytest.raises(InputError, match="already has a column"):
        helpers.ingest(root, path, cmap("folge_column_map: 1\nconstants: {region: grenland}\n"))


def test_two_headers_one_name_is_an_error(root, helpers, tmp_path):
    path = write(tmp_path / "a.csv", "a,b,region,role,lc1\np1,p2,kongsberg,business,4\n")
    with pytest.raises(InputError, match="both become 'respondent'"):
        helpers.ingest(root, path, cmap("folge_column_map: 1\ncolumns: {a: respondent, b: respondent}\n"))


def test_keep_rows_drops_and_keeps_source_row_numbers(root, helpers, tmp_path):
    from folge.store import Store

    path = write(tmp_path / "a.csv", """
        respondent,region,role,lc1,status
        p1,kongsberg,business,4,31
        p2,kongsberg,business,5,22
        p3,kongsbrg,politician,5,31.0
        """)
    found = cmap("folge_column_map: 1\nkeep_rows: {status: [31]}\nignore: [status]\n")
    result, _ = helpers.ingest(root, path, found)
    assert (result.read, result.stored, result.quarantined) == (2, 1, 1)
    with Store.open(root) as store:
        assert store.quarantine()["row"].tolist() == [4]  # the source row, not the position after dropping
    with pytest.raises(InputError, match="keep_rows names column 'stat'"):
        helpers.ingest(root, path, cmap("folge_column_map: 1\nkeep_rows: {stat: [31]}\n"))


def test_item_columns_are_never_ignored(root, helpers, tmp_path):
    path = write(tmp_path / "a.csv", "respondent,region,role,lc1\np1,kongsberg,business,4\n")
    _, stored = helpers.ingest(root, path, cmap("folge_column_map: 1\nignore_patterns: ['1$']\n"))
    assert stored.loc[0, "lc1"] == 4


# ---------------------------------------------------------------- shipped maps
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_map_loads_and_fits_the_study(path, repo_root):
    from folge.ingest._column_map import _check_against_study

    found = load_column_map(path)
    _check_against_study(found, load_study(repo_root))
    text = path.read_text(encoding="utf-8")
    assert "folge ingest" in text and "Schema" in text  # documented in its own comments


def test_shipped_maps_are_the_three_platforms():
    assert [p.stem for p in SHIPPED] == ["limesurvey", "nettskjema", "questback-efs"]


def test_maps_travel_with_folge_init_and_are_found_by_name(root):
    assert (root / "instruments" / "maps" / "limesurvey.yaml").is_file()
    assert find_column_map("limesurvey", root) == root / "instruments" / "maps" / "limesurvey.yaml"
    with pytest.raises(InputError, match="did you mean 'nettskjema'"):
        find_column_map("netskjema", root)


def test_maps_are_not_instruments(root):
    study = load_study(root)  # instruments/maps/*.yaml are not read as instruments
    assert sorted(study.instruments) == ["gathering-evaluation", "participant-survey", "region-status"]
