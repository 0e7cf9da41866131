"""The one gate every questionnaire request passes, from the HTML pages and the JSON API alike.

In order: look the token up (unknown tokens count against the address's failure budget:
429 when it is spent) → read the posted form, if it is a form post → pick the language →
check that the invitation takes answers (known, not submitted, wave open) → check the
CSRF token, if it is a form post → check consent, if the page needs it → check the page
number, if the path has one.

:func:`gate` answers with an :class:`Entry` (go on) or a :class:`Refusal` (a code
from :data:`REFUSALS`); the HTML routes turn a refusal into a page, the API into JSON.
"""

from __future__ import annotations

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
    code = closed_to_answers(request, invitation)
    if code is None and posted and not csrf_ok(request, invitation, form):
        code = "stale-form"
    if code is None and consent and not invitation.consented_at:
        code = "no-consent"
    if code is not None:
        return Refusal(code, lang, invitation, posted)
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


def closed_to_answers(request: Request, invitation: Invitation | None) -> str | None:
    """Why the invitation takes no answers (unknown, submitted, wave closed), else None."""
    if invitation is None:
        return "unknown-token"
    if invitation.submitted:
        return "already-submitted"
    try:
        closed = request.app.state.backend.study.wave(invitation.wave).closed
    except KeyError:
        closed = True
    return "wave-closed" if closed else None


def csrf_ok(request: Request, invitation: Invitation, form: dict) -> bool:
    """The post comes from our own form: same site, and its CSRF token matches the cookie."""
    if Csrf.cross_site(request.headers, request.headers.get("host")):
        return False
    return request.app.state.csrf.verify(request.cookies.get(CSRF_COOKIE), invitation.token_hash, form.get("csrf"))


def questionnaire(request: Request, invitation: Invitation) -> list[Page]:
    """The pages of the invitation's questionnaire, in the current study design."""
    return pages_for(request.app.state.backend.study, invitation.instruments)
