"""The attacker's linear programs: bounds on every hidden cell from everything published.

For a hidden cell ``x_k`` the attacker solves ``min x_k`` and ``max x_k`` subject to the
relations with the published cells substituted, and the bounds each hidden cell is known
to respect (Fischetti & Salazar-González 2001; Hundepool et al. 2012, section 5.2). Two
things make this fast:

1. **Components.** Hidden cells that share no relation (directly or through other hidden
   cells) cannot inform each other, so the system splits into connected components of the
   bipartite graph hidden cells – relations.
2. **Batching.** The components are independent, so one LP whose objective picks one cell
   from each of many components solves all of them at once: the optimum of a sum of
   independent terms is the optimum of each term. A round solves one cell per component,
   so the number of LPs is twice the largest component, not twice the number of cells.
3. **Screening.** Every solution is a feasible table, so the values seen so far bracket
   each cell: when ``max seen - min seen >= protection`` the cell is safe without solving
   its own pair of LPs (unless exact intervals are asked for).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

__all__ = ["Bounds", "attack"]

TOL = 1e-6


@dataclass(frozen=True)
class Bounds:
    """What the attacker can derive for the hidden cells (arrays over hidden cells).

    ``low``/``high`` are the exact LP bounds where ``solved``; elsewhere they are the
    extremes of feasible tables seen (so the true interval is at least as wide).
    ``high`` is ``inf`` where nothing bounds the cell from above.
    """

    low: np.ndarray
    high: np.ndarray
    solved: np.ndarray
    attacked: np.ndarray
    component: np.ndarray
    lps: int


@dataclass
class _System:
    """The hidden part of the relations: ``A_eq x = b_eq``, ``A_ub x <= b_ub``, bounds."""

    a: sparse.csr_matrix
    b: np.ndarray
    is_eq: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    var_comp: np.ndarray
    row_comp: np.ndarray


def _components(a: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Connected components of the bipartite graph of variables (columns) and rows."""
    n_rows, n_vars = a.shape
    pattern = (a != 0).astype(np.int8)
    graph = sparse.bmat([[None, pattern.T], [pattern, None]], format="csr")
    _, labels = connected_components(graph, directed=False)
    return labels[:n_vars], labels[n_vars:]


def _solve(system: _System, cols: np.ndarray, rows: np.ndarray, c: np.ndarray) -> np.ndarray:
    """One LP on the given columns and rows; returns the optimal x (HiGHS)."""
    a = system.a[rows][:, cols]
    eq = system.is_eq[rows]
    b = system.b[rows]
    kwargs = {}
    if eq.any():
        kwargs.update(A_eq=a[eq], b_eq=b[eq])
    if (~eq).any():
        kwargs.update(A_ub=a[~eq], b_ub=b[~eq])
    bounds = np.column_stack([system.lower[cols], system.upper[cols]])
    res = linprog(c, bounds=bounds, method="highs", options={"presolve": False}, **kwargs)
    if res.status != 0 or res.x is None:
        raise RuntimeError(f"the attacker's LP failed ({res.message}); the published counts contradict "
                           "the relations or the bounds")
    return res.x


def _first_per_component(candidates: np.ndarray, comp: np.ndarray) -> np.ndarray:
    """One candidate variable (the first) for each component that has one."""
    idx = np.flatnonzero(candidates)
    if idx.size == 0:
        return idx
    _, first = np.unique(comp[idx], return_index=True)
    return idx[first]


class _State:
    """Seen extremes and solved flags of the variables, updated by every solution."""

    def __init__(self, n: int):
        self.seen_low = np.full(n, np.inf)
        self.seen_high = np.full(n, -np.inf)
        self.low = np.full(n, np.nan)
        self.high = np.full(n, np.nan)
        self.low_done = np.zeros(n, dtype=bool)
        self.high_done = np.zeros(n, dtype=bool)

    def see(self, cols: np.ndarray, x: np.ndarray) -> None:
        self.seen_low[cols] = np.minimum(self.seen_low[cols], x)
        self.seen_high[cols] = np.maximum(self.seen_high[cols], x)


