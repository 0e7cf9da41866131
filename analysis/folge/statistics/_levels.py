"""Weighted levels with Taylor-linearised standard errors, and the levels table with EB."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._checks import numeric_vector
from ._eb import eb_from_sums
from ._groups import GroupSums, group_sums

__all__ = ["LEVEL_COLUMNS", "MEAN_COLUMNS", "levels", "weighted_levels", "weighted_mean"]

#: Columns of :func:`weighted_mean` (one row).
MEAN_COLUMNS = ("n", "n_psu", "mean", "se", "df", "ci_low", "ci_high", "note")
#: Columns of :func:`weighted_levels` after the ``by`` columns and ``region``.
_LEVEL_STAT_COLUMNS = ("n", "mean", "se", "df", "ci_low", "ci_high", "weighted", "note")
#: Columns of :func:`levels` (the ``levels.csv`` table plus ``df`` and ``note``).
LEVEL_COLUMNS = ("construct", "region", "wave", "n", "mean", "se", "df", "ci_low", "ci_high",
                 "weighted", "eb", "eb_se", "note")

_ONE_PSU = {True: "one region: no between-region standard error",
            False: "one respondent: no standard error"}


def weighted_mean(scores, weights=None, clusters=None, level: float = 0.95) -> pd.DataFrame:
    """Weighted mean with its Taylor-linearised standard error and t interval.

    Parameters
    ----------
    scores : array-like of float
        One score per respondent; missing scores (NaN) are left out.
    weights : array-like of float, optional
        Sampling weights (default 1), non-negative, used as they are (no rescaling).
    clusters : array-like, optional
        Primary sampling unit of each respondent (the region for national figures).
        Without it every respondent is their own unit (``ids = ~1``).
    level : float
        Confidence level of the interval (default 0.95).

    Returns
    -------
    pandas.DataFrame
        One row with :data:`MEAN_COLUMNS`: ``n`` scores, ``n_psu`` units, ``mean``,
        ``se``, ``df`` = n_psu - 1, ``ci_low``, ``ci_high``, ``note``.

    Notes
    -----
    The ratio mean :math:`\\hat\\mu = \\sum_i w_i y_i / \\sum_i w_i` is linearised
    (Woodruff 1971): :math:`z_i = w_i (y_i - \\hat\\mu) / \\sum_i w_i`, summed within each
    unit :math:`t_c = \\sum_{i \\in c} z_i`, and with :math:`C` units drawn with
    replacement from one stratum and no finite population correction

    .. math:: \\widehat{V}(\\hat\\mu) = \\frac{C}{C-1} \\sum_c (t_c - \\bar t)^2 ,

    the interval is :math:`\\hat\\mu \\pm t_{C-1} SE`. This is ``confint(svymean(~score,
    svydesign(ids = ~region, weights = ~weight, data = d)), df = degf(design))`` in
    R's survey package (Lumley 2004, 2010); ``ids = ~1`` without ``clusters``. With one
    unit the SE is NaN and ``note`` says why.

    References
    ----------
    Lumley, T. (2004). Analysis of complex survey samples. *J. Stat. Softw.* 9(8).
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
    Woodruff, R. S. (1971). A simple method for approximating the variance of a
    complicated estimate. *JASA* 66, 411-414.

    Examples
    --------
    >>> r = weighted_mean([1.0, 2.0, 4.0], weights=[1.0, 1.0, 2.0])
    >>> float(r.loc[0, "mean"]), round(float(r.loc[0, "se"]), 6)
    (2.75, 0.962175)
    """
    y = numeric_vector(scores, "scores")
    data = pd.DataFrame({"score": y})
    data["weight"] = 1.0 if weights is None else numeric_vector(weights, "weights")
    if len(data) != len(y):
        raise ValueError("'weights' must have one value per score")
    if clusters is None:
        data["unit"] = np.arange(len(y))
    else:
        units = pd.Series(np.asarray(clusters, dtype=object)).to_numpy()
        if len(units) != len(y):
            raise ValueError(f"'clusters' must have one label per score (got {len(units)} for {len(y)})")
        codes = pd.factorize(units)[0]
        if (codes < 0).any():
            raise ValueError("'clusters' has missing values; every score needs its unit")
        data["unit"] = codes
    if data["score"].isna().all():
        row = {"n": 0, "n_psu": 0, "mean": np.nan, "se": np.nan, "df": np.nan, "ci_low": np.nan,
               "ci_high": np.nan, "note": "no scores"}
        return pd.DataFrame([row], columns=list(MEAN_COLUMNS))
    sums = group_sums(data, [], "unit", "score", "weight")
    est = _national(sums, level)
    n_psu = int((sums.n[0] > 0).sum())
    row = {"n": int(sums.n[0].sum()), "n_psu": n_psu, **{k: est[k][0] for k in ("mean", "se", "df", "ci_low", "ci_high")}}
    row["note"] = _ONE_PSU[clusters is not None] if n_psu == 1 else ""
    return pd.DataFrame([row], columns=list(MEAN_COLUMNS))


def _interval(mean, se, df, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided t interval (NaN where df < 1 or se is NaN)."""
    with np.errstate(invalid="ignore"):
        q = stats.t.ppf(0.5 + level / 2.0, np.where(df >= 1, df, np.nan))
    return mean - q * se, mean + q * se


