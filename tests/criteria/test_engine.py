"""Rules, gates and verdicts on small hand-made tables."""

from __future__ import annotations

import json
import math
import textwrap

import numpy as np
import pandas as pd
import pytest
from folge.criteria import (
    CRITERIA_COLUMNS,
    RuleResult,
    evaluate_criteria,
    load_criteria,
    verdict_of,
)
from folge.definitions import load_study
from folge.statistics.change import holm
from scipy import stats

from .conftest import REGIONS, WAVES, make_study

HIGH = [4.0, 4.3, 5.0, 4.0, 3.7, 4.7, 4.3]     # mean 4.29: above 3.5
LOW = [3.0, 3.3, 2.7, 3.7, 3.0, 2.3, 3.3]      # mean 3.04: below 3.5


def _criteria(body: str) -> str:
    return textwrap.dedent("""\
    criteria:
      - id: c1
        title: {nb: T, en: T}
        source: "Somebody 2010"
        statement: {nb: S, en: S}
    """) + textwrap.indent(textwrap.dedent(body), "    ")


def _scores(cells: dict) -> pd.DataFrame:
    rows = []
    for (region, wave), values in cells.items():
        for i, v in enumerate(values):
            rows.append({"respondent": f"{region}-{wave}-{i}", "region": region, "wave": wave,
                         "role": "politician", "construct": "trust", "score": float(v), "n_items": 3})
    return pd.DataFrame(rows)


def _survey(cells: dict) -> pd.DataFrame:
    """cells: (region, wave) → list of dicts of item answers."""
    rows = []
    for (region, wave), answers in cells.items():
        for i, a in enumerate(answers):
            rows.append({"respondent": f"{region}-{wave}-{i}", "region": region, "wave": wave,
                         "role": "politician", "version": 1, **a})
    frame = pd.DataFrame(rows)
    for c in ("tr1", "tr2", "tr3", "learned", "shared", "used"):
        if c in frame:
            frame[c] = frame[c].astype("Int64")
    return frame


def _status(reached: dict) -> pd.DataFrame:
    """reached: (region, wave) → 0/1 for ms_anchored."""
    rows = [{"respondent": f"k-{r}", "region": r, "wave": w, "role": "politician", "version": 1,
             "ms_plan": 1, "ms_strategy": v, "ms_anchored": v} for (r, w), v in reached.items()]
    return pd.DataFrame(rows).astype({"ms_plan": "Int64", "ms_strategy": "Int64", "ms_anchored": "Int64"})


def _run(tmp_path, body, tables, responses=None):
    root = make_study(tmp_path, _criteria(body))
    study = load_study(root)
    frame = evaluate_criteria(study, load_criteria(root), tables, responses or {})
    assert tuple(frame.columns) == CRITERIA_COLUMNS
    return frame.set_index(["criterion", "region", "wave"])


LEVEL = """\
indicators:
  - {id: trust, construct: trust}
rules:
  - {kind: level, indicator: trust, threshold: 3.5}
"""


# ------------------------------------------------------------------------- level
def test_level_construct_is_a_one_sided_t_test(tmp_path):
    out = _run(tmp_path, LEVEL, {"scores": _scores({("r1", "w1"): HIGH, ("r2", "w1"): LOW})})
    row = out.loc[("c1", "r1", "w1")]
    expected = stats.ttest_1samp(HIGH, 3.5, alternative="greater").pvalue
    assert row["verdict"] == "met"
    assert row["p"] == pytest.approx(expected, rel=1e-10)
    assert row["value"] == pytest.approx(np.mean(HIGH)) and row["threshold"] == 3.5 and row["n"] == 7
    assert out.loc[("c1", "r2", "w1"), "verdict"] == "not-met"
    assert "snitt 4,29 mot terskel 3,50" in row["reason"]
    assert "mean 4.29 against threshold 3.50" in row["reason_en"]


def test_level_share_is_an_exact_binomial_test_and_drops_missing_codes(tmp_path):
    body = """\
    indicators:
      - {id: agree, item: tr1, at_least: 4}
    rules:
      - {kind: level, indicator: agree, threshold: 0.5}
    """
    answers = [{"tr1": v} for v in (4, 5, 4, 5, 4, 5, 3, 9, 9, 4)]  # two don't-know codes
    out = _run(tmp_path, body, {}, {"survey": _survey({("r1", "w1"): answers})})
    row = out.loc[("c1", "r1", "w1")]
    assert row["n"] == 8 and row["value"] == pytest.approx(7 / 8)
    assert row["p"] == pytest.approx(stats.binomtest(7, 8, 0.5, alternative="greater").pvalue)
    assert row["verdict"] == "met"


