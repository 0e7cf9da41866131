"""Response tables: one wide table per instrument version, one row per unit and wave.

A table ``responses__<instrument>__v<version>`` has the key columns ``respondent``
(pseudonym), ``region``, ``wave``, ``role`` and ``import_id``, then one column per item:
``INTEGER`` for items on a numeric scale (scale values and missing codes as given),
``TEXT`` for free text. Respondent-level instruments are keyed by (wave, respondent),
region-level ones by (wave, region). Which tables exist, and their items in questionnaire
order, is recorded in ``instrument_versions``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3

from .._errors import StoreError

__all__ = ["KEY_COLUMNS", "TableInfo", "ensure_table", "quote", "table_infos"]

KEY_COLUMNS = ("respondent", "region", "wave", "role", "import_id")
_SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def quote(name: str) -> str:
    """A column or table name, double-quoted for SQL (names are checked to be plain)."""
    if not _SAFE.match(name):
        raise StoreError(f"unsafe name for the store: {name!r}")
    return f'"{name}"'


class TableInfo:
    """One instrument version's table: its name, level and items (id → 'integer' | 'text')."""

    def __init__(self, instrument: str, version: int, level: str, table: str, items: list[tuple[str, str]]):
        self.instrument = instrument
        self.version = int(version)
        self.level = level
        self.table = table
        self.items = [(str(i), str(k)) for i, k in items]

    @property
    def item_ids(self) -> list[str]:
        return [item_id for item_id, _ in self.items]

    @property
    def key(self) -> tuple[str, str]:
        return ("wave", "respondent") if self.level == "respondent" else ("wave", "region")

    def __repr__(self) -> str:
        return f"TableInfo({self.instrument!r}, v{self.version}, {self.table!r}, {len(self.items)} items)"


def table_infos(connection: sqlite3.Connection, instrument: str | None = None) -> list[TableInfo]:
    """The response tables (all, or one instrument's), ordered by instrument and version."""
    sql = "SELECT instrument, version, level, table_name, items FROM instrument_versions"
    args: tuple = ()
    if instrument is not None:
        sql += " WHERE instrument = ?"
        args = (instrument,)
    rows = connection.execute(sql + " ORDER BY instrument, version", args).fetchall()
    return [TableInfo(i, v, lvl, t, json.loads(items)) for i, v, lvl, t, items in rows]


def _kind(item) -> str:
    return "integer" if item.scale.is_numeric else "text"


def ensure_table(connection: sqlite3.Connection, instrument) -> TableInfo:
    """The table of ``instrument``'s version, created or widened as needed (call inside a transaction).

    An item added to an instrument without a new version gets a new column (older rows
    blank there); an item whose kind changed (numeric ↔ text) under the same version is
    refused: that is a new item, and needs a new version.
    """
    table = instrument.table
    quote(table)
    wanted = [(item.id, _kind(item)) for item in instrument.items]
    row = connection.execute(
        "SELECT level, items FROM instrument_versions WHERE instrument = ? AND version = ?",
        (instrument.id, instrument.version)).fetchone()
    if row is None:
        key = "wave, respondent" if instrument.level == "respondent" else "wave, region"
        respondent = "TEXT NOT NULL" if instrument.level == "respondent" else "TEXT"
        columns = ",\n    ".join(f"{quote(item_id)} {kind.upper()}" for item_id, kind in wanted)
        connection.execute(
            f"CREATE TABLE {quote(table)} (\n"
            f"    respondent {respondent},\n    region TEXT NOT NULL,\n    wave TEXT NOT NULL,\n"
            f"    role TEXT,\n    import_id INTEGER NOT NULL REFERENCES imports (id)"
            + (",\n    " + columns if columns else "")
            + f",\n    PRIMARY KEY ({key})\n)")
        connection.execute(
            "INSERT INTO instrument_versions (instrument, version, level, table_name, items, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (instrument.id, instrument.version, instrument.level, table, json.dumps(wanted),
             dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
        return TableInfo(instrument.id, instrument.version, instrument.level, table, wanted)
    level, stored_json = row
    if level != instrument.level:
        raise StoreError(f"instrument '{instrument.id}' version {instrument.version} was stored at "
                         f"{level} level and is now {instrument.level} level; give it a new version")
    stored = [tuple(x) for x in json.loads(stored_json)]
    kinds = dict(stored)
    changed = [item_id for item_id, kind in wanted if item_id in kinds and kinds[item_id] != kind]
    if changed:
        raise StoreError(f"item(s) {', '.join(changed)} of '{instrument.id}' version {instrument.version} "
                         "changed between numeric and text; a changed item is a new item: "
                         "give it a new id or the instrument a new version")
    added = [(item_id, kind) for item_id, kind in wanted if item_id not in kinds]
    for item_id, kind in added:
        connection.execute(f"ALTER TABLE {quote(table)} ADD COLUMN {quote(item_id)} {kind.upper()}")
    merged = wanted + [(item_id, kind) for item_id, kind in stored if item_id not in dict(wanted)]
    if merged != stored:
        connection.execute("UPDATE instrument_versions SET items = ? WHERE instrument = ? AND version = ?",
                           (json.dumps(merged), instrument.id, instrument.version))
    return TableInfo(instrument.id, instrument.version, instrument.level, table, merged)
