"""Opting out, for the web side: find a contact by the id in its opt-out link, and record it.

The link ``BASE/optout/ID`` opens a confirmation page (GET shows it, POST records the
opt-out, so link scanners that follow every link opt nobody out). Mail programs that
honour RFC 8058 POST ``List-Unsubscribe=One-Click`` to the same address, which records it
at once. The store keeps only the id's SHA-256. An opted-out contact gets no more mail
from ``folge invite/remind --send`` or ``folge mail run``, and is counted apart.

These functions take the store's sqlite3 connection (as the web app's database thread
calls them) and never the address: a page need not show whom it opts out. Finding and
recording an opt-out live in :mod:`folge.web` (which answers the link, one layer below
this package) and are re-exported here.
"""

from __future__ import annotations

import sqlite3

from ..web import OptOut, find_optout, record_optout

__all__ = ["OptOut", "find_optout", "record_optout", "mail_counts"]


def mail_counts(connection: sqlite3.Connection) -> list[dict]:
    """Counts per wave, region and role of mailed contacts: invited, started, answered, opted out.

    ``invited``: contacts whose invitation the server accepted; of those, ``started``: the
    ones whose invitation has consent or a draft, ``answered``: submitted, ``opted_out``:
    opted out (at any time; counted apart in response rates). Counts only, never who.
    """
    rows = connection.execute(
        "SELECT l.wave, c.region, c.role, COUNT(*),"
        " SUM(CASE WHEN i.consented_at IS NOT NULL OR d.token_hash IS NOT NULL OR i.submitted_at IS NOT NULL"
        "     THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN i.submitted_at IS NOT NULL THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN c.opted_out_at IS NOT NULL THEN 1 ELSE 0 END)"
        " FROM mail_log AS l JOIN contacts AS c ON c.respondent = l.respondent"
        " LEFT JOIN mail_tokens AS t ON t.respondent = l.respondent AND t.wave = l.wave"
        " LEFT JOIN invitations AS i ON i.token_hash = t.token_hash"
        " LEFT JOIN drafts AS d ON d.token_hash = i.token_hash"
        " WHERE l.kind = 'invitation' GROUP BY l.wave, c.region, c.role ORDER BY l.wave, c.region, c.role"
    ).fetchall()
    return [{"wave": w, "region": r, "role": role, "invited": n, "started": s, "answered": a, "opted_out": o}
            for w, r, role, n, s, a, o in rows]
