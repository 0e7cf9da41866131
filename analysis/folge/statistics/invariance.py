"""Measurement invariance across groups (waves): configural, metric and scalar models."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scipy.stats import chi2 as chi2_dist

from folge.statistics.cfa import _fit_prepared, _parse_model, _prepare
from folge.statistics.reliability import _numeric_items
from folge.statistics.wlsmv import invariance_holds

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
    "delta_rmsea",
    "chi2_diff",
    "df_diff",
    "p_diff",
    "holds",
    "note",
)

#: The nested models, in order, with the parameters each holds equal across groups.
INVARIANCE_MODELS = (
    ("configural", ()),
    ("metric", ("loadings",)),
    ("scalar", ("loadings", "intercepts")),
)

#: Largest drop in CFI against the previous model that counts as trivial (Cheung &
#: Rensvold 2002); the gate closes only when the drop is also significant
#: (:func:`folge.statistics.wlsmv.invariance_holds`).
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
        :func:`folge.statistics.cfa.cfa_fit`), ``delta_cfi`` and ``delta_rmsea`` (this
        model's CFI and RMSEA minus the previous model's: a worse fit gives
        ``delta_cfi < 0``, ``delta_rmsea > 0``), ``chi2_diff``, ``df_diff``, ``p_diff``
        (the likelihood-ratio test against the previous model), ``holds`` (nullable
        boolean for metric and scalar, missing for configural or when either model has
        no fit) and ``note`` (why values are NaN, non-convergence, negative residual
        variances).

    Notes
    -----
    Multi-group ML CFA with a mean structure, the first loading of each factor fixed
    to 1, as ``lavaan::cfa_fit(model, data, group = g)`` with ``group.equal`` unset
    (configural), ``"loadings"`` (metric) and ``c("loadings", "intercepts")``
    (scalar, latent means free from the second group on). The difference test is
    ``lavTestLRT(previous, model)`` for ML: χ²_d = χ²_model − χ²_previous on
    df_model − df_previous degrees of freedom. Invariance fails only when the
    difference is both significant and large enough to matter:

    .. math:: \\text{holds} = \\lnot\\bigl(p_d < .05 \\wedge (\\Delta\\mathrm{CFI} < -.01
              \\vee \\Delta\\mathrm{RMSEA} > .015)\\bigr)

    (Cheung & Rensvold 2002; Chen 2007 for ΔRMSEA).

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

    Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement
    invariance. *Structural Equation Modeling*, 14, 464-504.

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
    complete = values.notna().all(axis=1) & group.notna()
    n_groups = int(group[complete].nunique())
    # the complete cases and per-group moments are the same for the three models
    prepared = _prepare(values, model, group=group) if n_groups >= 2 else None
    rows, previous = [], None
    for name, equal in INVARIANCE_MODELS:
        row = _empty_row(name)
        if n_groups < 2:
            row.update(n=int(complete.sum()), n_groups=n_groups,
                       note=f"fewer than 2 groups with complete answers ({n_groups})")
            rows.append(row)
            continue
        result = _fit_prepared(prepared, frozenset(equal))
        row.update(n=result.n, n_groups=result.n_groups, note=result.note)
        if result.valid and result.converged:
            row.update(chi2=result.chi2, df=result.df, cfi=result.cfi, rmsea=result.rmsea, srmr=result.srmr)
            if previous is not None:
                row.update(_compared(row, previous))
        elif result.valid:
            row["note"] = result.note or "the estimation did not converge"
        previous = row if np.isfinite(row["chi2"]) else None
        rows.append(row)
    return _invariance_frame(rows)


def _empty_row(name: str) -> dict:
    return {"model": name, "chi2": np.nan, "df": pd.NA, "cfi": np.nan, "rmsea": np.nan, "srmr": np.nan,
            "delta_cfi": np.nan, "delta_rmsea": np.nan, "chi2_diff": np.nan, "df_diff": pd.NA,
            "p_diff": np.nan, "holds": pd.NA}


def _compared(row: dict, previous: dict) -> dict:
    """Deltas, the likelihood-ratio difference test and the verdict against ``previous``."""
    delta_cfi = row["cfi"] - previous["cfi"]
    delta_rmsea = row["rmsea"] - previous["rmsea"]
    chi2_diff = max(row["chi2"] - previous["chi2"], 0.0)
    df_diff = int(row["df"]) - int(previous["df"])
    p_diff = float(chi2_dist.sf(chi2_diff, df_diff)) if df_diff > 0 else np.nan
    return {"delta_cfi": delta_cfi, "delta_rmsea": delta_rmsea, "chi2_diff": chi2_diff,
            "df_diff": df_diff, "p_diff": p_diff, "holds": invariance_holds(p_diff, delta_cfi, delta_rmsea)}


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
            "delta_rmsea": "float64",
            "chi2_diff": "float64",
            "df_diff": "Int64",
            "p_diff": "float64",
            "holds": "boolean",
        }
    )
