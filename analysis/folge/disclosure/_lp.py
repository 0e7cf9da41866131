"""The attacker's linear programs: bounds on every hidden cell from everything published.

For a hidden cell ``x_k`` the attacker solves ``min x_k`` and ``max x_k`` subject to the
relations with the published cells substituted, and the bounds each hidden cell is known
to respect (Fischetti & Salazar-González 2001; Hundepool et al. 2012, section 5.2). Two
things make this fast:

1. **Components.** Hidden cells that share no relation (directly or through other hidden
   cells) cannot inform each other, so the system splits into connected components of the
   bipartite graph hidden cells – relations.
2. **Screening.** Every solution is a feasible table, so the values seen so far bracket
   each cell: when ``max seen - min seen >= protection`` the cell is safe without solving
   its own pair of LPs (unless exact intervals are asked for). A screening LP spans all
   components at once with a random signed objective on the open cells.
3. **Stacking.** Each remaining bound (cell, min or max) is a *job*; one LP holds a copy
   of the job's component per job, block-diagonally, so its optimum solves every job at
   once (the optimum of a sum of independent terms is the optimum of each term). Jobs
   are stacked up to :data:`STACK` variables per LP, which keeps the per-call overhead of
   ``linprog`` from dominating on many small components.
4. **Differencing first.** Cells fixed by an equation whose other cells are known are
   found without any LP (:func:`_pin`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

__all__ = ["Bounds", "attack", "block_diag"]

TOL = 1e-6
#: Variables in one stacked LP of exact bounds (copies of components, one per job).
STACK = 20_000


@dataclass(frozen=True)
class Bounds:
    """What the attacker can derive for the hidden cells (arrays over hidden cells).

    ``low``/``high`` are the exact LP bounds where ``solved``; elsewhere they are the
    extremes of feasible tables seen (so the true interval is at least as wide).
    ``high`` is ``inf`` where nothing bounds the cell from above. ``component`` is -1 for
    cells pinned by differencing alone (no LP).
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


class _Blocks:
    """Each component's own rows and columns, cut once (for stacking copies of it)."""

    def __init__(self, system: _System):
        self.system = system
        order = np.argsort(system.var_comp, kind="stable")
        bounds = np.searchsorted(system.var_comp[order], np.arange(system.var_comp.max() + 2))
        self._cols = {c: order[bounds[c]:bounds[c + 1]] for c in range(len(bounds) - 1)}
        row_order = np.argsort(system.row_comp, kind="stable")
        row_bounds = np.searchsorted(system.row_comp[row_order], np.arange(system.var_comp.max() + 2))
        self._rows = {c: row_order[row_bounds[c]:row_bounds[c + 1]] for c in range(len(row_bounds) - 1)}
        self._cache: dict[int, tuple] = {}

    def cols(self, comp: int) -> np.ndarray:
        return self._cols[comp]

    def block(self, comp: int) -> tuple:
        if comp not in self._cache:
            s, rows, cols = self.system, self._rows[comp], self._cols[comp]
            a = s.a[rows][:, cols]
            eq = s.is_eq[rows]
            self._cache[comp] = (a[eq], s.b[rows][eq], a[~eq], s.b[rows][~eq], s.lower[cols], s.upper[cols])
        return self._cache[comp]


def block_diag(parts: list[sparse.csr_matrix]) -> sparse.csr_matrix:
    """The matrices as diagonal blocks of one CSR matrix (what ``scipy.sparse.block_diag``
    gives, built from the CSR arrays directly: it is called for every stacked LP)."""
    parts = [sparse.csr_matrix(part) for part in parts]
    rows = np.cumsum([0] + [part.shape[0] for part in parts])
    cols = np.cumsum([0] + [part.shape[1] for part in parts])
    nnz = np.cumsum([0] + [part.nnz for part in parts])
    data = np.concatenate([np.zeros(0)] + [part.data for part in parts])
    indices = np.concatenate([np.zeros(0, dtype=np.int64)]
                             + [part.indices.astype(np.int64) + cols[k] for k, part in enumerate(parts)])
    indptr = np.concatenate([np.zeros(1, dtype=np.int64)]
                            + [part.indptr[1:].astype(np.int64) + nnz[k] for k, part in enumerate(parts)])
    return sparse.csr_matrix((data, indices, indptr), shape=(int(rows[-1]), int(cols[-1])))


def _stacked(blocks: _Blocks, jobs: list[tuple[int, int, float]]) -> np.ndarray:
    """One LP holding a copy of the component for every job (cell, component, sign)."""
    parts = [blocks.block(comp) for _, comp, _ in jobs]
    sizes = [p[4].size for p in parts]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    c = np.zeros(offsets[-1])
    for k, (var, comp, sign) in enumerate(jobs):
        c[offsets[k] + np.searchsorted(blocks.cols(comp), var)] = sign
    kwargs = {}
    if any(p[0].shape[0] for p in parts):
        kwargs.update(A_eq=block_diag([p[0] for p in parts]),
                      b_eq=np.concatenate([p[1] for p in parts]))
    if any(p[2].shape[0] for p in parts):
        kwargs.update(A_ub=block_diag([p[2] for p in parts]),
                      b_ub=np.concatenate([p[3] for p in parts]))
    bounds = np.column_stack([np.concatenate([p[4] for p in parts]), np.concatenate([p[5] for p in parts])])
    res = linprog(c, bounds=bounds, method="highs", options={"presolve": False}, **kwargs)
    if res.status != 0 or res.x is None:
        raise RuntimeError(f"the attacker's LP failed ({res.message}); the published counts contradict "
                           "the relations or the bounds")
    return res.x, offsets


