"""Stage 1 of ingest: read a response file into a table of text cells.

Whatever the format, the result is the same :class:`RawTable`: every cell a ``str``
(blank as ``""``), whole numbers written as whole numbers (``4.0`` from Excel or SPSS
becomes ``"4"``), the source row number of each row, value labels where the format has
them, and a description of what was detected ("CSV, cp1252, ';'"). Nothing here knows
about instruments or the store; a file that cannot be read at all raises
:class:`folge.InputError`.

Formats: CSV and TSV (``,``, ``;`` or tab; UTF-8, UTF-8 with BOM, UTF-16 with BOM,
cp1252 or Latin-1, detected), Excel ``.xlsx`` (first sheet), SPSS ``.sav``/``.zsav`` and
Stata ``.dta`` (through pyreadstat, value labels read, SPSS user-missing codes kept as
numbers so "don't know" stays 9).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import InputError
from ._reasons import Reason, reason

__all__ = ["FORMATS", "RawTable", "cell_text", "read_response_file"]

#: format key → how it is named in descriptions
FORMATS = {"csv": "CSV", "tsv": "TSV", "xlsx": "Excel XLSX", "sav": "SPSS .sav", "dta": "Stata .dta"}

_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "utf-16": "UTF-16",
                   "cp1252": "cp1252", "latin-1": "Latin-1"}
_DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "tab"}


@dataclass
class RawTable:
    """A response file as read: text cells, source rows, labels and what was detected.

    ``frame`` has one object column per file column (names stripped, made unique with a
    ``#2`` suffix where the file repeats one) and one row per non-blank source row.
    ``row_numbers[i]`` is the source row of ``frame.iloc[i]`` (spreadsheet-style: the
    header is row 1; for SPSS and Stata the case number). ``row_reasons`` maps a row
    position to problems found while reading it (a CSV row with the wrong number of fields).
    """

    frame: pd.DataFrame
    row_numbers: np.ndarray
    format: str
    sha256: str
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    row_reasons: dict[int, list[Reason]] = field(default_factory=dict)
    blank_rows: int = 0
    duplicate_columns: tuple[str, ...] = ()

    @property
    def description(self) -> str:
        """What was detected, for people: ``"CSV, cp1252, ';'"``."""
        parts = [FORMATS.get(self.format, self.format)]
        if self.encoding:
            parts.append(_ENCODING_NAMES.get(self.encoding, self.encoding))
        if self.delimiter and self.format == "csv":
            parts.append(_DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter)))
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.labels:
            parts.append(f"value labels on {len(self.labels)} column(s)")
        return ", ".join(parts)


# ---------------------------------------------------------------- cells
def cell_text(value: object) -> str:
    """A cell as text: blank for None/NaN, whole floats without ``.0``.

    Examples
    --------
    >>> [cell_text(v) for v in (4.0, 4.5, None, float("nan"), "  x ", 7, True)]
    ['4', '4.5', '', '', '  x ', '7', '1']
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        if math.isfinite(value) and float(value).is_integer():
            return str(int(value))
        return repr(float(value))
    if value is pd.NA or value is pd.NaT:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _column_text(column: pd.Series) -> np.ndarray:
    """A column of any dtype as an object array of ``str`` (factorised: few distinct values)."""
    if column.dtype == object and all(isinstance(v, str) for v in column.head(50)):
        values = column.to_numpy(dtype=object)
        if all(isinstance(v, str) for v in values):
            return values
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    texts = np.array([cell_text(u) for u in uniques] + [""], dtype=object)
    return texts[codes]  # code -1 (missing) takes the trailing ""


def _unique_names(names: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """Stripped header names, blanks named ``column_N``, repeats suffixed ``#2``."""
    seen: dict[str, int] = {}
    out, repeated = [], []
    for i, raw in enumerate(names):
        name = cell_text(raw).strip().lstrip("\ufeff").strip() or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            repeated.append(name)
            name = f"{name}#{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out, tuple(dict.fromkeys(repeated))


def _drop_unnamed_empty(frame: pd.DataFrame, header) -> pd.DataFrame:
    """Drop columns without a header name that hold nothing (Excel's formatted blank columns)."""
    drop = [name for name, raw in zip(frame.columns, header)
            if not cell_text(raw).strip() and (frame[name] == "").all()]
    return frame.drop(columns=drop) if drop else frame


def _drop_blank_rows(frame: pd.DataFrame, rows: np.ndarray):
    """Remove rows in which every cell is empty; return the frame, its rows and how many went."""
    if frame.empty or not len(frame.columns):
        return frame.reset_index(drop=True), rows, 0
    first = frame.iloc[:, 0].to_numpy(dtype=object)
    candidates = np.flatnonzero(first == "")
    if not len(candidates):
        return frame.reset_index(drop=True), rows, 0
    sub = frame.iloc[candidates].to_numpy(dtype=object)
    blank = candidates[np.all(sub == "", axis=1)]
    if not len(blank):
        return frame.reset_index(drop=True), rows, 0
    keep = np.ones(len(frame), dtype=bool)
    keep[blank] = False
    return frame.loc[keep].reset_index(drop=True), rows[keep], len(blank)


# ---------------------------------------------------------------- text files
def _detect_encoding(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _detect_delimiter(header_line: str, path: Path) -> str:
    counts = {d: header_line.count(d) for d in ("\t", ";", ",")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    if counts[best] == 0:
        return "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    return best


def _read_text(path: Path, data: bytes, sha: str) -> RawTable:
    encoding = _detect_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:  # pragma: no cover - latin-1 decodes anything
        raise InputError(f"{path.name}: cannot decode the file ({exc})") from None
    text = text.lstrip("\ufeff")
    first = next((line for line in text[:1 << 16].splitlines()[:200] if line.strip()), None)
    if first is None:
        raise InputError(f"{path.name}: the file is empty (no header row)")
    delimiter = _detect_delimiter(first, path)
    fmt = "tsv" if delimiter == "\t" else "csv"
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    except (csv.Error, StopIteration) as exc:
        raise InputError(f"{path.name}: cannot read the header row ({exc})") from None
    names, repeated = _unique_names(header)
    table = _parse_with_pandas(text, delimiter, names) if "\x00" not in text else None
    if table is None:
        frame, rows, row_reasons = _parse_with_csv(path, text, delimiter, names)
    else:
        frame, rows, row_reasons = table, np.arange(2, len(table) + 2, dtype=np.int64), {}
    del text
    frame = _drop_unnamed_empty(frame, header + [""] * (len(names) - len(header)))
    frame, rows, blank, row_reasons = _drop_blank_keep_reasons(frame, rows, row_reasons)
    return RawTable(frame, rows, "csv" if fmt == "csv" else "tsv", sha, encoding, delimiter,
                    row_reasons=row_reasons, blank_rows=blank, duplicate_columns=repeated)


def _drop_blank_keep_reasons(frame, rows, row_reasons):
    if not row_reasons:
        frame, rows, blank = _drop_blank_rows(frame, rows)
        return frame, rows, blank, {}
    by_row = {int(rows[pos]): found for pos, found in row_reasons.items()}
    frame, rows, blank = _drop_blank_rows(frame, rows)
    position = {int(r): i for i, r in enumerate(rows)}
    return frame, rows, blank, {position[r]: found for r, found in by_row.items() if r in position}


def _parse_with_pandas(text: str, delimiter: str, names: list[str]) -> pd.DataFrame | None:
    """The fast path; ``None`` when the file has rows of the wrong width (or anything odd)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            frame = pd.read_csv(
                io.StringIO(text), sep=delimiter, header=0, names=names, dtype=object,
                na_filter=False, skip_blank_lines=False, index_col=False, engine="c",
                on_bad_lines="error", quotechar='"', doublequote=True,
            )
    except Exception:  # noqa: BLE001 - any trouble: the careful path below reports it per row
        return None
    if list(frame.columns) != names:
        return None
    return frame


def _parse_with_csv(path: Path, text: str, delimiter: str, names: list[str]):
    """The careful path: the csv module, one record at a time, wrong widths reported per row."""
    width = len(names)
    records: list[list[str]] = []
    rows: list[int] = []
    row_reasons: dict[int, list[Reason]] = {}
    reader = csv.reader(io.StringIO(text.replace("\x00", "")), delimiter=delimiter, strict=False)
    try:
        next(reader, None)  # the header row (absent when the file held only NUL bytes)
        for number, record in enumerate(reader, start=2):
            if len(record) != width and record:
                if any(cell.strip() for cell in record[width:]) or len(record) < width:
                    row_reasons[len(records)] = [reason("malformed-row", "", "", got=len(record),
                                                        expected=width)]
                record = (record + [""] * width)[:width]
            elif not record:
                record = [""] * width
            records.append(record)
            rows.append(number)
    except csv.Error as exc:
        raise InputError(f"{path.name}: cannot read row {reader.line_num} ({exc})") from None
    frame = pd.DataFrame.from_records(records, columns=names) if records else pd.DataFrame(
        {name: pd.Series([], dtype=object) for name in names})
    return frame.astype(object), np.asarray(rows, dtype=np.int64), row_reasons


# ---------------------------------------------------------------- spreadsheets and statistics files
def _read_xlsx(path: Path, sha: str) -> RawTable:
    try:
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a broken file
        raise InputError(f"{path.name}: cannot open as an Excel workbook ({type(exc).__name__}: {exc})") from None
    try:
        sheet = workbook.worksheets[0]
        header, records, rows = None, [], []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if header is None:
                if any(v is not None and cell_text(v).strip() for v in values):
                    header = list(values)
                continue
            records.append([cell_text(v) for v in values])
            rows.append(number)
        title = sheet.title
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"{path.name}: cannot read the first sheet ({type(exc).__name__}: {exc})") from None
    finally:
        workbook.close()
    if header is None:
        raise InputError(f"{path.name}: the first sheet is empty (no header row)")
    names, repeated = _unique_names(header)
    width = len(names)
    records = [(r + [""] * width)[:width] for r in records]
    frame = pd.DataFrame.from_records(records, columns=names) if records else pd.DataFrame(
        {name: pd.Series([], dtype=object) for name in names})
    frame = _drop_unnamed_empty(frame.astype(object), header)
    frame, rows_arr, blank = _drop_blank_rows(frame, np.asarray(rows, dtype=np.int64))
    return RawTable(frame, rows_arr, "xlsx", sha, sheet=title, blank_rows=blank,
                    duplicate_columns=repeated)


def _read_stat(path: Path, sha: str, fmt: str) -> RawTable:
    import pyreadstat

    try:
        if fmt == "sav":
            data, meta = pyreadstat.read_sav(str(path), user_missing=True, apply_value_formats=False)
        else:
            data, meta = pyreadstat.read_dta(str(path), apply_value_formats=False)
    except Exception as exc:  # noqa: BLE001 - pyreadstat raises its own and OSError kinds
        raise InputError(f"{path.name}: cannot read as {FORMATS[fmt]} ({exc})") from None
    names, repeated = _unique_names([str(c) for c in data.columns])
    frame = pd.DataFrame({name: _column_text(data[col]) for name, col in zip(names, data.columns)})
    labels = {}
    for name, col in zip(names, data.columns):
        found = (meta.variable_value_labels or {}).get(col)
        if found:
            labels[name] = {cell_text(code): str(label) for code, label in found.items()}
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    frame, rows, blank = _drop_blank_rows(frame, rows)
    encoding = (getattr(meta, "file_encoding", None) or "")
    return RawTable(frame, rows, fmt, sha, encoding=str(encoding), labels=labels,
                    blank_rows=blank, duplicate_columns=repeated)


def _sniff_format(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        if suffix in (".ods",):
            raise InputError(f"{path.name}: OpenDocument spreadsheets are not read; save it as .xlsx or CSV")
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(f"{path.name}: old Excel .xls files are not read; save it as .xlsx or CSV")
    if head.startswith((b"$FL2", b"$FL3")):
        return "sav"
    if head.startswith(b"<stata_dta>") or (suffix == ".dta" and head[:1] in (b"\x71", b"\x72", b"\x73", b"\x77")):
        return "dta"
    if suffix in (".xlsx", ".xlsm", ".sav", ".zsav", ".dta"):
        raise InputError(f"{path.name}: the file name says {suffix} but the content is not such a file")
    return "csv"


def read_response_file(path: str | Path) -> RawTable:
    """Read a response file of any supported format into a :class:`RawTable`.

    Raises
    ------
    InputError
        When the file does not exist, is empty, or cannot be read as any supported format.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not data.strip():
        raise InputError(f"{path.name}: the file is empty")
    sha = hashlib.sha256(data).hexdigest()
    fmt = _sniff_format(path, data[:16])
    if fmt == "csv":
        return _read_text(path, data, sha)
    del data
    if fmt == "xlsx":
        return _read_xlsx(path, sha)
    return _read_stat(path, sha, fmt)
