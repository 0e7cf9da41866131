"""Three-way decisions: reference values, the BH/FCR agreement, calibration, degenerate rows."""

import numpy as np
import pytest

from folge.statistics import combine_verdicts, decide, decide_shares


def test_one_sided_p_and_bh_match_r():
    out = decide([0.31, 0.12, -0.05], [0.1, 0.08, 0.2], [12.3, 40, 7.5], 0.1)
    # R: pt((est - bar) / se, df, lower.tail = FALSE)   (tests/reference/decisions.R)
    np.testing.assert_allclose(out["p"], [0.0284974782045214, 0.4019334431859192, 0.7619401005913884], rtol=1e-10)
    # R: p.adjust(p, "BH")
    np.testing.assert_allclose(out["p_adj"], [0.0854924346135641, 0.6029001647788788, 0.7619401005913884],
                               rtol=1e-10)


def test_share_bounds_match_binom_test():
    up = decide_shares([14], [20], 0.5)
    # R: binom.test(14, 20, p = 0.5, alternative = "greater")
    assert up["p"].iloc[0] == pytest.approx(0.0576591491699219, rel=1e-10)
    assert up["ci_low"].iloc[0] == pytest.approx(0.4921815933852067, rel=1e-9)
    assert up["verdict"].iloc[0] == "inconclusive"
    down = decide_shares([3], [20], 0.5)
    # R: binom.test(3, 20, p = 0.5, alternative = "less")$conf.int[2]
    assert down["ci_high"].iloc[0] == pytest.approx(0.3436638043142819, rel=1e-9)
    assert down["verdict"].iloc[0] == "not-met"


def test_met_exactly_when_bh_rejects():
    rng = np.random.default_rng(3)
    for _ in range(50):
        m = int(rng.integers(1, 30))
        est = rng.normal(0.1, 0.2, m)
        se = rng.uniform(0.05, 0.2, m)
        out = decide(est, se, rng.uniform(3, 60, m), 0.0)
        assert ((out["verdict"] == "met") == (out["p_adj"] <= 0.05)).all()
        assert (out.loc[out["verdict"] == "met", "ci_low"] > 0).all()
        assert (out.loc[out["verdict"] == "not-met", "ci_high"] < 0).all()
        undecided = out["verdict"] == "inconclusive"
        assert ((out.loc[undecided, "ci_low"] <= 0) & (out.loc[undecided, "ci_high"] >= 0)).all()


@pytest.mark.parametrize("effects", [0, 5])
def test_false_met_at_most_alpha_when_truth_at_bar(effects):
    """Families of 12 regions, ``effects`` of them truly above the bar: a region whose
    truth is at the bar is called met at most alpha of the time (Monte Carlo, 4000 families)."""
    rng = np.random.default_rng(11)
    reps, m, df = 4000, 12, 8.0
    truth = np.r_[np.full(effects, 0.5), np.zeros(m - effects)]
    se = np.full(m, 0.15)
    est = truth + se * rng.standard_t(df, size=(reps, m))
    family = np.repeat(np.arange(reps), m)
    out = decide(est.ravel(), np.tile(se, reps), df, 0.0, family=family)
    verdict = out["verdict"].to_numpy().reshape(reps, m)
    false_met = np.mean(verdict[:, effects:] == "met")
    assert false_met <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / (reps * (m - effects)))
    if effects:  # the planted effects are found most of the time
        assert np.mean(verdict[:, :effects] == "met") > 0.6


def test_degenerate_rows_are_insufficient_data_with_a_reason():
    out = decide([0.4, np.nan, 0.4, 0.4], [0.0, 0.1, np.nan, 0.1], [10, 10, 10, np.nan], 0.0)
    assert out["verdict"].tolist() == ["insufficient-data"] * 4
    assert out["reason"].tolist() == ["no-variation", "not-estimable", "not-estimable", "not-estimable"]
    assert out["p"].isna().all() and out["ci_low"].isna().all()
    shares = decide_shares([0, 3], [0, 5], 0.5)
    assert shares["verdict"].tolist() == ["insufficient-data", "inconclusive"]


def test_insufficient_rows_do_not_enlarge_the_family():
    alone = decide([0.3], [0.1], 20, 0.0)
    with_gap = decide([0.3, np.nan], [0.1, 0.1], 20, 0.0)
    assert with_gap["p_adj"].iloc[0] == pytest.approx(alone["p_adj"].iloc[0])
    assert with_gap["ci_low"].iloc[0] == pytest.approx(alone["ci_low"].iloc[0])


def test_mde_is_the_distance_found_with_80_percent_power():
    rng = np.random.default_rng(5)
    out = decide([0.0], [0.1], 15, 0.0)
    mde = out["mde"].iloc[0]
    draws = mde + 0.1 * rng.standard_t(15, 20000)
    power = np.mean(decide(draws, np.full(draws.size, 0.1), 15, 0.0, family=np.arange(draws.size))["verdict"] == "met")
    assert power == pytest.approx(0.8, abs=0.015)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="'alpha'"):
        decide([1.0], [0.1], 10, 0.0, alpha=1.5)
    with pytest.raises(ValueError, match="'se' must have 2 values"):
        decide([1.0, 2.0], [0.1, 0.1, 0.1], 10, 0.0)


def test_combining_rule_verdicts():
    assert combine_verdicts(["not-met", "inconclusive"]) == "not-met"
    assert combine_verdicts(["met", "insufficient-data"]) == "met"
    assert combine_verdicts(["descriptive"]) == "descriptive"
    assert combine_verdicts([]) == "insufficient-data"
