"""The pair sums behind ``change_mixed_scopes`` equal the sums of the pairs' rows stacked, to the last bit.

The reference here is the definition: copy the rows of every pair of waves one after the
other (scope = pair x region, time = 1 in the later wave) and take
``scope_sums_of`` of the copy, as ``change_mixed_scopes`` did before it took each pair's
rows from one sort by region. The batched fits are only as identical as their inputs, so
every array must be equal, not merely close.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from folge.statistics._pair_sums import pair_scope_sums
from folge.statistics._reml_batch import _crossproducts, block_crossproducts, distinct_counts, scope_sums_of

FIELDS = ("wtw", "ss", "m_values", "m_counts", "n", "n_persons", "n_repeated")


def _stacked_sums(w, wave_codes, pairs, region_codes, respondent_codes, n_regions):
    """The pairs' rows copied one after the other, and ``scope_sums_of`` of the copy."""
    takes = [np.flatnonzero((wave_codes == a) | (wave_codes == b)) for a, b in pairs]
    take = np.concatenate(takes)
    pair_of = np.repeat(np.arange(len(pairs)), [t.size for t in takes])
    stacked = w[take]
    stacked[:, 1] = wave_codes[take] == np.array([b for _, b in pairs])[pair_of]
    scope = pair_of * n_regions + region_codes[take]
    person = pd.factorize(scope.astype(np.int64) * (int(respondent_codes.max(initial=0)) + 1)
                          + respondent_codes[take])[0]
    return scope_sums_of(stacked, scope, person, len(pairs) * n_regions)


def _rows(seed: int, n: int = 3000, n_regions: int = 7, n_waves: int = 5):
    """Shuffled rows of a panel: repeated persons, a person twice in one wave, movers,
    a wave one region lacks, a region of one person, and scores that are not exact in binary."""
    rng = np.random.default_rng(seed)
    region = rng.integers(0, n_regions - 1, n)
    respondent = rng.integers(0, n // 3, n)  # about three rows a person: most answer in several waves
    wave = rng.integers(0, n_waves, n)
    wave[(region == 2) & (wave == 3)] = 1  # region 2 has no answers in wave 3
    region[:3], respondent[:3], wave[:3] = n_regions - 1, n, [0, 1, 1]  # the last region: one person, three rows
    role = rng.integers(0, 3, n)
    score = rng.integers(1, 6, n) / 3 + rng.normal(0, 0.1, n)
    w = np.column_stack([np.ones(n), np.zeros(n), role == 1, role == 2, score])
    order = rng.permutation(n)
    return w[order], wave[order], region[order], respondent[order], n_regions


def _all_pairs(n_waves: int = 5):
    return [(i - 1, i) for i in range(1, n_waves)] + [(0, i) for i in range(2, n_waves)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pair_sums_equal_the_stacked_sums_bit_for_bit(seed):
    w, wave, region, respondent, n_regions = _rows(seed)
    pairs = _all_pairs()
    got = pair_scope_sums(w, wave, pairs, region, respondent, n_regions)
    expected = _stacked_sums(w, wave, pairs, region, respondent, n_regions)
    for name in FIELDS:
        a, b = getattr(got, name), getattr(expected, name)
        assert a.dtype == b.dtype and a.shape == b.shape, name
        assert np.array_equal(a, b), name
    assert got.m_values.max() >= 3  # a person with more rows than waves in a pair is covered


def test_pair_sums_cover_missing_waves_and_single_persons():
    w, wave, region, respondent, n_regions = _rows(4)
    pairs = [(2, 3), (0, -2), (-2, -2)]  # -2: a wave no row has
    got = pair_scope_sums(w, wave, pairs, region, respondent, n_regions)
    expected = _stacked_sums(w, wave, pairs, region, respondent, n_regions)
    for name in FIELDS:
        assert np.array_equal(getattr(got, name), getattr(expected, name)), name
    scopes = got.n.reshape(len(pairs), n_regions)
    assert scopes[2].sum() == 0 and (got.wtw[2 * n_regions:] == 0).all()  # no rows: zero sums
    assert np.array_equal(scopes[1], np.bincount(region[wave == 0], minlength=n_regions))
    assert (got.wtw[n_regions:2 * n_regions, 1] == 0).all()  # the later wave is missing: time is 0 throughout
    one = got.n_persons.reshape(len(pairs), n_regions)[:, n_regions - 1]
    assert one.tolist() == [0, 1, 0]  # the one-person region has a row in wave 0 only among these pairs


def test_pair_sums_of_no_rows_are_empty():
    empty = np.zeros(0, dtype=np.int64)
    got = pair_scope_sums(np.zeros((0, 3)), empty, [(0, 1)], empty, empty, 2)
    expected = _stacked_sums(np.zeros((0, 3)), empty, [(0, 1)], empty, empty, 2)
    for name in FIELDS:
        a, b = getattr(got, name), getattr(expected, name)
        assert a.shape == b.shape and np.array_equal(a, b), name


@pytest.mark.parametrize("rows", [[1, 2, 2, 5, 1, 3], [4], []])
def test_distinct_counts_are_numpys_unique_with_its_inverse(rows):
    rows = np.array(rows, dtype=np.int64)
    values, lookup = distinct_counts(rows)
    expected_values, expected_inverse = np.unique(rows, return_inverse=True)
    assert np.array_equal(values, expected_values)
    assert np.array_equal(lookup[rows], expected_inverse.ravel())


def test_block_crossproducts_are_the_crossproducts_of_consecutive_blocks():
    rng = np.random.default_rng(8)
    w = rng.normal(size=(40, 3))
    counts = np.array([5, 0, 30, 5])
    got = block_crossproducts(w, counts)
    assert (got[1] == 0).all()
    bounds = np.concatenate([[0], np.cumsum(counts)])
    for code in (0, 2, 3):
        np.testing.assert_allclose(got[code], w[bounds[code]:bounds[code + 1]].T @ w[bounds[code]:bounds[code + 1]])
    assert np.array_equal(got, _crossproducts(np.repeat(np.arange(4), counts), w, 4))
