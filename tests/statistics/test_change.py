"""Welch and paired change, Hedges' g / d_z intervals, Holm and BH against R.

Reference values come from tests/reference/change_trend.R (R's stats package; the
noncentral-t limits by uniroot on pt(ncp = ), an implementation independent of
scipy's) on tests/reference/data/change_synthetic.csv.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from folge.statistics.change import (
    CHANGE_COLUMNS,
    benjamini_hochberg,
    holm,
    paired_change,
    welch_change,
)

DATA = Path(__file__).resolve().parents[1] / "reference" / "data"
TOL = 1e-8


@pytest.fixture(scope="module")
def waves():
    d = pd.read_csv(DATA / "change_synthetic.csv")
    a = d[d["wave"] == 1].set_index("respondent")["score"]
    b = d[d["wave"] == 2].set_index("respondent")["score"]
    return a, b


# ---------------------------------------------------------------------------- Welch
def test_welch_two_sided(waves):
    a, b = waves
    res = welch_change(a, b)
    assert tuple(res.columns) == CHANGE_COLUMNS
    row = res.iloc[0]
    assert (row["n_from"], row["n_to"], row["method"], row["note"]) == (30, 35, "welch-t", "")
    # R: t.test(b, a)$estimate[1] - t.test(b, a)$estimate[2]
    assert row["diff"] == pytest.approx(0.282830952381, abs=TOL)
    # R: t.test(b, a)$conf.int
    assert row["ci_low"] == pytest.approx(-0.106097782330, abs=TOL)
    assert row["ci_high"] == pytest.approx(0.671759687092, abs=TOL)
    # R: t.test(b, a)$p.value
    assert row["p"] == pytest.approx(0.151071369819, abs=TOL)


def test_hedges_g_and_exact_interval(waves):
    a, b = waves
    row = welch_change(a, b).iloc[0]
    # R: J <- exp(lgamma(df/2) - log(sqrt(df/2)) - lgamma((df-1)/2)); J * d  (pooled-SD d)
    assert row["hedges_g"] == pytest.approx(0.349293036018, abs=TOL)
    # R: c(ncp_limit(d/s, df, .975), ncp_limit(d/s, df, .025)) * s, ncp_limit = uniroot on pt(ncp=)
    assert row["g_ci_low"] == pytest.approx(-0.139385636081, abs=1e-8)
    assert row["g_ci_high"] == pytest.approx(0.843670072701, abs=1e-8)


def test_welch_one_sided(waves):
    a, b = waves
    greater = welch_change(a, b, alternative="greater").iloc[0]
    # R: t.test(b, a, alternative = "greater")$conf.int ; $p.value
    assert greater["ci_low"] == pytest.approx(-0.0420473308782, abs=TOL)
    assert greater["ci_high"] == np.inf
    assert greater["p"] == pytest.approx(0.0755356849093, abs=TOL)
    # R: ncp_limit(d/s, df, .95) * s
    assert greater["g_ci_low"] == pytest.approx(-0.0603693699191, abs=1e-8)
    assert greater["g_ci_high"] == np.inf
    less = welch_change(a, b, alternative="less").iloc[0]
    # R: t.test(b, a, alternative = "less")$conf.int ; $p.value
    assert less["ci_low"] == -np.inf
    assert less["ci_high"] == pytest.approx(0.60770923564, abs=TOL)
    assert less["p"] == pytest.approx(0.924464315091, abs=TOL)
    # R: ncp_limit(d/s, df, .05) * s
    assert less["g_ci_high"] == pytest.approx(0.76463698754, abs=1e-8)


def test_welch_confidence_level(waves):
    a, b = waves
    row = welch_change(a, b, confidence=0.90).iloc[0]
    # R: c(ncp_limit(d/s, df, .95), ncp_limit(d/s, df, .05)) * s
    assert row["g_ci_low"] == pytest.approx(-0.0603693699191, abs=1e-8)
    assert row["g_ci_high"] == pytest.approx(0.7646369875404, abs=1e-8)
    # a two-sided 90% interval has the one-sided 95% bounds: R t.test(b, a, "greater")$conf.int[1]
    assert row["ci_low"] == pytest.approx(-0.0420473308782, abs=TOL)


def test_welch_ignores_missing_values(waves):
    a, b = waves
    with_nan = pd.concat([a, pd.Series([np.nan], index=["rX"])])
    pd.testing.assert_frame_equal(welch_change(with_nan, b.to_numpy()), welch_change(a, b))


def test_exact_interval_for_large_t():
    rng = np.random.default_rng(3)
    a = rng.normal(0, 1, 400)
    b = rng.normal(3, 1, 400)
    row = welch_change(a, b).iloc[0]
    assert row["g_ci_low"] < row["hedges_g"] < row["g_ci_high"]
    assert np.isfinite(row["g_ci_low"]) and np.isfinite(row["g_ci_high"])


@pytest.mark.parametrize(
    ("a", "b", "fragment"),
    [
        ([3.0], [3.0, 4.0, 5.0], "fewer than two answers"),
        ([3.0, 4.0], [], "fewer than two answers"),
        ([3.0, 3.0], [4.0, 4.0, 4.0], "no variance"),
    ],
)
def test_welch_degenerate_data(a, b, fragment):
    row = welch_change(a, b).iloc[0]
    assert fragment in row["note"]
    assert np.isnan(row["p"]) and np.isnan(row["hedges_g"]) and np.isnan(row["ci_low"])
    assert row["n_from"] == len(a) and row["n_to"] == len(b)


def test_change_argument_errors():
    with pytest.raises(ValueError, match="'alternative'"):
        welch_change([1.0, 2.0], [1.0, 3.0], alternative="two.sided")
    with pytest.raises(ValueError, match="'confidence'"):
        welch_change([1.0, 2.0], [1.0, 3.0], confidence=95)
    with pytest.raises(TypeError, match="'a'"):
        welch_change(["x", "y"], [1.0, 3.0])
    with pytest.raises(TypeError, match="'b'"):
        welch_change([1.0, 2.0], pd.Series(["x", "y"]))
    with pytest.raises(ValueError, match="same length"):
        paired_change([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="'before'"):
        paired_change(pd.Series([1.0, 2.0], index=["p", "p"]), pd.Series([1.0, 2.0], index=["p", "q"]))


# --------------------------------------------------------------------------- paired
def test_paired_matches_t_test(waves):
    a, b = waves
    res = paired_change(a, b)
    assert tuple(res.columns) == CHANGE_COLUMNS
    row = res.iloc[0]
    # R: nrow(merge(w1, w2, by = "respondent"))
    assert (row["n_from"], row["n_to"], row["method"]) == (20, 20, "paired-t")
    # R: mean(m$score.before), mean(m$score.after)
    assert row["mean_from"] == pytest.approx(3.24346, abs=TOL)
    assert row["mean_to"] == pytest.approx(3.61313, abs=TOL)
    # R: t.test(m$score.after, m$score.before, paired = TRUE)$estimate ; $conf.int ; $p.value
    assert row["diff"] == pytest.approx(0.36967, abs=TOL)
    assert row["ci_low"] == pytest.approx(0.00233090264232, abs=TOL)
    assert row["ci_high"] == pytest.approx(0.73700909735768, abs=TOL)
    assert row["p"] == pytest.approx(0.0487020699584, abs=TOL)
    # R: mean(D) / sd(D) ; ncp_limit(dz * sqrt(n), n - 1, .975 / .025) / sqrt(n)
    assert row["hedges_g"] == pytest.approx(0.47098413119, abs=TOL)
    assert row["g_ci_low"] == pytest.approx(0.0026413215028, abs=1e-8)
    assert row["g_ci_high"] == pytest.approx(0.9282641200368, abs=1e-8)


def test_paired_arrays_are_matched_by_position(waves):
    a, b = waves
    common = a.index.intersection(b.index)
    by_index = paired_change(a, b)
    by_position = paired_change(a[common].to_numpy(), b[common].to_numpy())
    pd.testing.assert_frame_equal(by_index, by_position)


def test_paired_drops_incomplete_pairs():
    before = pd.Series([1.0, 2.0, np.nan, 4.0], index=list("abcd"))
    after = pd.Series([2.0, 2.5, 3.0, np.nan, 9.0], index=list("abcde"))
    row = paired_change(before, after).iloc[0]
    assert row["n_from"] == 2
    assert row["diff"] == pytest.approx(0.75)


@pytest.mark.parametrize(
    ("before", "after", "fragment"),
    [
        ([1.0], [2.0], "fewer than two respondents"),
        ([1.0, 2.0], [2.0, 3.0], "all paired differences are equal"),
    ],
)
def test_paired_degenerate_data(before, after, fragment):
    row = paired_change(before, after).iloc[0]
    assert fragment in row["note"]
    assert np.isnan(row["p"]) and np.isnan(row["hedges_g"])


def test_paired_one_sided(waves):
    a, b = waves
    two = paired_change(a, b).iloc[0]
    greater = paired_change(a, b, alternative="greater").iloc[0]
    assert greater["p"] == pytest.approx(two["p"] / 2, rel=1e-12)
    assert greater["ci_high"] == np.inf and greater["g_ci_high"] == np.inf


# ------------------------------------------------------------------ multiple testing
P = [0.01, 0.02, 0.03, 0.04, 0.05, 0.2, 0.001]


def test_holm():
    # R: p.adjust(c(.01, .02, .03, .04, .05, .2, .001), "holm")
    np.testing.assert_allclose(holm(P), [0.06, 0.10, 0.12, 0.12, 0.12, 0.20, 0.007], atol=1e-12, rtol=0)


def test_benjamini_hochberg():
    # R: p.adjust(c(.01, .02, .03, .04, .05, .2, .001), "BH")
    expected = [0.035, 0.0466666666667, 0.0525, 0.056, 0.0583333333333, 0.2, 0.007]
    np.testing.assert_allclose(benjamini_hochberg(P), expected, atol=1e-12, rtol=0)


def test_adjustments_pass_nan_through():
    pn = pd.Series([0.04, np.nan, 0.01, 0.03, np.nan])
    # R: p.adjust(c(.04, NA, .01, .03, NA), "holm")
    np.testing.assert_allclose(holm(pn), [0.06, np.nan, 0.03, 0.06, np.nan], atol=1e-12, rtol=0)
    # R: p.adjust(c(.04, NA, .01, .03, NA), "BH")
    np.testing.assert_allclose(benjamini_hochberg(pn), [0.04, np.nan, 0.03, 0.04, np.nan], atol=1e-12, rtol=0)
    assert holm([]).size == 0 and np.isnan(benjamini_hochberg([np.nan])).all()


def test_adjustments_cap_at_one():
    assert holm([0.6, 0.7]).tolist() == [1.0, 1.0]
    assert benjamini_hochberg([0.9, 0.95]).tolist() == [0.95, 0.95]


def test_adjustment_argument_errors():
    with pytest.raises(ValueError, match="'p'"):
        holm([0.5, 1.5])
    with pytest.raises(ValueError, match="'p'"):
        benjamini_hochberg([[0.1, 0.2]])
    with pytest.raises(TypeError, match="'p'"):
        holm(["a"])
