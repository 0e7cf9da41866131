"""Polychoric sample statistics from pairwise-present answers (lavaan's
``missing = "pairwise"``), for the wide data of the longitudinal model.

The thresholds of a column come from everyone who answered it, each pair's polychoric
correlation from everyone who answered both (two-step, Olsson 1979), and the asymptotic
covariance Γ from the per-case scores of both steps with a missing answer scoring 0,
over all N people (Muthén 1984; lavaan's ``muthen1984`` on data with missing values).
The numerical work is :mod:`folge.statistics._ordinal_moments`'s, which reads −1 as a
missing answer.
"""

from __future__ import annotations

import numpy as np

from folge.statistics._ordinal_moments import (
    asymptotic_covariance,
    fit_correlations,
    item_pairs,
    padded_thresholds,
    pair_tables,
)
from folge.statistics._panel_data import PanelCodes
from folge.statistics.polychoric import OrdinalGroup, OrdinalStatistics

__all__ = ["pairwise_statistics", "sparse_pairs"]

#: Fewest people who answered both columns of a pair for its polychoric correlation.
MIN_PAIR_N = 2


def pairwise_statistics(panel: PanelCodes) -> OrdinalStatistics:
    """Thresholds, polychorics and Γ of the wide panel codes, as one group labelled ``panel``.

    ``items`` of the result are the wide columns (``<item>_<wave number>``). No groups
    when the codes are missing or a pair of columns cannot carry a correlation
    (:func:`sparse_pairs`); ``note`` says why.
    """
    columns = panel.columns
    n_categories = np.tile(np.asarray(panel.n_categories), len(panel.waves))
    if panel.codes is None:
        return OrdinalStatistics(columns, tuple(int(k) for k in n_categories), (), panel.note)
    codes = panel.codes
    sparse = sparse_pairs(panel)
    if sparse:
        note = "; ".join(n for n in (panel.note, sparse) if n)
        return OrdinalStatistics(columns, tuple(int(k) for k in n_categories), (), note)
    first, second = item_pairs(codes.shape[1])
    thresholds = padded_thresholds(codes, n_categories)
    tables = pair_tables(codes, first, second, int(n_categories.max()))
    rho, converged = fit_correlations(thresholds[first], thresholds[second], tables,
                                      _table_correlations(tables))
    gamma = asymptotic_covariance(codes, thresholds, n_categories, rho)
    flat = np.concatenate([thresholds[c, 1 : n_categories[c]] for c in range(codes.shape[1])])
    group = OrdinalGroup("panel", int(codes.shape[0]), flat, rho, gamma, bool(converged.all()))
    note = panel.note if group.converged else "; ".join(
        n for n in (panel.note, "polychoric correlations did not converge") if n)
    return OrdinalStatistics(columns, tuple(int(k) for k in n_categories), (group,), note)


def sparse_pairs(panel: PanelCodes) -> str:
    """Why some pair of columns cannot carry a polychoric correlation, or ``""``.

    Each pair needs at least :data:`MIN_PAIR_N` people who answered both, and more than
    one category of each column among them (otherwise the correlation is not
    identified by the data). Reported by pair of waves.
    """
    codes = panel.codes
    p = len(panel.items)
    first, second = item_pairs(codes.shape[1])
    both = (codes[:, first] >= 0) & (codes[:, second] >= 0)
    counts = both.sum(axis=0)
    varies = np.array([_varies(codes[both[:, i], a]) and _varies(codes[both[:, i], b])
                       for i, (a, b) in enumerate(zip(first, second))])
    bad = (counts < MIN_PAIR_N) | ~varies
    if not bad.any():
        return ""
    wave_pairs = sorted({(int(first[i] // p), int(second[i] // p)) for i in np.flatnonzero(bad)})
    names = ", ".join(f"{panel.waves[s]} and {panel.waves[t]}" if s != t else panel.waves[s]
                      for s, t in wave_pairs)
    return ("too few people answered in both waves (or their answers do not vary) to correlate "
            "the items of " + names)


def _varies(values: np.ndarray) -> bool:
    return values.size > 0 and bool(values.min() != values.max())


def _table_correlations(tables: np.ndarray) -> np.ndarray:
    """Pearson correlations of the category codes from each pair's cross table
    (starting values for the polychorics)."""
    size = tables.shape[1]
    a = np.arange(size, dtype=float)
    n = tables.sum(axis=(1, 2))
    row, col = tables.sum(axis=2) / n[:, None], tables.sum(axis=1) / n[:, None]
    mean_a, mean_b = row @ a, col @ a
    var_a = row @ (a * a) - mean_a**2
    var_b = col @ (a * a) - mean_b**2
    cross = np.einsum("pab,a,b->p", tables, a, a) / n - mean_a * mean_b
    scale = np.sqrt(var_a * var_b)
    return np.where(scale > 0, cross / np.where(scale > 0, scale, 1.0), 0.0)
