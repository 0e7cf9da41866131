"""Numerical core of the polychoric statistics: thresholds, correlations and their
asymptotic covariance for one group of ordinal answers coded 0 … K−1.

Everything here works on integer codes and NumPy arrays; :mod:`folge.statistics.polychoric`
is the public face (data checks, groups, tidy tables). The estimator is the two-step one
of Olsson (1979) as lavaan implements it, and the asymptotic covariance is the sandwich of
Muthén (1984) built from per-case scores (lavaan's ``muthen1984``).

A code of −1 is a missing answer: thresholds then come from the cases that answered the
item, each pair's table and correlation from the cases that answered both, and a missing
answer's scores are 0, as lavaan's ``missing = "pairwise"`` does. Complete data (no −1)
give the same numbers as before.

Guards (never an exception, never a floating-point warning): a cell whose probability
under the fitted correlation is at most √ε (ε the machine epsilon) adds nothing to the
scores, as in lavaan (``lav_bvord_cor_scores``); while fitting ρ, an observed cell's
probability is floored at √ε; a threshold of a category nobody chose is clipped to ±BOUND;
a pair whose scores are all 0 gets an infinite variance (DWLS weight 0), which the models
report as a degenerate table.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri

from folge.statistics._bivariate_normal import BOUND, bivariate_normal_cdf, bivariate_normal_pdf

__all__ = [
    "RHO_LIMIT",
    "asymptotic_covariance",
    "fit_correlations",
    "item_pairs",
    "padded_thresholds",
    "pair_tables",
]

#: Polychoric correlations are kept inside ±RHO_LIMIT (lavaan bounds them at ±.999).
RHO_LIMIT = 0.999
#: Cells at most this probable add nothing to the scores (lavaan: √ε).
TINY = float(np.sqrt(np.finfo(float).eps))
_SQRT_2PI = np.sqrt(2.0 * np.pi)


def item_pairs(n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (j, l), j < l, in lavaan's order: the lower triangle column by column."""
    first, second = np.triu_indices(n_items, k=1)
    return first, second


def padded_thresholds(codes: np.ndarray, n_categories: np.ndarray) -> np.ndarray:
    """Thresholds τ_jk = Φ⁻¹(P(y_j < k)), k = 1 … K_j − 1, padded with ∓BOUND.

    Row j is (−B, τ_j1, …, τ_j,K−1, +B, …, +B) of length max(K) + 1, so category c of
    item j lies between positions c and c + 1. P is the share among the cases that
    answered item j (codes ≥ 0); thresholds of an item nobody answered, or of a category
    nobody chose, are clipped to ±B rather than infinite.
    """
    p = codes.shape[1]
    width = int(n_categories.max()) + 1
    out = np.full((p, width), BOUND)
    out[:, 0] = -BOUND
    for j in range(p):
        answered = codes[:, j][codes[:, j] >= 0]
        if answered.size == 0:
            continue
        counts = np.bincount(answered, minlength=n_categories[j])
        cumulative = np.cumsum(counts)[: n_categories[j] - 1] / answered.size
        with np.errstate(divide="ignore"):
            out[j, 1 : n_categories[j]] = np.clip(ndtri(cumulative), -BOUND, BOUND)
    return out


def pair_tables(codes: np.ndarray, first: np.ndarray, second: np.ndarray, size: int) -> np.ndarray:
    """Cross tables of every item pair: array (pairs, size, size) of counts of the cases
    that answered both items (codes ≥ 0)."""
    flat = codes[:, first] * size + codes[:, second] + np.arange(first.size) * size * size
    present = (codes[:, first] >= 0) & (codes[:, second] >= 0)
    counts = np.bincount(flat[present], minlength=first.size * size * size)
    return counts.reshape(first.size, size, size).astype(float)


def _grids(t1: np.ndarray, t2: np.ndarray, rho: np.ndarray):
    """Φ₂ and φ₂ on every corner (t1[i], t2[j]) of each pair: arrays (pairs, W, W)."""
    h = t1[:, :, None]
    k = t2[:, None, :]
    r = rho[:, None, None]
    return bivariate_normal_cdf(h, k, r), bivariate_normal_pdf(h, k, r)


def _cells(grid: np.ndarray) -> np.ndarray:
    """Rectangle sums of a corner grid: cell (a, b) between corners a, a+1 and b, b+1."""
    return grid[:, 1:, 1:] - grid[:, :-1, 1:] - grid[:, 1:, :-1] + grid[:, :-1, :-1]


def _density_slope(t1, t2, rho, density):
    """∂φ₂/∂ρ = φ₂ · (ρ/(1−ρ²) + hk/(1−ρ²) − ρQ/(1−ρ²)²), Q = h² − 2ρhk + k²."""
    h = t1[:, :, None]
    k = t2[:, None, :]
    r = rho[:, None, None]
    one_minus = 1.0 - r * r
    quad = h * h - 2.0 * r * h * k + k * k
    return density * (r / one_minus + h * k / one_minus - r * quad / one_minus**2)


