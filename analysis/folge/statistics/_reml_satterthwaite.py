r"""Satterthwaite degrees of freedom for a contrast of a REML fit, as lmerTest computes them.

For a contrast :math:`L'\beta` with :math:`C(\phi) = \sigma^2 (X'V_\theta^{-1}X)^{-1}`
and the variance parameters :math:`\phi = (\theta, \sigma)`:

.. math:: \nu = \frac{2\,(L'CL)^2}{g' A g}, \quad g_i = L'\frac{\partial C}{\partial\phi_i}L,
   \quad A = 2\,H^{-1},

where :math:`H` is the Hessian of the REML deviance :math:`-2\ell_R(\theta, \sigma)` at the
optimum (a pseudo-inverse over the eigenvalues above 1e-8, as lmerTest does). Both the
Hessian and the gradient are numerical, with Richardson extrapolation as in R's numDeriv
(``hessian``: relative step 0.1; ``jacobian``: relative step 1e-4; four halvings), so that
boundary fits give the same numbers as ``lmerTest`` too.

References: Satterthwaite (1946), Biometrics Bulletin 2(6), 110-114; Kuznetsova,
Brockhoff & Christensen (2017), lmerTest, JSS 82(13).
"""

from __future__ import annotations

import math

import numpy as np

from folge.statistics._reml_criterion import evaluate, pieces_many
from folge.statistics._reml_fit import NestedLmmFit

__all__ = ["contrast_variance", "satterthwaite_df"]

_LOG_2PI = math.log(2.0 * math.pi)
_ZERO_TOL = math.sqrt(np.finfo(float).eps / 7e-7)
_EIGEN_TOL = 1e-8


def _steps(x: np.ndarray, d: float, eps: float = 1e-4) -> np.ndarray:
    return np.abs(d * x) + eps * (np.abs(x) < _ZERO_TOL)


def _richardson(values: list[float]) -> float:
    a = list(values)
    for m in range(1, len(a)):
        a = [(a[k + 1] * 4**m - a[k]) / (4**m - 1) for k in range(len(a) - 1)]
    return a[0]


def _positive_inverse(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh(matrix)
    keep = values > _EIGEN_TOL
    return (vectors[:, keep] / values[keep]) @ vectors[:, keep].T


def contrast_variance(fit: NestedLmmFit, varpar: np.ndarray, contrast: np.ndarray) -> float:
    """L' C(theta, sigma) L with C = sigma^2 (X'V^-1 X)^-1 (lmerTest's ``get_covbeta``)."""
    ev = evaluate(fit.data, varpar[:-1])
    return float(varpar[-1] ** 2 * contrast @ ev.xtvx_inv @ contrast)


def _batched(fit: NestedLmmFit, contrast: np.ndarray):
    """Deviance and contrast variance at many (theta, sigma) rows, one vectorised call each."""
    n, p = fit.data.n, fit.data.p

    def deviance(points: np.ndarray) -> np.ndarray:
        logdet, pwrss, _ = pieces_many(fit.data, points[:, :-1])
        s2 = points[:, -1] ** 2
        with np.errstate(all="ignore"):
            return logdet + pwrss / s2 + (n - p) * (_LOG_2PI + np.log(s2))

    def variance(points: np.ndarray) -> np.ndarray:
        return points[:, -1] ** 2 * pieces_many(fit.data, points[:, :-1], contrast)[2]

    return deviance, variance


def _hessian_batched(func, x: np.ndarray, d: float = 0.1, r: int = 4) -> np.ndarray:
    """:func:`_hessian` with every point evaluated in one call of ``func`` (rows of points)."""
    n = x.size
    h0 = _steps(x, d)
    unit = np.eye(n)
    points = [x]
    for i in range(n):
        for k in range(r):
            h = h0[i] / 2**k
            points += [x + unit[i] * h, x - unit[i] * h]
    pairs = [(i, j) for i in range(n) for j in range(i)]
    for i, j in pairs:
        for k in range(r):
            step = unit[i] * h0[i] / 2**k + unit[j] * h0[j] / 2**k
            points += [x + step, x - step]
    values = func(np.array(points))
    f0, at = values[0], 1
    diag = np.empty(n)
    for i in range(n):
        approx = []
        for k in range(r):
            h = h0[i] / 2**k
            approx.append((values[at] - 2 * f0 + values[at + 1]) / h**2)
            at += 2
        diag[i] = _richardson(approx)
    hess = np.diag(diag)
    for i, j in pairs:
        approx = []
        for k in range(r):
            hi, hj = h0[i] / 2**k, h0[j] / 2**k
            second = values[at] - 2 * f0 + values[at + 1] - diag[i] * hi**2 - diag[j] * hj**2
            approx.append(second / (2 * hi * hj))
            at += 2
        hess[i, j] = hess[j, i] = _richardson(approx)
    return hess


def _gradient_batched(func, x: np.ndarray, d: float = 1e-4, r: int = 4) -> np.ndarray:
    """:func:`_gradient` with every point evaluated in one call of ``func``."""
    h0 = _steps(x, d)
    unit = np.eye(x.size)
    points = [x + sign * unit[i] * h0[i] / 2**k for i in range(x.size) for k in range(r) for sign in (1, -1)]
    values = func(np.array(points)).reshape(x.size, r, 2)
    steps = h0[:, None] / 2.0 ** np.arange(r)[None, :]
    return np.array([_richardson(list((values[i, :, 0] - values[i, :, 1]) / (2 * steps[i]))) for i in range(x.size)])


def satterthwaite_df(fit: NestedLmmFit, contrast: np.ndarray) -> float:
    """Satterthwaite's df for ``contrast @ beta`` (see the module docstring); NaN if undefined."""
    contrast = np.asarray(contrast, dtype=float)
    varpar = np.append(fit.theta, fit.sigma)
    deviance, variance_at = _batched(fit, contrast)
    try:
        hess = _hessian_batched(deviance, varpar)
        grad = _gradient_batched(variance_at, varpar)
        denominator = float(grad @ (2.0 * _positive_inverse(hess)) @ grad)
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError):
        return math.nan
    variance = float(contrast @ fit.vcov @ contrast)
    df = 2.0 * variance**2 / denominator if denominator > 0 else math.nan
    return df if math.isfinite(df) else math.nan
