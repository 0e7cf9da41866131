"""Scripted attacks on a study with a 3-respondent region: each succeeds against the old
per-table suppression and fails after :func:`folge.disclosure.suppress`."""

from __future__ import annotations

import disclosure_study as study
import pytest
from disclosure_study import MIN_N, REGIONS, build, key, naive, shown

from folge.disclosure import Protection, audit, suppress


@pytest.fixture(scope="module")
def model():
    return build()[0]


@pytest.fixture(scope="module")
def protected(model):
    result = suppress(model, MIN_N)
    assert result.audit.passed
    return result.suppressed()


def _difference(model, suppressed, total, parts):
    """total minus the published parts, or None when any of them is hidden."""
    values = [shown(model, suppressed, k) for k in (total, *parts)]
    return None if any(v is None for v in values) else values[0] - sum(values[1:])


def _breach_at(result, k):
    hits = [b for b in result.breaches if tuple(sorted(b["cell"].items())) == k]
    return hits[0] if hits else None


ITEM = dict(item="q1", wave="w1", kind="answers")
K1 = dict(construct="k", wave="w1", role="all", kind="respondents")
K2 = dict(construct="k", wave="w2", role="all", kind="respondents")
R1 = dict(wave="w1", role="all", kind="responded")


def test_total_minus_parts(model, protected):
    n = lambda r: key(**ITEM, value="all", region=r)  # noqa: E731
    # old rule, per answer value: region a's rows hidden, and per value the next-smallest
    # region's row — but every other region's item n stays printed on its other rows
    old = {"item_shares": {n("a")} | {key(**ITEM, value=v, region="a") for v in range(1, 6)}
           | {key(**ITEM, value=v, region=r) for v, r in zip(range(1, 6), "cbcec")}}
    hidden = naive(model, old)
    others = [n(r) for r in REGIONS if r != "a"]
    assert _difference(model, hidden, n("all"), others) == 3  # 92 - 23 - 19 - 23 - 24
    breach = _breach_at(audit(model, MIN_N, suppressed=hidden), n("a"))
    assert breach is not None and breach["low"] == breach["high"] == 3
    assert _difference(model, protected, n("all"), others) is None
    assert _breach_at(audit(model, MIN_N, suppressed=protected), n("a")) is None


def test_same_count_in_two_tables(model, protected):
    n = lambda r: key(**K1, region=r)  # noqa: E731
    # construct_means hid a (3) and c (21); criteria hid a and d on its own
    old = {"construct_means": {n("a"), n("c")}, "criteria": {n("a"), n("d")}, "change n_from": {n("a"), n("b")}}
    hidden = naive(model, old)
    assert n("c") not in hidden  # printed in criteria.csv
    others = [n(r) for r in REGIONS if r != "a"]
    assert _difference(model, hidden, n("all"), others) == 3
    assert _breach_at(audit(model, MIN_N, suppressed=hidden), n("a"))["width"] == 0
    assert _difference(model, protected, n("all"), others) is None
    assert audit(model, MIN_N, suppressed=protected).passed


def test_wave_against_the_next(model, protected):
    n = lambda r: key(**K2, region=r)  # noqa: E731
    # w2: construct_means hid a and c; the change row w1 -> w2 of region c printed n_to = 22
    old = {"construct_means": {n("a"), n("c")}, "criteria": {n("a"), n("c")}, "change n_to": {n("a")}}
    hidden = naive(model, old)
    assert shown(model, hidden, n("c")) == 22
    others = [n(r) for r in REGIONS if r != "a"]
    assert _difference(model, hidden, n("all"), others) == 3
    assert _breach_at(audit(model, MIN_N, suppressed=hidden), n("a"))["high"] == 3
    assert _difference(model, protected, n("all"), others) is None
    assert _breach_at(audit(model, MIN_N, suppressed=protected), n("a")) is None


