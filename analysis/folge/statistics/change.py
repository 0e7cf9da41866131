r"""Change between two waves, and multiple-testing corrections.

* :func:`welch_change`: two independent samples (everyone who answered in each
  wave): Welch's t, its CI and p, and Hedges' g with an exact noncentral-t CI.
* :func:`paired_change`: respondents present in both waves: paired t and
  :math:`d_z` with an exact noncentral-t CI.
* :func:`holm` and :func:`benjamini_hochberg`: adjusted p-values.
* :func:`welch_change_summary` and :func:`paired_change_summary`: the same rows
  computed at once for many comparisons from group summaries (counts, means,
  variances), so that a table of thousands of comparisons costs a few array
  operations instead of one root search per row.

Both change functions return one row with the columns of :data:`CHANGE_COLUMNS`,
so the two kinds of row stack into one table; ``method`` says which is which.
Fewer than two answers in either wave, or no variance at all, give NaN and a
``note``, never an exception.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ._checks import numeric_vector

__all__ = [
    "ALTERNATIVES",
    "CHANGE_COLUMNS",
    "benjamini_hochberg",
    "holm",
    "holm_by_group",
    "paired_change",
    "paired_change_summary",
    "welch_change",
    "welch_change_summary",
]

#: Columns of :func:`welch_change` and :func:`paired_change`.
CHANGE_COLUMNS = (
    "n_from",
    "n_to",
    "mean_from",
    "mean_to",
    "diff",
    "ci_low",
    "ci_high",
    "hedges_g",
    "g_ci_low",
    "g_ci_high",
    "p",
    "method",
    "note",
)
#: Accepted values of the ``alternative`` argument.
ALTERNATIVES = ("two-sided", "greater", "less")

_FLOAT_COLUMNS = ("mean_from", "mean_to", "diff", "ci_low", "ci_high", "hedges_g", "g_ci_low", "g_ci_high", "p")


# --------------------------------------------------------------------------- checks
def _check_options(alternative, confidence) -> None:
    if alternative not in ALTERNATIVES:
        raise ValueError(f"'alternative' must be one of {', '.join(ALTERNATIVES)} (got {alternative!r})")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.floating)):
        raise TypeError(f"'confidence' must be a number (got {type(confidence).__name__})")
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"'confidence' must lie strictly between 0 and 1 (got {confidence})")


def _row(values: dict) -> pd.DataFrame:
    full = {col: values.get(col, np.nan) for col in CHANGE_COLUMNS}
    full["note"] = values.get("note", "")
    out = pd.DataFrame([full], columns=list(CHANGE_COLUMNS))
    return out.astype({"n_from": "int64", "n_to": "int64", **{c: "float64" for c in _FLOAT_COLUMNS}})


# ------------------------------------------------------------------ t and nct tools
def _t_interval(estimate: float, se: float, df: float, alternative: str, confidence: float):
    """CI and p of ``estimate`` with standard error ``se`` against zero (t with ``df``)."""
    t = estimate / se
    if alternative == "two-sided":
        q = stats.t.ppf(0.5 + confidence / 2.0, df)
        return estimate - q * se, estimate + q * se, float(2.0 * stats.t.sf(abs(t), df))
    q = stats.t.ppf(confidence, df)
    if alternative == "greater":
        return estimate - q * se, np.inf, float(stats.t.sf(t, df))
    return -np.inf, estimate + q * se, float(stats.t.cdf(t, df))


def _ncp_solving(t_obs: float, df: float, prob: float) -> float:
    """Noncentrality parameter ``ncp`` with ``P(T <= t_obs | df, ncp) = prob``.

    The noncentral t cdf falls monotonically in ``ncp``, so the root is unique;
    the bracket around ``t_obs`` is widened until it holds the root.
    """

    def f(ncp: float) -> float:
        value = float(stats.nct.cdf(t_obs, df, ncp))
        if not np.isfinite(value):  # scipy's nct can give NaN far in the tails; cdflib does not
            value = float(special.nctdtr(df, ncp, t_obs))
        return value - prob

    width = 2.0 + abs(t_obs) * 0.1
    lo, hi = t_obs - width, t_obs + width
    for _ in range(60):
        if f(lo) > 0 > f(hi):
            break
        width *= 2.0
        lo, hi = t_obs - width, t_obs + width
    else:  # pragma: no cover - the cdf tends to 1 and 0 at the ends
        return np.nan
    try:
        return float(optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-12, maxiter=500))
    except ValueError:  # the cdf could not be evaluated inside the bracket
        return np.nan


def _ncp_interval(t_obs: float, df: float, alternative: str, confidence: float):
    """Exact confidence limits of the noncentrality parameter given ``t_obs``."""
    if alternative == "two-sided":
        tail = (1.0 - confidence) / 2.0
        return _ncp_solving(t_obs, df, 1.0 - tail), _ncp_solving(t_obs, df, tail)
    if alternative == "greater":
        return _ncp_solving(t_obs, df, confidence), np.inf
    return -np.inf, _ncp_solving(t_obs, df, 1.0 - confidence)


def _hedges_j(df: float) -> float:
    """Hedges' exact small-sample correction factor for ``df`` degrees of freedom."""
    return math.exp(special.gammaln(df / 2.0) - 0.5 * math.log(df / 2.0) - special.gammaln((df - 1.0) / 2.0))


