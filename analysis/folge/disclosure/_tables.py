"""Registering tidy tables of counts, with their margins, as cells and relations.

A table is a pandas frame with one row per published count: dimension columns (``region``,
``role``, ``wave``, ``value`` …) in which a *total* label (``"all"``) marks a margin, and a
count column. :class:`TableSpec` says which columns are dimensions, which dimensions have
margins, and how a column is called in the table-independent key (``to_wave`` → ``wave``).
:func:`add_table` turns it into cells and relations; :func:`protect_tables` and
:func:`audit_tables` are the two entry points the report builder and the CLI call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ._audit import AuditResult, Protection, audit
from ._model import EQ, LE, CellModel, _text
from ._suppress import Suppression, suppress

__all__ = ["TableSpec", "add_table", "audit_tables", "protect_tables", "with_margins", "complete_grid",
           "row_flags"]


@dataclass(frozen=True)
class TableSpec:
    """How one tidy table of counts is published.

    Parameters
    ----------
    name
        The table's name (in messages: which table to coarsen).
    frame
        One row per count.
    dims
        Columns that identify a count within the table.
    count
        The count column, or a function of the frame returning the counts (e.g.
        ``lambda f: f["share"] * f["n"]``).
    margins
        Dimension → total label: the row with that label is the sum of the rows that
        differ from it only in that dimension (``{"region": "all"}``).
    partial
        Margin dimensions whose parts may not cover the total (``sum(parts) <= total``),
        e.g. roles when some respondents give none.
    fixed
        Constant key dimensions added to every cell (``{"kind": "respondents"}``), which
        is how two tables agree on a cell's identity.
    rename
        Column → key dimension (``{"to_wave": "wave"}``).
    sensitive
        True, False, or a boolean column: counts ``min_n`` protects.
    exempt
        Optional boolean column: facts about a region, never suppressed.
    suppressed
        Optional column of flags (or reasons) of output already suppressed (for auditing).
    ties
        Dimension → dimension: the parts along the first are tied (all or none shown)
        wherever the second is not at its total (``{"role": "region"}``: a role
        breakdown inside one region).
    blocks
        Dimensions whose parts form a block under their total (``("value",)``: an item's
        per-value rows are hidden when its ``n`` is).
    """

    name: str
    frame: pd.DataFrame
    dims: Sequence[str]
    count: str | Callable[[pd.DataFrame], pd.Series] = "n"
    margins: Mapping[str, object] = field(default_factory=dict)
    partial: Sequence[str] = ()
    fixed: Mapping[str, object] = field(default_factory=dict)
    rename: Mapping[str, str] = field(default_factory=dict)
    sensitive: bool | str = True
    exempt: str | None = None
    suppressed: str | None = None
    ties: Mapping[str, str] = field(default_factory=dict)
    blocks: Sequence[str] = ()

    def __post_init__(self):
        if not isinstance(self.frame, pd.DataFrame):
            raise TypeError(f"table {self.name!r}: 'frame' must be a pandas DataFrame (got {type(self.frame).__name__})")
        columns = [*self.dims, *(c for c in (self.exempt, self.suppressed) if c)]
        if isinstance(self.count, str):
            columns.append(self.count)
        if isinstance(self.sensitive, str):
            columns.append(self.sensitive)
        missing = [c for c in columns if c not in self.frame.columns]
        if missing:
            raise ValueError(f"table {self.name!r} lacks the column(s) {', '.join(map(repr, missing))} "
                             f"(has {', '.join(map(str, self.frame.columns))})")
        unknown = [d for d in (*self.margins, *self.partial, *self.ties, *self.ties.values(), *self.blocks)
                   if d not in self.dims]
        if unknown:
            raise ValueError(f"table {self.name!r}: margins, ties and blocks must name dims "
                             f"({', '.join(self.dims)}; got {', '.join(map(repr, unknown))})")


def _flag(frame: pd.DataFrame, column: str | bool | None, default: bool) -> np.ndarray:
    if column is None or isinstance(column, bool):
        return np.full(len(frame), default if column is None else column, dtype=bool)
    values = frame[column]
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        return values.fillna("").astype(str).str.lower().isin(["true", "1", "yes", "primary", "secondary"]).to_numpy()
    return values.fillna(False).astype(bool).to_numpy()


def _reasons(frame: pd.DataFrame, column: str | None, hidden: np.ndarray) -> list[str]:
    """The marker's words where a string column says why (``primary``/``secondary``), else "suppressed"."""
    if column is None or not (frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column])):
        return ["suppressed"] * len(frame)
    words = frame[column].fillna("").astype(str).str.lower()
    return [w if w in ("primary", "secondary") else "suppressed" for w in words]


