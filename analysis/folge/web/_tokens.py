"""Invitation tokens: made from :mod:`secrets`, stored only as their SHA-256.

A token is 192 random bits in URL-safe base64 (32 characters). The store keeps the hex
SHA-256 of it and never the token, so a copy of the database opens no questionnaire.
An invitation belongs to one region, wave and role, names the instruments it answers and
carries the respondent's pseudonym: HMAC of a panel key (so the same person keeps one
pseudonym across waves; the key itself is never stored) or a fresh random one.

The tables (migration ``0002-web`` in :mod:`folge.store._schema`)::

    invitations  token_hash (PK), region, wave, role, instruments (comma-separated),
                 level ('region' for a coordinator's status report, else 'respondent'),
                 respondent (the pseudonym; so ``folge erase`` removes invitations too),
                 panel (1 when from a panel key), created_at, consented_at,
                 submitted_at (set once, in the same transaction as the responses)
    drafts       token_hash (PK), answers (JSON: item → value), page, lang, updated_at
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Iterable, Sequence

__all__ = [
    "TOKEN_BYTES",
    "Invitation",
    "new_token",
    "hash_token",
    "looks_like_token",
    "public_id",
    "add_invitations",
    "find_invitation",
    "pending_invitations",
    "invitation_counts",
    "now_utc",
]

#: 24 bytes = 192 bits from :func:`secrets.token_urlsafe` (the issue asks for at least 128).
TOKEN_BYTES = 24
_TOKEN_LENGTH = 32  # len(secrets.token_urlsafe(24))
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")



def now_utc() -> str:
    """The current time in UTC, ISO 8601 to the second."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def new_token() -> str:
    """A fresh single-use token: 192 bits from :mod:`secrets`, URL-safe.

    Examples
    --------
    >>> token = new_token()
    >>> len(token), looks_like_token(token), new_token() != token
    (32, True, True)
    """
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """Hex SHA-256 of a token: the only form a token is stored or looked up in.

    Examples
    --------
    >>> hash_token("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def looks_like_token(token: str) -> bool:
    """True when ``token`` has a token's length and alphabet (no database needed to say no).

    Callers still hash and look up every token, so a malformed one costs the same time.
    """
    return len(token) == _TOKEN_LENGTH and all(c in _TOKEN_CHARS for c in token)


def public_id(token_hash: str) -> str:
    """A short id for an invitation that opens nothing: the first 16 hex digits of its hash."""
    return token_hash[:16]


@dataclass(frozen=True)
class Invitation:
    """One invitation as stored (never the token itself)."""

    token_hash: str
    region: str
    wave: str
    role: str
    instruments: tuple[str, ...]
    pseudonym: str
    panel: bool
    created_at: str
    consented_at: str | None
    submitted_at: str | None
    opened_at: str | None = None  # first GET of /s/{token} (migration 0004-web-times)

    @property
    def id(self) -> str:
        return public_id(self.token_hash)

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


_COLUMNS = ("token_hash, region, wave, role, instruments, respondent, panel, created_at, "
            "consented_at, submitted_at")


def _row_to_invitation(row: Sequence) -> Invitation:
    return Invitation(row[0], row[1], row[2], row[3], tuple(filter(None, row[4].split(","))), row[5],
                      bool(row[6]), row[7], row[8], row[9])


def add_invitations(connection: sqlite3.Connection, *, region: str, wave: str, role: str,
                    instruments: Iterable[str], pseudonyms: Sequence[tuple[str, bool]],
                    level: str = "respondent") -> list[str]:
    """Create one invitation per ``(pseudonym, from_panel)`` and return their tokens, in order.

    Everything is written in one transaction. The tokens are returned to the caller only
    (for the mail merge); the store keeps their hashes.

    Raises
    ------
    ValueError
        When a panel pseudonym already has an invitation to the same wave.
    """
    instruments = ",".join(instruments)
    created = now_utc()
    tokens: list[str] = []
    with connection:
        for pseudonym, panel in pseudonyms:
            if panel:
                clash = connection.execute(
                    "SELECT 1 FROM invitations WHERE respondent = ? AND wave = ? LIMIT 1",
                    (pseudonym, wave)).fetchone()
                if clash:
                    raise ValueError(f"a panel member is already invited to wave '{wave}' "
                                     f"(pseudonym {pseudonym[:12]}…): one invitation per person and wave")
            token = new_token()
            connection.execute(
                f"INSERT INTO invitations ({_COLUMNS}, level) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)",
                (hash_token(token), region, wave, role, instruments, pseudonym, int(panel), created, level))
            tokens.append(token)
    return tokens


def find_invitation(connection: sqlite3.Connection, token: str) -> Invitation | None:
    """The invitation of ``token``, or None; one indexed query by hash whatever the token."""
    row = connection.execute(f"SELECT {_COLUMNS} FROM invitations WHERE token_hash = ?",
                             (hash_token(token),)).fetchone()
    return _row_to_invitation(row) if row else None


def pending_invitations(connection: sqlite3.Connection, wave: str) -> list[Invitation]:
    """Invitations to ``wave`` not yet submitted, by region, role and creation."""
    rows = connection.execute(
        f"SELECT {_COLUMNS} FROM invitations WHERE wave = ? AND submitted_at IS NULL "
        "ORDER BY region, role, created_at, token_hash", (wave,)).fetchall()
    return [_row_to_invitation(r) for r in rows]


def invitation_counts(connection: sqlite3.Connection) -> list[dict]:
    """Counts per region, wave and role: invited, opened, started, submitted, opted out.

    ``opened``: the link was opened (or the invitation got further); ``started``: it has
    a draft or consent; ``opted_out``: its e-mail contact opted out of mail (counted
    apart; they stay among the invited). Counts only, never answers: this is what
    ``/admin`` shows and what response rates use as the number invited.
    """
    rows = connection.execute(
        "SELECT i.region, i.wave, i.role, COUNT(*),"
        " SUM(CASE WHEN i.opened_at IS NOT NULL OR i.consented_at IS NOT NULL OR d.token_hash IS NOT NULL"
        "          OR i.submitted_at IS NOT NULL THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN i.consented_at IS NOT NULL OR d.token_hash IS NOT NULL"
        "          OR i.submitted_at IS NOT NULL THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN i.submitted_at IS NOT NULL THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN c.opted_out_at IS NOT NULL THEN 1 ELSE 0 END)"
        " FROM invitations AS i LEFT JOIN drafts AS d ON d.token_hash = i.token_hash"
        " LEFT JOIN contacts AS c ON c.respondent = i.respondent"
        " GROUP BY i.region, i.wave, i.role ORDER BY i.wave, i.region, i.role").fetchall()
    return [{"region": r[0], "wave": r[1], "role": r[2], "invited": r[3], "opened": r[4], "started": r[5],
             "submitted": r[6], "opted_out": r[7]} for r in rows]