# -------------------------------------------------------------------- change rows
def welch_change(a, b, *, alternative: str = "two-sided", confidence: float = 0.95) -> pd.DataFrame:
    r"""Change in mean score between two waves of independent answers (Welch).

    Parameters
    ----------
    a : array-like of float
        Scores in the earlier wave ("from"). NaN values are left out.
    b : array-like of float
        Scores in the later wave ("to"). NaN values are left out.
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        Alternative hypothesis about ``diff = mean_to - mean_from``. One-sided
        alternatives give a one-sided p and one-sided confidence bounds (the other
        bound infinite), as R's ``t.test`` does.
    confidence : float, default 0.95
        Confidence level of both intervals.

    Returns
    -------
    pandas.DataFrame
        One row with the columns of :data:`CHANGE_COLUMNS`:

        ``n_from``, ``n_to``
            answers used in each wave;
        ``mean_from``, ``mean_to``
            the wave means;
        ``diff``
            ``mean_to - mean_from``;
        ``ci_low``, ``ci_high``
            Welch confidence interval of ``diff``;
        ``hedges_g``
            Hedges' g (standardised ``diff``, pooled SD, small-sample corrected);
        ``g_ci_low``, ``g_ci_high``
            exact noncentral-t confidence interval of the standardised difference;
        ``p``
            Welch's p-value;
        ``method``
            ``"welch-t"``;
        ``note``
            empty, or why values are NaN.

    Notes
    -----
    With wave sizes :math:`n_1, n_2`, means :math:`\bar x_1, \bar x_2` and variances
    :math:`s_1^2, s_2^2`: :math:`SE = \sqrt{s_1^2/n_1 + s_2^2/n_2}`,
    :math:`t = (\bar x_2 - \bar x_1)/SE` on the Welch-Satterthwaite degrees of freedom
    :math:`\nu = SE^4 / [ (s_1^2/n_1)^2/(n_1-1) + (s_2^2/n_2)^2/(n_2-1) ]`
    (``t.test(b, a)`` in R).

    Hedges' g is :math:`g = J(m)\, d` with :math:`d = (\bar x_2 - \bar x_1)/s_p`,
    the pooled SD :math:`s_p^2 = [(n_1-1)s_1^2 + (n_2-1)s_2^2]/m`,
    :math:`m = n_1 + n_2 - 2`, and Hedges' exact correction
    :math:`J(m) = \Gamma(m/2) / [\sqrt{m/2}\,\Gamma((m-1)/2)]`
    (close to :math:`1 - 3/(4m - 1)`).

    The interval of the standardised difference :math:`\delta` is exact: with
    :math:`\tilde t = d / \sqrt{1/n_1 + 1/n_2}`, which follows a noncentral t with
    :math:`m` degrees of freedom and noncentrality :math:`\delta/\sqrt{1/n_1+1/n_2}`,
    the limits are the noncentralities :math:`\lambda` solving
    :math:`F_{t}(\tilde t; m, \lambda) = 1 - \alpha/2` and :math:`\alpha/2`
    (found with a root finder on ``scipy.stats.nct``), times
    :math:`\sqrt{1/n_1 + 1/n_2}`. They are limits for :math:`\delta`, of which g is
    the unbiased estimate; J is not applied to them, which keeps their coverage
    exact (Steiger & Fouladi 1997).

    Fewer than two answers in either wave give NaN (means are still shown), as do
    two waves without any variance.

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several
    different population variances are involved. *Biometrika*, 34(1/2), 28-35.

    Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size
    and related estimators. *Journal of Educational Statistics*, 6(2), 107-128.

    Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation and
    the evaluation of statistical models. In L. L. Harlow, S. A. Mulaik, & J. H.
    Steiger (Eds.), *What if there were no significance tests?* (pp. 221-257).
    Erlbaum.

    Examples
    --------
    >>> from folge.statistics.change import welch_change
    >>> res = welch_change([3.0, 3.5, 4.0, 2.5, 3.0], [4.0, 4.5, 3.5, 5.0, 4.0, 4.5])
    >>> int(res.loc[0, "n_from"]), int(res.loc[0, "n_to"]), res.loc[0, "method"]
    (5, 6, 'welch-t')
    >>> round(float(res.loc[0, "diff"]), 4), round(float(res.loc[0, "p"]), 4)
    (1.05, 0.0129)
    """
    _check_options(alternative, confidence)
    x1 = numeric_vector(a, "a")
    x2 = numeric_vector(b, "b")
    x1 = x1[~np.isnan(x1)]
    x2 = x2[~np.isnan(x2)]
    n1, n2 = int(x1.size), int(x2.size)
    out = {
        "n_from": n1,
        "n_to": n2,
        "mean_from": float(x1.mean()) if n1 else np.nan,
        "mean_to": float(x2.mean()) if n2 else np.nan,
        "method": "welch-t",
    }
    if n1 < 2 or n2 < 2:
        out["note"] = "fewer than two answers in a wave: no change estimate"
        return _row(out)
    diff = out["mean_to"] - out["mean_from"]
    out["diff"] = diff
    v1, v2 = float(np.var(x1, ddof=1)), float(np.var(x2, ddof=1))
    se2 = v1 / n1 + v2 / n2
    if not se2 > 0:
        out["note"] = "no variance in either wave: t, CI and effect size are undefined"
        return _row(out)
    out["ci_low"], out["ci_high"], out["p"] = _welch_interval(diff, v1, v2, n1, n2, alternative, confidence)
    out["hedges_g"], out["g_ci_low"], out["g_ci_high"] = _pooled_hedges_g(diff, v1, v2, n1, n2, alternative,
                                                                          confidence)
    return _row(out)


