"""When an invitation was opened, and when each page was shown and saved (for speeding flags).

The tables (migration ``0004-web-times`` in :mod:`folge.store`)::

    invitations.opened_at  the first GET of /s/{token} (the coordinator view's "opened")
    page_times             token_hash, page, instrument, shown_at (first display),
                           saved_at (last save), items (answered at that save)

A page's time runs from its first display to its last save, so going back to a page
never shortens it: a respondent is flagged as speeding only when even that generous
time is short (:func:`folge.quality.speeding`). Answers saved through the JSON API have
no display time: their rows have page 0 and no ``shown_at``.

Every function takes the store's sqlite3 connection and an aware moment (the app's clock).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable

__all__ = ["iso", "record_opened", "record_page_saved", "record_page_shown", "record_api_saved"]


def iso(moment: dt.datetime) -> str:
    """An aware moment as UTC ISO 8601 to the millisecond (page times need more than seconds).

    Examples
    --------
    >>> iso(dt.datetime(2026, 3, 2, 9, 0, 1, 500000, tzinfo=dt.timezone(dt.timedelta(hours=1))))
    '2026-03-02T08:00:01.500+00:00'
    """
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds")


def record_opened(connection: sqlite3.Connection, token_hash: str, at: dt.datetime) -> None:
    """Note the first time the invitation's link was opened (later openings keep it)."""
    with connection:
        connection.execute("UPDATE invitations SET opened_at = COALESCE(opened_at, ?) WHERE token_hash = ?",
                           (iso(at), token_hash))


def record_page_shown(connection: sqlite3.Connection, token_hash: str, page: int, instrument: str,
                      at: dt.datetime) -> None:
    """Note that ``page`` (of ``instrument``) was shown; only its first display counts."""
    with connection:
        connection.execute(
            "INSERT INTO page_times (token_hash, page, instrument, shown_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (token_hash, page, instrument) DO UPDATE"
            " SET shown_at = COALESCE(page_times.shown_at, excluded.shown_at)",
            (token_hash, page, instrument, iso(at)))


def record_page_saved(connection: sqlite3.Connection, token_hash: str, page: int, instrument: str,
                      items: int, at: dt.datetime) -> None:
    """Note that ``page`` was saved with ``items`` answered (the last save counts)."""
    with connection:
        connection.execute(
            "INSERT INTO page_times (token_hash, page, instrument, saved_at, items) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (token_hash, page, instrument) DO UPDATE"
            " SET saved_at = excluded.saved_at, items = excluded.items",
            (token_hash, page, instrument, iso(at), int(items)))


def record_api_saved(connection: sqlite3.Connection, token_hash: str, answered: Iterable[tuple[str, int]],
                     at: dt.datetime) -> None:
    """Note an API save: per instrument, how many of its items the draft now answers (page 0)."""
    for instrument, items in answered:
        record_page_saved(connection, token_hash, 0, instrument, items, at)
