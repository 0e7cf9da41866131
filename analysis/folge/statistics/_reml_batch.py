r"""Many small mixed models at once: ``y ~ x + (1 | person)`` in every scope, vectorised.

A region's own trend and change (``score ~ time + role + (1 | respondent)``) has one
variance parameter, :math:`\theta = \sigma_u/\sigma`. With :math:`m_j` rows of person
:math:`j` and :math:`s_j = \sum_{i \in j} w_i` (``w = [x, y]``), Woodbury gives

.. math:: W'V_\theta^{-1}W = W'W - \sum_m \frac{\theta^2}{1 + \theta^2 m} \sum_{j: m_j = m} s_j s_j',
   \qquad \log|V_\theta| = \sum_j \log(1 + \theta^2 m_j),

so every scope's REML criterion (lme4's, profiled over :math:`\beta` and :math:`\sigma`; see
:mod:`folge.statistics._reml_criterion`) is a function of ``W'W`` and ``sum s s'`` per
distinct ``m``, computed here for all scopes in one pass over the rows. The criterion is
then minimised over :math:`\theta \ge 0` for all scopes together (a grid, then golden
section, then the boundary :math:`\theta = 0` when no worse, as the single-scope engine
does), and Satterthwaite's df for the time coefficient come from the same numerical
derivatives (Richardson extrapolation) that :mod:`folge.statistics._reml_satterthwaite`
uses, batched. The same sums, added over a region's scopes, are the cross-products the
nested engine needs for the national model (:func:`national_crossproducts`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from folge.statistics._reml_data import NestedCrossproducts

__all__ = ["ScopeSums", "ScopeFits", "block_crossproducts", "distinct_counts", "fit_scopes", "national_crossproducts",
           "scope_sums", "scope_sums_of"]

_LOG_2PI = math.log(2.0 * math.pi)
_GRID = np.linspace(0.0, 0.985, 25)  # u = theta / (1 + theta): theta from 0 to about 65
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
_SMALL_DIAGONAL, _TIE = 0.05, 1e-7
_ZERO_TOL = math.sqrt(np.finfo(float).eps / 7e-7)
_ALIAS_TOL = 1e-9


@dataclass(frozen=True)
class ScopeSums:
    """Per-scope sums (S scopes, K distinct rows-per-person, k = p + 1 columns of [x, y])."""

    wtw: np.ndarray  # (S, k, k)
    ss: np.ndarray  # (S, K, k, k)
    m_values: np.ndarray  # (K,)
    m_counts: np.ndarray  # (S, K) persons with that many rows
    n: np.ndarray  # (S,) rows
    n_persons: np.ndarray  # (S,)
    n_repeated: np.ndarray  # (S,) persons with more than one row


@dataclass(frozen=True)
class ScopeFits:
    """What the batched fit gives per scope (NaN where the scope could not be fitted)."""

    estimate: np.ndarray
    se: np.ndarray
    df: np.ndarray
    theta: np.ndarray
    kept: np.ndarray  # (S, p) columns kept (full rank, left to right)
    person_term: np.ndarray  # (S,) bool


def block_crossproducts(sorted_w: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """sum of w_i w_i' over consecutive blocks of rows: (size, k, k), one matrix product per block.

    ``sorted_w`` holds the rows of code 0 first, then those of code 1, ...; ``counts`` the
    number of rows of each code (zeros give zero matrices).
    """
    bounds = np.concatenate([[0], np.cumsum(counts)])
    out = np.zeros((counts.size, sorted_w.shape[1], sorted_w.shape[1]))
    for code in np.flatnonzero(counts):
        block = sorted_w[bounds[code]:bounds[code + 1]]
        out[code] = block.T @ block
    return out


def _crossproducts(codes: np.ndarray, w: np.ndarray, size: int) -> np.ndarray:
    """sum of w_i w_i' within each code: (size, k, k), one matrix product per code (rows sorted once)."""
    # the same order either way; as int16 numpy's stable sort is a radix sort (linear in the rows)
    order = np.argsort(codes.astype(np.int16) if size <= 2**15 else codes, kind="stable")
    return block_crossproducts(w[order], np.bincount(codes, minlength=size))