def fit_correlations(t1, t2, tables, start, *, tol=1e-10, max_iter=50):
    """Two-step polychoric ML: maximise Σ n_ab log π_ab(ρ) given the thresholds.

    Newton's method on all pairs at once, with ℓ' = Σ n π'/π and
    ℓ'' = Σ n (π''/π − (π'/π)²), where π' = Σ±φ₂ over the cell's corners (Plackett's
    identity ∂Φ₂/∂ρ = φ₂) and π'' = Σ±∂φ₂/∂ρ. Steps are capped at .2 and ρ kept inside
    ±RHO_LIMIT.

    Returns
    -------
    rho : ndarray
        One correlation per pair.
    converged : ndarray of bool
    """
    rho = np.clip(np.asarray(start, dtype=float), -0.9, 0.9)
    converged = np.zeros(rho.shape, dtype=bool)
    active = np.arange(rho.size)
    for _ in range(max_iter):
        step = _newton_step(t1[active], t2[active], tables[active], rho[active])
        rho[active] = np.clip(rho[active] + step, -RHO_LIMIT, RHO_LIMIT)
        done = np.abs(step) < tol
        converged[active[done]] = True
        active = active[~done]
        if active.size == 0:
            break
    return rho, converged


def _newton_step(t1, t2, tables, rho):
    """One safeguarded Newton step of the pairwise log-likelihood in ρ for each pair.

    The probability of an observed cell is floored at √ε, so that an answer pattern the
    current ρ makes all but impossible pulls ρ towards it instead of dividing by zero.
    """
    cdf, pdf = _grids(t1, t2, rho)
    observed = tables > 0
    safe = np.where(observed, np.maximum(_cells(cdf), TINY), 1.0)
    d1 = _cells(pdf) / safe
    d2 = _cells(_density_slope(t1, t2, rho, pdf)) / safe
    grad = np.sum(tables * d1, axis=(1, 2))
    hess = np.sum(tables * (d2 - d1 * d1), axis=(1, 2))
    step = np.where(hess < 0, -grad / np.where(hess < 0, hess, -1.0), 0.05 * np.sign(grad))
    return np.clip(step, -0.2, 0.2)


def _univariate_scores(codes, thresholds, n_categories):
    """Per-case scores of the univariate ordinal likelihood for every threshold.

    For an answer in category c: ∂log π_c/∂τ_c = φ(τ_c)/π_c and
    ∂log π_c/∂τ_{c−1} = −φ(τ_{c−1})/π_c; a missing answer (−1) scores 0. Returns
    (n, total thresholds) and the column offset of each item.
    """
    n, p = codes.shape
    n_th = n_categories - 1
    offsets = np.concatenate([[0], np.cumsum(n_th)])
    scores = np.zeros((n, offsets[-1]))
    rows = np.arange(n)
    for j in range(p):
        answered = codes[:, j] >= 0
        c = np.maximum(codes[:, j], 0)
        upper, lower = thresholds[j, c + 1], thresholds[j, c]
        prob = ndtr(upper) - ndtr(lower)
        answered &= prob > 0
        prob = np.where(answered, prob, 1.0)
        top = answered & (c < n_th[j])
        scores[rows[top], offsets[j] + c[top]] = _phi(upper[top]) / prob[top]
        bottom = answered & (c > 0)
        scores[rows[bottom], offsets[j] + c[bottom] - 1] = -_phi(lower[bottom]) / prob[bottom]
    return scores, offsets


def _phi(x):
    return np.exp(-0.5 * x * x) / _SQRT_2PI


def _threshold_slopes(t_own, t_other, rho):
    """D[i, b] = ∂(Φ₂(t_own[i], t_other[b+1]) − Φ₂(t_own[i], t_other[b]))/∂t_own[i].

    With ∂Φ₂(h, k; ρ)/∂h = φ(h) Φ((k − ρh)/√(1 − ρ²)).
    """
    h = t_own[:, :, None]
    k = t_other[:, None, :]
    r = rho[:, None, None]
    grid = _phi(h) * ndtr((k - r * h) / np.sqrt(1.0 - r * r))
    return grid[:, :, 1:] - grid[:, :, :-1]


def _cross_derivative(q, slopes, n_th):
    """A21 block: Σ_i s_ρ,i · ∂log π_i/∂τ_m for every threshold m of one item of the pair.

    ``q`` is n_ab s_ρ,ab / π_ab over cells (a, b) with this item first; threshold m is the
    upper bound of category m and the lower bound of category m + 1.
    """
    m = np.arange(n_th)
    return np.sum((q[:, m, :] - q[:, m + 1, :]) * slopes[:, m + 1, :], axis=2)


