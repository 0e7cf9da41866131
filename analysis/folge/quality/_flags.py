"""The three flags, each a function returning rows of :data:`FLAG_COLUMNS`.

Straight-lining
    Every item of a multi-item page (a construct: the web form shows one per page) answered
    with the same scale value. Only pages with at least ``min_items`` items, all answered
    with a scale value (a missing code such as "don't know" breaks the line), are judged;
    with reverse-keyed items on the page the same raw answer is also self-contradictory.
    (Herzog & Bachman 1981; Kim, Dykema, Stevenson, Black & Moberg 2019, Social Science
    Computer Review 37(2).)
Speeding
    Web answers given faster than ``min_seconds_per_item``: the seconds spent on the pages
    of one questionnaire divided by the items answered there (Zhang & Conrad 2014, Survey
    Research Methods 8(2), who use a per-item reading-time threshold).
Duplicate submissions
    One invitation (token) or respondent submitting a wave's questionnaire more than once,
    and, separately, different respondents of one wave with identical answers on at least
    ``min_items`` answered items (a person answering twice through two links).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..definitions import Instrument
from ..scoring import numeric_answers

__all__ = ["FLAG_COLUMNS", "straight_lining", "speeding", "duplicate_submissions", "identical_answers",
           "quality_table", "flagged_keys"]

#: Columns of every flag table and of ``results/quality.csv``: who and where, which flag,
#: the unit judged (a construct, a questionnaire), the value found and the threshold used.
FLAG_COLUMNS = ("respondent", "region", "wave", "role", "instrument", "flag", "unit", "value", "threshold")
_KEYS = ("respondent", "region", "wave", "role")


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="string") for c in FLAG_COLUMNS})
    return frame.astype({"value": "float64", "threshold": "float64"})


def _pick(value, mask: np.ndarray):
    """A scalar as it is, else the masked entries of an array-like aligned with the source rows."""
    return value if np.ndim(value) == 0 else np.asarray(value, dtype=object)[mask]


def _rows(source: pd.DataFrame, mask, *, instrument, flag: str, unit, value, threshold) -> pd.DataFrame:
    """Flag rows for the rows of ``source`` where ``mask`` is true; the other arguments are
    scalars or arrays aligned with ``source``."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return _empty()
    picked = source.loc[mask, list(_KEYS)].astype("string").reset_index(drop=True)
    picked["instrument"] = _pick(instrument, mask)
    picked["flag"] = flag
    picked["unit"] = _pick(unit, mask)
    picked["value"] = _pick(value, mask)
    picked["threshold"] = threshold
    types = {c: "string" for c in ("instrument", "flag", "unit")} | {"value": "float64", "threshold": "float64"}
    return picked.astype(types)[list(FLAG_COLUMNS)]


def straight_lining(responses: pd.DataFrame, instrument: Instrument, *, min_items: int = 3) -> pd.DataFrame:
    """Rows whose answers to every item of a construct are one and the same scale value.

    Parameters
    ----------
    responses
        One instrument's answers, wide (``respondent, region, wave, role`` and item columns),
        as :meth:`folge.store.Store.responses` returns them.
    instrument
        The instrument; its numeric constructs with at least ``min_items`` items are judged.
    min_items
        Fewest items a page needs before identical answers count as a line (default 3).

    Returns
    -------
    DataFrame
        :data:`FLAG_COLUMNS`; ``flag`` is ``straight-lining``, ``unit`` the construct,
        ``value`` the repeated answer, ``threshold`` the number of items on the page.

    Examples
    --------
    >>> from folge.definitions import Construct, Instrument, Item, Scale, Text
    >>> s = Scale("a5", "ordinal", (1, 2, 3, 4, 5), missing={9: Text({"nb": "Vet ikke"})})
    >>> items = tuple(Item(i, "x", "c", s, Text(), n) for n, i in enumerate(["a", "b", "c"]))
    >>> inst = Instrument("x", 1, "respondent", Text(), (Construct("c", "x", "scale", Text(), items),))
    >>> answers = pd.DataFrame({"respondent": ["r1", "r2", "r3"], "region": "k", "wave": "1", "role": "p",
    ...                         "a": [4, 4, 9], "b": [4, 3, 9], "c": [4, 4, 9]})
    >>> straight_lining(answers, inst)[["respondent", "unit", "value"]]
      respondent unit  value
    0         r1    c    4.0
    """
    if not isinstance(min_items, int) or min_items < 2:
        raise ValueError(f"'min_items' must be a whole number of at least 2 (got {min_items!r})")
    parts = []
    for construct in instrument.constructs:
        if len(construct.items) < min_items or not construct.scale.is_numeric:
            continue
        values = numeric_answers(construct, responses).to_numpy()
        complete = ~np.isnan(values).any(axis=1)
        same = complete & (values == values[:, :1]).all(axis=1)
        if same.any():
            parts.append(_rows(responses, same, instrument=instrument.id, flag="straight-lining",
                               unit=construct.id, value=values[:, 0], threshold=len(construct.items)))
    return pd.concat(parts, ignore_index=True) if parts else _empty()