def test_milestone_is_a_fact_not_gated_by_min_n(tmp_path):
    body = """\
    indicators:
      - {id: anchored, milestone: ms_anchored}
    rules:
      - {kind: level, indicator: anchored, threshold: 0.5}
    """
    reached = {(r, "w1"): int(r in ("r1", "r2")) for r in REGIONS}
    out = _run(tmp_path, body, {}, {"status": _status(reached)})
    assert out.loc[("c1", "r1", "w1"), "verdict"] == "met"
    assert out.loc[("c1", "r1", "w1"), "n"] == 1          # one report, no min_n gate
    assert out.loc[("c1", "r3", "w1"), "verdict"] == "not-met"
    national = out.loc[("c1", "all", "w1")]
    assert national["value"] == pytest.approx(2 / 6) and national["verdict"] == "not-met"


def test_milestone_without_report_is_insufficient(tmp_path):
    body = """\
    indicators:
      - {id: anchored, milestone: ms_anchored}
    rules:
      - {kind: level, indicator: anchored}
    """
    out = _run(tmp_path, body, {}, {"status": _status({("r1", "w1"): 1})})
    assert out.loc[("c1", "r2", "w1"), "gate"] == "no-report"
    assert out.loc[("c1", "all", "w1"), "verdict"] == "met"  # 1 of 1 reporting region ≥ default 0.5


# ------------------------------------------------------------------------- change
CHANGE = """\
indicators:
  - {id: trust, construct: trust}
rules:
  - {kind: change, indicator: trust, from: first}
"""


def test_change_uses_change_table_one_sided_and_holm_within_scope(tmp_path):
    scores = _scores({("r1", w): HIGH for w in WAVES})
    change = pd.DataFrame([
        {"construct": "trust", "region": "r1", "from_wave": "w1", "to_wave": "w2", "n_from": 7, "n_to": 7,
         "diff": 0.4, "p": 0.02, "method": "welch"},
        {"construct": "trust", "region": "r1", "from_wave": "w1", "to_wave": "w3", "n_from": 7, "n_to": 7,
         "diff": 0.6, "p": 0.01, "method": "welch"},
        {"construct": "trust", "region": "r1", "from_wave": "w1", "to_wave": "w3", "n_from": 5, "n_to": 5,
         "diff": 0.6, "p": 0.9, "method": "paired"},  # ignored: the Welch row is used
    ])
    out = _run(tmp_path, CHANGE, {"scores": scores, "change": change})
    assert out.loc[("c1", "r1", "w1"), "verdict"] == "insufficient-data"   # the reference wave
    assert out.loc[("c1", "r1", "w1"), "gate"] == "no-rule"
    assert "endring måles fra bølge w1" in out.loc[("c1", "r1", "w1"), "reason"]
    assert out.loc[("c1", "r1", "w2"), "p"] == pytest.approx(0.01)       # family of one: 0.02 / 2
    expected = holm([0.01, 0.005])                                       # one-sided p of w2 and w3
    assert out.loc[("c1", "r1", "w3"), "p"] == pytest.approx(expected[1])
    assert out.loc[("c1", "r1", "w3"), "verdict"] == "met"


def test_change_without_table_row_is_computed_with_welch(tmp_path):
    out = _run(tmp_path, CHANGE, {"scores": _scores({("r1", "w1"): LOW, ("r1", "w2"): HIGH})})
    row = out.loc[("c1", "r1", "w2")]
    expected = stats.ttest_ind(HIGH, LOW, equal_var=False, alternative="greater").pvalue
    assert row["p"] == pytest.approx(expected, rel=1e-8)
    assert row["value"] == pytest.approx(np.mean(HIGH) - np.mean(LOW))
    assert row["verdict"] == "met"
    assert "Holm" in row["reason_en"]


def test_a_decline_fails_the_change_rule(tmp_path):
    out = _run(tmp_path, CHANGE, {"scores": _scores({("r1", "w1"): HIGH, ("r1", "w2"): LOW})})
    assert out.loc[("c1", "r1", "w2"), "verdict"] == "not-met"


