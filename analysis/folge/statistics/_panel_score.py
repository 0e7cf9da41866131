"""Score (Lagrange multiplier) tests of the equality constraints of the longitudinal model.

As :mod:`folge.statistics._wlsmv_score` for one group: the constrained estimate θ̂ is
written in the released parameterisation (every wave's loadings and thresholds its own,
latent means and scale factors as in the model); the constraints are rows of R
(θ_first wave − θ_wave t = 0). With u = ((N − 1)/N) Δ'W(s − σ) and J = Δ'WΔ, releasing
the constraints in a set r gives X²_r = N · u' [Z_r⁺]₁₁ u, Z_r = [[J, R₋ᵣ'], [R₋ᵣ, 0]]
(lavaan's ``lavTestScore``, the ordinary score test for WLSMV).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from folge.statistics._panel_model import (
    PanelLayout,
    panel_implied,
    panel_jacobian,
    released_panel_layout,
)
from folge.statistics._wlsmv_score import tied_to_first

__all__ = ["PanelConstraint", "panel_constraints", "panel_score_statistic"]

_ALL = ("loading", "threshold", "factor", "mean", "scale", "residual")


class PanelConstraint(NamedTuple):
    """Parameter ``kind`` (loading, threshold) at ``column`` is equal in wave 1 and ``wave``."""

    kind: str
    column: int
    wave: int


def panel_constraints(layout: PanelLayout) -> list[PanelConstraint]:
    """Constraints of ``layout``: parameter by parameter, then wave."""
    return tied_to_first(layout, layout.n_waves, PanelConstraint)


def _released_theta(theta, layout: PanelLayout, released: PanelLayout) -> np.ndarray:
    out = np.zeros(released.n_params)
    for kind in _ALL:
        source, target = getattr(layout, kind), getattr(released, kind)
        both = (source >= 0) & (target >= 0)
        out[target[both]] = theta[source[both]]
    return out


def panel_score_statistic(theta, layout: PanelLayout, group, release_sets) -> list[float]:
    """X² of releasing each set of constraint positions (into :func:`panel_constraints`)."""
    released = released_panel_layout(layout)
    constraints = panel_constraints(layout)
    rows = np.zeros((len(constraints), released.n_params))
    for i, (kind, column, t) in enumerate(constraints):
        index = getattr(released, kind)
        rows[i, index[0, column]] = 1.0
        rows[i, index[t, column]] = -1.0
    full = _released_theta(theta, layout, released)
    delta = panel_jacobian(full, released)
    wd = group.weights[:, None] * delta
    n = float(group.n)
    score = (n - 1) / n * wd.T @ (group.statistics - panel_implied(full, released))
    info = delta.T @ wd
    q = released.n_params
    out = []
    for release in release_sets:
        kept = np.delete(rows, list(release), axis=0)
        k = kept.shape[0]
        z = np.block([[info, kept.T], [kept, np.zeros((k, k))]])
        out.append(float(n * score @ np.linalg.pinv(z)[:q, :q] @ score))
    return out
