"""Item answers ready for statistics: missing codes as NaN, reverse-keyed items flipped."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..definitions import Construct

__all__ = ["numeric_answers", "keyed_items"]


def numeric_answers(construct: Construct, responses: pd.DataFrame) -> pd.DataFrame:
    """The construct's item columns as floats, with missing codes and blanks as NaN.

    Values outside the scale cannot reach the store (ingest quarantines them); any that
    do are treated as missing too, so a statistic never sees a code as a number.
    """
    out = {}
    for item in construct.items:
        if item.id not in responses:
            out[item.id] = np.full(len(responses), np.nan)
            continue
        column = responses[item.id]
        if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
            values = column.to_numpy(dtype="float64", na_value=np.nan)
        else:
            values = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        # a handful of scale values: a comparison per value beats a hash lookup per answer
        valid = np.zeros(values.shape, dtype=bool)
        for value in item.scale.values:
            valid |= values == value
        out[item.id] = np.where(valid, values, np.nan)
    return pd.DataFrame(out, index=responses.index)


def keyed_items(construct: Construct, responses: pd.DataFrame) -> pd.DataFrame:
    """:func:`numeric_answers` with reverse-keyed items flipped as (min + max) − x.

    Examples
    --------
    >>> from folge.definitions import Construct, Item, Scale, Text
    >>> s = Scale("agree5", "ordinal", (1, 2, 3, 4, 5), missing={9: Text({"nb": "Vet ikke"})})
    >>> items = tuple(Item(i, "x", "c", s, Text(), n, reverse=(i == "b")) for n, i in enumerate("ab"))
    >>> c = Construct("c", "x", "scale", Text(), items)
    >>> keyed_items(c, pd.DataFrame({"a": [1, 9], "b": [1, 4]}))
         a    b
    0  1.0  5.0
    1  NaN  2.0
    """
    answers = numeric_answers(construct, responses)
    for item in construct.items:
        if item.reverse:
            answers[item.id] = (item.scale.min + item.scale.max) - answers[item.id]
    return answers
