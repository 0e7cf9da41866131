"""What is true in a simulated study: population means per construct × scope × wave.

The expected answer of item *i* for people whose latent value is N(m, V) is exact under
the probit measurement model (no simulation error)::

    E[x_i] = 1 + Σ_k Φ((λ_i·m + δ_i − τ_k) / √(λ_i²·V + 1 − λ_i²))

and a construct's population mean score is the mean of its items' E[x_i], averaged over
the roles with the population's role shares. Within a region at wave *t* and role ρ,
m = a_r + b_r·years_t + γ_ρ and V = 1 (person + occasion). Nationally the regions are a
sample of the programme's, so the population is the super-population of regions:
m = β·years_t + γ_ρ and V = 1 + σ_a² + σ_b²·years_t².
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from ._design import THRESHOLDS
from ._generate import ConstructDraw, SimulatedStudy
from ._scenarios import ROLES

__all__ = ["NATIONAL", "expected_score", "population_truth"]

#: The ``region`` of national rows (as in the result tables).
NATIONAL = "all"


def expected_score(c: ConstructDraw, mean: float, variance: float) -> float:
    """Expected construct score (mean of the items' expected answers) at latent N(mean, variance).

    Examples
    --------
    >>> c = ConstructDraw("x", (0.7,), (0.0,), 0.0, {}, {})
    >>> round(expected_score(c, 0.0, 1.0), 3)
    3.347
    """
    lam = np.asarray(c.loadings)
    delta = np.asarray(c.intercepts)
    scale = np.sqrt(lam**2 * variance + 1.0 - lam**2)
    z = ((lam * mean + delta)[:, None] - np.asarray(THRESHOLDS)[None, :]) / scale[:, None]
    return float(1.0 + norm.cdf(z).sum(axis=1).mean())


def _mixed_over_roles(c: ConstructDraw, base: float, variance: float, shares, effects) -> float:
    return float(sum(shares[role] * expected_score(c, base + effects[role], variance) for role in shares))


def _rows_for(study: SimulatedStudy, c: ConstructDraw):
    scenario = study.scenario
    national_shares = {role: share for role, (_, share) in ROLES.items()}
    for region in (NATIONAL, *study.regions):
        if region == NATIONAL:
            shares, slope = national_shares, c.mean_slope
        else:
            total = sum(study.invited[(region, role)] for role in ROLES)
            shares = {role: study.invited[(region, role)] / total for role in ROLES}
            slope = c.slopes[region]
        for wave, year in zip(study.waves, study.years):
            if region == NATIONAL:
                base = c.mean_slope * year
                variance = 1.0 + scenario.region_sd**2 + (scenario.slope_sd * year) ** 2
            else:
                base, variance = c.levels[region] + slope * year, 1.0
            level = _mixed_over_roles(c, base, variance, shares, scenario.role_effects)
            yield {"construct": c.id, "region": region, "wave": wave, "years": year, "level": level,
                   "latent_slope": slope, "latent_change": slope * year}


def population_truth(study: SimulatedStudy) -> pd.DataFrame:
    """The truth of a simulated study, one row per construct × scope × wave.

    Columns: ``construct``, ``region`` (``all`` for national), ``wave``, ``years``,
    ``level`` (population mean score), ``latent_slope`` (β nationally, b_r in a region,
    per year), ``latent_change`` (since the first wave, latent units), ``score_change``
    (``level`` minus the first wave's) and ``score_slope`` (least-squares slope of
    ``level`` on ``years`` over the waves up to this one; NaN at the first wave).
    """
    frame = pd.DataFrame([row for c in study.constructs for row in _rows_for(study, c)])
    first = frame.groupby(["construct", "region"])["level"].transform("first")
    frame["score_change"] = frame["level"] - first
    slopes = []
    for _, group in frame.groupby(["construct", "region"], sort=False):
        for k in range(len(group)):
            x, y = group["years"].to_numpy()[: k + 1], group["level"].to_numpy()[: k + 1]
            slopes.append(float(np.polyfit(x, y, 1)[0]) if k else float("nan"))
    frame["score_slope"] = slopes
    return frame
