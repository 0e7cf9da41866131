"""Integer codes of values against a fixed list of labels (one place for the recoding)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["codes_in"]


def codes_in(column: pd.Series, categories) -> np.ndarray:
    """Position of each value of ``column`` in ``categories`` (unique labels); −1 where a
    value is missing or not one of them.

    A categorical column is recoded through its categories (no hashing of the values);
    anything else is looked up in an index of ``categories``.

    Examples
    --------
    >>> codes_in(pd.Series(["b", "x", "a", None]), ["a", "b"]).tolist()
    [1, -1, 0, -1]
    >>> codes_in(pd.Series(["b", "a"], dtype="category"), ["a", "b"]).tolist()
    [1, 0]
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.set_categories(list(categories)).cat.codes.to_numpy(dtype=np.intp)
    return pd.Index(categories).get_indexer(column).astype(np.intp)
