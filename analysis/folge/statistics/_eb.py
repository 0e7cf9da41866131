"""Empirical-Bayes region estimates from a one-way random-intercept model fitted by REML."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from ._groups import GroupSums, group_sums

__all__ = ["EB_COLUMNS", "EbFit", "eb_from_sums", "empirical_bayes"]

#: Columns of :func:`empirical_bayes` after the ``by`` columns and ``region``.
EB_COLUMNS = ("n", "eb", "eb_se", "gamma00", "tau2", "sigma2", "note")

#: Grid on phi = theta / (1 + theta), theta = tau / sigma, searched before Brent refines.
_GRID = np.linspace(0.0, 0.999, 101)


@dataclass(frozen=True)
class EbFit:
    """EB estimates per parent x region, and the fit of every parent."""

    eb: np.ndarray
    eb_se: np.ndarray
    gamma00: np.ndarray
    tau2: np.ndarray
    sigma2: np.ndarray
    note: np.ndarray


def _profile(lam, n, ybar, within, total_n):
    """REML deviance (up to a constant) with sigma^2 profiled out, for each lambda.

    ``lam`` may be an array (a grid); ``n``, ``ybar`` are the regions' sizes and means.
    """
    lam = np.atleast_1d(np.asarray(lam, dtype=float))[:, None]
    one = 1.0 + n[None, :] * lam
    w = n[None, :] / one
    sw = w.sum(axis=1)
    gamma = (w * ybar[None, :]).sum(axis=1) / sw
    q = within + (w * (ybar[None, :] - gamma[:, None]) ** 2).sum(axis=1)
    with np.errstate(divide="ignore"):
        return (total_n - 1) * np.log(q) + np.log(one).sum(axis=1) + np.log(sw)


def _fit_lambda(n, ybar, within, total_n) -> float:
    """The REML estimate of lambda = tau^2 / sigma^2 >= 0 (grid, then bounded Brent)."""
    def deviance_phi(phi):
        theta = phi / (1.0 - phi)
        return float(_profile(theta * theta, n, ybar, within, total_n)[0])

    thetas = _GRID / (1.0 - _GRID)
    values = _profile(thetas**2, n, ybar, within, total_n)
    k = int(np.argmin(values))
    lo, hi = _GRID[max(k - 1, 0)], _GRID[min(k + 1, len(_GRID) - 1)]
    best = optimize.minimize_scalar(deviance_phi, bounds=(lo, hi), method="bounded",
                                    options={"xatol": 1e-13, "maxiter": 500})
    phi = best.x if best.fun < values[k] else _GRID[k]
    theta = phi / (1.0 - phi)
    return float(theta * theta)


def _fit_parent(n, ybar, ss) -> tuple[np.ndarray, np.ndarray, float, float, float, str]:
    """EB estimates and SEs of one parent's regions (n > 0 only), the fit, and a note."""
    j = len(n)
    total_n = float(n.sum())
    within = float(ss.sum())
    nan = np.full(j, np.nan)
    grand = float((n * ybar).sum() / total_n) if total_n else np.nan
    total_ss = within + float((n * (ybar - grand) ** 2).sum())
    if j < 2:
        return nan, nan, np.nan, np.nan, np.nan, "EB needs two or more regions"
    if total_n <= j:
        return nan, nan, np.nan, np.nan, np.nan, "EB needs more scores than regions"
    if total_ss <= 1e-12 * max(1.0, total_n * grand * grand):
        return nan, nan, np.nan, np.nan, np.nan, "constant scores: no variance to fit"
    if within <= 1e-12 * total_ss:
        return nan, nan, np.nan, np.nan, np.nan, "no variation within regions: EB not identified"
    lam = _fit_lambda(n, ybar, within, total_n)
    w = n / (1.0 + n * lam)
    gamma = float((w * ybar).sum() / w.sum())
    sigma2 = (within + float((w * (ybar - gamma) ** 2).sum())) / (total_n - 1)
    blup = lam * w * (ybar - gamma)
    cond_var = sigma2 * lam / (1.0 + n * lam)
    eb_se = np.sqrt(cond_var + sigma2 / w.sum())
    note = "singular fit: no between-region variance, every region gets the overall mean" if lam < 1e-10 else ""
    if lam >= 0.99 * (_GRID[-1] / (1.0 - _GRID[-1])) ** 2:
        note = "between-region variance at the search bound: EB unreliable"
    return gamma + blup, eb_se, gamma, lam * sigma2, sigma2, note


def eb_from_sums(sums: GroupSums) -> EbFit:
    """Fit every parent of ``sums`` (rows) and return EB estimates on the regions grid."""
    shape = sums.n.shape
    eb, eb_se = np.full(shape, np.nan), np.full(shape, np.nan)
    gamma, tau2, sigma2 = (np.full(shape[0], np.nan) for _ in range(3))
    note = np.full(shape[0], "", dtype=object)
    for p in range(shape[0]):
        has = sums.n[p] > 0
        fit = _fit_parent(sums.n[p, has], sums.mean[p, has], sums.ss[p, has])
        eb[p, has], eb_se[p, has], gamma[p], tau2[p], sigma2[p], note[p] = fit
    return EbFit(eb, eb_se, gamma, tau2, sigma2, note)


