"""The criteria's rule-by-rule words say what the three-way verdicts and their bounds say.

A rule that is not settled must never read as "not met", a trend is worded per year (its
unit in trend.csv and rules.csv), and each verdict names the bound that decided it.
"""

from __future__ import annotations

import json

import pytest
from folge.reports._criteria_text import CriteriaText


def _rule(kind: str, verdict: str, **figures) -> dict:
    base = {"kind": kind, "indicator": "x", "verdict": verdict, "applies": True, "estimate": 3.36,
            "ci_low": 3.1, "ci_high": 3.62, "bar": 3.5, "p_adj": 0.4, "mde": 0.41, "n": 38, "fact": False,
            "minimum": None, "reasons": []}
    return {**base, **figures}


@pytest.fixture(scope="module")
def words(study):
    return CriteriaText(study, {}, [])


def _sentence(words, rule, lang="nb"):
    return words.rule_sentence("c", rule, None, "1", lang, national=False)


@pytest.mark.parametrize(("verdict", "lang", "expected"), [
    ("inconclusive", "nb", "Nivå (ikke avklart ennå): snittet for «x» er 3,36 (n = 38); mellom 3,10 og 3,62 mot 3,50: "
                           "trenger en forskjell på minst 0,41 for å kunne vises."),
    ("inconclusive", "nn", "Nivå (ikkje avklart enno): snittet for «x» er 3,36 (n = 38); mellom 3,10 og 3,62 mot 3,50: "
                           "treng ein skilnad på minst 0,41 for å kunne visast."),
    ("not-met", "en", "Level (not met): the mean of ‘x’ is 3.36 (n = 38); the upper bound 3.62 is below 3.50, "
                      "so the bar is not reached."),
])
def test_a_level_rule_is_worded_by_its_verdict_and_bounds(words, verdict, lang, expected):
    assert _sentence(words, _rule("level", verdict), lang) == expected


def test_a_met_rule_names_its_lower_bound_and_adjusted_p(words):
    rule = _rule("change", "met", estimate=0.3, ci_low=0.12, ci_high=0.48, bar=0.0, p_adj=0.004)
    text = _sentence(words, rule)
    assert text.startswith("Endring (oppfylt): snittet for «x» endret seg med +0,30")
    assert text.endswith("nedre grense +0,12 er over 0,00 (justert p = 0,004).")


def test_a_trend_is_worded_per_year_with_its_interval(words):
    rule = _rule("trend", "inconclusive", estimate=0.05, ci_low=-0.02, ci_high=0.12, bar=0.0, mde=0.09)
    for lang, unit in (("nb", "per år"), ("nn", "per år"), ("en", "a year")):
        text = _sentence(words, rule, lang)
        assert f"+0{',' if lang != 'en' else '.'}050 {unit}" in text, text
        assert "bølge " not in text.split("over")[0] and "per wave" not in text


def test_an_association_below_the_minimum_is_only_described(words):
    rule = _rule("association", "descriptive", estimate=0.32, ci_low=-0.5, ci_high=0.85, bar=0.0, n=7, minimum=20)
    text = _sentence(words, rule, "nb")
    assert text.startswith("Sammenheng (bare beskrevet):")
    assert "0,32 over 7 regioner" in text and "færre enn 20 regioner" in text and "oppfylt" not in text


def test_insufficient_data_and_rules_that_do_not_apply_show_no_figures(words):
    gated = _rule("level", "insufficient-data", estimate=None, ci_low=None, ci_high=None, reasons=["gate-n"])
    text = _sentence(words, gated, "nb")
    assert text.startswith("Nivå (for lite data):") and "3,36" not in text
    unestimable = _rule("trend", "insufficient-data", estimate=None, reasons=[])
    assert _sentence(words, unestimable, "en") == "Trend (insufficient data): could not be estimated."
    not_here = _rule("association", "insufficient-data", applies=False, reasons=["na-regional-association"])
    assert _sentence(words, not_here, "nb").startswith("Sammenheng (ikke vurdert): vurderes bare for hele landet")


def test_a_rule_from_too_few_answers_shows_its_verdict_only(words):
    # the study's min_n is above 3: the rule's own n hides its figures
    small = _rule("level", "inconclusive", n=3)
    assert _sentence(words, small, "nb") == "Nivå (ikke avklart ennå)."


def test_the_short_reason_follows_the_criterion_verdict(words):
    rules = [_rule("level", "met", estimate=3.8, ci_low=3.6, ci_high=4.0),
             _rule("change", "inconclusive", estimate=0.1, ci_low=-0.1, ci_high=0.3, bar=0.0)]
    row = {"criterion": "c", "region": "a", "wave": "1", "verdict": "inconclusive", "gate": "",
           "rules": json.dumps(rules)}
    assert words.short_reason(row, "en") == \
        "1 of 2 rules met; change not settled yet (+0.10; between −0.10 and +0.30 against 0.00)"
    both = json.dumps([rules[0], {**rules[1], "verdict": "met", "ci_low": 0.02}])
    assert words.short_reason({**row, "verdict": "met", "rules": both}, "nb") == "alle regler oppfylt"
