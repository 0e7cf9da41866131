"""McDonald's omega total from a one-factor maximum likelihood CFA."""

from __future__ import annotations

import numpy as np
import pandas as pd

from folge.statistics.cfa import _fit
from folge.statistics.reliability import _numeric_items

__all__ = ["OMEGA_COLUMNS", "mcdonald_omega"]

#: Columns of :func:`mcdonald_omega`, in order.
OMEGA_COLUMNS = ("n", "k", "omega", "note")


def mcdonald_omega(items: pd.DataFrame) -> pd.DataFrame:
    """McDonald's omega total of a unidimensional scale.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per item, one row per respondent, numbers with NaN for a missing
        answer. Negatively keyed items must already be reversed.

    Returns
    -------
    pandas.DataFrame
        One row with the columns of :data:`OMEGA_COLUMNS`: ``n`` (respondents who
        answered every item), ``k`` (items), ``omega`` and ``note`` (why omega is
        NaN, or a warning such as a negative residual variance; empty otherwise).

    Notes
    -----
    A one-factor model with the factor variance fixed to 1 is fitted by maximum
    likelihood to the complete cases (:func:`folge.statistics.cfa.cfa_fit` with
    ``std_lv=True``); with loadings :math:`\\lambda_i`, factor variance
    :math:`\\phi = 1` and residual variances :math:`\\theta_i`,

    .. math:: \\omega = \\frac{(\\sum_i \\lambda_i)^2 \\phi}
              {(\\sum_i \\lambda_i)^2 \\phi + \\sum_i \\theta_i},

    the model-implied share of true-score variance in the sum score. This is
    ``semTools::compRelSEM(fit, obs.var = FALSE)`` for
    ``fit <- lavaan::cfa_fit(model, data, std.lv = TRUE)``. Omega is NaN when fewer than
    three items or too few complete cases (items + 1) remain, when an item is
    constant, the covariance matrix is singular, or the estimation does not
    converge. A negative residual variance is kept and flagged in ``note``.

    References
    ----------
    McDonald, R. P. (1999). *Test Theory: A Unified Treatment*. Lawrence Erlbaum,
    chapter 6.

    Raykov, T. (1997). Estimation of composite reliability for congeneric measures.
    *Applied Psychological Measurement*, 21, 173-184.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from folge.statistics.omega import mcdonald_omega
    >>> rng = np.random.default_rng(7)
    >>> eta = rng.normal(size=500)
    >>> items = pd.DataFrame({f"q{i}": 0.8 * eta + rng.normal(scale=0.6, size=500)
    ...                       for i in range(1, 5)})
    >>> res = mcdonald_omega(items)
    >>> res[["n", "k"]]
         n  k
    0  500  4
    >>> round(float(res.loc[0, "omega"]), 1)
    0.9
    """
    values = _numeric_items(items)
    k = values.shape[1]
    omega = np.nan
    if k < 3:
        note = f"fewer than 3 items ({k}): a one-factor model is not identified"
        n = int(values.notna().all(axis=1).sum())
    else:
        result = _fit(values, {"f": list(values.columns)}, std_lv=True)
        n = result.n
        note = result.note
        if result.valid and result.converged:
            lam, phi, resid, _, _ = result.model.matrices(result.theta, 0)
            true_part = lam[:, 0].sum() ** 2 * phi[0, 0]
            omega = float(true_part / (true_part + resid.sum()))
    out = pd.DataFrame(
        [{"n": n, "k": k, "omega": omega, "note": note}], columns=list(OMEGA_COLUMNS)
    )
    return out.astype({"n": "int64", "k": "int64", "omega": "float64"})
