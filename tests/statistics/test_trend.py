"""Random-intercept trend (REML) against lme4, and the two engines against each other.

Reference values come from tests/reference/change_trend.R (lme4 1.1-31,
``lmer(score ~ wave_index + (1 | region), REML = TRUE)`` with the default optimiser;
the script also prints a fit with a tight tolerance, which agrees to 1e-9).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from folge.statistics.trend import (
    LARGE_INPUT_ROWS,
    SUFFICIENT_COLUMNS,
    TREND_COLUMNS,
    sufficient_statistics,
    trend,
    trend_from_sufficient,
)

# The package re-exports the function ``trend``, which hides the submodule of the same
# name as an attribute of ``folge.statistics``; import the module itself by name.
trend_module = importlib.import_module("folge.statistics.trend")
DATA = Path(__file__).resolve().parents[1] / "reference" / "data"


def _read(name: str) -> pd.DataFrame:
    frame = pd.read_csv(DATA / name)
    return frame.rename(columns={"Reaction": "score", "Days": "wave_index", "Subject": "region"})


@pytest.fixture(scope="module")
def synthetic():
    return _read("trend_synthetic.csv")


@pytest.fixture(scope="module")
def boundary():
    return _read("trend_boundary.csv")


@pytest.fixture(scope="module")
def sleepstudy():
    return _read("sleepstudy.csv")


# (fixture, R slope, R se): R: coef(summary(lmer(score ~ wave_index + (1 | region), REML = TRUE)))[2, 1:2]
REFERENCE = {
    "synthetic": (0.163528131073, 0.0314093292042),
    # boundary fixture: lmer reports "boundary (singular) fit", isSingular() TRUE, theta 0
    "boundary": (-0.04552875, 0.0985806044291),
    # R: lmer(Reaction ~ Days + (1 | Subject), sleepstudy, REML = TRUE)
    "sleepstudy": (10.4672859596, 0.804221428945),
}


@pytest.mark.parametrize("engine", ["sufficient", "mixedlm", "auto"])
@pytest.mark.parametrize("name", ["synthetic", "boundary", "sleepstudy"])
def test_matches_lme4(request, name, engine):
    data = request.getfixturevalue(name)
    res = trend(data, engine=engine)
    assert tuple(res.columns) == TREND_COLUMNS
    slope, se = REFERENCE[name]
    tol = 1e-6 if engine == "sufficient" else 1e-5
    assert res.loc[0, "estimate"] == pytest.approx(slope, abs=tol * max(1.0, abs(slope)))
    assert res.loc[0, "se"] == pytest.approx(se, abs=tol * max(1.0, se))
    assert res.loc[0, "n"] == len(data)
    assert res.loc[0, "n_regions"] == data["region"].nunique()


def test_sufficient_engine_is_exact(synthetic):
    res = trend(synthetic, engine="sufficient")
    # R: tight bobyqa fit (rhoend = 1e-12) of the same lmer model
    assert res.loc[0, "estimate"] == pytest.approx(0.163528131064, abs=1e-9)
    assert res.loc[0, "se"] == pytest.approx(0.0314093292041, abs=1e-9)
    assert res.loc[0, "method"] == "lmm-reml/sufficient"


def test_reml_criterion_and_theta_match_lme4(synthetic, sleepstudy):
    for data, crit, theta in (
        # R: REMLcrit(fit); getME(fit, "theta")
        (synthetic, 1543.35510423, 0.375924892883),
        (sleepstudy, 1786.46508539, 1.19788154479),
    ):
        y, x, codes, uniques = trend_module._clean_rows(data)
        stats = trend_module._stats_from_rows(y, x, codes, len(uniques))
        fit = trend_module._exact_fit(trend_module._centred(stats))
        assert fit.reml_criterion == pytest.approx(crit, abs=1e-7)
        assert fit.theta == pytest.approx(theta, abs=1e-6)


def test_boundary_fit_is_flagged(boundary):
    for engine in ("auto", "mixedlm", "sufficient"):
        note = trend(boundary, engine=engine).loc[0, "note"]
        assert "boundary fit" in note, engine


def test_interior_fit_has_no_note(synthetic):
    assert trend(synthetic).loc[0, "note"] == ""


def test_wald_interval_and_p(synthetic):
    row = trend(synthetic, engine="sufficient", confidence=0.9).iloc[0]
    half = 1.6448536269514722 * row["se"]
    assert row["ci_low"] == pytest.approx(row["estimate"] - half, rel=1e-12)
    assert row["ci_high"] == pytest.approx(row["estimate"] + half, rel=1e-12)
    assert 0 < row["p"] < 1e-6


def _simulated(n_regions: int, per_cell: int, seed: int, region_sd: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, per_cell, size=(n_regions, 5))
    region = np.repeat(np.arange(n_regions).repeat(5), sizes.ravel())
    wave = np.repeat(np.tile(np.arange(5), n_regions), sizes.ravel())
    u = rng.normal(0, region_sd, n_regions)
    score = 3 + 0.1 * wave + u[region] + rng.normal(0, 0.9, region.size)
    return pd.DataFrame({"score": score, "wave_index": wave, "region": [f"r{j}" for j in region]})


@pytest.mark.parametrize(("seed", "region_sd"), [(1, 0.5), (2, 0.1), (3, 0.02)])
def test_both_engines_agree(seed, region_sd):
    data = _simulated(40, 30, seed, region_sd)
    fast = trend(data, engine="sufficient")
    mixed = trend(data, engine="mixedlm")
    assert fast.loc[0, "estimate"] == pytest.approx(mixed.loc[0, "estimate"], abs=1e-6)
    assert fast.loc[0, "se"] == pytest.approx(mixed.loc[0, "se"], abs=1e-6)


def test_sufficient_statistics_round_trip(synthetic):
    stats = sufficient_statistics(synthetic)
    assert tuple(stats.columns) == SUFFICIENT_COLUMNS
    assert stats["n"].sum() == len(synthetic)
    direct = trend(synthetic, engine="sufficient")
    via_sums = trend_from_sufficient(stats)
    pd.testing.assert_frame_equal(direct, via_sums, rtol=1e-9)


def test_large_input_uses_the_fast_path():
    data = _simulated(300, 70, 11, 0.3)
    assert len(data) > LARGE_INPUT_ROWS
    res = trend(data)
    assert res.loc[0, "method"] == "lmm-reml/sufficient"
    assert res.loc[0, "estimate"] == pytest.approx(0.1, abs=0.02)


def test_auto_falls_back_when_mixedlm_fails(synthetic, monkeypatch):
    monkeypatch.setattr(trend_module, "_mixedlm_fit", lambda y, x, codes: (None, "", ["default", "lbfgs"]))
    res = trend(synthetic)
    assert res.loc[0, "method"] == "lmm-reml/sufficient"
    assert "no usable fit" in res.loc[0, "note"]
    assert res.loc[0, "estimate"] == pytest.approx(REFERENCE["synthetic"][0], abs=1e-6)
    only = trend(synthetic, engine="mixedlm")  # the real MixedLM is patched away too
    assert np.isnan(only.loc[0, "estimate"]) and "no usable fit" in only.loc[0, "note"]


def test_auto_replaces_a_mixedlm_fit_short_of_the_optimum(synthetic, monkeypatch):
    class ShortFit:  # a "converged" fit whose REML log-likelihood is far from the optimum
        llf = -1e9
        fe_params = np.array([2.0, 0.5])
        scale = 1.0
        cov_re = np.array([[0.1]])

    monkeypatch.setattr(trend_module, "_mixedlm_fit", lambda y, x, codes: (ShortFit(), "nm", ["default", "nm"]))
    res = trend(synthetic)
    assert res.loc[0, "method"] == "lmm-reml/sufficient"
    assert "stopped short of the REML optimum" in res.loc[0, "note"]
    assert res.loc[0, "estimate"] == pytest.approx(REFERENCE["synthetic"][0], abs=1e-6)
    kept = trend(synthetic, engine="mixedlm")  # engine="mixedlm" reports MixedLM as it is
    assert kept.loc[0, "estimate"] == 0.5 and kept.loc[0, "method"] == "lmm-reml/mixedlm:nm"
    assert "stopped short of the REML optimum" in kept.loc[0, "note"]


def _frame(score, wave, region):
    return pd.DataFrame({"score": score, "wave_index": wave, "region": region})


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (_frame([1.0, 2.0, 3.0, 4.0], [0, 1, 0, 1], ["a"] * 4), "fewer than two regions"),
        (_frame([1.0, 2.0, 3.0, 4.0], [0, 0, 0, 0], ["a", "a", "b", "b"]), "fewer than two waves"),
        (_frame([2.0] * 6, [0, 1, 2] * 2, ["a"] * 3 + ["b"] * 3), "constant scores"),
        (_frame([1.0, 2.0, 3.0, 5.0, 6.0, 7.0], [0, 1, 2] * 2, ["a"] * 3 + ["b"] * 3), "no residual variance"),
        (_frame([1.0, 2.0, 3.0], [0, 1, 0], ["a", "a", "b"]), "fewer than four"),
        (_frame([np.nan] * 2, [0, 1], ["a", "b"]), "no scores"),
    ],
)
@pytest.mark.parametrize("engine", ["auto", "sufficient"])
def test_degenerate_data_give_nan_and_note(data, fragment, engine):
    res = trend(data, engine=engine)
    assert np.isnan(res.loc[0, "estimate"]) and np.isnan(res.loc[0, "se"]) and np.isnan(res.loc[0, "p"])
    assert fragment in res.loc[0, "note"]


def test_argument_errors(synthetic):
    with pytest.raises(TypeError, match="'scores'"):
        trend(synthetic.to_numpy())
    with pytest.raises(ValueError, match="missing: wave_index"):
        trend(synthetic.drop(columns="wave_index"))
    with pytest.raises(TypeError, match="column 'score'"):
        trend(synthetic.assign(score="x"))
    with pytest.raises(ValueError, match="'engine'"):
        trend(synthetic, engine="lme4")
    with pytest.raises(ValueError, match="'confidence'"):
        trend(synthetic, confidence=1.5)
    with pytest.raises(ValueError, match="'stats_frame'"):
        trend_from_sufficient(pd.DataFrame({"region": ["a"]}))
