"""Render an :class:`~._table.ExportTable` as CSV, SPSS ``.sav`` or Stata ``.dta``, plus its codebook.

How each format carries labels and missing codes:

============  ===========================  ============================  =======================
format        variable labels              value labels                  missing codes
============  ===========================  ============================  =======================
``csv``       codebook only                codebook only                 the codes (e.g. 9)
``sav``       yes, ≤ 256 bytes             yes, ≤ 120 bytes each          user-missing values
                                                                         (``missing_ranges``)
``dta``       yes, ≤ 80 characters         yes, incl. the missing codes  extended missing
                                                                         ``.a``, ``.b`` … (Stata
                                                                         has no user-missing
                                                                         codes): the scale's
                                                                         codes in order, 9 → .a
============  ===========================  ============================  =======================

Labels longer than a format allows are cut at a character boundary and end in "…"; the
codebook beside every file keeps them whole.
"""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
import pandas as pd

from .._version import __version__
from ._table import ExportTable

__all__ = ["FORMATS", "STATA_LETTERS", "codebook_frame", "truncate_bytes", "write_codebook", "write_table"]

FORMATS = ("csv", "sav", "dta")
#: Stata's extended missing values, in the order missing codes are given them.
STATA_LETTERS = tuple(string.ascii_lowercase)
SAV_LABEL_BYTES = 256
SAV_VALUE_LABEL_BYTES = 120
DTA_LABEL_CHARS = 80
CODEBOOK_COLUMNS = ("variable", "label", "type", "instrument", "version", "construct", "position", "scale",
                    "min", "max", "reverse", "value_labels", "missing_codes", "missing_in_file")


def truncate_bytes(text: str, limit: int, encoding: str = "utf-8") -> str:
    """``text`` cut to at most ``limit`` encoded bytes at a character boundary, ending in "…" when cut.

    Examples
    --------
    >>> truncate_bytes("Blåbærsyltetøy", 10)
    'Blåbæ…'
    >>> truncate_bytes("kort", 80)
    'kort'
    """
    if len(text.encode(encoding)) <= limit:
        return text
    room = limit - len("…".encode(encoding))
    out = text
    while len(out.encode(encoding)) > room:
        out = out[:-1]
    return out.rstrip() + "…"


