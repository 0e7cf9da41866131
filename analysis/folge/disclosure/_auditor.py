"""The audit prepared once per model, run many times: whole, or on the components that changed.

:func:`folge.disclosure.audit` and the suppression loop both run an :class:`Auditor`. What
does not change between audits of one model — the relations in both sparse orientations,
the cap, what an earlier edition published, which ties may carry a "not all zero" row —
is built once; each run then only cuts the hidden part of the system.

A *focused* run attacks only the hidden cells connected to the focus cells through
relations and hidden ties (whole connected components of the bipartite graph hidden cells
– relations, found by a breadth-first search from the focus). Its linear programs are the
very ones the full system would solve for those components: the columns keep the cells'
order, the rows keep the relations' order with the tie rows after them, so the screening
draws and the stacked jobs are the same. Cells outside the focused components are neither
attacked nor reported.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from ._lp import attack, block_diag
from ._model import CellModel
from ._protection import AuditResult, Protection, as_protection, result_of

__all__ = ["Auditor", "Part"]


@dataclass(frozen=True)
class Part:
    """The hidden system of one audit: ``a @ x (== | <=) b`` on ``cells``, ``lower <= x <= upper``.

    ``hidden``, ``values`` (revealed cells' earlier counts filled in), ``revealed`` and
    ``mask`` (the focus, all cells when none) are over all cells; ``cells`` are the
    attacked unknown cells in position order, and ``targets`` and ``focus`` are over them.
    """

    hidden: np.ndarray
    values: np.ndarray
    revealed: np.ndarray
    notes: list
    cells: np.ndarray
    a: sparse.csr_matrix
    b: np.ndarray
    is_eq: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    targets: np.ndarray
    focus: np.ndarray | None
    mask: np.ndarray


class Auditor:
    """The LP audit of one :class:`CellModel` under one protection and one earlier edition.

    Parameters
    ----------
    model
        Everything published, as a :class:`CellModel`; it must not change while the
        auditor is used (build a new one after adding cells, relations or groups).
    protection
        A :class:`Protection` (or ``min_n``).
    published
        Cells an earlier edition published (key → value, or a list of such mappings).

    Examples
    --------
    >>> from folge.disclosure import CellModel, cell_key
    >>> m = CellModel()
    >>> _ = m.add_cell(cell_key(region="all"), 20, table="t")
    >>> for r, v in zip("abc", (3, 8, 9)):
    ...     _ = m.add_cell(cell_key(region=r), v, table="t")
    >>> _ = m.add_sum(cell_key(region="all"), [cell_key(region=r) for r in "abc"])
    >>> auditor = Auditor(m, 5)
    >>> auditor.run(np.array([False, True, False, False])).breaches[0]["width"]
    0.0
    >>> auditor.run(np.array([False, True, True, False])).passed
    True
    """

    def __init__(self, model: CellModel, protection: Protection | int, *, published=None):
        self.model = model
        self.protection = as_protection(protection)
        p = self.protection
        a, self._is_eq, self._rhs, _ = model.matrix()
        self._a, self._a_csc = a.tocsr(), a.tocsc()
        self._values = model.values()
        self._targets = model.sensitive() & ~model.exempt()
        self._grouped = model.grouped()
        self._cap = 10.0 * (float(np.nansum(self._values)) + p.protection) + 1000.0
        self._revealable, self._old, self._notes = _earlier(model, self._values, published)
        self._ties = _tie_groups(model, p)
        pattern = sparse.vstack([(self._a != 0).astype(np.int8), self._ties], format="csr")
        self._rows_csr, self._rows_csc = pattern, pattern.tocsc()
        self._tie_sizes = np.asarray(self._ties.sum(axis=1)).ravel()

    def run(self, hidden: np.ndarray, reasons: np.ndarray | None = None, *, exact: bool = False,
            focus: np.ndarray | None = None) -> AuditResult:
        """Audit with ``hidden`` suppressed (a boolean mask over cells).

        Parameters
        ----------
        hidden
            The suppressed cells.
        reasons
            Each cell's reason (``"primary"`` matters with ``marker="primary"``); default
            ``"suppressed"`` for every hidden cell.
        exact
            Solve both bounds of every attacked cell.
        focus
            Optional boolean mask of cells: attack only the hidden components holding them.
        """
        start = time.perf_counter()
        part = self.cut(hidden, reasons, focus=focus)
        bounds = attack(part.a, part.b, part.is_eq, part.lower, part.upper, part.targets | exact,
                        protection=self.protection.protection, exact=exact, focus=part.focus)
        frame = self._intervals(part, bounds, focus)
        return result_of(self.model, frame, part.hidden, self.protection, time.perf_counter() - start,
                         bounds.lps, part.notes)

    def passes(self, trials: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[bool]:
        """Whether each focused audit ``(hidden, focus)`` passes, all attacked in one system.

        The trials' hidden systems are stacked block-diagonally (each keeps its own copy of
        its cells), so their linear programs are shared; a trial passes when none of its
        attacked cells and none of its revealed focus cells is a breach. The verdict is the
        one :meth:`run` gives: screening only proves cells safe, every other cell's bounds
        are solved exactly.
        """
        p = self.protection
        parts = [self.cut(hidden, focus=np.asarray(focus, dtype=bool)) for hidden, focus in trials]
        pinned = p.protection - 1e-6 > 0  # a revealed cell's interval has width 0
        ok = [not (pinned and (part.revealed & self._targets & part.mask).any()) for part in parts]
        stacked = [k for k, part in enumerate(parts) if part.cells.size]
        if not stacked:
            return ok
        use = [parts[k] for k in stacked]
        bounds = attack(block_diag([part.a for part in use]),
                        np.concatenate([part.b for part in use]), np.concatenate([part.is_eq for part in use]),
                        np.concatenate([part.lower for part in use]), np.concatenate([part.upper for part in use]),
                        np.concatenate([part.targets for part in use]), protection=p.protection,
                        focus=np.concatenate([part.focus for part in use]))
        high = np.where(bounds.high >= self._cap / 2, np.inf, bounds.high)
        breach = bounds.attacked & np.concatenate([part.targets for part in use]) & \
            (high - bounds.low < p.protection - 1e-6)
        offsets = np.cumsum([0] + [part.cells.size for part in use])
        for k, lo, hi in zip(stacked, offsets[:-1], offsets[1:]):
            ok[k] = ok[k] and not breach[lo:hi].any()
        return ok

    def cut(self, hidden: np.ndarray, reasons: np.ndarray | None = None, *,
            focus: np.ndarray | None = None) -> Part:
        """The hidden system of one audit (see :class:`Part`), restricted to the focus components."""
        model = self.model
        hidden = np.asarray(hidden, dtype=bool)
        if reasons is None:
            reasons = np.where(hidden, "suppressed", "").astype(object)
        values = self._values.copy()
        revealed = self.revealed(hidden)
        values[revealed] = self._old[revealed]
        notes = [note for pos, note in self._notes if hidden[pos]]
        missing = np.flatnonzero(~hidden & np.isnan(values))
        if missing.size:
            raise ValueError(f"{missing.size} published cell(s) have no value, e.g. "
                             f"{model.describe(int(missing[0]))}: a shown cell needs its count")
        unknown = hidden & ~revealed
        live = self._live_ties(unknown)
        mask = None if focus is None else np.asarray(focus, dtype=bool)
        cells = np.flatnonzero(unknown) if mask is None else self.reach(unknown, mask, live)
        a, b, is_eq = self._system(values, unknown, live, cells)
        lower, upper = self._limits(cells, reasons)
        return Part(hidden, values, revealed, notes, cells, a, b, is_eq, lower, upper, self._targets[cells],
                    None if mask is None else mask[cells], np.ones(model.n_cells, bool) if mask is None else mask)

    def reach(self, unknown: np.ndarray, focus: np.ndarray, live: np.ndarray | None = None) -> np.ndarray:
        """Unknown cells connected to the unknown focus cells through relations and live tie rows."""
        live = self._live_ties(unknown) if live is None else live
        usable = np.concatenate([np.ones(self._a.shape[0], dtype=bool), live])
        seen = focus & unknown
        frontier = np.flatnonzero(seen)
        while frontier.size:
            rows = np.unique(self._rows_csc[:, frontier].indices)
            rows = rows[usable[rows]]
            members = np.unique(self._rows_csr[rows].indices) if rows.size else frontier[:0]
            frontier = members[unknown[members] & ~seen[members]]
            seen[frontier] = True
        return np.flatnonzero(seen)

    def revealed(self, hidden: np.ndarray) -> np.ndarray:
        """The hidden cells an earlier edition published with their current count."""
        return np.asarray(hidden, dtype=bool) & self._revealable

    def neighbours(self, cells: np.ndarray) -> np.ndarray:
        """Every cell sharing a relation or a tie (that may carry a row) with one of ``cells``."""
        rows = np.unique(self._rows_csc[:, np.asarray(cells, dtype=int)].indices)
        return np.unique(self._rows_csr[rows].indices) if rows.size else np.zeros(0, dtype=int)

    # -- the hidden system -----------------------------------------------------------------

    def _live_ties(self, unknown: np.ndarray) -> np.ndarray:
        """Ties (of those that may carry a row) whose members are all unknown."""
        return np.asarray(self._ties @ unknown.astype(np.int64)).ravel() == self._tie_sizes

    def _system(self, values: np.ndarray, unknown: np.ndarray, live: np.ndarray, cells: np.ndarray):
        """The relations on ``cells`` with every known cell moved to the right-hand side, then tie rows.

        ``-sum(tie) <= -1`` for every live tie on ``cells``: a tie is hidden only when one
        member is nonzero.
        """
        rows = np.unique(self._a_csc[:, cells].indices)
        part = self._a[rows]
        known = np.where(unknown, 0.0, np.nan_to_num(values))
        b = self._rhs[rows] - part @ known
        ties = self._ties[np.flatnonzero(live)]
        on_cells = np.asarray(ties[:, cells].sum(axis=1)).ravel() > 0 if ties.shape[0] else np.zeros(0, bool)
        ties = -ties[np.flatnonzero(on_cells)][:, cells].astype(float)
        a = sparse.vstack([part[:, cells], ties], format="csr")
        b = np.concatenate([b, -np.ones(ties.shape[0])])
        is_eq = np.concatenate([self._is_eq[rows], np.zeros(ties.shape[0], dtype=bool)])
        return a, b, is_eq

    def _limits(self, cells: np.ndarray, reasons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What the marker and the publication rules tell about each cell: at least 1 (0 in a
        group, or when zeros are suppressed), below ``min_n`` where the marker says primary."""
        p = self.protection
        floor = 1.0 if p.zeros == "publish" else 0.0
        lower = np.where(self._grouped[cells], 0.0, floor)
        upper = np.full(cells.size, self._cap)
        if p.marker == "primary":
            primary = np.asarray(reasons, dtype=object)[cells] == "primary"
            upper[primary] = p.min_n - 1
            lower[primary] = floor
        return lower, upper

    def _intervals(self, part: Part, bounds, focus) -> pd.DataFrame:
        """One row per attacked cell (and per revealed sensitive cell), breaches first."""
        p, cap = self.protection, self._cap
        values, cells, revealed = part.values, part.cells, part.revealed
        attacked = bounds.attacked
        # a bounded cell of a system of unit-coefficient count relations stays below the sum of
        # the known counts, a tenth of the cap: anything near the cap is "not bounded above"
        high = np.where(bounds.high >= cap / 2, np.inf, bounds.high)
        parts = [pd.DataFrame({"position": cells[attacked], "low": bounds.low[attacked],
                               "high": high[attacked], "exact": bounds.solved[attacked]})]
        pos_revealed = np.flatnonzero(revealed & self._targets)
        if focus is not None:
            pos_revealed = pos_revealed[np.asarray(focus, bool)[pos_revealed]]
        parts.append(pd.DataFrame({"position": pos_revealed, "low": values[pos_revealed],
                                   "high": values[pos_revealed], "exact": True}))
        frame = pd.concat(parts, ignore_index=True)
        frame["position"] = frame["position"].astype(int)
        frame["width"] = frame["high"] - frame["low"]
        frame["breach"] = self._targets[frame["position"].to_numpy()] & (frame["width"] < p.protection - 1e-6)
        frame["value"] = values[frame["position"].to_numpy()] if len(frame) else []
        return frame.sort_values(["breach", "width"], ascending=[False, True]).reset_index(drop=True)


