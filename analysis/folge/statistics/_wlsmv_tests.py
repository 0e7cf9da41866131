"""Robust test statistics of DWLS models: the scaled-and-shifted model test and the
Satorra (2000) scaled difference test, both in lavaan's multi-group form.

Stacked over groups (g = 1 … G, f_g = N_g/N): W = ⊕ f_g W_g, Γ = ⊕ Γ_g/f_g,
Δ = [Δ_1; …; Δ_G], the expected information J = Δ'WΔ = Σ_g f_g Δ_g'W_gΔ_g. The traces
are computed from parameter-sized matrices, never from the stacked U:
K = Δ'WΓWΔ = Σ_g f_g Δ_g'W_gΓ_gW_gΔ_g and L = Σ_g f_g Δ_g'W_gΓ_gW_gΓ_gW_gΔ_g.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import null_space
from scipy.stats import chi2 as chi2_dist

__all__ = ["scaled_difference", "scaled_shifted"]


def _shares(groups) -> np.ndarray:
    n = np.array([g.n for g in groups], dtype=float)
    return n / n.sum()


def _sandwich_parts(deltas, groups):
    """J, K, L above, and Σ_g tr(W_gΓ_g), Σ_g tr((W_gΓ_g)²)."""
    q = deltas[0].shape[1]
    info, k, l_mat = np.zeros((q, q)), np.zeros((q, q)), np.zeros((q, q))
    trace, trace_sq = 0.0, 0.0
    for f, d, g in zip(_shares(groups), deltas, groups):
        wg = g.weights[:, None] * g.gamma  # W_g Γ_g
        wd = g.weights[:, None] * d  # W_g Δ_g
        info += f * d.T @ wd
        gwd = g.gamma @ wd  # Γ_g W_g Δ_g
        k += f * wd.T @ gwd
        l_mat += f * gwd.T @ (g.weights[:, None] * gwd)
        trace += np.trace(wg)
        trace_sq += np.sum(wg * wg.T)
    return info, k, l_mat, trace, trace_sq


def scaled_shifted(stat: float, df: int, deltas, groups) -> tuple[float, float, float]:
    """Asparouhov & Muthén's (2010) scaled-and-shifted statistic a·T + b.

    U = W − WΔJ⁻¹Δ'W, a = √(df / tr((UΓ)²)), b = df − a·tr(UΓ) (lavaan's
    ``test = "scaled.shifted"``), with tr(UΓ) = Σ tr(W_gΓ_g) − tr(J⁻¹K) and
    tr((UΓ)²) = Σ tr((W_gΓ_g)²) − 2 tr(J⁻¹L) + tr((J⁻¹K)²).
    Returns (a·T + b, a, b); NaN when df ≤ 0.
    """
    if df <= 0:
        return float("nan"), float("nan"), float("nan")
    info, k, l_mat, trace, trace_sq = _sandwich_parts(deltas, groups)
    try:
        jk = np.linalg.solve(info, k)
        jl = np.linalg.solve(info, l_mat)
    except np.linalg.LinAlgError:  # not identified by these data
        return float("nan"), float("nan"), float("nan")
    tr_ug = trace - np.trace(jk)
    tr_ug2 = trace_sq - 2.0 * np.trace(jl) + np.sum(jk * jk.T)
    return _shift(stat, df, tr_ug, tr_ug2)


def _shift(stat, df, trace, trace_sq):
    if not (np.isfinite(trace_sq) and trace_sq > 0):
        return float("nan"), float("nan"), float("nan")
    a = np.sqrt(df / trace_sq)
    b = df - a * trace
    return float(a * stat + b), float(a), float(b)


def scaled_difference(stat1, df1, deltas1, stat0, df0, deltas0, groups):
    """Satorra's (2000) difference test of a nested model 0 against model 1, scaled and shifted.

    As ``lavTestLRT(model1, model0)`` for WLSMV (method ``"satorra.2000"``, lavaan
    0.6): H = Δ₁⁺Δ₀, A spans the orthogonal complement of H's columns (the restrictions),
    P = J₁⁻¹, M = PA'(APA')⁺AP; U_d = WΔ₁MΔ₁'W gives tr(U_dΓ) = tr(MK₁) and
    tr((U_dΓ)²) = tr((MK₁)²). With m = df0 − df1, a = √(m / tr((U_dΓ)²)),
    b = m − a·tr(U_dΓ), T_d = a(T₀ − T₁) + b ~ χ²(m). Returns (T_d, m, p).
    """
    m = int(df0 - df1)
    if m <= 0:
        return float("nan"), m, float("nan")
    d1, d0 = np.vstack(deltas1), np.vstack(deltas0)
    info, k, _, _, _ = _sandwich_parts(deltas1, groups)
    try:
        restrictions = null_space((np.linalg.pinv(d1) @ d0).T).T
        p = np.linalg.inv(info)
    except np.linalg.LinAlgError:  # not identified by these data
        return float("nan"), m, float("nan")
    pa = p @ restrictions.T
    mk = pa @ np.linalg.pinv(restrictions @ pa) @ (pa.T @ k)
    stat, _, _ = _shift(stat0 - stat1, m, np.trace(mk), np.sum(mk * mk.T))
    return stat, m, float(chi2_dist.sf(stat, m)) if np.isfinite(stat) else float("nan")
