r"""Trend and change of every region and the nation from one pass over the answers.

:func:`trend_mixed_scopes` and :func:`change_mixed_scopes` give the same rows as calling
:func:`~folge.statistics.mixed.regional_trend_mixed` /
:func:`~folge.statistics.mixed.change_mixed` for each region and
:func:`~folge.statistics.mixed.trend_mixed` / ``change_mixed(..., region=...)`` for the
nation (same models, REML, Satterthwaite df, fallbacks and notes), but at the cost of a
few sums per region: the regions' models ``score ~ time + role + (1 | respondent)`` are
fitted all at once (:mod:`folge.statistics._reml_batch`), and the national model
``score ~ time + role + (1 + time | region) + (1 | respondent)`` is fitted from the
regions' sums added up, without another pass over the rows. Change takes each pair of
waves' rows from one sort of the rows by region (:mod:`folge.statistics._pair_sums`), not
from a copy of the rows of every pair.

References: Bates, Maechler, Bolker & Walker (2015), lme4, JSS 67(1); Kuznetsova,
Brockhoff & Christensen (2017), lmerTest, JSS 82(13); Satterthwaite (1946).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from folge.statistics._mixed_design import _adjustment_columns, _check_columns
from folge.statistics._pair_sums import pair_scope_sums
from folge.statistics._reml_batch import ScopeSums, fit_scopes, full_rank_columns, national_crossproducts, scope_sums
from folge.statistics._reml_fit import SINGULAR_TOL, fit_theta
from folge.statistics.mixed import (
    CHANGE_MIXED_COLUMNS,
    MIN_RESPONDENTS,
    TREND_MIXED_COLUMNS,
    _empty_row,
    _formula,
    fitted_row,
    lower_bound,
    upper_bound,
)

__all__ = ["change_mixed_scopes", "trend_mixed_scopes"]

_VARIANCE_TOL = 1e-10


def _clean(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    _check_columns(frame, names)
    rows = frame.loc[frame[names].notna().all(axis=1), names]
    finite = np.isfinite(rows[names[0]].to_numpy(dtype=float)) & np.isfinite(rows[names[1]].to_numpy(dtype=float))
    return rows.loc[finite].reset_index(drop=True)


def _design(rows: pd.DataFrame, score: str, time: str, adjust_for: tuple[str, ...]):
    extra, extra_names = _adjustment_columns(rows, adjust_for)
    x = np.column_stack([np.ones(len(rows)), rows[time].to_numpy(dtype=float), *extra])
    return rows[score].to_numpy(dtype=float), x, ["(Intercept)", time, *extra_names]


def _spread(sums_wtw: np.ndarray, n: np.ndarray, index: int) -> np.ndarray:
    """Sum of squared deviations of column ``index`` of [x, y] per scope, from the sums."""
    total, square = sums_wtw[..., 0, index], sums_wtw[..., index, index]
    with np.errstate(all="ignore"):
        return square - total * total / np.maximum(n, 1)


def _scope_problems(sums: ScopeSums, p: int, kept: np.ndarray) -> list[str]:
    """The reason a scope cannot be fitted ('' when it can), in the single-scope engine's order."""
    n, persons = sums.n, sums.n_persons
    y_spread = _spread(sums.wtw, n, p)
    t_spread = _spread(sums.wtw, n, 1)
    p_kept = kept.sum(axis=1)
    out = []
    for i in range(n.size):
        if n[i] < 3:
            out.append(f"too few answers ({n[i]})")
        elif t_spread[i] <= _VARIANCE_TOL * max(sums.wtw[i, 1, 1], 1e-300):
            out.append("only one wave has answers")
        elif y_spread[i] <= _VARIANCE_TOL * max(sums.wtw[i, p, p], 1e-300):
            out.append("constant answers (SD = 0)")
        elif persons[i] < MIN_RESPONDENTS:
            out.append(f"too few respondents ({persons[i]}; at least {MIN_RESPONDENTS})")
        elif n[i] <= p_kept[i] + 1:
            out.append(f"too few answers ({n[i]}) for {p_kept[i]} fixed effects")
        else:
            out.append("")
    return out