def distinct_counts(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``rows`` (small non-negative integers), ascending, and a lookup
    from a value to its position among them: ``np.unique(rows, return_inverse=True)`` is
    ``(values, lookup[rows])``, without sorting the rows."""
    present = np.bincount(rows) > 0 if rows.size else np.zeros(0, dtype=bool)
    return np.flatnonzero(present), np.cumsum(present) - 1


def scope_sums(y: np.ndarray, x: np.ndarray, scope: np.ndarray, person: np.ndarray, n_scopes: int) -> ScopeSums:
    """One pass: the sums of every scope. ``person`` codes are 0..P-1, each within one scope."""
    return scope_sums_of(np.column_stack([x, y]), scope, person, n_scopes)


def scope_sums_of(w: np.ndarray, scope: np.ndarray, person: np.ndarray, n_scopes: int) -> ScopeSums:
    """:func:`scope_sums` of ``w = [x, y]`` as one array (a caller that builds it saves a copy)."""
    n_persons_all = int(person.max()) + 1 if person.size else 0
    rows = np.bincount(person, minlength=n_persons_all)
    person_scope = np.zeros(n_persons_all, dtype=np.int64)
    person_scope[person] = scope
    m_values, lookup = distinct_counts(rows)
    m_index = lookup[rows]
    s = np.column_stack([np.bincount(person, weights=w[:, j], minlength=n_persons_all) for j in range(w.shape[1])])
    cell = person_scope * m_values.size + m_index
    ss = _crossproducts(cell, s, n_scopes * m_values.size).reshape(n_scopes, m_values.size, w.shape[1], w.shape[1])
    return ScopeSums(
        wtw=_crossproducts(scope, w, n_scopes),
        ss=ss,
        m_values=m_values.astype(float),
        m_counts=np.bincount(cell, minlength=n_scopes * m_values.size).reshape(n_scopes, -1).astype(float),
        n=np.bincount(scope, minlength=n_scopes),
        n_persons=np.bincount(person_scope, minlength=n_scopes),
        n_repeated=np.bincount(person_scope[rows > 1], minlength=n_scopes),
    )


def full_rank_columns(xtx: np.ndarray) -> np.ndarray:
    """Columns kept left to right while they add to the rank, per scope: (S, p) bool.

    A column is dropped when its residual sum of squares after the kept columns before it
    is below 1e-9 of its own (as ``lm``/``lmer`` drop aliased columns).
    """
    size, p = xtx.shape[:2]
    kept = np.zeros((size, p), dtype=bool)
    for j in range(p):
        own = xtx[:, j, j]
        if j == 0:
            kept[:, 0] = own > 0
            continue
        mask = kept[:, :j]
        block = np.where(mask[:, :, None] & mask[:, None, :], xtx[:, :j, :j], 0.0)
        block[:, np.arange(j), np.arange(j)] = np.where(mask, xtx[:, np.arange(j), np.arange(j)], 1.0)
        cross = np.where(mask, xtx[:, :j, j], 0.0)
        with np.errstate(all="ignore"):
            solved = np.linalg.solve(block, cross[:, :, None])[:, :, 0]
        residual = own - np.einsum("sj,sj->s", cross, solved)
        kept[:, j] = (own > 0) & (residual > _ALIAS_TOL * own)
    return kept


def _masked(sums: ScopeSums, kept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """W'W and the person sums with dropped columns zeroed (and a unit diagonal in W'W)."""
    keep = np.concatenate([kept, np.ones((kept.shape[0], 1), dtype=bool)], axis=1)
    both = keep[:, :, None] & keep[:, None, :]
    wtw = np.where(both, sums.wtw, 0.0)
    dropped = np.flatnonzero(~keep.ravel())
    wtw.reshape(-1, keep.shape[1] * keep.shape[1])[dropped // keep.shape[1],
                                                    (dropped % keep.shape[1]) * (keep.shape[1] + 1)] = 1.0
    ss = np.where(both[:, None], sums.ss, 0.0)
    return wtw, ss


class _Criterion:
    """The REML deviance of every scope at a vector of theta (one per scope)."""

    def __init__(self, sums: ScopeSums, kept: np.ndarray):
        self.wtw, self.ss = _masked(sums, kept)
        self.m, self.counts = sums.m_values, sums.m_counts
        self.p = kept.shape[1]
        self.dof = sums.n - kept.sum(axis=1)

    def pieces(self, theta: np.ndarray, inverse: bool = False):
        """log|M| + log|X'V^-1X|, penalised RSS, beta and (with ``inverse``) the time entry of (X'V^-1X)^-1."""
        t2 = theta * theta
        one_plus = 1.0 + t2[:, None] * self.m[None, :]
        logdet_m = (self.counts * np.log(one_plus)).sum(axis=1)
        weights = t2[:, None] / one_plus
        wvw = self.wtw - (weights[:, :, None] * self.ss.reshape(*self.ss.shape[:2], -1)).sum(axis=1).reshape(
            self.wtw.shape)
        p = self.p
        xtvx, xty = wvw[:, :p, :p], wvw[:, :p, p]
        rhs = xty[:, :, None]
        if inverse:
            unit = np.zeros_like(rhs)
            unit[:, 1, 0] = 1.0
            rhs = np.concatenate([rhs, unit], axis=2)
        with np.errstate(all="ignore"):
            try:
                chol = np.linalg.cholesky(xtvx)
                logdet_x = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
            except np.linalg.LinAlgError:
                sign, logdet_x = np.linalg.slogdet(xtvx)
                logdet_x = np.where(sign > 0, logdet_x, np.nan)
                xtvx = np.where((sign > 0)[:, None, None], xtvx, np.eye(p))
            solved = np.linalg.solve(xtvx, rhs)
        beta = solved[:, :, 0]
        pwrss = wvw[:, p, p] - np.einsum("sa,sa->s", xty, beta)
        time_variance = solved[:, 1, 1] if inverse else None
        return logdet_m + logdet_x, pwrss, beta, time_variance

    def profiled(self, theta: np.ndarray) -> np.ndarray:
        logdet, pwrss, _, _ = self.pieces(theta)
        with np.errstate(all="ignore"):
            value = logdet + self.dof * (1.0 + _LOG_2PI + np.log(pwrss / self.dof))
        return np.where(np.isfinite(value), value, np.inf)

    def deviance(self, theta: np.ndarray, sigma: np.ndarray) -> np.ndarray:
        logdet, pwrss, _, _ = self.pieces(theta)
        s2 = sigma * sigma
        return logdet + pwrss / s2 + self.dof * (_LOG_2PI + np.log(s2))

    def contrast_variance(self, theta: np.ndarray, sigma: np.ndarray) -> np.ndarray:
        return sigma * sigma * self.pieces(theta, inverse=True)[3]


def _minimise(criterion: _Criterion, person_term: np.ndarray) -> np.ndarray:
    """theta >= 0 minimising each scope's criterion: grid on theta/(1+theta), golden section, boundary."""
    size = person_term.size
    grid = np.stack([criterion.profiled(np.full(size, u / (1.0 - u))) for u in _GRID], axis=1)
    best = np.argmin(grid, axis=1)
    low = _GRID[np.maximum(best - 1, 0)]
    high = _GRID[np.minimum(best + 1, _GRID.size - 1)]
    a = high - _GOLDEN * (high - low)
    b = low + _GOLDEN * (high - low)
    fa, fb = criterion.profiled(a / (1.0 - a)), criterion.profiled(b / (1.0 - b))
    for _ in range(45):
        left = fa <= fb  # the minimum lies in [low, b]: b becomes the upper end, a the new b
        high, low = np.where(left, b, high), np.where(left, low, a)
        new_a, new_b = np.where(left, high - _GOLDEN * (high - low), b), np.where(left, a, low + _GOLDEN * (high - low))
        fresh = np.where(left, new_a, new_b)
        value = criterion.profiled(fresh / (1.0 - fresh))
        fa, fb = np.where(left, value, fb), np.where(left, fa, value)
        a, b = new_a, new_b
    u = 0.5 * (low + high)
    theta = u / (1.0 - u)
    zero = np.zeros(size)
    at_zero = (theta < _SMALL_DIAGONAL) & (criterion.profiled(zero) <= criterion.profiled(theta) + _TIE)
    theta = np.where(at_zero | ~person_term, 0.0, theta)
    return theta


