"""One file through every stage: :func:`ingest_file`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .._errors import InputError
from ..store import Store
from ._column_map import apply_column_map, load_column_map
from ._headers import KEY_COLUMNS, HeaderMapping, map_headers
from ._platforms import finish_frame, restore_stata_missing
from ._read import RawTable, read_response_file
from ._frame import ingest_frame
from ._reasons import Reason, reason
from ._recognise import choose_instrument

__all__ = ["PreparedFile", "ingest_file", "prepare_file"]


@dataclass
class PreparedFile:
    """A file read, its headers mapped and its instrument chosen: ready for the store."""

    path: Path
    raw: RawTable
    headers: HeaderMapping
    instrument: object
    frame: pd.DataFrame
    labels: dict
    warnings: list[Reason]
    # platforms hook (ingest/_platforms.py, ingest/_column_map.py)
    pseudonymised: bool = False     # 'respondent' came from a respondent_pseudonym column
    column_map: str = ""            # the --columns map applied, by name

    @property
    def description(self) -> str:
        text = self.raw.description
        if self.headers.name != "canonical":
            text += f", headers: {self.headers.name}"
        if self.column_map:
            text += f", columns: {self.column_map}"
        return text


def prepare_file(study, path: str | Path, wave: str | None = None, instrument_id: str | None = None,
                 header_map: str | None = None, columns=None) -> PreparedFile:
    """Read ``path``, map its headers and choose its instrument (no store involved).

    ``columns`` is a column map (a :class:`~folge.ingest.ColumnMap`, a YAML file or the
    name of one in ``instruments/maps``; see :mod:`folge.ingest._column_map`).

    Raises
    ------
    InputError
        When the file cannot be read, repeats a column, or answers no known instrument.
    """
    path = Path(path)
    raw = read_response_file(path)
    # --- platforms hook: Stata extended missing (.a "Vet ikke") back to codes (ingest/_platforms.py),
    #     then a --columns map (ingest/_column_map.py)
    raw = restore_stata_missing(raw, path, study)
    map_warnings, map_name = [], ""
    if columns is not None:
        column_map = load_column_map(columns, study.root)
        raw, map_warnings = apply_column_map(column_map, raw, study)
        map_name = column_map.name
    # ---
    headers = map_headers(list(raw.frame.columns), study, header_map)
    known = set(KEY_COLUMNS) | set(study.items)
    repeated = [name for name in raw.duplicate_columns if headers.canonical(name) in known]
    if repeated:
        raise InputError(f"{path.name}: column(s) {', '.join(repeated)} appear more than once; keep one of each")
    frame = raw.frame.rename(columns=dict(headers.mapping)) if headers.mapping else raw.frame
    # --- platforms hook: platform columns dropped, labels → codes, respondent_pseudonym (ingest/_platforms.py)
    frame, pseudonymised = finish_frame(frame, headers.name, study, raw.row_numbers)
    # ---
    instrument = choose_instrument(study, instrument_id, list(frame.columns), wave)
    labels = {headers.canonical(col): found for col, found in raw.labels.items()}
    warnings = [reason("blank-rows", count=raw.blank_rows)] if raw.blank_rows else []
    warnings += map_warnings
    return PreparedFile(path, raw, headers, instrument, frame, labels, warnings, pseudonymised, map_name)


def ingest_file(study, path: str | Path, wave: str | None = None, instrument_id: str | None = None,
                progress=None, store=None, header_map: str | None = None, columns=None):
    """Ingest one response file into the study's store.

    Parameters
    ----------
    study
        The loaded :class:`folge.definitions.Study`; its store is ``study.root/data/folge.sqlite``
        (created on first use).
    path
        A CSV/TSV, XLSX, SPSS ``.sav`` or Stata ``.dta`` file in the canonical wide form.
    wave
        The wave the answers belong to (needed unless the file has a ``wave`` column).
    instrument_id
        The instrument answered; recognised from the item columns when ``None``.
    progress
        Callback ``progress(stage, done, total)``; stages ``read``, ``validate``, ``store``.
    store
        An open :class:`folge.store.Store` to use instead of opening the study's.
    header_map
        Force one registered header map (see :func:`folge.ingest.register_header_map`).
    columns
        A column map for another platform's export (``--columns MAP.yaml``; see
        :mod:`folge.ingest._column_map`).

    Returns
    -------
    IngestResult
        ``read == stored + skipped + quarantined``; ``duplicate_file`` when the same file
        was ingested before for the same instrument and wave (then nothing is added).

    Raises
    ------
    InputError
        When the file cannot be read at all.
    """
    if progress is not None:
        progress("read", 0, 0)
    prepared = prepare_file(study, path, wave, instrument_id, header_map, columns)
    if progress is not None:
        progress("read", len(prepared.frame), len(prepared.frame))
    own = store is None
    if own:
        store = Store.open(study.root, create=True)
    try:
        return ingest_frame(
            store, study, prepared.instrument, prepared.frame, wave, prepared.path.name, prepared.raw.sha256, "file",
            prepared.raw.row_numbers, description=prepared.description, labels=prepared.labels,
            row_reasons=prepared.raw.row_reasons, warnings=prepared.warnings, progress=progress,
            pseudonymised=prepared.pseudonymised)
    finally:
        if own:
            store.close()
