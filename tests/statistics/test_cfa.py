"""The ML factor analysis engine against lavaan 0.6-14.

Expected values were printed by ``tests/reference/psychometrics.R`` from the CSV
fixtures in ``tests/reference/data/``; the comment beside each names the R call.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from folge.statistics import CFA_FIT_COLUMNS, CFA_PARAMETER_COLUMNS, cfa_fit, cfa_parameters
from folge.statistics.cfa import _fit, _objective

DATA = Path(__file__).resolve().parents[1] / "reference" / "data"
HS_MODEL = {
    "visual": ["x1", "x2", "x3"],
    "textual": ["x4", "x5", "x6"],
    "speed": ["x7", "x8", "x9"],
}
# The brief asks for 1e-4 relative; chi2, CFI and RMSEA agree to about 1e-9.
FIT_REL = 1e-6
# SRMR is first-order in the estimates, so lavaan's stopping rule shows at ~1e-8.
SRMR_REL = 1e-5


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return pd.read_csv(DATA / "holzinger_swineford_1939.csv")


@pytest.fixture(scope="module")
def hs_fit(hs) -> pd.DataFrame:
    return cfa_fit(hs, HS_MODEL)


def test_holzinger_three_factor_fit_matches_lavaan(hs_fit):
    assert list(hs_fit.columns) == list(CFA_FIT_COLUMNS)
    row = hs_fit.iloc[0]
    assert row["n"] == 301 and row["n_groups"] == 1 and row["npar"] == 21
    # R: fitMeasures(cfa_fit(hs_model, hs), c("chisq", "df", "cfi", "rmsea", "srmr"))
    assert row["chi2"] == pytest.approx(85.3055217700, rel=FIT_REL)
    assert row["df"] == 24
    assert row["cfi"] == pytest.approx(0.9305596518, rel=FIT_REL)
    assert row["rmsea"] == pytest.approx(0.0921214845, rel=FIT_REL)
    assert row["srmr"] == pytest.approx(0.0652050572, rel=SRMR_REL)
    assert bool(row["converged"]) and not bool(row["heywood"])
    assert row["note"] == ""


def test_holzinger_estimates_match_lavaan(hs):
    est = cfa_parameters(hs, HS_MODEL)
    assert list(est.columns) == list(CFA_PARAMETER_COLUMNS)

    def pick(lhs, op, rhs):
        hit = est[(est["lhs"] == lhs) & (est["op"] == op) & (est["rhs"] == rhs)]
        assert len(hit) == 1, (lhs, op, rhs)
        return float(hit["est"].iloc[0])

    # R: coef(cfa_fit(hs_model, hs)), in lavaan's order
    lavaan_coef = {
        ("visual", "=~", "x2"): 0.5535002938,
        ("visual", "=~", "x3"): 0.7293702098,
        ("textual", "=~", "x5"): 1.1130765781,
        ("textual", "=~", "x6"): 0.9261462366,
        ("speed", "=~", "x8"): 1.1799508395,
        ("speed", "=~", "x9"): 1.0815301569,
        ("x1", "~~", "x1"): 0.5490539732,
        ("x2", "~~", "x2"): 1.1338390165,
        ("x3", "~~", "x3"): 0.8443240457,
        ("x4", "~~", "x4"): 0.3711729928,
        ("x5", "~~", "x5"): 0.4462550703,
        ("x6", "~~", "x6"): 0.3562026643,
        ("x7", "~~", "x7"): 0.7993916383,
        ("x8", "~~", "x8"): 0.4876970838,
        ("x9", "~~", "x9"): 0.5661312936,
        ("visual", "~~", "visual"): 0.8093159811,
        ("textual", "~~", "textual"): 0.9794913729,
        ("speed", "~~", "speed"): 0.3837476493,
        ("visual", "~~", "textual"): 0.4082324421,
        ("visual", "~~", "speed"): 0.2622246020,
        ("textual", "~~", "speed"): 0.1734946846,
    }
    for key, expected in lavaan_coef.items():
        assert pick(*key) == pytest.approx(expected, abs=2e-6), key
    assert pick("visual", "=~", "x1") == 1.0
    assert est["free"].sum() == 21


@pytest.mark.parametrize("group_equal", [(), ("loadings",), ("loadings", "intercepts")])
def test_analytic_gradient_matches_finite_differences(hs, group_equal):
    result = _fit(hs, HS_MODEL, group="school", group_equal=group_equal)
    model, sample = result.model, result.sample
    point = result.theta * 1.05 + 0.01  # away from the optimum, where the gradient is not 0

    def value(theta):
        return _objective(theta, model, sample)[0]

    def gradient(theta):
        return _objective(theta, model, sample)[1]

    error = optimize.check_grad(value, gradient, point)
    assert error < 1e-5 * np.linalg.norm(gradient(point))
    assert np.max(np.abs(gradient(result.theta))) < 1e-8  # and vanishes at the estimate


def test_heywood_case_kept_and_flagged():
    data = pd.read_csv(DATA / "heywood.csv")
    row = cfa_fit(data).iloc[0]
    # R: fitMeasures(cfa_fit("f =~ h1 + h2 + h3 + h4", hey), c("chisq", "df", "cfi", "rmsea", "srmr"))
    assert row["chi2"] == pytest.approx(5.9423197176, rel=FIT_REL)
    assert row["df"] == 2
    assert row["cfi"] == pytest.approx(0.9925233703, rel=FIT_REL)
    assert row["rmsea"] == pytest.approx(0.0992763783, rel=FIT_REL)
    assert row["srmr"] == pytest.approx(0.0342856896, rel=SRMR_REL)
    assert bool(row["heywood"]) and bool(row["converged"])
    assert "negative residual variance: h1" in row["note"]
    est = cfa_parameters(data)
    variances = est[(est["op"] == "~~") & (est["lhs"] == est["rhs"]) & (est["lhs"] != "f")]
    # R: parameterEstimates(fit) residual variances h1-h4 (not constrained to be >= 0)
    np.testing.assert_allclose(
        variances["est"], [-0.1769173321, 0.4444605793, 0.4444603815, 0.7241585078], atol=1e-6
    )


def test_std_lv_and_marker_parameterisations_agree(hs):
    marker = cfa_fit(hs, {"visual": ["x1", "x2", "x3", "x4"]}).iloc[0]
    std = cfa_fit(hs, {"visual": ["x1", "x2", "x3", "x4"]}, std_lv=True).iloc[0]
    assert std["chi2"] == pytest.approx(marker["chi2"], rel=1e-8)
    assert std["df"] == marker["df"] == 2


def test_default_model_is_one_factor_over_every_column(hs):
    items = hs[["x4", "x5", "x6"]]
    est = cfa_parameters(items)
    assert set(est["lhs"][est["op"] == "=~"]) == {"f"}
    assert cfa_fit(items).iloc[0]["df"] == 0  # just identified: CFI 1, RMSEA 0 (as lavaan)
    assert cfa_fit(items).iloc[0]["cfi"] == 1.0


def test_multigroup_parameter_table_repeats_equal_loadings(hs):
    est = cfa_parameters(hs, HS_MODEL, group="school", group_equal=["loadings"])
    loadings = est[(est["op"] == "=~") & est["free"]].pivot(
        index=["lhs", "rhs"], columns="group", values="est"
    )
    np.testing.assert_allclose(loadings["Grant-White"], loadings["Pasteur"])
    means = est[(est["op"] == "~1") & est["lhs"].isin(HS_MODEL)]
    assert (means["est"] == 0).all() and not means["free"].any()


def test_non_convergence_is_flagged_not_raised():
    # Eight noise observations on five items: the ML solution diverges (lavaan 0.6-14:
    # "the optimizer warns that a solution has NOT been found!" on this sample).
    data = pd.DataFrame(np.random.default_rng(0).normal(size=(8, 5)), columns=list("abcde"))
    row = cfa_fit(data).iloc[0]
    assert not bool(row["converged"])
    assert "did not converge" in row["note"]


def test_degenerate_data_gives_nan_and_note():
    data = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6], "b": [2.0] * 6, "c": [1.0, 3, 2, 5, 4, 6]})
    row = cfa_fit(data).iloc[0]
    assert np.isnan(row["chi2"]) and pd.isna(row["df"]) and np.isnan(row["cfi"])
    assert "constant item(s): b" in row["note"]
    assert cfa_parameters(data).empty


# ---------------------------------------------------------------- bad arguments ---
def test_bad_arguments(hs):
    with pytest.raises(TypeError, match="'data'"):
        cfa_fit(hs.to_numpy())
    with pytest.raises(ValueError, match="'model' names item 'x99'"):
        cfa_fit(hs, {"visual": ["x1", "x99"]})
    with pytest.raises(TypeError, match="'model'"):
        cfa_fit(hs, ["x1", "x2", "x3"])
    with pytest.raises(TypeError, match="'model'"):
        cfa_fit(hs, {"visual": "x1"})
    with pytest.raises(ValueError, match="'group_equal'"):
        cfa_fit(hs, HS_MODEL, group="school", group_equal=("residuals",))
    with pytest.raises(ValueError, match="'group_equal' needs 'group'"):
        cfa_fit(hs, HS_MODEL, group_equal=("loadings",))
    with pytest.raises(ValueError, match="'group' names column"):
        cfa_fit(hs, HS_MODEL, group="wave")
    with pytest.raises(TypeError, match="'group'"):
        cfa_fit(hs, HS_MODEL, group=3)
    with pytest.raises(TypeError, match="column 'school'"):
        cfa_fit(hs, {"f": ["x1", "x2", "school"]})