def speeding(page_times: pd.DataFrame, *, min_seconds_per_item: float) -> pd.DataFrame:
    """Questionnaires answered faster than ``min_seconds_per_item`` seconds per answered item.

    Parameters
    ----------
    page_times
        One row per page a respondent saved: ``respondent, region, wave, role, instrument``,
        ``items`` (items answered on the page) and ``seconds`` (from showing the page to
        saving it), as the web form records them.
    min_seconds_per_item
        ``settings.min_seconds_per_item`` (must be above 0).

    Returns
    -------
    DataFrame
        :data:`FLAG_COLUMNS`; ``flag`` is ``speeding``, ``unit`` the instrument, ``value``
        the seconds per item: Σ seconds / Σ items over the questionnaire's pages.

    Examples
    --------
    >>> times = pd.DataFrame({"respondent": ["r1", "r1", "r2"], "region": "k", "wave": "1", "role": "p",
    ...                       "instrument": "x", "items": [10, 10, 10], "seconds": [12.0, 8.0, 60.0]})
    >>> speeding(times, min_seconds_per_item=2)[["respondent", "value"]]
      respondent  value
    0         r1    1.0
    """
    if not isinstance(min_seconds_per_item, (int, float)) or not min_seconds_per_item > 0:
        raise ValueError(f"'min_seconds_per_item' must be a number above 0 (got {min_seconds_per_item!r})")
    missing = [c for c in (*_KEYS, "instrument", "items", "seconds") if c not in page_times]
    if missing:
        raise ValueError(f"'page_times' lacks the column(s) {', '.join(missing)}")
    if page_times.empty:
        return _empty()
    totals = page_times.groupby([*_KEYS, "instrument"], dropna=False, sort=True)[["items", "seconds"]].sum()
    totals = totals.reset_index()
    per_item = (totals["seconds"] / totals["items"].where(totals["items"] > 0)).to_numpy(dtype="float64")
    fast = np.nan_to_num(per_item, nan=np.inf) < min_seconds_per_item
    return _rows(totals, fast, instrument=totals["instrument"], flag="speeding", unit=totals["instrument"],
                 value=per_item, threshold=min_seconds_per_item)


def duplicate_submissions(submissions: pd.DataFrame) -> pd.DataFrame:
    """Invitations (or respondents) with more than one submission of the same questionnaire.

    ``submissions``: one row per submission received, ``respondent, region, wave, role,
    instrument`` (a token's invitation carries one pseudonym, so the same token is the same
    respondent). One flag per respondent and questionnaire submitted more than once;
    ``value`` is how many submissions there were.
    """
    keys = [*_KEYS, "instrument"]
    if submissions.empty:
        return _empty()
    counts = submissions.groupby(keys, dropna=False).size().rename("n").reset_index()
    return _rows(counts, counts["n"] > 1, instrument=counts["instrument"], flag="duplicate-submission",
                 unit=counts["instrument"], value=counts["n"], threshold=1)


def identical_answers(responses: pd.DataFrame, instrument: Instrument, *, min_items: int = 10) -> pd.DataFrame:
    """Different respondents of one wave whose answers match on every item, with ≥ ``min_items`` answered.

    Answers (scale values and missing codes as stored, blanks included) are compared as
    whole rows within a wave; each member of a group of matching rows is flagged, ``value``
    being the group's size. Short questionnaires match by chance, hence ``min_items``.
    """
    item_ids = [i for i in instrument.item_ids if i in responses]
    if responses.empty or not item_ids:
        return _empty()
    answers = responses[item_ids].astype("string").fillna("")
    answered = (answers != "").sum(axis=1).to_numpy()
    signature = pd.Series(["\x1f".join(row) for row in answers.itertuples(index=False, name=None)],
                          index=responses.index)
    group = responses["wave"].astype("string") + "\x1e" + signature
    size = group.map(group[answered >= min_items].value_counts()).fillna(0).to_numpy()
    mask = (answered >= min_items) & (size > 1)
    return _rows(responses, mask, instrument=instrument.id, flag="identical-answers", unit=instrument.id,
                 value=size, threshold=min_items)


def quality_table(*flags: pd.DataFrame) -> pd.DataFrame:
    """All flags in one table, ordered by wave, region, role, respondent and flag (``quality.csv``)."""
    frames = [f for f in flags if not f.empty]
    if not frames:
        return _empty()
    table = pd.concat(frames, ignore_index=True)[list(FLAG_COLUMNS)]
    return table.sort_values(["wave", "region", "role", "respondent", "instrument", "flag", "unit"],
                             kind="stable").reset_index(drop=True)


def flagged_keys(table: pd.DataFrame) -> set[tuple[str, str, str]]:
    """``(respondent, wave, instrument)`` of every flagged answer: what ``exclude_flagged`` leaves out."""
    return set(zip(table["respondent"], table["wave"], table["instrument"]))
