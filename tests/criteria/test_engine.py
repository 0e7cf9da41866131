"""Rules, gates and verdicts on small hand-made tables."""

from __future__ import annotations

import json
import math
import textwrap

import numpy as np
import pandas as pd
import pytest
from folge.criteria import CRITERIA_COLUMNS, evaluate_criteria, load_criteria
from folge.definitions import load_study
from folge.statistics import benjamini_hochberg, change_mixed, combine_verdicts, decide, regional_trend_mixed
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
    # the family is the rule at w1 over the regions: BH over r1 and r2's one-sided t-test p
    one_sided = [stats.ttest_1samp(x, 3.5, alternative="greater").pvalue for x in (HIGH, LOW)]
    assert row["verdict"] == "met"
    assert row["p"] == pytest.approx(benjamini_hochberg(one_sided)[0], rel=1e-10)
    assert row["value"] == pytest.approx(np.mean(HIGH)) and row["threshold"] == 3.5 and row["n"] == 7
    assert out.loc[("c1", "r2", "w1"), "verdict"] == "not-met"
    assert "oppfylt: trust 4,29, nedre grense" in row["reason"] and "over 3,50" in row["reason"]
    assert "met: trust 4.29, lower bound" in row["reason_en"]


#: A level rule on an item's share, and answers to it with two don't-know codes (9).
AGREE = """\
indicators:
  - {id: agree, item: tr1, at_least: 4}
rules:
  - {kind: level, indicator: agree, threshold: 0.5}
"""
AGREE_ANSWERS = [{"tr1": v} for v in (4, 5, 4, 5, 4, 5, 3, 9, 9, 4)]


def test_level_share_is_an_exact_binomial_test_and_drops_missing_codes(tmp_path):
    out = _run(tmp_path, AGREE, {}, {"survey": _survey({("r1", "w1"): AGREE_ANSWERS})})
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


#: A milestone level rule with the default bar (reached in a region; half the regions nationally).
MILESTONE = """\
indicators:
  - {id: anchored, milestone: ms_anchored}
rules:
  - {kind: level, indicator: anchored}
"""


def test_milestone_without_report_is_insufficient(tmp_path):
    out = _run(tmp_path, MILESTONE, {}, {"status": _status({("r1", "w1"): 1})})
    assert out.loc[("c1", "r2", "w1"), "gate"] == "no-report"
    assert out.loc[("c1", "all", "w1"), "verdict"] == "met"  # 1 of 1 reporting region ≥ default 0.5


# ------------------------------------------------------------------------- change
CHANGE = """\
indicators:
  - {id: trust, construct: trust}
rules:
  - {kind: change, indicator: trust, from: first}
"""


def test_change_uses_the_mixed_rows_of_change_table_with_bh_over_the_regions(tmp_path):
    scores = _scores({(r, w): HIGH for r in ("r1", "r2") for w in WAVES})
    rows = [{"construct": "trust", "region": r, "from_wave": "w1", "to_wave": w, "n_from": 7, "n_to": 7,
             "diff": d, "se": 0.1, "df": 12.0, "p": 0.5, "method": "REML score ~ wave + role + (1 | respondent)"}
            for r, w, d in (("r1", "w2", 0.4), ("r2", "w2", 0.15), ("r1", "w3", 0.6), ("r2", "w3", -0.3))]
    rows.append({"construct": "trust", "region": "r1", "from_wave": "w1", "to_wave": "w2", "n_from": 7,
                 "n_to": 7, "diff": -2.0, "p": 0.9, "method": "welch"})  # descriptive: not used
    out = _run(tmp_path, CHANGE, {"scores": scores, "change": pd.DataFrame(rows)})
    assert out.loc[("c1", "r1", "w1"), "verdict"] == "insufficient-data"   # the reference wave
    assert out.loc[("c1", "r1", "w1"), "gate"] == "no-rule"
    assert "endring måles fra bølge w1" in out.loc[("c1", "r1", "w1"), "reason"]
    expected = decide([0.4, 0.15], [0.1, 0.1], 12.0, 0.0)
    assert out.loc[("c1", "r1", "w2"), "p"] == pytest.approx(expected["p_adj"][0])
    assert out.loc[("c1", "r1", "w2"), "value"] == pytest.approx(0.4)
    assert out.loc[("c1", "r1", "w2"), "verdict"] == "met"
    assert out.loc[("c1", "r2", "w2"), "verdict"] == "inconclusive"
    assert "trenger en forskjell på minst" in out.loc[("c1", "r2", "w2"), "reason"]
    assert out.loc[("c1", "r2", "w3"), "verdict"] == "not-met"


