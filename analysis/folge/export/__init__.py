"""Pseudonymised, labelled response data for researchers: ``folge export``.

One file per instrument, in CSV, SPSS ``.sav`` or Stata ``.dta``, with a codebook CSV
beside each (``NAME.codebook.csv``). Columns: ``respondent_pseudonym`` (the stored
pseudonym, never a raw id), ``region``, ``wave``, ``role``, then the items in
questionnaire order (free-text items only with ``include_text``). Variable labels are the
item texts and value labels the scale labels in the chosen language; missing codes are
declared missing as each format allows (see :mod:`._writers`).

Round trip: ``folge ingest`` reads ``respondent_pseudonym`` as pseudonyms and stores them
as they are (:data:`folge.ingest.PSEUDONYM_COLUMN`), so re-ingesting an export (into the
same study, or one sharing its key) gives back the same rows and scores. A ``.sav`` keeps
missing codes as user-missing values, so they come back as codes; a ``.dta`` holds them as
Stata's extended missing values, which come back blank (scores are the same: missing codes
never enter a score).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .._errors import InputError
from ..definitions import did_you_mean
from ._table import KEY_LABELS, ExportTable, export_table
from ._writers import (
    FORMATS,
    codebook_frame,
    truncate_bytes,
    write_codebook,
    write_table,
)

__all__ = [
    "FORMATS",
    "KEY_LABELS",
    "ExportTable",
    "ExportedFile",
    "codebook_frame",
    "codebook_path",
    "export_responses",
    "export_table",
    "truncate_bytes",
    "write_codebook",
    "write_table",
]


@dataclass(frozen=True)
class ExportedFile:
    """One file written: its instrument, path, codebook path and number of rows."""

    instrument: str
    path: Path
    codebook: Path
    rows: int


def codebook_path(path: str | Path) -> Path:
    """Where the codebook of ``path`` goes: ``NAME.codebook.csv`` beside it.

    Examples
    --------
    >>> codebook_path("out/byreg.sav").as_posix()
    'out/byreg.codebook.csv'
    """
    path = Path(path)
    return path.with_name(f"{path.stem}.codebook.csv")


def export_responses(study, store, fmt: str, output: str | Path, lang: str = "nb",
                     instruments: list[str] | None = None, waves: list[str] | None = None,
                     include_text: bool = False) -> list[ExportedFile]:
    """Write the stored answers of each instrument to its own file, with a codebook beside it.

    Parameters
    ----------
    study, store
        The loaded study and its open :class:`folge.store.Store`.
    fmt
        ``csv``, ``sav`` or ``dta``.
    output
        The file to write; when several instruments are exported, each goes to
        ``STEM_INSTRUMENT.SUFFIX`` beside it.
    lang
        Language of the labels (``nb``, ``nn``, ``en``).
    instruments
        Instrument ids to export (default: every instrument of the study with stored answers).
    waves
        Only these waves (default: all).
    include_text
        Also export free-text items (default: left out, they may identify people).

    Raises
    ------
    InputError
        For an unknown format, language, instrument or wave, or when nothing is stored.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}'{did_you_mean(fmt, FORMATS)}; use {', '.join(FORMATS)}")
    if lang not in ("nb", "nn", "en"):
        raise InputError(f"unknown language '{lang}'; use nb, nn or en")
    for wave in waves or ():
        if wave not in {w.id for w in study.waves}:
            raise InputError(f"unknown wave '{wave}'{did_you_mean(wave, [w.id for w in study.waves])}")
    stored = set(store.instrument_versions()["instrument"])
    if instruments:
        for inst in instruments:
            if inst not in study.instruments:
                raise InputError(f"unknown instrument '{inst}'{did_you_mean(inst, study.instruments)}; "
                                 f"the study has {', '.join(sorted(study.instruments))}")
        chosen = list(dict.fromkeys(instruments))
    else:
        chosen = [inst for inst in study.instruments if inst in stored]
    if not chosen:
        raise InputError("nothing to export: no answers are stored yet (run 'folge ingest' first)")
    output = Path(output)
    if not output.suffix:
        output = output.with_name(f"{output.name}.{fmt}")
    written = []
    for inst_id in chosen:
        instrument = study.instruments[inst_id]
        responses = store.responses(inst_id, waves) if inst_id in stored else None
        if responses is None:
            raise InputError(f"no answers to '{inst_id}' are stored")
        table = export_table(study, instrument, responses, lang, include_text)
        path = output if len(chosen) == 1 else output.with_name(f"{output.stem}_{inst_id}{output.suffix}")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_table(table, path, fmt)
        book = write_codebook(table, codebook_path(path), fmt)
        written.append(ExportedFile(inst_id, path, book, len(table.frame)))
    return written
