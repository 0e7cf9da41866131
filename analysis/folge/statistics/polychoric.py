"""Polychoric correlations and thresholds per group, with the asymptotic covariance that
the ordinal (WLSMV) factor models weight by.

Two steps, as lavaan does them (Olsson 1979; Muthén 1984; Rosseel 2012): the thresholds
of each item come from its own margin, τ_k = Φ⁻¹(P(y < k)); each pair's correlation is
then the bivariate-normal maximum-likelihood estimate given those thresholds. The
asymptotic covariance Γ of (thresholds, correlations) is the sandwich built from the
per-case scores of both steps (Muthén 1984); the diagonally weighted least squares
(DWLS) weight is W = diag(Γ)⁻¹ (Muthén, du Toit & Spisic 1997).

References
----------
Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
coefficient. Psychometrika, 44, 443–460.
Muthén, B. (1984). A general structural equation model with dichotomous, ordered
categorical, and continuous latent variable indicators. Psychometrika, 49, 115–132.
Muthén, B., du Toit, S. H. C. & Spisic, D. (1997). Robust inference using weighted least
squares and quadratic estimating equations in latent variable modeling with categorical
and continuous outcomes. Unpublished technical report.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
Statistical Software, 48(2), 1–36.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from folge.statistics._ordinal_codes import complete_ordinal_codes
from folge.statistics._ordinal_moments import (
    asymptotic_covariance,
    fit_correlations,
    item_pairs,
    padded_thresholds,
    pair_tables,
)

__all__ = [
    "POLYCHORIC_COLUMNS",
    "THRESHOLD_COLUMNS",
    "OrdinalGroup",
    "OrdinalStatistics",
    "ordinal_statistics",
    "polychoric_correlations",
    "ordinal_thresholds",
]

#: Columns of :func:`polychoric_correlations`, in order.
POLYCHORIC_COLUMNS = ("group", "item_1", "item_2", "rho", "se", "n", "note")
#: Columns of :func:`ordinal_thresholds`, in order.
THRESHOLD_COLUMNS = ("group", "item", "threshold", "tau", "se", "n", "note")


@dataclass(frozen=True)
class OrdinalGroup:
    """Sample statistics of one group: s = (thresholds, correlations) and Γ.

    Attributes
    ----------
    label : str
    n : int
        Complete cases of the group.
    thresholds : ndarray
        Item by item, each item's K − 1 thresholds in order.
    correlations : ndarray
        Polychoric correlations of the pairs (1,2), (1,3), …, (1,p), (2,3), … (the
        lower triangle column by column, lavaan's order).
    gamma : ndarray
        N times the asymptotic covariance of ``statistics`` (lavaan's NACOV).
    converged : bool
    """

    label: str
    n: int
    thresholds: np.ndarray
    correlations: np.ndarray
    gamma: np.ndarray
    converged: bool

    @property
    def statistics(self) -> np.ndarray:
        """s = (thresholds, correlations), the vector the DWLS models fit."""
        return np.concatenate([self.thresholds, self.correlations])

    @property
    def weights(self) -> np.ndarray:
        """The DWLS weights, diag(Γ)⁻¹ (the diagonal of lavaan's ``wls.v``)."""
        return 1.0 / np.diag(self.gamma)


@dataclass(frozen=True)
class OrdinalStatistics:
    """Polychoric sample statistics of several groups on the same items.

    ``n_categories`` are the categories per item after empty ones were collapsed
    (``note`` says which); ``groups`` is empty when the data cannot carry the model.
    """

    items: tuple[str, ...]
    n_categories: tuple[int, ...]
    groups: tuple[OrdinalGroup, ...]
    note: str

    @property
    def n(self) -> int:
        return int(sum(g.n for g in self.groups))


def ordinal_statistics(items: pd.DataFrame, group=None) -> OrdinalStatistics:
    """Thresholds, polychoric correlations and their asymptotic covariance per group.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per ordinal item (integers; NaN for a missing answer), reverse keys
        applied. Only respondents who answered every item (and have a group) are used.
    group : pandas.Series, optional
        Group of each row (the wave), aligned by index; groups in sorted order
        (category order for a categorical Series). Default: one group.

    Returns
    -------
    OrdinalStatistics

    Notes
    -----
    Categories are the values observed anywhere. A category that nobody in some group
    chose is merged with its neighbour (towards the middle of the scale) in every group,
    and ``note`` says so; lavaan refuses such data when thresholds are held equal.

    Thresholds: τ_jk = Φ⁻¹(n_j(<k)/N). Correlation of items j, l: the ρ maximising
    Σ_ab n_ab log π_ab(ρ), π_ab = Φ₂(τ_ja, τ_lb; ρ) − Φ₂(τ_j,a−1, τ_lb; ρ)
    − Φ₂(τ_ja, τ_l,b−1; ρ) + Φ₂(τ_j,a−1, τ_l,b−1; ρ) (Olsson 1979, two-step).
    Γ = N B⁻¹ (Σᵢ sᵢsᵢ') B⁻ᵀ, sᵢ the per-case scores of both steps and B their
    expected derivative (Muthén 1984), as lavaan's ``lavInspect(fit, "gamma")``.

    Examples
    --------
    >>> d = pd.DataFrame({"x": [1, 2, 2, 3, 3, 1, 2, 3], "y": [1, 2, 3, 3, 2, 1, 1, 3]})
    >>> stats = ordinal_statistics(d)
    >>> stats.groups[0].thresholds.round(4)
    array([-0.6745,  0.3186, -0.3186,  0.3186])
    """
    codes, group_index, labels, n_categories, note = complete_ordinal_codes(items, group)
    names = tuple(str(c) for c in items.columns)
    if codes is None:
        return OrdinalStatistics(names, tuple(n_categories), (), note)
    groups = _group_statistics(codes, group_index, labels, np.asarray(n_categories))
    unconverged = [g.label for g in groups if not g.converged]
    if unconverged:
        note = _join(note, "polychoric correlations did not converge in " + ", ".join(unconverged))
    return OrdinalStatistics(names, tuple(int(k) for k in n_categories), groups, note)


def _group_statistics(codes, group_index, labels, n_categories) -> tuple[OrdinalGroup, ...]:
    """Every group's moments; the correlations of all groups are fitted in one batch."""
    first, second = item_pairs(codes.shape[1])
    size = int(n_categories.max())
    per_group = []
    for g in range(len(labels)):
        sub = codes[group_index == g]
        th = padded_thresholds(sub, n_categories)
        per_group.append((sub, th, pair_tables(sub, first, second, size)))
    t1 = np.concatenate([th[first] for _, th, _ in per_group])
    t2 = np.concatenate([th[second] for _, th, _ in per_group])
    tables = np.concatenate([tab for _, _, tab in per_group])
    start = np.concatenate([_code_correlations(sub, first, second) for sub, _, _ in per_group])
    rho, converged = fit_correlations(t1, t2, tables, start)
    out = []
    for g, (sub, th, _) in enumerate(per_group):
        block = slice(g * first.size, (g + 1) * first.size)
        gamma = asymptotic_covariance(sub, th, n_categories, rho[block])
        flat = np.concatenate([th[j, 1 : n_categories[j]] for j in range(sub.shape[1])])
        out.append(OrdinalGroup(str(labels[g]), int(sub.shape[0]), flat, rho[block].copy(),
                                gamma, bool(converged[block].all())))
    return tuple(out)


def _code_correlations(codes, first, second) -> np.ndarray:
    """Pearson correlations of the codes: starting values for the polychorics."""
    x = codes - codes.mean(axis=0)
    sd = np.sqrt(np.sum(x * x, axis=0))
    sd[sd == 0] = 1.0
    return np.sum(x[:, first] * x[:, second], axis=0) / (sd[first] * sd[second])


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def polychoric_correlations(items: pd.DataFrame, group=None) -> pd.DataFrame:
    """Polychoric correlation of every item pair in every group, with standard errors.

    Parameters
    ----------
    items, group
        As :func:`ordinal_statistics`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`POLYCHORIC_COLUMNS`: ``group``, ``item_1``, ``item_2``, ``rho``,
        ``se`` = √(Γ_ρρ/N) (Muthén 1984), ``n`` complete cases, ``note``.

    Notes
    -----
    Two-step ML (Olsson 1979), as ``lavaan::lavCor(x, ordered = names(x), group = …)``.

    Examples
    --------
    >>> d = pd.DataFrame({"x": [1, 2, 2, 3, 3, 1, 2, 3], "y": [1, 2, 3, 3, 2, 1, 1, 3]})
    >>> round(float(polychoric_correlations(d)["rho"].iloc[0]), 4)  # lavCor(d, ordered = c("x", "y")): .867
    0.8671
    """
    stats = ordinal_statistics(items, group)
    first, second = item_pairs(len(stats.items))
    rows = []
    for g in stats.groups:
        n_th = g.thresholds.size
        se = np.sqrt(np.diag(g.gamma)[n_th:] / g.n)
        for idx, (j, l) in enumerate(zip(first, second)):
            rows.append((g.label, stats.items[j], stats.items[l], g.correlations[idx], se[idx],
                         g.n, stats.note))
    return pd.DataFrame(rows, columns=list(POLYCHORIC_COLUMNS))


def ordinal_thresholds(items: pd.DataFrame, group=None) -> pd.DataFrame:
    """Thresholds τ_jk = Φ⁻¹(P(y_j < k)) of every item in every group, with standard errors.

    Parameters
    ----------
    items, group
        As :func:`ordinal_statistics`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`THRESHOLD_COLUMNS`: ``group``, ``item``, ``threshold`` (1 … K − 1,
        between category k and k + 1 of the codes after collapsing), ``tau``,
        ``se`` = √(Γ_ττ/N), ``n``, ``note``.

    Examples
    --------
    >>> d = pd.DataFrame({"x": [1, 2, 2, 3, 3, 1, 2, 3], "y": [1, 2, 3, 3, 2, 1, 1, 3]})
    >>> ordinal_thresholds(d)["tau"].round(4).tolist()
    [-0.6745, 0.3186, -0.3186, 0.3186]
    """
    stats = ordinal_statistics(items, group)
    rows = []
    for g in stats.groups:
        se = np.sqrt(np.diag(g.gamma)[: g.thresholds.size] / g.n)
        position = 0
        for item, k in zip(stats.items, stats.n_categories):
            for m in range(k - 1):
                rows.append((g.label, item, m + 1, g.thresholds[position], se[position], g.n,
                             stats.note))
                position += 1
    return pd.DataFrame(rows, columns=list(THRESHOLD_COLUMNS))

