"""``/optout/{id}``: the link in every e-mail that stops further mail to its contact.

Routes (registered in :mod:`._app`)::

    GET  /optout/{id}   a confirmation page with one button (link scanners that follow
                        every link opt nobody out); "done" when already opted out
    POST /optout/{id}   record the opt-out (idempotent) and say thank you

The POST also takes RFC 8058 one-click unsubscribes: a mail program posts
``List-Unsubscribe=One-Click`` to the address in the ``List-Unsubscribe`` header,
from no page of ours and without cookies. So this route, and no other, has no CSRF or
cross-site check: the unguessable id in the path is the authority, and the only effect
of a post is the one the id's owner asked for. Any POST body is accepted.

Unknown ids answer 404 and spend the address's failed-look-up budget, as unknown
tokens do (429 when it is spent). Pages are in the contact's language, else the
region's (``?lang=`` switches).
"""

from __future__ import annotations

from starlette.endpoints import HTTPEndpoint
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ._i18n import pick_language, t
from ._optout_store import OptOut, find_optout, record_optout
from ._render import base_context, html, message

__all__ = ["OptOutEndpoint"]


class OptOutEndpoint(HTTPEndpoint):
    """``/optout/{id}``: confirm (GET), record (POST)."""

    async def get(self, request: Request) -> Response:
        contact = await find(request)
        lang = page_language(request, contact)
        if contact.opted_out:
            return message(request, lang, "optout_done", 200)
        return html(request, "optout.html", **base_context(request, lang, t("optout_heading", lang)),
                    action=f"{request.url.path}?lang={lang}")

    async def post(self, request: Request) -> Response:
        contact = await find(request)
        state = request.app.state
        await state.backend.db(record_optout, request.path_params["id"], state.clock())
        return message(request, page_language(request, contact), "optout_done", 200)


async def find(request: Request) -> OptOut:
    """The contact of the path's id; 404 (429 when the address's failure budget is spent) if none."""
    state = request.app.state
    contact = await state.backend.db(find_optout, request.path_params["id"])
    if contact is None:
        address = request.client.host if request.client else "?"
        if state.limits.failed_lookup(address):
            raise HTTPException(429)
        raise HTTPException(404)
    return contact


def page_language(request: Request, contact: OptOut) -> str:
    """``?lang=`` when given, else the contact's language, else the region's."""
    try:
        region_language = request.app.state.backend.study.region(contact.region).language
    except KeyError:
        region_language = "nb"
    return pick_language(request.query_params.get("lang"), contact.language, region_language)