def _welch_interval(diff: float, v1: float, v2: float, n1: int, n2: int, alternative: str,
                    confidence: float) -> tuple[float, float, float]:
    """(ci_low, ci_high, p) of ``diff`` on the Welch-Satterthwaite degrees of freedom."""
    se2 = v1 / n1 + v2 / n2
    se = math.sqrt(se2)
    df = se2**2 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
    return _t_interval(diff, se, df, alternative, confidence)


def _pooled_hedges_g(diff: float, v1: float, v2: float, n1: int, n2: int, alternative: str,
                     confidence: float) -> tuple[float, float, float]:
    """(Hedges' g, exact noncentral-t limits of the standardised difference), pooled SD."""
    m = n1 + n2 - 2
    sp = math.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / m)
    scale = math.sqrt(1.0 / n1 + 1.0 / n2)
    d = diff / sp
    lo, hi = _ncp_interval(d / scale, m, alternative, confidence)
    return _hedges_j(m) * d, lo * scale, hi * scale


def _pairs(before, after) -> tuple[np.ndarray, np.ndarray]:
    """Aligned pairs: Series by their index (respondent), arrays by position."""
    if isinstance(before, pd.Series) and isinstance(after, pd.Series):
        for name, ser in (("before", before), ("after", after)):
            if not ser.index.is_unique:
                raise ValueError(f"'{name}' must have one value per respondent (its index has duplicates)")
        x1 = numeric_vector(before, "before")
        x2 = numeric_vector(after, "after")
        common = before.index.intersection(after.index, sort=False)
        x1 = x1[before.index.get_indexer(common)]
        x2 = x2[after.index.get_indexer(common)]
    else:
        x1 = numeric_vector(before, "before")
        x2 = numeric_vector(after, "after")
        if x1.size != x2.size:
            raise ValueError(
                f"'before' and 'after' must have the same length when they are not Series "
                f"indexed by respondent (got {x1.size} and {x2.size})"
            )
    keep = ~(np.isnan(x1) | np.isnan(x2))
    return x1[keep], x2[keep]


