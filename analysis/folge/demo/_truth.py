"""What is true in the demo study: population means, and each criterion rule's truth.

The population of a region at a wave is its invited frame (``research/frame.csv``): every
role in the frame's shares, each person's latent value N(μ[r,c] + β[r,c]·years + γ[role], 1)
(person and occasion together). Under the demo's probit item model the expected answer of
item *i* is exact::

    E[x_i] = v_0 + Σ_k (v_k − v_{k−1})·Φ((λ_i·m + b_i − τ_k) / √(λ_i² + 1 − λ_i²))    (m: latent mean)

(v the scale's values, τ the cut points; reverse keys are undone by scoring), and the
population mean score is the mean of the items' E[x_i] (missing answers are drawn at
random, so they do not move it), averaged over roles with the frame's shares. The national
population is every region's frame together (each region weighted by its invited).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.stats import norm

from ..definitions import Criterion, Instrument
from ._generate import _thresholds
from ._plan import ConstructPlan, DemoPlan

__all__ = ["NATIONAL", "population_means", "rule_truths"]

NATIONAL = "all"


def _expected_item(c: ConstructPlan, item, m: float) -> float:
    values = np.asarray(item.scale.values, dtype=float)
    lam = c.loadings[item.id]
    z = (lam * m + c.intercepts[item.id] - _thresholds(len(values))) / np.sqrt(lam**2 + 1.0 - lam**2)
    return float(values[0] + (np.diff(values) * norm.cdf(z)).sum())


def _expected_score(c: ConstructPlan, items, m: float) -> float:
    return float(np.mean([_expected_item(c, item, m) for item in items]))


def population_means(plan: DemoPlan, instruments: Mapping[str, Instrument],
                     frame: Mapping[str, Mapping[str, Mapping[str, int]]]) -> dict:
    """Population mean score per construct × scope × wave.

    Parameters
    ----------
    plan : DemoPlan
        The planted effects.
    instruments : mapping
        The demo's instruments (items and their scales).
    frame : mapping
        ``frame[wave][region][role]`` = invited.

    Returns
    -------
    dict
        ``{construct: {"all" | region: {wave: mean}}}`` for every respondent-level
        construct generated from the factor model.
    """
    out = {}
    for c in (c for c in plan.constructs if c.model == "respondent"):
        items = next(con.items for con in instruments[c.instrument].constructs if con.id == c.id)
        means: dict[str, dict[str, float]] = {NATIONAL: {}}
        for wave in plan.waves:
            total, weighted = 0, 0.0
            for region in plan.regions:
                invited = frame[wave.id][region.id]
                n = sum(invited.values())
                base = c.region_means[region.id] + c.slopes[region.id] * wave.years
                mean = sum(k / n * _expected_score(c, items, base + plan.role_effects[role])
                           for role, k in invited.items())
                means.setdefault(region.id, {})[wave.id] = mean
                total, weighted = total + n, weighted + n * mean
            means[NATIONAL][wave.id] = weighted / total
        out[c.id] = means
    return out


def _slope(years: Sequence[float], values: Sequence[float]) -> float:
    return float(np.polyfit(years, values, 1)[0])


def _bar(rule) -> float:
    if rule.kind == "level":
        return float(rule.threshold)
    for name in ("minimum", "min_change", "min_slope"):
        value = getattr(rule, name, None)
        if value is not None:
            return float(value)
    return 0.0


def _reference(rule, waves: Sequence[str], k: int) -> str | None:
    ref = rule.reference or "first"
    if ref == "first":
        return waves[0] if k > 0 else None
    if ref == "previous":
        return waves[k - 1] if k > 0 else None
    return ref if ref in waves and waves.index(ref) < k else None


def _truth_at(rule, series: Mapping[str, float], years: Mapping[str, float], waves, k: int):
    wave = waves[k]
    if rule.kind == "level":
        return series[wave]
    if rule.kind == "change":
        ref = _reference(rule, waves, k)
        return None if ref is None else series[wave] - series[ref]
    if k == 0:  # trend: over the waves up to this one
        return None
    upto = waves[: k + 1]
    return _slope([years[w] for w in upto], [series[w] for w in upto])


def rule_truths(plan: DemoPlan, means: Mapping, criteria: Sequence[Criterion]) -> list[dict]:
    """The truth of every level, change and trend rule on a construct, per scope and wave.

    Each row: ``criterion``, ``rule`` (its position, from 1), ``kind``, ``indicator``,
    ``construct``, ``region`` (``all`` nationally), ``wave``, ``truth`` (the population
    mean, its change from the rule's reference wave, or its least-squares slope per year
    over the waves so far), ``bar`` and ``above`` (truth > bar, to 1e-9). Rules on other
    indicators (item shares, milestones, funnels, associations) are not listed.
    """
    waves = [w.id for w in plan.waves]
    years = {w.id: w.years for w in plan.waves}
    rows = []
    for criterion in criteria:
        for position, rule in enumerate(criterion.rules, start=1):
            indicator = criterion.indicators.get(rule.indicator)
            if rule.kind not in ("level", "change", "trend") or indicator is None \
                    or indicator.kind != "construct" or indicator.ref not in means:
                continue
            bar = _bar(rule)
            for scope, series in means[indicator.ref].items():
                for k, wave in enumerate(waves):
                    truth = _truth_at(rule, series, years, waves, k)
                    if truth is None:
                        continue
                    rows.append({"criterion": criterion.id, "rule": position, "kind": rule.kind,
                                 "indicator": rule.indicator, "construct": indicator.ref, "region": scope,
                                 "wave": wave, "truth": round(truth, 6), "bar": bar,
                                 "above": bool(truth > bar + 1e-9)})
    return rows