def _jobs(system: _System, state: _State, need: np.ndarray) -> list[tuple[int, int, float]]:
    jobs = []
    for var in np.flatnonzero(need):
        comp = int(system.var_comp[var])
        if not state.low_done[var]:
            jobs.append((int(var), comp, 1.0))
        if not state.high_done[var]:
            jobs.append((int(var), comp, -1.0))
    return jobs


def _solve_jobs(blocks: _Blocks, state: _State, jobs: list, budget: int) -> tuple[int, int]:
    """Solve as many jobs as fit in ``budget`` variables in one stacked LP; returns (jobs done, LPs)."""
    taken, size = [], 0
    for job in jobs:
        n = blocks.cols(job[1]).size
        if taken and size + n > budget:
            break
        taken.append(job)
        size += n
    x, offsets = _stacked(blocks, taken)
    for k, (var, comp, sign) in enumerate(taken):
        cols = blocks.cols(comp)
        part = x[offsets[k]:offsets[k + 1]]
        state.see(cols, part)
        value = part[np.searchsorted(cols, var)]
        if sign > 0:
            state.low[var], state.low_done[var] = value, True
        else:
            state.high[var], state.high_done[var] = value, True
    return len(taken), 1


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
    for screen in range(0 if exact else 3):
        if need.sum() <= 2 * (screen + 1):  # solving these few directly is as cheap
            break
        lps += _screen(system, state, need, rng)
        still = need & (state.seen_high - state.seen_low < protection - TOL)
        if still.sum() > 0.75 * need.sum():
            break
        need = still
    blocks = _Blocks(system) if targets.any() else None
    while True:
        proven = (state.seen_high - state.seen_low >= protection - TOL) if not exact else np.zeros_like(targets)
        need = targets & ~proven & ~(state.low_done & state.high_done)
        if not need.any():
            return state, lps
        lps += _solve_jobs(blocks, state, _jobs(system, state, need), STACK)[1]


def _pin(a: sparse.csr_matrix, rhs: np.ndarray, is_eq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cells fixed by an equation in which every other cell is known (differencing), repeatedly.

    This is the naive attacker's whole method; it needs no LP, and it finds most of the
    breaches the greedy suppression meets.
    """
    n = a.shape[1]
    fixed = np.zeros(n, dtype=bool)
    values = np.zeros(n)
    pattern = (a != 0).astype(np.int64)
    while True:
        free = np.asarray(pattern @ (~fixed).astype(np.int64)).ravel()
        rows = np.flatnonzero(is_eq & (free == 1))
        if rows.size == 0:
            return fixed, values
        sub = a[rows].multiply(sparse.csr_matrix((~fixed).astype(float))).tocoo()
        sub.eliminate_zeros()
        var, first = np.unique(sub.col, return_index=True)
        row = rows[sub.row[first]]
        values[var] = (rhs[row] - a[row] @ values) / sub.data[first]
        fixed[var] = True


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
    pinned, pinned_values = _pin(a, rhs, is_eq)
    rhs = rhs - a[:, pinned] @ pinned_values[pinned]
    rest = ~pinned
    a = a[:, rest]
    keep = np.asarray((a != 0).sum(axis=1)).ravel() > 0
    a, rhs, is_eq = a[keep], rhs[keep], is_eq[keep]
    lower, upper = np.asarray(lower, float), np.asarray(upper, float)
    var_comp, row_comp = _components(a)
    system = _System(a, rhs, is_eq, lower[rest], upper[rest], var_comp, row_comp)
    linked = np.isin(var_comp, row_comp)
    targets = np.asarray(targets, bool)
    sub_targets = targets[rest]
    if focus is not None:
        sub_targets = sub_targets & np.isin(var_comp, var_comp[np.asarray(focus, bool)[rest]])
    state, lps = _bound(system, sub_targets & linked, protection, exact, seed)
    low = np.full(targets.size, np.nan)
    high = np.full(targets.size, np.nan)
    solved = pinned.copy()
    low[pinned] = high[pinned] = pinned_values[pinned]
    low[rest] = np.where(state.low_done, state.low, state.seen_low)
    high[rest] = np.where(state.high_done, state.high, state.seen_high)
    free = sub_targets & ~linked
    low[np.flatnonzero(rest)[free]] = system.lower[free]
    high[np.flatnonzero(rest)[free]] = system.upper[free]
    solved[rest] = (state.low_done & state.high_done) | free
    attacked = targets & pinned
    attacked[rest] = sub_targets
    component = np.full(targets.size, -1)
    component[rest] = var_comp
    return Bounds(np.where(attacked, low, np.nan), np.where(attacked, high, np.nan), solved, attacked, component, lps)
