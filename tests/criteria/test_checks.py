"""Criteria files: one inline invalid definition per check rule, asserting code and line."""

from __future__ import annotations

import textwrap

import pytest
from folge import DefinitionError
from folge.criteria import load_criteria
from folge.definitions import check_definitions

from .conftest import VALID_CRITERIA, make_study

HEAD = """\
criteria:
  - id: c1
    title: {nb: T, en: T}
    source: "Somebody 2010"
    statement: {nb: S, en: S}
    indicators:
"""


def _problems(tmp_path, text: str) -> list[tuple[str, int]]:
    root = make_study(tmp_path, textwrap.dedent(text))
    found = check_definitions(root, [root / "research" / "criteria.yaml"])
    return [(p.code, p.line) for p in found if p.is_error]


def test_valid_file_has_no_problem(tmp_path):
    assert _problems(tmp_path, VALID_CRITERIA) == []


def test_valid_file_builds_frozen_criteria(tmp_path):
    criteria = load_criteria(make_study(tmp_path))
    (crit,) = criteria
    assert crit.id == "trust-grows" and crit.source == "Test source 2020"
    assert crit.title.get_lang("en") == "Trust"
    assert [r.kind for r in crit.rules] == ["level", "change", "trend", "association"]
    assert crit.rules[1].reference == "first"
    assert crit.rules[3].outcome == ("trust-grows", "anchored")
    ind = crit.indicators["trust"]
    assert (ind.kind, ind.low, ind.high, ind.construct_kind) == ("construct", 1.0, 5.0, "scale")
    assert crit.indicators["anchored"].is_fact
    with pytest.raises(AttributeError):
        crit.id = "x"


@pytest.mark.parametrize("body, code, line", [
    # unknown construct
    ("      - {id: a, construct: trusst}\n    rules:\n      - {kind: trend, indicator: a}\n",
     "unknown-construct", 7),
    # unknown item
    ("      - {id: a, item: tr9, at_least: 4}\n    rules:\n      - {kind: trend, indicator: a}\n",
     "unknown-item", 7),
    # an indicator must name exactly one of construct, item, milestone
    ("      - {id: a, construct: trust, item: tr1}\n    rules:\n      - {kind: trend, indicator: a}\n",
     "indicator-kind", 7),
    # a milestone must come from a region-level instrument
    ("      - {id: a, milestone: tr1}\n    rules:\n      - {kind: level, indicator: a, threshold: 0.5}\n",
     "indicator-level", 7),
    # an item share must come from a respondent-level instrument
    ("      - {id: a, item: ms_plan}\n    rules:\n      - {kind: level, indicator: a, threshold: 0.5}\n",
     "indicator-level", 7),
    # unknown rule kind
    ("      - {id: a, construct: trust}\n    rules:\n      - {kind: levle, indicator: a, threshold: 3}\n",
     "unknown-rule-kind", 9),
    # a rule naming an indicator the criterion does not define
    ("      - {id: a, construct: trust}\n    rules:\n      - {kind: trend, indicator: b}\n",
     "unknown-indicator", 9),
    # an association outcome that does not exist
    ("      - {id: a, construct: trust}\n    rules:\n"
     "      - {kind: association, indicator: a, outcome: c1/zzz, at: first, outcome_at: last}\n",
     "unknown-indicator", 9),
    # threshold outside the construct's scale (1..5)
    ("      - {id: a, construct: trust}\n    rules:\n      - {kind: level, indicator: a, threshold: 7}\n",
     "threshold-outside-scale", 9),
    # an item share threshold must be a share
    ("      - {id: a, item: tr1, at_least: 4}\n    rules:\n      - {kind: level, indicator: a, threshold: 4}\n",
     "threshold-outside-scale", 9),
    # at_least outside the item's scale
    ("      - {id: a, item: tr1, at_least: 6}\n    rules:\n      - {kind: trend, indicator: a}\n",
     "threshold-outside-scale", 7),
    # a wave reference that is neither a keyword nor a wave of the study
    ("      - {id: a, construct: trust}\n    rules:\n      - {kind: change, indicator: a, from: w9}\n",
     "bad-wave-ref", 9),
    # change on a milestone
    ("      - {id: a, milestone: ms_plan}\n    rules:\n      - {kind: change, indicator: a}\n",
     "rule-not-for-indicator", 9),
    # a level rule without threshold
    ("      - {id: a, construct: trust}\n    rules:\n      - {kind: level, indicator: a}\n",
     "missing-key", 9),
    # a funnel stage that is not an item
    ("      - {id: a, construct: trust}\n      - {id: b, item: used}\n    rules:\n"
     "      - {kind: funnel, indicators: [a, b], threshold: 0.5}\n",
     "rule-not-for-indicator", 10),
])
def test_each_rule_reports_code_and_line(tmp_path, body, code, line):
    assert (code, line) in _problems(tmp_path, HEAD + body)


def test_missing_source_and_translation(tmp_path):
    text = """\
    criteria:
      - id: c1
        title: {nb: T}
        statement: {nb: S, en: S}
        indicators:
          - {id: a, construct: trust}
        rules:
          - {kind: trend, indicator: a}
    """
    found = _problems(tmp_path, text)
    assert ("missing-key", 2) in found  # source
    assert ("missing-translation", 3) in found  # title without en


def test_duplicate_criterion(tmp_path):
    one = HEAD + "      - {id: a, construct: trust}\n    rules:\n      - {kind: trend, indicator: a}\n"
    two = one + one.split("\n", 1)[1]
    assert ("duplicate-id", 10) in _problems(tmp_path, two)


def test_yaml_syntax_error(tmp_path):
    assert _problems(tmp_path, "criteria:\n  - id: [unclosed\n")[0][0] == "yaml-syntax"


def test_every_problem_at_once_with_file_line_and_code(tmp_path):
    text = HEAD + (
        "      - {id: a, construct: nosuch}\n"                   # 7 unknown construct
        "      - {id: b, construct: trust}\n"                    # 8
        "    rules:\n"                                           # 9
        "      - {kind: guess, indicator: b}\n"                  # 10 unknown rule kind
        "      - {kind: level, indicator: b, threshold: 9}\n"    # 11 threshold outside 1..5
    )
    root = make_study(tmp_path, text)
    with pytest.raises(DefinitionError) as info:
        load_criteria(root)
    got = {(p.code, p.line) for p in info.value.problems}
    assert got == {("unknown-construct", 7), ("unknown-rule-kind", 10), ("threshold-outside-scale", 11)}
    assert all(p.file.endswith("criteria.yaml") for p in info.value.problems)
    assert "criteria.yaml:11: threshold-outside-scale:" in str(info.value)


def test_did_you_mean(tmp_path):
    root = make_study(tmp_path, HEAD + "      - {id: a, construct: trusst}\n    rules:\n      - {kind: trend, indicator: a}\n")
    (problem,) = [p for p in check_definitions(root, [root / "research" / "criteria.yaml"]) if p.is_error]
    assert "did you mean 'trust'?" in problem.message


def test_study_without_criteria_file_has_none(tmp_path):
    assert load_criteria(make_study(tmp_path, None)) == ()
