"""The longitudinal ordinal factor model in the delta parameterisation.

Waves t = 1 … T, items j = 1 … p; column a = (t, j) of the wide data. One factor per
wave, the factors freely correlated (Ψ, T × T), and each item's residuals correlated
across waves (θ_j,ts). With Σ* = ΛΨΛ' + Θ the covariance of the latent responses:

    implied threshold   t_a,k = δ_a (τ_a,k − λ_a α_t)
    implied correlation r_ab  = δ_a δ_b (λ_a λ_b ψ_{t_a t_b} + θ_ab)          (a ≠ b)

θ_ab = θ_j,ts when a and b are item j in waves t ≠ s, else 0; the residual variances are
implied, θ_a = 1/δ_a² − λ_a² ψ_tt. Identification as lavaan's defaults for the model
written with labels (Rosseel 2012), mirroring its multi-group defaults: the first item's
loading is 1 in every wave, Ψ free, α_t = 0 and δ_a = 1, except that α_t and δ_a are free
from the second wave on when thresholds are held equal. ``equal`` ⊆ {"loadings",
"thresholds"} names what is held equal across waves; ``partial`` exempts single items.

References
----------
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
Statistical Software, 48(2), 1–36.
Liu, Y., Millsap, R. E., West, S. G., Tein, J.-Y., Tanaka, R. & Grimm, K. J. (2017).
Testing measurement invariance in longitudinal data with ordered-categorical measures.
Psychological Methods, 22, 486–506.
Squire, W. & Trapp, G. (1998). Using complex variables to estimate derivatives of real
functions. SIAM Review, 40, 110–112.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from folge.statistics._ordinal_moments import item_pairs
from folge.statistics._wlsmv_model import _levenberg_marquardt, principal_axis_loadings

__all__ = ["PanelLayout", "build_panel_layout", "fit_panel", "panel_implied", "panel_jacobian",
           "panel_residual_variances", "released_panel_layout"]

_FIXED = -1
_STEP = 1e-30  # complex-step size: exact derivatives of the polynomial σ(θ)


@dataclass(frozen=True)
class PanelLayout:
    """Where each parameter lives in θ (−1: fixed at its default)."""

    n_categories: tuple[int, ...]  # per item
    n_waves: int
    loading: np.ndarray  # (T, p); the first item's fixed at 1
    threshold: np.ndarray  # (T, thresholds of one wave)
    factor: np.ndarray  # (T, T) symmetric: ψ
    mean: np.ndarray  # (T,); fixed 0
    scale: np.ndarray  # (T, p); fixed 1
    residual: np.ndarray  # (p, T, T) symmetric: θ_j,ts (diagonal unused)
    n_params: int

    @property
    def n_items(self) -> int:
        return len(self.n_categories)

    @property
    def n_columns(self) -> int:
        return self.n_waves * self.n_items

    @property
    def n_statistics(self) -> int:
        n_th = self.n_waves * int(sum(k - 1 for k in self.n_categories))
        return n_th + self.n_columns * (self.n_columns - 1) // 2

    @property
    def df(self) -> int:
        return self.n_statistics - self.n_params


def build_panel_layout(n_categories, n_waves: int, equal=(), *, free_means=None, partial=()) -> PanelLayout:
    """Parameter positions of the configural (``equal`` empty), metric (``"loadings"``)
    and scalar (``"loadings"``, ``"thresholds"``) longitudinal models.

    ``free_means`` (default: thresholds held equal) frees α_t and δ from the second wave
    on; ``equal=(), free_means=True`` is the scalar model with its equality constraints
    released (the space of the score tests). ``partial`` lists (``"loading"`` or
    ``"thresholds"``, item position) pairs exempt from ``equal``.
    """
    unknown = set(equal) - {"loadings", "thresholds"}
    if unknown:
        raise ValueError(f"'equal' may hold 'loadings' and 'thresholds' (got {sorted(unknown)})")
    p = len(n_categories)
    released = [(kind, int(j)) for kind, j in partial]
    for kind, j in released:
        if kind not in ("loading", "thresholds") or not 0 <= j < p or (kind, j) == ("loading", 0):
            raise ValueError(f"'partial' holds ('loading', item > 0) or ('thresholds', item) "
                             f"(got {(kind, j)!r})")
    ends = np.cumsum([k - 1 for k in n_categories])
    n_th = int(ends[-1])
    counter = iter(range(10**9))
    loading = np.full((n_waves, p), _FIXED)
    threshold = np.empty((n_waves, n_th), dtype=int)
    for j in range(1, p):
        shared = "loadings" in equal and ("loading", j) not in released
        loading[:, j] = next(counter) if shared else [next(counter) for _ in range(n_waves)]
    for j in range(p):
        cols = slice(ends[j] - (n_categories[j] - 1), ends[j])
        k = n_categories[j] - 1
        if "thresholds" in equal and ("thresholds", j) not in released:
            threshold[:, cols] = [next(counter) for _ in range(k)]
        else:
            threshold[:, cols] = [[next(counter) for _ in range(k)] for _ in range(n_waves)]
    factor = np.empty((n_waves, n_waves), dtype=int)
    for t in range(n_waves):
        for s in range(t, n_waves):
            factor[t, s] = factor[s, t] = next(counter)
    mean = np.full(n_waves, _FIXED)
    scale = np.full((n_waves, p), _FIXED)
    if ("thresholds" in equal) if free_means is None else free_means:
        for t in range(1, n_waves):
            mean[t] = next(counter)
            scale[t] = [next(counter) for _ in range(p)]
    residual = np.full((p, n_waves, n_waves), _FIXED)
    for j in range(p):
        for t in range(n_waves):
            for s in range(t + 1, n_waves):
                residual[j, t, s] = residual[j, s, t] = next(counter)
    n_params = next(counter)
    return PanelLayout(tuple(int(k) for k in n_categories), n_waves, loading, threshold, factor,
                       mean, scale, residual, n_params)


def released_panel_layout(layout: PanelLayout) -> PanelLayout:
    """Every equality released; latent means and scale factors as in ``layout``."""
    return build_panel_layout(layout.n_categories, layout.n_waves, (),
                              free_means=bool((layout.mean >= 0).any()))


def _values(theta, index, fixed):
    return np.where(index >= 0, theta[..., np.maximum(index, 0)], fixed)


def _pair_structure(layout: PanelLayout):
    """For every pair (a, b) of columns, a < b: waves, and the index of θ_ab (−1: none)."""
    p = layout.n_items
    first, second = item_pairs(layout.n_columns)
    wave_a, wave_b = first // p, second // p
    item_a, item_b = first % p, second % p
    residual = np.where(item_a == item_b, layout.residual[item_a, wave_a, wave_b], _FIXED)
    return first, second, wave_a, wave_b, residual


def panel_implied(theta, layout: PanelLayout) -> np.ndarray:
    """σ(θ): implied thresholds (column by column), then correlations (pairs a < b).

    ``theta`` may carry leading batch axes (and complex values, for the complex step).
    """
    theta = np.asarray(theta)
    p, n_waves = layout.n_items, layout.n_waves
    lam = _values(theta, layout.loading, 1.0).reshape(theta.shape[:-1] + (n_waves * p,))
    delta = _values(theta, layout.scale, 1.0).reshape(theta.shape[:-1] + (n_waves * p,))
    alpha = _values(theta, layout.mean, 0.0)
    tau = theta[..., layout.threshold]  # (..., T, thresholds of one wave)
    item_of = np.repeat(np.arange(p), np.asarray(layout.n_categories) - 1)
    column = np.arange(n_waves)[:, None] * p + item_of[None, :]  # (T, thresholds of one wave)
    th = delta[..., column] * (tau - lam[..., column] * alpha[..., :, None])
    first, second, wave_a, wave_b, residual = _pair_structure(layout)
    psi = theta[..., layout.factor[wave_a, wave_b]]
    res = _values(theta, residual, 0.0)
    cor = delta[..., first] * delta[..., second] * (lam[..., first] * lam[..., second] * psi + res)
    return np.concatenate([th.reshape(theta.shape[:-1] + (-1,)), cor], axis=-1)


def panel_jacobian(theta, layout: PanelLayout) -> np.ndarray:
    """Δ = ∂σ/∂θ' (statistics × parameters), by the complex step: σ is a polynomial in θ,
    so Im σ(θ + ihe_k)/h is its exact derivative (Squire & Trapp 1998)."""
    q = theta.size
    shifted = theta[None, :] + 1j * _STEP * np.eye(q)
    return (panel_implied(shifted, layout).imag / _STEP).T


def panel_residual_variances(theta, layout: PanelLayout) -> np.ndarray:
    """θ_a = 1/δ_a² − λ_a² ψ_tt (T × p): negative values are Heywood cases."""
    lam = _values(theta, layout.loading, 1.0)
    delta = _values(theta, layout.scale, 1.0)
    psi = theta[layout.factor[np.arange(layout.n_waves), np.arange(layout.n_waves)]]
    return 1.0 / delta**2 - lam**2 * psi[:, None]


def _start(layout: PanelLayout, group) -> np.ndarray:
    """Sample thresholds; loadings and factor variances from each wave's principal axis;
    factor covariances and residual covariances from the cross-wave correlations."""
    p, n_waves = layout.n_items, layout.n_waves
    size = layout.n_columns
    r = np.eye(size)
    first, second = item_pairs(size)
    r[first, second] = r[second, first] = group.correlations
    theta = np.zeros(layout.n_params)
    lam = np.ones((n_waves, p))
    for t in reversed(range(n_waves)):  # shared loadings end with the first wave's values
        load = principal_axis_loadings(r[t * p:(t + 1) * p, t * p:(t + 1) * p])
        lam[t] = load / load[0]
        theta[layout.loading[t, 1:]] = lam[t, 1:]
        theta[layout.factor[t, t]] = load[0] ** 2
    for t in range(n_waves):
        for s in range(t + 1, n_waves):
            cross = r[t * p:(t + 1) * p, s * p:(s + 1) * p] / np.outer(lam[t], lam[s])
            off = ~np.eye(p, dtype=bool)
            theta[layout.factor[t, s]] = float(np.mean(cross[off]))
    psi = theta[layout.factor]
    for j in range(p):
        for t in range(n_waves):
            for s in range(t + 1, n_waves):
                rjj = r[t * p + j, s * p + j]
                theta[layout.residual[j, t, s]] = rjj - lam[t, j] * lam[s, j] * psi[t, s]
    by_wave = group.thresholds.reshape(n_waves, -1)
    for t in reversed(range(n_waves)):  # shared thresholds end with the first wave's
        theta[layout.threshold[t]] = by_wave[t]
    theta[layout.scale[layout.scale >= 0]] = 1.0
    return theta


def fit_panel(layout: PanelLayout, group, *, start=None):
    """Minimise T(θ) = (N − 1)(s − σ(θ))' W (s − σ(θ)), W = diag(Γ)⁻¹ (lavaan's DWLS
    fit of one group; T is its ``chisq``), by Levenberg–Marquardt.

    Returns θ̂, T and whether the iterations converged.
    """
    theta = _start(layout, group) if start is None else np.asarray(start, dtype=float)
    root_w = np.sqrt((group.n - 1) * group.weights)
    s = group.statistics

    def residuals(x):
        return root_w * (s - panel_implied(x, layout))

    def derivative(x):
        return -root_w[:, None] * panel_jacobian(x, layout)

    theta, converged = _levenberg_marquardt(residuals, derivative, theta)
    resid = residuals(theta)
    return theta, float(resid @ resid), converged
