"""One import, one transaction: compare validated rows with the store, then write them.

The store receives rows that :mod:`folge.ingest` has already pseudonymised and validated
(a :class:`folge.ingest.Validated` batch); it never reads or checks raw cells itself.
The steps of :func:`write_validated`:

1. ``BEGIN IMMEDIATE``; a file already imported (same SHA-256, instrument and wave)
   stops here and adds nothing;
2. rows whose respondent and wave are already stored are compared through a temporary
   table join: identical answers are skipped, different ones quarantined as ``conflict``
   (worded by the batch itself, :meth:`folge.ingest.Validated.conflict_reason`);
3. the import log row, the new responses (``executemany`` in chunks) and the quarantine
   are written, and the transaction commits. Anything that goes wrong, a kill included,
   leaves the store as it was: SQLite rolls back an uncommitted WAL transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import numpy as np
import pandas as pd

from .._version import __version__
from ._result import IngestResult
from ._response_tables import TableInfo, ensure_table, quote, table_infos

__all__ = ["CHUNK_ROWS", "previous_import", "write_validated"]

#: Rows per ``executemany`` call (and per progress report) while storing.
CHUNK_ROWS = 20_000


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def previous_import(connection, sha256: str, instrument_id: str, wave: str | None) -> int | None:
    """The id of the first import of the same file (SHA-256) for this instrument and wave, or ``None``."""
    row = connection.execute(
        "SELECT id FROM imports WHERE sha256 = ? AND instrument = ? AND wave = ? ORDER BY id LIMIT 1",
        (sha256, instrument_id, wave or "")).fetchone()
    return None if row is None else row[0]


def _cell(column, pos: int):
    if column.blank[pos]:
        return None
    value = column.values[pos]
    return int(value) if column.numeric else value


def _describe_difference(stored: dict, new: dict) -> tuple[str, str, str]:
    """(first differing column, its new value, a short detail text)."""
    diffs = [(col, stored.get(col), value) for col, value in new.items() if stored.get(col) != value]
    diffs += [(col, value, None) for col, value in stored.items() if col not in new and value is not None]
    parts = [f"{col}: stored {old if old is not None else 'blank'}, "
             f"here {value if value is not None else 'blank'}" for col, old, value in diffs[:4]]
    if len(diffs) > 4:
        parts.append(f"{len(diffs) - 4} more")
    first = diffs[0] if diffs else ("", None, None)
    return first[0], "" if first[2] is None else str(first[2]), ", ".join(parts)


def _match_stored(connection, instrument, info: TableInfo, validated, positions: np.ndarray):
    """Positions identical to stored rows (skip) and conflicts {position: Reason}."""
    skip: list[int] = []
    conflicts: dict[int, object] = {}
    if not len(positions):
        return skip, conflicts
    unit = validated.unit
    keys = validated.key()
    waves = sorted(set(validated.wave[positions].tolist()))
    tables = [t for t in table_infos(connection, instrument.id) if t.level == info.level]
    holder = ",".join("?" * len(waves))
    tables = [t for t in tables if connection.execute(
        f"SELECT 1 FROM {quote(t.table)} WHERE wave IN ({holder}) LIMIT 1", waves).fetchone()]
    if not tables:
        return skip, conflicts
    connection.execute("CREATE TEMP TABLE IF NOT EXISTS folge_incoming (wave TEXT, unit TEXT, pos INTEGER)")
    connection.execute("DELETE FROM temp.folge_incoming")
    connection.executemany("INSERT INTO temp.folge_incoming VALUES (?, ?, ?)",
                           zip(validated.wave[positions].tolist(), keys[positions].tolist(),
                               positions.tolist()))
    by_id = {c.item_id: c for c in validated.items}
    seen: set[int] = set()
    for table in tables:
        columns = ["region", "role"] + table.item_ids
        select = ", ".join(f"t.{quote(c)}" for c in columns)
        rows = connection.execute(
            f"SELECT i.pos, {select} FROM temp.folge_incoming AS i JOIN {quote(table.table)} AS t "
            f"ON t.wave = i.wave AND t.{unit} = i.unit").fetchall()
        for pos, *stored_values in rows:
            if pos in seen:
                continue
            seen.add(pos)
            stored = dict(zip(columns, stored_values))
            new = {"region": validated.region[pos], "role": validated.role[pos]}
            new.update({item_id: _cell(column, pos) for item_id, column in by_id.items()})
            same_version = table.version == instrument.version
            if same_version and all(stored.get(c) == v for c, v in new.items()) and all(
                    v is None for c, v in stored.items() if c not in new):
                skip.append(pos)
                continue
            column, value, detail = _describe_difference(stored, new)
            if not same_version:
                detail = f"stored under version {table.version} of '{instrument.id}'"
            conflicts[pos] = validated.conflict_reason(pos, column, value, detail or "different answers")
    connection.execute("DROP TABLE temp.folge_incoming")
    return skip, conflicts


def _insert_responses(connection, info: TableInfo, validated, positions: np.ndarray, import_id: int,
                      progress) -> None:
    by_id = {c.item_id: c for c in validated.items}
    item_ids = [i for i in info.item_ids if i in by_id]
    if len(positions) > 1:  # in key order: the primary-key B-tree fills by appending
        keys = pd.DataFrame({"wave": validated.wave[positions], "unit": validated.key()[positions]})
        positions = positions[keys.sort_values(["wave", "unit"], kind="stable").index.to_numpy()]
    columns = ["respondent", "region", "wave", "role", "import_id", *item_ids]
    sql = (f"INSERT INTO {quote(info.table)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    total = len(positions)
    for start in range(0, total, CHUNK_ROWS):
        idx = positions[start:start + CHUNK_ROWS]
        lists = [validated.respondent[idx].tolist(), validated.region[idx].tolist(),
                 validated.wave[idx].tolist(), validated.role[idx].tolist(), [import_id] * len(idx)]
        for item_id in item_ids:
            column = by_id[item_id]
            values = column.values[idx].astype(object)
            blank = column.blank[idx]
            if blank.any():
                values[blank] = None
            lists.append(values.tolist())
        connection.executemany(sql, zip(*lists))
        if progress is not None:
            progress("store", min(start + CHUNK_ROWS, total), total)


def _quarantine_rows(frame: pd.DataFrame, validated, reasons: dict, import_id: int, source: str,
                     instrument) -> list[tuple]:
    if not reasons:
        return []
    positions = np.fromiter(sorted(reasons), dtype=np.int64)
    known = ["region", "wave", "role", *instrument.item_ids]
    present = [c for c in known if c in frame.columns]
    cells = frame.iloc[positions][present].to_dict("records")
    rows = []
    for pos, values in zip(positions.tolist(), cells):
        found = reasons[pos]
        respondent = validated.respondent[pos]
        ordered = {"respondent": respondent or ""}
        ordered.update(values)
        rows.append((
            import_id, source, int(validated.row_numbers[pos]), respondent, instrument.id,
            instrument.version, validated.wave[pos],
            " ".join(dict.fromkeys(r.code for r in found)),
            json.dumps([r.as_dict() for r in found], ensure_ascii=False),
            json.dumps(ordered, ensure_ascii=False, default=str),
        ))
    return rows


def write_validated(store, validated, *, wave: str | None, source: str, sha256: str,
                    source_kind: str = "file", description: str = "", progress=None,
                    in_transaction: bool = False) -> IngestResult:
    """Store a validated batch in one transaction; see :meth:`folge.store.Store.write_validated`."""
    started = time.perf_counter()
    connection = store.connection
    instrument = validated.instrument
    frame = validated.cells
    n = len(validated)
    # 1.-3. one transaction
    # with in_transaction=True the caller has begun the transaction and commits or rolls it back
    if in_transaction and not connection.in_transaction:
        raise ValueError("in_transaction=True needs a transaction begun by the caller (BEGIN IMMEDIATE)")
    if not in_transaction:
        connection.execute("BEGIN IMMEDIATE")
    try:
        previous = previous_import(connection, sha256, instrument.id, wave)
        if previous is not None:
            if not in_transaction:
                connection.execute("ROLLBACK")
            return IngestResult.duplicate(previous, n, source, description, instrument,
                                          time.perf_counter() - started)
        info = ensure_table(connection, instrument)
        good = validated.good
        skip, conflicts = _match_stored(connection, instrument, info, validated, good)
        reasons = dict(validated.reasons)
        for pos, why in conflicts.items():
            reasons[pos] = [why]
        if skip or conflicts:
            drop = np.fromiter([*skip, *conflicts], dtype=np.int64)
            good = good[~np.isin(good, drop)]
        when = _now()
        cursor = connection.execute(
            "INSERT INTO imports (source, source_kind, sha256, description, instrument, version, wave, "
            "n_read, n_stored, n_skipped, n_quarantined, warnings, started, finished, folge_version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?, ?)",
            (source, source_kind, sha256, description, instrument.id, instrument.version, wave or "", n,
             json.dumps([w.as_dict() for w in validated.warnings], ensure_ascii=False), when, when,
             __version__))
        import_id = cursor.lastrowid
        _insert_responses(connection, info, validated, good, import_id, progress)
        connection.executemany(
            'INSERT INTO quarantine (import_id, source, row, respondent, instrument, version, wave, codes, '
            'reasons, "values") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            _quarantine_rows(frame, validated, reasons, import_id, source, instrument))
        connection.execute(
            "UPDATE imports SET n_stored = ?, n_skipped = ?, n_quarantined = ?, finished = ? WHERE id = ?",
            (len(good), len(skip), len(reasons), _now(), import_id))
        if not in_transaction:
            connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction and not in_transaction:
            connection.execute("ROLLBACK")
        raise
    waves = tuple(sorted({w for w in validated.wave.tolist() if w is not None}))
    return IngestResult(
        read=n, stored=len(good), skipped=len(skip), quarantined=len(reasons),
        warnings=tuple(validated.warnings), source=source, description=description,
        instrument=instrument.id, version=instrument.version, waves=waves, import_id=import_id,
        codes=IngestResult.count_codes(reasons.values()), seconds=time.perf_counter() - started)