def _dropped_note(kept_row: np.ndarray, columns: list[str], xtx_diagonal: np.ndarray) -> str:
    """Aliased adjustment terms (a level nobody in the scope has is simply absent, as in the engine)."""
    dropped = [columns[j] for j in range(2, len(columns)) if not kept_row[j] and xtx_diagonal[j] > 0]
    if not dropped:
        return ""
    return f"adjustment term(s) {', '.join(dropped)} dropped: no variation or aliased with the others"


def _regional_rows(sums: ScopeSums, x_columns: list[str], names: dict, columns: tuple[str, ...]) -> pd.DataFrame:
    """One row per scope from the batched fit (the columns of ``columns``)."""
    p = len(x_columns)
    kept = full_rank_columns(sums.wtw[:, :p, :p])
    problems = _scope_problems(sums, p, kept)
    usable = np.array([not text for text in problems])
    fits = fit_scopes(sums, usable)
    low = lower_bound(fits.estimate, fits.se, fits.df, 0.025)
    high = upper_bound(fits.estimate, fits.se, fits.df, 0.025)
    with np.errstate(all="ignore"):
        p_value = 2.0 * stats.t.sf(np.abs(fits.estimate / fits.se), fits.df)
    formulas = {flag: "REML " + _formula(names["score"], names["time"], names["adjust"], None, names["respondent"], 0,
                                         flag) + ", Satterthwaite df" for flag in (True, False)}
    notes, methods = [], []
    for i, problem in enumerate(problems):
        if problem:
            notes.append(problem)
            methods.append("")
            continue
        parts = [_dropped_note(fits.kept[i], x_columns, np.diagonal(sums.wtw[i]))]
        if not fits.person_term[i]:
            parts.append("no respondent answered more than once: the respondent term is left out "
                         "(it cannot be told apart from the residual)")
        elif fits.theta[i] < SINGULAR_TOL:
            parts.append(f"singular fit: variance of {names['respondent']} intercept estimated as zero")
        if not math.isfinite(fits.df[i]):
            parts.append("Satterthwaite df could not be computed")
        notes.append("; ".join(part for part in parts if part))
        methods.append(formulas[bool(fits.person_term[i])])
    usable_n = np.where(usable, sums.n, 0)
    table = pd.DataFrame({
        columns[0]: fits.estimate, "se": fits.se, "df": fits.df, "ci_low": low, "ci_high": high, "p": p_value,
        "n": usable_n, "n_respondents": np.where(usable, sums.n_persons, 0),
        "n_panel": np.where(usable, sums.n_repeated, 0), "n_regions": np.where(usable, 1, 0),
        "singular": usable & fits.person_term & (np.nan_to_num(fits.theta, nan=1.0) < SINGULAR_TOL),
        "method": methods, "note": notes,
    })
    return table.loc[:, list(columns)]


def _national_row(sums: ScopeSums, regions: np.ndarray, x_columns: list[str], names: dict,
                  columns: tuple[str, ...], moved: int) -> pd.DataFrame:
    """The national model over the scopes ``regions`` (random slope, falling back as the engine does)."""
    regions = regions[sums.n[regions] > 0]
    p = len(x_columns)
    total = ScopeSums(sums.wtw[regions].sum(axis=0)[None], sums.ss[regions].sum(axis=0)[None], sums.m_values,
                      sums.m_counts[regions].sum(axis=0)[None], sums.n[regions].sum(keepdims=True),
                      sums.n_persons[regions].sum(keepdims=True), sums.n_repeated[regions].sum(keepdims=True))
    kept = full_rank_columns(total.wtw[:, :p, :p])
    problem = _scope_problems(total, p, kept)[0]
    if not problem and regions.size < 2:
        problem = "one region: the national model needs at least two"
    if problem:
        return _empty_row(columns, problem)
    notes = [note for note in [_dropped_note(kept[0], x_columns, np.diagonal(total.wtw[0]))] if note]
    if moved > 0:
        notes.append(f"{moved} respondent(s) answered in more than one region: counted as a separate person in each")
    person_term = bool(total.n_repeated[0] > 0)
    index = np.flatnonzero(kept[0])

    def fit_q(q: int):
        return fit_theta(national_crossproducts(sums, regions, q, index, person_term))

    counts = {"n": int(total.n[0]), "n_respondents": int(total.n_persons[0]), "n_panel": int(total.n_repeated[0]),
              "n_regions": int(regions.size)}
    return fitted_row(fit_q, 2, person_term, notes, names, columns, counts)


