r"""The REML criterion of the nested model, evaluated per region block.

With the relative covariance factor :math:`\Lambda_\theta` (lme4's parameterisation:
random effects :math:`= \sigma \Lambda_\theta v`, :math:`v \sim N(0, I)`), the marginal
covariance is :math:`\sigma^2 V_\theta` with :math:`V_\theta = I + Z\Lambda\Lambda'Z'`.
Woodbury's identity gives
:math:`V_\theta^{-1} = I - Z\Lambda M^{-1}\Lambda'Z'` and
:math:`\log|V_\theta| = \log|M|` with :math:`M = I + \Lambda'Z'Z\Lambda`, block
diagonal by region. Inside a region block the persons' part of :math:`M` is diagonal,
so the Schur complement onto the region effects is the small matrix

.. math:: S_r = I_q + \Lambda_g' H_r \Lambda_g, \quad
   H_r = Z_{g,r}'Z_{g,r} - \sum_p \frac{\theta_p^2}{1 + \theta_p^2 m_p} z_p z_p',

and :math:`W'V_\theta^{-1}W = W'W - \sum_p \frac{\theta_p^2}{1+\theta_p^2 m_p} s_p s_p'
- \sum_r F_r'\Lambda_g S_r^{-1}\Lambda_g'F_r` with :math:`F_r = Z_{g,r}'W_r - \sum_p
\frac{\theta_p^2}{1+\theta_p^2 m_p} z_p s_p'`, :math:`\log|M| = \sum_p \log(1+\theta_p^2
m_p) + \sum_r \log|S_r|`. From :math:`W'V_\theta^{-1}W` (``W = [X, y]``) come the GLS
estimate :math:`\hat\beta_\theta`, the penalised residual sum of squares
:math:`r^2_\theta = (y - X\hat\beta)'V_\theta^{-1}(y - X\hat\beta)` and
:math:`\log|X'V_\theta^{-1}X|`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from folge.statistics._reml_data import NestedCrossproducts

__all__ = ["Evaluation", "evaluate", "n_theta", "region_factor", "theta_lower_bounds"]

_LOG_2PI = math.log(2.0 * math.pi)


@dataclass(frozen=True)
class Evaluation:
    """Everything the criterion at one theta yields (``xtvx`` is X'V^-1 X)."""

    logdet_m: float
    logdet_xtvx: float
    pwrss: float
    beta: np.ndarray
    xtvx_inv: np.ndarray

    def profiled_deviance(self, n: int, p: int) -> float:
        """lme4's REML criterion with sigma profiled out."""
        dof = n - p
        return self.logdet_m + self.logdet_xtvx + dof * (1.0 + _LOG_2PI + math.log(self.pwrss / dof))

    def deviance(self, sigma: float, n: int, p: int) -> float:
        """-2 REML log-likelihood at (theta, sigma) (lmerTest's ``devfun_vp``)."""
        s2 = sigma * sigma
        return self.logdet_m + self.logdet_xtvx + self.pwrss / s2 + (n - p) * (_LOG_2PI + math.log(s2))


def n_theta(data: NestedCrossproducts) -> int:
    """Number of covariance parameters theta: person (0/1) + region (0, 1 or 3)."""
    return int(data.person_term) + (0, 1, 3)[data.q]


def theta_lower_bounds(data: NestedCrossproducts) -> list[float | None]:
    """0 for diagonal entries of the Cholesky factors, unbounded for the off-diagonal."""
    region = ([], [0.0], [0.0, None, 0.0])[data.q]
    return ([0.0] if data.person_term else []) + region


def region_factor(data: NestedCrossproducts, theta: np.ndarray) -> np.ndarray:
    """The lower-triangular q x q relative factor of the region effects."""
    t = theta[int(data.person_term):]
    if data.q == 0:
        return np.zeros((0, 0))
    if data.q == 1:
        return np.array([[t[0]]])
    return np.array([[t[0], 0.0], [t[1], t[2]]])


def _person_weights(data: NestedCrossproducts, theta: np.ndarray) -> tuple[np.ndarray, float]:
    """theta_p^2 / (1 + theta_p^2 m) for each distinct m, and sum_p log(1 + theta_p^2 m_p)."""
    if not data.person_term:
        return np.zeros(data.m_values.size), 0.0
    t2 = theta[0] * theta[0]
    one_plus = 1.0 + t2 * data.m_values
    return t2 / one_plus, float(data.m_counts @ np.log(one_plus))


def _schur_pieces(data: NestedCrossproducts, f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """H_r (R, q, q) and F_r (R, q, k) of the module docstring."""
    h = data.zz - np.tensordot(f, data.zz_m, axes=(0, 1))
    fr = data.zw - np.tensordot(f, data.zs_m, axes=(0, 1))
    return h, fr


def _region_correction(data: NestedCrossproducts, lam: np.ndarray, f: np.ndarray) -> tuple[np.ndarray, float]:
    """sum_r F_r' L S_r^-1 L' F_r and sum_r log|S_r|, with the 1x1 or 2x2 algebra written out."""
    h, fr = _schur_pieces(data, f)
    if data.q == 1:
        a = lam[0, 0]
        s = 1.0 + a * a * h[:, 0, 0]
        half = (a / np.sqrt(s))[:, None] * fr[:, 0, :]
        return half.T @ half, float(np.log(s).sum())
    a, b, c = lam[0, 0], lam[1, 0], lam[1, 1]
    row0 = a * h[:, 0, :] + b * h[:, 1, :]  # first row of Lambda' H
    s00 = 1.0 + a * row0[:, 0] + b * row0[:, 1]
    s01 = c * row0[:, 1]
    s11 = 1.0 + c * c * h[:, 1, 1]
    l00 = np.sqrt(s00)
    l10 = s01 / l00
    l11 = np.sqrt(s11 - l10 * l10)
    half0 = (a * fr[:, 0, :] + b * fr[:, 1, :]) / l00[:, None]
    half1 = (c * fr[:, 1, :] - l10[:, None] * half0) / l11[:, None]
    correction = half0.T @ half0 + half1.T @ half1
    return correction, 2.0 * float(np.log(l00).sum() + np.log(l11).sum())


def evaluate(data: NestedCrossproducts, theta: np.ndarray) -> Evaluation:
    """The pieces of the REML criterion at ``theta`` (see the module docstring)."""
    theta = np.asarray(theta, dtype=float)
    f, logdet = _person_weights(data, theta)
    wvw = data.wtw - np.einsum("k,kab->ab", f, data.ss)
    if data.q:
        correction, logdet_s = _region_correction(data, region_factor(data, theta), f)
        wvw = wvw - correction
        logdet += logdet_s
    p = data.p
    xtvx = wvw[:p, :p]
    chol = np.linalg.cholesky(xtvx)
    xty = wvw[:p, p]
    beta = np.linalg.solve(chol.T, np.linalg.solve(chol, xty))
    pwrss = float(wvw[p, p] - xty @ beta)
    chol_inv = np.linalg.inv(chol)
    return Evaluation(
        logdet_m=logdet,
        logdet_xtvx=2.0 * float(np.log(np.diag(chol)).sum()),
        pwrss=pwrss,
        beta=beta,
        xtvx_inv=chol_inv.T @ chol_inv,
    )


def _region_correction_many(data: NestedCrossproducts, theta: np.ndarray, f: np.ndarray):
    """:func:`_region_correction` for a batch of theta (B, n_theta): (B, k, k) and (B,)."""
    t = theta[:, int(data.person_term):]
    _, zz_m, zs_m = data.by_m
    # H_r and F_r in the products' own buffers (the same operations, no temporaries of B x R x q x k)
    h = (f @ zz_m).reshape(-1, *data.zz.shape)
    np.subtract(data.zz[None], h, out=h)
    fr = (f @ zs_m).reshape(-1, *data.zw.shape)
    np.subtract(data.zw[None], fr, out=fr)
    if data.q == 1:
        a = t[:, 0][:, None]
        s = 1.0 + a * a * h[:, :, 0, 0]
        half = (a / np.sqrt(s))[:, :, None] * fr[:, :, 0, :]
        return half.transpose(0, 2, 1) @ half, np.log(s).sum(axis=1)
    a, b, c = (t[:, i][:, None] for i in range(3))
    row0 = a[:, :, None] * h[:, :, 0, :] + b[:, :, None] * h[:, :, 1, :]
    s00 = 1.0 + a * row0[:, :, 0] + b * row0[:, :, 1]
    s01 = c * row0[:, :, 1]
    s11 = 1.0 + c * c * h[:, :, 1, 1]
    l00 = np.sqrt(s00)
    l10 = s01 / l00
    l11 = np.sqrt(s11 - l10 * l10)
    half0 = a[:, :, None] * fr[:, :, 0, :]
    half0 += b[:, :, None] * fr[:, :, 1, :]
    half0 /= l00[:, :, None]
    half1 = c[:, :, None] * fr[:, :, 1, :]
    half1 -= l10[:, :, None] * half0
    half1 /= l11[:, :, None]
    correction = half0.transpose(0, 2, 1) @ half0
    correction += half1.transpose(0, 2, 1) @ half1
    return correction, 2.0 * (np.log(l00).sum(axis=1) + np.log(l11).sum(axis=1))


def pieces_many(data: NestedCrossproducts, thetas: np.ndarray, contrast: np.ndarray | None = None):
    """log|M| + log|X'V^-1X|, the penalised RSS and (with ``contrast`` L) L'(X'V^-1X)^-1 L at each row of ``thetas``.

    The algebra of :func:`evaluate` (see the module docstring), vectorised over a batch of
    theta (B, n_theta), so that numerical derivatives cost one call instead of one per
    step. Where X'V^-1X is not positive definite the log-determinant is NaN.
    """
    thetas = np.atleast_2d(np.asarray(thetas, dtype=float))
    with np.errstate(all="ignore"):
        if data.person_term:
            t2 = thetas[:, 0] ** 2
            one_plus = 1.0 + t2[:, None] * data.m_values[None, :]
            f = t2[:, None] / one_plus
            logdet = np.log(one_plus) @ data.m_counts
        else:
            f = np.zeros((thetas.shape[0], data.m_values.size))
            logdet = np.zeros(thetas.shape[0])
        wvw = (f @ data.by_m[0]).reshape(-1, *data.wtw.shape)
        np.subtract(data.wtw[None], wvw, out=wvw)
        if data.q:
            correction, logdet_s = _region_correction_many(data, thetas, f)
            wvw -= correction
            logdet = logdet + logdet_s
        p = data.p
        xtvx, xty = wvw[:, :p, :p], wvw[:, :p, p]
        sign, logdet_x = np.linalg.slogdet(xtvx)
        good = (sign > 0) & np.isfinite(logdet_x)
        safe = np.where(good[:, None, None], xtvx, np.eye(p))
        rhs = xty[:, :, None] if contrast is None else np.concatenate(
            [xty[:, :, None], np.broadcast_to(contrast[None, :, None], xty[:, :, None].shape)], axis=2)
        solved = np.linalg.solve(safe, rhs)
        pwrss = wvw[:, p, p] - np.einsum("bi,bi->b", xty, solved[:, :, 0])
        variance = None if contrast is None else solved[:, :, 1] @ contrast
    return np.where(good, logdet + logdet_x, np.nan), pwrss, variance


def profiled_many(data: NestedCrossproducts, thetas: np.ndarray) -> np.ndarray:
    """lme4's profiled REML criterion at each row of ``thetas`` (B, n_theta); ``inf`` where not finite."""
    logdet, pwrss, _ = pieces_many(data, thetas)
    dof = data.n - data.p
    with np.errstate(all="ignore"):
        value = logdet + dof * (1.0 + _LOG_2PI + np.log(pwrss / dof))
    return np.where(np.isfinite(value), value, np.inf)
