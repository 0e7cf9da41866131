r"""Three-way decisions against a bar: one-sided bounds, BH within a family, FCR bounds.

A success criterion asks whether a quantity (a mean, a change, a slope per year, a share)
clears a *bar*. The answer is one of four words, decided from one-sided confidence bounds:

- ``met``: the lower bound is above the bar;
- ``not-met``: the upper bound is below the bar (the data rule out reaching it);
- ``inconclusive``: neither; ``mde`` says how far above the bar the truth would have to be
  for this design to show it with 80 % power;
- ``insufficient-data``: the estimate, its standard error or its degrees of freedom are
  missing, or the standard error is zero (constant answers), so nothing can be said.

Several regions are judged by the same rule at the same wave: that is a *family*. Within
a family the p-values of the "met" direction are adjusted by Benjamini–Hochberg, and the
bounds are the matching false-coverage-rate (FCR) adjusted bounds of Benjamini & Yekutieli
(2005): with :math:`R` of the :math:`m` rows selected by BH at level :math:`\alpha`, each
bound is taken at level :math:`\alpha R / m` (:math:`\alpha / m` when nothing is selected).
This makes the verdict and the adjusted p agree exactly: a row is ``met`` if and only if
BH rejects "the truth is at or below the bar" for it. The ``not-met`` direction is handled
the same way with its own BH selection. Both levels are at most :math:`\alpha`, so a row
whose truth is at the bar is called ``met`` with probability at most :math:`\alpha`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from folge.statistics.change import benjamini_hochberg

__all__ = [
    "DECISION_COLUMNS",
    "VERDICTS",
    "combine_verdicts",
    "decide",
    "decide_shares",
]

#: Columns of the frames returned by :func:`decide` and :func:`decide_shares`.
DECISION_COLUMNS = ("p", "p_adj", "ci_low", "ci_high", "level", "mde", "verdict", "reason")

#: The verdict words, in the order of how much they say.
VERDICTS = ("met", "not-met", "inconclusive", "insufficient-data")

#: Power at which ``mde`` is computed.
MDE_POWER = 0.8


def _check_alpha(alpha: float) -> float:
    alpha = float(alpha)
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"'alpha' must lie strictly between 0 and 1 (got {alpha!r})")
    return alpha


def _as_float(values, name: str, size: int | None = None) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1:
        raise ValueError(f"'{name}' must be one-dimensional (got {arr.ndim} dimensions)")
    if size is not None and arr.size == 1 and size != 1:
        arr = np.full(size, arr[0])
    if size is not None and arr.size != size:
        raise ValueError(f"'{name}' must have {size} values (got {arr.size})")
    return arr


def _family_codes(family, size: int) -> np.ndarray:
    if family is None:
        return np.zeros(size, dtype=np.int64)
    codes = pd.factorize(pd.Series(np.asarray(family, dtype=object)).astype(str))[0]
    if codes.size != size:
        raise ValueError(f"'family' must have {size} values (got {codes.size})")
    return codes


def _selection_levels(p: np.ndarray, family: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """BH-adjusted ``p`` within each family and each row's FCR level α·max(R, 1)/m."""
    adjusted = np.full(p.shape, np.nan)
    level = np.full(p.shape, np.nan)
    for code in np.unique(family):
        rows = np.flatnonzero((family == code) & ~np.isnan(p))
        if not rows.size:
            continue
        adjusted[rows] = benjamini_hochberg(p[rows])
        selected = int(np.sum(adjusted[rows] <= alpha))
        level[rows] = alpha * max(selected, 1) / rows.size
    return adjusted, level


def _verdicts(lower, upper, bar, valid) -> np.ndarray:
    verdict = np.where(lower > bar, "met", np.where(upper < bar, "not-met", "inconclusive"))
    return np.where(valid, verdict, "insufficient-data").astype(object)


def _frame(columns: dict) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    return frame.loc[:, list(DECISION_COLUMNS)]


