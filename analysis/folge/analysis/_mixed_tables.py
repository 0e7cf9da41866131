"""The mixed-model rows of trend.csv and change.csv (``analysis/ARCHITECTURE.md``, the result contract).

Trend: ``score ~ years + role + (1 + years | region) + (1 | respondent)`` nationally and
``score ~ years + role + (1 | respondent)`` per region, ``years`` counted from the first
wave's date in study.yaml. Change: ``score ~ wave + role + (1 | respondent)`` per region on
the two waves' rows, nationally with ``(1 + wave | region)`` (falling back to ``(1 | region)``).
The adjustment columns are ``settings.adjust_for``. Every region and the nation come from
one pass over a construct's scores (:func:`folge.statistics.trend_mixed_scopes`,
:func:`folge.statistics.change_mixed_scopes`).
"""

from __future__ import annotations

import multiprocessing
import os
from contextlib import contextmanager

import numpy as np
import pandas as pd

from ..statistics import change_mixed_scopes, decide, trend_mixed_scopes
from ._inputs import AnalysisInput

__all__ = ["mixed_change_rows", "mixed_change_rows_started", "trend_table", "wave_years"]

#: Days in a year for ``years`` = (date - first wave's date) / 365.25.
DAYS_PER_YEAR = 365.25
#: With at least this many scores the constructs are fitted in parallel, one process per core (at most 2).
PARALLEL_MIN_SCORES = 200_000
#: The jobs of a parallel run, read by the forked workers (set just before the pool starts).
_JOBS: list = []


def _run_job(index: int):
    function, construct, level, frame, args = _JOBS[index]
    return function(construct, level, frame, *args)


@contextmanager
def _constructs_started(function, jobs: list, parallel: bool):
    """Start ``function(construct, level, frame, *args)`` on every job; yield a getter of the results, in job order.

    With ``parallel`` the jobs run in two forked processes from the start of the ``with``
    block, so what the caller does inside the block runs while they fit; forking shares
    the frames with the workers instead of pickling them. Otherwise (or where fork is
    unavailable) the getter runs the jobs here, in order.
    """
    cores = min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
    if not parallel or cores < 2 or len(jobs) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield lambda: [function(construct, level, frame, *args) for construct, level, frame, args in jobs]
        return
    global _JOBS
    _JOBS = [(function, *job) for job in jobs]
    try:
        with multiprocessing.get_context("fork").Pool(cores) as pool:
            yield pool.map_async(_run_job, range(len(jobs)), chunksize=1).get
    finally:
        _JOBS = []


def _map_constructs(function, jobs: list, parallel: bool) -> list:
    """``function(construct, level, frame, *args)`` for every job, in two forked processes when ``parallel``."""
    with _constructs_started(function, jobs, parallel) as results:
        return results()


def wave_years(data: AnalysisInput) -> tuple[dict[str, float], str]:
    """Years since the study's first wave for each wave id, and a note ('' when every wave has a date).

    A study whose waves lack dates falls back to the wave's position (0, 1, 2, ...) and says so.
    """
    waves = data.study.waves
    if waves and all(w.date is not None for w in waves):
        first = waves[0].date
        return {w.id: (w.date - first).days / DAYS_PER_YEAR for w in waves}, ""
    return ({w.id: float(i) for i, w in enumerate(waves)},
            "not every wave has a date in study.yaml: time is the wave's position (0, 1, 2, ...), not years")


def _adjustment(frame: pd.DataFrame, adjust_for: tuple[str, ...]) -> tuple[tuple[str, ...], list[str]]:
    """The adjustment columns that have values in ``frame``; a note for each that has none."""
    usable, notes = [], []
    for column in adjust_for:
        if column in frame.columns and frame[column].notna().any():
            usable.append(column)
        else:
            notes.append(f"no '{column}' in these answers: not adjusted for it")
    return tuple(usable), notes


def _construct_frames(data: AnalysisInput):
    """(construct, instrument level, frame of score, region, respondent, wave, years, adjustment columns)."""
    scores = data.scores
    if scores.empty:
        return
    scores = scores[scores["score"].notna() & scores["region"].notna() & scores["wave"].notna()]
    years, _ = wave_years(data)
    columns = ["score", "region", "respondent", "wave", *[c for c in data.study.settings.adjust_for if c in scores]]
    groups = scores.groupby(["construct", "instrument"], sort=False, observed=True).indices
    for (construct, instrument), index in groups.items():
        frame = scores[columns].take(index).reset_index(drop=True)
        frame["years"] = frame["wave"].astype(str).map(years).to_numpy(dtype=float)
        level = data.study.instruments[str(instrument)].level
        yield str(construct), level, frame


