"""``GET /admin``: invitation counts per region, wave and role, behind a password.

The password comes from ``create_app(admin_password=…)`` or ``$FOLGE_ADMIN_PASSWORD``; without
one the page does not exist (404). Wrong passwords spend the address's failure budget.
"""

from __future__ import annotations

import base64
import binascii

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ._i18n import pick_language, t
from ._render import base_context, html
from ._security import constant_time_equal
from ._tokens import invitation_counts

__all__ = ["admin", "basic_ok"]


async def admin(request: Request) -> Response:
    """The counts page (HTTP Basic authentication; any user name)."""
    state = request.app.state
    if not state.admin_password:
        raise HTTPException(404)
    if not basic_ok(request.headers.get("authorization"), state.admin_password):
        address = request.client.host if request.client else "?"
        if state.limits.failed_lookup(address):
            raise HTTPException(429)
        return PlainTextResponse("Authentication required", status_code=401,
                                 headers={"WWW-Authenticate": 'Basic realm="folge admin", charset="UTF-8"'})
    lang = pick_language(request.query_params.get("lang"), None, "nb")
    rows = await state.backend.db(invitation_counts)
    names = {r.id: r.name for r in state.backend.study.regions}
    for row in rows:
        row["region_name"] = names.get(row["region"], row["region"])
        row["rate"] = f"{100 * row['submitted'] / row['invited']:.0f} %" if row["invited"] else ""
    return html(request, "admin.html", **base_context(request, lang, t("admin_heading", lang)), rows=rows)


def basic_ok(header: str | None, password: str) -> bool:
    """The ``Authorization: Basic …`` header carries ``password`` (compared in constant time).

    Examples
    --------
    >>> basic_ok("Basic " + base64.b64encode(b"anyone:secret").decode(), "secret"), basic_ok(None, "secret")
    (True, False)
    """
    if not header or not header.lower().startswith("basic "):
        return False
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    _, _, given = decoded.partition(":")
    return constant_time_equal(given, password)
