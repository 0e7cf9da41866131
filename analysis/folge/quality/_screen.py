"""From what the store keeps to the flags' inputs, and the rule for a straight-lined questionnaire.

:func:`page_seconds` turns the web form's page times (``Store.page_times``) into the
frame :func:`~folge.quality.speeding` takes. :func:`straight_lined_questionnaires` keeps
the straight-lined pages of questionnaires answered with one value "all the way down".
:func:`submissions` lists every submission received, stored or refused as a repeat, for
:func:`~folge.quality.duplicate_submissions`.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ..definitions import Instrument
from ..scoring import numeric_answers
from ._flags import _KEYS, straight_lining

__all__ = ["MIN_PAGES", "REPEAT_CODES", "page_seconds", "straight_lined_questionnaires", "submissions"]

#: Fewest fully answered multi-item pages a questionnaire needs before one value on all
#: of them counts as straight-lining.
MIN_PAGES = 3

#: Quarantine codes that mean "this respondent and wave were submitted again".
REPEAT_CODES = ("conflict", "duplicate-in-file")


def page_seconds(page_times: pd.DataFrame) -> pd.DataFrame:
    """The speeding frame from page times: seconds from a page's first display to its last save.

    Parameters
    ----------
    page_times
        ``respondent, region, wave, role, instrument, page, items, shown_at, saved_at``
        (ISO 8601 texts), as :meth:`folge.store.Store.page_times` returns them.

    Returns
    -------
    DataFrame
        ``respondent, region, wave, role, instrument, items, seconds``: pages shown by the
        form and saved (answers sent through the API have no display time and are left out).

    Examples
    --------
    >>> times = pd.DataFrame({"respondent": ["r1", "r1"], "region": "k", "wave": "1", "role": "p",
    ...                       "instrument": "x", "page": [1, 0], "items": [4, 2],
    ...                       "shown_at": ["2026-03-02T08:00:00.000+00:00", None],
    ...                       "saved_at": ["2026-03-02T08:00:06.500+00:00", "2026-03-02T08:01:00.000+00:00"]})
    >>> page_seconds(times)[["respondent", "items", "seconds"]]
      respondent  items  seconds
    0         r1      4      6.5
    """
    columns = [*_KEYS, "instrument", "items", "seconds"]
    timed = page_times[(page_times["page"] > 0) & page_times["shown_at"].notna() & page_times["saved_at"].notna()]
    if timed.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "seconds" else "object") for c in columns})
    shown = pd.to_datetime(timed["shown_at"].astype(str), utc=True, format="ISO8601")
    saved = pd.to_datetime(timed["saved_at"].astype(str), utc=True, format="ISO8601")
    frame = timed[[*_KEYS, "instrument", "items"]].copy()
    frame["seconds"] = (saved - shown).dt.total_seconds().to_numpy()
    return frame.reset_index(drop=True)[columns]


def straight_lined_questionnaires(responses: pd.DataFrame, instrument: Instrument, *, min_items: int = 3,
                                  min_pages: int = MIN_PAGES) -> pd.DataFrame:
    """Straight-lined pages of questionnaires that carry one value on every multi-item page.

    A page (a construct of at least ``min_items`` items rated on a scale of three or more
    points: a grid) answered with one scale value is a straight line
    (:func:`~folge.quality.straight_lining`). One such page says little: a respondent with
    a neutral view of a short scale answers it with the middle value throughout, and
    yes/no items (a learning chain, milestones) are often all "yes". A questionnaire is
    flagged when *every* grid of it that is judged (fully answered with scale values) is
    a straight line of one and the same value, and at least ``min_pages`` are judged:
    "the same option all the way down" (Kim, Dykema, Stevenson, Black & Moberg 2019, who recommend judging
    straight-lining across grids rather than within one).

    Returns
    -------
    DataFrame
        The flag rows of :func:`~folge.quality.straight_lining` (one per page) for the
        flagged questionnaires only.
    """
    grids = [c for c in instrument.constructs
             if len(c.items) >= min_items and c.scale.is_numeric and len(c.scale.values) >= 3]
    lines = straight_lining(responses, instrument, min_items=min_items)
    lines = lines[lines["unit"].isin({c.id for c in grids})]
    if lines.empty:
        return lines.reset_index(drop=True)
    judged = np.zeros(len(responses), dtype=int)
    for construct in grids:
        judged += (~np.isnan(numeric_answers(construct, responses).to_numpy()).any(axis=1)).astype(int)
    keys = responses[list(_KEYS)].astype("string").assign(judged=judged)
    per_person = lines.groupby(list(_KEYS), dropna=False).agg(lined=("value", "size"), values=("value", "nunique"))
    merged = per_person.reset_index().merge(keys, on=list(_KEYS), how="left")
    whole = merged[(merged["lined"] == merged["judged"]) & (merged["judged"] >= min_pages) & (merged["values"] == 1)]
    keep = lines.merge(whole[list(_KEYS)], on=list(_KEYS), how="inner")
    return keep.reset_index(drop=True)


def submissions(responses: dict[str, pd.DataFrame], quarantine: pd.DataFrame) -> pd.DataFrame:
    """Every submission received: stored answers, and rows refused as a repeat of one stored.

    ``responses``: instrument id → the stored answers; ``quarantine``: the store's
    quarantine (``respondent, instrument, wave, codes, values``). A quarantined row
    counts when one of its codes is in :data:`REPEAT_CODES`; its region and role come
    from its values.
    """
    parts = [frame[list(_KEYS)].astype("string").assign(instrument=instrument_id)
             for instrument_id, frame in responses.items() if not frame.empty]
    if not quarantine.empty:
        repeats = quarantine[quarantine["codes"].fillna("").str.split().map(
            lambda codes: any(c in REPEAT_CODES for c in codes))]
        if not repeats.empty:
            values = [json.loads(v) if isinstance(v, str) else {} for v in repeats["values"]]
            parts.append(pd.DataFrame({
                "respondent": repeats["respondent"].to_numpy(), "region": [v.get("region") for v in values],
                "wave": repeats["wave"].to_numpy(), "role": [v.get("role") for v in values],
                "instrument": repeats["instrument"].to_numpy()}).astype("string"))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in (*_KEYS, "instrument")})
    return pd.concat(parts, ignore_index=True)
