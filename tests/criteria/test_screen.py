"""Screening a rule (folge.criteria._rules.screen_rule): applicability, gates, n and reason codes.

The verdicts themselves come from bounds (test_engine.py); these tests pin what the screen
still hands on: the status, the n that starts the published n, and the reasons."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from folge.criteria import STATUSES, Evidence, load_criteria, screen_rule
from folge.definitions import load_study

from .conftest import REGIONS, make_study
from .test_engine import (AGREE, AGREE_ANSWERS, CHANGE, HIGH, LEVEL, LOW, MILESTONE, TREND, _criteria, _scores,
                          _status, _survey)


def _screen(tmp_path, body, tables, responses=None, scope="r1", wave="w1"):
    root = make_study(tmp_path, _criteria(body))
    crit = load_criteria(root)[0]
    ev = Evidence(load_study(root), tables, responses or {})
    return screen_rule(ev, crit, crit.rules[0], scope, wave, {crit.id: crit})


def _codes(screen) -> list[str]:
    return [r.code for r in screen.reasons]


def test_open_gates_leave_a_respondent_level_to_the_bounds(tmp_path):
    screen = _screen(tmp_path, LEVEL, {"scores": _scores({("r1", "w1"): LOW})})
    assert screen.status == "judged" and screen.status in STATUSES
    assert screen.n == len(LOW) and _codes(screen) == ["level-mean"]
    assert math.isnan(screen.value) and math.isnan(screen.p)  # no two-way test any more


def test_too_few_answers_close_the_level_gate(tmp_path):
    screen = _screen(tmp_path, LEVEL, {"scores": _scores({("r1", "w1"): LOW[:3]})})
    assert screen.status == "insufficient" and _codes(screen) == ["gate-n"] and screen.n == 3


def test_item_level_counts_valid_answers_only(tmp_path):
    screen = _screen(tmp_path, AGREE, {}, {"survey": _survey({("r1", "w1"): AGREE_ANSWERS})})
    assert screen.status == "judged" and screen.n == 8 and _codes(screen) == ["level-share"]


def test_change_counts_come_from_the_change_table_where_it_has_the_comparison(tmp_path):
    scores = _scores({("r1", "w1"): LOW, ("r1", "w2"): HIGH})
    table = pd.DataFrame([{"construct": "trust", "region": "r1", "from_wave": "w1", "to_wave": "w2",
                           "n_from": 9, "n_to": 8, "diff": 1.0, "p": 0.01, "method": "welch"}])
    from_table = _screen(tmp_path / "a", CHANGE, {"scores": scores, "change": table}, wave="w2")
    counted = _screen(tmp_path / "b", CHANGE, {"scores": scores}, wave="w2")
    assert from_table.status == counted.status == "judged"
    assert from_table.n == 8 and from_table.reasons[0].fields["n_from"] == 9
    assert counted.n == len(HIGH) and counted.reasons[0].fields["n_from"] == len(LOW)
    assert _codes(counted) == ["change-mean"]


def test_change_does_not_apply_at_its_reference_wave(tmp_path):
    screen = _screen(tmp_path, CHANGE, {"scores": _scores({("r1", "w1"): LOW})}, wave="w1")
    assert screen.status == "not-applicable" and _codes(screen) == ["na-reference"]


def test_change_gates_the_reference_wave_too(tmp_path):
    scores = _scores({("r1", "w1"): LOW[:2], ("r1", "w2"): HIGH})
    screen = _screen(tmp_path, CHANGE, {"scores": scores}, wave="w2")
    assert screen.status == "insufficient" and _codes(screen) == ["gate-n"] and screen.n == len(HIGH)


def test_trend_counts_the_answers_of_the_waves_so_far(tmp_path):
    scores = _scores({("r1", "w1"): LOW, ("r1", "w3"): HIGH})  # nobody answered in w2
    screen = _screen(tmp_path, TREND, {"scores": scores}, wave="w3")
    assert screen.status == "judged" and _codes(screen) == ["trend-slope"]
    assert screen.n == len(LOW) + len(HIGH) and screen.reasons[0].fields["waves"] == 2


def test_a_trend_needs_two_waves_with_answers(tmp_path):
    scores = _scores({("r1", "w3"): HIGH})
    screen = _screen(tmp_path, TREND, {"scores": scores}, wave="w3")
    assert screen.status == "not-applicable" and _codes(screen) == ["na-trend-waves"]


def test_facts_are_compared_with_their_bar(tmp_path):
    reached = {(r, "w1"): int(r == "r1") for r in REGIONS}
    passed = _screen(tmp_path / "a", MILESTONE, {}, {"status": _status(reached)}, scope="r1")
    failed = _screen(tmp_path / "b", MILESTONE, {}, {"status": _status(reached)}, scope="r2")
    assert (passed.status, failed.status) == ("pass", "fail")
    assert passed.value == 1.0 and failed.value == 0.0 and passed.threshold == 1.0


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_judged_reasons_word_the_fields_they_carry(tmp_path, lang):
    scores = _scores({("r1", w): HIGH for w in ("w1", "w2", "w3")})
    for i, (body, wave) in enumerate(((LEVEL, "w1"), (CHANGE, "w2"), (TREND, "w3"))):
        screen = _screen(tmp_path / str(i), body, {"scores": scores}, wave=wave)
        text = screen.reasons[0].text(lang)
        assert f"n = {screen.n}" in text and "{" not in text, (body, lang, text)
