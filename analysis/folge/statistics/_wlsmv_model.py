"""The one-factor multi-group ordinal model in the delta parameterisation.

Group g, items j = 1 … p, thresholds k of item j:

    implied threshold  t_jk,g = δ_jg (τ_jk,g − λ_j,g α_g)
    implied correlation r_jl,g = δ_jg δ_lg λ_j,g λ_l,g ψ_g            (j ≠ l)

with the residual variances implied, θ_jg = 1/δ_jg² − λ_j,g² ψ_g (so the latent responses
have unit variance where δ = 1). Identification as lavaan's defaults for
``cfa(..., ordered = items, group = "wave", parameterization = "delta", std.lv = FALSE)``:
λ_1 = 1 in every group, ψ_g free; α_g = 0 and δ_jg = 1, except that α_g and δ_jg are
free from the second group on when thresholds are held equal. ``equal`` ⊆ {"loadings",
"thresholds"} names the parameters shared by all groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from folge.statistics._ordinal_moments import item_pairs

__all__ = ["Layout", "build_layout", "fit_dwls", "implied", "jacobian", "start_values"]

_FIXED = -1


@dataclass(frozen=True)
class Layout:
    """Where each parameter of each group lives in θ (−1: fixed at its default)."""

    n_categories: tuple[int, ...]
    n_groups: int
    loading: np.ndarray  # (G, p); the marker λ_1 fixed at 1
    threshold: np.ndarray  # (G, total thresholds)
    variance: np.ndarray  # (G,)
    mean: np.ndarray  # (G,); fixed 0
    scale: np.ndarray  # (G, p); fixed 1
    n_params: int

    @property
    def n_items(self) -> int:
        return len(self.n_categories)

    @property
    def threshold_item(self) -> np.ndarray:
        return np.repeat(np.arange(self.n_items), np.asarray(self.n_categories) - 1)

    @property
    def n_statistics(self) -> int:
        p = self.n_items
        return self.n_groups * (int(self.threshold_item.size) + p * (p - 1) // 2)

    @property
    def df(self) -> int:
        return self.n_statistics - self.n_params


def build_layout(n_categories, n_groups: int, equal=()) -> Layout:
    """Parameter positions for configural (``equal`` empty), metric (``"loadings"``) and
    scalar (``"loadings"``, ``"thresholds"``) models."""
    unknown = set(equal) - {"loadings", "thresholds"}
    if unknown:
        raise ValueError(f"'equal' may hold 'loadings' and 'thresholds' (got {sorted(unknown)})")
    p = len(n_categories)
    n_th = int(sum(k - 1 for k in n_categories))
    counter = iter(range(10**9))
    shared_loadings = [next(counter) for _ in range(p - 1)] if "loadings" in equal else None
    shared_thresholds = [next(counter) for _ in range(n_th)] if "thresholds" in equal else None
    loading = np.full((n_groups, p), _FIXED)
    threshold = np.empty((n_groups, n_th), dtype=int)
    variance = np.empty(n_groups, dtype=int)
    mean = np.full(n_groups, _FIXED)
    scale = np.full((n_groups, p), _FIXED)
    for g in range(n_groups):
        loading[g, 1:] = shared_loadings or [next(counter) for _ in range(p - 1)]
        threshold[g] = shared_thresholds or [next(counter) for _ in range(n_th)]
        variance[g] = next(counter)
        if shared_thresholds is not None and g > 0:
            mean[g] = next(counter)
            scale[g] = [next(counter) for _ in range(p)]
    return Layout(tuple(int(k) for k in n_categories), n_groups, loading, threshold, variance,
                  mean, scale, next(counter))


def _values(theta, index, fixed):
    return np.where(index >= 0, theta[np.maximum(index, 0)], fixed)


def _group_parameters(theta, layout: Layout, g: int):
    lam = _values(theta, layout.loading[g], 1.0)
    tau = theta[layout.threshold[g]]
    psi = theta[layout.variance[g]]
    alpha = float(_values(theta, layout.mean[g : g + 1], 0.0)[0])
    delta = _values(theta, layout.scale[g], 1.0)
    return lam, tau, psi, alpha, delta


def implied(theta, layout: Layout, g: int) -> np.ndarray:
    """σ_g(θ) = (implied thresholds, implied correlations) of group g."""
    lam, tau, psi, alpha, delta = _group_parameters(theta, layout, g)
    ti = layout.threshold_item
    first, second = item_pairs(layout.n_items)
    th = delta[ti] * (tau - lam[ti] * alpha)
    cor = delta[first] * delta[second] * lam[first] * lam[second] * psi
    return np.concatenate([th, cor])


def jacobian(theta, layout: Layout, g: int) -> np.ndarray:
    """Δ_g = ∂σ_g/∂θ' (statistics of group g × all free parameters)."""
    lam, tau, psi, alpha, delta = _group_parameters(theta, layout, g)
    ti = layout.threshold_item
    first, second = item_pairs(layout.n_items)
    n_th = ti.size
    th_rows = np.arange(n_th)
    cor_rows = n_th + np.arange(first.size)
    rows, cols, vals = [], [], []

    def add(r, c, v):
        r, c, v = np.broadcast_arrays(r, c, v)
        keep = c >= 0
        rows.append(r[keep]), cols.append(c[keep]), vals.append(v[keep])

    add(th_rows, layout.threshold[g], delta[ti])
    add(th_rows, layout.loading[g][ti], -delta[ti] * alpha)
    add(cor_rows, layout.loading[g][first], delta[first] * delta[second] * lam[second] * psi)
    add(cor_rows, layout.loading[g][second], delta[first] * delta[second] * lam[first] * psi)
    add(th_rows, layout.mean[g], -delta[ti] * lam[ti])
    add(th_rows, layout.scale[g][ti], tau - lam[ti] * alpha)
    add(cor_rows, layout.scale[g][first], delta[second] * lam[first] * lam[second] * psi)
    add(cor_rows, layout.scale[g][second], delta[first] * lam[first] * lam[second] * psi)
    add(cor_rows, layout.variance[g], delta[first] * delta[second] * lam[first] * lam[second])
    out = np.zeros((n_th + first.size, layout.n_params))
    np.add.at(out, (np.concatenate(rows), np.concatenate(cols)), np.concatenate(vals))
    return out


