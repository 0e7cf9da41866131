"""The one gate every questionnaire request passes, from the HTML pages and the JSON API alike.

In order: look the token up (unknown tokens count against the address's failure budget:
429 when it is spent) → read the posted form, if it is a form post → pick the language →
check that the invitation takes answers (known, not submitted, wave not closed, and
now between the wave's ``opens`` and ``closes``: :meth:`Wave.accepts_answers`) → check the
CSRF token, if it is a form post → check consent, if the page needs it → check the page
number, if the path has one.

:func:`gate` answers with an :class:`Entry` (go on) or a :class:`Refusal` (a code
from :data:`REFUSALS`); the HTML routes turn a refusal into a page, the API into JSON.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.requests import Request

from . import _collect
from ._forms import Page, pages_for
from ._i18n import pick_language
from ._security import CSRF_COOKIE, Csrf
from ._tokens import Invitation

__all__ = ["REFUSALS", "Entry", "Refusal", "gate", "questionnaire"]

#: Why a request is turned away: code → what it means.
REFUSALS = {
    "unknown-token": "no invitation has this token",
    "already-submitted": "the invitation has been submitted and takes nothing more",
    "wave-closed": "the invitation's wave is closed",
    "wave-not-open": "it is before the wave's opens or after its closes (research/study.yaml)",
    "stale-form": "the form's CSRF token does not match (stale or forged form)",
    "no-consent": "consent has not been given yet",
    "no-page": "the questionnaire has no page with this number",
}


@dataclass(frozen=True)
class Entry:
    """A request let through: its invitation, saved draft, language and posted form."""

    invitation: Invitation
    draft: _collect.Draft
    lang: str
    form: dict[str, str] = field(default_factory=dict)
    pages: list[Page] | None = None  # the questionnaire, when the path has a page number
    number: int | None = None  # that page number


@dataclass(frozen=True)
class Refusal:
    """A request turned away: ``code`` (a key of :data:`REFUSALS`) and the page language."""

    code: str
    lang: str
    invitation: Invitation | None = None
    posted: bool = False
    #: for ``wave-not-open``: the wave's ``opens`` when it is not open yet, else (``closes``) when it closed
    opens: dt.datetime | None = None
    closes: dt.datetime | None = None


async def gate(request: Request, *, posted: bool = False, consent: bool = False,
               page: bool = False) -> Entry | Refusal:
    """Let a questionnaire request through, or say why not.

    Parameters
    ----------
    request
        A request on a ``{token}`` path.
    posted
        A form post: read the form (415 unless url-encoded) and check its CSRF token.
    consent
        The page needs consent given first.
    page
        The path has a page number ``{n}`` that must be a page of the questionnaire.
    """
    invitation, draft = await lookup(request)
    form = await read_form(request) if posted else {}
    lang = language(request, invitation, draft, form)
    code, moment = closed_to_answers(request, invitation)
    if code is None and posted and not csrf_ok(request, invitation, form):
        code = "stale-form"
    if code is None and consent and not invitation.consented_at:
        code = "no-consent"
    if code is not None:
        return Refusal(code, lang, invitation, posted, *moment)
    if not page:
        return Entry(invitation, draft, lang, form)
    pages, number = questionnaire(request, invitation), request.path_params["n"]
    if not 1 <= number <= len(pages):
        return Refusal("no-page", lang, invitation, posted)
    return Entry(invitation, draft, lang, form, pages, number)


async def lookup(request: Request) -> tuple[Invitation | None, _collect.Draft]:
    """The invitation and draft of the path's token; an unknown token spends failure budget."""
    state = request.app.state
    invitation, draft = await state.backend.db(_collect.load, request.path_params["token"])
    if invitation is None:
        address = (request.client.host if request.client else "?")
        if state.limits.failed_lookup(address):
            raise HTTPException(429)
    return invitation, draft


async def read_form(request: Request) -> dict[str, str]:
    """The url-encoded form of a post (the first value of each field); 415 or 400 otherwise."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise HTTPException(415)
    body = await request.body()
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=1000,
                          strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400) from None
    form: dict[str, str] = {}
    for key, value in pairs:
        form.setdefault(key, value)
    return form


def language(request: Request, invitation: Invitation | None, draft: _collect.Draft, form: dict) -> str:
    """The page language: asked for (form, then URL), else saved, else the region's."""
    requested = form.get("lang") or request.query_params.get("lang")
    default = "nb"
    if invitation is not None:
        try:
            default = request.app.state.backend.study.region(invitation.region).language
        except KeyError:
            pass
    return pick_language(requested, draft.lang, default)


def closed_to_answers(request: Request, invitation: Invitation | None) -> tuple[str | None, tuple]:
    """Why the invitation takes no answers now (a :data:`REFUSALS` code, else None), and
    ``(opens, closes)`` for ``wave-not-open``: the wave's opening when it is not open yet,
    else its closing (the other None)."""
    none = (None, None)
    if invitation is None:
        return "unknown-token", none
    if invitation.submitted:
        return "already-submitted", none
    try:
        wave = request.app.state.backend.study.wave(invitation.wave)
    except KeyError:
        return "wave-closed", none
    if wave.closed:
        return "wave-closed", none
    now = request.app.state.clock()
    if wave.accepts_answers(now):
        return None, none
    if wave.opens is not None and now < wave.opens:
        return "wave-not-open", (wave.opens, None)
    return "wave-not-open", (None, wave.closes)


def csrf_ok(request: Request, invitation: Invitation, form: dict) -> bool:
    """The post comes from our own form: same site, and its CSRF token matches the cookie."""
    if Csrf.cross_site(request.headers, request.headers.get("host")):
        return False
    return request.app.state.csrf.verify(request.cookies.get(CSRF_COOKIE), invitation.token_hash, form.get("csrf"))


def questionnaire(request: Request, invitation: Invitation) -> list[Page]:
    """The pages of the invitation's questionnaire, in the current study design."""
    return pages_for(request.app.state.backend.study, invitation.instruments)