def empirical_bayes(data: pd.DataFrame, by: Sequence[str] = ("construct", "wave"), *, region: str = "region",
                    score: str = "score") -> pd.DataFrame:
    """Empirical-Bayes (shrunken) estimate of every region's level.

    Parameters
    ----------
    data : pandas.DataFrame
        Long scores; rows with a missing score are left out. Unweighted.
    by : sequence of str
        Columns defining one model (default construct and wave): one fit over all
        regions per group.
    region, score : str
        Names of the region and score columns.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``region``, then :data:`EB_COLUMNS`: ``n``, ``eb``, ``eb_se``,
        the fit's ``gamma00``, ``tau2`` (between-region variance), ``sigma2``
        (within-region variance) and ``note``. Degenerate groups (one region, no
        region with two scores, constant scores, no variation within regions) give NaN
        with the reason in ``note``.

    Notes
    -----
    The model is :math:`y_{ij} = \\gamma_{00} + u_j + e_{ij}`, :math:`u_j \\sim
    N(0, \\tau^2)`, :math:`e_{ij} \\sim N(0, \\sigma^2)`, fitted by REML. With
    :math:`\\lambda = \\tau^2/\\sigma^2` and :math:`w_j = n_j/(1 + n_j\\lambda)`:
    :math:`\\hat\\gamma_{00} = \\sum_j w_j \\bar y_j / \\sum_j w_j`,
    :math:`Q(\\lambda) = \\sum_{ij}(y_{ij} - \\bar y_j)^2 + \\sum_j w_j (\\bar y_j -
    \\hat\\gamma_{00})^2`, :math:`\\hat\\sigma^2 = Q / (N - 1)`, and the profiled REML
    deviance :math:`(N-1)\\log Q + \\sum_j \\log(1 + n_j \\lambda) + \\log \\sum_j w_j`
    is minimised over :math:`\\lambda \\ge 0` (grid, then Brent). Then

    .. math::
        \\mathrm{eb}_j = \\hat\\gamma_{00} + \\hat u_j, \\quad
        \\hat u_j = \\frac{n_j \\hat\\tau^2}{n_j\\hat\\tau^2 + \\hat\\sigma^2}
        (\\bar y_j - \\hat\\gamma_{00}),

    the region's mean shrunk toward the overall mean the more, the fewer its
    scores (Raudenbush & Bryk 2002, ch. 3-4), and
    :math:`\\mathrm{eb\\_se}_j = \\sqrt{\\hat\\tau^2\\hat\\sigma^2/(\\hat\\sigma^2 +
    n_j\\hat\\tau^2) + \\hat\\sigma^2/\\sum_j w_j}`, the conditional variance of
    :math:`u_j` plus the variance of :math:`\\hat\\gamma_{00}`, ignoring their
    covariance: ``coef(lmer(score ~ 1 + (1 | region)))$region`` and
    ``ranef(fit, condVar = TRUE)`` plus ``vcov(fit)`` in lme4.

    References
    ----------
    Raudenbush, S. W. & Bryk, A. S. (2002). *Hierarchical Linear Models* (2nd ed.). Sage.
    Bates, D., Mächler, M., Bolker, B. & Walker, S. (2015). Fitting linear mixed-effects
    models using lme4. *J. Stat. Softw.* 67(1).

    Examples
    --------
    >>> d = pd.DataFrame({"region": list("aaabbbccc"), "score": [1, 2, 3, 2, 3, 4, 4, 5, 6.0]})
    >>> empirical_bayes(d, by=[])[["region", "n", "eb"]].round(3)
      region  n     eb
    0      a  3  2.190
    1      b  3  3.048
    2      c  3  4.762
    """
    by = list(by)
    for c in [*by, region, score]:
        if c not in data.columns:
            raise ValueError(f"'data' lacks column {c!r} (got {list(data.columns)!r})")
    sums = group_sums(data, by, region, score, None)
    fit = eb_from_sums(sums)
    p_idx, r_idx = np.nonzero(sums.n > 0)
    out = sums.parents.iloc[p_idx].reset_index(drop=True)
    out[region] = sums.regions[r_idx]
    out["n"] = sums.n[p_idx, r_idx].astype(int)
    out["eb"] = fit.eb[p_idx, r_idx]
    out["eb_se"] = fit.eb_se[p_idx, r_idx]
    out["gamma00"] = fit.gamma00[p_idx]
    out["tau2"] = fit.tau2[p_idx]
    out["sigma2"] = fit.sigma2[p_idx]
    out["note"] = fit.note[p_idx]
    return out[[*by, region, *EB_COLUMNS]]
