"""The questionnaire as HTML pages: start and consent, one page per construct, review and submit.

Routes (registered in :mod:`._app`)::

    GET  /                     a short page: use the link from your invitation
    GET  /s/{token}            consent page, then on to the saved page; thanks once submitted
    POST /s/{token}/consent    consent given → page 1
    GET  /s/{token}/p/{n}      page n (one construct), saved answers filled in
    POST /s/{token}/p/{n}      save page n, then next / previous / stay
    GET  /s/{token}/submit     how much is answered, and the submit button
    POST /s/{token}/submit     submit (once)

Outside the wave's ``opens``–``closes`` every token route answers with a polite page
saying when the wave opens or when it closed (403). ``GET /s/{token}`` notes when the
link was first opened; page GETs and POSTs note when each page was shown and saved
(:mod:`._times`).

Every token route passes :func:`._gate.gate` first; :func:`refused` turns its refusal
into a page.
"""

from __future__ import annotations

import logging
import sqlite3

from starlette.endpoints import HTTPEndpoint
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from . import _collect, _times
from ._forms import TEXT_LIMIT, Page, clean_value, items_for
from ._gate import Entry, Refusal, gate, questionnaire
from ._i18n import pick_language, t, when_text
from ._render import (base_context, contact_text, csrf_cookie, form_token, hint_id, html, message, options,
                      token_url, with_cookie)

__all__ = ["PageEndpoint", "ReviewEndpoint", "consent", "home", "refused", "start"]

log = logging.getLogger("folge.web")


def refused(request: Request, refusal: Refusal) -> Response:
    """The page for a request the gate turned away."""
    lang = refusal.lang
    if refusal.code == "no-consent":
        return RedirectResponse(token_url(request, "", lang), status_code=303)
    if refusal.code == "no-page":
        raise HTTPException(404)
    if refusal.code == "stale-form":
        return message(request, lang, "bad_request", 403, extra=t("stale_form", lang))
    if refusal.code == "already-submitted":
        return message(request, lang, "thanks", 409 if refusal.posted else 200)
    if refusal.code == "wave-closed":
        return message(request, lang, "closed", 403)
    if refusal.code == "wave-not-open":
        return not_open(request, refusal)
    return message(request, lang, "unknown", 404)


def not_open(request: Request, refusal: Refusal) -> Response:
    """The polite page outside the wave's ``opens``–``closes``: when it opens, or when it closed."""
    lang = refusal.lang
    if refusal.opens is not None:
        return message(request, lang, "not_open", 403, extra=t("not_open", lang, when=when_text(refusal.opens, lang)))
    return message(request, lang, "closed", 403,
                   extra=t("closed_on", lang, when=when_text(refusal.closes, lang, closing=True)))


def redirect(request: Request, suffix: str, lang: str) -> RedirectResponse:
    """303 to ``/s/TOKEN{suffix}?lang=…``."""
    return RedirectResponse(token_url(request, suffix, lang), status_code=303)


async def home(request: Request) -> Response:
    """``GET /``: there is nothing to answer without the link from an invitation."""
    lang = pick_language(request.query_params.get("lang"), None, "nb")
    return message(request, lang, "unknown", 200)


async def start(request: Request) -> Response:
    """``GET /s/{token}``: the consent page, or on to the page where the respondent left off.

    The first such request of a known invitation is noted as the time it was opened.
    """
    entry = await gate(request)
    invitation = entry.invitation
    if invitation is not None and invitation.opened_at is None:
        await request.app.state.backend.db(_times.record_opened, invitation.token_hash, request.app.state.clock())
    if isinstance(entry, Refusal):
        return refused(request, entry)
    if entry.invitation.consented_at:
        pages = questionnaire(request, entry.invitation)
        number = min(max(entry.draft.page, 1), len(pages) + 1)
        return redirect(request, "/submit" if number > len(pages) else f"/p/{number}", entry.lang)
    return consent_page(request, entry)


async def consent(request: Request) -> Response:
    """``POST /s/{token}/consent``: record consent, then page 1 (the consent page again without it)."""
    entry = await gate(request, posted=True)
    if isinstance(entry, Refusal):
        return refused(request, entry)
    if entry.form.get("consent") != "yes":
        return consent_page(request, entry, error=True)
    await request.app.state.backend.db(_collect.give_consent, entry.invitation, entry.lang)
    return redirect(request, "/p/1", entry.lang)


def consent_page(request: Request, entry: Entry, error: bool = False) -> Response:
    """Who asks, what for, who to contact, and the consent button."""
    study = request.app.state.backend.study
    lang, invitation = entry.lang, entry.invitation
    cookie, new = csrf_cookie(request)
    owner = study.owner.get_lang(lang) if study.owner else t("owner_default", lang)
    instruments = [study.instruments[i] for i in invitation.instruments if i in study.instruments]
    contact = contact_text(request.app.state.backend.contact, lang) or t("contact_default", lang)
    response = html(
        request, "consent.html", 400 if error else 200, **base_context(request, lang, t("consent_heading", lang)),
        owner=owner, contact=contact, min_n=study.min_n, instruments=instruments, error=error,
        action=token_url(request, "/consent"), csrf=form_token(request, cookie, invitation.token_hash))
    return with_cookie(response, request, cookie, new)