def _tie_groups(model: CellModel, p: Protection) -> sparse.csr_matrix:
    """Ties that carry a "not all zero" row when hidden whole: none when zeros are suppressed,
    and none with a block member (a block may hide a tie of zeros)."""
    ties, _, blocks = model._groups()
    if p.zeros != "publish" or ties.shape[0] == 0:
        return sparse.csr_matrix((0, model.n_cells), dtype=np.int64)
    in_block = np.asarray(blocks.sum(axis=0)).ravel() > 0
    clean = np.asarray(ties @ in_block.astype(np.int64)).ravel() == 0
    return ties[np.flatnonzero(clean)]


def _earlier(model: CellModel, values: np.ndarray, published) -> tuple[np.ndarray, np.ndarray, list]:
    """What an earlier edition tells about each cell, should it be hidden now.

    Returns the cells it reveals (same key, same count: the attacker knows them), their
    published values, and notes ``(position, message)`` on cells whose count has changed
    since (the old value is not used), in the order the edition lists them.
    """
    revealable = np.zeros(model.n_cells, dtype=bool)
    old = values.copy()
    notes: list[tuple[int, str]] = []
    sources: Iterable[Mapping] = [published] if isinstance(published, Mapping) else list(published or [])
    for source in sources:
        for key, value in source.items():
            if key not in model:
                continue
            pos = model.index(key)
            if math.isnan(old[pos]) or abs(old[pos] - float(value)) < 1e-9:
                revealable[pos], old[pos] = True, float(value)
            else:
                notes.append((pos, f"cell {model.describe(pos)} was published as {float(value):g} in an earlier "
                                   "edition and has changed since; the old value is not used"))
    return revealable, old, notes