def _regional(sums: GroupSums, level: float) -> dict[str, np.ndarray]:
    """Per parent x region: mean, SE (ids = ~1 within the region), df, CI."""
    n = sums.n
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(n > 1, n / (n - 1) * sums.q / sums.sum_w**2, np.nan)
    se = np.sqrt(var)
    df = n - 1
    low, high = _interval(sums.mean_w, se, df, level)
    return {"mean": sums.mean_w, "se": se, "df": df, "ci_low": low, "ci_high": high}


def _national(sums: GroupSums, level: float) -> dict[str, np.ndarray]:
    """Per parent: mean and SE clustered by region (ids = ~region), df = regions - 1, CI."""
    has = sums.n > 0
    total_w = sums.sum_w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(has, sums.sum_w * sums.mean_w, 0.0).sum(axis=1) / total_w
        t = np.where(has, sums.sum_w * (sums.mean_w - mean[:, None]), 0.0) / total_w[:, None]
        units = has.sum(axis=1).astype(float)
        centred = np.where(has, t - t.sum(axis=1, keepdims=True) / units[:, None], 0.0)
        var = np.where(units > 1, units / (units - 1) * (centred**2).sum(axis=1), np.nan)
    se = np.sqrt(var)
    df = np.where(units > 0, units - 1, np.nan)
    low, high = _interval(mean, se, df, level)
    return {"mean": mean, "se": se, "df": df, "ci_low": low, "ci_high": high}


def weighted_levels(data: pd.DataFrame, by: Sequence[str] = ("construct", "wave"), *, region: str = "region",
                    score: str = "score", weight: str | None = "weight", level: float = 0.95,
                    national: str = "all") -> pd.DataFrame:
    """Weighted mean of every region and of all regions, per ``by`` group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent x score (long form, e.g. ``scores.csv`` joined with
        ``weights.csv``). Rows with a missing score are left out.
    by : sequence of str
        The columns that define one analysis (default construct and wave).
    region, score : str
        Names of the region and score columns.
    weight : str or None
        Name of the weight column (the wave's raked weights, used unchanged in a
        region's subset); None for equal weights (``weighted`` is then false).
    level : float
        Confidence level (default 0.95).
    national : str
        Label of the all-regions rows in the region column (default ``"all"``).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``region``, then ``n``, ``mean``, ``se``, ``df``, ``ci_low``,
        ``ci_high``, ``weighted``, ``note``: one row per ``by`` group and region with a
        score, then per ``by`` group one ``national`` row.

    Notes
    -----
    A region's row is :func:`weighted_mean` on that region's rows without clusters
    (``svydesign(ids = ~1, weights = ~weight)``, df = n - 1); the national row clusters
    by region (``ids = ~region``, df = regions - 1), the between-region variance of the
    linearised region totals (see :func:`weighted_mean` for the formulas). Everything
    is computed from per-group sums in one pass (:mod:`numpy` ``bincount``).

    References
    ----------
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
    """
    _check_columns(data, [*by, region, score] + ([weight] if weight else []))
    sums = group_sums(data, list(by), region, score, weight)
    return _levels_frame(sums, list(by), region, weight is not None, level, national)