# ------------------------------------------------------------------------- trend
def test_regional_trend_is_one_sided_ols(tmp_path):
    body = """\
    indicators:
      - {id: trust, construct: trust}
    rules:
      - {kind: trend, indicator: trust}
    """
    cells = {("r1", "w1"): LOW, ("r1", "w2"): [v + 0.4 for v in LOW], ("r1", "w3"): HIGH}
    out = _run(tmp_path, body, {"scores": _scores(cells)})
    x = np.repeat([0.0, 1.0, 2.0], 7)
    y = np.concatenate([LOW, [v + 0.4 for v in LOW], HIGH])
    fit = stats.linregress(x, y, alternative="greater")
    row = out.loc[("c1", "r1", "w3")]
    assert row["value"] == pytest.approx(fit.slope) and row["p"] == pytest.approx(fit.pvalue)
    assert row["verdict"] == "met"
    assert out.loc[("c1", "r1", "w1"), "gate"] == "no-rule"              # one wave: no trend yet


# ------------------------------------------------------------------------- association
ASSOC = """\
indicators:
  - {id: trust, construct: trust}
  - {id: anchored, milestone: ms_anchored}
rules:
  - {kind: association, indicator: trust, outcome: c1/anchored, at: first, outcome_at: last}
"""


def test_association_across_regions_from_the_outcome_wave_on(tmp_path):
    means = dict(zip(REGIONS, (2.0, 2.5, 3.0, 3.5, 4.0, 4.5)))
    scores = _scores({(r, "w1"): [m - 0.2, m, m + 0.2, m, m, m] for r, m in means.items()})
    reached = {(r, w): int(w != "w1" and means[r] >= 3.5) for r in REGIONS for w in WAVES}
    out = _run(tmp_path, ASSOC, {"scores": scores}, {"status": _status(reached)})
    assert out.loc[("c1", "all", "w1"), "gate"] == "no-rule"             # outcome not yet measured
    assert "utfallet er målt" in out.loc[("c1", "all", "w1"), "reason"]
    assert out.loc[("c1", "r1", "w3"), "gate"] == "no-rule"              # judged on the national row
    row = out.loc[("c1", "all", "w3")]
    x = list(means.values())
    y = [int(m >= 3.5) for m in x]
    assert row["value"] == pytest.approx(stats.spearmanr(x, y).statistic)
    # exact permutation: only 1 of the C(6, 3) = 20 splits of the reached puts the three highest on top
    assert row["n"] == 6 and row["p"] == pytest.approx(1 / 20)
    assert row["verdict"] == "not-met"  # p = .05 is not below .05: six regions cannot show more
    assert json.loads(row["rules"])[0]["status"] == "fail"


def test_association_needs_enough_regions(tmp_path):
    scores = _scores({(r, "w1"): HIGH for r in REGIONS[:3]})
    reached = {(r, "w3"): 1 for r in REGIONS}
    out = _run(tmp_path, ASSOC, {"scores": scores}, {"status": _status(reached)})
    row = out.loc[("c1", "all", "w3")]
    assert row["verdict"] == "insufficient-data" and row["gate"] == "few-regions"
    assert "for få regioner" in row["reason"]


# ------------------------------------------------------------------------- funnel
def test_funnel_follows_respondents_stage_to_stage(tmp_path):
    body = """\
    indicators:
      - {id: learned, item: learned}
      - {id: shared, item: shared}
      - {id: used, item: used}
    rules:
      - {kind: funnel, indicators: [learned, shared, used], threshold: 0.5}
    """
    strong = [{"learned": 1, "shared": 1, "used": 1}] * 18 + [{"learned": 1, "shared": 0, "used": 0}] * 2
    broken = [{"learned": 1, "shared": 1, "used": 0}] * 18 + [{"learned": 1, "shared": 1, "used": 1}] * 2
    out = _run(tmp_path, body, {}, {"survey": _survey({("r1", "w1"): strong, ("r2", "w1"): broken})})
    assert out.loc[("c1", "r1", "w1"), "verdict"] == "met"
    assert out.loc[("c1", "r1", "w1"), "value"] == pytest.approx(18 / 20)
    broken_row = out.loc[("c1", "r2", "w1")]
    assert broken_row["verdict"] == "not-met"
    assert "svakeste ledd: used" in broken_row["reason"]
    # the rule's p is the largest step p: used among those who shared, 2 of 20
    assert broken_row["p"] == pytest.approx(stats.binomtest(2, 20, 0.5, alternative="greater").pvalue)


