"""The cell model: every published count as one cell, tied together by linear relations.

A *cell* is one count of people (or answers) that some public output shows or hides. Its
identity is its :data:`CellKey`, built from named dimensions (``construct``, ``item``,
``value``, ``region``, ``role``, ``wave``, ``kind`` …), never from the table that shows it:
the same count printed in two tables is registered twice under the same key and stays
*one* cell, so it is either shown everywhere or hidden everywhere.

*Relations* are the linear facts an attacker knows about the cells: a total is the sum of
its parts, a national figure is the sum of the regions, the ``n_to`` of a change row is
that wave's ``n``, the retained part of a panel is at most its ``n_from``. They are stored
as sparse rows ``sum_j a_ij x_j (== or <=) b_i``.

Two kinds of *groups* say how suppression spreads, and are public knowledge (they are the
publication rules):

- a **tie** is all-or-nothing: suppressing one member suppresses all (the role breakdown
  inside one region is shown only when every role cell may be shown);
- a **block** has a head and members: suppressing the head suppresses the members (the
  per-value rows of an item whose ``n`` is hidden).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np
from scipy import sparse

__all__ = ["CellKey", "CellModel", "cell_key", "key_dict"]

#: A cell's identity: its dimensions as sorted ``(name, value)`` pairs of strings.
CellKey = tuple[tuple[str, str], ...]

EQ, LE = "==", "<="


def _text(value) -> str:
    """One spelling per value: ``3``, ``3.0`` and ``"3"`` are the same dimension value."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return str(value)


def cell_key(dims: Mapping[str, object] | None = None, /, **more: object) -> CellKey:
    """The table-independent identity of a count.

    Parameters
    ----------
    dims, **more
        Dimension names and values; values are compared as text, with whole floats
        written as integers (``2.0`` → ``"2"``).

    Returns
    -------
    CellKey
        The dimensions as a tuple of ``(name, value)`` pairs sorted by name.

    Examples
    --------
    >>> cell_key(region="nord", wave="2015-1", kind="n")
    (('kind', 'n'), ('region', 'nord'), ('wave', '2015-1'))
    >>> cell_key({"value": 2.0}) == cell_key(value=2)
    True
    """
    merged = dict(dims or {})
    merged.update(more)
    if not merged:
        raise ValueError("a cell key needs at least one dimension (got none)")
    return tuple(sorted((str(k), _text(v)) for k, v in merged.items()))


def key_dict(key: CellKey) -> dict[str, str]:
    """A key as a plain dict (for JSON and messages)."""
    return dict(key)


@dataclass
class _Relations:
    """Sparse relation rows in COO form, plus their sense, right-hand side and label."""

    row: list[int] = field(default_factory=list)
    col: list[int] = field(default_factory=list)
    coef: list[float] = field(default_factory=list)
    sense: list[str] = field(default_factory=list)
    rhs: list[float] = field(default_factory=list)
    label: list[str] = field(default_factory=list)