def truncate_chars(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "…" when cut."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _stata_letters(table: ExportTable) -> dict[str, dict[int, str]]:
    return {col: {code: STATA_LETTERS[i] for i, code in enumerate(codes)}
            for col, codes in table.missing.items() if codes}


def _in_file(table: ExportTable, fmt: str, column: str) -> str:
    codes = table.missing.get(column, ())
    if not codes:
        return ""
    if fmt == "dta":
        return "; ".join(f"{code} = .{letter}" for code, letter in _stata_letters(table)[column].items())
    if fmt == "sav":
        return "; ".join(str(c) for c in codes) + " (user-missing)"
    return "; ".join(str(c) for c in codes)


# ---------------------------------------------------------------- data files
def _write_csv(table: ExportTable, path: Path) -> None:
    table.frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def _plain(table: ExportTable) -> pd.DataFrame:
    """Numbers as float64 (NaN for blank), text as str ("" for blank): what pyreadstat writes."""
    out = {}
    for column in table.frame.columns:
        series = table.frame[column]
        if column in table.numeric:
            out[column] = series.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        else:
            out[column] = series.fillna("").astype(object).to_numpy()
    return pd.DataFrame(out)


def _missing_ranges(codes: tuple[int, ...], values: tuple[int, ...]):
    if len(codes) <= 3:
        return list(codes)
    low, high = min(codes), max(codes)
    if any(low <= v <= high for v in values):
        raise ValueError(f"SPSS allows 3 discrete missing codes or one range; codes {codes} enclose scale values")
    return [{"lo": low, "hi": high}]


def _write_sav(table: ExportTable, path: Path) -> None:
    import pyreadstat

    frame = _plain(table)
    labels = {c: truncate_bytes(text, SAV_LABEL_BYTES) for c, text in table.labels.items()}
    value_labels = {c: {float(k): truncate_bytes(v, SAV_VALUE_LABEL_BYTES) for k, v in found.items()}
                    for c, found in table.value_labels.items()}
    missing = {c: _missing_ranges(codes, tuple(table.items[c].scale.values))
               for c, codes in table.missing.items() if codes}
    measure = {c: ("ordinal" if c in table.items and table.items[c].scale.is_ordinal else "nominal")
               for c in frame.columns}
    instrument = table.instrument
    pyreadstat.write_sav(
        frame, str(path), file_label=truncate_bytes(f"folge {instrument.id} v{instrument.version}", 64),
        column_labels=labels, variable_value_labels=value_labels, missing_ranges=missing,
        variable_measure=measure,
        note=[f"Exported by folge {__version__}, labels in {table.lang}."[:80],  # SPSS notes: lines of 80
              "Respondents appear only by pseudonym (HMAC-SHA256, study key)."])


def _write_dta(table: ExportTable, path: Path) -> None:
    import pyreadstat

    frame = _plain(table)
    letters = _stata_letters(table)
    for column, by_code in letters.items():
        values = frame[column].astype(object)
        for code, letter in by_code.items():
            values[frame[column] == code] = letter
        frame[column] = values
    labels = {c: truncate_chars(text, DTA_LABEL_CHARS) for c, text in table.labels.items()}
    value_labels = {}
    for column, found in table.value_labels.items():
        by_code = letters.get(column, {})
        value_labels[column] = {by_code.get(k, k): v for k, v in found.items()}
    instrument = table.instrument
    pyreadstat.write_dta(
        frame, str(path), file_label=f"folge {instrument.id} v{instrument.version}"[:80],
        column_labels=labels, variable_value_labels=value_labels,
        missing_user_values={c: list(by_code.values()) for c, by_code in letters.items()})


_WRITERS = {"csv": _write_csv, "sav": _write_sav, "dta": _write_dta}


def write_table(table: ExportTable, path: str | Path, fmt: str) -> Path:
    """Write ``table`` to ``path`` as ``fmt`` (``csv``, ``sav`` or ``dta``)."""
    if fmt not in _WRITERS:
        raise ValueError(f"'fmt' must be one of {', '.join(FORMATS)} (got {fmt!r})")
    path = Path(path)
    _WRITERS[fmt](table, path)
    return path


# ---------------------------------------------------------------- codebook
def codebook_frame(table: ExportTable, fmt: str) -> pd.DataFrame:
    """One row per exported column, :data:`CODEBOOK_COLUMNS`: labels whole, codes, missing as in the file."""
    rows = []
    instrument = table.instrument
    for column in table.frame.columns:
        item = table.items.get(column)
        row = {key: "" for key in CODEBOOK_COLUMNS}
        row.update(variable=column, label=table.labels[column], instrument=instrument.id,
                   version=str(instrument.version), type="integer" if column in table.numeric else "string")
        if item is not None:
            scale = item.scale
            row.update(construct=item.construct, position=str(item.position), scale=scale.id,
                       min="" if not scale.is_numeric else str(scale.min),
                       max="" if not scale.is_numeric else str(scale.max),
                       reverse="true" if item.reverse else "false",
                       value_labels=" | ".join(f"{k}={v}" for k, v in table.value_labels.get(column, {}).items()),
                       missing_codes=";".join(str(c) for c in table.missing.get(column, ())),
                       missing_in_file=_in_file(table, fmt, column))
        rows.append(row)
    return pd.DataFrame(rows, columns=list(CODEBOOK_COLUMNS))


def write_codebook(table: ExportTable, path: str | Path, fmt: str) -> Path:
    """Write :func:`codebook_frame` as UTF-8, comma-separated CSV."""
    path = Path(path)
    codebook_frame(table, fmt).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path
