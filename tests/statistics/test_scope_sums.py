"""The one-pass pieces behind ``mixed_scopes``: the region-moves count and the scope sums."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from folge.statistics import trend_mixed, trend_mixed_scopes
from folge.statistics._reml_batch import _crossproducts, scope_sums, scope_sums_of
from folge.statistics.mixed_scopes import _moved


def _moved_by_sets(region: np.ndarray, respondent: np.ndarray) -> int:
    """The definition: distinct (respondent, region) pairs less distinct respondents."""
    return len(set(zip(respondent.tolist(), region.tolist()))) - len(set(respondent.tolist()))


@pytest.mark.parametrize("movers", [0, 1, 7])
def test_moves_are_counted_as_distinct_pairs_less_people(movers):
    rng = np.random.default_rng(movers)
    respondent = rng.integers(0, 300, 2000)
    home = rng.integers(0, 9, 300)
    region = home[respondent]
    for person in rng.choice(np.unique(respondent), movers, replace=False):
        rows = np.flatnonzero(respondent == person)
        region[rows[len(rows) // 2:]] = (home[person] + 1 + np.arange(len(rows) - len(rows) // 2) % 2) % 9
    assert _moved(region, respondent) == _moved_by_sets(region, respondent)
    assert (_moved(region, respondent) > 0) == (movers > 0)


def test_a_person_in_three_regions_counts_twice():
    respondent = np.array([0, 0, 0, 1, 1, 2])
    region = np.array([0, 1, 2, 3, 3, 0])
    assert _moved(region, respondent) == 2 == _moved_by_sets(region, respondent)
    assert _moved(np.array([], dtype=int), np.array([], dtype=int)) == 0


def test_the_national_trend_names_the_movers_as_the_engine_does():
    rng = np.random.default_rng(4)
    rows = [(f"r{r}", r * 40 + i, f"w{w}", float(w), str(rng.choice(["a", "b"])))
            for r in range(4) for w in range(3) for i in range(40) if i < 3 or rng.random() < 0.8]
    frame = pd.DataFrame(rows, columns=["region", "respondent", "wave", "years", "role"])
    frame.loc[(frame["respondent"] < 3) & (frame["wave"] == "w2"), "region"] = "r1"  # three movers
    frame["score"] = 3 + 0.1 * frame["years"] + rng.normal(0, 0.5, len(frame))
    national = trend_mixed_scopes(frame).iloc[0]
    single = trend_mixed(frame, adjust_for=("role",))
    assert "3 respondent(s) answered in more than one region" in national["note"]
    assert national["note"] == single["note"].iloc[0]


@pytest.mark.parametrize("size", [50, 2**15 + 5])
def test_crossproducts_are_the_sums_of_outer_products_per_code(size):
    rng = np.random.default_rng(size)
    codes = rng.integers(0, size, 4000)
    w = rng.normal(size=(4000, 3))
    found = _crossproducts(codes, w, size)
    expected = np.zeros((size, 3, 3))
    np.add.at(expected, codes, w[:, :, None] * w[:, None, :])
    np.testing.assert_allclose(found, expected, rtol=1e-12, atol=1e-12)


def test_scope_sums_of_w_equal_scope_sums_of_x_and_y():
    rng = np.random.default_rng(2)
    x = np.column_stack([np.ones(500), rng.integers(0, 2, 500), rng.normal(size=500)])
    y = rng.normal(size=500)
    scope = rng.integers(0, 5, 500)
    person = pd.factorize(scope * 1000 + rng.integers(0, 60, 500))[0]
    a, b = scope_sums(y, x, scope, person, 5), scope_sums_of(np.column_stack([x, y]), scope, person, 5)
    for name in ("wtw", "ss", "m_values", "m_counts", "n", "n_persons", "n_repeated"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
