"""Property tests on random small two-way tables with margins against a brute-force attacker.

The brute-force attacker enumerates every table of whole numbers consistent with what is
published: the shown cells, the margins (row, column and grand totals), and what the
marker says (zeros are published, so a hidden cell is at least 1). On integers the
interval of a hidden cell is ``max - min`` over those tables — the same definition the
LP audit uses on real numbers. For a two-way table with margins the constraint matrix is
totally unimodular, so the LP bounds are attained by whole-number tables and the two
intervals must coincide; for larger tables the LP interval can only be wider.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from folge.disclosure import CellModel, TableSpec, add_table, audit, cell_key, suppress, with_margins

MIN_N = 3


@st.composite
def tables(draw):
    rows = draw(st.integers(2, 3))
    cols = draw(st.integers(2, 3))
    counts = draw(st.lists(st.integers(0, 5), min_size=rows * cols, max_size=rows * cols))
    return np.asarray(counts).reshape(rows, cols)


def _model(counts: np.ndarray) -> CellModel:
    rows, cols = counts.shape
    finest = pd.DataFrame([{"r": f"r{i}", "c": f"c{j}", "n": int(counts[i, j])}
                           for i in range(rows) for j in range(cols)])
    frame = with_margins(finest, ["r", "c"], {"r": "all", "c": "all"})
    model = CellModel()
    add_table(model, TableSpec("t", frame, dims=["r", "c"], margins={"r": "all", "c": "all"}))
    return model


def _full(counts: np.ndarray) -> dict:
    """Every cell of the table with margins: key → count."""
    rows, cols = counts.shape
    out = {cell_key(r=f"r{i}", c=f"c{j}"): counts[i, j] for i in range(rows) for j in range(cols)}
    out.update({cell_key(r=f"r{i}", c="all"): counts[i].sum() for i in range(rows)})
    out.update({cell_key(r="all", c=f"c{j}"): counts[:, j].sum() for j in range(cols)})
    out[cell_key(r="all", c="all")] = counts.sum()
    return out


def _ranges(counts: np.ndarray, hidden: set, floor: int, bound: int) -> list[tuple[int, int, range]]:
    """Hidden inner cells and the values to try: up to a shown row or column total, else ``bound``."""
    rows, cols = counts.shape
    out = []
    for i, j in itertools.product(range(rows), range(cols)):
        if cell_key(r=f"r{i}", c=f"c{j}") in hidden:
            top = bound
            if cell_key(r=f"r{i}", c="all") not in hidden:
                top = min(top, int(counts[i].sum()))
            if cell_key(r="all", c=f"c{j}") not in hidden:
                top = min(top, int(counts[:, j].sum()))
            out.append((i, j, range(floor, top + 1)))
    return out


def brute_force(counts: np.ndarray, hidden: set, *, floor: int = 1) -> dict:
    """Integer min and max of every hidden cell over all tables consistent with the publication.

    Every combination of whole numbers for the hidden inner cells is tried at once (numpy);
    the margins follow from them and must match where shown and respect ``floor`` where hidden.
    """
    rows, cols = counts.shape
    bound = int(counts.sum()) + 2 * MIN_N  # far enough: reaching it means "not bounded above"
    inner = _ranges(counts, hidden, floor, bound)
    grid = np.stack(np.meshgrid(*[np.asarray(r) for _, _, r in inner], indexing="ij"), -1).reshape(-1, len(inner)) \
        if inner else np.zeros((1, 0), dtype=int)
    tables = np.repeat(counts[None].astype(int), grid.shape[0], axis=0)
    for col, (i, j, _) in enumerate(inner):
        tables[:, i, j] = grid[:, col]
    cells = {cell_key(r=f"r{i}", c=f"c{j}"): tables[:, i, j] for i in range(rows) for j in range(cols)}
    cells.update({cell_key(r=f"r{i}", c="all"): tables[:, i].sum(axis=1) for i in range(rows)})
    cells.update({cell_key(r="all", c=f"c{j}"): tables[:, :, j].sum(axis=1) for j in range(cols)})
    cells[cell_key(r="all", c="all")] = tables.sum(axis=(1, 2))
    truth = _full(counts)
    ok = np.ones(grid.shape[0], dtype=bool)
    for k, v in cells.items():
        ok &= (v >= floor) if k in hidden else (v == truth[k])
    return {k: (int(cells[k][ok].min()), int(cells[k][ok].max())) for k in hidden}


def _small_enough(counts, hidden) -> bool:
    bound = int(counts.sum()) + 2 * MIN_N
    return int(np.prod([len(r) for _, _, r in _ranges(counts, hidden, 1, bound)])) <= 200_000


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_after_suppression_no_brute_force_attacker_pins_a_cell(counts):
    model = _model(counts)
    result = suppress(model, MIN_N)
    hidden = set(result.suppressed())
    assume(hidden and _small_enough(counts, hidden))
    for key, (low, high) in brute_force(counts, hidden).items():
        assert high - low >= MIN_N, f"{dict(key)} pinned to [{low}, {high}] in\n{counts}"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.data())
def test_lp_intervals_equal_brute_force_on_two_way_tables(counts, data):
    model = _model(counts)
    values = model.values()
    pick = data.draw(st.lists(st.booleans(), min_size=model.n_cells, max_size=model.n_cells))
    hidden = {model.keys[i] for i, p in enumerate(pick) if p and values[i] > 0}
    assume(hidden and _small_enough(counts, hidden))
    result = audit(model, MIN_N, suppressed=hidden, exact=True)
    brute = brute_force(counts, hidden)
    bound = int(counts.sum()) + 2 * MIN_N
    for pos, low, high in result.intervals[["position", "low", "high"]].itertuples(index=False):
        b_low, b_high = brute[model.keys[pos]]
        assert low == b_low
        assert high == b_high or (np.isinf(high) and b_high >= bound)
    if result.passed:
        assert all(h - lo >= MIN_N for lo, h in brute.values())
    else:
        assert any(h - lo < MIN_N for lo, h in brute.values())
