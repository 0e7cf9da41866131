r"""Trend and change from a linear mixed model with respondents nested in regions (REML).

The model is

.. math:: y_{ij} = x_{ij}'\beta + z_{ij}'b_{r(j)} + u_j + e_{ij}, \quad
   b_r \sim N(0, \Sigma_b), \; u_j \sim N(0, \sigma_u^2), \; e_{ij} \sim N(0, \sigma^2),

for answer :math:`i` of respondent :math:`j` in region :math:`r(j)`; :math:`x` holds the
intercept, the time variable (``years`` for trend, a 0/1 later-wave indicator for change)
and the adjustment terms (``role``); :math:`z` is (1, time) for a random intercept and
slope per region with an unstructured :math:`2\times 2` :math:`\Sigma_b`, (1) for a random
intercept only, or empty for one region's own model. In lme4's notation:
``score ~ years + role + (1 + years | region) + (1 | respondent)``.

Fitting follows lme4 (Bates, Maechler, Bolker & Walker 2015): with relative covariance
factors :math:`\theta` (:math:`\Sigma = \sigma^2\Lambda_\theta\Lambda_\theta'`) and
:math:`V_\theta = I + Z\Lambda_\theta\Lambda_\theta'Z'`, the REML criterion profiled over
:math:`\beta` and :math:`\sigma^2` is

.. math:: d_R(\theta) = \log|\Lambda'Z'Z\Lambda + I| + \log|X'V_\theta^{-1}X|
   + (n - p)\left[1 + \log\frac{2\pi\, r^2_\theta}{n - p}\right],

with :math:`r^2_\theta` the penalised residual sum of squares; it is evaluated per region
block (Woodbury identity) from sums computed in one pass, and minimised with L-BFGS-B
(diagonal entries of the factors :math:`\ge 0`) from several starts, keeping the best
finite fit. A fit is singular, as ``lme4::isSingular(fit, tol = 1e-4)`` says, when a
diagonal entry of a factor is below 1e-4; a singular random-slope fit falls back to
``(1 | region) + (1 | respondent)``, and ``method``/``note`` say so.

Inference on the time coefficient uses Satterthwaite's (1946) degrees of freedom as
lmerTest computes them (Kuznetsova, Brockhoff & Christensen 2017):
:math:`\nu = 2 (L'CL)^2 / (g'Ag)` with :math:`C = \operatorname{vcov}(\hat\beta)` as a
function of :math:`(\theta, \sigma)`, :math:`g` its gradient and :math:`A` twice the inverse
Hessian of the REML deviance; CIs and p use :math:`t(\nu)`.

References
----------
Bates, D., Maechler, M., Bolker, B., & Walker, S. (2015). Fitting linear mixed-effects
models using lme4. Journal of Statistical Software, 67(1), 1-48.
Kuznetsova, A., Brockhoff, P. B., & Christensen, R. H. B. (2017). lmerTest package:
Tests in linear mixed effects models. Journal of Statistical Software, 82(13), 1-26.
Satterthwaite, F. E. (1946). An approximate distribution of estimates of variance
components. Biometrics Bulletin, 2(6), 110-114.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from folge.statistics._mixed_design import Design, DesignProblem, build_design
from folge.statistics._reml_data import nested_crossproducts
from folge.statistics._reml_fit import SINGULAR_TOL, NestedLmmFit, fit_theta
from folge.statistics._reml_satterthwaite import satterthwaite_df

__all__ = [
    "CHANGE_MIXED_COLUMNS",
    "MIN_RESPONDENTS",
    "SINGULAR_TOL",
    "TREND_MIXED_COLUMNS",
    "NestedLmmFit",
    "change_mixed",
    "fit_nested_lmm",
    "lower_bound",
    "regional_trend_mixed",
    "satterthwaite_df",
    "trend_mixed",
    "upper_bound",
]

_COMMON = ("se", "df", "ci_low", "ci_high", "p", "n", "n_respondents", "n_regions", "singular", "method", "note")
#: Fewer respondents than this give NaN ("too few respondents").
MIN_RESPONDENTS = 3
#: Columns of :func:`trend_mixed` and :func:`regional_trend_mixed` (one row).
TREND_MIXED_COLUMNS = ("estimate", *_COMMON)
#: Columns of :func:`change_mixed` (one row); ``n_panel`` = respondents in both waves.
CHANGE_MIXED_COLUMNS = ("diff", *_COMMON[:7], "n_panel", *_COMMON[7:])


def fit_nested_lmm(y, x, z_region, region, person, *, person_term: bool = True) -> NestedLmmFit | None:
    """REML fit of ``y ~ x + (z_region | region) + (1 | person)``, persons nested in regions.

    Parameters
    ----------
    y : array of shape (n,), finite.
    x : array of shape (n, p), full column rank (the intercept included).
    z_region : array of shape (n, q), q in {0, 1, 2}: the region random-effect covariates
        ((), (1), or (1, time)); q = 0 fits ``y ~ x + (1 | person)``.
    region, person : integer codes 0..R-1 and 0..P-1; each person in one region.
    person_term : bool, default True. False leaves the person intercept out.

    Returns
    -------
    NestedLmmFit or None
        The best finite fit over several starts (``beta``, ``vcov``, ``theta`` in lme4's
        order, ``sigma``, ``reml_criterion``, variance components, ``singular``), or None
        when no start gave a finite criterion.
    """
    data = nested_crossproducts(
        np.asarray(y, dtype=float), np.asarray(x, dtype=float), np.asarray(z_region, dtype=float).reshape(len(y), -1),
        np.asarray(region, dtype=np.int64), np.asarray(person, dtype=np.int64), person_term=person_term,
    )
    return fit_theta(data)


def _t_bound(estimate, se, df, alpha, sign: float):
    estimate, se, df, alpha = (np.asarray(v, dtype=float) for v in (estimate, se, df, alpha))
    with np.errstate(invalid="ignore"):
        bound = estimate + sign * stats.t.ppf(1.0 - alpha, df) * se
    return bound if bound.ndim else float(bound)


def lower_bound(estimate, se, df, alpha):
    r"""One-sided lower confidence bound :math:`\hat\theta - t_{1-\alpha}(\nu)\,SE`.

    Vectorised (scalars, arrays or Series broadcast); NaN in, NaN out. A verdict is
    ``met`` when this bound (at the family's adjusted α) lies above the rule's bar.

    Examples
    --------
    >>> round(lower_bound(0.5, 0.1, 20, 0.05), 6)
    0.327528
    """
    return _t_bound(estimate, se, df, alpha, -1.0)


def upper_bound(estimate, se, df, alpha):
    r"""One-sided upper confidence bound :math:`\hat\theta + t_{1-\alpha}(\nu)\,SE` (see :func:`lower_bound`).

    Examples
    --------
    >>> round(upper_bound(0.5, 0.1, 20, 0.05), 6)
    0.672472
    """
    return _t_bound(estimate, se, df, alpha, 1.0)


# ----------------------------------------------------------------------- fitting a scope
def _formula(score: str, time: str, adjust: list[str], region: str | None, respondent: str,
             q: int, person: bool) -> str:
    fixed = " + ".join([time, *adjust])
    random = [f"(1 + {time} | {region})" if q == 2 else f"(1 | {region})"] if q else []
    random += [f"(1 | {respondent})"] if person else []
    return f"{score} ~ {fixed}" + "".join(f" + {term}" for term in random)


def _fit_design(design: Design, q: int, person_term: bool) -> NestedLmmFit | None:
    z = np.column_stack([np.ones(design.y.size), design.time])[:, :q]
    return fit_nested_lmm(design.y, design.x, z, design.region, design.person, person_term=person_term)


def _zero_terms(fit: NestedLmmFit, region: str | None, respondent: str) -> list[str]:
    """Which variance terms the singular fit put at zero."""
    names = ([f"{respondent} intercept"] if fit.data.person_term else [])
    names += [[], [f"{region} intercept"], [f"{region} intercept", "", f"{region} slope"]][fit.data.q]
    diagonal = np.isfinite(fit.theta) & (fit.theta < SINGULAR_TOL)
    return [name for name, zero in zip(names, diagonal, strict=True) if zero and name]


def _fit_with_fallback(fit_q, q: int) -> tuple[NestedLmmFit | None, int, list[str]]:
    """Fit with ``fit_q(q)``; a singular (or failed) random-slope fit falls back to a random intercept per region."""
    fit = fit_q(q)
    if q != 2 or (fit is not None and not fit.singular):
        return fit, q, []
    why = "could not be estimated" if fit is None else "is singular (lme4::isSingular, tol 1e-4)"
    fallback = fit_q(1)
    if fallback is not None:
        return fallback, 1, [f"the random-slope model {why}: fell back to a random intercept per region"]
    if fit is None:
        return None, 1, [f"the random-slope model {why}, nor could its fallback (a random intercept per region)"]
    return fit, 2, [f"the random-slope model {why}, and its fallback (a random intercept per region) "
                    "could not be estimated: the singular random-slope fit is reported"]


def _inference(fit: NestedLmmFit) -> dict:
    estimate = float(fit.beta[1])
    se = math.sqrt(fit.vcov[1, 1]) if fit.vcov[1, 1] > 0 else math.nan
    df = satterthwaite_df(fit, np.eye(fit.beta.size)[1])
    low, high = lower_bound(estimate, se, df, 0.025), upper_bound(estimate, se, df, 0.025)
    p = float(2.0 * stats.t.sf(abs(estimate / se), df)) if math.isfinite(df) and se > 0 else math.nan
    return {"estimate": estimate, "se": se, "df": df, "ci_low": low, "ci_high": high, "p": p}


def _empty_row(columns: tuple[str, ...], note: str, method: str = "") -> pd.DataFrame:
    row = dict.fromkeys(columns, math.nan)
    row.update(n=0, n_respondents=0, n_regions=0, singular=False, method=method, note=note)
    if "n_panel" in row:
        row["n_panel"] = 0
    return pd.DataFrame([row], columns=list(columns))


def _scope_row(design: Design, names: dict, q: int, columns: tuple[str, ...]) -> pd.DataFrame:
    """Fit the scope's model, with its fallbacks, and make the one-row result."""
    person_term = design.n_repeated > 0
    counts = {"n": design.y.size, "n_respondents": design.n_persons, "n_panel": design.n_repeated,
              "n_regions": design.n_regions if q else 1}
    return fitted_row(lambda q_used: _fit_design(design, q_used, person_term), q, person_term, list(design.notes),
                      names, columns, counts)


def fitted_row(fit_q, q: int, person_term: bool, notes: list[str], names: dict, columns: tuple[str, ...],
               counts: dict) -> pd.DataFrame:
    """The one-row result of a scope: fit (``fit_q(q)``, with the fallback), inference, method and notes."""
    if not person_term:
        notes.append("no respondent answered more than once: the respondent term is left out "
                     "(it cannot be told apart from the residual)")
    fit, q_used, fallback_notes = _fit_with_fallback(fit_q, q)
    notes += fallback_notes
    method = "REML " + _formula(names["score"], names["time"], names["adjust"], names["region"],
                                names["respondent"], q_used, person_term) + ", Satterthwaite df"
    if fit is None:
        return _empty_row(columns, "; ".join([*notes, "the model could not be estimated (no finite REML fit)"]), method)
    values = _inference(fit)
    if fit.singular:
        notes.append("singular fit: variance of " + ", ".join(_zero_terms(fit, names["region"], names["respondent"]))
                     + " estimated as zero")
    if not fit.converged:
        notes.append("the optimiser did not confirm convergence (projected gradient of the REML criterion above 1e-3)")
    if not math.isfinite(values["df"]):
        notes.append("Satterthwaite df could not be computed")
    row = {**values, **counts, "singular": fit.singular, "method": method, "note": "; ".join(notes)}
    row[columns[0]] = row.pop("estimate")
    return pd.DataFrame([row], columns=list(columns))


def _run(frame, columns, names: dict, adjust_for, q: int) -> pd.DataFrame:
    if isinstance(adjust_for, str):
        adjust_for = (adjust_for,)
    names = {**names, "adjust": list(adjust_for)}
    try:
        design = build_design(frame, score=names["score"], time=names["time"], region=names["region"],
                              respondent=names["respondent"], adjust_for=adjust_for)
        if q and design.n_regions < 2:
            raise DesignProblem("one region: the national model needs at least two")
        if design.n_persons < MIN_RESPONDENTS:
            raise DesignProblem(f"too few respondents ({design.n_persons}; at least {MIN_RESPONDENTS})")
        if design.y.size <= design.x.shape[1] + 1:
            raise DesignProblem(f"too few answers ({design.y.size}) for {design.x.shape[1]} fixed effects")
    except DesignProblem as problem:
        return _empty_row(columns, str(problem))
    return _scope_row(design, names, q, columns)


# ----------------------------------------------------------------------- public faces
def trend_mixed(frame: pd.DataFrame, *, score: str = "score", years: str = "years", region: str = "region",
                respondent: str = "respondent", adjust_for=("role",)) -> pd.DataFrame:
    """National trend per year: ``score ~ years + role + (1 + years | region) + (1 | respondent)``.

    Parameters
    ----------
    frame : DataFrame with one row per answer (respondent x wave).
    score, years, region, respondent : column names. ``years`` is time since the first
        wave in years (fractions; waves need not be evenly spaced).
    adjust_for : column names of fixed adjustment terms (text: treatment-coded with the
        first sorted level as reference, as R does; numbers: as they are). ``()`` for none.

    Returns
    -------
    DataFrame
        One row with :data:`TREND_MIXED_COLUMNS`: ``estimate`` (slope per year), ``se``,
        ``df`` (Satterthwaite), ``ci_low``/``ci_high`` (95 %, t(df)), ``p`` (two-sided),
        ``n`` (answers), ``n_respondents``, ``n_regions``, ``singular`` (the fit reported is
        on the boundary), ``method`` (the model actually fitted) and ``note``.

    Notes
    -----
    The REML criterion, the singular-fit rule and the Satterthwaite formula are in the
    module docstring. A singular random-slope fit falls back to ``(1 | region) +
    (1 | respondent)``; if nobody answered twice the respondent term is left out. One
    wave, one region, constant scores or too few answers give NaN with the reason in
    ``note``. Checked against ``lmerTest::lmer(..., REML = TRUE)``
    (tests/reference/mixed_models.R).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"region": np.repeat(list("abcdef"), 40), "respondent": np.tile(np.arange(20), 12),
    ...                   "years": np.tile(np.repeat([0.0, 1.5], 20), 6), "role": "x"})
    >>> d["score"] = 3 + 0.2 * d["years"] + rng.normal(0, 0.5, len(d))
    >>> row = trend_mixed(d).iloc[0]
    >>> bool(row["ci_low"] < 0.2 < row["ci_high"]), int(row["n_regions"])
    (True, 6)
    """
    names = {"score": score, "time": years, "region": region, "respondent": respondent}
    return _run(frame, TREND_MIXED_COLUMNS, names, adjust_for, q=2)


def regional_trend_mixed(frame: pd.DataFrame, *, score: str = "score", years: str = "years",
                         respondent: str = "respondent", adjust_for=("role",)) -> pd.DataFrame:
    """One region's trend per year: ``score ~ years + role + (1 | respondent)`` on its rows.

    Parameters
    ----------
    frame : DataFrame with the region's answers (one row per respondent x wave).
    score, years, respondent : column names, as in :func:`trend_mixed`.
    adjust_for : fixed adjustment terms, as in :func:`trend_mixed`.

    Returns
    -------
    DataFrame
        One row with :data:`TREND_MIXED_COLUMNS` (``n_regions`` is 1). A singular fit
        (respondent variance estimated as zero, ``lme4::isSingular``) is kept and flagged
        in ``singular`` and ``note``; the verdicts decide what it is worth.
    """
    names = {"score": score, "time": years, "region": None, "respondent": respondent}
    return _run(frame, TREND_MIXED_COLUMNS, names, adjust_for, q=0)


def change_mixed(frame: pd.DataFrame, from_wave, to_wave, *, score: str = "score", wave: str = "wave",
                 respondent: str = "respondent", region: str | None = None, adjust_for=("role",)) -> pd.DataFrame:
    """Change between two waves of one scope from a model that knows the panel.

    ``score ~ wave + role + (1 | respondent)`` on the rows of ``from_wave`` and ``to_wave``
    (``wave`` coded 0/1, so the coefficient is the adjusted difference ``to - from``);
    retained respondents count as paired, the rest as independent. With ``region`` given
    (national change) the model adds ``(1 + wave | region)``, falling back to
    ``(1 | region)`` when that fit is singular.

    Parameters
    ----------
    frame : DataFrame with one row per answer; rows of other waves are ignored.
    from_wave, to_wave : the two values of ``wave`` to compare (``diff`` = to - from).
    score, wave, respondent : column names.
    region : column name of the region for national change; None (default) for one
        region's own change.
    adjust_for : fixed adjustment terms, as in :func:`trend_mixed`.

    Returns
    -------
    DataFrame
        One row with :data:`CHANGE_MIXED_COLUMNS`: ``diff`` and the columns of
        :func:`trend_mixed`, plus ``n_panel`` (respondents in both waves).

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> d = pd.DataFrame({"respondent": np.tile(np.arange(30), 2), "wave": np.repeat([1, 2], 30), "role": "x"})
    >>> d["score"] = 3 + 0.3 * (d["wave"] == 2) + np.tile(rng.normal(0, 0.5, 30), 2) + rng.normal(0, 0.4, 60)
    >>> row = change_mixed(d, 1, 2).iloc[0]
    >>> int(row["n_panel"]), bool(row["ci_low"] < 0.3 < row["ci_high"])
    (30, True)
    """
    if from_wave == to_wave:
        raise ValueError(f"'from_wave' and 'to_wave' must differ (got {from_wave!r} twice)")
    if not isinstance(frame, pd.DataFrame) or wave not in frame.columns:
        raise ValueError(f"'frame' must be a DataFrame with the column {wave!r}")
    two = frame.loc[frame[wave].isin([from_wave, to_wave])].copy()
    two[wave] = (two[wave] == to_wave).astype(float)
    names = {"score": score, "time": wave, "region": region, "respondent": respondent}
    return _run(two, CHANGE_MIXED_COLUMNS, names, adjust_for, q=2 if region else 0)
