"""Robust test statistics of DWLS models: the scaled-and-shifted model test and the
Satorra (2000) scaled difference test, both in lavaan's multi-group form.

Stacked over groups (g = 1 … G, f_g = N_g/N): W = ⊕ f_g W_g, Γ = ⊕ Γ_g/f_g,
Δ = [Δ_1; …; Δ_G], the expected information J = Δ'WΔ.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import block_diag, null_space
from scipy.stats import chi2 as chi2_dist

__all__ = ["scaled_shifted", "scaled_difference"]


def _group_shares(groups) -> np.ndarray:
    n = np.array([g.n for g in groups], dtype=float)
    return n / n.sum()


def scaled_shifted(stat: float, df: int, deltas, groups) -> tuple[float, float, float]:
    """Asparouhov & Muthén's (2010) scaled-and-shifted statistic a·T + b.

    U = W − WΔJ⁻¹Δ'W, a = √(df / tr((UΓ)²)), b = df − a·tr(UΓ) (lavaan's
    ``test = "scaled.shifted"``). Returns (a·T + b, a, b); NaN when df ≤ 0.
    """
    if df <= 0:
        return float("nan"), float("nan"), float("nan")
    fg = _group_shares(groups)
    w = np.concatenate([f * g.weights for f, g in zip(fg, groups)])
    gamma = block_diag(*[g.gamma / f for f, g in zip(fg, groups)])
    delta = np.vstack(deltas)
    wd = w[:, None] * delta
    info = delta.T @ wd
    u = np.diag(w) - wd @ np.linalg.solve(info, wd.T)
    ug = u @ gamma
    return _shift(stat, df, np.trace(ug), np.sum(ug * ug.T))


def _shift(stat, df, trace, trace_sq):
    a = np.sqrt(df / trace_sq)
    b = df - a * trace
    return float(a * stat + b), float(a), float(b)


def scaled_difference(stat1, df1, deltas1, stat0, df0, deltas0, groups):
    """Satorra's (2000) difference test of a nested model 0 against model 1, scaled and shifted.

    As ``lavTestLRT(model1, model0)`` for WLSMV (method ``"satorra.2000"``, lavaan
    0.6): H = Δ₁⁺Δ₀, A spans the orthogonal complement of H's columns (the restrictions),
    P = J₁⁻¹, M = PA'(APA')⁺AP, U_d = WΔ₁MΔ₁'W; with m = df0 − df1,
    a = √(m / tr((U_dΓ)²)), b = m − a·tr(U_dΓ), T_d = a(T₀ − T₁) + b ~ χ²(m).
    Returns (T_d, m, p).
    """
    m = int(df0 - df1)
    if m <= 0:
        return float("nan"), m, float("nan")
    fg = _group_shares(groups)
    d1, d0 = np.vstack(deltas1), np.vstack(deltas0)
    restrictions = null_space((np.linalg.pinv(d1) @ d0).T).T
    w_all = np.concatenate([g.weights for g in groups])
    w_f = np.concatenate([f * g.weights for f, g in zip(fg, groups)])
    p = np.linalg.inv(d1.T @ (w_f[:, None] * d1))
    pa = p @ restrictions.T
    middle = pa @ np.linalg.pinv(restrictions @ pa) @ pa.T
    wd = w_all[:, None] * d1
    u = wd @ middle @ wd.T
    ug = u @ block_diag(*[f * g.gamma for f, g in zip(fg, groups)])
    stat, _, _ = _shift(stat0 - stat1, m, np.trace(ug), np.sum(ug * ug.T))
    return stat, m, float(chi2_dist.sf(stat, m))
