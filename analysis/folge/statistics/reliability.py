"""Internal consistency of a scale: Cronbach's alpha and classical item statistics.

Both functions take a respondents-by-items DataFrame whose negatively keyed items are
already reversed by the caller. Alpha and the item-rest statistics use respondents who
answered every item (as ``psych::alpha(na.omit(x))``); per-item counts, means and
standard deviations use every available answer.

Degenerate data (too few respondents or items, a sum score that does not vary) give
NaN with the reason in ``note``; wrong *arguments* raise ``TypeError``/``ValueError``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "ITEM_COLUMNS",
    "RELIABILITY_COLUMNS",
    "cronbach_alpha",
    "item_statistics",
]

#: Columns of :func:`cronbach_alpha`, in order.
RELIABILITY_COLUMNS = ("n", "k", "alpha", "alpha_ci_low", "alpha_ci_high", "note")

#: Columns of :func:`item_statistics`, in order.
ITEM_COLUMNS = (
    "item",
    "n",
    "mean",
    "sd",
    "r_drop",
    "alpha_if_dropped",
    "missing_share",
    "note",
)

# Relative size below which a variance counts as zero (data stored as floats).
_ZERO_VARIANCE = 1e-12


def _numeric_items(items, name: str = "items") -> pd.DataFrame:
    """Check that ``items`` is a DataFrame of numbers and return it as float64.

    Nullable integer and float columns become float64 with NaN for missing answers.
    Raises ``TypeError`` for anything that is not a DataFrame of numbers and
    ``ValueError`` for duplicated column names or infinite values.
    """
    if not isinstance(items, pd.DataFrame):
        raise TypeError(
            f"'{name}' must be a pandas DataFrame with one column per item "
            f"(got {type(items).__name__})"
        )
    if items.columns.has_duplicates:
        dupes = sorted({str(c) for c in items.columns[items.columns.duplicated()]})
        raise ValueError(f"'{name}' has duplicated column names: {', '.join(dupes)}")
    for column in items.columns:
        dtype = items[column].dtype
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
            raise TypeError(f"'{name}' must be numeric (got column {column!r} of dtype {dtype})")
    values = items.astype("float64")
    if np.isinf(values.to_numpy()).any():
        raise ValueError(f"'{name}' contains infinite values; use NaN for a missing answer")
    values.columns = [str(c) for c in values.columns]
    return values


def _check_ci(ci) -> float:
    if isinstance(ci, bool) or not isinstance(ci, (int, float, np.floating)):
        raise TypeError(f"'ci' must be a number between 0 and 1 (got {type(ci).__name__})")
    if not 0.0 < float(ci) < 1.0:
        raise ValueError(f"'ci' must lie strictly between 0 and 1 (got {ci})")
    return float(ci)


def _alpha_from_cov(cov: np.ndarray) -> float:
    """Cronbach's alpha of the items whose covariance matrix is ``cov`` (k >= 2)."""
    k = cov.shape[0]
    total = cov.sum()
    if k < 2 or not total > _ZERO_VARIANCE * max(1.0, np.abs(cov).max()):
        return np.nan
    return k / (k - 1) * (1.0 - np.trace(cov) / total)


def _constant_items(cov: np.ndarray, names) -> list[str]:
    scale = max(1.0, float(np.abs(np.diag(cov)).max())) if cov.size else 1.0
    return [name for name, var in zip(names, np.diag(cov)) if var <= _ZERO_VARIANCE * scale]


