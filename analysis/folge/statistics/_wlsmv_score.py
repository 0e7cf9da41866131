"""Score (Lagrange multiplier) tests of the equality constraints of a DWLS model.

The constrained estimate θ̂ is written in the released parameterisation (every group's
loadings and thresholds its own, latent means and scale factors as in the model); the constraints are rows of R (θ_first group − θ_group g = 0). With the gradient
of the DWLS fit function there, u = Σ_g ((N_g − 1)/N) Δ_g'W_g(s_g − σ_g), and the
expected information J = Σ_g (N_g/N) Δ_g'W_gΔ_g, releasing the constraints in a set r
gives

    X²_r = N · u' [Z_r⁺]₁₁ u,    Z_r = [[J, R₋ᵣ'], [R₋ᵣ, 0]],

R₋ᵣ the constraints kept, [·]₁₁ the parameter block of the generalised inverse, on
#r degrees of freedom (lavaan's ``lavTestScore``, which for WLSMV is the ordinary,
not the robust, score test).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from folge.statistics._wlsmv_model import Layout, build_layout, implied_all, jacobian_all

__all__ = [
    "Constraint",
    "equality_constraints",
    "tied_to_first",
    "released_layout",
    "released_theta",
    "score_statistic",
]

_KINDS = ("loading", "threshold")


class Constraint(NamedTuple):
    """Parameter ``kind`` (loading, threshold) at ``column`` is equal in group 1 and ``group``."""

    kind: str
    column: int
    group: int


def released_layout(layout: Layout) -> Layout:
    """The parameterisation with every equality released, means and scales as in ``layout``."""
    return build_layout(layout.n_categories, layout.n_groups, (),
                        free_means=bool((layout.mean >= 0).any()))


def equality_constraints(layout: Layout) -> list[Constraint]:
    """Constraints of ``layout`` in lavaan's order: parameter by parameter, then group."""
    return tied_to_first(layout, layout.n_groups, Constraint)


def tied_to_first(layout, n_sets: int, constraint=Constraint) -> list:
    """Every loading and threshold of ``layout`` that shares set 1's parameter, in lavaan's order.

    ``layout.loading`` and ``layout.threshold`` index the parameters (sets × columns, −1
    fixed); a set is a group of the multi-group model or a wave of the panel model. Returns
    ``constraint(kind, column, set)`` parameter by parameter, then set.
    """
    out = []
    for kind in _KINDS:
        index = getattr(layout, kind)
        for column in range(index.shape[1]):
            if index[0, column] < 0:
                continue
            out += [constraint(kind, column, s) for s in range(1, n_sets) if index[s, column] == index[0, column]]
    return out


def released_theta(theta, layout: Layout, released: Layout) -> np.ndarray:
    """θ̂ of ``layout`` written in the ``released`` parameterisation."""
    out = np.zeros(released.n_params)
    for kind in ("loading", "threshold", "variance", "mean", "scale"):
        source, target = getattr(layout, kind), getattr(released, kind)
        both = (source >= 0) & (target >= 0)
        out[target[both]] = theta[source[both]]
    return out


def _constraint_rows(constraints, released: Layout) -> np.ndarray:
    rows = np.zeros((len(constraints), released.n_params))
    for i, (kind, column, g) in enumerate(constraints):
        index = getattr(released, kind)
        rows[i, index[0, column]] = 1.0
        rows[i, index[g, column]] = -1.0
    return rows


def score_statistic(theta, layout: Layout, groups, release_sets) -> list[float]:
    """X² of releasing each set of constraint positions in ``release_sets``.

    ``release_sets`` holds lists of positions into :func:`equality_constraints`; an
    empty list of sets gives nothing.
    """
    released = released_layout(layout)
    constraints = equality_constraints(layout)
    rows = _constraint_rows(constraints, released)
    full = released_theta(theta, layout, released)
    n = np.array([g.n for g in groups], dtype=float)
    deltas = jacobian_all(full, released)
    residual = np.vstack([g.statistics for g in groups]) - implied_all(full, released)
    score = np.zeros(released.n_params)
    info = np.zeros((released.n_params, released.n_params))
    for g, group in enumerate(groups):
        wd = group.weights[:, None] * deltas[g]
        score += (n[g] - 1) / n.sum() * wd.T @ residual[g]
        info += n[g] / n.sum() * deltas[g].T @ wd
    out = []
    q = released.n_params
    for release in release_sets:
        kept = np.delete(rows, list(release), axis=0)
        k = kept.shape[0]
        z = np.block([[info, kept.T], [kept, np.zeros((k, k))]])
        block = np.linalg.pinv(z)[:q, :q]
        out.append(float(n.sum() * score @ block @ score))
    return out
