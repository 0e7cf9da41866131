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

from folge.statistics._ordinal_moments import item_pairs

__all__ = [
    "Layout",
    "build_layout",
    "fit_dwls",
    "implied",
    "implied_all",
    "jacobian",
    "jacobian_all",
    "principal_axis_loadings",
    "residual_variances",
    "start_values",
]

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


def build_layout(n_categories, n_groups: int, equal=(), *, free_means=None, partial=()) -> Layout:
    """Parameter positions for configural (``equal`` empty), metric (``"loadings"``) and
    scalar (``"loadings"``, ``"thresholds"``) models.

    ``free_means`` (default: thresholds held equal) frees α_g and δ_g from the second
    group on; ``equal=(), free_means=True`` is the scalar model with its equality
    constraints released (the space of the score tests). ``partial`` lists
    (``"loading"`` or ``"thresholds"``, item position) pairs exempt from ``equal``
    (lavaan's ``group.partial``)."""
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
        if (shared_thresholds is not None if free_means is None else free_means) and g > 0:
            mean[g] = next(counter)
            scale[g] = [next(counter) for _ in range(p)]
    _release(partial, n_categories, loading, threshold, counter)
    arrays = (loading, threshold, variance, mean, scale)
    used = np.unique(np.concatenate([a.ravel() for a in arrays]))
    used = used[used >= 0]
    renumber = np.full(int(used.max()) + 1, _FIXED)
    renumber[used] = np.arange(used.size)
    loading, threshold, variance, mean, scale = (
        np.where(a >= 0, renumber[np.maximum(a, 0)], _FIXED) for a in arrays)
    return Layout(tuple(int(k) for k in n_categories), n_groups, loading, threshold, variance,
                  mean, scale, int(used.size))


def _release(partial, n_categories, loading, threshold, counter) -> None:
    """Give the released item parameters their own index in every group after the first."""
    ends = np.cumsum([k - 1 for k in n_categories])
    for kind, j in partial:
        if kind == "loading" and j > 0:
            columns = [j]
            target = loading
        elif kind == "thresholds":
            columns = list(range(ends[j] - (n_categories[j] - 1), ends[j]))
            target = threshold
        else:
            raise ValueError(f"'partial' holds ('loading', item > 0) or ('thresholds', item) "
                             f"(got {(kind, j)!r})")
        for g in range(1, target.shape[0]):
            target[g, columns] = [next(counter) for _ in columns]


def _values(theta, index, fixed):
    return np.where(index >= 0, theta[np.maximum(index, 0)], fixed)


def _parameters(theta, layout: Layout):
    """Every group's parameters: λ (G, p), τ (G, t), ψ (G, 1), α (G, 1), δ (G, p)."""
    lam = _values(theta, layout.loading, 1.0)
    tau = theta[layout.threshold]
    psi = theta[layout.variance][:, None]
    alpha = _values(theta, layout.mean, 0.0)[:, None]
    delta = _values(theta, layout.scale, 1.0)
    return lam, tau, psi, alpha, delta


def implied_all(theta, layout: Layout) -> np.ndarray:
    """σ(θ) for all groups: (G, thresholds + pairs), thresholds first."""
    lam, tau, psi, alpha, delta = _parameters(theta, layout)
    ti = layout.threshold_item
    first, second = item_pairs(layout.n_items)
    th = delta[:, ti] * (tau - lam[:, ti] * alpha)
    cor = delta[:, first] * delta[:, second] * lam[:, first] * lam[:, second] * psi
    return np.hstack([th, cor])


def implied(theta, layout: Layout, g: int) -> np.ndarray:
    """σ_g(θ) = (implied thresholds, implied correlations) of group g."""
    return implied_all(theta, layout)[g]


def jacobian_all(theta, layout: Layout) -> np.ndarray:
    """Δ = ∂σ/∂θ' for all groups: (G, statistics per group, free parameters)."""
    lam, tau, psi, alpha, delta = _parameters(theta, layout)
    ti = layout.threshold_item
    first, second = item_pairs(layout.n_items)
    n_th = ti.size
    n_groups = layout.n_groups
    th_rows = np.broadcast_to(np.arange(n_th), (n_groups, n_th))
    cor_rows = np.broadcast_to(n_th + np.arange(first.size), (n_groups, first.size))
    both = delta[:, first] * delta[:, second]
    lam_pair = lam[:, first] * lam[:, second]
    loading, scale = layout.loading, layout.scale
    terms = (
        (th_rows, layout.threshold, delta[:, ti]),
        (th_rows, loading[:, ti], -delta[:, ti] * alpha),
        (cor_rows, loading[:, first], both * lam[:, second] * psi),
        (cor_rows, loading[:, second], both * lam[:, first] * psi),
        (th_rows, np.broadcast_to(layout.mean[:, None], th_rows.shape), -delta[:, ti] * lam[:, ti]),
        (th_rows, scale[:, ti], tau - lam[:, ti] * alpha),
        (cor_rows, scale[:, first], delta[:, second] * lam_pair * psi),
        (cor_rows, scale[:, second], delta[:, first] * lam_pair * psi),
        (cor_rows, np.broadcast_to(layout.variance[:, None], cor_rows.shape), both * lam_pair),
    )
    out = np.zeros((n_groups, n_th + first.size, layout.n_params))
    group_of = np.arange(n_groups)[:, None]
    for rows, cols, vals in terms:
        keep = cols >= 0
        g_idx = np.broadcast_to(group_of, rows.shape)[keep]
        np.add.at(out, (g_idx, rows[keep], cols[keep]), np.broadcast_to(vals, rows.shape)[keep])
    return out