def _with_notes(table: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    if notes:
        extra = "; ".join(notes)
        table["note"] = [f"{extra}; {n}" if n else extra for n in table["note"]]
    return table


def _construct_trend(construct: str, level: str, frame: pd.DataFrame, adjust_for, years_note: str) -> pd.DataFrame:
    adjust, notes = _adjustment(frame, adjust_for)
    table = trend_mixed_scopes(frame, adjust_for=adjust)
    if level != "respondent":
        table = table[table["region"] == "all"]
    table = _with_notes(table.reset_index(drop=True), [n for n in [years_note, *notes] if n])
    table.insert(0, "construct", construct)
    return table


def trend_table(data: AnalysisInput) -> pd.DataFrame:
    """trend.csv: per construct the national row (``region`` = ``all``), then one per region.

    Region-level instruments (one answer per region and wave) get the national row only.
    """
    _, years_note = wave_years(data)
    settings = data.study.settings
    jobs = [(c, level, frame, (settings.adjust_for, years_note)) for c, level, frame in _construct_frames(data)]
    parts = _map_constructs(_construct_trend, jobs, len(data.scores) >= PARALLEL_MIN_SCORES)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _construct_change(construct: str, level: str, frame: pd.DataFrame, adjust_for, pairs) -> pd.DataFrame:
    adjust, notes = _adjustment(frame, adjust_for)
    table = change_mixed_scopes(frame, pairs, adjust_for=adjust)
    if level != "respondent":
        table = table[table["region"] == "all"]
    table = _with_notes(table.reset_index(drop=True), notes)
    table.insert(0, "construct", construct)
    return table


@contextmanager
def mixed_change_rows_started(data: AnalysisInput, pairs: list[tuple[str, str, str]]):
    """Start the fits of :func:`mixed_change_rows`; yield a getter of its table.

    With enough scores the constructs are fitted in forked workers from the start of the
    ``with`` block, so the caller's work inside the block (the descriptive change rows)
    runs meanwhile; the table is the same either way.
    """
    wave_pairs = [(a, b) for a, b, _ in pairs]
    settings = data.study.settings
    jobs = [(c, level, frame, (settings.adjust_for, wave_pairs)) for c, level, frame in _construct_frames(data)]
    with _constructs_started(_construct_change, jobs, len(data.scores) >= PARALLEL_MIN_SCORES) as results:
        yield lambda: _decided_change_rows(data, pairs, results())


def mixed_change_rows(data: AnalysisInput, pairs: list[tuple[str, str, str]]) -> pd.DataFrame:
    """The mixed-model rows of change.csv, with the p and adjusted p the verdicts use.

    ``p`` is one-sided, "the truth is at or below no change" (the direction a success
    criterion asks about), and ``p_adj`` its Benjamini–Hochberg adjustment within the
    family of one construct × comparison over the regions (the nation a family of its
    own): both exactly as :func:`folge.statistics.decide` computes them for a change rule
    with ``min_change`` 0.
    """
    with mixed_change_rows_started(data, pairs) as table:
        return table()


def _decided_change_rows(data: AnalysisInput, pairs: list[tuple[str, str, str]], parts: list) -> pd.DataFrame:
    """The constructs' rows together, with the comparison's kind and the verdicts' p and p_adj."""
    if not parts:
        return pd.DataFrame()
    kinds = {(a, b): kind for a, b, kind in pairs}
    table = pd.concat(parts, ignore_index=True)
    table["comparison"] = [kinds[(a, b)] for a, b in zip(table["from_wave"], table["to_wave"], strict=True)]
    family = (table["construct"].astype(str) + "|" + table["from_wave"].astype(str) + "|" + table["to_wave"].astype(str)
              + "|" + np.where(table["region"] == "all", "all", "regions"))
    decided = decide(table["diff"], table["se"], table["df"], 0.0, family=family,
                     alpha=data.study.settings.significance)
    table["p_two_sided"] = table["p"]
    table["p"] = decided["p"].to_numpy()
    table["p_adj"] = decided["p_adj"].to_numpy()
    return table