def cronbach_alpha(items: pd.DataFrame, ci: float = 0.95) -> pd.DataFrame:
    """Cronbach's alpha with Feldt's confidence interval.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per item, one row per respondent, numbers with NaN for a missing
        answer. Negatively keyed items must already be reversed.
    ci : float, default 0.95
        Coverage of the confidence interval, strictly between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        One row with the columns of :data:`RELIABILITY_COLUMNS`:

        ``n``
            respondents who answered every item (listwise complete cases);
        ``k``
            number of items;
        ``alpha``
            Cronbach's alpha on the complete cases;
        ``alpha_ci_low``, ``alpha_ci_high``
            Feldt's confidence interval;
        ``note``
            why a value is NaN, or a warning (constant item, negative alpha);
            empty when there is nothing to say.

    Notes
    -----
    With :math:`C` the covariance matrix of the :math:`k` items over the :math:`n`
    complete cases,

    .. math:: \\alpha = \\frac{k}{k-1}\\Bigl(1 - \\frac{\\operatorname{tr} C}{\\mathbf 1' C \\mathbf 1}\\Bigr).

    Feldt's interval uses that :math:`(1-\\alpha)/(1-\\hat\\alpha)` follows an
    :math:`F` distribution with :math:`n-1` and :math:`(n-1)(k-1)` degrees of freedom:

    .. math:: \\bigl[\\,1 - (1-\\hat\\alpha)F_{1-\\gamma/2},\\;
              1 - (1-\\hat\\alpha)F_{\\gamma/2}\\,\\bigr], \\qquad \\gamma = 1 - \\text{ci}.

    This matches ``psych::alpha(na.omit(x))$total$raw_alpha`` and
    ``psych::alpha.ci``. Alpha is NaN when fewer than two complete cases or two items
    remain, or when the sum score does not vary.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika*, 16, 297-334.

    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
    coefficient alpha. *Applied Psychological Measurement*, 11, 93-103.

    Examples
    --------
    >>> import pandas as pd
    >>> from folge.statistics.reliability import cronbach_alpha
    >>> items = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 3, None],
    ...                       "q2": [2, 2, 3, 5, 4, 3, 4],
    ...                       "q3": [1, 3, 3, 4, 5, 2, 5]})
    >>> res = cronbach_alpha(items)
    >>> res[["n", "k", "alpha", "alpha_ci_low", "alpha_ci_high"]].round(3)
       n  k  alpha  alpha_ci_low  alpha_ci_high
    0  6  3  0.932         0.711           0.99
    """
    level = _check_ci(ci)
    values = _numeric_items(items)
    complete = values.dropna()
    n, k = complete.shape
    notes: list[str] = []
    alpha = low = high = np.nan
    if k < 2:
        notes.append(f"fewer than 2 items ({k})")
    elif n < 2:
        notes.append(f"fewer than 2 respondents answered every item ({n})")
    else:
        cov = np.cov(complete.to_numpy(), rowvar=False)
        alpha = _alpha_from_cov(cov)
        if np.isnan(alpha):
            notes.append("the sum score does not vary (constant answers)")
        else:
            constant = _constant_items(cov, complete.columns)
            if constant:
                notes.append("constant item(s): " + ", ".join(constant))
            if alpha < 0:
                notes.append("negative alpha: check the reverse keys")
            gamma = 1.0 - level
            df1, df2 = n - 1, (n - 1) * (k - 1)
            low = 1.0 - (1.0 - alpha) * stats.f.ppf(1.0 - gamma / 2.0, df1, df2)
            high = 1.0 - (1.0 - alpha) * stats.f.ppf(gamma / 2.0, df1, df2)
    row = {
        "n": n,
        "k": k,
        "alpha": alpha,
        "alpha_ci_low": low,
        "alpha_ci_high": high,
        "note": "; ".join(notes),
    }
    out = pd.DataFrame([row], columns=list(RELIABILITY_COLUMNS))
    return out.astype({"n": "int64", "k": "int64"})