def jacobian(theta, layout: Layout, g: int) -> np.ndarray:
    """Δ_g = ∂σ_g/∂θ' (statistics of group g × all free parameters)."""
    return jacobian_all(theta, layout)[g]


def principal_axis_loadings(r: np.ndarray) -> np.ndarray:
    """Start loadings of one factor from a correlation matrix ``r`` (p × p; not changed).

    The first principal axis of ``r`` with its diagonal replaced by each item's largest
    absolute correlation (at least .1): λ = v₁ √max(e₁, .001), signed so that Σλ > 0
    (.5 each when Σλ = 0), and no |λ| below .05.
    """
    r = r.copy()
    np.fill_diagonal(r, 0.0)
    np.fill_diagonal(r, np.maximum(np.abs(r).max(axis=1), 0.1))
    values, vectors = np.linalg.eigh(r)
    load = vectors[:, -1] * np.sqrt(max(values[-1], 1e-3))
    load = load * np.sign(load.sum()) if load.sum() != 0 else np.full(r.shape[0], 0.5)
    return np.where(np.abs(load) < 0.05, 0.05, load)


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
        load = principal_axis_loadings(r)
        theta[layout.loading[g, 1:]] = load[1:] / load[0]
        theta[layout.variance[g]] = load[0] ** 2
        theta[layout.threshold[g]] = stats.thresholds
        theta[layout.scale[g][layout.scale[g] >= 0]] = 1.0
    return theta


def fit_dwls(layout: Layout, groups, *, start=None):
    """Minimise T(θ) = Σ_g (N_g − 1)(s_g − σ_g(θ))' W_g (s_g − σ_g(θ)), W_g = diag(Γ_g)⁻¹.

    Levenberg–Marquardt on the weighted residuals √((N_g − 1) w)(s − σ) (lavaan weights
    group g by N_g − 1 for DWLS, so T is its ``chisq``). Where each group's thresholds
    are free and nothing else touches them (configural, metric), they fit the sample
    thresholds exactly and only the correlation part is iterated. Returns θ̂, T and
    whether the iterations converged.
    """
    theta = start_values(layout, groups) if start is None else np.asarray(start, dtype=float)
    n_th = layout.threshold.shape[1]
    root_w = np.vstack([np.sqrt((g.n - 1) * g.weights) for g in groups])
    s = np.vstack([g.statistics for g in groups])
    separable = (layout.mean < 0).all() and (layout.scale < 0).all() and \
        np.unique(layout.threshold).size == layout.threshold.size
    rows = slice(n_th, None) if separable else slice(None)
    active = np.ones(layout.n_params, dtype=bool)
    if separable:
        theta[layout.threshold] = s[:, :n_th]
        active[layout.threshold.ravel()] = False

    def residuals(x):
        full = theta.copy()
        full[active] = x
        return (root_w * (s - implied_all(full, layout)))[:, rows].ravel()

    def derivative(x):
        full = theta.copy()
        full[active] = x
        d = -root_w[:, :, None] * jacobian_all(full, layout)
        return d[:, rows][:, :, active].reshape(-1, int(active.sum()))

    x, converged = _levenberg_marquardt(residuals, derivative, theta[active])
    theta[active] = x
    resid = root_w * (s - implied_all(theta, layout))
    return theta, float(np.sum(resid**2)), converged


def _levenberg_marquardt(residuals, derivative, x, *, tol=1e-12, max_iter=500):
    """Minimise ‖r(x)‖² by Levenberg–Marquardt with Marquardt's diagonal scaling."""
    r = residuals(x)
    f = float(r @ r)
    damping = 1e-3
    for _ in range(max_iter):
        jac = derivative(x)
        grad = jac.T @ r
        normal = jac.T @ jac
        scale = np.maximum(np.diag(normal), 1e-12)
        while True:
            try:
                step = np.linalg.solve(normal + damping * np.diag(scale), -grad)
            except np.linalg.LinAlgError:
                step = np.full(x.shape, np.nan)
            r_new = residuals(x + step) if np.all(np.isfinite(step)) else None
            f_new = float(r_new @ r_new) if r_new is not None else np.inf
            if np.isfinite(f_new) and f_new <= f:
                break
            damping *= 10.0
            if damping > 1e12:
                return x, False
        x, r, decrease, f = x + step, r_new, f - f_new, f_new
        damping = max(damping / 10.0, 1e-12)
        if decrease <= tol * (1.0 + f) and np.max(np.abs(step)) <= 1e-7 * (1.0 + np.max(np.abs(x))):
            return x, True
    return x, False


def residual_variances(theta, layout: Layout) -> np.ndarray:
    """θ_jg = 1/δ_jg² − λ_jg² ψ_g (G × p): negative values are Heywood cases."""
    lam, _, psi, _, delta = _parameters(theta, layout)
    return 1.0 / delta**2 - lam**2 * psi
