"""Study design checks (research/study.yaml), one inline invalid file per rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from folge.definitions import check_definitions, load_study

from .test_instrument_checks import VALID, _study

STUDY = """\
programme: Testprogram
min_n: 5
regions:
  - {id: nord, name: Nordregionen, language: nb, municipalities: [A, B]}
  - {id: vest, name: Vestregionen, language: nn}
roles:
  - {id: politician, sector: municipality, title: {nb: Folkevalgt, nn: Folkevald, en: Politician}}
  - {id: business, sector: business}
waves:
  - {id: "2015-1", date: 2015-03-01, instruments: [mini], closed: true}
  - {id: "2015-2", date: 2015-10-01, instruments: [mini], invited: {nord: 20, vest: 12}}
"""


def _codes(tmp_path: Path, study: str) -> list[tuple[str, int]]:
    _study(tmp_path, VALID)
    (tmp_path / "research").mkdir(exist_ok=True)
    path = tmp_path / "research" / "study.yaml"
    path.write_text(study, encoding="utf-8")
    return [(p.code, p.line) for p in check_definitions(tmp_path, [path]) if p.is_error]


def test_valid_study_loads(tmp_path):
    assert _codes(tmp_path, STUDY) == []
    study = load_study(tmp_path)
    assert [r.id for r in study.regions] == ["nord", "vest"]
    assert study.region("vest").language == "nn"
    assert study.wave("2015-1").closed and study.wave("2015-2").is_open
    assert study.wave("2015-2").invited == {"nord": 20, "vest": 12}
    assert study.wave_index("2015-2") == 1
    assert study.role("business").sector == "business"
    assert study.min_n == 5 and study.settings.alpha_bar == 0.70


def test_unknown_instrument_in_wave(tmp_path):
    assert _codes(tmp_path, STUDY.replace("instruments: [mini], closed", "instruments: [mni], closed")) == [
        ("unknown-instrument", 10)]


def test_role_without_sector(tmp_path):
    assert _codes(tmp_path, STUDY.replace("{id: business, sector: business}", "{id: business}")) == [
        ("role-without-sector", 8)]


def test_region_language_must_be_nb_or_nn(tmp_path):
    assert _codes(tmp_path, STUDY.replace("language: nn", "language: en")) == [("bad-region-language", 5)]


def test_duplicate_region_id(tmp_path):
    assert _codes(tmp_path, STUDY.replace("{id: vest,", "{id: nord,").replace(", vest: 12", "")) == [("duplicate-id", 5)]


def test_bad_date(tmp_path):
    assert _codes(tmp_path, STUDY.replace("date: 2015-03-01", "date: 2015-13-01")) == [("bad-date", 10)]


def test_invited_names_unknown_region(tmp_path):
    assert _codes(tmp_path, STUDY.replace("invited: {nord: 20", "invited: {nordd: 20")) == [("unknown-region", 11)]


@pytest.mark.parametrize("value", ["0", "fem", "-3"])
def test_min_n_must_be_positive_whole_number(tmp_path, value):
    assert _codes(tmp_path, STUDY.replace("min_n: 5", f"min_n: {value}")) == [("bad-value", 2)]


def test_max_freed_defaults_to_one_item_and_is_read_as_a_whole_number(tmp_path):
    _codes(tmp_path, STUDY)
    assert load_study(tmp_path).settings.max_freed == 1
    study = STUDY.replace("min_n: 5\n", "min_n: 5\nsettings:\n  max_freed: 2\n")
    assert _codes(tmp_path, study) == []
    settings = load_study(tmp_path).settings
    assert settings.max_freed == 2 and isinstance(settings.max_freed, int)


@pytest.mark.parametrize("value", ["-1", "1.5", "true", "many", "11"])
def test_max_freed_must_be_a_small_whole_number(tmp_path, value):
    study = STUDY.replace("min_n: 5\n", f"min_n: 5\nsettings:\n  max_freed: {value}\n")
    assert _codes(tmp_path, study) == [("bad-value", 4)]


def test_invariance_model_defaults_to_multi_group_and_can_be_longitudinal(tmp_path):
    assert load_study(_study_with(tmp_path, "")).settings.invariance_model == "multi-group"
    study = load_study(_study_with(tmp_path, "settings:\n  invariance_model: longitudinal\n"))
    assert study.settings.invariance_model == "longitudinal"


@pytest.mark.parametrize("value", ["panel", "multigroup", "true", "[longitudinal]"])
def test_invariance_model_must_be_one_of_the_two(tmp_path, value):
    study = STUDY + f"settings:\n  alpha_bar: 0.7\n  invariance_model: {value}\n"
    assert _codes(tmp_path, study) == [("bad-value", 14)]  # the line of the setting
    _study(tmp_path, VALID)
    path = tmp_path / "research" / "study.yaml"
    [problem] = [p for p in check_definitions(tmp_path, [path]) if p.is_error]
    assert "multi-group, longitudinal" in problem.message and problem.file.endswith("study.yaml")


def test_adjust_for_defaults_to_role_and_can_be_turned_off(tmp_path):
    assert load_study(_study_with(tmp_path, "")).settings.adjust_for == ("role",)
    assert load_study(_study_with(tmp_path, "settings: {adjust_for: []}\n")).settings.adjust_for == ()
    study = load_study(_study_with(tmp_path, "settings: {association_min_regions: 8}\n"))
    assert study.settings.association_min_regions == 8 and study.settings.adjust_for == ("role",)


@pytest.mark.parametrize("setting", ["adjust_for: [gender]", "adjust_for: role", "association_min_regions: 2.5"])
def test_bad_model_settings_are_reported(tmp_path, setting):
    assert _codes(tmp_path, STUDY + f"settings:\n  {setting}\n") == [("bad-value", 13)]  # the line of the setting


def _study_with(tmp_path: Path, extra: str) -> Path:
    assert _codes(tmp_path, STUDY + extra) == []
    return tmp_path
