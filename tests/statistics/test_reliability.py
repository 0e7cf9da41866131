"""Cronbach's alpha, item statistics and McDonald's omega against R (psych, lavaan, semTools).

Every expected value was printed by ``tests/reference/psychometrics.R`` (psych 2.2.9,
lavaan 0.6-14, semTools 0.5-6) from the CSV fixtures in ``tests/reference/data/``;
the comment beside each names the R call. CI needs no R.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from folge.statistics import (
    ITEM_COLUMNS,
    OMEGA_COLUMNS,
    RELIABILITY_COLUMNS,
    cronbach_alpha,
    item_statistics,
    mcdonald_omega,
)

DATA = Path(__file__).resolve().parents[1] / "reference" / "data"

# The brief requires 1e-6 against psych; the engine matches to about 1e-10.
PSYCH_TOL = 1e-8
# The brief requires 2e-3 against semTools; lavaan's own convergence limits this.
OMEGA_TOL = 1e-5


@pytest.fixture(scope="module")
def bfi_agree() -> pd.DataFrame:
    """psych::bfi A1-A5 with A1 reversed (7 - A1), missing answers kept."""
    items = pd.read_csv(DATA / "bfi_agreeableness.csv")[["A1", "A2", "A3", "A4", "A5"]]
    return items.assign(A1=7 - items["A1"])


@pytest.fixture(scope="module")
def synthetic_lc() -> pd.DataFrame:
    """Synthetic lc1-lc5 (about 6 % missing) with lc3 reversed (6 - lc3)."""
    data = pd.read_csv(DATA / "synthetic_waves.csv")
    items = data[["lc1", "lc2", "lc3", "lc4", "lc5"]]
    return items.assign(lc3=6 - items["lc3"])


# ----------------------------------------------------------------------- alpha ---
def test_alpha_bfi_matches_psych(bfi_agree):
    res = cronbach_alpha(bfi_agree)
    assert list(res.columns) == list(RELIABILITY_COLUMNS)
    assert len(res) == 1
    row = res.iloc[0]
    assert row["n"] == 2709  # R: nrow(na.omit(x))
    assert row["k"] == 5
    assert row["alpha"] == pytest.approx(
        0.7037558944, abs=PSYCH_TOL
    )  # R: psych::alpha(na.omit(x))$total$raw_alpha
    # R: psych:::alpha.ci(raw_alpha, 2709, 5)  (Feldt, what psych::alpha prints as "Feldt")
    assert row["alpha_ci_low"] == pytest.approx(0.6857446350, abs=PSYCH_TOL)
    assert row["alpha_ci_high"] == pytest.approx(0.7210359628, abs=PSYCH_TOL)
    assert row["note"] == ""


def test_alpha_synthetic_with_missing_and_reverse_key(synthetic_lc):
    row = cronbach_alpha(synthetic_lc).iloc[0]
    assert row["n"] == 542  # R: nrow(na.omit(x))
    assert row["alpha"] == pytest.approx(
        0.8220173114, abs=PSYCH_TOL
    )  # R: psych::alpha(na.omit(x))$total$raw_alpha
    assert row["alpha_ci_low"] == pytest.approx(
        0.7971777648, abs=PSYCH_TOL
    )  # R: psych:::alpha.ci(a, 542, 5)$lower.ci
    assert row["alpha_ci_high"] == pytest.approx(
        0.8446566435, abs=PSYCH_TOL
    )  # R: psych:::alpha.ci(a, 542, 5)$upper.ci


def test_alpha_ci_level_changes_width(bfi_agree):
    wide = cronbach_alpha(bfi_agree, ci=0.99).iloc[0]
    narrow = cronbach_alpha(bfi_agree, ci=0.90).iloc[0]
    assert wide["alpha"] == narrow["alpha"]
    assert wide["alpha_ci_low"] < narrow["alpha_ci_low"] < narrow["alpha"]
    assert wide["alpha_ci_high"] > narrow["alpha_ci_high"] > narrow["alpha"]


def test_alpha_without_reversing_is_flagged(bfi_agree):
    raw = bfi_agree.assign(A1=7 - bfi_agree["A1"], A2=7 - bfi_agree["A2"], A3=7 - bfi_agree["A3"])
    row = cronbach_alpha(raw).iloc[0]
    assert row["alpha"] < 0
    assert "reverse" in row["note"]


# ------------------------------------------------------------------ item stats ---
def test_item_statistics_bfi_matches_psych(bfi_agree):
    res = item_statistics(bfi_agree)
    assert list(res.columns) == list(ITEM_COLUMNS)
    assert list(res["item"]) == ["A1", "A2", "A3", "A4", "A5"]
    # R: psych::alpha(na.omit(x))$item.stats$r.drop
    r_drop = [0.3114013006, 0.5630154755, 0.5887730787, 0.3947936801, 0.4872408676]
    # R: psych::alpha(na.omit(x))$alpha.drop$raw_alpha
    alpha_drop = [0.7179720566, 0.6184812118, 0.6007538144, 0.6869447415, 0.6446223042]
    np.testing.assert_allclose(res["r_drop"], r_drop, atol=PSYCH_TOL, rtol=0)
    np.testing.assert_allclose(res["alpha_if_dropped"], alpha_drop, atol=PSYCH_TOL, rtol=0)
    # R: colSums(!is.na(x)); colMeans(x, na.rm = TRUE); apply(x, 2, sd, na.rm = TRUE)
    assert list(res["n"]) == [2784, 2773, 2774, 2781, 2784]
    np.testing.assert_allclose(
        res["mean"],
        [4.5865660920, 4.8023800938, 4.6038211968, 4.6997482920, 4.5603448276],
        atol=1e-9,
        rtol=0,
    )
    np.testing.assert_allclose(
        res["sd"],
        [1.4077371505, 1.1720199217, 1.3018336392, 1.4796326863, 1.2585120984],
        atol=1e-9,
        rtol=0,
    )
    np.testing.assert_allclose(res["missing_share"], 1 - res["n"] / 2800)
    assert (res["note"] == "").all()


def test_item_statistics_synthetic_matches_psych(synthetic_lc):
    res = item_statistics(synthetic_lc)
    # R: psych::alpha(na.omit(x))$item.stats$r.drop
    np.testing.assert_allclose(
        res["r_drop"],
        [0.6605718220, 0.6456744408, 0.6012361219, 0.6226739834, 0.5456226931],
        atol=PSYCH_TOL,
        rtol=0,
    )
    # R: psych::alpha(na.omit(x))$alpha.drop$raw_alpha
    np.testing.assert_allclose(
        res["alpha_if_dropped"],
        [0.7731082260, 0.7780253874, 0.7909419109, 0.7847340212, 0.8063354298],
        atol=PSYCH_TOL,
        rtol=0,
    )
    # R: colSums(!is.na(x)); colMeans(x, na.rm = TRUE); apply(x, 2, sd, na.rm = TRUE)
    assert list(res["n"]) == [679, 679, 688, 680, 678]
    np.testing.assert_allclose(
        res["mean"],
        [3.3681885125, 3.1899852725, 3.2267441860, 3.3102941176, 3.3348082596],
        atol=1e-9,
        rtol=0,
    )
    np.testing.assert_allclose(
        res["sd"],
        [1.1340485804, 1.0852265507, 1.0781864571, 1.0714723200, 1.0490190431],
        atol=1e-9,
        rtol=0,
    )
    np.testing.assert_allclose(res["missing_share"], 1 - res["n"] / 720)


# ----------------------------------------------------------------------- omega ---
def test_omega_bfi_matches_semtools(bfi_agree):
    res = mcdonald_omega(bfi_agree)
    assert list(res.columns) == list(OMEGA_COLUMNS)
    row = res.iloc[0]
    assert row["n"] == 2709
    # R: semTools::compRelSEM(cfa("f =~ A1 + ... + A5", na.omit(x), std.lv = TRUE), obs.var = FALSE)
    assert row["omega"] == pytest.approx(0.7121289655, abs=OMEGA_TOL)
    assert row["note"] == ""


def test_omega_holzinger_visual_matches_semtools():
    hs = pd.read_csv(DATA / "holzinger_swineford_1939.csv")
    row = mcdonald_omega(hs[["x1", "x2", "x3"]]).iloc[0]
    # R: semTools::compRelSEM(cfa("f =~ x1 + x2 + x3", hs, std.lv = TRUE), obs.var = FALSE)
    assert row["omega"] == pytest.approx(0.6325531563, abs=OMEGA_TOL)


def test_omega_synthetic_matches_semtools(synthetic_lc):
    row = mcdonald_omega(synthetic_lc).iloc[0]
    assert row["n"] == 542
    # R: semTools::compRelSEM(cfa("f =~ lc1 + ... + lc5", na.omit(x), std.lv = TRUE), obs.var = FALSE)
    assert row["omega"] == pytest.approx(0.8238450685, abs=OMEGA_TOL)


def test_omega_heywood_case_is_kept_and_flagged():
    items = pd.read_csv(DATA / "heywood.csv")
    row = mcdonald_omega(items).iloc[0]
    # R: semTools::compRelSEM(cfa("f =~ h1 + h2 + h3 + h4", hey, std.lv = TRUE), obs.var = FALSE)
    assert row["omega"] == pytest.approx(0.8690275688, abs=OMEGA_TOL)
    assert "negative residual variance: h1" in row["note"]


# ------------------------------------------------------------- degenerate data ---
def _items(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns, dtype="float64")


def test_alpha_fewer_than_two_complete_cases():
    row = cronbach_alpha(_items(a=[1, np.nan, 3], b=[2, 4, np.nan], c=[1, 2, np.nan])).iloc[0]
    assert row["n"] == 1
    assert (
        np.isnan(row["alpha"]) and np.isnan(row["alpha_ci_low"]) and np.isnan(row["alpha_ci_high"])
    )
    assert "fewer than 2 respondents" in row["note"]


def test_alpha_no_rows():
    row = cronbach_alpha(_items(a=[], b=[])).iloc[0]
    assert row["n"] == 0 and np.isnan(row["alpha"]) and row["note"]


def test_alpha_constant_answers():
    row = cronbach_alpha(_items(a=[3, 3, 3, 3], b=[2, 2, 2, 2], c=[5, 5, 5, 5])).iloc[0]
    assert np.isnan(row["alpha"])
    assert "does not vary" in row["note"]


def test_alpha_one_constant_item_is_noted_not_fatal():
    row = cronbach_alpha(_items(a=[1, 2, 3, 4, 5], b=[2, 2, 2, 2, 2], c=[1, 3, 3, 4, 5])).iloc[0]
    assert np.isfinite(row["alpha"])
    assert "constant item(s): b" in row["note"]


def test_alpha_single_item():
    row = cronbach_alpha(_items(a=[1, 2, 3])).iloc[0]
    assert row["k"] == 1 and np.isnan(row["alpha"]) and "fewer than 2 items" in row["note"]


def test_item_statistics_degenerate():
    res = item_statistics(_items(a=[1, 2, 3, 4], b=[3, 3, 3, 3], c=[np.nan] * 4))
    assert res["r_drop"].isna().all() and res["alpha_if_dropped"].isna().all()
    assert "fewer than 2 respondents" in res.loc[0, "note"]
    assert res.loc[2, "n"] == 0 and res.loc[2, "missing_share"] == 1.0
    assert "no answers" in res.loc[2, "note"]
    res = item_statistics(_items(a=[1, 2, 3, 4], b=[3, 3, 3, 3], c=[1, 3, 2, 4]))
    assert np.isnan(res.loc[1, "r_drop"]) and res.loc[1, "note"] == "constant item"
    assert np.isfinite(res.loc[0, "r_drop"])


def test_item_statistics_two_items_alpha_if_dropped_undefined():
    res = item_statistics(_items(a=[1, 2, 3, 4], b=[2, 1, 4, 4]))
    assert res["alpha_if_dropped"].isna().all()
    assert res.loc[0, "r_drop"] == pytest.approx(np.corrcoef([1, 2, 3, 4], [2, 1, 4, 4])[0, 1])
    assert "single remaining item" in res.loc[0, "note"]


@pytest.mark.parametrize(
    "items, reason",
    [
        (
            _items(a=[1, 2, 3, 4, 5], b=[2, 2, 2, 2, 2], c=[1, 3, 3, 4, 5], d=[2, 3, 1, 4, 5]),
            "constant",
        ),
        (
            _items(
                a=[1, 2, 3, 4, 5, 2],
                b=[2, 1, 4, 3, 5, 3],
                c=[3, 3, 7, 7, 10, 5],
                d=[2, 3, 1, 4, 5, 3],
            ),
            "singular covariance matrix",
        ),
        (_items(a=[1, 2, 3], b=[2, 1, 4], c=[1, 3, 3]), "fewer than items + 1"),
        (_items(a=[1.0], b=[2.0], c=[3.0]), "fewer than items + 1"),
        (_items(a=[1, 2, 3, 4], b=[2, 1, 4, 4]), "fewer than 3 items"),
    ],
    ids=["constant-item", "singular", "n-below-k-plus-1", "n-of-1", "two-items"],
)
def test_omega_degenerate(items, reason):
    row = mcdonald_omega(items).iloc[0]
    assert np.isnan(row["omega"])
    assert reason in row["note"]


# ---------------------------------------------------------------- bad arguments ---
@pytest.mark.parametrize("function", [cronbach_alpha, item_statistics, mcdonald_omega])
def test_items_must_be_a_dataframe(function):
    with pytest.raises(TypeError, match="'items' must be a pandas DataFrame"):
        function(np.ones((5, 3)))


@pytest.mark.parametrize("function", [cronbach_alpha, item_statistics, mcdonald_omega])
def test_items_must_be_numeric(function):
    items = pd.DataFrame({"lc1": [1, 2, 3], "lc3": ["a", "b", "c"]})
    with pytest.raises(TypeError, match="column 'lc3'"):
        function(items)


def test_infinite_values_rejected():
    with pytest.raises(ValueError, match="infinite"):
        cronbach_alpha(_items(a=[1, np.inf, 3], b=[1, 2, 3]))


@pytest.mark.parametrize("ci", [0, 1, 1.5, -0.2])
def test_ci_out_of_range(ci):
    with pytest.raises(ValueError, match="'ci'"):
        cronbach_alpha(_items(a=[1, 2, 3], b=[1, 2, 4]), ci=ci)


def test_ci_wrong_type():
    with pytest.raises(TypeError, match="'ci'"):
        cronbach_alpha(_items(a=[1, 2, 3], b=[1, 2, 4]), ci="95%")


def test_nullable_integer_columns_accepted():
    items = pd.DataFrame(
        {"a": [1, 2, None, 4, 5], "b": [2, 2, 3, 5, 4], "c": [1, 3, 3, 4, 5]}, dtype="Int64"
    )
    expected = cronbach_alpha(items.astype("float64"))
    pd.testing.assert_frame_equal(cronbach_alpha(items), expected)
