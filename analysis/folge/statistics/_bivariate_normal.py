"""The standard bivariate normal distribution, vectorised (for polychoric correlations).

Φ₂(h, k; ρ) = P(X ≤ h, Y ≤ k) for standard normal X, Y with correlation ρ, by Genz's
(2004) method: Gauss–Legendre quadrature of Plackett's (1954) identity
∂Φ₂/∂ρ = φ₂ for |ρ| < .925, and Drezner & Wesolowsky's (1990) expansion of the
integral in √(1 − ρ²) for larger |ρ|. Accurate to about 1e-15 with 20 nodes.

References
----------
Drezner, Z. & Wesolowsky, G. O. (1990). On the computation of the bivariate normal
integral. Journal of Statistical Computation and Simulation, 35, 101–107.
Genz, A. (2004). Numerical computation of rectangular bivariate and trivariate normal
and t probabilities. Statistics and Computing, 14, 251–260.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

__all__ = ["bivariate_normal_cdf", "bivariate_normal_pdf", "BOUND"]

#: Finite stand-in for an infinite bound: Φ(−BOUND) ≈ 6e-16, below double precision of
#: the cell probabilities, and small enough that no exponential overflows.
BOUND = 8.0

# Gauss–Legendre rules on [-1, 1], the positive half (the rules are symmetric): Genz uses
# 6 nodes for |ρ| < .3, 12 for |ρ| < .75 and 20 beyond.
def _half_rule(n: int):
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return nodes[n // 2 :], weights[n // 2 :]


_GL_HALF_NODES, _GL_HALF_WEIGHTS = _half_rule(20)
_RULES = ((0.3, _half_rule(6)), (0.75, _half_rule(12)), (0.925, _half_rule(20)))
_TWO_PI = 2.0 * np.pi


def bivariate_normal_pdf(h, k, rho):
    """Density φ₂(h, k; ρ) of the standard bivariate normal distribution."""
    h, k, rho = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (h, k, rho)))
    one_minus = 1.0 - rho * rho
    quad = (h * h - 2.0 * rho * h * k + k * k) / one_minus
    return np.exp(-0.5 * quad) / (_TWO_PI * np.sqrt(one_minus))


def bivariate_normal_cdf(h, k, rho):
    """Φ₂(h, k; ρ) = P(X ≤ h, Y ≤ k), elementwise over broadcast arrays.

    Bounds beyond ±:data:`BOUND` are clipped to it (infinite bounds allowed).

    Examples
    --------
    >>> float(bivariate_normal_cdf(0.0, 0.0, 0.5))  # 1/4 + asin(.5)/(2π) = 1/3
    0.3333333333333333
    """
    h, k, rho = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (h, k, rho)))
    h = np.clip(h, -BOUND, BOUND)
    k = np.clip(k, -BOUND, BOUND)
    out = np.empty(h.shape)
    size = np.abs(rho)
    lower = 0.0
    for upper, rule in _RULES:
        band = (size >= lower) & (size < upper)
        out[band] = _upper_small_rho(-h[band], -k[band], rho[band], rule)
        lower = upper
    large = size >= lower
    out[large] = _upper_large_rho(-h[large], -k[large], rho[large])
    return np.clip(out, 0.0, 1.0)


def _upper_small_rho(h, k, rho, rule):
    """P(X > h, Y > k) for |ρ| < .925: Φ(−h)Φ(−k) + ∫₀^ρ φ₂(h, k; r) dr, r = sin θ."""
    if h.size == 0:
        return h
    half_nodes, half_weights = rule
    half_angle = np.arcsin(rho)[:, None] / 2.0
    hk = (h * k)[:, None]
    hs = ((h * h + k * k) / 2.0)[:, None]
    total = np.zeros(h.shape)
    for nodes in (1.0 - half_nodes, 1.0 + half_nodes):
        sn = np.sin(half_angle * nodes[None, :])
        total += np.exp((sn * hk - hs) / (1.0 - sn * sn)) @ half_weights
    return total * half_angle[:, 0] / _TWO_PI + ndtr(-h) * ndtr(-k)


def _upper_large_rho(h, k, rho):
    """P(X > h, Y > k) for |ρ| ≥ .925 (Drezner & Wesolowsky's expansion, as in Genz 2004)."""
    if h.size == 0:
        return h
    k = np.where(rho < 0, -k, k)
    hk = h * k
    bvn = np.zeros(h.shape)
    interior = np.abs(rho) < 1.0
    if interior.any():
        bvn[interior] = _large_rho_integral(h[interior], k[interior], hk[interior], rho[interior])
    positive = rho > 0
    out = np.empty(h.shape)
    out[positive] = bvn[positive] + ndtr(-np.maximum(h[positive], k[positive]))
    neg = ~positive
    hn, kn, bn = h[neg], k[neg], bvn[neg]
    width = np.where(hn < 0, ndtr(kn) - ndtr(hn), ndtr(-hn) - ndtr(-kn))
    out[neg] = np.where(hn >= kn, -bn, width - bn)
    return out


def _large_rho_integral(h, k, hk, rho):
    """The correction term of the |ρ| ≥ .925 branch (Genz 2004, after Drezner & Wesolowsky)."""
    a_sq = (1.0 - rho) * (1.0 + rho)
    a = np.sqrt(a_sq)
    bs = (h - k) ** 2
    c = (4.0 - hk) / 8.0
    d = (12.0 - hk) / 80.0
    asr = -(bs / a_sq + hk) / 2.0
    bvn = np.where(
        asr > -100.0,
        a * np.exp(asr) * (1.0 - c * (bs - a_sq) * (1.0 - d * bs) / 3.0 + c * d * a_sq * a_sq),
        0.0,
    )
    b = np.sqrt(bs)
    sp = np.sqrt(_TWO_PI) * ndtr(-b / a)
    tail = np.exp(-hk / 2.0) * sp * b * (1.0 - c * bs * (1.0 - d * bs) / 3.0)
    bvn = bvn - np.where(hk > -100.0, tail, 0.0)
    half_a = (a / 2.0)[:, None]
    quad = np.zeros(h.shape)
    for nodes in (1.0 - _GL_HALF_NODES, 1.0 + _GL_HALF_NODES):
        xs = (half_a * nodes[None, :]) ** 2
        asr_i = -(bs[:, None] / xs + hk[:, None]) / 2.0
        rs = np.sqrt(1.0 - xs)
        sp_i = 1.0 + c[:, None] * xs * (1.0 + 5.0 * d[:, None] * xs)
        ep = np.exp(-(hk[:, None] / 2.0) * xs / (1.0 + rs) ** 2) / rs
        term = np.where(asr_i > -100.0, np.exp(np.maximum(asr_i, -700.0)) * (sp_i - ep), 0.0)
        quad += term @ _GL_HALF_WEIGHTS
    return (half_a[:, 0] * quad - bvn) / _TWO_PI
