"""The fast suppression path gives what the plain full method gives.

:func:`folge.disclosure.suppress` prepares one :class:`~folge.disclosure._auditor.Auditor`,
audits only the hidden components that changed, spreads ties and blocks with sparse
products, and decides pruning candidates in batches. Each shortcut is checked here against
the plain method on random small linked tables: focused audits against full ones,
stacked verdicts against one-by-one ones, the sparse closure against the loop, and the
whole choice against a reference that re-audits everything every round and prunes one
cell at a time.
"""

from __future__ import annotations

import disclosure_study
import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from folge.disclosure import CellModel, Protection, TableSpec, add_table, audit, cell_key, suppress, with_margins
from folge.disclosure._audit import breach_positions
from folge.disclosure._auditor import Auditor
from folge.disclosure._lp import block_diag
from folge.disclosure._suppress import DisclosureError, _choose, _incidence, _usable, primary_cells

MIN_N = 3


def _linked_tables(seed: int) -> CellModel:
    """Two waves of a region × role table with margins, the waves' totals tied by a change
    table, a role breakdown tied inside each region and per-value rows blocked under a total."""
    rng = np.random.default_rng(seed)
    model = CellModel()
    regions, roles = [f"r{i}" for i in range(rng.integers(2, 4))], ["x", "y", "z"][: rng.integers(2, 4)]
    for wave in ("w1", "w2"):
        finest = pd.DataFrame([{"wave": wave, "region": r, "role": o, "n": int(rng.integers(0, 9))}
                               for r in regions for o in roles])
        frame = with_margins(finest, ["wave", "region", "role"], {"region": "all", "role": "all"})
        add_table(model, TableSpec(f"means {wave}", frame, dims=["wave", "region", "role"],
                                   margins={"region": "all", "role": "all"}, fixed={"kind": "respondents"},
                                   ties={"role": "region"}))
    values = pd.DataFrame([{"wave": "w1", "region": r, "value": v, "n": int(rng.integers(0, 6))}
                           for r in regions for v in (1, 2, 3)])
    values = with_margins(values, ["wave", "region", "value"], {"region": "all", "value": "all"})
    values["sensitive"] = values["value"].astype(str) == "all"
    add_table(model, TableSpec("item", values, dims=["wave", "region", "value"], margins={"region": "all", "value": "all"},
                               fixed={"kind": "answers"}, sensitive="sensitive", blocks=("value",)))
    return model


def _random_hidden(model: CellModel, rng: np.random.Generator, share: float = 0.35) -> np.ndarray:
    """Nonzero cells drawn at random, spread along ties and blocks (zeros are published)."""
    return model.close((rng.random(model.n_cells) < share) & (model.values() > 0))


def _close_by_loop(model: CellModel, hidden: np.ndarray) -> np.ndarray:
    """Ties and blocks spread one group at a time until nothing changes (the plain definition)."""
    hidden = hidden.copy()
    changed = True
    while changed:
        changed = False
        for group in model.ties:
            idx = list(group)
            if hidden[idx].any() and not hidden[idx].all():
                hidden[idx], changed = True, True
        for head, members in model.blocks:
            if hidden[head] and not hidden[list(members)].all():
                hidden[list(members)], changed = True, True
    return hidden


def _reference(model: CellModel, p: Protection, prune: int = 200) -> np.ndarray:
    """The suppression re-audited in full every round, pruned one cell at a time with full audits."""
    reasons = np.full(model.n_cells, "", dtype=object)
    primary = primary_cells(model, p)
    reasons[primary] = "primary"
    hidden = _close_by_loop(model, primary)
    reasons[hidden & ~primary] = "secondary"
    incidence, usable = _incidence(model), _usable(model, p, None)
    while not (result := audit(model, p, suppressed=hidden)).passed:
        chosen, stuck = _choose(model, hidden, usable & ~hidden, breach_positions(result), incidence, p.protection)
        if stuck and chosen.size == 0:
            raise DisclosureError("stuck")
        grown = hidden.copy()
        grown[chosen] = True
        new = _close_by_loop(model, grown)
        reasons[new & ~hidden] = "secondary"
        hidden = new
    values = model.values()
    order = np.flatnonzero(reasons == "secondary")
    for cell in order[np.argsort(-values[order], kind="stable")][:prune]:
        trial = hidden.copy()
        trial[cell] = False
        if not _close_by_loop(model, trial)[cell] and audit(model, p, suppressed=trial).passed:
            hidden, reasons[cell] = trial, ""
    return reasons


@pytest.mark.parametrize("seed", range(6))
def test_sparse_closure_equals_spreading_one_group_at_a_time(seed):
    model = _linked_tables(seed)
    rng = np.random.default_rng(100 + seed)
    assert model.ties and model.blocks
    for _ in range(20):
        start = rng.random(model.n_cells) < 0.15
        assert np.array_equal(model.close(start), _close_by_loop(model, start))
    grouped = np.zeros(model.n_cells, dtype=bool)
    for group in model.ties:
        grouped[list(group)] = True
    for _, members in model.blocks:
        grouped[list(members)] = True
    assert np.array_equal(model.grouped(), grouped)


