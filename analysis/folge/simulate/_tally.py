"""Tally judged verdicts over replications: false met, false not-met, power, with Monte Carlo SEs.

Rows of one replication are not independent (the regions of one study share its draws),
so every share is a ratio over replications, p = Σ m_i / Σ n_i (m_i the replication's
hits among its n_i eligible rows), with the cluster (ratio-estimator) Monte Carlo SE::

    SE(p) = √( R/(R − 1) · Σ_i (m_i − p·n_i)² ) / Σ_i n_i

over the R replications that have eligible rows (Cochran 1977, §6.4; with one row per
replication it is the binomial SE √(p(1 − p)/(R − 1))).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["SUMMARY_COLUMNS", "share_with_se", "tally"]

#: Columns of the summary, one row per scenario × rule kind × scope.
SUMMARY_COLUMNS = (
    "scenario", "kind", "scope", "replications", "rows",
    "n_at_or_below", "false_met", "false_met_se",
    "n_above", "false_not_met", "false_not_met_se",
    "n_planted", "power", "power_se",
    "inconclusive", "insufficient",
)


def share_with_se(hits: np.ndarray, eligible: np.ndarray) -> tuple[float, float, int]:
    """Ratio of hits to eligible rows over replications, its cluster Monte Carlo SE, and Σ eligible.

    Examples
    --------
    >>> p, se, n = share_with_se(np.array([1, 0, 1, 0]), np.array([1, 1, 1, 1]))
    >>> p, round(se, 4), n
    (0.5, 0.2887, 4)
    >>> share_with_se(np.array([0]), np.array([0]))
    (nan, nan, 0)
    """
    hits = np.asarray(hits, dtype=float)
    eligible = np.asarray(eligible, dtype=float)
    keep = eligible > 0
    hits, eligible = hits[keep], eligible[keep]
    total = float(eligible.sum())
    if total == 0:
        return math.nan, math.nan, 0
    p = float(hits.sum()) / total
    r = len(eligible)
    if r < 2:
        return p, math.nan, int(total)
    se = math.sqrt(r / (r - 1) * float(((hits - p * eligible) ** 2).sum())) / total
    return p, se, int(total)


def _by_replication(group: pd.DataFrame, eligible: pd.Series, hit: pd.Series) -> tuple[float, float, int]:
    frame = pd.DataFrame({"replication": group["replication"], "n": eligible.astype(int),
                          "m": (eligible & hit).astype(int)})
    per = frame.groupby("replication")[["m", "n"]].sum()
    return share_with_se(per["m"].to_numpy(), per["n"].to_numpy())


def _summarise(group: pd.DataFrame) -> dict:
    verdict = group["verdict"]
    met, not_met = verdict.eq("met"), verdict.eq("not-met")
    above = group["above"].astype(bool)
    planted = group["planted"].astype(bool) & above
    false_met, false_met_se, n_below = _by_replication(group, ~above, met)
    false_not_met, false_not_met_se, n_above = _by_replication(group, above, not_met)
    power, power_se, n_planted = _by_replication(group, planted, met)
    return {"replications": int(group["replication"].nunique()), "rows": len(group),
            "n_at_or_below": n_below, "false_met": false_met, "false_met_se": false_met_se,
            "n_above": n_above, "false_not_met": false_not_met, "false_not_met_se": false_not_met_se,
            "n_planted": n_planted, "power": power, "power_se": power_se,
            "inconclusive": float(verdict.eq("inconclusive").mean()),
            "insufficient": float(verdict.eq("insufficient-data").mean())}


def tally(verdicts: pd.DataFrame) -> pd.DataFrame:
    """The calibration table: one row per scenario × rule kind × scope.

    Parameters
    ----------
    verdicts : DataFrame
        Judged rows (:func:`folge.simulate.judge_rules`) of many replications, with
        ``scenario`` and ``replication`` columns.

    Returns
    -------
    DataFrame
        :data:`SUMMARY_COLUMNS`. ``false_met``: share ``met`` among rows whose truth is at
        or below the bar; ``false_not_met``: share ``not-met`` among rows whose truth is
        above it; ``power``: share ``met`` among rows above the bar on a construct that
        carries a planted effect (NaN where none is planted); each with its Monte Carlo SE
        (module docstring). ``inconclusive`` and ``insufficient`` are shares of all rows.
    """
    rows = []
    for (scenario, kind, scope), group in verdicts.groupby(["scenario", "kind", "scope"], sort=False):
        rows.append({"scenario": scenario, "kind": kind, "scope": scope, **_summarise(group)})
    out = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    scenario_order = {name: k for k, name in enumerate(dict.fromkeys(verdicts["scenario"]))}
    kind_order = {"level": 0, "change": 1, "trend": 2}
    key = out.apply(lambda r: (scenario_order[r["scenario"]], kind_order.get(r["kind"], 9), r["scope"]), axis=1)
    return out.iloc[sorted(range(len(out)), key=lambda i: key.iloc[i])].reset_index(drop=True)