def paired_change(before, after, *, alternative: str = "two-sided", confidence: float = 0.95) -> pd.DataFrame:
    r"""Change in mean score for respondents who answered in both waves (paired t).

    Parameters
    ----------
    before : pandas.Series or array-like of float
        Scores in the earlier wave. Two Series are matched on their index (the
        respondent pseudonym; each must be unique), keeping respondents present in
        both; anything else is matched by position and must have equal length.
    after : pandas.Series or array-like of float
        Scores in the later wave. Pairs with a missing value are left out.
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        Alternative hypothesis about the mean difference ``after - before``.
    confidence : float, default 0.95
        Confidence level of both intervals.

    Returns
    -------
    pandas.DataFrame
        One row with the columns of :data:`CHANGE_COLUMNS`; ``n_from`` and ``n_to``
        both count the complete pairs, ``diff`` is the mean of the differences,
        ``hedges_g`` holds :math:`d_z` with its exact CI in ``g_ci_low`` and
        ``g_ci_high``, and ``method`` is ``"paired-t"``.

    Notes
    -----
    With :math:`n` pairs, differences :math:`D_i = after_i - before_i`, mean
    :math:`\bar D` and SD :math:`s_D`: :math:`t = \bar D / (s_D/\sqrt n)` on
    :math:`n - 1` degrees of freedom (``t.test(after, before, paired = TRUE)``).
    :math:`d_z = \bar D / s_D`; since :math:`t = d_z \sqrt n` follows a noncentral
    t with noncentrality :math:`\delta_z \sqrt n`, the exact limits are the
    noncentralities solving :math:`F_t(t; n-1, \lambda) = 1-\alpha/2` and
    :math:`\alpha/2`, divided by :math:`\sqrt n`. Fewer than two pairs, or
    differences that are all equal, give NaN with a note.

    References
    ----------
    Cohen, J. (1988). *Statistical power analysis for the behavioral sciences*
    (2nd ed.), section 2.3. Erlbaum.

    Lakens, D. (2013). Calculating and reporting effect sizes to facilitate
    cumulative science: a practical primer for t-tests and ANOVAs. *Frontiers in
    Psychology*, 4, 863.

    Examples
    --------
    >>> import pandas as pd
    >>> from folge.statistics.change import paired_change
    >>> before = pd.Series([3.0, 2.5, 4.0, 3.5], index=["p1", "p2", "p3", "p4"])
    >>> after = pd.Series([3.5, 3.5, 4.0, 4.5, 2.0], index=["p1", "p2", "p3", "p4", "p9"])
    >>> res = paired_change(before, after)
    >>> int(res.loc[0, "n_from"]), float(res.loc[0, "diff"]), res.loc[0, "method"]
    (4, 0.625, 'paired-t')
    """
    _check_options(alternative, confidence)
    x1, x2 = _pairs(before, after)
    n = int(x1.size)
    out = {
        "n_from": n,
        "n_to": n,
        "mean_from": float(x1.mean()) if n else np.nan,
        "mean_to": float(x2.mean()) if n else np.nan,
        "method": "paired-t",
    }
    if n < 2:
        out["note"] = "fewer than two respondents in both waves: no paired change estimate"
        return _row(out)
    dvec = x2 - x1
    diff = float(dvec.mean())
    out["diff"] = diff
    sd = float(np.std(dvec, ddof=1))
    if not sd > 0:
        out["note"] = "all paired differences are equal: t, CI and effect size are undefined"
        return _row(out)
    se = sd / math.sqrt(n)
    out["ci_low"], out["ci_high"], out["p"] = _t_interval(diff, se, n - 1, alternative, confidence)
    dz = diff / sd
    out["hedges_g"] = dz
    lo, hi = _ncp_interval(dz * math.sqrt(n), n - 1, alternative, confidence)
    out["g_ci_low"], out["g_ci_high"] = lo / math.sqrt(n), hi / math.sqrt(n)
    return _row(out)


# ------------------------------------------------------- many rows from summaries
_NOTE_FEW_WELCH = "fewer than two answers in a wave: no change estimate"
_NOTE_FLAT_WELCH = "no variance in either wave: t, CI and effect size are undefined"
_NOTE_FEW_PAIRED = "fewer than two respondents in both waves: no paired change estimate"
_NOTE_FLAT_PAIRED = "all paired differences are equal: t, CI and effect size are undefined"


def _summary_arrays(named: dict) -> dict:
    """Check group summaries (1-D, numeric, one length) and return them as arrays.

    Counts must be whole numbers >= 0; they come back as int64, the rest as float64.
    """
    out, size, first = {}, None, None
    for name, values in named.items():
        if values is None:
            continue
        if isinstance(values, pd.DataFrame):
            raise TypeError(f"'{name}' must be one-dimensional (got a DataFrame)")
        if isinstance(values, pd.Series):
            if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
                raise TypeError(f"'{name}' must be numeric (got dtype {values.dtype})")
            arr = values.to_numpy(dtype=float, na_value=np.nan)
        else:
            arr = np.asarray(values)
            if arr.ndim == 0:
                arr = arr.reshape(1)
            if arr.ndim != 1:
                raise ValueError(f"'{name}' must be one-dimensional (got {arr.ndim} dimensions)")
            if arr.size and arr.dtype.kind not in "iuf":
                raise TypeError(f"'{name}' must be numeric (got dtype {arr.dtype})")
            arr = arr.astype(float)
        if size is None:
            size, first = arr.size, name
        elif arr.size != size:
            raise ValueError(f"'{name}' must have one value per comparison, as '{first}' ({size}); got {arr.size}")
        if name.startswith("n"):
            bad = ~np.isfinite(arr) | (arr < 0) | (arr != np.round(arr))
            if bad.any():
                raise ValueError(f"'{name}' must hold counts (whole numbers >= 0); got {arr[bad][0]!r}")
            arr = arr.astype("int64")
        out[name] = arr
    return out


def _t_intervals(estimate, se, df, alternative: str, confidence: float):
    """Vectorised :func:`_t_interval`: CI limits and p of ``estimate`` against zero."""
    t = estimate / se
    if alternative == "two-sided":
        q = stats.t.ppf(0.5 + confidence / 2.0, df)
        return estimate - q * se, estimate + q * se, 2.0 * stats.t.sf(np.abs(t), df)
    q = stats.t.ppf(confidence, df)
    infinite = np.full(np.shape(estimate), np.inf)
    if alternative == "greater":
        return estimate - q * se, infinite, stats.t.sf(t, df)
    return -infinite, estimate + q * se, stats.t.cdf(t, df)