# ------------------------------------------------------------------------- gates
def test_n_gate_hides_the_figure_and_states_no_count(tmp_path):
    out = _run(tmp_path, LEVEL, {"scores": _scores({("r1", "w1"): HIGH[:3]})})
    row = out.loc[("c1", "r1", "w1")]
    assert row["verdict"] == "insufficient-data" and row["gate"] == "n"
    # a count below min_n is never put in words, not even in the reason
    assert "for få svar i bølge w1" in row["reason"] and "3" not in row["reason"].replace("w1", "")
    assert "too few answers in wave w1" in row["reason_en"] and "n =" not in row["reason_en"]
    assert math.isnan(row["value"]) and row["n"] == 3


def test_reliability_gate(tmp_path):
    reliability = pd.DataFrame({"construct": ["trust"], "wave": ["w1"], "n": [7], "k": [3], "alpha": [0.55]})
    out = _run(tmp_path, LEVEL, {"scores": _scores({("r1", "w1"): HIGH}), "reliability": reliability})
    for scope in ("all", "r1"):
        row = out.loc[("c1", scope, "w1")]
        assert row["verdict"] == "insufficient-data" and row["gate"] == "reliability"
        assert "for lav reliabilitet for «Tillit» i bølge w1 (alfa = 0,55 < 0,70)" in row["reason"]
        assert "reliability of 'Trust' too low" in row["reason_en"]


def test_agreement_gate_closes_a_region_not_the_nation(tmp_path):
    agreement = pd.DataFrame({"construct": ["trust"], "wave": ["w1"], "region": ["r1"], "n": [7], "rwg_j": [0.41]})
    out = _run(tmp_path, LEVEL, {"scores": _scores({("r1", "w1"): HIGH}), "agreement": agreement})
    assert out.loc[("c1", "r1", "w1"), "gate"] == "agreement"
    assert "rwg(j) = 0,41 < 0,70" in out.loc[("c1", "r1", "w1"), "reason"]
    assert out.loc[("c1", "all", "w1"), "verdict"] == "met"


def test_invariance_gate_closes_change_not_level(tmp_path):
    body = """\
    indicators:
      - {id: trust, construct: trust}
    rules:
      - {kind: level, indicator: trust, threshold: 3.5}
      - {kind: change, indicator: trust, from: first}
    """
    invariance = pd.DataFrame({"construct": ["trust"] * 3, "model": ["configural", "metric", "scalar"],
                               "holds": [pd.NA, True, False]})
    scores = _scores({("r1", "w1"): LOW, ("r1", "w2"): HIGH})
    out = _run(tmp_path, body, {"scores": scores, "invariance": invariance})
    assert out.loc[("c1", "r1", "w1"), "verdict"] == "not-met"   # level alone, no comparison over time
    row = out.loc[("c1", "r1", "w2")]
    assert row["verdict"] == "insufficient-data" and row["gate"] == "invariance"
    assert "scalar invariance fails" in row["reason_en"]


def test_every_insufficient_row_names_its_gate(tmp_path):
    body = """\
    indicators:
      - {id: trust, construct: trust}
      - {id: anchored, milestone: ms_anchored}
    rules:
      - {kind: level, indicator: trust, threshold: 3.5}
      - {kind: change, indicator: trust, from: previous}
      - {kind: association, indicator: trust, outcome: c1/anchored, at: first, outcome_at: last}
    """
    scores = _scores({(r, w): (HIGH if r < "r4" else LOW)[: 3 if r == "r6" else 7] for r in REGIONS for w in WAVES})
    out = _run(tmp_path, body, {"scores": scores}, {"status": _status({(r, "w3"): 1 for r in REGIONS})})
    insufficient = out[out["verdict"] == "insufficient-data"]
    assert len(insufficient) and insufficient["gate"].str.len().gt(0).all()
    assert insufficient["reason"].str.len().gt(0).all() and insufficient["reason_en"].str.len().gt(0).all()
    assert set(out.index.get_level_values("region")) == {"all", *REGIONS}


# ------------------------------------------------------------------------- verdict logic
def _r(status, kind="level"):
    return RuleResult(kind, "x", status)


@pytest.mark.parametrize("statuses, verdict", [
    (["pass", "pass"], "met"),
    (["pass", "not-applicable"], "met"),
    (["pass", "fail"], "partly-met"),
    (["fail", "fail", "not-applicable"], "not-met"),
    (["pass", "insufficient"], "insufficient-data"),
    (["not-applicable", "not-applicable"], "insufficient-data"),
    ([], "insufficient-data"),
])
def test_verdict_logic(statuses, verdict):
    assert verdict_of([_r(s) for s in statuses])[0] == verdict
