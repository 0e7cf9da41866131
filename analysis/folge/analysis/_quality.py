"""Answer quality for ``folge analyze``: ``results/quality.csv``, and leaving flagged answers out.

Three flags (:mod:`folge.quality`), one row each in the table:

- ``straight-lining``: a person's questionnaire answered with one value on every
  multi-item page (:func:`folge.quality.straight_lined_questionnaires`; one row per page);
- ``speeding``: web answers given faster than ``settings.min_seconds_per_item`` seconds
  per item, from the page times the web form records (:func:`folge.quality.speeding`);
- ``duplicate-submission``: a respondent and wave submitted more than once, the repeats
  having been refused by the store (:func:`folge.quality.duplicate_submissions`).

Flagged answers stay in the store and in every count of who answered; they leave the
statistics (every table computed from the answers) only when ``settings.exclude_flagged``
is true.
"""

from __future__ import annotations

import pandas as pd

from ..definitions import Study
from ..quality import (FLAG_COLUMNS, duplicate_submissions, flagged_keys, page_seconds, quality_table, speeding,
                       straight_lined_questionnaires, submissions)

__all__ = ["QUALITY_COLUMNS", "quality_flags", "screen_answers", "without_flagged"]

QUALITY_COLUMNS = FLAG_COLUMNS


def quality_flags(study: Study, responses: dict[str, pd.DataFrame], page_times: pd.DataFrame,
                  quarantine: pd.DataFrame) -> pd.DataFrame:
    """Every flag, as ``results/quality.csv`` holds them (:data:`folge.quality.FLAG_COLUMNS`).

    Parameters
    ----------
    study
        The study (its settings give ``min_seconds_per_item``).
    responses
        Instrument id → stored answers (:meth:`folge.store.Store.responses`).
    page_times, quarantine
        :meth:`folge.store.Store.page_times` and :meth:`folge.store.Store.quarantine`.
    """
    flags = []
    for instrument_id, frame in responses.items():
        instrument = study.instruments.get(instrument_id)
        if instrument is not None and instrument.level == "respondent" and not frame.empty:
            flags.append(straight_lined_questionnaires(frame, instrument))
    flags.append(speeding(page_seconds(page_times), min_seconds_per_item=study.settings.min_seconds_per_item))
    flags.append(duplicate_submissions(submissions(responses, quarantine)))
    return quality_table(*flags)


def without_flagged(responses: dict[str, pd.DataFrame], table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``responses`` without the answers ``table`` flags (by respondent, wave and instrument)."""
    keys = flagged_keys(table)
    if not keys:
        return responses
    kept = {}
    for instrument_id, frame in responses.items():
        mine = {(r, w) for r, w, i in keys if i == instrument_id}
        if not mine or frame.empty:
            kept[instrument_id] = frame
            continue
        pairs = zip(frame["respondent"].astype(str), frame["wave"].astype(str))
        flagged = pd.Series([pair in mine for pair in pairs], index=frame.index)
        kept[instrument_id] = frame[~flagged].reset_index(drop=True)
    return kept


def screen_answers(study: Study, responses: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame],
                                                                               pd.DataFrame]:
    """The answers the statistics use, and the quality table.

    Reads the page times and the quarantine from the store; the answers come back
    unchanged unless ``settings.exclude_flagged`` is true, when the flagged ones are left out.
    """
    from ..store import Store

    with Store.open(study.root) as store:
        page_times, quarantine = store.page_times(), store.quarantine()
    table = quality_flags(study, responses, page_times, quarantine)
    if study.settings.exclude_flagged:
        responses = without_flagged(responses, table)
    return responses, table
