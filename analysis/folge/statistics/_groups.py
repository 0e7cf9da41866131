"""Group sums for levels and EB: one pass of ``bincount`` over the scores, however many.

The scores of every group (``by`` x region, e.g. construct x wave x region) are reduced to
a few sums on a dense (parents x regions) grid, from which the weighted means, their
linearised variances and the one-way REML fits all follow without touching the
respondents again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["GroupSums", "group_sums"]


@dataclass(frozen=True)
class GroupSums:
    """Sums per parent (rows) x region (columns); regions without a score have ``n == 0``.

    ``parents`` is a DataFrame of the ``by`` values of each row; ``regions`` the region
    labels of each column. Weighted: ``sum_w``, ``mean_w`` (weighted mean) and ``q``
    (sum of squared weighted residuals around it). Unweighted: ``mean`` and ``ss``
    (within-region sum of squares).
    """

    parents: pd.DataFrame
    regions: np.ndarray
    n: np.ndarray
    sum_w: np.ndarray
    mean_w: np.ndarray
    q: np.ndarray
    mean: np.ndarray
    ss: np.ndarray


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and sorted unique labels of one key column (missing -> -1).

    Categorical and integer columns are coded in O(n) without hashing (fast at any size);
    any other column (strings) is factorised by hashing, which dominates the time for
    tens of millions of rows.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        raw = values.cat.codes.to_numpy(dtype=np.intp)
        labels = np.asarray(values.cat.categories, dtype=object)
        order = np.arange(len(labels)) if values.cat.ordered else np.argsort(labels, kind="stable")
        return _compact(raw, labels, order)
    if pd.api.types.is_integer_dtype(values.dtype) and not isinstance(values.dtype, pd.api.extensions.ExtensionDtype):
        arr = values.to_numpy()
        if len(arr) and int(arr.max()) - int(arr.min()) < 10_000_000:
            low = int(arr.min())
            span = np.arange(low, int(arr.max()) + 1)
            return _compact((arr - low).astype(np.intp), span, np.arange(len(span)))
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.intp), np.asarray(uniques, dtype=object)


def _compact(raw: np.ndarray, labels: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes into the used ``labels`` only, numbered in ``order`` (-1 stays missing)."""
    valid = raw if len(raw) == 0 or raw.min() >= 0 else raw[raw >= 0]
    present = np.bincount(valid, minlength=len(labels)) > 0
    kept = order[present[order]]
    new_code = np.full(len(labels) + 1, -1, dtype=np.intp)
    new_code[kept] = np.arange(len(kept))
    return new_code[raw], labels[kept]


def _parent_codes(data: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """One code per row for the combination of the ``by`` columns, and the combinations."""
    if not by:
        return np.zeros(len(data), dtype=np.intp), pd.DataFrame(index=[0])
    codes, labels = zip(*(_codes(data[c]) for c in by))
    sizes = tuple(len(u) for u in labels)
    if any((c < 0).any() for c in codes):
        col = by[[i for i, c in enumerate(codes) if (c < 0).any()][0]]
        raise ValueError(f"column {col!r} has missing values; every score needs its {col}")
    flat = np.ravel_multi_index(codes, sizes) if len(by) > 1 else codes[0]
    product = int(np.prod(sizes))
    if product <= 1_000_000:
        # every combination gets a row; the caller drops those without scores
        used, inverse = np.arange(product), flat
    else:
        used, inverse = np.unique(flat, return_inverse=True)
    parts = np.unravel_index(used, sizes)
    parents = pd.DataFrame({c: labels[i][parts[i]] for i, c in enumerate(by)})
    return inverse.reshape(-1).astype(np.intp, copy=False), parents


def group_sums(data: pd.DataFrame, by: Sequence[str], region: str, score: str, weight: str | None) -> GroupSums:
    """Reduce the scores to per-parent x per-region sums (rows without a score are left out)."""
    y_all = data[score].to_numpy(dtype=float, na_value=np.nan)
    keep = ~np.isnan(y_all)
    everything = bool(keep.all())
    kept = data[[*by, region] + ([weight] if weight else [])]
    if not everything:
        kept = kept.loc[keep]
    y = y_all if everything else y_all[keep]
    w = _weights(kept, weight, len(y))
    parent, parents = _parent_codes(kept, list(by))
    reg, regions = _codes(kept[region])
    if (reg < 0).any():
        raise ValueError(f"column {region!r} has missing values; every score needs its region")
    n_reg = len(regions)
    g = parent * n_reg + reg
    size = len(parents) * n_reg
    n = np.bincount(g, minlength=size).astype(float)
    sum_w = np.bincount(g, weights=w, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_w = np.bincount(g, weights=w * y, minlength=size) / sum_w
        mean = np.bincount(g, weights=y, minlength=size) / n
    q = np.bincount(g, weights=(w * (y - mean_w[g])) ** 2, minlength=size)
    ss = np.bincount(g, weights=(y - mean[g]) ** 2, minlength=size)
    shape = (len(parents), n_reg)
    grids = [a.reshape(shape) for a in (n, sum_w, mean_w, q, mean, ss)]
    scored = grids[0].sum(axis=1) > 0
    if not scored.all():
        parents = parents.loc[scored].reset_index(drop=True)
        grids = [a[scored] for a in grids]
    return GroupSums(parents, regions, *grids)


def _weights(kept: pd.DataFrame, weight: str | None, n: int) -> np.ndarray:
    """The weight column of the scored rows (ones when ``weight`` is None), checked."""
    if weight is None:
        return np.ones(n)
    w = kept[weight].to_numpy(dtype=float, na_value=np.nan)
    bad = ~(np.isfinite(w) & (w >= 0))
    if bad.any():
        row = kept.index[np.flatnonzero(bad)[0]]
        raise ValueError(f"column {weight!r} must be finite and non-negative for every score (row {row!r}: {w[bad][0]!r})")
    return w
