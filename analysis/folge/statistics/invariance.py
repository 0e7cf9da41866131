"""Measurement invariance across groups (waves): configural, metric and scalar models."""

from __future__ import annotations

import numpy as np
import pandas as pd

from folge.statistics.cfa import _fit_prepared, _parse_model, _prepare
from folge.statistics.reliability import _numeric_items

__all__ = ["DELTA_CFI", "INVARIANCE_COLUMNS", "INVARIANCE_MODELS", "measurement_invariance"]

#: Columns of :func:`measurement_invariance`, in order.
INVARIANCE_COLUMNS = (
    "model",
    "n",
    "n_groups",
    "chi2",
    "df",
    "cfi",
    "rmsea",
    "srmr",
    "delta_cfi",
    "holds",
    "note",
)

#: The nested models, in order, with the parameters each holds equal across groups.
INVARIANCE_MODELS = (
    ("configural", ()),
    ("metric", ("loadings",)),
    ("scalar", ("loadings", "intercepts")),
)

#: Largest drop in CFI against the previous model for which invariance still holds
#: (Cheung & Rensvold 2002).
DELTA_CFI = 0.01


def _aligned_group(group, values: pd.DataFrame) -> pd.Series:
    """``group`` checked and aligned with the rows of ``values`` by index."""
    if not isinstance(group, pd.Series):
        raise TypeError(f"'group' must be a pandas Series (got {type(group).__name__})")
    if len(group) != len(values) and not values.index.isin(group.index).all():
        raise ValueError(
            f"'group' must give a group for every row of 'items' "
            f"(got {len(group)} entries for {len(values)} rows)"
        )
    if not group.index.equals(values.index):
        if group.index.has_duplicates or not values.index.isin(group.index).all():
            raise ValueError("'group' must be aligned with 'items' by index")
        group = group.reindex(values.index)
    return group


def measurement_invariance(items: pd.DataFrame, group: pd.Series, *, model=None) -> pd.DataFrame:
    """Test configural, metric and scalar invariance of a scale across groups.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per item, one row per respondent, numbers with NaN for a missing
        answer. Negatively keyed items must already be reversed. Only respondents
        who answered every item (and have a group) are used.
    group : pandas.Series
        Group of each respondent (typically the wave), aligned with ``items`` by
        index. Groups are ordered by their sorted labels (categories for a
        categorical Series); the first is the reference group for latent means.
    model : mapping of str to list of str, optional
        Factor name to items for a multi-factor model (first item of each factor is
        the marker). Default: one factor over every column of ``items``.

    Returns
    -------
    pandas.DataFrame
        Three rows, ``model`` = ``configural``, ``metric``, ``scalar``, with the
        columns of :data:`INVARIANCE_COLUMNS`: ``n`` (complete cases), ``n_groups``,
        ``chi2``, ``df``, ``cfi``, ``rmsea``, ``srmr`` (lavaan's definitions, see
        :func:`folge.statistics.cfa.cfa_fit`), ``delta_cfi`` (CFI of the previous model
        minus this model's), ``holds`` (nullable boolean: ``delta_cfi <= 0.01`` for
        metric and scalar, missing for configural or when a CFI is missing) and
        ``note`` (why values are NaN, non-convergence, negative residual variances).

    Notes
    -----
    Multi-group ML CFA with a mean structure, the first loading of each factor fixed
    to 1, as ``lavaan::cfa_fit(model, data, group = g)`` with ``group.equal`` unset
    (configural), ``"loadings"`` (metric) and ``c("loadings", "intercepts")``
    (scalar, latent means free from the second group on). Invariance of a model is
    accepted when

    .. math:: \\Delta\\mathrm{CFI} = \\mathrm{CFI}_{\\text{previous}} -
              \\mathrm{CFI}_{\\text{model}} \\le 0.01 .

    The RMSEA of a multi-group model is lavaan's, multiplied by :math:`\\sqrt{G}`.
    Degenerate data (fewer than two groups, fewer than three items, a group with
    fewer complete cases than items + 1, a constant item or a singular covariance
    matrix within a group) give NaN with the reason in ``note``; a model whose
    estimation does not converge gives NaN too.

    References
    ----------
    Meredith, W. (1993). Measurement invariance, factor analysis and factorial
    invariance. *Psychometrika*, 58, 525-543.

    Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for
    testing measurement invariance. *Structural Equation Modeling*, 9, 233-255.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from folge.statistics.invariance import measurement_invariance
    >>> rng = np.random.default_rng(3)
    >>> eta = rng.normal(size=600)
    >>> items = pd.DataFrame({f"q{i}": l * eta + rng.normal(scale=0.6, size=600)
    ...                       for i, l in enumerate([1.0, 0.8, 0.9, 0.7], start=1)})
    >>> wave = pd.Series(np.repeat(["2015", "2017"], 300))
    >>> res = measurement_invariance(items, wave)
    >>> res[["model", "n", "n_groups", "df", "holds"]]
            model    n  n_groups  df  holds
    0  configural  600         2   4   <NA>
    1      metric  600         2   7   True
    2      scalar  600         2  10   True
    """
    values = _numeric_items(items)
    group = _aligned_group(group, values)
    if model is None:
        model = {"f": list(values.columns)}
    _parse_model(model, values.columns)  # wrong arguments raise before any data check
    rows = []
    previous_cfi = np.nan
    complete = values.notna().all(axis=1) & group.notna()
    n_groups = int(group[complete].nunique())
    # the complete cases and per-group moments are the same for the three models
    prepared = _prepare(values, model, group=group) if n_groups >= 2 else None
    for name, equal in INVARIANCE_MODELS:
        row = {
            "model": name,
            "chi2": np.nan,
            "df": pd.NA,
            "cfi": np.nan,
            "rmsea": np.nan,
            "srmr": np.nan,
            "delta_cfi": np.nan,
            "holds": pd.NA,
        }
        if n_groups < 2:
            row.update(
                n=int(complete.sum()),
                n_groups=n_groups,
                note=f"fewer than 2 groups with complete answers ({n_groups})",
            )
            rows.append(row)
            continue
        result = _fit_prepared(prepared, frozenset(equal))
        row.update(n=result.n, n_groups=result.n_groups, note=result.note)
        if result.valid and result.converged:
            row.update(
                chi2=result.chi2, df=result.df, cfi=result.cfi, rmsea=result.rmsea, srmr=result.srmr
            )
            if name != "configural" and not np.isnan(previous_cfi):
                delta = previous_cfi - result.cfi
                row.update(delta_cfi=delta, holds=bool(delta <= DELTA_CFI))
        elif result.valid:
            row["note"] = result.note or "the estimation did not converge"
        previous_cfi = row["cfi"]
        rows.append(row)
    return _invariance_frame(rows)


def _invariance_frame(rows: list[dict]) -> pd.DataFrame:
    """The rows as a table with :data:`INVARIANCE_COLUMNS` and their dtypes."""
    out = pd.DataFrame(rows, columns=list(INVARIANCE_COLUMNS))
    return out.astype(
        {
            "n": "int64",
            "n_groups": "int64",
            "df": "Int64",
            "chi2": "float64",
            "cfi": "float64",
            "rmsea": "float64",
            "srmr": "float64",
            "delta_cfi": "float64",
            "holds": "boolean",
        }
    )