def _round(system: _System, state: _State, need: np.ndarray, sign: float) -> int:
    """Solve min (sign=1) or max (sign=-1) of one needed variable per component in one LP."""
    done = state.low_done if sign > 0 else state.high_done
    picked = _first_per_component(need & ~done, system.var_comp)
    if picked.size == 0:
        return 0
    comps = np.unique(system.var_comp[picked])
    cols = np.flatnonzero(np.isin(system.var_comp, comps))
    rows = np.flatnonzero(np.isin(system.row_comp, comps))
    c = np.zeros(cols.size)
    c[np.searchsorted(cols, picked)] = sign
    x = _solve(system, cols, rows, c)
    state.see(cols, x)
    target = state.low if sign > 0 else state.high
    target[picked] = x[np.searchsorted(cols, picked)]
    done[picked] = True
    return 1


def _screen(system: _System, state: _State, targets: np.ndarray, rng: np.random.Generator) -> int:
    """Minimise and maximise a random signed sum of the targets: two feasible tables that
    bracket many cells at once."""
    comps = np.unique(system.var_comp[targets])
    cols = np.flatnonzero(np.isin(system.var_comp, comps))
    if cols.size == 0:
        return 0
    rows = np.flatnonzero(np.isin(system.row_comp, comps))
    c = np.where(targets[cols], rng.choice([-1.0, 1.0], size=cols.size) * rng.uniform(0.5, 1.5, cols.size), 0.0)
    for sign in (1.0, -1.0):
        state.see(cols, _solve(system, cols, rows, sign * c))
    return 2


def _bound(system: _System, targets: np.ndarray, protection: float, exact: bool, seed: int) -> tuple[_State, int]:
    """Screen while it pays (each pair of LPs proves at least a quarter of the open cells), then
    solve the open cells exactly, one per component and direction per round."""
    state = _State(targets.size)
    rng = np.random.default_rng(seed)
    lps = 0
    need = targets.copy()
    while not exact and need.any():
        lps += _screen(system, state, need, rng)
        still = need & (state.seen_high - state.seen_low < protection - TOL)
        if still.sum() > 0.75 * need.sum():
            need = still
            break
        need = still
    while True:
        proven = (state.seen_high - state.seen_low >= protection - TOL) if not exact else np.zeros_like(targets)
        need = targets & ~proven & ~(state.low_done & state.high_done)
        if not need.any():
            return state, lps
        lps += _round(system, state, need, 1.0) + _round(system, state, need, -1.0)


def attack(a: sparse.csr_matrix, rhs: np.ndarray, is_eq: np.ndarray, lower: np.ndarray, upper: np.ndarray,
           targets: np.ndarray, *, protection: float, exact: bool = False, focus: np.ndarray | None = None,
           seed: int = 0) -> Bounds:
    """Bounds on hidden cells from ``a @ x (==|<=) rhs`` and ``lower <= x <= upper``.

    Parameters
    ----------
    a, rhs, is_eq
        The relations restricted to the hidden cells (published cells already moved to the
        right-hand side).
    lower, upper
        What each hidden cell is known to respect (``upper`` finite: a cap far above any
        count stands for "unbounded").
    targets
        The hidden cells whose interval is wanted.
    protection
        Screening stops for a cell once feasible tables ``protection`` apart are seen.
    exact
        Solve both LPs for every target (no screening).
    focus
        Optional mask of hidden cells: only targets in their components are attacked (the
        others keep NaN bounds), for re-auditing after a local change.

    Returns
    -------
    Bounds
    """
    a = sparse.csr_matrix(a)
    keep = np.asarray((a != 0).sum(axis=1)).ravel() > 0
    a, rhs, is_eq = a[keep], np.asarray(rhs, float)[keep], np.asarray(is_eq, bool)[keep]
    var_comp, row_comp = _components(a)
    system = _System(a, rhs, is_eq, np.asarray(lower, float), np.asarray(upper, float), var_comp, row_comp)
    linked = np.isin(var_comp, row_comp)
    targets = np.asarray(targets, bool)
    if focus is not None:
        targets = targets & np.isin(var_comp, var_comp[np.asarray(focus, bool)])
    state, lps = _bound(system, targets & linked, protection, exact, seed)
    low = np.where(state.low_done, state.low, state.seen_low)
    high = np.where(state.high_done, state.high, state.seen_high)
    free = targets & ~linked
    low[free], high[free] = system.lower[free], system.upper[free]
    solved = (state.low_done & state.high_done) | free
    low = np.where(targets, low, np.nan)
    high = np.where(targets, high, np.nan)
    return Bounds(low, high, solved, targets, var_comp, lps)
