"""Maximise the REML criterion over theta (L-BFGS-B from several starts, best finite fit kept)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from folge.statistics._reml_criterion import (
    Evaluation,
    evaluate,
    n_theta,
    profiled_many,
    region_factor,
    theta_lower_bounds,
)
from folge.statistics._reml_data import NestedCrossproducts

__all__ = ["SINGULAR_TOL", "NestedLmmFit", "fit_theta"]

#: lme4::isSingular's default tolerance on the diagonal of the relative Cholesky factors.
SINGULAR_TOL = 1e-4
#: Diagonal entries of theta below this are tried on the boundary (see _try_boundaries).
_SMALL_DIAGONAL = 0.05
#: A boundary fit whose REML criterion is within this of the interior one is preferred.
_TIE = 1e-7


@dataclass(frozen=True)
class NestedLmmFit:
    """A REML fit of the nested model.

    Attributes
    ----------
    beta, vcov : fixed effects and their covariance sigma^2 (X'V^-1 X)^-1.
    theta : relative Cholesky factors, lme4's order (person, then region l11, l21, l22).
    sigma : residual standard deviation.
    reml_criterion : -2 REML log-likelihood at the optimum (lme4's ``REMLcrit``).
    person_var : person-intercept variance (NaN when the model has no person term).
    region_cov : q x q covariance of the region effects.
    singular : a diagonal theta entry below :data:`SINGULAR_TOL` (``lme4::isSingular``).
    converged : the optimiser reported success from the start that won.
    """

    data: NestedCrossproducts
    beta: np.ndarray
    vcov: np.ndarray
    theta: np.ndarray
    sigma: float
    reml_criterion: float
    person_var: float
    region_cov: np.ndarray
    singular: bool
    converged: bool


def _criterion(data: NestedCrossproducts, theta: np.ndarray) -> float:
    if n_theta(data) == 0:
        try:
            value = evaluate(data, theta).profiled_deviance(data.n, data.p)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            return math.inf
        return value if math.isfinite(value) else math.inf
    return float(profiled_many(data, np.asarray(theta, dtype=float)[None])[0])


def _value_and_gradient(data: NestedCrossproducts, theta: np.ndarray) -> tuple[float, np.ndarray]:
    """The criterion and its central differences (forward at a bound), all in one batched call."""
    lower = theta_lower_bounds(data)
    size = theta.size
    steps = np.array([1e-6 * max(1.0, abs(t)) for t in theta])
    forward = np.array([lower[i] is not None and theta[i] - steps[i] < lower[i] for i in range(size)])
    shifts = np.diag(steps)
    values = profiled_many(data, np.concatenate([theta[None], theta + shifts, theta - shifts]))
    f0, up, down = float(values[0]), values[1:size + 1], values[size + 1:]
    return f0, np.where(forward, (up - f0) / steps, (up - down) / (2.0 * steps))


def _central_gradient(data: NestedCrossproducts, theta: np.ndarray, f0: float) -> np.ndarray:
    """Central differences of the criterion at ``theta`` (forward at a bound)."""
    return _value_and_gradient(data, theta)[1]


def _starts(data: NestedCrossproducts) -> list[np.ndarray]:
    """lme4's start (identity factors) and two rescaled ones."""
    region = ([], [1.0], [1.0, 0.0, 1.0])[data.q]
    base = np.array(([1.0] if data.person_term else []) + region)
    diagonal = np.array([b != 0.0 for b in base])
    return [base, np.where(diagonal, 0.3, 0.0), np.where(diagonal, 0.05, 0.0)]


def _minimise(
    data: NestedCrossproducts, start: np.ndarray, fixed: frozenset[int] = frozenset()
) -> tuple[np.ndarray, float, bool]:
    """L-BFGS-B over the entries of theta not in ``fixed`` (those keep their start value)."""
    free = np.array([i not in fixed for i in range(start.size)], dtype=bool)
    if not free.any():
        return start.copy(), _criterion(data, start), True

    def full(sub):
        theta = start.copy()
        theta[free] = sub
        return theta

    def fun(sub):
        f0, grad = _value_and_gradient(data, full(sub))
        if not math.isfinite(f0):
            return 1e300, np.zeros_like(sub)
        return f0, grad[free]

    bounds = [(lo, None) for lo, keep in zip(theta_lower_bounds(data), free, strict=True) if keep]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = optimize.minimize(
            fun, start[free], jac=True, method="L-BFGS-B", bounds=bounds,
            options={"ftol": 1e-13, "gtol": 1e-9, "maxiter": 2000, "maxcor": 20},
        )
    value = float(result.fun) if math.isfinite(result.fun) and result.fun < 1e299 else math.inf
    return full(np.asarray(result.x, dtype=float)), value, bool(result.success)


def _on_boundary(data: NestedCrossproducts, theta: np.ndarray) -> bool:
    lower = theta_lower_bounds(data)
    return any(lo is not None and value < SINGULAR_TOL for lo, value in zip(lower, theta, strict=True))


def _try_boundaries(data: NestedCrossproducts, theta: np.ndarray, value: float) -> tuple[np.ndarray, float]:
    """Put small diagonal entries on their bound of 0 when the re-optimised criterion is no worse.

    Near zero the criterion is nearly flat in a diagonal entry (it enters squared), so a
    gradient method can stop at, say, 7e-4 where the optimum is 0; refitting with that
    entry fixed at 0 decides. Ties within :data:`_TIE` go to the boundary.
    """
    fixed: frozenset[int] = frozenset()
    small = [i for i, lo in enumerate(theta_lower_bounds(data)) if lo is not None and theta[i] < _SMALL_DIAGONAL]
    for i in sorted(small, key=lambda j: theta[j]):
        start = theta.copy()
        start[i] = 0.0
        trial, trial_value, _ = _minimise(data, start, fixed | {i})
        if trial_value <= value + _TIE:
            theta, value, fixed = trial, trial_value, fixed | {i}
    return theta, value


def _stationary(data: NestedCrossproducts, theta: np.ndarray, tol: float = 1e-3) -> bool:
    """The projected gradient is small (L-BFGS-B may stop on its line search at the optimum)."""
    grad = _central_gradient(data, theta, _criterion(data, theta))
    at_bound = np.array([lo is not None and t <= lo for lo, t in zip(theta_lower_bounds(data), theta, strict=True)])
    projected = np.where(at_bound & (grad > 0), 0.0, grad)
    return bool(np.all(np.abs(projected) < tol))


def _assemble(data: NestedCrossproducts, theta: np.ndarray, converged: bool) -> NestedLmmFit:
    ev: Evaluation = evaluate(data, theta)
    sigma2 = ev.pwrss / (data.n - data.p)
    lam = region_factor(data, theta)
    diag_idx = [i for i, lo in enumerate(theta_lower_bounds(data)) if lo is not None]
    return NestedLmmFit(
        data=data,
        beta=ev.beta,
        vcov=sigma2 * ev.xtvx_inv,
        theta=theta,
        sigma=math.sqrt(sigma2),
        reml_criterion=ev.profiled_deviance(data.n, data.p),
        person_var=sigma2 * theta[0] ** 2 if data.person_term else math.nan,
        region_cov=sigma2 * lam @ lam.T,
        singular=bool(np.any(theta[diag_idx] < SINGULAR_TOL)) if diag_idx else False,
        converged=converged,
    )


def fit_theta(data: NestedCrossproducts) -> NestedLmmFit | None:
    """The best finite REML fit, or None when no start gives one.

    L-BFGS-B from lme4's start (identity factors); when that stops on the boundary or
    without converging, also from two smaller starts, keeping the lowest criterion;
    then small diagonal entries are tried at zero (:func:`_try_boundaries`).
    """
    if n_theta(data) == 0:
        return _assemble(data, np.zeros(0), True) if math.isfinite(_criterion(data, np.zeros(0))) else None
    best = None
    for number, start in enumerate(_starts(data)):
        theta, value, success = _minimise(data, start)
        if math.isfinite(value) and (best is None or value < best[1] - 1e-10):
            best = (theta, value, success)
        if number == 0 and best is not None and success and not _on_boundary(data, theta):
            break  # an interior optimum from lme4's start: the other starts are for boundary stalls
    if best is None:
        return None
    theta, _ = _try_boundaries(data, *best[:2])
    return _assemble(data, theta, best[2] or _stationary(data, theta))