def _levels_frame(sums: GroupSums, by: list[str], region: str, weighted: bool, level: float,
                  national: str) -> pd.DataFrame:
    """Region rows and national rows of :func:`weighted_levels` from the group sums."""
    reg = _regional(sums, level)
    nat = _national(sums, level)
    p_idx, r_idx = np.nonzero(sums.n > 0)
    regional = sums.parents.iloc[p_idx].reset_index(drop=True)
    regional[region] = sums.regions[r_idx]
    regional["n"] = sums.n[p_idx, r_idx].astype(int)
    for key, values in reg.items():
        regional[key] = values[p_idx, r_idx]
    regional["note"] = np.where(regional["n"] == 1, _ONE_PSU[False], "")
    whole = sums.parents.reset_index(drop=True).copy()
    whole[region] = national
    whole["n"] = sums.n.sum(axis=1).astype(int)
    for key, values in nat.items():
        whole[key] = values
    whole["note"] = np.where((sums.n > 0).sum(axis=1) == 1, _ONE_PSU[True], "")
    out = pd.concat([regional, whole], ignore_index=True)
    out["df"] = out["df"].astype(float)
    out["weighted"] = weighted
    return out[[*by, region, *_LEVEL_STAT_COLUMNS]]


def _check_columns(data, columns) -> None:
    """Raise when ``data`` is not a DataFrame with every named column."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"'data' must be a DataFrame (got {type(data).__name__})")
    lacking = [c for c in columns if c not in data.columns]
    if lacking:
        raise ValueError(f"'data' lacks column {lacking[0]!r} (got {list(data.columns)!r})")


def levels(data: pd.DataFrame, *, weight: str | None = "weight", level: float = 0.95) -> pd.DataFrame:
    """The ``levels.csv`` table: direct (weighted) levels and empirical-Bayes region estimates.

    Parameters
    ----------
    data : pandas.DataFrame
        Long scores with ``construct``, ``wave``, ``region``, ``score`` and the weight
        column (e.g. ``scores.csv`` joined with ``weights.csv``).
    weight : str or None
        Weight column, or None for unweighted levels (``weighted`` false).
    level : float
        Confidence level (default 0.95).

    Returns
    -------
    pandas.DataFrame
        :data:`LEVEL_COLUMNS`, sorted by construct, wave and region with the national
        (``all``) row last in each construct x wave: ``n`` respondents with a score, the
        direct estimate ``mean``, ``se``, ``df``, ``ci_low``, ``ci_high`` as
        :func:`weighted_levels`, ``weighted``, the region's ``eb`` and ``eb_se`` as
        :func:`empirical_bayes` (empty for ``all``), and ``note`` (reasons joined by "; ").

    Notes
    -----
    Both estimates come from one pass over the scores. The EB fit is unweighted (the
    model-based estimate borrows strength from the other regions; the weights enter only
    the direct estimate). Categorical and integer key columns are read from their codes;
    string keys are hashed, which at 20 million scores costs more than the statistics
    themselves, so large callers should pass ``construct`` and ``region`` as categoricals.
    """
    by = ["construct", "wave"]
    _check_columns(data, [*by, "region", "score"] + ([weight] if weight else []))
    sums = group_sums(data, by, "region", "score", weight)
    table = _levels_frame(sums, by, "region", weight is not None, level, "all")
    eb = eb_from_sums(sums)
    p_idx, r_idx = np.nonzero(sums.n > 0)
    n_regional = len(p_idx)
    table["eb"] = np.concatenate([eb.eb[p_idx, r_idx], np.full(len(sums.parents), np.nan)])
    table["eb_se"] = np.concatenate([eb.eb_se[p_idx, r_idx], np.full(len(sums.parents), np.nan)])
    eb_note = np.concatenate([eb.note[p_idx], np.full(len(sums.parents), "", dtype=object)])
    table["note"] = _join_notes(table["note"].to_numpy(dtype=object), eb_note)
    table["_national"] = np.arange(len(table)) >= n_regional
    table = table.sort_values(["construct", "wave", "_national", "region"], kind="stable")
    return table.drop(columns="_national").reset_index(drop=True)[list(LEVEL_COLUMNS)]


def _join_notes(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Element-wise "a; b" of two note arrays, skipping empty parts."""
    out = np.where(first == "", second, np.where(second == "", first, first + "; " + second))
    return out.astype(object)
