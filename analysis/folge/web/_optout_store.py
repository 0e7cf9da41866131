"""Opting out of e-mail, in the store: find a contact by the id in its opt-out link, record it.

The contacts table belongs to :mod:`folge.mail` (migration ``0003-mail``), which mails the
link ``BASE/optout/ID``; the web app answers it (:mod:`._optout`). These functions sit
here, below the mail package, so that both can use them: the store keeps only the id's
SHA-256, and nothing here ever reads the address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from dataclasses import dataclass

__all__ = ["OptOut", "find_optout", "optout_hash", "record_optout"]


def optout_hash(opaque: str) -> str:
    """Hex SHA-256 of an opt-out id: the only form the store keeps and looks it up in.

    Examples
    --------
    >>> optout_hash("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(opaque.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class OptOut:
    """What an opt-out page may know of a contact: region, language (None: the region's), and whether done."""

    region: str
    language: str | None
    opted_out_at: str | None

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None


def find_optout(connection: sqlite3.Connection, opaque: str) -> OptOut | None:
    """The contact whose opt-out link carries ``opaque``, or None (one indexed query by hash)."""
    row = connection.execute("SELECT region, language, opted_out_at FROM contacts WHERE optout_hash = ?",
                             (optout_hash(opaque),)).fetchone()
    return OptOut(*row) if row else None


def record_optout(connection: sqlite3.Connection, opaque: str, at: dt.datetime | None = None) -> bool:
    """Record the opt-out of the contact with ``opaque``; False when no contact has that id.

    Idempotent: a second opt-out keeps the first time.
    """
    moment = (at or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    when = moment.replace(microsecond=0).isoformat()
    with connection:
        cursor = connection.execute("UPDATE contacts SET opted_out_at = COALESCE(opted_out_at, ?) "
                                    "WHERE optout_hash = ?", (when, optout_hash(opaque)))
    return cursor.rowcount == 1
