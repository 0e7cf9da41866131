"""ICC(1)/ICC(2), rwg(j) and AD against R's multilevel package.

Reference values come from tests/reference/aggregation.R (multilevel 2.7) on the
fixtures written by tests/reference/aggregation_change_trend_fixtures.R.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from folge.statistics.aggregation import (
    AD_COLUMNS,
    AGREEMENT_COLUMNS,
    ICC_COLUMNS,
    RWG_COLUMNS,
    agreement,
    average_deviation,
    icc,
    rwg_j,
)

DATA = Path(__file__).resolve().parents[1] / "reference" / "data"
TOL = 1e-9
LEAD = [f"LEAD{i:02d}" for i in range(1, 12)]


@pytest.fixture(scope="module")
def hsb():
    return pd.read_csv(DATA / "hsb82_mach.csv", dtype={"school": str})


@pytest.fixture(scope="module")
def lq2002():
    return pd.read_csv(DATA / "lq2002_lead.csv")


@pytest.fixture(scope="module")
def synthetic():
    return pd.read_csv(DATA / "agreement_synthetic.csv")


# ------------------------------------------------------------------------------- ICC
def test_icc_high_school_and_beyond(hsb):
    res = icc(hsb["mAch"], hsb["school"])
    assert tuple(res.columns) == ICC_COLUMNS
    assert res.loc[0, "n_regions"] == 160
    assert res.loc[0, "n"] == 7185
    # R: multilevel::ICC1(aov(mAch ~ as.factor(school), data = mlmRev::Hsb82))
    assert res.loc[0, "icc1"] == pytest.approx(0.173538324719, abs=TOL)
    # R: multilevel::ICC2(aov(mAch ~ as.factor(school), data = mlmRev::Hsb82))
    assert res.loc[0, "icc2"] == pytest.approx(0.904116291322, abs=TOL)
    assert res.loc[0, "note"] == ""


def test_icc_lq2002_unbalanced(lq2002):
    score = lq2002[LEAD].mean(axis=1)
    res = icc(score, lq2002["COMPID"])
    assert res.loc[0, "n_regions"] == 49
    # R: ICC1(aov(rowMeans(lq2002[, LEAD01:LEAD11]) ~ as.factor(COMPID)))
    assert res.loc[0, "icc1"] == pytest.approx(0.0879562185216, abs=TOL)
    # R: ICC2(aov(rowMeans(lq2002[, LEAD01:LEAD11]) ~ as.factor(COMPID)))
    assert res.loc[0, "icc2"] == pytest.approx(0.800754373013, abs=TOL)


def test_icc_drops_missing_scores_and_regions(hsb):
    extra = pd.DataFrame({"school": ["9999", None, "1224"], "mAch": [np.nan, 10.0, np.nan]})
    both = pd.concat([hsb, extra], ignore_index=True)
    res = icc(both["mAch"], both["school"])
    assert res.loc[0, "n"] == 7185
    assert res.loc[0, "icc1"] == pytest.approx(0.173538324719, abs=TOL)


@pytest.mark.parametrize(
    ("scores", "groups", "fragment"),
    [
        ([1.0, 2.0, 3.0], ["a", "a", "a"], "fewer than two regions"),
        ([1.0, 2.0, 3.0], ["a", "b", "c"], "no region has two or more"),
        ([2.0, 2.0, 2.0, 2.0], ["a", "a", "b", "b"], "constant scores"),
        ([], [], "fewer than two regions"),
    ],
)
def test_icc_degenerate_data_give_nan_and_note(scores, groups, fragment):
    res = icc(np.asarray(scores, dtype=float), groups)
    assert np.isnan(res.loc[0, "icc1"]) and np.isnan(res.loc[0, "icc2"])
    assert fragment in res.loc[0, "note"]


def test_icc_identical_region_means():
    res = icc([1.0, 3.0, 1.0, 3.0], ["a", "a", "b", "b"])
    # MSB = 0, MSW = 2, k = 2: ICC(1) = -MSW / MSW = -1; ICC(2) undefined.
    assert res.loc[0, "icc1"] == pytest.approx(-1.0)
    assert np.isnan(res.loc[0, "icc2"])
    assert "MSB = 0" in res.loc[0, "note"]


def test_icc_argument_errors():
    with pytest.raises(ValueError, match="'groups'"):
        icc([1.0, 2.0], ["a"])
    with pytest.raises(TypeError, match="'scores'"):
        icc(["x", "y"], ["a", "b"])
    with pytest.raises(TypeError, match="'scores'"):
        icc(pd.Series(["x", "y"]), ["a", "b"])
    with pytest.raises(ValueError, match="'scores'"):
        icc(np.ones((2, 2)), ["a", "b"])
    with pytest.raises(ValueError, match="'groups'"):
        icc([1.0, 2.0], [["a", "b"], ["a", "b"]])


# ------------------------------------------------------- James, Demaree & Wolf (1984)
X1 = [4, 4, 5, 4, 3]
X2 = [4, 5, 4, 4, 3]
X3 = [1, 5, 1, 5, 3]


def test_rwg_single_item_hand_case():
    res = rwg_j(pd.DataFrame({"x1": X1}), scale_points=5)
    assert tuple(res.columns) == RWG_COLUMNS
    assert res.loc[0, "n"] == 5
    # R: multilevel::rwg(c(4,4,5,4,3), rep(1, 5), ranvar = 2)  (var = .5)
    assert res.loc[0, "rwg_j"] == pytest.approx(0.75, abs=TOL)
    # R: multilevel::ad.m(c(4,4,5,4,3), rep(1, 5))
    assert average_deviation(X1).loc[0, "ad"] == pytest.approx(0.4, abs=TOL)


def test_rwg_two_items_hand_case():
    items = pd.DataFrame({"x1": X1, "x2": X2})
    # R: multilevel::rwg.j(data.frame(x1, x2), rep(1, 5), ranvar = 2)
    assert rwg_j(items, 5).loc[0, "rwg_j"] == pytest.approx(0.857142857143, abs=TOL)
    # R: multilevel::ad.m(data.frame(x1, x2), rep(1, 5))
    assert average_deviation(items).loc[0, "ad"] == pytest.approx(0.4, abs=TOL)


def test_rwg_variance_above_null_is_set_to_zero():
    res = rwg_j(np.array(X3)[:, None], 5)
    # R: multilevel::rwg(c(1,5,1,5,3), rep(1, 5), ranvar = 2)  (var = 4 > 2)
    assert res.loc[0, "rwg_j"] == 0.0
    assert "exceeds the uniform null" in res.loc[0, "note"]
    # R: multilevel::ad.m(c(1,5,1,5,3), rep(1, 5))
    ad = average_deviation(pd.Series(X3, name="x3"))
    assert tuple(ad.columns) == AD_COLUMNS
    assert ad.loc[0, "ad"] == pytest.approx(1.6, abs=TOL)


def test_rwg_and_ad_need_two_complete_answers():
    items = pd.DataFrame({"x1": [4.0, 3.0], "x2": [np.nan, 3.0]})
    res = rwg_j(items, 5)
    assert res.loc[0, "n"] == 1 and np.isnan(res.loc[0, "rwg_j"])
    assert "fewer than two" in res.loc[0, "note"]
    assert np.isnan(average_deviation(items).loc[0, "ad"])


def test_rwg_argument_errors():
    with pytest.raises(ValueError, match="'scale_points'"):
        rwg_j([[1], [2]], scale_points=1)
    with pytest.raises(TypeError, match="'scale_points'"):
        rwg_j([[1], [2]], scale_points=5.0)
    with pytest.raises(TypeError, match="column 'lc3' of dtype"):
        rwg_j(pd.DataFrame({"lc1": [1, 2], "lc3": ["a", "b"]}), scale_points=5)
    with pytest.raises(ValueError, match="'items'"):
        average_deviation(np.ones((2, 2, 2)))


# ----------------------------------------------------------------- agreement by group
def test_agreement_lq2002(lq2002):
    res = agreement(lq2002[LEAD], lq2002["COMPID"], scale_points=5)
    assert tuple(res.columns) == AGREEMENT_COLUMNS
    assert len(res) == 49
    assert res["region"].head(5).tolist() == [2, 3, 4, 5, 6]
    # R: multilevel::rwg.j(lq2002[, LEAD01:LEAD11], lq2002$COMPID, ranvar = 2)$rwg.j[1:5]
    expected_rwg = [0.807527258396, 0.895938315059, 0.860012020435, 0.863558450463, 0.887662855624]
    # R: multilevel::ad.m(lq2002[, LEAD01:LEAD11], lq2002$COMPID)$AD.M[1:5]
    expected_ad = [1.020517676768, 0.867122650906, 0.949315375982, 0.935034050373, 0.863636363636]
    np.testing.assert_allclose(res["rwg_j"].head(5), expected_rwg, atol=TOL, rtol=0)
    np.testing.assert_allclose(res["ad"].head(5), expected_ad, atol=TOL, rtol=0)
    # R: mean(rwg.j(...)$rwg.j); mean(ad.m(...)$AD.M) over all 49 companies
    assert res["rwg_j"].mean() == pytest.approx(0.867784900004, abs=TOL)
    assert res["ad"].mean() == pytest.approx(0.890196470011, abs=TOL)


def test_agreement_synthetic_with_missing_answers_and_a_group_of_one(synthetic):
    res = agreement(synthetic[["i1", "i2", "i3"]], synthetic["region"], scale_points=5)
    assert res["region"].tolist() == ["a", "b", "c", "d", "e", "f"]
    # R: multilevel::rwg.j(agr[, c("i1","i2","i3")], agr$region, ranvar = 2)$gsize
    assert res["n"].tolist() == [11, 7, 14, 6, 10, 1]
    # R: multilevel::rwg.j(agr[, c("i1","i2","i3")], agr$region, ranvar = 2)$rwg.j
    expected_rwg = [0.863753213368, 0.905660377358, 0.877659574468, 0.964285714286, 0.0, np.nan]
    # R: multilevel::ad.m(agr[, c("i1","i2","i3")], agr$region)$AD.M
    expected_ad = [0.666666666667, 0.571428571429, 0.574829931973, 0.333333333333, 1.84, np.nan]
    # R: tapply(rowMeans(na.omit(agr)[, 2:4]), na.omit(agr)$region, mean) (and sd)
    expected_mean = [3.87878787879, 1.85714285714, 3.0, 4.77777777778, 3.26666666667, 4.0]
    expected_sd = [0.522232967867, 0.325300024316, 0.433629090392, 0.172132593165, 0.899931410281, np.nan]
    np.testing.assert_allclose(res["rwg_j"], expected_rwg, atol=TOL, rtol=0)
    np.testing.assert_allclose(res["ad"], expected_ad, atol=TOL, rtol=0)
    np.testing.assert_allclose(res["mean"], expected_mean, atol=1e-9, rtol=0)
    np.testing.assert_allclose(res["sd"], expected_sd, atol=1e-9, rtol=0)
    assert res.loc[0, "note"] == ""
    assert "set to 0" in res.loc[4, "note"]
    assert "fewer than two" in res.loc[5, "note"]


def test_agreement_seven_point_null(synthetic):
    res = agreement(synthetic[["i1", "i2", "i3"]].to_numpy(), synthetic["region"].to_numpy(), scale_points=7)
    # R: multilevel::rwg.j(agr[, c("i1","i2","i3")], agr$region, ranvar = 4)$rwg.j
    expected = [0.940045248869, 0.956896551724, 0.945497630332, 0.982758620690, 0.0, np.nan]
    np.testing.assert_allclose(res["rwg_j"], expected, atol=TOL, rtol=0)


def test_agreement_matches_single_group_functions(synthetic):
    res = agreement(synthetic[["i1", "i2", "i3"]], synthetic["region"], 5)
    one = synthetic[synthetic["region"] == "c"][["i1", "i2", "i3"]]
    assert res.loc[2, "rwg_j"] == pytest.approx(rwg_j(one, 5).loc[0, "rwg_j"], abs=1e-15)
    assert res.loc[2, "ad"] == pytest.approx(average_deviation(one).loc[0, "ad"], abs=1e-15)


def test_agreement_argument_errors(synthetic):
    with pytest.raises(ValueError, match="'groups'"):
        agreement(synthetic[["i1", "i2"]], ["a"], 5)
    with pytest.raises(ValueError, match="'scale_points'"):
        agreement(synthetic[["i1", "i2"]], synthetic["region"], 0)