def item_statistics(items: pd.DataFrame) -> pd.DataFrame:
    """Classical item statistics: corrected item-total correlation and alpha if dropped.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per item, one row per respondent, numbers with NaN for a missing
        answer. Negatively keyed items must already be reversed.

    Returns
    -------
    pandas.DataFrame
        One row per item, in column order, with the columns of :data:`ITEM_COLUMNS`:

        ``item``
            the column name;
        ``n``, ``mean``, ``sd``
            answers, mean and standard deviation (n - 1 denominator) over every
            available answer to this item;
        ``r_drop``
            correlation of the item with the sum of the other items (complete cases);
        ``alpha_if_dropped``
            Cronbach's alpha of the other items (complete cases);
        ``missing_share``
            share of rows without an answer to this item;
        ``note``
            why a value is NaN; empty when there is nothing to say.

    Notes
    -----
    On the complete cases, with :math:`C` the item covariance matrix,
    :math:`c_{i+} = \\sum_j C_{ij}` and :math:`T = \\mathbf 1' C \\mathbf 1`,

    .. math:: r_{\\text{drop},i} = \\frac{c_{i+} - C_{ii}}
              {\\sqrt{C_{ii}\\,(T - 2c_{i+} + C_{ii})}},

    and ``alpha_if_dropped`` is Cronbach's alpha of :math:`C` without row and column
    :math:`i`. These are ``psych::alpha(na.omit(x))``'s ``item.stats$r.drop`` and
    ``alpha.drop$raw_alpha``. With two items, alpha of the single remaining item is
    undefined (NaN).

    References
    ----------
    Revelle, W. (2024). *psych: Procedures for Psychological, Psychometric, and
    Personality Research* (R package), function ``alpha``.

    Nunnally, J. C., & Bernstein, I. H. (1994). *Psychometric Theory* (3rd ed.).
    McGraw-Hill, chapter 8.

    Examples
    --------
    >>> import pandas as pd
    >>> from folge.statistics.reliability import item_statistics
    >>> items = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 3, None],
    ...                       "q2": [2, 2, 3, 5, 4, 3, 4],
    ...                       "q3": [1, 3, 3, 4, 5, 2, 5]})
    >>> item_statistics(items)[["item", "n", "r_drop", "alpha_if_dropped"]].round(3)
      item  n  r_drop  alpha_if_dropped
    0   q1  6   0.942             0.832
    1   q2  7   0.807             0.947
    2   q3  7   0.854             0.908
    """
    values = _numeric_items(items)
    names = list(values.columns)
    n_rows = len(values)
    answered = values.notna().sum()
    complete = values.dropna()
    n_complete, k = complete.shape
    cov = np.cov(complete.to_numpy(), rowvar=False).reshape(k, k) if n_complete >= 2 else None
    rows = []
    for i, name in enumerate(names):
        notes: list[str] = []
        column = values[name].dropna()
        n_i = len(column)
        mean = float(column.mean()) if n_i else np.nan
        sd = float(column.std(ddof=1)) if n_i >= 2 else np.nan
        r_drop, alpha_drop = _item_dropped(cov, i, k, n_complete, notes)
        if n_i == 0:
            notes.append("no answers")
        rows.append(
            {
                "item": name,
                "n": int(answered[name]),
                "mean": mean,
                "sd": sd,
                "r_drop": r_drop,
                "alpha_if_dropped": alpha_drop,
                "missing_share": 1.0 - n_i / n_rows if n_rows else np.nan,
                "note": "; ".join(dict.fromkeys(notes)),
            }
        )
    out = pd.DataFrame(rows, columns=list(ITEM_COLUMNS))
    return out.astype(
        {
            "n": "int64",
            "mean": "float64",
            "sd": "float64",
            "r_drop": "float64",
            "alpha_if_dropped": "float64",
            "missing_share": "float64",
        }
    )


def _item_dropped(cov, i: int, k: int, n_complete: int, notes: list[str]) -> tuple[float, float]:
    """(r_drop, alpha_if_dropped) of item ``i`` from the complete-case covariance ``cov``.

    ``cov`` is ``None`` when fewer than two respondents answered every item; why a value
    is NaN is appended to ``notes``.
    """
    r_drop = alpha_drop = np.nan
    if k < 2:
        notes.append(f"fewer than 2 items ({k})")
        return r_drop, alpha_drop
    if cov is None:
        notes.append(f"fewer than 2 respondents answered every item ({n_complete})")
        return r_drop, alpha_drop
    row_sum = cov[i].sum()
    rest_var = cov.sum() - 2.0 * row_sum + cov[i, i]
    scale = max(1.0, float(np.abs(cov).max()))
    if cov[i, i] <= _ZERO_VARIANCE * scale:
        notes.append("constant item")
    elif rest_var <= _ZERO_VARIANCE * scale:
        notes.append("the sum of the other items does not vary")
    else:
        r_drop = (row_sum - cov[i, i]) / np.sqrt(cov[i, i] * rest_var)
    if k == 2:
        notes.append("alpha of a single remaining item is undefined")
    else:
        keep = [j for j in range(k) if j != i]
        alpha_drop = _alpha_from_cov(cov[np.ix_(keep, keep)])
        if np.isnan(alpha_drop):
            notes.append("the sum of the other items does not vary")
    return r_drop, alpha_drop