def _richardson(values: list[np.ndarray]) -> np.ndarray:
    a = list(values)
    for m in range(1, len(a)):
        a = [(a[k + 1] * 4**m - a[k]) / (4**m - 1) for k in range(len(a) - 1)]
    return a[0]


def _steps(x: np.ndarray, d: float, eps: float = 1e-4) -> np.ndarray:
    return np.abs(d * x) + eps * (np.abs(x) < _ZERO_TOL)


def _hessian(func, x: np.ndarray, d: float = 0.1, r: int = 4) -> np.ndarray:
    """numDeriv's Richardson Hessian, one per scope: func maps (S, n) to (S,)."""
    size, n = x.shape
    f0 = func(x)
    h0 = _steps(x, d)
    unit = np.eye(n)
    hess = np.empty((size, n, n))
    for i in range(n):
        approx = []
        for k in range(r):
            h = h0[:, i:i + 1] / 2**k
            approx.append((func(x + unit[i] * h) - 2 * f0 + func(x - unit[i] * h)) / h[:, 0] ** 2)
        hess[:, i, i] = _richardson(approx)
    for i in range(n):
        for j in range(i):
            approx = []
            for k in range(r):
                hi, hj = h0[:, i] / 2**k, h0[:, j] / 2**k
                step = unit[i] * hi[:, None] + unit[j] * hj[:, None]
                second = func(x + step) - 2 * f0 + func(x - step) - hess[:, i, i] * hi**2 - hess[:, j, j] * hj**2
                approx.append(second / (2 * hi * hj))
            hess[:, i, j] = hess[:, j, i] = _richardson(approx)
    return hess