class CellModel:
    """Everything a study publishes, as count cells with linear relations.

    Register cells with :meth:`add_cell` (or whole tables with
    :func:`folge.disclosure.add_table`), and relations with :meth:`add_sum`,
    :meth:`add_equal`, :meth:`add_leq` or :meth:`add_relation`. A cell may carry no value
    (NaN) only when it is marked suppressed: that is what an outsider auditing published
    files knows.

    Examples
    --------
    >>> m = CellModel()
    >>> t = m.add_cell(cell_key(region="all"), 16, table="t")
    >>> parts = [m.add_cell(cell_key(region=r), 4, table="t") for r in "abcd"]
    >>> m.add_sum(cell_key(region="all"), [cell_key(region=r) for r in "abcd"], label="t: regions")
    0
    >>> m.n_cells, m.n_relations
    (5, 1)
    """

    def __init__(self) -> None:
        self._index: dict[CellKey, int] = {}
        self.keys: list[CellKey] = []
        self._values: list[float] = []
        self._tables: list[list[str]] = []
        self._sensitive: list[bool] = []
        self._exempt: list[bool] = []
        self.marked: dict[int, str] = {}
        self._rel = _Relations()
        self.ties: list[tuple[int, ...]] = []
        self.blocks: list[tuple[int, tuple[int, ...]]] = []
        self.notes: list[str] = []
        self._cache: tuple | None = None
        self._group_cache: tuple | None = None

    # -- cells ---------------------------------------------------------------------------

    @property
    def n_cells(self) -> int:
        return len(self.keys)

    @property
    def n_relations(self) -> int:
        return len(self._rel.sense)

    def index(self, key: CellKey | int) -> int:
        """The position of a cell (given by key or position); raises ``KeyError`` if unknown."""
        if isinstance(key, (int, np.integer)):
            if not 0 <= int(key) < self.n_cells:
                raise KeyError(f"no cell at position {key} (the model has {self.n_cells})")
            return int(key)
        try:
            return self._index[key]
        except KeyError:
            raise KeyError(f"no cell {key_dict(key)} in the model") from None

    def __contains__(self, key: CellKey) -> bool:
        return key in self._index

    def add_cell(self, key: CellKey, value: float | None, *, table: str, sensitive: bool = True,
                 exempt: bool = False, suppressed: str | bool | None = None) -> int:
        """Register one published count; returns its position.

        Parameters
        ----------
        key
            Its identity (:func:`cell_key`). Registering a key again adds ``table`` to the
            tables that show it; the values must agree.
        value
            The count (NaN or None when unknown: only allowed for a suppressed cell).
        table
            The name of the output showing it (for messages: which table to coarsen).
        sensitive
            True for counts of respondents that ``min_n`` protects; False for counts that
            are published at any size (answers per value of an item whose ``n`` is shown).
            A cell sensitive in any table is sensitive.
        exempt
            A fact about a region rather than a count of respondents (never suppressed).
        suppressed
            Mark the cell as already suppressed (for auditing published output): the
            reason (``"primary"``, ``"secondary"``) or True.
        """
        if not isinstance(key, tuple) or not key:
            raise TypeError(f"'key' must be a cell key from cell_key() (got {key!r})")
        value = np.nan if value is None else float(value)
        if value < 0:
            raise ValueError(f"cell {key_dict(key)} in table {table!r}: counts cannot be negative (got {value})")
        pos = self._index.get(key)
        if pos is None:
            pos = self._new_cell(key, value, table, sensitive, exempt)
        else:
            self._merge_cell(pos, value, table, sensitive, exempt)
        if suppressed:
            self.marked[pos] = suppressed if isinstance(suppressed, str) else "suppressed"
        return pos

    def _new_cell(self, key, value, table, sensitive, exempt) -> int:
        self._cache = None
        pos = len(self.keys)
        self._index[key] = pos
        self.keys.append(key)
        self._values.append(value)
        self._tables.append([table])
        self._sensitive.append(bool(sensitive))
        self._exempt.append(bool(exempt))
        return pos

    def _merge_cell(self, pos, value, table, sensitive, exempt) -> None:
        old = self._values[pos]
        if math.isnan(old):
            self._values[pos] = value
        elif not math.isnan(value) and abs(old - value) > 1e-9:
            raise ValueError(f"cell {key_dict(self.keys[pos])} is {old:g} in table {self._tables[pos][0]!r} "
                             f"but {value:g} in table {table!r}: one count, one value")
        if table not in self._tables[pos]:
            self._tables[pos].append(table)
        self._sensitive[pos] = self._sensitive[pos] or bool(sensitive)
        self._exempt[pos] = self._exempt[pos] and bool(exempt)

    def values(self) -> np.ndarray:
        """Every cell's count (NaN where unknown), in position order."""
        return np.asarray(self._values, dtype=float)

    def sensitive(self) -> np.ndarray:
        return np.asarray(self._sensitive, dtype=bool)

    def exempt(self) -> np.ndarray:
        return np.asarray(self._exempt, dtype=bool)

    def tables(self, key: CellKey | int) -> tuple[str, ...]:
        """The tables that show a cell."""
        return tuple(self._tables[self.index(key)])

    # -- relations -----------------------------------------------------------------------

    def add_relation(self, coefs: Mapping[CellKey | int, float], sense: str = EQ, rhs: float = 0.0, *,
                     label: str = "") -> int:
        """Add ``sum(coef * cell) sense rhs`` with ``sense`` ``"=="`` or ``"<="``; returns its number."""
        if sense not in (EQ, LE):
            raise ValueError(f"'sense' must be '==' or '<=' (got {sense!r})")
        if not coefs:
            raise ValueError("a relation needs at least one cell (got none)")
        self._cache = None
        number = self.n_relations
        for key, coef in coefs.items():
            self._rel.row.append(number)
            self._rel.col.append(self.index(key))
            self._rel.coef.append(float(coef))
        self._rel.sense.append(sense)
        self._rel.rhs.append(float(rhs))
        self._rel.label.append(label)
        return number

    def add_sum(self, total: CellKey | int, parts: Sequence[CellKey | int], *, label: str = "",
                exact: bool = True) -> int:
        """``total = sum(parts)`` (``exact``) or ``sum(parts) <= total`` (parts that may not cover it)."""
        coefs: dict[int, float] = {}
        for part in parts:
            pos = self.index(part)
            coefs[pos] = coefs.get(pos, 0.0) + 1.0
        coefs[self.index(total)] = coefs.get(self.index(total), 0.0) - 1.0
        return self.add_relation(coefs, EQ if exact else LE, 0.0, label=label)

    def add_equal(self, a: CellKey | int, b: CellKey | int, *, label: str = "") -> int:
        """Two keys for one count (``a = b``); prefer registering both under one key."""
        return self.add_relation({self.index(a): 1.0, self.index(b): -1.0}, EQ, 0.0, label=label)

    def add_leq(self, a: CellKey | int, b: CellKey | int, *, label: str = "") -> int:
        """``a <= b`` (a panel's retained respondents are at most its ``n_from``)."""
        return self.add_relation({self.index(a): 1.0, self.index(b): -1.0}, LE, 0.0, label=label)

    def add_relations_coo(self, rows: np.ndarray, cols: np.ndarray, coefs: np.ndarray, senses: Sequence[str],
                          labels: Sequence[str]) -> None:
        """Append many relations at once (rows numbered 0..k-1 locally, right-hand sides 0)."""
        self._cache = None
        base = self.n_relations
        self._rel.row.extend((np.asarray(rows, dtype=int) + base).tolist())
        self._rel.col.extend(np.asarray(cols, dtype=int).tolist())
        self._rel.coef.extend(np.asarray(coefs, dtype=float).tolist())
        self._rel.sense.extend(senses)
        self._rel.rhs.extend([0.0] * len(senses))
        self._rel.label.extend(labels)

    def matrix(self) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray, list[str]]:
        """The relations as ``(A, is_equality, rhs, labels)`` with ``A`` relations × cells."""
        if self._cache is None:
            a = sparse.csr_matrix((self._rel.coef, (self._rel.row, self._rel.col)),
                                  shape=(self.n_relations, self.n_cells))
            a.sum_duplicates()
            a.eliminate_zeros()
            self._cache = (a, np.asarray([s == EQ for s in self._rel.sense], dtype=bool),
                           np.asarray(self._rel.rhs, dtype=float), list(self._rel.label))
        return self._cache

    def check(self) -> list[str]:
        """Relations the known values break (each as a message); empty when consistent."""
        a, is_eq, rhs, labels = self.matrix()
        values = self.values()
        known = ~np.isnan(values)
        rows_known = np.asarray((a[:, ~known] != 0).sum(axis=1)).ravel() == 0
        lhs = a[:, known] @ values[known]
        bad = rows_known & np.where(is_eq, np.abs(lhs - rhs) > 1e-6, lhs > rhs + 1e-6)
        return [f"relation {labels[i] or i} does not hold on the counts ({lhs[i]:g} vs {rhs[i]:g})"
                for i in np.flatnonzero(bad)]

    # -- groups --------------------------------------------------------------------------

    def tie(self, keys: Iterable[CellKey | int]) -> None:
        """All or nothing: suppressing one of ``keys`` suppresses every one."""
        group = tuple(sorted({self.index(k) for k in keys}))
        if len(group) > 1:
            self.ties.append(group)

    def block(self, head: CellKey | int, members: Iterable[CellKey | int]) -> None:
        """Suppressing ``head`` suppresses ``members`` (not the other way round)."""
        group = tuple(sorted({self.index(k) for k in members} - {self.index(head)}))
        if group:
            self.blocks.append((self.index(head), group))

    def _groups(self) -> tuple[sparse.csr_matrix, np.ndarray, sparse.csr_matrix]:
        """Ties and blocks as incidence matrices: ``(ties × cells, block heads, blocks × members)``.

        Rebuilt when cells, ties or blocks were added since (the lists only grow).
        """
        stamp = (self.n_cells, len(self.ties), len(self.blocks))
        cache = getattr(self, "_group_cache", None)  # absent on models pickled before it existed
        if cache is None or cache[0] != stamp:
            self._group_cache = (stamp, _incidence(self.ties, self.n_cells),
                                 np.asarray([head for head, _ in self.blocks], dtype=int),
                                 _incidence([members for _, members in self.blocks], self.n_cells))
        return self._group_cache[1:]

    def grouped(self) -> np.ndarray:
        """Cells whose suppression may follow from a group rule (tie members, block members)."""
        ties, _, blocks = self._groups()
        counts = np.asarray(ties.sum(axis=0)).ravel() + np.asarray(blocks.sum(axis=0)).ravel()
        return counts > 0

    def close(self, hidden: np.ndarray) -> np.ndarray:
        """Spread suppression along ties and blocks until nothing changes; returns the new mask.

        The result is the smallest superset of ``hidden`` in which every tie is hidden whole
        or not at all and every hidden block head has its members hidden (one sparse product
        per tie and block rule and sweep, repeated until it is stable).
        """
        hidden = np.asarray(hidden, dtype=bool).copy()
        ties, heads, blocks = self._groups()
        while True:
            touched = (ties @ hidden.astype(np.int64)) > 0
            spread = np.asarray(ties.T @ touched.astype(np.int64)).ravel() > 0
            if heads.size:
                spread |= np.asarray(blocks.T @ hidden[heads].astype(np.int64)).ravel() > 0
            if not (spread & ~hidden).any():
                return hidden
            hidden |= spread

    def describe(self, pos: int) -> str:
        """A cell for messages: its key and the tables showing it."""
        dims = ", ".join(f"{k}={v}" for k, v in self.keys[pos])
        return f"({dims}) in {', '.join(self._tables[pos])}"


def _incidence(groups: Sequence[Sequence[int]], n_cells: int) -> sparse.csr_matrix:
    """Groups × cells, 1 where a cell belongs to a group."""
    sizes = [len(g) for g in groups]
    rows = np.repeat(np.arange(len(groups)), sizes)
    cols = np.fromiter((c for g in groups for c in g), dtype=int, count=int(sum(sizes)))
    return sparse.csr_matrix((np.ones(rows.size, dtype=np.int64), (rows, cols)), shape=(len(groups), n_cells))