def _ncp_solving_many(t_obs: np.ndarray, df: np.ndarray, prob: float) -> np.ndarray:
    """Vectorised :func:`_ncp_solving`: ``ncp`` with ``P(T <= t_obs | df, ncp) = prob``.

    Safeguarded secant iterations on ``scipy.special.nctdtr`` (the function behind
    ``scipy.stats.nct.cdf``), all rows at once, started from the normal approximation
    ``P(T <= t) ~ Phi((t (1 - 1/(4 df)) - ncp) / sqrt(1 + t^2 / (2 df)))``
    (Abramowitz & Stegun 26.7.10) and a Newton step on that approximation. A bracket is kept from the signs seen so far and a
    step that leaves it is replaced by bisection; converged rows leave the active
    set. Rows that have not converged after 60 steps (none in practice) are solved
    one by one with :func:`_ncp_solving`.
    """
    t_obs = np.asarray(t_obs, dtype=float)
    df = np.asarray(df, dtype=float)
    out = np.full(t_obs.shape, np.nan)
    todo = np.flatnonzero(np.isfinite(t_obs) & np.isfinite(df) & (df > 0))
    if not todo.size:
        return out
    t, nu = t_obs[todo], df[todo]

    def f(ncp, rows):
        return special.nctdtr(nu[rows], ncp, t[rows]) - prob

    spread = np.sqrt(1.0 + t * t / (2.0 * nu))
    shifted = t * (1.0 - 0.25 / nu)
    x0 = shifted - special.ndtri(prob) * spread
    rows = np.arange(t.size)
    f0 = f(x0, rows)
    # second point: a Newton step with the slope of the normal approximation
    slope = np.maximum(stats.norm.pdf((shifted - x0) / spread) / spread, 1e-3)
    x1 = x0 + np.clip(f0 / slope, -1.0 - np.abs(x0), 1.0 + np.abs(x0))
    x1 = np.where(x1 == x0, x0 + 1e-6 * (1.0 + np.abs(x0)), x1)
    f1 = f(x1, rows)
    # bracket: f decreases in ncp, so f(lo) > 0 > f(hi)
    lo = np.full(t.size, -np.inf)
    hi = np.full(t.size, np.inf)
    for x, fx in ((x0, f0), (x1, f1)):
        lo = np.where(fx > 0, np.maximum(lo, x), lo)
        hi = np.where(fx < 0, np.minimum(hi, x), hi)
    result = np.full(t.size, np.nan)
    exact = (f0 == 0) | (f1 == 0)
    result[exact] = np.where(f1 == 0, x1, x0)[exact]
    active = np.flatnonzero(~exact)
    xa, fa, xb, fb = x0[active], f0[active], x1[active], f1[active]
    lo, hi = lo[active], hi[active]
    for _ in range(60):
        if not active.size:
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            x = xb - fb * (xb - xa) / (fb - fa)
        bracketed = np.isfinite(lo) & np.isfinite(hi)
        outside = ~np.isfinite(x) | (x <= lo) | (x >= hi)
        # outside the bracket: bisect it when there is one, else step away from the side seen
        width = np.maximum(np.abs(xb - xa), 0.5 * (1.0 + np.abs(xb)))
        expand = np.where(np.isfinite(lo), lo + 2.0 * width, hi - 2.0 * width)
        with np.errstate(invalid="ignore"):  # lo + hi is inf − inf where unbracketed; not chosen there
            x = np.where(outside, np.where(bracketed, 0.5 * (lo + hi), expand), x)
        fx = f(x, active)
        lo = np.where(fx > 0, np.maximum(lo, x), lo)
        hi = np.where(fx < 0, np.minimum(hi, x), hi)
        # the next secant step estimates the remaining error; once it is below the
        # tolerance it is taken without another evaluation
        with np.errstate(divide="ignore", invalid="ignore"):
            step = fx * (x - xb) / (fx - fb)
        tol = 1e-13 * (1.0 + np.abs(x))
        small = np.isfinite(step) & (np.abs(step) <= tol) & (np.abs(x - xb) <= 1e-3 * (1.0 + np.abs(x)))
        done = (fx == 0) | small | (hi - lo <= tol)
        result[active[done]] = np.where(small & (fx != 0), x - step, x)[done]
        keep = ~done
        xa, fa, xb, fb = xb[keep], fb[keep], x[keep], fx[keep]
        lo, hi, active = lo[keep], hi[keep], active[keep]
    for i in active:  # pragma: no cover - a safety net; the secant steps converge
        result[i] = _ncp_solving(float(t[i]), float(nu[i]), prob)
    out[todo] = result
    return out


def _ncp_intervals(t_obs, df, alternative: str, confidence: float):
    """Vectorised :func:`_ncp_interval`."""
    infinite = np.full(np.shape(t_obs), np.inf)
    if alternative == "two-sided":
        tail = (1.0 - confidence) / 2.0
        return _ncp_solving_many(t_obs, df, 1.0 - tail), _ncp_solving_many(t_obs, df, tail)
    if alternative == "greater":
        return _ncp_solving_many(t_obs, df, confidence), infinite
    return -infinite, _ncp_solving_many(t_obs, df, 1.0 - confidence)