def decide(estimate, se, df, bar, *, family=None, alpha: float = 0.05) -> pd.DataFrame:
    r"""Verdicts for estimates with a t (or normal) sampling distribution.

    Parameters
    ----------
    estimate, se : array-like of float
        The estimates and their standard errors.
    df : array-like of float or float
        Degrees of freedom of each estimate's t distribution (``inf`` for a normal one,
        Satterthwaite's df for a mixed model).
    bar : array-like of float or float
        The value each estimate must clear (a level rule's threshold, ``min_change``,
        ``min_slope``).
    family : array-like, optional
        Family label of each row (one rule at one wave over the regions). Rows of one
        family are adjusted together; by default all rows form one family.
    alpha : float, default 0.05
        Error rate of each direction.

    Returns
    -------
    pandas.DataFrame
        One row per estimate with :data:`DECISION_COLUMNS`: ``p`` the one-sided p of
        "the truth is at or below the bar", ``p_adj`` its BH adjustment within the family,
        ``ci_low`` and ``ci_high`` the FCR-adjusted one-sided bounds, ``level`` the
        one-sided level of the lower bound, ``mde``, ``verdict`` and ``reason`` (empty,
        ``not-estimable`` or ``no-variation``).

    Notes
    -----
    With :math:`t = (\hat\theta - b)/\mathrm{se}`, :math:`p = P(T_{df} \ge t)`.
    BH within the family gives :math:`R` selections; the lower bound is
    :math:`\hat\theta - t_{1-\alpha R/m, df}\,\mathrm{se}` (Benjamini & Yekutieli 2005),
    and the upper bound uses the selections :math:`R'` of the opposite one-sided test.
    The minimum detectable effect at power :math:`1-\beta = 0.8` is
    :math:`\mathrm{mde} = (t_{1-a, df} + t_{0.8, df})\,\mathrm{se}`, :math:`a` the row's
    level (Bloom 1995).

    References
    ----------
    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate.
    *JRSS B*, 57(1), 289-300.
    Benjamini, Y., & Yekutieli, D. (2005). False discovery rate-adjusted multiple
    confidence intervals for selected parameters. *JASA*, 100(469), 71-81.
    Bloom, H. S. (1995). Minimum detectable effects. *Evaluation Review*, 19(5), 547-556.

    Examples
    --------
    >>> decide([0.5, 0.05, -0.4], [0.1, 0.1, 0.1], 30, 0.0)["verdict"].tolist()
    ['met', 'inconclusive', 'not-met']
    >>> decide([1.0], [0.0], 10, 0.0)["reason"].tolist()
    ['no-variation']
    """
    alpha = _check_alpha(alpha)
    est = _as_float(estimate, "estimate")
    size = est.size
    se = _as_float(se, "se", size)
    df = _as_float(df, "df", size)
    bar = _as_float(bar, "bar", size)
    family = _family_codes(family, size)
    finite = np.isfinite(est) & np.isfinite(se) & ~np.isnan(df) & (df > 0) & np.isfinite(bar)
    valid = finite & (se > 0)
    safe_se = np.where(valid, se, 1.0)
    safe_df = np.where(valid, df, 1.0)
    t = (est - bar) / safe_se
    p_up = np.where(valid, stats.t.sf(t, safe_df), np.nan)
    p_down = np.where(valid, stats.t.cdf(t, safe_df), np.nan)
    p_adj, level_up = _selection_levels(p_up, family, alpha)
    _, level_down = _selection_levels(p_down, family, alpha)
    with np.errstate(invalid="ignore"):
        lower = est - stats.t.isf(level_up, safe_df) * safe_se
        upper = est + stats.t.isf(level_down, safe_df) * safe_se
        mde = (stats.t.isf(level_up, safe_df) + stats.t.ppf(MDE_POWER, safe_df)) * safe_se
    reason = np.where(valid, "", np.where(finite, "no-variation", "not-estimable")).astype(object)
    return _frame({
        "p": p_up, "p_adj": p_adj,
        "ci_low": np.where(valid, lower, np.nan), "ci_high": np.where(valid, upper, np.nan),
        "level": level_up, "mde": np.where(valid, mde, np.nan),
        "verdict": _verdicts(lower, upper, bar, valid), "reason": reason,
    })


def _clopper_pearson_lower(x, n, level):
    with np.errstate(invalid="ignore"):
        bound = stats.beta.ppf(level, x, n - x + 1)
    return np.where(x <= 0, 0.0, bound)


def _clopper_pearson_upper(x, n, level):
    with np.errstate(invalid="ignore"):
        bound = stats.beta.isf(level, x + 1, n - x)
    return np.where(x >= n, 1.0, bound)