def _gradient(func, x: np.ndarray, d: float = 1e-4, r: int = 4) -> np.ndarray:
    size, n = x.shape
    h0 = _steps(x, d)
    grad = np.empty((size, n))
    for i in range(n):
        unit = np.zeros(n)
        unit[i] = 1.0
        approx = []
        for k in range(r):
            h = h0[:, i] / 2**k
            approx.append((func(x + unit * h[:, None]) - func(x - unit * h[:, None])) / (2 * h))
        grad[:, i] = _richardson(approx)
    return grad


def _satterthwaite(criterion: _Criterion, theta: np.ndarray, sigma: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """lmerTest's Satterthwaite df for the time coefficient, every scope at once."""
    varpar = np.column_stack([theta, sigma])
    with np.errstate(all="ignore"):
        hess = _hessian(lambda v: criterion.deviance(v[:, 0], v[:, 1]), varpar)
        grad = _gradient(lambda v: criterion.contrast_variance(v[:, 0], v[:, 1]), varpar)
        finite = np.isfinite(hess).all(axis=(1, 2))
        hess = np.where(finite[:, None, None], hess, np.eye(2))
        values, vectors = np.linalg.eigh(hess)
        inverse_values = np.where(values > 1e-8, 1.0 / np.where(values > 1e-8, values, 1.0), 0.0)
        projected = np.einsum("sij,si->sj", vectors, grad)
        denominator = 2.0 * (projected * projected * inverse_values).sum(axis=1)
        df = 2.0 * variance**2 / denominator
    return np.where(finite & (denominator > 0) & np.isfinite(df), df, np.nan)


def fit_scopes(sums: ScopeSums, usable: np.ndarray) -> ScopeFits:
    """REML fits of ``y ~ x + (1 | person)`` for every scope (``usable`` False → NaN).

    Scopes where nobody has more than one row are fitted without the person term
    (ordinary least squares, df = n - p). The coefficient reported is column 1 of ``x``.
    """
    size, p = sums.wtw.shape[0], sums.wtw.shape[1] - 1
    kept = full_rank_columns(sums.wtw[:, :p, :p])
    kept[~usable] = True  # harmless placeholders; the rows are NaN
    person_term = usable & (sums.n_repeated > 0)
    criterion = _Criterion(sums, kept)
    fillers = ~usable
    criterion.wtw[fillers] = np.eye(p + 1)
    criterion.ss[fillers] = 0.0
    criterion.dof = np.where(fillers, 1.0, criterion.dof).astype(float)
    theta = _minimise(criterion, person_term)
    _, pwrss, beta, time_variance = criterion.pieces(theta, inverse=True)
    sigma = np.sqrt(pwrss / criterion.dof)
    variance = sigma**2 * time_variance
    df = np.where(person_term, _satterthwaite(criterion, theta, sigma, variance), criterion.dof)
    bad = ~usable | ~np.isfinite(variance) | (variance <= 0)
    nan = np.full(size, np.nan)
    return ScopeFits(
        estimate=np.where(bad, nan, beta[:, 1]),
        se=np.where(bad, nan, np.sqrt(np.where(bad, 1.0, variance))),
        df=np.where(bad, nan, df),
        theta=np.where(bad, nan, theta),
        kept=kept,
        person_term=person_term,
    )


def national_crossproducts(sums: ScopeSums, regions: np.ndarray, q: int, columns: np.ndarray,
                           person_term: bool) -> NestedCrossproducts:
    """The nested engine's sums for the model over the scopes ``regions`` (one scope a region).

    Region effects use the first ``q`` columns of ``x`` (intercept, time); ``columns`` are
    the kept columns of ``x`` (the response is added last).
    """
    index = np.append(columns, sums.wtw.shape[1] - 1)
    wtw = sums.wtw[regions][:, index][:, :, index]
    ss = sums.ss[regions][:, :, index][:, :, :, index]
    counts = sums.m_counts[regions].sum(axis=0)
    keep_m = counts > 0
    if not person_term:
        ss_total, m_values, m_counts = np.zeros((1, index.size, index.size)), np.ones(1), np.zeros(1)
        ss = np.zeros((len(regions), 1, index.size, index.size))
    else:
        ss = ss[:, keep_m]
        ss_total, m_values, m_counts = ss.sum(axis=0), sums.m_values[keep_m], counts[keep_m]
    p = index.size - 1
    return NestedCrossproducts(
        n=int(sums.n[regions].sum()),
        p=p,
        q=q,
        person_term=person_term,
        m_values=m_values,
        m_counts=m_counts,
        wtw=wtw.sum(axis=0),
        ss=ss_total,
        zz=wtw[:, :q, :q].copy(),
        zw=wtw[:, :q, :].copy(),
        zz_m=ss[:, :, :q, :q].copy(),
        zs_m=ss[:, :, :q, :].copy(),
    )