def test_change_without_table_row_is_fitted_with_the_mixed_model(tmp_path):
    scores = _scores({("r1", "w1"): LOW, ("r1", "w2"): HIGH})
    out = _run(tmp_path, CHANGE, {"scores": scores})
    row = out.loc[("c1", "r1", "w2")]
    expected = change_mixed(scores, "w1", "w2").iloc[0]
    assert row["value"] == pytest.approx(expected["diff"], rel=1e-6)
    assert row["value"] == pytest.approx(np.mean(HIGH) - np.mean(LOW))
    assert row["verdict"] == "met"


def test_a_decline_fails_the_change_rule(tmp_path):
    out = _run(tmp_path, CHANGE, {"scores": _scores({("r1", "w1"): HIGH, ("r1", "w2"): LOW})})
    assert out.loc[("c1", "r1", "w2"), "verdict"] == "not-met"


# ------------------------------------------------------------------------- trend
def test_regional_trend_is_the_mixed_model_slope_per_year(tmp_path):
    body = """\
    indicators:
      - {id: trust, construct: trust}
    rules:
      - {kind: trend, indicator: trust}
    """
    cells = {("r1", "w1"): LOW, ("r1", "w2"): [v + 0.4 for v in LOW], ("r1", "w3"): HIGH}
    scores = _scores(cells)
    out = _run(tmp_path, body, {"scores": scores})
    days = {"w1": 0, "w2": 31, "w3": 59}  # the test study's waves: 2015-01-01, 02-01, 03-01
    expected = regional_trend_mixed(scores.assign(years=scores["wave"].map(days) / 365.25)).iloc[0]
    row = out.loc[("c1", "r1", "w3")]
    assert row["value"] == pytest.approx(expected["estimate"], rel=1e-6)
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
    # six regions are fewer than settings.association_min_regions (20): described, not judged
    assert row["verdict"] == "descriptive"
    assert "beskrivende: rho" in row["reason"] and "95 % KI" in row["reason"]


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
    assert "ikke oppfylt: used 0,10, øvre grense" in broken_row["reason"]
    # the rule's p is the largest step p: used among those who shared, 2 of 20
    assert broken_row["p"] == pytest.approx(stats.binomtest(2, 20, 0.5, alternative="greater").pvalue)


# ------------------------------------------------------------------------- gates
def test_n_gate_hides_the_figure_and_states_no_count(tmp_path):
    out = _run(tmp_path, LEVEL, {"scores": _scores({("r1", "w1"): HIGH[:3]})})
    row = out.loc[("c1", "r1", "w1")]
    assert row["verdict"] == "insufficient-data" and row["gate"] == "n"
    assert "for få svar i bølge w1 (færre enn 5)" in row["reason"]
    assert "too few answers in wave w1 (fewer than 5)" in row["reason_en"]
    assert "3" not in row["reason"] and "3" not in row["reason_en"]  # no count below min_n is stated
    assert math.isnan(row["value"]) and math.isnan(row["n"])


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
    # the change rule is insufficient-data, so the criterion rests on its applicable rule (level)
    assert row["gate"] == "invariance" and row["verdict"] == "met"
    assert "scalar invariance fails" in row["reason_en"]
    rules = {r["kind"]: r["verdict"] for r in json.loads(row["rules"])}
    assert rules == {"level": "met", "change": "insufficient-data"}


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
@pytest.mark.parametrize("verdicts, combined", [
    (["met", "met"], "met"),
    (["met", "insufficient-data"], "met"),  # a rule that cannot be judged does not count
    (["met", "not-met"], "partly-met"),
    (["met", "inconclusive"], "inconclusive"),
    (["not-met", "not-met", "insufficient-data"], "not-met"),
    (["not-met", "inconclusive"], "not-met"),
    (["inconclusive", "insufficient-data"], "inconclusive"),
    (["insufficient-data", "insufficient-data"], "insufficient-data"),
    (["descriptive", "descriptive"], "descriptive"),  # only described: nothing to judge
    (["descriptive", "insufficient-data"], "insufficient-data"),
    ([], "insufficient-data"),
])
def test_a_criterion_combines_its_rules_as_design_says(verdicts, combined):
    """met: every applicable rule met; not-met: one not met and none met; partly-met: some met
    and some not; insufficient-data: no rule could be judged; inconclusive otherwise."""
    assert combine_verdicts(verdicts) == combined


# ------------------------------------------------------------------------- degenerate data → insufficient-data
def _rules_of(tmp_path, body, tables, responses=None) -> pd.DataFrame:
    from folge.criteria import judge_criteria

    root = make_study(tmp_path, _criteria(body))
    _, rules = judge_criteria(load_study(root), load_criteria(root), tables, responses or {})
    return rules.set_index(["region", "wave"])


TREND = """\
indicators:
  - {id: trust, construct: trust}
rules:
  - {kind: trend, indicator: trust}
"""


def test_constant_answers_are_insufficient_data_not_met(tmp_path):
    rules = _rules_of(tmp_path, LEVEL, {"scores": _scores({("r1", "w1"): [4.0] * 7, ("r2", "w1"): HIGH})})
    row = rules.loc[("r1", "w1")]
    assert row["verdict"] == "insufficient-data" and "SD = 0" in row["reason"] and "SD = 0" in row["reason_en"]
    assert rules.loc[("r2", "w1"), "verdict"] == "met"  # the family goes on without it