def decide_shares(successes, n, bar, *, family=None, alpha: float = 0.05) -> pd.DataFrame:
    r"""Verdicts for shares (binomial counts) with exact Clopper–Pearson bounds.

    Parameters
    ----------
    successes, n : array-like of int
        How many of ``n`` respondents count towards the share.
    bar : array-like of float or float
        The share each row must clear (between 0 and 1).
    family, alpha
        As for :func:`decide`.

    Returns
    -------
    pandas.DataFrame
        As :func:`decide`; ``reason`` is ``not-estimable`` where ``n`` is 0 or missing.

    Notes
    -----
    :math:`p = P(X \ge x \mid n, b)` (R's ``binom.test(x, n, b, "greater")``); the
    one-sided Clopper–Pearson lower bound at level :math:`a` is the
    :math:`a`-quantile of Beta(:math:`x, n - x + 1`), the upper bound the
    :math:`(1-a)`-quantile of Beta(:math:`x + 1, n - x`), so ``met`` is exactly
    :math:`p < a`. ``mde`` uses the normal approximation
    :math:`(z_{1-a} + z_{0.8})\sqrt{b(1-b)/n}`.

    References
    ----------
    Clopper, C. J., & Pearson, E. S. (1934). The use of confidence or fiducial limits
    illustrated in the case of the binomial. *Biometrika*, 26(4), 404-413.

    Examples
    --------
    >>> decide_shares([18, 9], [20, 20], 0.5)["verdict"].tolist()
    ['met', 'inconclusive']
    """
    alpha = _check_alpha(alpha)
    x = _as_float(successes, "successes")
    size = x.size
    n = _as_float(n, "n", size)
    bar = _as_float(bar, "bar", size)
    family = _family_codes(family, size)
    valid = np.isfinite(x) & np.isfinite(n) & (n > 0) & (x >= 0) & (x <= n) & (bar > 0) & (bar < 1)
    xs, ns = np.where(valid, x, 0.0), np.where(valid, n, 1.0)
    p_up = np.where(valid, stats.binom.sf(xs - 1, ns, bar), np.nan)
    p_down = np.where(valid, stats.binom.cdf(xs, ns, bar), np.nan)
    p_adj, level_up = _selection_levels(p_up, family, alpha)
    _, level_down = _selection_levels(p_down, family, alpha)
    lower = _clopper_pearson_lower(xs, ns, np.where(valid, level_up, 0.5))
    upper = _clopper_pearson_upper(xs, ns, np.where(valid, level_down, 0.5))
    with np.errstate(invalid="ignore", divide="ignore"):
        mde = (stats.norm.isf(level_up) + stats.norm.ppf(MDE_POWER)) * np.sqrt(bar * (1 - bar) / ns)
    return _frame({
        "p": p_up, "p_adj": p_adj,
        "ci_low": np.where(valid, lower, np.nan), "ci_high": np.where(valid, upper, np.nan),
        "level": level_up, "mde": np.where(valid, mde, np.nan),
        "verdict": _verdicts(lower, upper, bar, valid),
        "reason": np.where(valid, "", "not-estimable").astype(object),
    })


def combine_verdicts(verdicts) -> str:
    """A criterion's verdict from its rules' verdicts.

    ``met`` when every applicable rule is met; ``not-met`` when at least one is not met
    and none is met; ``partly-met`` when some are met and others not met;
    ``insufficient-data`` when no rule is applicable; ``inconclusive`` otherwise. A rule
    is applicable unless its verdict is ``insufficient-data`` or ``descriptive``; a
    criterion whose rules are all descriptive is ``descriptive``.

    Examples
    --------
    >>> combine_verdicts(["met", "met"]), combine_verdicts(["met", "not-met"])
    ('met', 'partly-met')
    >>> combine_verdicts(["met", "inconclusive"]), combine_verdicts(["insufficient-data"])
    ('inconclusive', 'insufficient-data')
    """
    words = [str(v) for v in verdicts]
    applicable = [v for v in words if v not in ("insufficient-data", "descriptive")]
    if not applicable:
        if words and all(v == "descriptive" for v in words):
            return "descriptive"
        return "insufficient-data"
    met, not_met = applicable.count("met"), applicable.count("not-met")
    if met == len(applicable):
        return "met"
    if met and not_met:
        return "partly-met"
    if not_met and not met:
        return "not-met"
    return "inconclusive"