def _frame(columns: dict, size: int) -> pd.DataFrame:
    out = pd.DataFrame({col: columns.get(col, np.full(size, np.nan)) for col in CHANGE_COLUMNS})
    return out.astype({"n_from": "int64", "n_to": "int64", **{c: "float64" for c in _FLOAT_COLUMNS}})


def welch_change_summary(n_a, mean_a, var_a, n_b, mean_b, var_b, *, alternative: str = "two-sided",
                         confidence: float = 0.95) -> pd.DataFrame:
    r"""Welch change rows for many comparisons at once, from group summaries.

    Parameters
    ----------
    n_a, mean_a, var_a : array-like
        Per comparison: number of answers, mean and variance (denominator
        :math:`n - 1`) in the earlier wave ("from"). A mean or variance that cannot
        exist (no answer; one answer) may be NaN.
    n_b, mean_b, var_b : array-like
        The same for the later wave ("to"). All six have one value per comparison.
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        As for :func:`welch_change`.
    confidence : float, default 0.95
        Confidence level of both intervals.

    Returns
    -------
    pandas.DataFrame
        One row per comparison, in input order, with the columns of
        :data:`CHANGE_COLUMNS`, the values :func:`welch_change` gives for the raw
        scores behind each summary (``method`` is ``"welch-t"``).

    Notes
    -----
    Every quantity of :func:`welch_change` is a function of
    :math:`(n_1, \bar x_1, s_1^2, n_2, \bar x_2, s_2^2)`, so the formulas there
    apply unchanged, element-wise. The exact interval of the standardised
    difference needs the noncentralities :math:`\lambda` solving
    :math:`F_t(\tilde t; m, \lambda) = 1 - \alpha/2` and :math:`\alpha/2`; they are
    found for all rows together by safeguarded secant steps on
    ``scipy.special.nctdtr``, the function :func:`welch_change` searches with
    Brent's method, to the same precision. Fewer than two answers in a wave, or no
    variance in either wave, give NaN and the same ``note`` as :func:`welch_change`.

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several
    different population variances are involved. *Biometrika*, 34(1/2), 28-35.

    Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation and
    the evaluation of statistical models. In L. L. Harlow, S. A. Mulaik, & J. H.
    Steiger (Eds.), *What if there were no significance tests?* (pp. 221-257).
    Erlbaum.

    Examples
    --------
    >>> import numpy as np
    >>> from folge.statistics.change import welch_change_summary
    >>> a = np.array([3.0, 3.5, 4.0, 2.5, 3.0]); b = np.array([4.0, 4.5, 3.5, 5.0, 4.0, 4.5])
    >>> res = welch_change_summary([5, 1], [a.mean(), 2.0], [a.var(ddof=1), np.nan],
    ...                            [6, 6], [b.mean(), b.mean()], [b.var(ddof=1), b.var(ddof=1)])
    >>> round(float(res.loc[0, "diff"]), 4), round(float(res.loc[0, "p"]), 4)
    (1.05, 0.0129)
    >>> res.loc[1, "note"]
    'fewer than two answers in a wave: no change estimate'
    """
    _check_options(alternative, confidence)
    a = _summary_arrays({"n_a": n_a, "mean_a": mean_a, "var_a": var_a,
                         "n_b": n_b, "mean_b": mean_b, "var_b": var_b})
    n1, n2 = a["n_a"], a["n_b"]
    size = n1.size
    cols = {
        "n_from": n1,
        "n_to": n2,
        "mean_from": np.where(n1 > 0, a["mean_a"], np.nan),
        "mean_to": np.where(n2 > 0, a["mean_b"], np.nan),
        "method": np.full(size, "welch-t", dtype=object),
        "note": np.full(size, "", dtype=object),
    }
    enough = (n1 >= 2) & (n2 >= 2)
    cols["note"][~enough] = _NOTE_FEW_WELCH
    f1, f2 = n1.astype(float), n2.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        v1, v2 = a["var_a"] / f1, a["var_b"] / f2
        se2 = v1 + v2
    flat = enough & ~(se2 > 0)
    cols["note"][flat] = _NOTE_FLAT_WELCH
    cols["diff"] = np.where(enough, cols["mean_to"] - cols["mean_from"], np.nan)
    ok = np.flatnonzero(enough & ~flat)
    if ok.size:
        f1, f2, v1, v2, se2 = f1[ok], f2[ok], v1[ok], v2[ok], se2[ok]
        diff = cols["diff"][ok]
        se = np.sqrt(se2)
        df = se2**2 / (v1**2 / (f1 - 1.0) + v2**2 / (f2 - 1.0))
        for name, values in zip(("ci_low", "ci_high", "p"), _t_intervals(diff, se, df, alternative, confidence)):
            cols[name] = np.full(size, np.nan)
            cols[name][ok] = values
        m = f1 + f2 - 2.0
        sp = np.sqrt(((f1 - 1.0) * a["var_a"][ok] + (f2 - 1.0) * a["var_b"][ok]) / m)
        scale = np.sqrt(1.0 / f1 + 1.0 / f2)
        d = diff / sp
        j = np.exp(special.gammaln(m / 2.0) - 0.5 * np.log(m / 2.0) - special.gammaln((m - 1.0) / 2.0))
        lo, hi = _ncp_intervals(d / scale, m, alternative, confidence)
        for name, values in (("hedges_g", j * d), ("g_ci_low", lo * scale), ("g_ci_high", hi * scale)):
            cols[name] = np.full(size, np.nan)
            cols[name][ok] = values
    return _frame(cols, size)


