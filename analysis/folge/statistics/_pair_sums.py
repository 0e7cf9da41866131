r"""The scope sums of every pair of waves in every region, without stacking the pairs' rows.

The change model of a pair of waves (a, b) in a region is fitted from the sums of
:class:`~folge.statistics._reml_batch.ScopeSums` over the rows of waves a and b there,
with ``time`` = 1 in wave b (:func:`~folge.statistics.mixed_scopes.change_mixed_scopes`).
Stacking the rows of all 2K - 3 pairs of K waves copies every row about 3.4 times (K = 10)
and sorts the copy. Here the rows are sorted by region once; each pair then takes its
rows from that order, which keeps the rows of a region in the order of ``frame``. Every
sum is therefore formed from the same numbers in the same order as from the stacked rows
(so the results are identical to the last bit):

.. math:: W_{pr}'W_{pr} = \sum_{i \in r,\ \mathrm{wave}_i \in \{a, b\}} w_i w_i', \qquad
   s_j = \sum_{i \in j} w_i, \qquad \sum_{j: m_j = m} s_j s_j',

with :math:`w_i = [x_i, y_i]`, persons :math:`j` = (region, respondent) within the pair,
ordered by their first row, and :math:`m_j` their rows in the pair.

References: Bates, Maechler, Bolker & Walker (2015), lme4, JSS 67(1) (the Woodbury form
of the criterion in :mod:`folge.statistics._reml_batch`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from folge.statistics._reml_batch import ScopeSums, _crossproducts, block_crossproducts, distinct_counts

__all__ = ["pair_scope_sums"]


@dataclass(frozen=True)
class _RegionOrder:
    """The rows sorted by region (stable: ``frame`` order within a region)."""

    w: np.ndarray  # (N, k) [x, y], C-contiguous
    wave: np.ndarray  # (N,) wave codes
    region: np.ndarray  # (N,) region codes, ascending
    person_key: np.ndarray  # (N,) int64, one value per (region, respondent)


@dataclass(frozen=True)
class _PairRows:
    """One pair's rows (positions in the region order) and its persons, numbered by their first row."""

    take: np.ndarray  # (n,) positions of the rows in the region order
    later: int  # wave code of the pair's later wave (time = 1)
    rows_per_region: np.ndarray  # (R,)
    person: np.ndarray  # (n,) person codes 0..P-1
    rows_per_person: np.ndarray  # (P,)
    person_region: np.ndarray  # (P,)


def _region_order(w: np.ndarray, wave_codes: np.ndarray, region_codes: np.ndarray,
                  respondent_codes: np.ndarray) -> _RegionOrder:
    """Sort the rows by region once (a stable sort keeps ``frame`` order within each region)."""
    order = np.argsort(region_codes, kind="stable")
    region = region_codes[order]
    base = int(respondent_codes.max(initial=0)) + 1
    person_key = region.astype(np.int64) * base + respondent_codes[order]
    return _RegionOrder(w=w[order], wave=wave_codes[order], region=region, person_key=person_key)


def _pair_rows(rows: _RegionOrder, a: int, b: int, n_regions: int) -> _PairRows:
    """The rows of waves ``a`` and ``b`` (time = 1 in ``b``), their regions and their persons."""
    take = np.flatnonzero((rows.wave == a) | (rows.wave == b))
    region = rows.region[take]
    person = pd.factorize(rows.person_key[take])[0]
    n_persons = int(person.max()) + 1 if person.size else 0
    person_region = np.zeros(n_persons, dtype=np.int64)
    person_region[person] = region
    return _PairRows(take=take, later=b, rows_per_region=np.bincount(region, minlength=n_regions), person=person,
                     rows_per_person=np.bincount(person, minlength=n_persons), person_region=person_region)


def _pair_w(rows: _RegionOrder, pair: _PairRows) -> np.ndarray:
    """[x, y] of the pair's rows, time = 1 in the later wave (a new C-contiguous array)."""
    w = rows.w[pair.take]
    w[:, 1] = rows.wave[pair.take] == pair.later
    return w


