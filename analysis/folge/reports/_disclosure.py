"""Disclosure control (*prikking*): the one function that decides what may be published.

Every table, chart and open-data file of the reports is made from frames that went through
:func:`disclose`; renderers refuse frames that did not (:func:`require_disclosed`). The rules
are these (``analysis/ARCHITECTURE.md``, disclosure control):

1. **Primary**: a row computed from fewer than ``min_n`` respondents (or of unknown n) is
   suppressed, unless it is a region-level fact (``exempt``), such as a status report.
2. **Secondary**: in a table with a total (``"all"``) and its parts along a dimension
   (regions, roles), one suppressed part makes the next-smallest part suppressed too, so
   the hidden part cannot be derived from the total.
3. **Role rule**: a role breakdown inside one region is shown only where every role cell
   of that breakdown reaches ``min_n`` (and the region's own total is shown); otherwise the
   whole breakdown is suppressed.

Suppressed rows keep their keys but lose every number, ``n`` included, and carry
``suppressed = True`` and the reason (``primary``, ``secondary``, ``role``).
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = ["disclose", "require_disclosed", "TOTAL", "REASONS"]

#: The label of a total in a part column (``region`` or ``role``).
TOTAL = "all"
REASONS: tuple[str, ...] = ("primary", "secondary", "role")


def _as_tuple(x: str | Iterable[str] | None) -> tuple[str, ...]:
    if x is None:
        return ()
    if isinstance(x, str):
        return (x,)
    return tuple(x)


def disclose(
    frame: pd.DataFrame,
    *,
    min_n: int,
    n: str = "n",
    values: Sequence[str] = (),
    by: Sequence[str] = (),
    parts: Sequence[str] = (),
    total: str = TOTAL,
    role: str | None = None,
    within: str = "region",
    exempt: str | None = None,
) -> pd.DataFrame:
    """Apply disclosure control to one result table.

    Parameters
    ----------
    frame
        The table, one row per published cell.
    min_n
        The study's threshold: rows from fewer respondents are suppressed.
    n
        Column with the number of respondents behind each row.
    values
        Columns holding published numbers; blanked (NaN) where a row is suppressed.
    by
        Columns that identify one table inside ``frame`` (e.g. ``construct, wave``): the
        secondary and role rules look at the parts of one total within each such group.
    parts
        Columns whose values are parts of a total labelled ``total`` (e.g. ``region``,
        ``role``). Rows where every other part column holds ``total`` are the parts along
        that dimension.
    role
        The role-breakdown column; rows with a role other than ``total`` inside a region
        (``within`` not ``total``) fall under the role rule.
    within
        The column naming the unit a role breakdown sits in (the region).
    exempt
        Optional boolean column: rows that are facts about a region (region-level
        instruments), to which ``min_n`` does not apply.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` with ``values`` and ``n`` set to NaN on suppressed rows and two
        new columns: ``suppressed`` (bool) and ``suppression`` (``primary``, ``secondary``,
        ``role`` or empty).

    Examples
    --------
    >>> t = pd.DataFrame({"region": ["all", "a", "b", "c"], "n": [30, 3, 12, 15],
    ...                   "mean": [3.2, 2.0, 3.3, 3.4]})
    >>> out = disclose(t, min_n=5, values=["mean"], parts=["region"])
    >>> out[["region", "suppressed", "suppression"]].values.tolist()
    [['all', False, ''], ['a', True, 'primary'], ['b', True, 'secondary'], ['c', False, '']]
    """
    if not isinstance(min_n, (int, np.integer)) or min_n < 1:
        raise ValueError(f"'min_n' must be a whole number ≥ 1 (got {min_n!r})")
    by, parts, values = _as_tuple(by), _as_tuple(parts), _as_tuple(values)
    missing = [c for c in (n, *by, *parts, *values, *([role, within] if role else []),
                           *([exempt] if exempt else [])) if c not in frame.columns]
    if missing:
        raise ValueError(f"'frame' lacks the column(s) {', '.join(map(repr, missing))} "
                         f"(has {', '.join(map(str, frame.columns))})")
    out = frame.reset_index(drop=True).copy()
    counts = pd.to_numeric(out[n], errors="coerce")
    is_exempt = out[exempt].fillna(False).astype(bool) if exempt else pd.Series(False, index=out.index)
    reason = pd.Series("", index=out.index, dtype=object)
    reason[(counts.isna() | (counts < min_n)) & ~is_exempt] = "primary"

    changed = True
    while changed:
        changed = False
        for dim in parts:
            changed |= _secondary(out, counts, reason, is_exempt, dim, [p for p in parts if p != dim], by, total)
        if role:
            changed |= _role_rule(out, counts, reason, role, within, by, total)

    suppressed = reason != ""
    for col in (*values, n):
        if suppressed.any():
            numeric = pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col])
            out[col] = out[col].astype(float) if numeric else out[col].astype(object)
            out.loc[suppressed, col] = np.nan
    out["suppressed"] = suppressed.to_numpy()
    out["suppression"] = reason.to_numpy()
    return out


def _keys(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """One hashable group key per row (a constant where there are no columns)."""
    if not columns:
        return pd.Series(0, index=frame.index)
    return pd.Series(list(zip(*(frame[c].astype(str) for c in columns))), index=frame.index)


def _secondary(frame, counts, reason, is_exempt, dim, others, by, total) -> bool:
    """One suppressed part along ``dim`` makes the next-smallest part suppressed."""
    mask = (frame[dim].astype(str) != total) & ~is_exempt
    for other in others:
        mask &= frame[other].astype(str) == total
    if not mask.any():
        return False
    sub = frame.index[mask]
    keys = _keys(frame.loc[sub], tuple(by) + tuple(others))
    hidden = (reason[sub] != "")
    n_hidden = hidden.groupby(keys, sort=False).transform("sum")
    size = (counts[sub].fillna(-1)).where(~hidden, np.inf)
    order = size.groupby(keys, sort=False).rank(method="first")
    pick = (n_hidden == 1) & ~hidden & (order == 1)
    if not pick.any():
        return False
    reason[pick[pick].index] = "secondary"
    return True


def _role_rule(frame, counts, reason, role, within, by, total) -> bool:
    """A role breakdown inside a region: all role cells reach the threshold, or none is shown."""
    breakdown = (frame[role].astype(str) != total) & (frame[within].astype(str) != total)
    if not breakdown.any():
        return False
    columns = tuple(by) + (within,)
    sub = frame.index[breakdown]
    keys = _keys(frame.loc[sub], columns)
    hidden = reason[sub] != ""
    any_hidden = hidden.groupby(keys, sort=False).transform("any")
    # the region's own total (role = all) hidden: its parts would reveal it
    totals = frame[role].astype(str) == total
    total_keys = _keys(frame.loc[totals], columns)
    hidden_totals = set(total_keys[(reason[frame.index[totals]] != "").to_numpy()])
    total_hidden = keys.isin(hidden_totals)
    pick = (any_hidden | total_hidden) & ~hidden
    if not pick.any():
        return False
    reason[pick[pick].index] = "role"
    return True


def require_disclosed(frame: pd.DataFrame, what: str = "table") -> pd.DataFrame:
    """Raise unless ``frame`` came out of :func:`disclose`; renderers call this first."""
    if not isinstance(frame, pd.DataFrame) or "suppressed" not in frame.columns:
        raise ValueError(f"the {what} did not pass disclosure control: call folge.reports.disclose first")
    return frame
