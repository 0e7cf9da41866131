"""The answer-quality settings of study.yaml: ``min_seconds_per_item`` and ``exclude_flagged``."""

from __future__ import annotations

from folge.definitions import load_study

from .test_study_checks import STUDY, _codes



def quality(seconds, exclude) -> str:
    """The test study with the two settings at lines 4 and 5."""
    return STUDY.replace("min_n: 5\n", f"min_n: 5\nsettings:\n  min_seconds_per_item: {seconds}\n"
                                        f"  exclude_flagged: {exclude}\n")


def test_defaults_when_not_set(tmp_path):
    assert _codes(tmp_path, STUDY) == []
    settings = load_study(tmp_path).settings
    assert settings.min_seconds_per_item == 1.5 and settings.exclude_flagged is False


def test_set_values_are_read(tmp_path):
    assert _codes(tmp_path, quality(2, "true")) == []
    settings = load_study(tmp_path).settings
    assert settings.min_seconds_per_item == 2.0 and settings.exclude_flagged is True


def test_bad_values_are_reported_with_their_lines(tmp_path):
    assert _codes(tmp_path, quality(0, "yes please")) == [("bad-value", 4),
                                                                                 ("bad-value", 5)]
    assert _codes(tmp_path, quality("fast", 1)) == [("bad-value", 4), ("bad-value", 5)]


def test_a_misspelt_setting_is_unknown_with_a_hint(tmp_path):
    from folge.definitions import check_definitions

    text = STUDY.replace("min_n: 5\n", "min_n: 5\nsettings:\n  exclude_flaged: true\n")
    _codes(tmp_path, text)
    problems = [p for p in check_definitions(tmp_path, [tmp_path / "research" / "study.yaml"])
                if p.code == "unknown-key"]
    assert len(problems) == 1 and problems[0].line == 4 and "exclude_flagged" in str(problems[0])