def _person_sums(w: np.ndarray, pair: _PairRows) -> np.ndarray:
    """s_j = the sum of [x, y] over person j's rows, one row per person (P, k)."""
    size = pair.rows_per_person.size
    return np.column_stack([np.bincount(pair.person, weights=w[:, j], minlength=size) for j in range(w.shape[1])])


def _pair_sums(rows: _RegionOrder, pair: _PairRows, m_values: np.ndarray, lookup: np.ndarray,
               n_regions: int) -> ScopeSums:
    """The sums of one pair's scopes (one scope a region), with the rows-per-person values of all pairs."""
    w = _pair_w(rows, pair)
    k, size_m = w.shape[1], m_values.size
    cell = pair.person_region * size_m + lookup[pair.rows_per_person]
    ss = _crossproducts(cell, _person_sums(w, pair), n_regions * size_m).reshape(n_regions, size_m, k, k)
    return ScopeSums(
        wtw=block_crossproducts(w, pair.rows_per_region),
        ss=ss,
        m_values=m_values,
        m_counts=np.bincount(cell, minlength=n_regions * size_m).reshape(n_regions, -1).astype(float),
        n=pair.rows_per_region,
        n_persons=np.bincount(pair.person_region, minlength=n_regions),
        n_repeated=np.bincount(pair.person_region[pair.rows_per_person > 1], minlength=n_regions),
    )


def _concatenated(parts: list[ScopeSums], m_values: np.ndarray) -> ScopeSums:
    """The pairs' sums one after the other (scope = pair x n_regions + region)."""
    return ScopeSums(*(np.concatenate([getattr(part, name) for part in parts])
                       for name in ("wtw", "ss")), m_values,
                     *(np.concatenate([getattr(part, name) for part in parts])
                       for name in ("m_counts", "n", "n_persons", "n_repeated")))


def pair_scope_sums(w: np.ndarray, wave_codes: np.ndarray, pairs: list[tuple[int, int]], region_codes: np.ndarray,
                    respondent_codes: np.ndarray, n_regions: int) -> ScopeSums:
    """The sums of every scope pair x region, as :func:`~folge.statistics._reml_batch.scope_sums_of`
    gives them for the pairs' rows stacked.

    Parameters
    ----------
    w : (N, k) array, ``[x, y]`` per row with the time column (column 1) 0; not changed.
    wave_codes : (N,) wave code of each row.
    pairs : (from, to) wave codes; a code no row has gives a pair without those rows.
    region_codes : (N,) region codes 0..n_regions-1.
    respondent_codes : (N,) respondent codes 0..; a person is a (region, respondent) within a pair.
    n_regions : number of regions.

    Returns
    -------
    ScopeSums
        ``len(pairs) * n_regions`` scopes, scope ``i * n_regions + r`` = pair i in region r,
        with ``time`` = 1 in the pair's later wave (see the module docstring).

    Examples
    --------
    >>> w = np.array([[1.0, 0, 2.0], [1.0, 0, 3.0], [1.0, 0, 5.0]])
    >>> sums = pair_scope_sums(w, np.array([0, 1, 1]), [(0, 1)], np.zeros(3, dtype=int), np.array([0, 0, 1]), 1)
    >>> sums.wtw[0, 1].tolist(), sums.n_repeated.tolist()
    ([2.0, 2.0, 8.0], [1])
    """
    rows = _region_order(w, wave_codes, region_codes, respondent_codes)
    pair_rows = [_pair_rows(rows, a, b, n_regions) for a, b in pairs]
    m_values, lookup = distinct_counts(np.concatenate([pair.rows_per_person for pair in pair_rows]))
    m_values = m_values.astype(float)
    return _concatenated([_pair_sums(rows, pair, m_values, lookup, n_regions) for pair in pair_rows], m_values)