def _moved(region_codes: np.ndarray, respondent_codes: np.ndarray) -> int:
    """Respondents counted in more than one region: distinct (respondent, region) pairs less
    distinct respondents.

    One pass first: each respondent gets the region of one of their rows; when every row
    has its respondent's region, nobody moved. Only the rows of respondents with a row
    elsewhere are then counted exactly (codes are 0..n-1, as from :func:`pandas.factorize`).
    """
    if respondent_codes.size == 0:
        return 0
    region_of = np.empty(int(respondent_codes.max()) + 1, dtype=np.int64)
    region_of[respondent_codes] = region_codes
    elsewhere = region_codes != region_of[respondent_codes]
    if not elsewhere.any():
        return 0
    mover = np.zeros(region_of.size, dtype=bool)
    mover[respondent_codes[elsewhere]] = True
    rows = mover[respondent_codes]
    who, where = respondent_codes[rows].astype(np.int64), region_codes[rows]
    pairs = np.unique(who * (int(region_codes.max(initial=0)) + 1) + where)
    return int(pairs.size - np.unique(who).size)


def trend_mixed_scopes(frame: pd.DataFrame, *, score: str = "score", years: str = "years", region: str = "region",
                       respondent: str = "respondent", adjust_for=("role",), national_label="all") -> pd.DataFrame:
    """Trend per year for every region and the nation, from one pass over ``frame``.

    Parameters
    ----------
    frame : DataFrame, one row per answer (respondent x wave).
    score, years, region, respondent : column names (``years``: time since the first wave).
    adjust_for : fixed adjustment terms, as in :func:`~folge.statistics.mixed.trend_mixed`.
    national_label : the ``region`` value of the national row.

    Returns
    -------
    DataFrame
        ``region`` and :data:`~folge.statistics.mixed.TREND_MIXED_COLUMNS`: the national row
        (:func:`~folge.statistics.mixed.trend_mixed`) first, then one row per region with
        answers, sorted (:func:`~folge.statistics.mixed.regional_trend_mixed`).

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> d = pd.DataFrame({"region": np.repeat(list("abcd"), 60), "respondent": np.tile(np.arange(30), 8),
    ...                   "years": np.tile(np.repeat([0.0, 1.0], 30), 4), "role": "x"})
    >>> d["score"] = 3 + 0.2 * d["years"] + rng.normal(0, 0.5, len(d))
    >>> list(trend_mixed_scopes(d)["region"])
    ['all', 'a', 'b', 'c', 'd']
    """
    adjust_for = (adjust_for,) if isinstance(adjust_for, str) else tuple(adjust_for)
    rows = _clean(frame, [score, years, region, respondent, *adjust_for])
    names = {"score": score, "time": years, "region": region, "respondent": respondent, "adjust": list(adjust_for)}
    scope, labels = pd.factorize(rows[region], sort=True)
    respondent_codes = pd.factorize(rows[respondent])[0]  # once, for the persons and the moves
    person = pd.factorize(scope * (int(respondent_codes.max(initial=0)) + 1) + respondent_codes)[0]
    y, x, x_columns = _design(rows, score, years, adjust_for)
    sums = scope_sums(y, x, scope, person, len(labels))
    national = _national_row(sums, np.arange(len(labels)), x_columns, names, TREND_MIXED_COLUMNS,
                             _moved(scope, respondent_codes))
    regional = _regional_rows(sums, x_columns, {**names, "region": None}, TREND_MIXED_COLUMNS)
    regional.insert(0, "region", [str(v) for v in labels])
    national.insert(0, "region", national_label)
    return pd.concat([national, regional], ignore_index=True)