def test_a_single_region_gives_no_national_trend(tmp_path):
    cells = {("r1", w): [v + 0.3 * i for v in LOW] for i, w in enumerate(WAVES)}
    rules = _rules_of(tmp_path, TREND, {"scores": _scores(cells)})
    national = rules.loc[("all", "w3")]
    assert national["verdict"] == "insufficient-data" and "kunne ikke beregnes" in national["reason"]
    assert rules.loc[("r1", "w3"), "verdict"] == "met"


def test_a_single_wave_gives_no_trend(tmp_path):
    rules = _rules_of(tmp_path, TREND, {"scores": _scores({("r1", "w1"): HIGH, ("r2", "w1"): LOW})})
    for scope in ("all", "r1", "r2"):
        row = rules.loc[(scope, "w1")]
        assert row["verdict"] == "insufficient-data" and "minst to bølger" in row["reason"]


def test_an_unestimable_model_is_insufficient_data(tmp_path):
    scores = _scores({(r, w): HIGH for r in ("r1", "r2") for w in ("w1", "w2")})
    change = pd.DataFrame([{"construct": "trust", "region": r, "from_wave": "w1", "to_wave": "w2", "n_from": 7,
                            "n_to": 7, "diff": d, "se": se, "df": df, "p": np.nan,
                            "method": "REML score ~ wave + role + (1 | respondent)"}
                           for r, d, se, df in (("r1", np.nan, np.nan, np.nan), ("r2", 0.5, 0.1, np.nan))])
    rules = _rules_of(tmp_path, CHANGE, {"scores": scores, "change": change})
    for region in ("r1", "r2"):  # no estimate; an estimate without df: neither passes nor fails
        row = rules.loc[(region, "w2")]
        assert row["verdict"] == "insufficient-data" and "kunne ikke beregnes" in row["reason"]
        assert np.isnan(row["p"])


def test_level_rule_prefers_the_weighted_level_of_levels_table(tmp_path):
    levels = pd.DataFrame({"construct": ["trust"] * 3, "region": ["r1", "r2", "all"], "wave": ["w1"] * 3,
                           "n": [7, 7, 14], "mean": [3.9, 3.2, 3.55], "se": [0.1, 0.1, 0.02]})
    rules = _rules_of(tmp_path, LEVEL, {"scores": _scores({("r1", "w1"): HIGH, ("r2", "w1"): LOW}),
                                        "levels": levels})
    assert rules.loc[("r1", "w1"), "estimate"] == pytest.approx(3.9)  # not the unweighted 4.29
    expected = decide([3.55], [0.02], 1.0, 3.5)  # nationally df = regions with a level - 1
    assert rules.loc[("all", "w1"), "ci_low"] == pytest.approx(expected["ci_low"][0])
    assert rules.loc[("all", "w1"), "verdict"] == expected["verdict"][0]


def test_trend_rule_at_the_last_wave_reads_trend_table_and_fits_earlier_waves(tmp_path):
    cells = {(r, w): [v + 0.2 * i for v in (HIGH if r == "r1" else LOW)]
             for r in ("r1", "r2") for i, w in enumerate(WAVES)}
    scores = _scores(cells)
    fitted = _rules_of(tmp_path / "a", TREND, {"scores": scores})
    # a trend.csv whose national row differs from the fit: the last wave must show it, earlier ones not
    trend = pd.DataFrame([{"construct": "trust", "region": r, "estimate": e, "se": 0.05, "df": 9.0, "n": 28,
                           "p": 0.001}
                          for r, e in (("all", 0.9), ("r1", 0.8), ("r2", -0.4))])
    read = _rules_of(tmp_path / "b", TREND, {"scores": scores, "trend": trend})
    last, before = WAVES[-1], WAVES[-2]
    assert read.loc[("all", last), "estimate"] == pytest.approx(0.9)
    assert read.loc[("r2", last), "estimate"] == pytest.approx(-0.4)
    assert read.loc[("r2", last), "verdict"] == "not-met"
    assert fitted.loc[("all", last), "estimate"] != pytest.approx(0.9)
    assert read.loc[("all", before), "estimate"] == pytest.approx(fitted.loc[("all", before), "estimate"])


def test_a_small_mde_is_not_rounded_away():
    """A large study's mde can be a few hundredths: the reason must not ask for 'at least 0.0'."""
    from folge.criteria import Reason

    reason = Reason("rule-inconclusive", indicator="x", value=0.52, ci_low=0.49, ci_high=0.55, bar=0.5, mde=0.04)
    assert "minst 0,04 for å kunne vises" in reason.text("nb")
    assert "at least 0.04 to show" in reason.text("en")
