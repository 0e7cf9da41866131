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

from folge.statistics._reml_criterion import evaluate
from folge.statistics._reml_fit import NestedLmmFit

__all__ = ["contrast_variance", "satterthwaite_df"]

_ZERO_TOL = math.sqrt(np.finfo(float).eps / 7e-7)
_EIGEN_TOL = 1e-8


def _steps(x: np.ndarray, d: float, eps: float = 1e-4) -> np.ndarray:
    return np.abs(d * x) + eps * (np.abs(x) < _ZERO_TOL)


def _richardson(values: list[float]) -> float:
    a = list(values)
    for m in range(1, len(a)):
        a = [(a[k + 1] * 4**m - a[k]) / (4**m - 1) for k in range(len(a) - 1)]
    return a[0]


def _hessian(func, x: np.ndarray, d: float = 0.1, r: int = 4) -> np.ndarray:
    """numDeriv::genD's Hessian: Richardson-extrapolated central differences."""
    n = x.size
    f0 = func(x)
    h0 = _steps(x, d)
    unit = np.eye(n)
    diag = np.empty(n)
    for i in range(n):
        approx = []
        for k in range(r):
            h = h0[i] / 2**k
            approx.append((func(x + unit[i] * h) - 2 * f0 + func(x - unit[i] * h)) / h**2)
        diag[i] = _richardson(approx)
    hess = np.diag(diag)
    for i in range(n):
        for j in range(i):
            approx = []
            for k in range(r):
                hi, hj = h0[i] / 2**k, h0[j] / 2**k
                step = unit[i] * hi + unit[j] * hj
                second = func(x + step) - 2 * f0 + func(x - step) - diag[i] * hi**2 - diag[j] * hj**2
                approx.append(second / (2 * hi * hj))
            hess[i, j] = hess[j, i] = _richardson(approx)
    return hess


def _gradient(func, x: np.ndarray, d: float = 1e-4, r: int = 4) -> np.ndarray:
    """numDeriv::grad (method "Richardson")."""
    h0 = _steps(x, d)
    grad = np.empty(x.size)
    for i in range(x.size):
        unit = np.zeros(x.size)
        unit[i] = 1.0
        steps = [h0[i] / 2**k for k in range(r)]
        approx = [(func(x + unit * h) - func(x - unit * h)) / (2 * h) for h in steps]
        grad[i] = _richardson(approx)
    return grad


def _positive_inverse(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh(matrix)
    keep = values > _EIGEN_TOL
    return (vectors[:, keep] / values[keep]) @ vectors[:, keep].T


def contrast_variance(fit: NestedLmmFit, varpar: np.ndarray, contrast: np.ndarray) -> float:
    """L' C(theta, sigma) L with C = sigma^2 (X'V^-1 X)^-1 (lmerTest's ``get_covbeta``)."""
    ev = evaluate(fit.data, varpar[:-1])
    return float(varpar[-1] ** 2 * contrast @ ev.xtvx_inv @ contrast)


def _deviance(fit: NestedLmmFit, varpar: np.ndarray) -> float:
    return evaluate(fit.data, varpar[:-1]).deviance(varpar[-1], fit.data.n, fit.data.p)


def satterthwaite_df(fit: NestedLmmFit, contrast: np.ndarray) -> float:
    """Satterthwaite's df for ``contrast @ beta`` (see the module docstring); NaN if undefined."""
    contrast = np.asarray(contrast, dtype=float)
    varpar = np.append(fit.theta, fit.sigma)
    try:
        hess = _hessian(lambda v: _deviance(fit, v), varpar)
        grad = _gradient(lambda v: contrast_variance(fit, v, contrast), varpar)
        denominator = float(grad @ (2.0 * _positive_inverse(hess)) @ grad)
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError):
        return math.nan
    variance = float(contrast @ fit.vcov @ contrast)
    df = 2.0 * variance**2 / denominator if denominator > 0 else math.nan
    return df if math.isfinite(df) else math.nan