def test_panel_against_response_rates(model, protected):
    n = lambda r: key(**R1, region=r)  # noqa: E731
    # response_rates hid a and b; the panel printed n_from of b (it hid a and c)
    old = {"response_rates": {n("a"), n("b")}, "panel n_from": {n("a"), n("c")}}
    hidden = naive(model, old)
    others = [n(r) for r in REGIONS if r != "a"]
    assert _difference(model, hidden, n("all"), others) == 3
    assert _breach_at(audit(model, MIN_N, suppressed=hidden), n("a"))["width"] == 0
    assert _difference(model, protected, n("all"), others) is None
    assert _breach_at(audit(model, MIN_N, suppressed=protected), n("a")) is None


def test_retained_is_bounded_by_n_from(model, protected):
    """The panel's retained count of the small region is at most its n_from: both hidden."""
    retained = key(kind="retained", from_wave="w1", to_wave="w2", region="a")
    assert retained in protected and key(**R1, region="a") in protected


def test_role_cells_of_one_and_two(model, protected):
    n = lambda role: key(construct="k", wave="w1", region="b", role=role, kind="respondents")  # noqa: E731
    old = {"construct_means": {n("y"), n("z")}}  # only the two small role cells (2 and 1)
    hidden = naive(model, old)
    # y + z = b's total - x = 3, and each hidden cell is at least 1: y in [1, 2]
    assert _difference(model, hidden, n("all"), [n("x")]) == 3
    assert _breach_at(audit(model, MIN_N, suppressed=hidden), n("y"))["width"] <= 1
    result = audit(model, MIN_N, suppressed=protected)
    assert result.passed and n("x") in protected  # the breakdown is hidden as a whole


def test_markers_that_tell_primary_pin_values():
    from folge.disclosure import CellModel, cell_key

    m = CellModel()
    total = m.add_cell(cell_key(region="all", kind="trust"), 16, table="trust_matrix")
    parts = [m.add_cell(cell_key(region=r, kind="trust"), 4, table="trust_matrix") for r in "abcd"]
    m.add_sum(total, parts, label="trust_matrix: regions")
    marked = {m.keys[p]: "primary" for p in parts}
    told = audit(m, Protection(min_n=MIN_N, marker="primary"), suppressed=marked)
    assert len(told.breaches) == 4 and all(b["low"] == b["high"] == 4 for b in told.breaches)
    hidden = audit(m, Protection(min_n=MIN_N), suppressed=marked)
    assert hidden.passed and hidden.smallest_interval == 12  # each in [1, 13]
    chosen = suppress(m, MIN_N)
    assert set(chosen.suppressed()) == {m.keys[p] for p in parts}


def test_audit_of_the_naive_site_finds_every_attack(model):
    """All four differencing attacks at once, on the same published output."""
    old = {
        "item_shares": {key(**ITEM, value="all", region="a")} | {key(**ITEM, value=v, region="a") for v in range(1, 6)},
        "construct_means": {key(**K1, region="a"), key(**K1, region="c"), key(**K2, region="a"), key(**K2, region="c")},
        "criteria": {key(**K1, region="a"), key(**K1, region="d"), key(**K2, region="a"), key(**K2, region="c")},
        "response_rates": {key(**R1, region="a"), key(**R1, region="b")},
    }
    result = audit(model, MIN_N, suppressed=naive(model, old))
    pinned = {tuple(sorted(b["cell"].items())) for b in result.breaches if b["width"] == 0}
    assert {key(**ITEM, value="all", region="a"), key(**K1, region="a"), key(**K2, region="a"),
            key(**R1, region="a")} <= pinned


def test_protection_level_above_min_n(model):
    result = suppress(model, Protection(min_n=MIN_N, level=8))
    assert result.audit.passed and result.audit.smallest_interval >= 8
    assert audit(model, Protection(min_n=MIN_N, level=8), suppressed=result.suppressed()).passed


def test_study_counts_are_consistent():
    model, positions = build()
    assert not model.check()
    assert set(positions) == {s.name for s in study.specs()}