@pytest.mark.parametrize("seed", range(8))
def test_focused_audit_equals_the_full_audit_on_its_components(seed):
    """Exact intervals of the focused components agree with the full audit's; nothing else is reported."""
    model = _linked_tables(seed)
    rng = np.random.default_rng(200 + seed)
    hidden = _random_hidden(model, rng)
    focus = hidden & (rng.random(model.n_cells) < 0.2)
    focus[np.flatnonzero(hidden)[0]] = True
    full = audit(model, MIN_N, suppressed=hidden, exact=True).intervals.set_index("position")
    auditor = Auditor(model, MIN_N)
    focused = auditor.run(hidden, exact=True, focus=focus).intervals.set_index("position")
    reached = auditor.reach(hidden, focus)
    targets = model.sensitive() & ~model.exempt()
    assert set(np.flatnonzero(focus & targets)) <= set(focused.index) <= set(full.index) & set(reached)
    assert len(focused) > 0
    both = full.loc[focused.index]
    np.testing.assert_allclose(focused["low"], both["low"], atol=1e-7)
    np.testing.assert_allclose(focused["high"], both["high"], atol=1e-7)
    assert focused["breach"].equals(both["breach"])
    # screened (not exact) audits find the same breaches in those components
    quick = auditor.run(hidden, focus=focus)
    full_breaches = set(breach_positions(audit(model, MIN_N, suppressed=hidden)))
    assert set(np.flatnonzero(focus)) & full_breaches <= set(breach_positions(quick)) <= full_breaches & set(reached)
    # focused on every hidden cell, it is the full audit
    everything = auditor.run(hidden, exact=True, focus=hidden).intervals
    pd.testing.assert_frame_equal(everything, audit(model, MIN_N, suppressed=hidden, exact=True).intervals)


@pytest.mark.parametrize("seed", range(4))
def test_a_prepared_auditor_gives_what_a_fresh_audit_gives(seed):
    """Reused across many hidden sets (and with an earlier edition), the auditor keeps no state between runs."""
    model = _linked_tables(seed)
    rng = np.random.default_rng(300 + seed)
    values = model.values()
    earlier = {model.keys[i]: values[i] + (1 if i % 5 == 0 else 0) for i in np.flatnonzero(rng.random(model.n_cells) < 0.3)}
    auditor = Auditor(model, MIN_N, published=earlier)
    for _ in range(5):
        hidden = _random_hidden(model, rng)
        mine = auditor.run(hidden, exact=True)
        fresh = audit(model, MIN_N, suppressed=hidden, published=earlier, exact=True)
        assert mine.notes == fresh.notes
        assert (mine.cells, mine.suppressed, mine.attacked) == (fresh.cells, fresh.suppressed, fresh.attacked)
        pd.testing.assert_frame_equal(mine.intervals, fresh.intervals)
        assert mine.breaches == fresh.breaches


@pytest.mark.parametrize("seed", range(4))
def test_stacked_verdicts_equal_one_audit_at_a_time(seed):
    model = _linked_tables(seed)
    rng = np.random.default_rng(400 + seed)
    auditor = Auditor(model, MIN_N)
    trials = []
    for _ in range(12):
        hidden = _random_hidden(model, rng, share=rng.uniform(0.2, 0.6))
        focus = hidden & (rng.random(model.n_cells) < 0.2)
        trials.append((hidden, focus))
    verdicts = [auditor.run(h, focus=f).passed if f.any() else True for h, f in trials]
    assert auditor.passes(trials) == verdicts
    assert True in verdicts and False in verdicts


@pytest.mark.parametrize("seed", range(10))
def test_suppress_chooses_what_the_full_method_chooses(seed):
    model = _linked_tables(seed)
    p = Protection(min_n=MIN_N)
    try:
        expected = _reference(model, p)
    except DisclosureError:
        with pytest.raises(DisclosureError):
            suppress(model, p)
        return
    result = suppress(model, p)
    assert result.reasons.tolist() == expected.tolist()
    assert audit(model, p, suppressed=result.hidden).passed


def test_suppress_chooses_what_the_full_method_chooses_on_the_scripted_study():
    """The study of the scripted attacks: several linked tables, ties, blocks, a panel."""
    model = disclosure_study.build()[0]
    p = Protection(min_n=disclosure_study.MIN_N)
    expected = _reference(model, p)
    result = suppress(model, p)
    assert (expected == "secondary").any()
    assert result.reasons.tolist() == expected.tolist()


def test_stacking_builds_what_scipy_block_diag_builds():
    rng = np.random.default_rng(5)
    for _ in range(50):
        parts = [sparse.random(int(rng.integers(0, 5)), int(rng.integers(1, 5)), density=0.5, format="csr",
                               random_state=int(rng.integers(1_000_000))) for _ in range(int(rng.integers(1, 6)))]
        mine, theirs = block_diag(parts), sparse.block_diag(parts, format="csr")
        assert mine.shape == theirs.shape
        assert np.array_equal(mine.indptr, theirs.indptr) and np.array_equal(mine.indices, theirs.indices)
        assert np.array_equal(mine.data, theirs.data)
