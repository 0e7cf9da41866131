"""Verdicts judged against the truth, and the tally, on synthetic rule frames."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from folge.simulate import judge_rules, rules_from_criteria, share_with_se, tally


def _truth() -> pd.DataFrame:
    rows = []
    for construct, slope in (("climate", 0.2), ("steady", 0.0)):
        for region, regional in (("all", slope), ("r01", slope - 0.25), ("r02", slope + 0.05)):
            for wave, years, level in (("w1", 0.0, 3.40), ("w2", 1.0, 3.40 + regional * 0.5)):
                rows.append({"construct": construct, "region": region, "wave": wave, "years": years,
                             "level": level, "latent_slope": regional, "latent_change": regional * years,
                             "score_change": regional * years * 0.5,
                             "score_slope": math.nan if years == 0 else regional * 0.5})
    return pd.DataFrame(rows)


def _rule(criterion, kind, region, wave, verdict, bar=None):
    return {"criterion": criterion, "rule": 1, "kind": kind, "region": region, "wave": wave,
            "indicator": criterion, "estimate": 0.0, "ci_low": -1.0, "ci_high": 1.0, "bar": bar,
            "p": 0.5, "p_adj": 0.5, "family": "f", "mde": 0.3, "n": 20, "verdict": verdict, "reason": "r"}


def test_each_verdict_meets_the_truth_it_is_about():
    rules = pd.DataFrame([
        _rule("climate", "level", "all", "w1", "met", 3.40),       # exactly at the bar: not above
        _rule("climate", "level", "all", "w2", "met", 3.40),       # 3.50 > 3.40: above
        _rule("climate", "change", "r01", "w2", "not-met", 0.0),   # latent change −0.05: at or below
        _rule("climate", "trend", "r02", None, "met", 0.0),        # no wave: the last; slope .25 > 0
        _rule("steady", "trend", "all", "w2", "inconclusive", 0.0),  # slope 0: at the bar
        _rule("steady", "association", "all", "w2", "descriptive"),  # not judged
        _rule("other", "level", "all", "w1", "met", 3.0),          # not a simulated construct
        _rule("climate", "change", "all", "w1", "insufficient-data", 0.0),  # first wave: does not apply
    ])
    judged = judge_rules(rules, _truth(), {"climate": 3.4, "steady": 3.4}, planted=True)
    assert judged["above"].tolist() == [False, True, False, True, False]
    assert judged["scope"].tolist() == ["national", "national", "regional", "regional", "national"]
    assert judged["planted"].tolist() == [True, True, True, True, False]
    assert judged["wave"].tolist()[3] == "w2"
    assert judged["truth"].tolist()[:2] == pytest.approx([3.40, 3.50])


def test_a_missing_bar_falls_back_to_the_written_one():
    rules = pd.DataFrame([_rule("steady", "level", "all", "w1", "met", None)])
    judged = judge_rules(rules, _truth(), {"climate": 3.4, "steady": 3.3}, planted=False)
    assert judged["bar"].tolist() == [3.3] and judged["above"].tolist() == [True]
    assert judged["planted"].tolist() == [False]


def test_rules_from_criteria_maps_the_two_way_statuses():
    rules = [{"kind": "level", "indicator": "climate", "status": "pass", "value": 3.6, "threshold": 3.4,
              "reasons": ["level-mean"]},
             {"kind": "change", "indicator": "climate", "status": "not-applicable", "value": None,
              "threshold": None, "reasons": []},
             {"kind": "trend", "indicator": "climate", "status": "insufficient", "value": None,
              "threshold": 0.0, "reasons": ["gate"]}]
    criteria = pd.DataFrame([{"criterion": "climate", "region": "r01", "wave": "w2", "rules": json.dumps(rules)}])
    out = rules_from_criteria(criteria)
    assert out["verdict"].tolist() == ["met", "insufficient-data"]
    assert out["rule"].tolist() == [1, 3] and out["bar"].tolist() == [3.4, 0.0]


def _judged(scenario, replication, kind, scope, verdict, above, planted=False):
    return {"scenario": scenario, "replication": replication, "kind": kind, "scope": scope, "verdict": verdict,
            "above": above, "planted": planted}


def test_tally_counts_false_met_false_not_met_and_power_per_replication():
    rows = []
    # replication 0: 3 rows at/below the bar, 1 met; replication 1: 1 row at/below, 0 met
    rows += [_judged("null", 0, "level", "regional", v, False) for v in ("met", "not-met", "inconclusive")]
    rows += [_judged("null", 1, "level", "regional", "not-met", False)]
    # above the bar: 2 rows, one not-met (replication 0), one met (replication 1)
    rows += [_judged("null", 0, "level", "regional", "not-met", True),
             _judged("null", 1, "level", "regional", "met", True)]
    rows += [_judged("effect", r, "trend", "national", v, True, True) for r, v in enumerate(
        ("met", "met", "inconclusive", "insufficient-data"))]
    summary = tally(pd.DataFrame(rows)).set_index(["scenario", "kind", "scope"])
    null = summary.loc[("null", "level", "regional")]
    assert null["false_met"] == pytest.approx(1 / 4) and null["n_at_or_below"] == 4
    assert null["false_not_met"] == pytest.approx(1 / 2) and null["n_above"] == 2
    assert math.isnan(null["power"]) and null["n_planted"] == 0
    # cluster SE: √(2/1·((1 − .25·3)² + (0 − .25·1)²)) / 4
    assert null["false_met_se"] == pytest.approx(math.sqrt(2 * (0.25**2 + 0.25**2)) / 4)
    assert null["inconclusive"] == pytest.approx(1 / 6)
    effect = summary.loc[("effect", "trend", "national")]
    assert effect["power"] == pytest.approx(0.5) and effect["power_se"] == pytest.approx(math.sqrt(0.25 / 3))
    assert effect["insufficient"] == pytest.approx(0.25) and math.isnan(effect["false_met"])


def test_share_with_se_is_the_binomial_se_with_one_row_per_replication():
    hits = np.array([1] * 30 + [0] * 70)
    p, se, n = share_with_se(hits, np.ones(100))
    assert (p, n) == (0.3, 100)
    assert se == pytest.approx(math.sqrt(0.3 * 0.7 / 99))
