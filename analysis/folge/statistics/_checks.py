"""Argument checks shared by the statistics (wrong *arguments* raise; degenerate *data* do not)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["numeric_vector"]


def numeric_vector(values, name: str) -> np.ndarray:
    """``values`` as a 1-D float array with missing values as NaN, or a clear error.

    Raises
    ------
    TypeError
        For a DataFrame, or for values that are not numbers (booleans included).
    ValueError
        For an array of more than one dimension.

    Examples
    --------
    >>> numeric_vector(pd.Series([1, None, 3], dtype="Int64"), "x")
    array([ 1., nan,  3.])
    >>> numeric_vector(["a"], "x")
    Traceback (most recent call last):
    TypeError: 'x' must be numeric (got dtype <U1)
    """
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"'{name}' must be one-dimensional (got a DataFrame)")
    if isinstance(values, pd.Series):
        if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
            raise TypeError(f"'{name}' must be numeric (got dtype {values.dtype})")
        return values.to_numpy(dtype=float, na_value=np.nan)
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"'{name}' must be one-dimensional (got {arr.ndim} dimensions)")
    if arr.size and arr.dtype.kind not in "iuf":
        raise TypeError(f"'{name}' must be numeric (got dtype {arr.dtype})")
    return arr.astype(float)