def _texts(spec: TableSpec) -> pd.DataFrame:
    """The key dimensions of every row as text, named as in the key."""
    out = pd.DataFrame(index=spec.frame.index)
    for column in spec.dims:
        values = spec.frame[column]
        uniques = {v: _text(v) for v in pd.unique(values)}
        out[spec.rename.get(column, column)] = values.map(uniques).astype(object)
    return out


def add_table(model: CellModel, spec: TableSpec) -> np.ndarray:
    """Register a table's counts as cells and its margins as relations.

    Returns
    -------
    numpy.ndarray
        The cell position of every row of ``spec.frame`` (``-1`` for rows with no count
        that are not suppressed, which carry no cell: they are noted in ``model.notes``).
        Use it to map a suppression back onto the rows (:func:`row_flags`).

    Examples
    --------
    >>> f = pd.DataFrame({"region": ["all", "a", "b"], "n": [12, 3, 9]})
    >>> m = CellModel()
    >>> add_table(m, TableSpec("t", f, dims=["region"], margins={"region": "all"})).tolist()
    [0, 1, 2]
    >>> m.n_relations
    1
    """
    counts = spec.count(spec.frame) if callable(spec.count) else spec.frame[spec.count]
    counts = pd.to_numeric(pd.Series(np.asarray(counts), index=spec.frame.index), errors="coerce").to_numpy(float)
    hidden = _flag(spec.frame, spec.suppressed, False)
    reasons = _reasons(spec.frame, spec.suppressed, hidden)
    sensitive = _flag(spec.frame, spec.sensitive, True)
    exempt = _flag(spec.frame, spec.exempt, False)
    texts = _texts(spec)
    names = sorted([*texts.columns, *spec.fixed])
    fixed = {k: _text(v) for k, v in spec.fixed.items()}
    columns = [texts[n].to_numpy() if n in texts.columns else np.full(len(texts), fixed[n], dtype=object) for n in names]
    positions = np.full(len(texts), -1, dtype=int)
    skipped = 0
    for i, row in enumerate(zip(*columns)):
        if np.isnan(counts[i]) and not hidden[i]:
            skipped += 1
            continue
        positions[i] = model.add_cell(tuple(zip(names, row)), counts[i], table=spec.name, sensitive=sensitive[i],
                                      exempt=exempt[i], suppressed=reasons[i] if hidden[i] else None)
    if skipped:
        model.notes.append(f"table {spec.name!r}: {skipped} row(s) without a count and not suppressed carry no cell")
    _add_margins(model, spec, texts, positions)
    return positions


def _groups(spec: TableSpec, texts: pd.DataFrame, positions: np.ndarray, dim: str):
    """Per margin dimension: the group of each row (rows equal but in ``dim``) and its total flag."""
    keep = positions >= 0
    sub = texts[keep].assign(_pos=positions[keep]).drop_duplicates("_pos")
    key_dim = spec.rename.get(dim, dim)
    others = [spec.rename.get(d, d) for d in spec.dims if d != dim]
    gid = sub.groupby(others, sort=False, dropna=False).ngroup().to_numpy() if others else np.zeros(len(sub), int)
    is_total = (sub[key_dim] == _text(spec.margins.get(dim, "all"))).to_numpy()
    return sub, gid, is_total


def _add_margins(model: CellModel, spec: TableSpec, texts: pd.DataFrame, positions: np.ndarray) -> None:
    for dim in spec.margins:
        sub, gid, is_total = _groups(spec, texts, positions, dim)
        pos = sub["_pos"].to_numpy()
        totals = pd.Series(pos[is_total], index=gid[is_total])
        if totals.index.duplicated().any():
            raise ValueError(f"table {spec.name!r}: two total rows for one group along {dim!r}")
        has_parts = np.unique(gid[~is_total])
        valid = np.intersect1d(totals.index.to_numpy(), has_parts)
        local = {g: i for i, g in enumerate(valid)}
        rows, cols, coefs = [], [], []
        for g, p, t in zip(gid, pos, is_total):
            if g in local:
                rows.append(local[g])
                cols.append(p)
                coefs.append(-1.0 if t else 1.0)
        sense = LE if dim in spec.partial else EQ
        model.add_relations_coo(np.asarray(rows), np.asarray(cols), np.asarray(coefs), [sense] * len(valid),
                                [f"{spec.name}: total over {dim}"] * len(valid))
        _add_groups(model, spec, dim, sub, gid, is_total, totals)


