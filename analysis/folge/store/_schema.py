"""The store's schema and its migrations.

The schema is versioned by the migrations applied to it. Each migration has a stable id
and is applied once, in list order, inside a transaction; the ids applied are recorded in
``schema_migrations``. To add tables, append a :class:`Migration` to :data:`MIGRATIONS`
(never edit or reorder one that has shipped): stores made earlier pick it up the next
time they are opened. A store that records a migration this version of folge does not
know was written by a newer folge and is refused rather than misread.

Response tables are not migrations: there is one per instrument version, made when its
first file is ingested (:mod:`._tables`).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from .._errors import StoreError

__all__ = ["APPLICATION", "MIGRATIONS", "SCHEMA_VERSION", "Migration", "applied_migrations", "migrate"]

#: Written to ``meta`` so that folge recognises its own databases.
APPLICATION = "folge"


@dataclass(frozen=True)
class Migration:
    """One step of the schema: an id that never changes, what it does, and SQL or a function."""

    id: str
    description: str
    sql: str = ""
    apply: Callable[[sqlite3.Connection], None] | None = None

    def run(self, connection: sqlite3.Connection) -> None:
        buffer = ""
        for piece in self.sql.split(";"):
            buffer += piece + ";"
            if sqlite3.complete_statement(buffer):  # a ';' in a comment or string does not end it
                if buffer.strip(" \n\t;"):
                    connection.execute(buffer)
                buffer = ""
        if buffer.strip(" \n\t;"):
            raise StoreError(f"migration {self.id}: incomplete SQL statement at the end")
        if self.apply is not None:
            self.apply(connection)


MIGRATIONS: list[Migration] = [
    Migration(
        "0001-core",
        "meta, instrument versions, import log and quarantine",
        """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        INSERT INTO meta (key, value) VALUES ('application', 'folge');
        CREATE TABLE instrument_versions (
            instrument TEXT NOT NULL,
            version INTEGER NOT NULL,
            level TEXT NOT NULL,
            table_name TEXT NOT NULL UNIQUE,
            items TEXT NOT NULL,              -- JSON: [[item id, "integer" | "text"], ...] in order
            created TEXT NOT NULL,
            PRIMARY KEY (instrument, version)
        );
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,             -- file name (no folder), or e.g. 'web'
            source_kind TEXT NOT NULL,        -- 'file', 'web', 'platform', ...
            sha256 TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            instrument TEXT NOT NULL,
            version INTEGER NOT NULL,
            wave TEXT NOT NULL DEFAULT '',    -- the wave given for the whole file, '' if none
            n_read INTEGER NOT NULL,
            n_stored INTEGER NOT NULL,
            n_skipped INTEGER NOT NULL,
            n_quarantined INTEGER NOT NULL,
            warnings TEXT NOT NULL DEFAULT '[]',  -- JSON list of {code, column, value, message}
            started TEXT NOT NULL,
            finished TEXT NOT NULL,
            folge_version TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX imports_by_sha256 ON imports (sha256, instrument, wave);
        CREATE TABLE quarantine (
            id INTEGER PRIMARY KEY,
            import_id INTEGER NOT NULL REFERENCES imports (id),
            source TEXT NOT NULL,
            row INTEGER NOT NULL,             -- source row (header = 1; case number for SPSS/Stata)
            respondent TEXT,                  -- pseudonym, never the raw id
            instrument TEXT NOT NULL,
            version INTEGER NOT NULL,
            wave TEXT,
            codes TEXT NOT NULL,              -- the reasons' codes joined by ' '
            reasons TEXT NOT NULL,            -- JSON list of {code, column, value, message}
            "values" TEXT NOT NULL            -- JSON object: the row's cells, respondent pseudonymised
        );
        CREATE INDEX quarantine_by_import ON quarantine (import_id);
        CREATE INDEX quarantine_by_respondent ON quarantine (respondent)
        """,
    ),
    Migration(
        "0002-web",
        "web questionnaire: invitations (token hashes, never tokens) and drafts",
        """
        CREATE TABLE invitations (
            token_hash TEXT PRIMARY KEY,      -- hex SHA-256 of the token; the token is never stored
            region TEXT NOT NULL,
            wave TEXT NOT NULL,
            role TEXT NOT NULL,
            instruments TEXT NOT NULL,        -- instrument ids joined by ','
            level TEXT NOT NULL DEFAULT 'respondent',  -- 'region' for a coordinator's status report
            respondent TEXT NOT NULL,         -- the pseudonym (so erasure removes invitations too)
            panel INTEGER NOT NULL DEFAULT 0, -- 1 when the pseudonym came from a panel key
            created_at TEXT NOT NULL,
            consented_at TEXT,
            submitted_at TEXT                 -- set once, in the transaction that stores the answers
        );
        CREATE INDEX invitations_by_wave ON invitations (wave, region, role);
        CREATE INDEX invitations_by_respondent ON invitations (respondent, wave);
        CREATE TABLE drafts (
            token_hash TEXT PRIMARY KEY REFERENCES invitations (token_hash) ON DELETE CASCADE,
            answers TEXT NOT NULL DEFAULT '{}', -- JSON: item id -> value, until submitted
            page INTEGER NOT NULL DEFAULT 1,
            lang TEXT,
            updated_at TEXT NOT NULL
        )
        """,
    ),
    Migration(
        "0003-mail",
        "e-mail contacts (kept apart from answers), sealed invitation tokens and the send log",
        """
        CREATE TABLE contacts (
            email TEXT PRIMARY KEY,           -- lower-cased address: identifies the contact
            respondent TEXT NOT NULL UNIQUE,  -- pseudonym, HMAC of the address (so erasure finds it)
            name TEXT NOT NULL DEFAULT '',
            region TEXT NOT NULL,
            role TEXT NOT NULL,
            language TEXT,                    -- nb, nn or en; NULL: the region's language
            optout_hash TEXT NOT NULL UNIQUE, -- hex SHA-256 of the opt-out link's id
            opted_out_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE mail_tokens (
            respondent TEXT NOT NULL,         -- the contact's pseudonym
            wave TEXT NOT NULL,
            token_hash TEXT NOT NULL,         -- the invitation (invitations.token_hash)
            sealed TEXT NOT NULL,             -- the token, encrypted under a key derived from the study key
            created_at TEXT NOT NULL,
            PRIMARY KEY (respondent, wave)
        );
        CREATE TABLE mail_log (
            id INTEGER PRIMARY KEY,
            respondent TEXT NOT NULL,         -- the contact's pseudonym
            wave TEXT NOT NULL,
            kind TEXT NOT NULL,               -- 'invitation' or 'reminder'
            step INTEGER,                     -- a scheduled reminder's day after opens; else NULL
            message_id TEXT NOT NULL,
            sent_at TEXT NOT NULL             -- when the server accepted the message
        );
        CREATE UNIQUE INDEX mail_log_one_invitation ON mail_log (respondent, wave) WHERE kind = 'invitation';
        CREATE INDEX mail_log_by_wave ON mail_log (wave, kind, respondent)
        """,
    ),
    Migration(
        "0004-web-times",
        "web questionnaire: when an invitation was first opened, and when each page was shown and saved",
        """
        ALTER TABLE invitations ADD COLUMN opened_at TEXT;  -- first GET of /s/{token}
        CREATE TABLE page_times (
            token_hash TEXT NOT NULL REFERENCES invitations (token_hash) ON DELETE CASCADE,
            page INTEGER NOT NULL,            -- the form's page number; 0 for answers saved through the API
            instrument TEXT NOT NULL,         -- the instrument the page (or the saved answers) belong to
            shown_at TEXT,                    -- first time the page was shown (NULL through the API)
            saved_at TEXT,                    -- last time it was saved
            items INTEGER NOT NULL DEFAULT 0, -- items answered on the page at that save
            PRIMARY KEY (token_hash, page, instrument)
        )
        """,
    ),
]

#: The schema version this folge writes: the number of migrations it knows.
SCHEMA_VERSION = len(MIGRATIONS)

_LEDGER = """CREATE TABLE IF NOT EXISTS schema_migrations (
    id TEXT PRIMARY KEY,
    applied TEXT NOT NULL
)"""


def applied_migrations(connection: sqlite3.Connection) -> list[str]:
    """Ids of the migrations applied to the store, in the order they were applied."""
    exists = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").fetchone()
    if not exists:
        return []
    return [row[0] for row in connection.execute("SELECT id FROM schema_migrations ORDER BY rowid")]


def migrate(connection: sqlite3.Connection, migrations: list[Migration] | None = None) -> list[str]:
    """Apply every migration not yet applied, each in its own transaction; return their ids.

    Raises
    ------
    StoreError
        When the store records migrations this folge does not know (made by a newer folge).
    """
    migrations = MIGRATIONS if migrations is None else migrations
    known = [m.id for m in migrations]
    if len(set(known)) != len(known):
        raise StoreError("two store migrations share an id; every migration needs its own id")
    done = applied_migrations(connection)
    unknown = [m for m in done if m not in known]
    if unknown:
        raise StoreError(
            f"the store was written by a newer folge (it has schema step(s) {', '.join(unknown)} "
            "that this version does not know); upgrade folge to use it")
    ran = []
    for migration in migrations:
        if migration.id in done:
            continue
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute(_LEDGER)
            if connection.execute("SELECT 1 FROM schema_migrations WHERE id = ?", (migration.id,)).fetchone():
                connection.execute("ROLLBACK")  # another process applied it meanwhile
                continue
            migration.run(connection)
            connection.execute("INSERT INTO schema_migrations (id, applied) VALUES (?, ?)",
                               (migration.id, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
            connection.execute(f"PRAGMA user_version = {len(applied_migrations(connection))}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        ran.append(migration.id)
    return ran
