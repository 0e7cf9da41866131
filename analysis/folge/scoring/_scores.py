"""Construct scores per respondent (or per region for region-level instruments)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..definitions import Construct, Instrument
from ._keyed import keyed_items

__all__ = ["SCORE_COLUMNS", "required_items", "score_construct", "score_instrument"]

#: Columns of ``scores.csv`` (the result contract, ``analysis/ARCHITECTURE.md``), in order.
SCORE_COLUMNS = ("respondent", "region", "wave", "role", "construct", "score", "n_items")
_ID_COLUMNS = ("respondent", "region", "wave", "role")


def required_items(k: int, min_share: float) -> int:
    """How many of ``k`` items must be answered for a score.

    ``ceil(min_share · k)``, with the product rounded to two decimals first so that a
    setting written as 0.667 means two thirds (2 of 3, 4 of 6).

    >>> [required_items(k, 0.667) for k in (3, 4, 5, 6)]
    [2, 3, 4, 4]
    """
    return max(1, math.ceil(round(min_share * k, 2) - 1e-9))


def score_construct(construct: Construct, responses: pd.DataFrame, min_share: float = 2 / 3) -> pd.DataFrame:
    """Score one construct for every row of ``responses``.

    Parameters
    ----------
    construct : Construct
        A ``scale`` or ``index`` construct (``text`` constructs are not scored).
    responses : DataFrame
        Wide answers as the store gives them: ``respondent, region, wave, role`` and one
        column per item (scale values and missing codes).
    min_share : float
        Share of the construct's items that must be answered (see :func:`required_items`).

    Returns
    -------
    DataFrame
        Columns :data:`SCORE_COLUMNS`; ``score`` is NaN where too few items were answered.

    Notes
    -----
    A ``scale`` score is the mean of the answered items after reverse keys,
    x̄ = Σ xᵢ / m over the m answered items. An ``index`` score is the share of answered
    items that are positive: 1 on a yes/no item, above the midpoint on an ordinal item.
    """
    if construct.kind == "text":
        raise ValueError(f"'construct' must be a scale or an index (got text construct '{construct.id}')")
    keyed = keyed_items(construct, responses)
    answered = keyed.notna().sum(axis=1)
    if construct.kind == "index":
        scale = construct.scale
        cut = 0.5 if scale.type == "binary" else (scale.min + scale.max) / 2
        positive = keyed.gt(cut).where(keyed.notna())
        score = positive.astype("float64").mean(axis=1)
    else:
        score = keyed.mean(axis=1)
    need = required_items(len(construct.items), min_share)
    score = score.where(answered >= need)
    out = pd.DataFrame({col: responses[col] if col in responses else pd.NA for col in _ID_COLUMNS},
                       index=responses.index)
    out["construct"] = construct.id
    out["score"] = score.astype("float64")
    out["n_items"] = answered.astype("int64")
    return out.loc[:, list(SCORE_COLUMNS)].reset_index(drop=True)


def score_instrument(instrument: Instrument, responses: pd.DataFrame, min_share: float = 2 / 3) -> pd.DataFrame:
    """Scores of every scale and index construct of ``instrument``, stacked (long form).

    ``construct`` is categorical (categories sorted), as are id columns that are
    categorical in ``responses``: the table has one row per respondent and construct,
    and repeating strings that often is what would make it slow.
    """
    constructs = [c for c in instrument.constructs if c.kind != "text"]
    parts = [score_construct(c, responses, min_share).drop(columns="construct") for c in constructs]
    if not parts:
        return pd.DataFrame(columns=list(SCORE_COLUMNS))
    out = pd.concat(parts, ignore_index=True)
    ids = sorted(c.id for c in constructs)
    rank = np.array([ids.index(c.id) for c in constructs], dtype=np.int32)
    codes = np.repeat(rank, [len(p) for p in parts])
    out.insert(SCORE_COLUMNS.index("construct"), "construct", pd.Categorical.from_codes(codes, ids))
    return out
