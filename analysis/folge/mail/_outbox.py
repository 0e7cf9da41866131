"""The mail side of the store: sealed tokens and the send log (tables of migration ``0003-mail``).

``mail_log`` has one row per message the server accepted, written only after it accepted
it: an invitation at most once per contact and wave (a unique index says so), reminders
with their scheduled day (``step``) or none for ``folge remind --send``. ``folge invite
--send``, ``folge remind --send`` and ``folge mail run`` all read and write this one log.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

__all__ = ["SentReminders", "iso_utc", "parse_iso", "sent_invitations", "sent_reminders", "record_sent",
           "stored_tokens", "store_tokens", "invited_elsewhere"]


def iso_utc(moment: dt.datetime) -> str:
    """An aware moment as UTC ISO 8601 to the second (the form every time in the log has)."""
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()


def parse_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@dataclass(frozen=True)
class SentReminders:
    """A contact's reminders in one wave: when the last went, and the latest scheduled day sent."""

    last_at: dt.datetime
    last_step: int | None


def sent_invitations(connection: sqlite3.Connection, wave: str) -> dict[str, dt.datetime]:
    """Pseudonym → when the invitation to ``wave`` was accepted by the server."""
    rows = connection.execute("SELECT respondent, sent_at FROM mail_log WHERE wave = ? AND kind = 'invitation'",
                              (wave,)).fetchall()
    return {r: parse_iso(at) for r, at in rows}


def sent_reminders(connection: sqlite3.Connection, wave: str) -> dict[str, SentReminders]:
    """Pseudonym → its reminders in ``wave`` (the last time, the highest scheduled day)."""
    rows = connection.execute("SELECT respondent, MAX(sent_at), MAX(step) FROM mail_log "
                              "WHERE wave = ? AND kind = 'reminder' GROUP BY respondent", (wave,)).fetchall()
    return {r: SentReminders(parse_iso(at), step) for r, at, step in rows}


def record_sent(connection: sqlite3.Connection, *, pseudonym: str, wave: str, kind: str, step: int | None,
                message_id: str, sent_at: dt.datetime) -> None:
    """Log one message the server accepted (its own transaction: committed before the next is sent)."""
    with connection:
        connection.execute("INSERT INTO mail_log (respondent, wave, kind, step, message_id, sent_at)"
                           " VALUES (?, ?, ?, ?, ?, ?)",
                           (pseudonym, wave, kind, step, message_id, iso_utc(sent_at)))


def stored_tokens(connection: sqlite3.Connection, wave: str) -> dict[str, tuple[str, str]]:
    """Pseudonym → (token hash, sealed token) of the contacts' invitations to ``wave``."""
    rows = connection.execute("SELECT respondent, token_hash, sealed FROM mail_tokens WHERE wave = ?",
                              (wave,)).fetchall()
    return {r: (h, s) for r, h, s in rows}


def store_tokens(connection: sqlite3.Connection, wave: str, rows: list[tuple[str, str, str]],
                 created_at: dt.datetime) -> None:
    """Keep ``(pseudonym, token hash, sealed token)`` rows for ``wave``, in one transaction."""
    with connection:
        connection.executemany(
            "INSERT INTO mail_tokens (respondent, wave, token_hash, sealed, created_at) VALUES (?, ?, ?, ?, ?)",
            [(p, wave, h, s, iso_utc(created_at)) for p, h, s in rows])


def invited_elsewhere(connection: sqlite3.Connection, wave: str, pseudonyms: list[str]) -> set[str]:
    """Those of ``pseudonyms`` with a web invitation to ``wave`` whose token the mail side does not hold.

    Such an invitation was made by ``folge invite --panel`` (or its token was lost between
    two commits); its link cannot be mailed, and a second invitation is not allowed.
    """
    if not pseudonyms:
        return set()
    known = set(stored_tokens(connection, wave))
    found: set[str] = set()
    for start in range(0, len(pseudonyms), 500):
        chunk = pseudonyms[start:start + 500]
        rows = connection.execute(
            f"SELECT respondent FROM invitations WHERE wave = ? AND respondent IN ({','.join('?' * len(chunk))})",
            (wave, *chunk)).fetchall()
        found |= {r for (r,) in rows}
    return found - known
