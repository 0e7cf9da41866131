r"""Sufficient cross-products of a linear mixed model with persons nested in regions.

The model (see :mod:`folge.statistics.mixed`) is

.. math:: y = X\beta + Z_g b + Z_p u + e,

with a person intercept :math:`u_p` for every person and ``q`` (0, 1 or 2) effects
:math:`b_r` for every region (columns of :math:`Z_g`: intercept, and optionally a slope
variable). Because a person belongs to one region, the random-effects cross-product
matrix is block diagonal by region, and inside a block the persons' part is diagonal
(:math:`1 + \theta_p^2 m_p` for a person with :math:`m_p` rows). Everything the REML
criterion needs is then a function of a few sums, which this module computes once:

* ``wtw``: :math:`W'W` with :math:`W = [X, y]` (``k = p + 1`` columns);
* per region ``r``: :math:`Z_{g,r}'Z_{g,r}` (``zz``) and :math:`Z_{g,r}'W_r` (``zw``);
* per person: :math:`s_p = \sum_{i \in p} w_i` and :math:`z_p = \sum_{i \in p} z_{g,i}`,
  summed by the person's number of rows ``m`` (few distinct values), i.e.
  ``ss[m] = sum s_p s_p'``, and per region ``zz_m[r, m] = sum z_p z_p'``,
  ``zs_m[r, m] = sum z_p s_p'``.

After this single pass, one evaluation of the criterion costs
O(regions x distinct m x k^2), independent of the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

__all__ = ["NestedCrossproducts", "nested_crossproducts"]


@dataclass(frozen=True)
class NestedCrossproducts:
    """The sums of the nested model (shapes: R regions, K distinct m, q, k = p + 1)."""

    n: int
    p: int
    q: int
    person_term: bool
    m_values: np.ndarray  # (K,) distinct rows-per-person
    m_counts: np.ndarray  # (K,) persons with that many rows
    wtw: np.ndarray  # (k, k)
    ss: np.ndarray  # (K, k, k)
    zz: np.ndarray  # (R, q, q)
    zw: np.ndarray  # (R, q, k)
    zz_m: np.ndarray  # (R, K, q, q)
    zs_m: np.ndarray  # (R, K, q, k)

    @property
    def n_regions(self) -> int:
        return self.zz.shape[0]

    @cached_property
    def by_m(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``ss``, ``zz_m`` and ``zs_m`` as (K, rest) matrices, for the batched criterion."""
        k = self.m_values.size
        return (self.ss.reshape(k, -1), self.zz_m.transpose(1, 0, 2, 3).reshape(k, -1),
                self.zs_m.transpose(1, 0, 2, 3).reshape(k, -1))


def _sum_by(codes: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Column sums of ``values`` (rows, c) within ``codes`` (0..size-1): (size, c)."""
    out = np.zeros((size, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(codes, weights=values[:, j], minlength=size)
    return out


def _outer_sums(codes: np.ndarray, a: np.ndarray, b: np.ndarray, size: int) -> np.ndarray:
    """Sums of the outer products a_i b_i' within ``codes``: (size, a cols, b cols)."""
    out = np.zeros((size, a.shape[1], b.shape[1]))
    for i in range(a.shape[1]):
        for j in range(b.shape[1]):
            out[:, i, j] = np.bincount(codes, weights=a[:, i] * b[:, j], minlength=size)
    return out


def _grouped_crossproducts(groups: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """values_g' values_g for each group g (one matrix product per group): (size, c, c)."""
    order = np.argsort(groups, kind="stable")
    bounds = np.searchsorted(groups[order], np.arange(size + 1))
    out = np.zeros((size, values.shape[1], values.shape[1]))
    for g in range(size):
        block = values[order[bounds[g]:bounds[g + 1]]]
        out[g] = block.T @ block
    return out


def nested_crossproducts(
    y: np.ndarray,
    x: np.ndarray,
    z_region: np.ndarray,
    region: np.ndarray,
    person: np.ndarray,
    *,
    person_term: bool = True,
) -> NestedCrossproducts:
    """One pass over the rows: the sums from which the REML criterion is evaluated.

    Parameters
    ----------
    y : (n,) float array, the response (finite).
    x : (n, p) float array, the fixed-effects design (full column rank).
    z_region : (n, q) float array, the region random-effect covariates (q may be 0).
    region : (n,) int array of region codes 0..R-1.
    person : (n,) int array of person codes 0..P-1; every person in one region.
    person_term : bool, whether the model has a person intercept.
    """
    n, p = x.shape
    q = z_region.shape[1]
    n_regions = int(region.max()) + 1
    n_persons = int(person.max()) + 1 if person.size else 0
    w = np.column_stack([x, y])
    n_m, s, zp = 1, np.zeros((0, p + 1)), np.zeros((0, q))
    m_values, m_index, person_region = np.ones(1), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if person_term:
        person_region = np.zeros(n_persons, dtype=np.int64)
        person_region[person] = region
        m_values, m_index = np.unique(np.bincount(person, minlength=n_persons), return_inverse=True)
        n_m = m_values.size
        s = _sum_by(person, w, n_persons)
        zp = _sum_by(person, z_region, n_persons)
    cell = person_region * n_m + m_index
    return NestedCrossproducts(
        n=n,
        p=p,
        q=q,
        person_term=person_term,
        m_values=m_values.astype(float),
        m_counts=np.bincount(m_index, minlength=n_m).astype(float),
        wtw=w.T @ w,
        ss=_grouped_crossproducts(m_index, s, n_m),
        zz=_outer_sums(region, z_region, z_region, n_regions),
        zw=_outer_sums(region, z_region, w, n_regions),
        zz_m=_outer_sums(cell, zp, zp, n_regions * n_m).reshape(n_regions, n_m, q, q),
        zs_m=_outer_sums(cell, zp, s, n_regions * n_m).reshape(n_regions, n_m, q, p + 1),
    )