def asymptotic_covariance(codes, thresholds, n_categories, rho):
    """Γ = N · B⁻¹ (Σᵢ sᵢsᵢ') B⁻ᵀ for (thresholds, correlations) of one group.

    Muthén (1984): the stacked estimating equations of the two steps have the block
    lower-triangular derivative B = [[A11, 0], [A21, A22]], A11 the outer product of the
    univariate threshold scores per item, A22 = diag Σ s_ρ², and
    A21 = Σ s_ρ ∂log π^(2)/∂τ (the pairwise scores' dependence on the thresholds).
    The result is lavaan's ``NACOV`` (``lavInspect(fit, "gamma")``), whose diagonal's
    inverse is the DWLS weight (``"wls.v"``). With missing answers (−1) N counts every
    case and a missing answer's scores are 0 (lavaan's ``missing = "pairwise"``).
    """
    n, p = codes.shape
    first, second = item_pairs(p)
    size = thresholds.shape[1] - 1
    t1, t2 = thresholds[first], thresholds[second]
    tables = pair_tables(codes, first, second, size)
    cdf, pdf = _grids(t1, t2, rho)
    cell_prob = _cells(cdf)
    usable = cell_prob > TINY  # lavaan: a likelihood ≤ √ε gives the case no score
    prob = np.where((tables > 0) & usable, cell_prob, 1.0)
    score_rho_cell = np.where(usable, _cells(pdf) / prob, 0.0)
    # the scores depend on a case only through its answer pattern: sum over the distinct
    # patterns, each weighted by how many cases gave it (the same sums, far fewer rows)
    patterns, counts = _answer_patterns(codes, n_categories)
    th_scores, offsets = _univariate_scores(patterns, thresholds, n_categories)
    pair_index = np.arange(first.size)[None, :]
    both = (patterns[:, first] >= 0) & (patterns[:, second] >= 0)
    rho_scores = np.where(both, score_rho_cell[pair_index, np.maximum(patterns[:, first], 0),
                                               np.maximum(patterns[:, second], 0)], 0.0)
    scores = np.hstack([th_scores, rho_scores])
    inner = scores.T @ (scores * counts[:, None])
    n_th = offsets[-1]
    a11 = np.zeros((n_th, n_th))
    for j in range(p):
        block = slice(offsets[j], offsets[j + 1])
        a11[block, block] = inner[block, block]
    a21 = _pair_threshold_block(tables, score_rho_cell, prob, t1, t2, rho, first, second,
                                offsets, n_categories)
    a22 = counts @ (rho_scores * rho_scores)
    try:
        a11_inv = np.linalg.inv(a11)
    except np.linalg.LinAlgError:  # lavaan falls back to the generalised inverse too
        a11_inv = np.linalg.pinv(a11)
    b_inv = np.zeros((n_th + first.size, n_th + first.size))
    b_inv[:n_th, :n_th] = a11_inv
    informative = a22 > 0
    inv_a22 = np.where(informative, 1.0 / np.where(informative, a22, 1.0), 0.0)
    b_inv[n_th:, :n_th] = -(a21 * inv_a22[:, None]) @ a11_inv
    b_inv[n_th:, n_th:] = np.diag(inv_a22)
    gamma = n * (b_inv @ inner @ b_inv.T)
    # a pair without information (every score 0): infinite variance, weight 0
    gamma[n_th + np.flatnonzero(~informative), n_th + np.flatnonzero(~informative)] = np.inf
    return gamma


def _answer_patterns(codes: np.ndarray, n_categories) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``codes`` (−1 for missing) and how often each occurs (rows in
    any order)."""
    base = int(max(int(np.max(n_categories)), 2)) + 1  # one more digit: missing
    if codes.shape[1] * np.log2(base) > 62:  # keys would overflow int64: no compression
        return codes, np.ones(codes.shape[0])
    weights = base ** np.arange(codes.shape[1], dtype=np.int64)
    keys = (codes.astype(np.int64) + 1) @ weights
    unique, counts = np.unique(keys, return_counts=True)
    patterns = (unique[:, None] // weights[None, :]) % base - 1
    return patterns.astype(codes.dtype), counts.astype(float)


def _pair_threshold_block(tables, score_rho_cell, prob, t1, t2, rho, first, second, offsets,
                          n_categories):
    """The A21 matrix (pairs × thresholds) of :func:`asymptotic_covariance`."""
    q = tables * score_rho_cell / prob  # 0 where the cell adds no score
    slopes_first = _threshold_slopes(t1, t2, rho)
    slopes_second = _threshold_slopes(t2, t1, rho)
    a21 = np.zeros((first.size, offsets[-1]))
    for idx, (j, l) in enumerate(zip(first, second)):
        kj, kl = n_categories[j] - 1, n_categories[l] - 1
        a21[idx, offsets[j] : offsets[j + 1]] = _cross_derivative(
            q[idx : idx + 1], slopes_first[idx : idx + 1], kj
        )[0]
        a21[idx, offsets[l] : offsets[l + 1]] = _cross_derivative(
            q[idx : idx + 1].transpose(0, 2, 1), slopes_second[idx : idx + 1], kl
        )[0]
    return a21
