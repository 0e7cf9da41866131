"""A frame of answers into the store: pseudonymise, validate, then hand the checked rows over.

:func:`ingest_frame` is the one path every source of answers takes (a response file
through :func:`folge.ingest.ingest_file`, the web questionnaire, tests): validation runs
here, before the store is touched and outside any lock; the store only writes the
validated batch (:meth:`folge.store.Store.write_validated`).
"""

from __future__ import annotations

import dataclasses
import time

import pandas as pd

from ..pseudonym import load_key, pseudonymise_many
from ..store import IngestResult
from ._validate import validate

__all__ = ["ingest_frame"]


def _pseudonyms(store, frame: pd.DataFrame, pseudonymised: bool):
    """(the frame without its ``respondent`` column, the pseudonyms or ``None``)."""
    if "respondent" not in frame.columns:
        return frame, None
    ids = frame["respondent"].to_numpy(dtype=object)
    pseudonyms = ids if pseudonymised else pseudonymise_many(load_key(store.root), ids)
    return frame.drop(columns="respondent"), pseudonyms


def ingest_frame(store, study, instrument, frame: pd.DataFrame, wave: str | None, source: str,
                 sha256: str, source_kind: str = "file", row_numbers=None, *, description: str = "",
                 labels=None, row_reasons=None, warnings=(), progress=None, pseudonymised: bool = False,
                 in_transaction: bool = False) -> IngestResult:
    """Validate one frame of answers and store it in one transaction.

    Parameters
    ----------
    store
        An open :class:`folge.store.Store`.
    study, instrument
        The loaded study and the instrument the answers belong to.
    frame
        One row per respondent (or region) and wave, text cells, canonical column names
        (``respondent``, ``region``, ``wave``, ``role``, item ids). The raw
        ``respondent`` ids are replaced by pseudonyms before anything else sees them.
    wave
        The wave for rows without one (and the wave every row must have), or ``None``.
    source, sha256, source_kind
        What the answers came from, for the import log; the same ``sha256`` for the same
        instrument and wave is a file already imported, and adds nothing.
    row_numbers
        Source row of each row, shown in the quarantine (default 2, 3, …).
    description, labels, row_reasons, warnings, progress
        The reader's description and value labels, problems it found per row and about
        the file (logged with the validator's warnings), and a callback
        ``progress(stage, done, total)`` (stages ``validate`` and ``store``).
    pseudonymised
        The ``respondent`` column already holds pseudonyms (the web questionnaire's
        invitations carry them); they are stored as they are.
    in_transaction
        The caller has begun a transaction (``BEGIN IMMEDIATE``) and commits or rolls it
        back itself, so this import joins its other writes atomically.

    Returns
    -------
    IngestResult
        Counts (``read == stored + skipped + quarantined``), warnings and the import id.
    """
    started = time.perf_counter()
    n = len(frame)
    previous = store.previous_import(sha256, instrument.id, wave)
    if previous is not None:  # the same file again: not even validated
        return IngestResult.duplicate(previous, n, source, description, instrument,
                                      time.perf_counter() - started)
    frame, pseudonyms = _pseudonyms(store, frame, pseudonymised)
    if progress is not None:
        progress("validate", 0, n)
    validated = validate(study, instrument, frame, wave, pseudonyms, row_numbers, row_reasons, labels)
    validated.warnings[:0] = list(warnings)
    if progress is not None:
        progress("validate", n, n)
    result = store.write_validated(validated, wave=wave, source=source, sha256=sha256,
                                   source_kind=source_kind, description=description, progress=progress,
                                   in_transaction=in_transaction)
    return dataclasses.replace(result, seconds=time.perf_counter() - started)