def _add_groups(model, spec, dim, sub, gid, is_total, totals) -> None:
    """Ties and blocks along ``dim``."""
    pos = sub["_pos"].to_numpy()
    parts = pd.Series(pos[~is_total]).groupby(gid[~is_total], sort=False)
    if dim in spec.blocks:
        for g, members in parts:
            if g in totals.index:
                model.block(int(totals[g]), members.tolist())
    if dim in spec.ties:
        within = spec.ties[dim]
        col = spec.rename.get(within, within)
        inside = (sub[col] != _text(spec.margins.get(within, "all"))).to_numpy()[~is_total]
        for g, members in pd.Series(pos[~is_total][inside]).groupby(gid[~is_total][inside], sort=False):
            model.tie(members.tolist())


def row_flags(positions: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """``suppressed`` per table row from a cell mask (rows without a cell: True)."""
    positions = np.asarray(positions, dtype=int)
    return np.where(positions >= 0, np.asarray(hidden, bool)[np.maximum(positions, 0)], True)


def _model(specs: Sequence[TableSpec]) -> tuple[CellModel, list[np.ndarray]]:
    model = CellModel()
    positions = [add_table(model, spec) for spec in specs]
    problems = model.check()
    if problems:
        raise ValueError(f"the published counts contradict their relations ({len(problems)}): {problems[0]}")
    return model, positions


def audit_tables(specs: Sequence[TableSpec], protection: Protection | int, *, published=None,
                 exact: bool = False) -> AuditResult:
    """Audit tables as published: each spec names its ``suppressed`` column.

    This is what ``folge disclosure audit`` will call on the open data of a site: suppressed
    rows may carry no count, as in the published files.
    """
    model, _ = _model(specs)
    return audit(model, protection, published=published, exact=exact)


def protect_tables(specs: Sequence[TableSpec], protection: Protection | int, *,
                   published=None) -> tuple[list[pd.DataFrame], Suppression]:
    """Choose the suppression for tables about to be published.

    Returns the frames with ``suppressed`` (bool) and ``suppression`` columns added (the
    reason is kept for the builder's own use; the public marker must not show it), and the
    :class:`Suppression` (whose ``audit`` passed). Raises
    :class:`~folge.disclosure.DisclosureError` when no suppression passes.
    """
    model, positions = _model(specs)
    result = suppress(model, protection, published=published)
    frames = []
    for spec, pos in zip(specs, positions):
        flags = row_flags(pos, result.hidden)
        reasons = np.where(pos >= 0, result.reasons[np.maximum(pos, 0)], "primary")
        frames.append(spec.frame.assign(suppressed=flags, suppression=np.where(flags, reasons, "")))
    return frames, result


def with_margins(frame: pd.DataFrame, dims: Sequence[str], margins: Mapping[str, object], count: str = "n"
                 ) -> pd.DataFrame:
    """Add every margin (sums over each subset of ``margins``' dimensions) to a frame of finest cells.

    Examples
    --------
    >>> f = pd.DataFrame({"region": ["a", "a", "b"], "role": ["x", "y", "x"], "n": [1, 2, 3]})
    >>> with_margins(f, ["region", "role"], {"region": "all", "role": "all"}).shape
    (8, 3)
    """
    out = frame[[*dims, count]].copy()
    for dim, total in margins.items():
        others = [d for d in dims if d != dim]
        summed = out.groupby(others, sort=False, dropna=False)[count].sum().reset_index() if others else \
            pd.DataFrame({count: [out[count].sum()]})
        summed[dim] = total
        out = pd.concat([out, summed[[*dims, count]]], ignore_index=True)
    return out


def complete_grid(frame: pd.DataFrame, *, within: Sequence[str], domain: Mapping[str, Sequence], count: str = "n"
                  ) -> pd.DataFrame:
    """Add a zero-count row for every value of ``domain`` missing in a group of ``within``.

    Publishing a row for every answer value (zeros included) keeps the presence of a row
    from telling which values a small group chose.
    """
    groups = frame[list(within)].drop_duplicates()
    grid = groups
    for dim, values in domain.items():
        grid = grid.merge(pd.DataFrame({dim: list(values)}), how="cross")
    out = grid.merge(frame, on=[*within, *domain], how="left")
    out[count] = out[count].fillna(0)
    return out
