"""Aggregation statistics: may respondents' answers stand for their region?

Two questions come before a construct score is reported per region:

* do regions differ at all, relative to the spread among respondents
  (:func:`icc`: ICC(1) and ICC(2) from a one-way ANOVA), and
* do the respondents within one region agree
  (:func:`rwg_j`, :func:`average_deviation`, and :func:`agreement`, which
  computes both for every region).

Every function returns a tidy :class:`pandas.DataFrame` whose columns are named in
the module-level tuples below, so the analysis runner can reuse them. Wrong
*arguments* raise ``ValueError`` or ``TypeError``; degenerate *data* (one region,
a region of one, constant answers) give NaN and say why in ``note``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import numeric_vector

__all__ = [
    "AD_COLUMNS",
    "AGREEMENT_COLUMNS",
    "ICC_COLUMNS",
    "RWG_COLUMNS",
    "agreement",
    "average_deviation",
    "icc",
    "rwg_j",
]

#: Columns of :func:`icc`.
ICC_COLUMNS = ("n_regions", "n", "icc1", "icc2", "note")
#: Columns of :func:`rwg_j`.
RWG_COLUMNS = ("n", "rwg_j", "note")
#: Columns of :func:`average_deviation`.
AD_COLUMNS = ("n", "ad", "note")
#: Columns of :func:`agreement` (one row per region).
AGREEMENT_COLUMNS = ("region", "n", "mean", "sd", "rwg_j", "ad", "note")


# --------------------------------------------------------------------------- checks
def _group_vector(groups, name: str, length: int) -> pd.Series:
    """Return ``groups`` as a Series of labels of the expected length or raise."""
    if isinstance(groups, pd.DataFrame):
        raise TypeError(f"'{name}' must be one-dimensional (got a DataFrame)")
    if isinstance(groups, pd.Series):
        ser = groups
    else:
        arr = np.asarray(groups, dtype=object)
        if arr.ndim != 1:
            raise ValueError(f"'{name}' must be one-dimensional (got {arr.ndim} dimensions)")
        ser = pd.Series(arr)
    if len(ser) != length:
        raise ValueError(f"'{name}' must have one label per score (got {len(ser)} labels for {length} scores)")
    return ser.reset_index(drop=True)


def _item_matrix(items, name: str = "items") -> tuple[np.ndarray, list[str]]:
    """Return ``items`` as a 2-D float array (respondents x items) and item labels."""
    if isinstance(items, pd.Series):
        items = items.to_frame()
    if isinstance(items, pd.DataFrame):
        for col in items.columns:
            dtype = items[col].dtype
            if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
                raise TypeError(f"'{name}' must be numeric (got column {col!r} of dtype {dtype})")
        labels = [str(c) for c in items.columns]
        arr = items.to_numpy(dtype=float, na_value=np.nan)
    else:
        arr = np.asarray(items)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise ValueError(f"'{name}' must be two-dimensional, respondents x items (got {arr.ndim} dimensions)")
        if arr.dtype.kind not in "iuf":
            raise TypeError(f"'{name}' must be numeric (got dtype {arr.dtype})")
        arr = arr.astype(float)
        labels = [str(i) for i in range(arr.shape[1])]
    if arr.shape[1] == 0:
        raise ValueError(f"'{name}' must hold at least one item column (got none)")
    return arr, labels


def _null_variance(scale_points) -> float:
    """Variance of the uniform null distribution on ``scale_points`` categories."""
    if isinstance(scale_points, bool) or not isinstance(scale_points, (int, np.integer)):
        raise TypeError(f"'scale_points' must be an integer (got {type(scale_points).__name__})")
    if scale_points < 2:
        raise ValueError(f"'scale_points' must be at least 2 (got {scale_points})")
    return (float(scale_points) ** 2 - 1.0) / 12.0


# ----------------------------------------------------------------------------- ICC
def icc(scores, groups) -> pd.DataFrame:
    """ICC(1) and ICC(2) of a score across regions, from a one-way ANOVA.

    Parameters
    ----------
    scores : array-like of float
        One score per respondent (for example a construct score). Missing scores
        (NaN) are left out.
    groups : array-like
        The region of each respondent, same length as ``scores``. Respondents with a
        missing region are left out.

    Returns
    -------
    pandas.DataFrame
        One row with the columns of :data:`ICC_COLUMNS`:

        ``n_regions``
            number of regions with at least one score;
        ``n``
            number of scores used;
        ``icc1``
            ICC(1), the share of score variance that lies between regions;
        ``icc2``
            ICC(2), the reliability of the region means;
        ``note``
            empty, or why a value is NaN.

    Notes
    -----
    With :math:`J` regions, :math:`N` scores, :math:`n_j` scores in region
    :math:`j`, the mean squares of the one-way ANOVA are
    :math:`MSB = \\sum_j n_j (\\bar y_j - \\bar y)^2 / (J - 1)` and
    :math:`MSW = \\sum_j \\sum_i (y_{ij} - \\bar y_j)^2 / (N - J)`. With the mean
    group size :math:`k = N / J`,

    .. math::

        ICC(1) = \\frac{MSB - MSW}{MSB + (k - 1) MSW}, \\qquad
        ICC(2) = \\frac{MSB - MSW}{MSB}.

    These are ``multilevel::ICC1`` and ``multilevel::ICC2`` applied to
    ``aov(score ~ region)``. ICC(1) can be negative (less agreement within regions
    than between); it is reported as it is. Fewer than two regions, no region with
    two or more scores, or constant scores give NaN with a note; so does ICC(2)
    when the region means do not differ at all (MSB = 0).

    References
    ----------
    Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability:
    Implications for data aggregation and analysis. In K. J. Klein & S. W. J.
    Kozlowski (Eds.), *Multilevel theory, research, and methods in organizations*
    (pp. 349-381). Jossey-Bass.

    Bartko, J. J. (1976). On various intraclass correlation reliability coefficients.
    *Psychological Bulletin*, 83(5), 762-765.

    Examples
    --------
    >>> from folge.statistics.aggregation import icc
    >>> res = icc([1, 2, 3, 4, 5, 6], ["a", "a", "a", "b", "b", "b"])
    >>> res[["n_regions", "n"]].iloc[0].tolist()
    [2, 6]
    >>> round(float(res.loc[0, "icc1"]), 6), round(float(res.loc[0, "icc2"]), 6)
    (0.806452, 0.925926)
    """
    y = numeric_vector(scores, "scores")
    g = _group_vector(groups, "groups", len(y))
    keep = ~np.isnan(y) & g.notna().to_numpy()
    y = y[keep]
    codes, uniques = pd.factorize(g[keep], sort=True)
    n = int(len(y))
    n_regions = int(len(uniques))

    def row(icc1=np.nan, icc2=np.nan, note=""):
        return pd.DataFrame(
            [[n_regions, n, icc1, icc2, note]], columns=list(ICC_COLUMNS)
        ).astype({"n_regions": "int64", "n": "int64", "icc1": "float64", "icc2": "float64"})

    if n_regions < 2:
        return row(note="fewer than two regions with scores: no between-region variance to estimate")
    if n - n_regions < 1:
        return row(note="no region has two or more scores: no within-region variance to estimate")

    counts = np.bincount(codes, minlength=n_regions).astype(float)
    means = np.bincount(codes, weights=y, minlength=n_regions) / counts
    grand = y.mean()
    msb = float(np.sum(counts * (means - grand) ** 2)) / (n_regions - 1)
    msw = float(np.sum((y - means[codes]) ** 2)) / (n - n_regions)
    k = n / n_regions
    denominator = msb + (k - 1.0) * msw
    if not denominator > 0:
        return row(note="constant scores: no variance to split between and within regions")
    icc1 = (msb - msw) / denominator
    if not msb > 0:
        return row(icc1=icc1, note="region means are identical (MSB = 0): ICC(2) is undefined")
    return row(icc1=icc1, icc2=(msb - msw) / msb)


# ----------------------------------------------------------------------- agreement
def _complete_rows(arr: np.ndarray) -> np.ndarray:
    return arr[~np.isnan(arr).any(axis=1)]


def _rwg_from_complete(x: np.ndarray, null_var: float) -> tuple[float, str]:
    """rwg(j) of complete-case rows ``x`` (respondents x items)."""
    if x.shape[0] < 2:
        return np.nan, "fewer than two complete answers: agreement is undefined"
    j = x.shape[1]
    s2 = float(np.mean(np.var(x, axis=0, ddof=1)))
    ratio = min(s2, null_var) / null_var
    value = (j * (1.0 - ratio)) / (j * (1.0 - ratio) + ratio)
    note = ""
    if s2 > null_var:
        note = "mean item variance exceeds the uniform null variance: rwg(j) set to 0"
    return value, note


def _ad_from_complete(x: np.ndarray) -> tuple[float, str]:
    """Average deviation around the item means of complete-case rows ``x``."""
    if x.shape[0] < 2:
        return np.nan, "fewer than two complete answers: agreement is undefined"
    return float(np.mean(np.mean(np.abs(x - x.mean(axis=0)), axis=0))), ""


def rwg_j(items, scale_points) -> pd.DataFrame:
    """Within-group agreement rwg(j) of one group on a multi-item scale.

    Parameters
    ----------
    items : pandas.DataFrame or array-like, shape (respondents, items)
        The answers of one group (one region) to the items of one construct, reverse
        keys already applied. Only respondents who answered every item are used.
    scale_points : int
        Number of response options :math:`A` of the items' scale (5 for a
        five-point scale).

    Returns
    -------
    pandas.DataFrame
        One row with the columns of :data:`RWG_COLUMNS`: ``n`` (complete answers
        used), ``rwg_j`` and ``note`` (empty, or why the value is NaN or 0).

    Notes
    -----
    With :math:`J` items, :math:`\\bar s^2` the mean of the item variances
    (denominator :math:`n - 1`) and the variance of the uniform (no agreement)
    null distribution :math:`\\sigma^2_E = (A^2 - 1)/12`,

    .. math::

        r_{wg(J)} = \\frac{J (1 - \\bar s^2 / \\sigma^2_E)}
                         {J (1 - \\bar s^2 / \\sigma^2_E) + \\bar s^2 / \\sigma^2_E},

    where :math:`\\bar s^2` is replaced by :math:`\\sigma^2_E` (so that
    :math:`r_{wg(J)} = 0`) when it exceeds it, exactly as ``multilevel::rwg.j``
    (and ``multilevel::rwg`` for one item) does. Fewer than two complete answers
    give NaN.

    References
    ----------
    James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group
    interrater reliability with and without response bias. *Journal of Applied
    Psychology*, 69(1), 85-98.

    Examples
    --------
    >>> import pandas as pd
    >>> from folge.statistics.aggregation import rwg_j
    >>> float(rwg_j([[4], [4], [5], [4], [3]], scale_points=5).loc[0, "rwg_j"])
    0.75
    >>> items = {"x1": [4, 4, 5, 4, 3], "x2": [4, 5, 4, 4, 3]}
    >>> round(float(rwg_j(pd.DataFrame(items), scale_points=5).loc[0, "rwg_j"]), 7)
    0.8571429
    """
    null_var = _null_variance(scale_points)
    arr, _ = _item_matrix(items)
    x = _complete_rows(arr)
    value, note = _rwg_from_complete(x, null_var)
    return pd.DataFrame([[int(x.shape[0]), value, note]], columns=list(RWG_COLUMNS)).astype(
        {"n": "int64", "rwg_j": "float64"}
    )


def average_deviation(items) -> pd.DataFrame:
    """Average deviation (AD) index of agreement of one group, averaged over items.

    Parameters
    ----------
    items : pandas.DataFrame or array-like, shape (respondents, items)
        The answers of one group to the items of one construct, reverse keys
        applied. Only respondents who answered every item are used.

    Returns
    -------
    pandas.DataFrame
        One row with the columns of :data:`AD_COLUMNS`: ``n`` (complete answers
        used), ``ad`` (in the units of the response scale; 0 is perfect agreement)
        and ``note`` (empty, or why ``ad`` is NaN).

    Notes
    -----
    For item :math:`k` with answers :math:`x_{1k}, \\dots, x_{nk}` and mean
    :math:`\\bar x_k`, :math:`AD_k = \\frac1n \\sum_i |x_{ik} - \\bar x_k|`; the
    index is the mean of :math:`AD_k` over the :math:`J` items. This is
    ``multilevel::ad.m(x, grpid, type = "mean")``. Fewer than two complete answers
    give NaN. A common rule of thumb takes :math:`AD \\le A/6` as agreement on an
    :math:`A`-point scale (Burke & Dunlap 2002).

    References
    ----------
    Burke, M. J., Finkelstein, L. M., & Dusig, M. S. (1999). On average deviation
    indices for estimating interrater agreement. *Organizational Research Methods*,
    2(1), 49-68.

    Burke, M. J., & Dunlap, W. P. (2002). Estimating interrater agreement with the
    average deviation index: A user's guide. *Organizational Research Methods*,
    5(2), 159-172.

    Examples
    --------
    >>> from folge.statistics.aggregation import average_deviation
    >>> round(float(average_deviation([4, 4, 5, 4, 3]).loc[0, "ad"]), 6)
    0.4
    """
    arr, _ = _item_matrix(items)
    x = _complete_rows(arr)
    value, note = _ad_from_complete(x)
    return pd.DataFrame([[int(x.shape[0]), value, note]], columns=list(AD_COLUMNS)).astype(
        {"n": "int64", "ad": "float64"}
    )


def agreement(items, groups, scale_points) -> pd.DataFrame:
    """Agreement within every region: mean score, SD, rwg(j) and AD.

    Parameters
    ----------
    items : pandas.DataFrame or array-like, shape (respondents, items)
        Answers to the items of one construct, reverse keys applied.
    groups : array-like
        The region of each respondent (one label per row of ``items``).
    scale_points : int
        Number of response options of the items' scale.

    Returns
    -------
    pandas.DataFrame
        One row per region (sorted by region) with the columns of
        :data:`AGREEMENT_COLUMNS`:

        ``region``
            the region label;
        ``n``
            respondents in the region who answered every item;
        ``mean``, ``sd``
            mean and standard deviation (denominator :math:`n - 1`) of those
            respondents' mean item score;
        ``rwg_j``
            :func:`rwg_j` of the region;
        ``ad``
            :func:`average_deviation` of the region;
        ``note``
            empty, or why a value is NaN or set to 0.

    Notes
    -----
    Complete cases only, as ``multilevel::rwg.j`` and ``multilevel::ad.m`` (which
    drop any row with a missing answer before splitting by group). Regions whose
    respondents all have a missing answer are left out. See :func:`rwg_j` and
    :func:`average_deviation` for the formulas.

    References
    ----------
    James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group
    interrater reliability with and without response bias. *Journal of Applied
    Psychology*, 69(1), 85-98.

    Bliese, P. D. (2022). *Multilevel modeling in R*, version 2.7. R package
    ``multilevel`` vignette.

    Examples
    --------
    >>> import pandas as pd
    >>> from folge.statistics.aggregation import agreement
    >>> items = pd.DataFrame({"x1": [4, 4, 5, 4, 3, 1, 5], "x2": [4, 5, 4, 4, 3, 2, 5]})
    >>> res = agreement(items, ["a", "a", "a", "a", "a", "b", "b"], scale_points=5)
    >>> res[["region", "n"]].values.tolist()
    [['a', 5], ['b', 2]]
    >>> [round(v, 7) for v in res["rwg_j"]]
    [0.8571429, 0.0]
    """
    null_var = _null_variance(scale_points)
    arr, _ = _item_matrix(items)
    g = _group_vector(groups, "groups", arr.shape[0])
    keep = ~np.isnan(arr).any(axis=1) & g.notna().to_numpy()
    arr = arr[keep]
    g = g[keep].reset_index(drop=True)
    codes, uniques = pd.factorize(g, sort=True)
    # rows of each region in their original order, found once (not one scan per region)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    rows = []
    for code, region in enumerate(uniques):
        x = arr[order[bounds[code]:bounds[code + 1]]]
        score = x.mean(axis=1)
        n = int(x.shape[0])
        sd = float(np.std(score, ddof=1)) if n > 1 else np.nan
        rwg, rwg_note = _rwg_from_complete(x, null_var)
        ad, ad_note = _ad_from_complete(x)
        note = "; ".join(dict.fromkeys(m for m in (rwg_note, ad_note) if m))
        rows.append([region, n, float(score.mean()), sd, rwg, ad, note])
    out = pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS))
    return out.astype({"n": "int64", "mean": "float64", "sd": "float64", "rwg_j": "float64", "ad": "float64"})