class PageEndpoint(HTTPEndpoint):
    """``/s/{token}/p/{n}``: show page n with saved answers (GET), save it and move on (POST)."""

    async def get(self, request: Request) -> Response:
        entry = await gate(request, consent=True, page=True)
        if isinstance(entry, Refusal):
            return refused(request, entry)
        page = entry.pages[entry.number - 1]
        await request.app.state.backend.db(_times.record_page_shown, entry.invitation.token_hash, entry.number,
                                           page.instrument.id, request.app.state.clock())
        return render_page(request, entry, dict(entry.draft.answers), {},
                           saved=request.query_params.get("saved") == "1")

    async def post(self, request: Request) -> Response:
        entry = await gate(request, posted=True, page=True)
        if isinstance(entry, Refusal):
            return refused(request, entry)
        values, errors = page_values(entry.pages[entry.number - 1], entry.form)
        if errors:
            return render_page(request, entry, {**entry.draft.answers, **values}, errors, status=422)
        number, pages, lang = entry.number, entry.pages, entry.lang
        action = entry.form.get("action", "next")
        target = {"previous": max(number - 1, 1), "later": number}.get(action, number + 1)
        try:
            await request.app.state.backend.db(_collect.save_draft, entry.invitation, values, page=target, lang=lang)
        except _collect.SubmitError:
            return message(request, lang, "thanks", 409)
        except sqlite3.OperationalError:
            return message(request, lang, "bad_request", 503, extra=t("busy", lang))
        answered = sum(1 for value in values.values() if value is not None)
        await request.app.state.backend.db(_times.record_page_saved, entry.invitation.token_hash, number,
                                           pages[number - 1].instrument.id, answered, request.app.state.clock())
        if action == "later":
            return RedirectResponse(token_url(request, f"/p/{number}", lang) + "&saved=1#saved", status_code=303)
        return redirect(request, "/submit" if target > len(pages) else f"/p/{target}", lang)


def page_values(page: Page, form: dict[str, str]) -> tuple[dict, dict]:
    """The page's answers from the form, and a problem per refused item (its raw value is kept)."""
    values, errors = {}, {}
    for item in page.construct.items:
        value, problem = clean_value(item, form.get(item.id))
        if problem:
            errors[item.id] = problem
            values[item.id] = form.get(item.id)
        else:
            values[item.id] = value
    return values, errors


def render_page(request: Request, entry: Entry, values: dict, errors: dict, saved: bool = False,
                status: int = 200) -> Response:
    """Page ``entry.number`` of the questionnaire with ``values`` filled in and ``errors`` shown."""
    pages, number, lang = entry.pages, entry.number, entry.lang
    page = pages[number - 1]
    cookie, new = csrf_cookie(request)
    title = page.instrument.title.get_lang(lang)
    context = base_context(request, lang, f"{page.construct.title.get_lang(lang)} – {title}")
    response = html(
        request, "page.html", status, **context, page=page, pages=len(pages), number=number,
        instrument_title=title, values=values, errors=errors, saved=saved, text_limit=TEXT_LIMIT,
        first_of_part=number == 1 or pages[number - 2].instrument.id != page.instrument.id,
        action=token_url(request, f"/p/{number}"), csrf=form_token(request, cookie, entry.invitation.token_hash),
        options=options, hint_id=hint_id)
    return with_cookie(response, request, cookie, new)


class ReviewEndpoint(HTTPEndpoint):
    """``/s/{token}/submit``: how much is answered and the submit button (GET); submit once (POST)."""

    async def get(self, request: Request) -> Response:
        entry = await gate(request, consent=True)
        if isinstance(entry, Refusal):
            return refused(request, entry)
        return render_review(request, entry)

    async def post(self, request: Request) -> Response:
        entry = await gate(request, posted=True)
        if isinstance(entry, Refusal):
            return refused(request, entry)
        lang = entry.lang
        try:
            await request.app.state.submissions.submit(entry.invitation, None)
        except _collect.SubmitError as exc:
            if exc.code == "already-submitted":
                return message(request, lang, "thanks", 409)
            log.warning("web submission refused by the store: %s", exc.problems)
            return message(request, lang, "bad_request", 409, extra=str(exc))
        except sqlite3.OperationalError:
            return message(request, lang, "bad_request", 503, extra=t("busy", lang))
        return redirect(request, "", lang)


def render_review(request: Request, entry: Entry, status: int = 200) -> Response:
    """The review page: answered items out of all, back to the last page, and submit."""
    invitation, lang = entry.invitation, entry.lang
    pages = questionnaire(request, invitation)
    items = items_for(request.app.state.backend.study, invitation.instruments)
    answered = sum(1 for k, v in entry.draft.answers.items() if k in items and v is not None)
    cookie, new = csrf_cookie(request)
    response = html(request, "review.html", status, **base_context(request, lang, t("review_heading", lang)),
                    answered=answered, items=len(items), pages=len(pages),
                    back=token_url(request, f"/p/{len(pages)}", lang), action=token_url(request, "/submit"),
                    csrf=form_token(request, cookie, invitation.token_hash))
    return with_cookie(response, request, cookie, new)
