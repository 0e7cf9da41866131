r"""Association across regions: Spearman's rank correlation for few units.

A success criterion such as "regions with joint leadership early anchor their strategy in
plans later" is a claim about regions, and a study has only tens of them. The asymptotic
t approximation of Spearman's test is poor at that size, so :func:`spearman_association`
gives a permutation p-value (exact over all orderings up to :data:`EXACT_MAX_N` regions,
Monte Carlo beyond) and a percentile bootstrap confidence interval.

The function returns one row with the columns of :data:`ASSOCIATION_COLUMNS`; fewer than
three complete pairs, or a variable without variation, give NaN and a ``note``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy import stats

from ._checks import numeric_vector

__all__ = ["ASSOCIATION_COLUMNS", "EXACT_MAX_N", "spearman_association"]

#: Columns of :func:`spearman_association`.
ASSOCIATION_COLUMNS = (
    "n",
    "rho",
    "ci_low",
    "ci_high",
    "p",
    "p_asymptotic",
    "alternative",
    "method",
    "note",
)
#: Up to this many complete pairs the permutation p-value enumerates every ordering (9! =
#: 362 880), as R's ``cor.test(method = "spearman")`` does for n < 10.
EXACT_MAX_N = 9

_ALTERNATIVES = ("two-sided", "greater", "less")


def _rank_rows(values: np.ndarray) -> np.ndarray:
    """Mid-ranks along the last axis (ties share the mean rank)."""
    return stats.rankdata(values, axis=-1)


def _pearson_rows(rx: np.ndarray, ry: np.ndarray) -> np.ndarray:
    """Pearson correlation of ``rx`` (1-D) with every row of ``ry`` (2-D)."""
    cx = rx - rx.mean()
    cy = ry - ry.mean(axis=-1, keepdims=True)
    denom = np.sqrt((cx**2).sum()) * np.sqrt((cy**2).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return (cy @ cx) / denom


def _tail_p(rho: float, null: np.ndarray, alternative: str, add_one: bool) -> float:
    """p from a null distribution of rho; ``add_one`` for Monte Carlo (Phipson & Smyth)."""
    eps = 1e-12  # rank correlations are rational numbers: compare with a tolerance
    upper = np.count_nonzero(null >= rho - eps)
    lower = np.count_nonzero(null <= rho + eps)
    m = null.size
    if add_one:
        p_upper, p_lower = (upper + 1) / (m + 1), (lower + 1) / (m + 1)
    else:
        p_upper, p_lower = upper / m, lower / m
    if alternative == "greater":
        return float(p_upper)
    if alternative == "less":
        return float(p_lower)
    return float(min(1.0, 2 * min(p_upper, p_lower)))


def spearman_association(
    x,
    y,
    *,
    alternative: str = "two-sided",
    n_permutations: int = 9999,
    n_bootstrap: int = 2000,
    confidence: float = 0.95,
    seed: int | None = None,
) -> pd.DataFrame:
    r"""Spearman's rank correlation with a permutation p-value and a bootstrap CI.

    Parameters
    ----------
    x, y : array-like of float
        One value per unit (region), paired by position. Pairs with a missing value in
        either are dropped.
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        "greater" tests a positive association (rho > 0).
    n_permutations : int, default 9999
        Random orderings for the Monte Carlo p-value when there are more than
        :data:`EXACT_MAX_N` pairs; up to that size every ordering is enumerated.
    n_bootstrap : int, default 2000
        Bootstrap resamples of the pairs for the confidence interval.
    confidence : float, default 0.95
        Two-sided coverage of the percentile interval.
    seed : int, optional
        Seed of the random generator (Monte Carlo p and bootstrap), for reproducible output.

    Returns
    -------
    pandas.DataFrame
        One row with :data:`ASSOCIATION_COLUMNS`: ``n`` complete pairs, ``rho``,
        ``ci_low``/``ci_high`` (percentile bootstrap), ``p`` (permutation),
        ``p_asymptotic`` (the t approximation, as :func:`scipy.stats.spearmanr`),
        ``alternative``, ``method`` ("exact permutation" or "Monte Carlo permutation")
        and ``note`` (why a value is NaN).

    Notes
    -----
    :math:`\rho` is Pearson's correlation of the mid-ranks of x and y (equal to
    :math:`1 - 6\sum d_i^2 / (n^3 - n)` without ties). Under the null hypothesis of no
    association every ordering of y against x is equally likely, so the p-value is the
    share of orderings :math:`\pi` with :math:`\rho_\pi \ge \rho` ("greater"),
    :math:`\rho_\pi \le \rho` ("less"), or twice the smaller of the two ("two-sided",
    capped at 1, as R does). Up to :data:`EXACT_MAX_N` pairs every one of the :math:`n!`
    orderings is used, which reproduces R's exact ``cor.test(method = "spearman")``
    without ties; beyond, :math:`B` random orderings give
    :math:`(b + 1)/(B + 1)` (Phipson & Smyth 2010). The interval takes the
    :math:`(1 \mp c)/2` quantiles of :math:`\rho` over resamples of whole pairs, leaving
    out resamples in which either variable is constant.

    References
    ----------
    Spearman, C. (1904). The proof and measurement of association between two things.
    *American Journal of Psychology*, 15(1), 72-101.
    Best, D. J., & Roberts, D. E. (1975). Algorithm AS 89: The upper tail probabilities of
    Spearman's rho. *Applied Statistics*, 24(3), 377-379.
    Phipson, B., & Smyth, G. K. (2010). Permutation p-values should never be zero.
    *Statistical Applications in Genetics and Molecular Biology*, 9(1), 39.

    Examples
    --------
    >>> from folge.statistics.association import spearman_association
    >>> row = spearman_association([1, 3, 2, 5, 4, 7, 6, 8], [2, 1, 4, 3, 6, 5, 8, 7], seed=1)
    >>> round(float(row.loc[0, "rho"]), 6), round(float(row.loc[0, "p"]), 6)
    (0.690476, 0.069395)
    """
    if alternative not in _ALTERNATIVES:
        raise ValueError(f"'alternative' must be one of {', '.join(_ALTERNATIVES)} (got {alternative!r})")
    if not 0 < confidence < 1:
        raise ValueError(f"'confidence' must lie strictly between 0 and 1 (got {confidence!r})")
    for name, value in (("n_permutations", n_permutations), ("n_bootstrap", n_bootstrap)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"'{name}' must be a whole number ≥ 1 (got {value!r})")
    xs, ys = numeric_vector(x, "x"), numeric_vector(y, "y")
    if xs.size != ys.size:
        raise ValueError(f"'x' and 'y' must have the same length (got {xs.size} and {ys.size})")
    keep = ~(np.isnan(xs) | np.isnan(ys))
    xs, ys = xs[keep], ys[keep]
    n = int(xs.size)
    row = {"n": n, "rho": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan,
           "p_asymptotic": np.nan, "alternative": alternative,
           "method": "exact permutation" if n <= EXACT_MAX_N else "Monte Carlo permutation",
           "note": ""}
    if n < 3:
        row["note"] = f"fewer than 3 complete pairs (n = {n})"
        return _frame(row)
    if np.ptp(xs) == 0 or np.ptp(ys) == 0:
        row["note"] = "no variation in " + ("x" if np.ptp(xs) == 0 else "y")
        return _frame(row)
    rx, ry = _rank_rows(xs), _rank_rows(ys)
    rho = float(_pearson_rows(rx, ry[None, :])[0])
    row["rho"] = rho
    row["p_asymptotic"] = float(stats.spearmanr(xs, ys, alternative=alternative).pvalue)
    rng = np.random.default_rng(seed)
    if n <= EXACT_MAX_N:
        orderings = np.array(list(itertools.permutations(range(n))), dtype=np.intp)
        null = _pearson_rows(rx, ry[orderings])
        row["p"] = _tail_p(rho, null, alternative, add_one=False)
    else:
        orderings = rng.permuted(np.tile(np.arange(n), (n_permutations, 1)), axis=1)
        null = _pearson_rows(rx, ry[orderings])
        row["p"] = _tail_p(rho, null, alternative, add_one=True)
    picks = rng.integers(0, n, size=(n_bootstrap, n))
    boot = _pearson_rows_pairs(_rank_rows(xs[picks]), _rank_rows(ys[picks]))
    boot = boot[np.isfinite(boot)]
    if boot.size >= 2:
        tail = (1 - confidence) / 2
        row["ci_low"], row["ci_high"] = (float(v) for v in np.quantile(boot, [tail, 1 - tail]))
    else:  # pragma: no cover - needs almost every resample to be constant
        row["note"] = "too few bootstrap resamples with variation for a confidence interval"
    return _frame(row)


def _pearson_rows_pairs(rx: np.ndarray, ry: np.ndarray) -> np.ndarray:
    """Row-wise Pearson correlation of two 2-D arrays (NaN where a row is constant)."""
    cx = rx - rx.mean(axis=1, keepdims=True)
    cy = ry - ry.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (cx * cy).sum(axis=1) / np.sqrt((cx**2).sum(axis=1) * (cy**2).sum(axis=1))


def _frame(row: dict) -> pd.DataFrame:
    frame = pd.DataFrame([row], columns=list(ASSOCIATION_COLUMNS))
    frame["n"] = frame["n"].astype("int64")
    return frame

