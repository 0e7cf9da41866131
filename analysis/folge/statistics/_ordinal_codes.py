"""Ordinal answers as integer codes per group, with empty categories collapsed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from folge.statistics.reliability import _numeric_items

from ._codes import codes_in

__all__ = ["complete_ordinal_codes", "group_order"]


def group_order(group: pd.Series) -> list:
    """Group labels in analysis order: categories of a categorical, else sorted values."""
    if isinstance(group.dtype, pd.CategoricalDtype):
        present = set(group.dropna())
        return [c for c in group.cat.categories if c in present]
    return sorted(group.dropna().unique(), key=lambda v: (str(type(v)), v))


def _as_group(group, index: pd.Index) -> pd.Series:
    if group is None:
        return pd.Series("all", index=index)
    if isinstance(group, pd.Series):
        if not group.index.equals(index):
            if len(group) != len(index) or not group.index.isin(index).all():
                raise ValueError("'group' must be aligned with 'items' (same index)")
            group = group.reindex(index)
        return group
    values = np.asarray(group)
    if values.ndim != 1 or values.size != len(index):
        raise ValueError(f"'group' must have one value per row of 'items' "
                         f"(expected {len(index)}, got shape {values.shape})")
    return pd.Series(values, index=index)


def complete_ordinal_codes(items, group):
    """Complete cases of ``items`` as codes 0 … K−1 per item, and their groups.

    Returns
    -------
    codes : ndarray of int (n, p) or None when the data cannot carry a model
    group_index : ndarray of int (n,)
    labels : list of group labels (analysis order)
    n_categories : list of int
    note : str
        Which categories were merged, or why ``codes`` is None.
    """
    values = _numeric_items(items)
    group = _as_group(group, items.index)
    keep = values.notna().all(axis=1).to_numpy() & group.notna().to_numpy()
    data = values.to_numpy()[keep]
    labels = group_order(group[keep])
    group_index = codes_in(group[keep], labels).astype(int)
    p = data.shape[1]
    if p < 2:
        return None, group_index, labels, [0] * p, "fewer than two items"
    if data.shape[0] == 0:
        return None, group_index, labels, [0] * p, "no complete answers"
    codes = np.empty(data.shape, dtype=int)
    n_categories, notes = [], []
    for j, name in enumerate(values.columns):
        codes[:, j], k, merged = _collapse_item(data[:, j], group_index, labels)
        n_categories.append(k)
        notes += [f"{name}: {m}" for m in merged]
    note = ""
    if notes:
        note = "empty categories merged with their neighbour in every group: " + "; ".join(notes)
    single = [str(c) for c, k in zip(values.columns, n_categories) if k < 2]
    if single:
        return None, group_index, labels, n_categories, _join(
            note, "only one answer category in " + ", ".join(single))
    return codes, group_index, labels, n_categories, note


def _collapse_item(column, group_index, labels):
    """Codes of one item after merging categories that some group never chose.

    A category empty in some group is merged with its neighbour towards the middle of
    the scale (the middle one with its smaller neighbour), repeatedly until every group
    has answers in every category.
    """
    codes, levels = pd.factorize(column, sort=True)  # np.unique's result, by hashing
    levels = np.asarray(levels)
    names = [[_label(v)] for v in levels]
    merged = []
    while len(names) > 1:
        counts = np.zeros((len(labels), len(names)), dtype=int)
        np.add.at(counts, (group_index, codes), 1)
        empty = np.flatnonzero((counts == 0).any(axis=0))
        if empty.size == 0:
            break
        c = int(empty[0])
        target = _neighbour(c, counts.sum(axis=0))
        where = [str(labels[g]) for g in np.flatnonzero(counts[:, c] == 0)]
        merged.append(f"{'/'.join(names[c])} into {'/'.join(names[target])} "
                      f"(empty in {', '.join(where)})")
        low, high = min(c, target), max(c, target)
        names[low] = names[low] + names[high] if c == low else names[high] + names[low]
        del names[high]
        codes = np.where(codes >= high, codes - 1, codes)
    return codes, len(names), merged


def _neighbour(c: int, totals: np.ndarray) -> int:
    k = totals.size
    middle = (k - 1) / 2.0
    if c < middle:
        return c + 1
    if c > middle:
        return c - 1
    return c - 1 if totals[c - 1] <= totals[c + 1] else c + 1


def _label(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)