def start_values(layout: Layout, groups) -> np.ndarray:
    """Sample thresholds, one-factor loadings from each group's correlations, α = 0, δ = 1.

    Loadings start from the first principal axis of the polychoric matrix (diagonal
    replaced by each item's largest absolute correlation), rescaled to the marker.
    """
    theta = np.zeros(layout.n_params)
    p = layout.n_items
    first, second = item_pairs(p)
    for g in reversed(range(layout.n_groups)):  # shared parameters end with group 1's values
        stats = groups[g]
        r = np.eye(p)
        r[first, second] = r[second, first] = stats.correlations
        np.fill_diagonal(r, 0.0)
        np.fill_diagonal(r, np.maximum(np.abs(r).max(axis=1), 0.1))
        values, vectors = np.linalg.eigh(r)
        load = vectors[:, -1] * np.sqrt(max(values[-1], 1e-3))
        load = load * np.sign(load.sum()) if load.sum() != 0 else np.full(p, 0.5)
        load = np.where(np.abs(load) < 0.05, 0.05, load)
        theta[layout.loading[g, 1:]] = load[1:] / load[0]
        theta[layout.variance[g]] = load[0] ** 2
        theta[layout.threshold[g]] = stats.thresholds
        theta[layout.scale[g][layout.scale[g] >= 0]] = 1.0
    return theta


def fit_dwls(layout: Layout, groups, *, start=None):
    """Minimise Σ_g N_g (s_g − σ_g(θ))' W_g (s_g − σ_g(θ)), W_g = diag(Γ_g)⁻¹.

    Levenberg–Marquardt on the weighted residuals √(N_g w) (s − σ). Returns θ̂, the
    statistic T = min Σ_g N_g (s_g − σ_g)'W_g(s_g − σ_g) (lavaan's ``chisq`` for DWLS) and
    whether the optimiser converged.
    """
    root_w = [np.sqrt((g.n - 1) * g.weights) for g in groups]
    s = [g.statistics for g in groups]

    def residuals(theta):
        return np.concatenate([rw * (sg - implied(theta, layout, g))
                               for g, (rw, sg) in enumerate(zip(root_w, s))])

    def derivative(theta):
        return np.vstack([-rw[:, None] * jacobian(theta, layout, g)
                          for g, rw in enumerate(root_w)])

    theta0 = start_values(layout, groups) if start is None else np.asarray(start, dtype=float)
    result = least_squares(residuals, theta0, jac=derivative, method="lm",
                           xtol=1e-12, ftol=1e-14, gtol=1e-12, max_nfev=2000)
    stat = float(np.sum(result.fun**2))
    return result.x, stat, bool(result.status > 0)


def residual_variances(theta, layout: Layout) -> np.ndarray:
    """θ_jg = 1/δ_jg² − λ_jg² ψ_g (G × p): negative values are Heywood cases."""
    out = np.empty((layout.n_groups, layout.n_items))
    for g in range(layout.n_groups):
        lam, _, psi, _, delta = _group_parameters(theta, layout, g)
        out[g] = 1.0 / delta**2 - lam**2 * psi
    return out