def paired_change_summary(n, mean_d, var_d, *, mean_from=None, mean_to=None, alternative: str = "two-sided",
                          confidence: float = 0.95) -> pd.DataFrame:
    r"""Paired change rows for many comparisons at once, from summaries of the differences.

    Parameters
    ----------
    n : array-like of int
        Complete pairs (respondents with a score in both waves) per comparison.
    mean_d, var_d : array-like of float
        Mean and variance (denominator :math:`n - 1`) of the differences
        ``after - before`` over those pairs.
    mean_from, mean_to : array-like of float, optional
        Means of the earlier and later scores over the same pairs (shown in
        ``mean_from`` and ``mean_to``; NaN when not given).
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        As for :func:`paired_change`.
    confidence : float, default 0.95
        Confidence level of both intervals.

    Returns
    -------
    pandas.DataFrame
        One row per comparison, in input order, with the columns of
        :data:`CHANGE_COLUMNS`, the values :func:`paired_change` gives for the pairs
        behind each summary (``hedges_g`` holds :math:`d_z`; ``method`` is
        ``"paired-t"``).

    Notes
    -----
    :math:`t = \bar D / (s_D / \sqrt n)` on :math:`n - 1` degrees of freedom,
    :math:`d_z = \bar D / s_D`, and the exact limits of :math:`\delta_z` are the
    noncentralities solving :math:`F_t(t; n-1, \lambda) = 1 - \alpha/2` and
    :math:`\alpha/2`, divided by :math:`\sqrt n` (found as in
    :func:`welch_change_summary`). Fewer than two pairs, or differences that are all
    equal (:math:`s_D^2 = 0`), give NaN and the same ``note`` as
    :func:`paired_change`.

    References
    ----------
    Lakens, D. (2013). Calculating and reporting effect sizes to facilitate
    cumulative science: a practical primer for t-tests and ANOVAs. *Frontiers in
    Psychology*, 4, 863.

    Examples
    --------
    >>> import numpy as np
    >>> from folge.statistics.change import paired_change_summary
    >>> d = np.array([0.5, 1.0, 0.0, 1.0])
    >>> res = paired_change_summary([4], [d.mean()], [d.var(ddof=1)], mean_from=[3.25], mean_to=[3.875])
    >>> int(res.loc[0, "n_from"]), float(res.loc[0, "diff"]), res.loc[0, "method"]
    (4, 0.625, 'paired-t')
    """
    _check_options(alternative, confidence)
    a = _summary_arrays({"n": n, "mean_d": mean_d, "var_d": var_d, "mean_from": mean_from, "mean_to": mean_to})
    count = a["n"]
    size = count.size
    nan = np.full(size, np.nan)
    cols = {
        "n_from": count,
        "n_to": count,
        "mean_from": np.where(count > 0, a.get("mean_from", nan), np.nan),
        "mean_to": np.where(count > 0, a.get("mean_to", nan), np.nan),
        "method": np.full(size, "paired-t", dtype=object),
        "note": np.full(size, "", dtype=object),
    }
    enough = count >= 2
    cols["note"][~enough] = _NOTE_FEW_PAIRED
    cols["diff"] = np.where(enough, a["mean_d"], np.nan)
    with np.errstate(invalid="ignore"):
        sd = np.sqrt(a["var_d"])
    flat = enough & ~(sd > 0)
    cols["note"][flat] = _NOTE_FLAT_PAIRED
    ok = np.flatnonzero(enough & ~flat)
    if ok.size:
        k = count[ok].astype(float)
        diff, s = a["mean_d"][ok], sd[ok]
        root = np.sqrt(k)
        dz = diff / s
        lo, hi = _ncp_intervals(dz * root, k - 1.0, alternative, confidence)
        values = (*_t_intervals(diff, s / root, k - 1.0, alternative, confidence), dz, lo / root, hi / root)
        for name, value in zip(("ci_low", "ci_high", "p", "hedges_g", "g_ci_low", "g_ci_high"), values):
            cols[name] = np.full(size, np.nan)
            cols[name][ok] = value
    return _frame(cols, size)