def change_mixed_scopes(frame: pd.DataFrame, pairs, *, score: str = "score", wave: str = "wave",
                        region: str = "region", respondent: str = "respondent", adjust_for=("role",),
                        national_label="all") -> pd.DataFrame:
    """Change between pairs of waves for every region and the nation, from one pass per pair.

    Parameters
    ----------
    frame : DataFrame, one row per answer (respondent x wave).
    pairs : sequence of (from_wave, to_wave) values of ``wave``.
    score, wave, region, respondent : column names.
    adjust_for : fixed adjustment terms, as in :func:`~folge.statistics.mixed.change_mixed`.
    national_label : the ``region`` value of the national rows.

    Returns
    -------
    DataFrame
        ``from_wave``, ``to_wave``, ``region`` and
        :data:`~folge.statistics.mixed.CHANGE_MIXED_COLUMNS`, per pair the national row
        (``change_mixed(..., region=region)``) first, then one per region with answers in
        either wave (``change_mixed`` on the region's rows).
    """
    adjust_for = (adjust_for,) if isinstance(adjust_for, str) else tuple(adjust_for)
    pairs = [tuple(pair) for pair in pairs]
    if not pairs:
        return pd.DataFrame(columns=["from_wave", "to_wave", "region", *CHANGE_MIXED_COLUMNS])
    _check_columns(frame, [wave])
    rows = _clean(frame.assign(_time=0.0), [score, "_time", region, respondent, wave, *adjust_for])
    region_codes, labels = pd.factorize(rows[region], sort=True)
    respondent_codes = pd.factorize(rows[respondent])[0]
    wave_codes, wave_labels = pd.factorize(rows[wave])
    code_of = {value: code for code, value in enumerate(wave_labels)}
    coded = [(code_of.get(a, -2), code_of.get(b, -2)) for a, b in pairs]
    names = {"score": score, "time": wave, "region": region, "respondent": respondent, "adjust": list(adjust_for)}
    y_all, x_all, x_columns = _design(rows.assign(**{wave: 0.0}), score, wave, adjust_for)
    n_regions = len(labels)
    sums = pair_scope_sums(np.column_stack([x_all, y_all]), wave_codes, coded, region_codes, respondent_codes,
                           n_regions)
    present = np.flatnonzero(sums.n > 0)
    regional = _regional_rows(_subset(sums, present), x_columns, {**names, "region": None}, CHANGE_MIXED_COLUMNS)
    regional.insert(0, "region", [str(labels[i % n_regions]) for i in present])
    regional.insert(0, "_pair", present // n_regions)
    parts = []
    for index, (a, b) in enumerate(coded):
        scopes = present[present // n_regions == index]
        take = np.flatnonzero((wave_codes == a) | (wave_codes == b))
        national = _national_row(sums, scopes, x_columns, names, CHANGE_MIXED_COLUMNS,
                                 _moved(region_codes[take], respondent_codes[take]))
        national.insert(0, "region", national_label)
        national.insert(0, "_pair", index)
        parts.append(national)
    table = pd.concat([*parts, regional], ignore_index=True)
    table = table.iloc[np.argsort(table["_pair"].to_numpy(), kind="stable")].reset_index(drop=True)
    table.insert(0, "to_wave", [pairs[i][1] for i in table["_pair"]])
    table.insert(0, "from_wave", [pairs[i][0] for i in table["_pair"]])
    return table.drop(columns="_pair")


def _subset(sums: ScopeSums, index: np.ndarray) -> ScopeSums:
    return ScopeSums(sums.wtw[index], sums.ss[index], sums.m_values, sums.m_counts[index], sums.n[index],
                     sums.n_persons[index], sums.n_repeated[index])
