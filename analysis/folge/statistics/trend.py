r"""Trend over waves: a linear mixed model with a random intercept per region.

The model is :math:`y_{ij} = \beta_0 + \beta_1 x_{ij} + u_j + e_{ij}` with
:math:`u_j \sim N(0, \tau^2)` for region :math:`j`, :math:`e_{ij} \sim N(0,
\sigma^2)`, and :math:`x` the wave index; the trend is :math:`\beta_1`, fitted by
REML (``lme4::lmer(score ~ wave_index + (1 | region), REML = TRUE)``).

Two engines give the same estimates:

* ``"mixedlm"``: statsmodels' ``MixedLM``, its default optimiser first, then
  L-BFGS, Powell, Nelder-Mead and CG when that fit is not usable; the best usable
  REML fit is kept.
* ``"sufficient"``: an exact REML fit from six sums per region
  (:func:`sufficient_statistics`), whose cost after that one pass grows with the
  number of regions, not rows. Given the variance ratio
  :math:`\lambda = \tau^2/\sigma^2` everything is closed-form GLS; the REML profile
  likelihood is then maximised over :math:`\theta = \sqrt\lambda` in one dimension.

``trend(..., engine="auto")`` uses MixedLM up to :data:`LARGE_INPUT_ROWS` rows and
the sufficient-statistics fit beyond. The exact fit is computed in both cases
(it is cheap): it decides whether the fit lies on the boundary (region variance
zero), and replaces a MixedLM fit whose REML criterion is worse than the exact
optimum, with a note saying so.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

__all__ = [
    "LARGE_INPUT_ROWS",
    "SUFFICIENT_COLUMNS",
    "TREND_COLUMNS",
    "TREND_INPUT_COLUMNS",
    "sufficient_statistics",
    "trend",
    "trend_from_sufficient",
]

#: Columns of :func:`trend` and :func:`trend_from_sufficient`.
TREND_COLUMNS = ("estimate", "se", "ci_low", "ci_high", "p", "n", "n_regions", "method", "note")
#: Columns :func:`trend` needs in its input.
TREND_INPUT_COLUMNS = ("score", "wave_index", "region")
#: Columns of :func:`sufficient_statistics` (the input of :func:`trend_from_sufficient`).
SUFFICIENT_COLUMNS = ("region", "n", "sum_y", "sum_x", "sum_xy", "sum_xx", "sum_yy")
#: Above this many rows ``engine="auto"`` uses the sufficient-statistics fit only.
LARGE_INPUT_ROWS = 50_000

_ENGINES = ("auto", "mixedlm", "sufficient")
_MIXEDLM_OPTIMISERS = (
    ("default", {}),
    ("lbfgs", {"method": ["lbfgs"]}),
    ("powell", {"method": ["powell"]}),
    ("nm", {"method": ["nm"]}),
    ("cg", {"method": ["cg"]}),
)
#: Random-intercept SD relative to the residual SD below which a fit counts as on the
#: boundary (lme4's ``isSingular`` tolerance on theta).
_BOUNDARY_THETA = 1e-4
_BOUNDARY_NOTE = (
    "boundary fit: the region variance is estimated as zero (singular fit), "
    "so the slope equals the ordinary least-squares slope"
)


# --------------------------------------------------------------------- the exact fit
@dataclass(frozen=True)
class _RegionStats:
    """Per-region sums, centred within region: counts, means, and within-region SSCP."""

    n: np.ndarray
    xbar: np.ndarray
    ybar: np.ndarray
    sxx: np.ndarray
    sxy: np.ndarray
    syy: np.ndarray


@dataclass(frozen=True)
class _Fit:
    estimate: float
    se: float
    theta: float
    reml_criterion: float


def _profile(s: _RegionStats, theta: float):
    """REML profile deviance (without constants), GLS estimates and (X'HX)^-1 at ``theta``.

    With :math:`w_j = n_j / (1 + n_j\\lambda)` and region-centred sums, the GLS normal
    equations of the random-intercept model are
    ``A = [[sum w, sum w xbar], [sum w xbar, sum (Sxx + w xbar^2)]]``,
    ``b = [sum w ybar, sum (Sxy + w xbar ybar)]``, ``c = sum (Syy + w ybar^2)``.
    """
    lam = theta * theta
    w = s.n / (1.0 + s.n * lam)
    a00 = w.sum()
    a01 = (w * s.xbar).sum()
    a11 = (s.sxx + w * s.xbar * s.xbar).sum()
    b0 = (w * s.ybar).sum()
    b1 = (s.sxy + w * s.xbar * s.ybar).sum()
    c = (s.syy + w * s.ybar * s.ybar).sum()
    det = a00 * a11 - a01 * a01
    inv = np.array([[a11, -a01], [-a01, a00]]) / det
    beta = inv @ np.array([b0, b1])
    rss = c - (beta[0] * b0 + beta[1] * b1)
    dof = s.n.sum() - 2.0
    dev = dof * math.log(rss) + float(np.log1p(s.n * lam).sum()) + math.log(det)
    return dev, beta, inv, rss


def _exact_fit(s: _RegionStats) -> _Fit:
    """Maximise the REML profile likelihood over theta = tau / sigma >= 0."""

    def dev(theta: float) -> float:
        return _profile(s, theta)[0]

    grid = np.concatenate(([0.0], np.logspace(-4, 4, 81)))
    values = np.array([dev(t) for t in grid])
    k = int(np.nanargmin(values))
    lo = grid[max(k - 1, 0)]
    hi = grid[min(k + 1, grid.size - 1)]
    best_theta, best_dev = float(grid[k]), float(values[k])
    if hi > lo:
        res = optimize.minimize_scalar(dev, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12})
        if np.isfinite(res.fun) and res.fun < best_dev:
            best_theta, best_dev = float(res.x), float(res.fun)
    if dev(0.0) <= best_dev:
        best_theta, best_dev = 0.0, dev(0.0)
    _, beta, inv, rss = _profile(s, best_theta)
    dof = s.n.sum() - 2.0
    sigma2 = rss / dof
    se = math.sqrt(sigma2 * inv[1, 1])
    criterion = best_dev + dof * (1.0 + math.log(2.0 * math.pi / dof))
    return _Fit(float(beta[1]), se, best_theta, criterion)


def _degenerate(s: _RegionStats) -> str:
    """Why these data cannot give a trend, or ``""`` when they can."""
    n_total = s.n.sum()
    if s.n.size < 2:
        return "fewer than two regions: the region variance cannot be estimated"
    if n_total < 4:
        return "fewer than four scores: too few to fit a mixed model"
    xm = (s.n * s.xbar).sum() / n_total
    ym = (s.n * s.ybar).sum() / n_total
    sxx_total = s.sxx.sum() + (s.n * (s.xbar - xm) ** 2).sum()
    syy_total = s.syy.sum() + (s.n * (s.ybar - ym) ** 2).sum()
    x_scale = max(1.0, abs(xm))
    if not sxx_total > 1e-12 * x_scale * x_scale * n_total:
        return "fewer than two waves: no trend can be estimated"
    y_scale = max(1.0, abs(ym))
    if not syy_total > 1e-24 * y_scale * y_scale * n_total:
        return "constant scores: no variance to model"
    sxx_w, sxy_w, syy_w = s.sxx.sum(), s.sxy.sum(), s.syy.sum()
    rss_within = syy_w - (sxy_w * sxy_w / sxx_w if sxx_w > 0 else 0.0)
    if not rss_within > 1e-12 * syy_total:
        return "no residual variance within regions: scores lie exactly on parallel lines"
    return ""


def _centred(s: _RegionStats) -> _RegionStats:
    """Shift x and y by their grand means (the slope and its SE do not change)."""
    n_total = s.n.sum()
    xm = (s.n * s.xbar).sum() / n_total
    ym = (s.n * s.ybar).sum() / n_total
    return _RegionStats(s.n, s.xbar - xm, s.ybar - ym, s.sxx, s.sxy, s.syy)


# --------------------------------------------------------------------------- checks
def _check_confidence(confidence) -> None:
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.floating)):
        raise TypeError(f"'confidence' must be a number (got {type(confidence).__name__})")
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"'confidence' must lie strictly between 0 and 1 (got {confidence})")


def _check_frame(frame, name: str, required, numeric) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"'{name}' must be a pandas DataFrame (got {type(frame).__name__})")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(
            f"'{name}' must have the columns {', '.join(required)} (missing: {', '.join(missing)})"
        )
    for col in numeric:
        dtype = frame[col].dtype
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            raise TypeError(f"'{name}' must be numeric in column {col!r} (got dtype {dtype})")


def _clean_rows(scores: pd.DataFrame):
    y = scores["score"].to_numpy(dtype=float, na_value=np.nan)
    x = scores["wave_index"].to_numpy(dtype=float, na_value=np.nan)
    region = scores["region"]
    keep = np.isfinite(y) & np.isfinite(x) & region.notna().to_numpy()
    codes, uniques = pd.factorize(region[keep], sort=True)
    return y[keep], x[keep], codes, uniques


def _stats_from_rows(y: np.ndarray, x: np.ndarray, codes: np.ndarray, n_regions: int) -> _RegionStats:
    n = np.bincount(codes, minlength=n_regions).astype(float)
    xbar = np.bincount(codes, weights=x, minlength=n_regions) / n
    ybar = np.bincount(codes, weights=y, minlength=n_regions) / n
    dx = x - xbar[codes]
    dy = y - ybar[codes]
    return _RegionStats(
        n,
        xbar,
        ybar,
        np.bincount(codes, weights=dx * dx, minlength=n_regions),
        np.bincount(codes, weights=dx * dy, minlength=n_regions),
        np.bincount(codes, weights=dy * dy, minlength=n_regions),
    )


def _row(estimate=np.nan, se=np.nan, *, n=0, n_regions=0, method="", note="", confidence=0.95):
    ci_low = ci_high = p = np.nan
    if np.isfinite(estimate) and np.isfinite(se) and se > 0:
        q = stats.norm.ppf(0.5 + confidence / 2.0)
        ci_low, ci_high = estimate - q * se, estimate + q * se
        p = float(2.0 * stats.norm.sf(abs(estimate / se)))
    frame = pd.DataFrame(
        [[estimate, se, ci_low, ci_high, p, int(n), int(n_regions), method, note]], columns=list(TREND_COLUMNS)
    )
    return frame.astype(
        {c: "float64" for c in ("estimate", "se", "ci_low", "ci_high", "p")} | {"n": "int64", "n_regions": "int64"}
    )


# --------------------------------------------------------------------------- MixedLM
def _mixedlm_fit(y, x, codes):
    """Best usable REML fit of statsmodels' MixedLM; (fit, optimiser name, tried) or (None, "", tried)."""
    from statsmodels.regression.mixed_linear_model import MixedLM

    exog = np.column_stack([np.ones_like(x), x - x.mean()])
    model = MixedLM(y, exog, groups=codes)
    best, best_name, tried = None, "", []
    for name, kwargs in _MIXEDLM_OPTIMISERS:
        if best is not None and name not in ("default", "lbfgs"):
            break  # the slower fall-backs only run when neither first choice was usable
        tried.append(name)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = model.fit(reml=True, **kwargs)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            continue
        usable = (
            bool(res.converged)
            and np.isfinite(res.llf)
            and np.all(np.isfinite(res.fe_params))
            and np.all(np.isfinite(res.bse_fe))
            and float(res.bse_fe[1]) > 0
            and np.isfinite(res.scale)
            and res.scale > 0
        )
        if usable and (best is None or res.llf > best.llf):
            best, best_name = res, name
    return best, best_name, tried


# ------------------------------------------------------------------------ public API
def sufficient_statistics(scores: pd.DataFrame) -> pd.DataFrame:
    """Per-region sums that are sufficient for the random-intercept trend model.

    Parameters
    ----------
    scores : pandas.DataFrame
        Columns ``score`` and ``wave_index`` (numeric) and ``region``; rows with a
        missing value in any of them are left out.

    Returns
    -------
    pandas.DataFrame
        One row per region (sorted) with the columns of :data:`SUFFICIENT_COLUMNS`:
        ``region``, ``n`` and the sums :math:`\\sum y`, :math:`\\sum x`,
        :math:`\\sum xy`, :math:`\\sum x^2`, :math:`\\sum y^2` of score :math:`y`
        and wave index :math:`x`.

    Notes
    -----
    These six numbers per region determine the REML fit exactly (see
    :func:`trend_from_sufficient`), so a store can compute them with one
    ``GROUP BY`` and the fit never touches the rows.

    References
    ----------
    Searle, S. R., Casella, G., & McCulloch, C. E. (1992). *Variance components*,
    chapter 3 (the balanced and unbalanced one-way random model). Wiley.

    Examples
    --------
    >>> import pandas as pd
    >>> from folge.statistics.trend import sufficient_statistics
    >>> d = pd.DataFrame({"score": [1.0, 2.0, 4.0], "wave_index": [0, 1, 1], "region": ["a", "a", "b"]})
    >>> sufficient_statistics(d).values.tolist()
    [['a', 2, 3.0, 1.0, 2.0, 1.0, 5.0], ['b', 1, 4.0, 1.0, 4.0, 1.0, 16.0]]
    """
    _check_frame(scores, "scores", TREND_INPUT_COLUMNS, ("score", "wave_index"))
    y, x, codes, uniques = _clean_rows(scores)
    j = len(uniques)
    out = pd.DataFrame(
        {
            "region": uniques,
            "n": np.bincount(codes, minlength=j).astype("int64"),
            "sum_y": np.bincount(codes, weights=y, minlength=j),
            "sum_x": np.bincount(codes, weights=x, minlength=j),
            "sum_xy": np.bincount(codes, weights=x * y, minlength=j),
            "sum_xx": np.bincount(codes, weights=x * x, minlength=j),
            "sum_yy": np.bincount(codes, weights=y * y, minlength=j),
        }
    )
    return out.reset_index(drop=True)


def trend_from_sufficient(stats_frame: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    r"""Exact REML random-intercept trend from per-region sufficient statistics.

    Parameters
    ----------
    stats_frame : pandas.DataFrame
        One row per region with the columns of :data:`SUFFICIENT_COLUMNS`, as made
        by :func:`sufficient_statistics`. Regions with ``n`` = 0 are ignored.
    confidence : float, default 0.95
        Confidence level of the Wald interval.

    Returns
    -------
    pandas.DataFrame
        One row with the columns of :data:`TREND_COLUMNS` (see :func:`trend`);
        ``method`` is ``"lmm-reml/sufficient"``.

    Notes
    -----
    For region :math:`j` let :math:`\bar x_j, \bar y_j` be the means and
    :math:`S_{xx,j}, S_{xy,j}, S_{yy,j}` the sums of squares and products around
    them. Given :math:`\lambda = \theta^2 = \tau^2/\sigma^2`, with
    :math:`w_j = n_j/(1 + n_j\lambda)` (the inverse of
    :math:`V_j = \sigma^2(I + \lambda 11')` is :math:`\sigma^{-2}(I - \tfrac{\lambda}{1+n_j\lambda}11')`):

    .. math::

        A = \sum_j \begin{pmatrix} w_j & w_j\bar x_j \\ w_j\bar x_j & S_{xx,j} + w_j\bar x_j^2 \end{pmatrix},\quad
        b = \sum_j \begin{pmatrix} w_j\bar y_j \\ S_{xy,j} + w_j\bar x_j\bar y_j \end{pmatrix},\quad
        \hat\beta = A^{-1} b,

    :math:`RSS = \sum_j (S_{yy,j} + w_j\bar y_j^2) - b'\hat\beta` and, with
    :math:`\sigma^2` profiled out (:math:`\hat\sigma^2 = RSS/(N-2)`), the REML
    criterion (lme4's ``REMLcrit``) is

    .. math::

        -2\ell_R(\theta) = (N-2)\left[1 + \log\frac{2\pi\,RSS}{N-2}\right]
                          + \sum_j \log(1 + n_j\lambda) + \log\det A .

    It is minimised over :math:`\theta \ge 0` on a log grid refined by bounded
    Brent; :math:`\theta = 0` is a boundary (singular) fit and is flagged in
    ``note``. The standard error is :math:`\sqrt{\hat\sigma^2 (A^{-1})_{22}}`, as
    lme4's ``vcov``; the interval and p are Wald (normal), as in statsmodels.

    References
    ----------
    Harville, D. A. (1977). Maximum likelihood approaches to variance component
    estimation and to related problems. *Journal of the American Statistical
    Association*, 72(358), 320-338.

    Bates, D., Maechler, M., Bolker, B., & Walker, S. (2015). Fitting linear
    mixed-effects models using lme4. *Journal of Statistical Software*, 67(1), 1-48.

    Examples
    --------
    >>> import pandas as pd
    >>> from folge.statistics.trend import sufficient_statistics, trend_from_sufficient
    >>> d = pd.DataFrame({
    ...     "score": [3.1, 3.4, 3.9, 2.0, 2.6, 2.7, 4.0, 4.1, 4.8],
    ...     "wave_index": [0, 1, 2] * 3,
    ...     "region": ["a"] * 3 + ["b"] * 3 + ["c"] * 3})
    >>> res = trend_from_sufficient(sufficient_statistics(d))
    >>> round(float(res.loc[0, "estimate"]), 4), res.loc[0, "method"]
    (0.3833, 'lmm-reml/sufficient')
    """
    _check_confidence(confidence)
    _check_frame(stats_frame, "stats_frame", SUFFICIENT_COLUMNS, SUFFICIENT_COLUMNS[1:])
    frame = stats_frame[stats_frame["n"] > 0]
    n = frame["n"].to_numpy(dtype=float)
    sx = frame["sum_x"].to_numpy(dtype=float)
    sy = frame["sum_y"].to_numpy(dtype=float)
    s = _RegionStats(
        n,
        sx / n,
        sy / n,
        np.maximum(frame["sum_xx"].to_numpy(dtype=float) - sx * sx / n, 0.0),
        frame["sum_xy"].to_numpy(dtype=float) - sx * sy / n,
        np.maximum(frame["sum_yy"].to_numpy(dtype=float) - sy * sy / n, 0.0),
    )
    return _fit_exact_row(s, confidence)[0]


def _fit_exact_row(s: _RegionStats, confidence: float) -> tuple[pd.DataFrame, _Fit | None]:
    n_total, n_regions = int(s.n.sum()), int(s.n.size)
    method = "lmm-reml/sufficient"
    reason = _degenerate(s) if n_total else "no scores"
    if reason:
        return _row(n=n_total, n_regions=n_regions, method=method, note=reason, confidence=confidence), None
    fit = _exact_fit(_centred(s))
    note = _BOUNDARY_NOTE if fit.theta < _BOUNDARY_THETA else ""
    row = _row(fit.estimate, fit.se, n=n_total, n_regions=n_regions, method=method, note=note, confidence=confidence)
    return row, fit


def trend(scores: pd.DataFrame, *, engine: str = "auto", confidence: float = 0.95) -> pd.DataFrame:
    r"""Linear trend of a score over waves, with a random intercept per region (REML).

    Parameters
    ----------
    scores : pandas.DataFrame
        One row per score: ``score`` (numeric), ``wave_index`` (numeric: 0, 1, 2, ...
        or years) and ``region``. Rows with a missing value are left out.
    engine : {"auto", "mixedlm", "sufficient"}, default "auto"
        ``"mixedlm"``: statsmodels' MixedLM with optimiser fall-backs;
        ``"sufficient"``: the exact fit from per-region sums
        (:func:`trend_from_sufficient`); ``"auto"``: MixedLM up to
        :data:`LARGE_INPUT_ROWS` rows, replaced by the exact fit when no optimiser
        gives a usable fit or the exact REML criterion is lower; the exact fit alone
        above that size.
    confidence : float, default 0.95
        Confidence level of the Wald interval.

    Returns
    -------
    pandas.DataFrame
        One row with the columns of :data:`TREND_COLUMNS`:

        ``estimate``, ``se``
            the wave slope :math:`\hat\beta_1` and its standard error;
        ``ci_low``, ``ci_high``, ``p``
            Wald interval and two-sided p (normal reference, as statsmodels);
        ``n``, ``n_regions``
            scores and regions used;
        ``method``
            ``"lmm-reml/mixedlm:<optimiser>"`` or ``"lmm-reml/sufficient"``;
        ``note``
            empty; or a boundary fit (region variance zero); or why values are NaN.

    Notes
    -----
    Model :math:`y_{ij} = \beta_0 + \beta_1 x_{ij} + u_j + e_{ij}`,
    :math:`u_j \sim N(0,\tau^2)`, :math:`e_{ij} \sim N(0,\sigma^2)`, fitted by
    REML; :math:`\widehat{Var}(\hat\beta) = \hat\sigma^2 (X'\hat W^{-1}X)^{-1}`.
    The REML profile likelihood used by the exact engine is given in
    :func:`trend_from_sufficient`. MixedLM fits count as usable when they
    converged with a finite REML log-likelihood and finite estimates and standard
    errors; statsmodels' default optimiser is tried first, then L-BFGS, and Powell,
    Nelder-Mead and CG only when neither was usable; the fit with the highest REML
    log-likelihood is kept; its standard error is computed as lme4's ``vcov``,
    :math:`\hat\sigma^2 (X'\hat W^{-1}X)^{-1}` at MixedLM's variance estimates
    (statsmodels' own ``bse_fe`` comes from the joint Hessian and can differ in the
    fifth digit). A fit whose region SD is below :math:`10^{-4}`
    residual SDs (lme4's ``isSingular`` tolerance) is flagged as a boundary fit.
    One region, one wave, fewer than four scores or constant scores give NaN with a
    note.

    References
    ----------
    Patterson, H. D., & Thompson, R. (1971). Recovery of inter-block information
    when block sizes are unequal. *Biometrika*, 58(3), 545-554.

    Bates, D., Maechler, M., Bolker, B., & Walker, S. (2015). Fitting linear
    mixed-effects models using lme4. *Journal of Statistical Software*, 67(1), 1-48.

    Examples
    --------
    >>> import pandas as pd
    >>> from folge.statistics.trend import trend
    >>> d = pd.DataFrame({
    ...     "score": [3.1, 3.4, 3.9, 2.0, 2.6, 2.7, 4.0, 4.1, 4.8],
    ...     "wave_index": [0, 1, 2] * 3,
    ...     "region": ["a"] * 3 + ["b"] * 3 + ["c"] * 3})
    >>> res = trend(d)
    >>> round(float(res.loc[0, "estimate"]), 4), int(res.loc[0, "n_regions"])
    (0.3833, 3)
    >>> trend(d[d.region == "a"]).loc[0, "note"]
    'fewer than two regions: the region variance cannot be estimated'
    """
    if engine not in _ENGINES:
        raise ValueError(f"'engine' must be one of {', '.join(_ENGINES)} (got {engine!r})")
    _check_confidence(confidence)
    _check_frame(scores, "scores", TREND_INPUT_COLUMNS, ("score", "wave_index"))
    y, x, codes, uniques = _clean_rows(scores)
    s = _stats_from_rows(y, x, codes, len(uniques))
    exact, fit = _fit_exact_row(s, confidence)
    if engine == "sufficient" or fit is None:
        return exact
    if engine == "auto" and y.size > LARGE_INPUT_ROWS:
        return exact

    return _mixedlm_row(y, x, codes, s, exact, fit, engine, int(len(uniques)), confidence)


def _mixedlm_row(y, x, codes, s, exact: pd.DataFrame, fit, engine: str, n_regions: int,
                 confidence: float) -> pd.DataFrame:
    """The trend row from statsmodels' MixedLM, or the exact fit where MixedLM falls short.

    ``exact`` is the row of the exact REML fit from the sufficient statistics ``s`` and
    ``fit`` that fit itself: it replaces MixedLM (``engine="auto"``) when no optimiser
    gives a usable fit or MixedLM stops short of the REML optimum.
    """
    res, name, tried = _mixedlm_fit(y, x, codes)
    n_total = int(y.size)
    if res is None:
        if engine == "mixedlm":
            return _row(
                n=n_total,
                n_regions=n_regions,
                method="lmm-reml/mixedlm",
                note=f"MixedLM gave no usable fit (tried {', '.join(tried)})",
                confidence=confidence,
            )
        out = exact.copy()
        note = f"MixedLM gave no usable fit (tried {', '.join(tried)}); exact REML fit from sufficient statistics"
        out.loc[0, "note"] = "; ".join(m for m in (note, exact.loc[0, "note"]) if m)
        return out

    notes = [_BOUNDARY_NOTE] if fit.theta < _BOUNDARY_THETA else []
    crit = fit.reml_criterion
    short = -2.0 * res.llf > crit + 1e-6 * max(1.0, abs(crit))
    if short and engine == "mixedlm":
        notes.append(f"MixedLM ({name}) stopped short of the REML optimum by {-2.0 * res.llf - crit:.3g} in -2 log L")
    elif short:
        out = exact.copy()
        notes.insert(
            0, f"MixedLM ({name}) stopped short of the REML optimum; exact REML fit from sufficient statistics"
        )
        out.loc[0, "note"] = "; ".join(notes)
        return out
    # The standard error as lme4's vcov: sigma^2 (X' W^-1 X)^-1 at MixedLM's own variance
    # estimates (statsmodels' bse_fe comes from the joint Hessian and can differ slightly).
    theta = math.sqrt(max(float(np.asarray(res.cov_re)[0, 0]), 0.0) / float(res.scale))
    inv = _profile(_centred(s), theta)[2]
    return _row(
        float(res.fe_params[1]),
        math.sqrt(float(res.scale) * inv[1, 1]),
        n=n_total,
        n_regions=n_regions,
        method=f"lmm-reml/mixedlm:{name}",
        note="; ".join(notes),
        confidence=confidence,
    )