# ---------------------------------------------------------------- multiple testing
def _pvalues(p) -> np.ndarray:
    arr = np.asarray(p.to_numpy(dtype=float, na_value=np.nan) if isinstance(p, pd.Series) else p)
    if arr.ndim != 1:
        raise ValueError(f"'p' must be one-dimensional (got {arr.ndim} dimensions)")
    if arr.size and arr.dtype.kind not in "iuf":
        raise TypeError(f"'p' must be numeric (got dtype {arr.dtype})")
    arr = arr.astype(float)
    bad = arr[~np.isnan(arr) & ((arr < 0) | (arr > 1))]
    if bad.size:
        raise ValueError(f"'p' must hold probabilities between 0 and 1 (got {bad[0]!r})")
    return arr


def holm(p) -> np.ndarray:
    r"""Holm's step-down adjusted p-values (family-wise error rate).

    Parameters
    ----------
    p : array-like of float
        p-values of one family of tests; NaN (a test that could not be run) is
        passed through and does not count towards the family size.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the order of ``p``.

    Notes
    -----
    With the :math:`m` non-missing p-values sorted,
    :math:`p_{(1)} \le \dots \le p_{(m)}`,
    :math:`\tilde p_{(i)} = \min\{1, \max_{k \le i} (m - k + 1)\, p_{(k)}\}`
    (``p.adjust(p, "holm")`` in R, which also drops NA from :math:`m`).

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    *Scandinavian Journal of Statistics*, 6(2), 65-70.

    Examples
    --------
    >>> from folge.statistics.change import holm
    >>> holm([0.01, 0.02, 0.03, 0.04, 0.05, 0.2, 0.001]).round(6).tolist()
    [0.06, 0.1, 0.12, 0.12, 0.12, 0.2, 0.007]
    """
    arr = _pvalues(p)
    out = np.full(arr.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(arr))
    m = ok.size
    if m:
        order = ok[np.argsort(arr[ok], kind="mergesort")]
        adjusted = np.maximum.accumulate((m - np.arange(m)) * arr[order])
        out[order] = np.minimum(adjusted, 1.0)
    return out


def holm_by_group(p, group) -> np.ndarray:
    """:func:`holm` within each family named by ``group``, for many families at once.

    Parameters
    ----------
    p : array-like of float
        p-values; NaN is passed through and does not count towards its family's size.
    group : array-like of int
        Family code of each p-value (for example construct × scope × method).

    Returns
    -------
    numpy.ndarray
        Holm-adjusted p-values in the order of ``p``; equal to calling :func:`holm` on
        each family separately (ties keep their order), in one sort.

    Examples
    --------
    >>> holm_by_group([0.01, 0.04, 0.01, 0.04], [0, 0, 1, 1]).tolist()
    [0.02, 0.04, 0.02, 0.04]
    """
    p = np.asarray(p, dtype=float)
    group = np.asarray(group)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    if not ok.size:
        return out
    order = ok[np.lexsort((p[ok], group[ok]))]
    g = group[order]
    starts = np.r_[0, np.flatnonzero(np.diff(g)) + 1]
    sizes = np.diff(np.r_[starts, g.size])
    rank = np.arange(g.size) - np.repeat(starts, sizes)
    scaled = (np.repeat(sizes, sizes) - rank) * p[order]
    adjusted = pd.Series(scaled).groupby(g).cummax().to_numpy()
    out[order] = np.minimum(adjusted, 1.0)
    return out


def benjamini_hochberg(p) -> np.ndarray:
    r"""Benjamini-Hochberg adjusted p-values (false discovery rate).

    Parameters
    ----------
    p : array-like of float
        p-values of one family of tests; NaN is passed through and does not count
        towards the family size.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values (q-values) in the order of ``p``.

    Notes
    -----
    With the :math:`m` non-missing p-values sorted,
    :math:`\tilde p_{(i)} = \min\{1, \min_{k \ge i} \tfrac{m}{k}\, p_{(k)}\}`
    (``p.adjust(p, "BH")`` in R).

    References
    ----------
    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: a
    practical and powerful approach to multiple testing. *Journal of the Royal
    Statistical Society, Series B*, 57(1), 289-300.

    Examples
    --------
    >>> from folge.statistics.change import benjamini_hochberg
    >>> benjamini_hochberg([0.01, 0.02, 0.03, 0.04, 0.05, 0.2, 0.001]).round(6).tolist()
    [0.035, 0.046667, 0.0525, 0.056, 0.058333, 0.2, 0.007]
    """
    arr = _pvalues(p)
    out = np.full(arr.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(arr))
    m = ok.size
    if m:
        order = ok[np.argsort(arr[ok], kind="mergesort")[::-1]]
        rank = np.arange(m, 0, -1)
        adjusted = np.minimum.accumulate(m / rank * arr[order])
        out[order] = np.minimum(adjusted, 1.0)
    return out
