"""The web questionnaire as a Starlette app: ``create_app(study_root)``.

Routes::

    GET  /                               a short page: use the link from your invitation
    GET  /s/{token}                      consent page, then on to the saved page; thanks once submitted
    POST /s/{token}/consent              consent given → page 1
    GET  /s/{token}/p/{n}                page n (one construct), saved answers filled in
    POST /s/{token}/p/{n}                save page n, then next / previous / stay
    GET  /s/{token}/submit               how much is answered, and the submit button
    POST /s/{token}/submit               submit (once)
    PUT  /api/v1/responses/{token}       JSON: save partial answers {"answers": {item: value}}
    POST /api/v1/responses/{token}/submit  JSON: submit (optionally with last answers)
    GET  /admin                          counts per region, wave and role (FOLGE_ADMIN_PASSWORD)
    GET  /static/folge.css, /healthz

Every store access runs on one database thread, so the SQLite connection is used by one
thread only and writes are serialised. ``research/study.yaml`` is re-read when it changes,
so closing a wave takes effect without a restart.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import os
import sqlite3
from contextlib import asynccontextmanager
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import parse_qsl, quote

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from ..definitions import Study, load_study
from ..definitions import STUDY_FILE, read_yaml
from . import _collect
from ._forms import TEXT_LIMIT, Page, clean_answers, clean_value, items_for, pages_for
from ._i18n import LANGUAGE_NAMES, UI_LANGUAGES, pick_language, t
from ._security import (CSRF_COOKIE, BodyLimit, Csrf, RateLimit, RateLimits, SecurityHeaders, constant_time_equal,
                        error_payload)
from ._tokens import Invitation, invitation_counts

__all__ = ["create_app", "WebSettings", "ADMIN_PASSWORD_ENV"]

log = logging.getLogger("folge.web")

ADMIN_PASSWORD_ENV = "FOLGE_ADMIN_PASSWORD"
_HERE = Path(__file__).parent


@dataclass(frozen=True)
class WebSettings:
    """Limits of the web app; each can be set by an environment variable of the same name.

    ``FOLGE_WEB_MAX_BODY`` (bytes), ``FOLGE_WEB_RATE_TOKEN``, ``FOLGE_WEB_RATE_ADDRESS`` and
    ``FOLGE_WEB_RATE_FAILURES`` (requests per minute).
    """

    max_body: int = 256 * 1024
    rate_token: float = 60
    rate_address: float = 6000
    rate_failures: float = 120

    @classmethod
    def from_env(cls) -> "WebSettings":
        def number(name, default, kind):
            value = os.environ.get(name)
            return kind(value) if value else default

        return cls(number("FOLGE_WEB_MAX_BODY", cls.max_body, int),
                   number("FOLGE_WEB_RATE_TOKEN", cls.rate_token, float),
                   number("FOLGE_WEB_RATE_ADDRESS", cls.rate_address, float),
                   number("FOLGE_WEB_RATE_FAILURES", cls.rate_failures, float))


class _Backend:
    """The study (re-read when its file changes) and the store, on one database thread."""

    def __init__(self, root: Path):
        self.root = root
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="folge-store")
        self._store_cm = None
        self.store = None
        self._study: Study = load_study(root)
        self._stamp = self._study_stamp()
        self.contact = _contact(root)

    def _study_stamp(self):
        try:
            return (self.root / STUDY_FILE).stat().st_mtime_ns
        except OSError:
            return None

    @property
    def study(self) -> Study:
        stamp = self._study_stamp()
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self._study = load_study(self.root)
                self.contact = _contact(self.root)
            except Exception as exc:  # keep serving the last good design
                log.error("research/study.yaml changed but cannot be loaded; keeping the last design: %s", exc)
        return self._study

    def _open(self):
        from ..store import Store

        self._store_cm = Store.open(self.root, create=True)
        self.store = self._store_cm.__enter__()

    def _close(self):
        if self._store_cm is not None:
            self._store_cm.__exit__(None, None, None)
            self._store_cm = self.store = None

    async def start(self):
        await self.run(self._open)

    async def stop(self):
        await self.run(self._close)
        self._pool.shutdown(wait=True)

    async def run(self, fn, *args, **kwargs):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, partial(fn, *args, **kwargs))

    async def db(self, fn, *args, **kwargs):
        """Run ``fn(connection, …)`` on the database thread."""
        return await self.run(lambda: fn(self.store.connection, *args, **kwargs))



class _Submissions:
    """Group commit: submissions that arrive while the store is busy are stored together.

    Each waits for its own outcome; a batch is one transaction (see
    :func:`folge.web._collect.submit_many`), so acknowledging a submission always
    means it is committed, and many respondents at once cost a few transactions, not many.
    """

    BATCH = 500

    def __init__(self, backend: _Backend):
        self.backend = backend
        self.pending: list[tuple[Invitation, dict | None, asyncio.Future]] = []
        self.wakeup: asyncio.Event | None = None
        self.worker: asyncio.Task | None = None

    def start(self) -> None:
        self.wakeup = asyncio.Event()
        self.worker = asyncio.get_running_loop().create_task(self._drain())

    async def stop(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            try:
                await self.worker
            except asyncio.CancelledError:
                pass

    async def submit(self, invitation: Invitation, answers: dict | None) -> str:
        future = asyncio.get_running_loop().create_future()
        self.pending.append((invitation, answers, future))
        self.wakeup.set()
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            while self.pending:
                batch, self.pending = self.pending[: self.BATCH], self.pending[self.BATCH:]
                entries = [(invitation, answers) for invitation, answers, _ in batch]
                backend = self.backend
                try:
                    outcomes = await backend.run(lambda: _collect.submit_many(backend.store, backend.study, entries))
                except Exception as exc:  # the store failed: every waiting request learns it
                    outcomes = [exc] * len(batch)
                for (_, _, future), outcome in zip(batch, outcomes):
                    if future.done():
                        continue
                    if isinstance(outcome, BaseException):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)

def _contact(root: Path):
    """The study's ``contact`` entry (text, per-language texts or a mapping), if any."""
    try:
        data = read_yaml(root / STUDY_FILE).data
    except Exception:  # pragma: no cover - load_study has already read it
        return None
    return data.get("contact") if isinstance(data, dict) else None


def _contact_text(contact, lang: str) -> str | None:
    if not contact:
        return None
    if isinstance(contact, str):
        return contact
    if isinstance(contact, dict):
        if any(k in contact for k in UI_LANGUAGES):
            return str(contact.get(lang) or contact.get("nb") or next(iter(contact.values())))
        return ", ".join(str(v) for v in contact.values() if v)
    return str(contact)


def _templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(_HERE / "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.globals["t"] = t
    return env


def create_app(study_root: str | Path, settings: WebSettings | None = None,
               admin_password: str | None = None) -> Starlette:
    """The questionnaire app for the study at ``study_root``.

    Parameters
    ----------
    study_root
        The study folder (with ``research/study.yaml``, ``instruments/`` and the store).
    settings
        Body and rate limits; default :meth:`WebSettings.from_env`.
    admin_password
        The ``/admin`` password; default ``$FOLGE_ADMIN_PASSWORD``. ``/admin`` is disabled
        (404) when neither is set.
    """
    root = Path(study_root)
    settings = settings or WebSettings.from_env()
    password = admin_password if admin_password is not None else os.environ.get(ADMIN_PASSWORD_ENV) or None
    backend = _Backend(root)
    submissions = _Submissions(backend)
    limits = RateLimits(settings.rate_token, settings.rate_address, settings.rate_failures)
    csrf = Csrf(_csrf_secret(root))
    env = _templates()
    css = (_HERE / "templates" / "folge.css").read_bytes()

    # ------------------------------------------------------------------ helpers
    def html(name: str, status: int = 200, **context) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**context), status_code=status)

    def base_context(request: Request, lang: str, title: str, switch: bool = True) -> dict:
        study = backend.study
        links = []
        path = request.url.path
        if path.endswith("/consent"):  # a POST-only path: switch on the start page instead
            path = path[: -len("/consent")]
        if switch:
            for code in UI_LANGUAGES:
                links.append({"code": code, "name": LANGUAGE_NAMES[code], "current": code == lang,
                              "href": f"{path}?lang={code}"})
        return {"lang": lang, "title": title, "programme": study.programme, "languages": links}

    def message(request: Request, lang: str, key: str, status: int, extra: str | None = None) -> HTMLResponse:
        heading = t(f"{key}_heading", lang)
        return html("message.html", status, **base_context(request, lang, heading),
                    heading=heading, body=t(key, lang) if extra is None else extra)

    async def lookup(request: Request) -> tuple[Invitation | None, _collect.Draft]:
        token = request.path_params["token"]
        invitation, draft = await backend.db(_collect.load, token)
        if invitation is None:
            address = (request.client.host if request.client else "?")
            if limits.failed_lookup(address):
                raise HTTPException(429)
        return invitation, draft

    def region_language(invitation: Invitation) -> str:
        try:
            return backend.study.region(invitation.region).language
        except KeyError:
            return "nb"

    def page_lang(request: Request, invitation: Invitation | None, draft: _collect.Draft,
                  form: dict | None = None) -> str:
        requested = (form or {}).get("lang") or request.query_params.get("lang")
        default = region_language(invitation) if invitation else "nb"
        return pick_language(requested, draft.lang, default)

    def wave_closed(invitation: Invitation) -> bool:
        try:
            return backend.study.wave(invitation.wave).closed
        except KeyError:
            return True

    def gate(request: Request, invitation, lang: str, posting: bool) -> Response | None:
        """The answer for a token that cannot take answers (unknown, submitted, closed), else None."""
        if invitation is None:
            return message(request, lang, "unknown", 404)
        if invitation.submitted:
            return message(request, lang, "thanks", 409 if posting else 200)
        if wave_closed(invitation):
            return message(request, lang, "closed", 403)
        return None

    def csrf_cookie(request: Request) -> tuple[str, bool]:
        value = request.cookies.get(CSRF_COOKIE)
        if value and 16 <= len(value) <= 64:
            return value, False
        return Csrf.new_cookie(), True

    def with_cookie(response: Response, request: Request, value: str, new: bool) -> Response:
        if new:
            response.set_cookie(CSRF_COOKIE, value, httponly=True, samesite="strict", path="/",
                                secure=request.url.scheme == "https")
        return response

    async def read_form(request: Request) -> dict[str, str]:
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

    def csrf_ok(request: Request, invitation: Invitation, form: dict) -> bool:
        if Csrf.cross_site(request.headers, request.headers.get("host")):
            return False
        return csrf.verify(request.cookies.get(CSRF_COOKIE), invitation.token_hash, form.get("csrf"))

    def questionnaire(invitation: Invitation) -> list[Page]:
        return pages_for(backend.study, invitation.instruments)

    def token_url(request: Request, suffix: str = "", lang: str | None = None) -> str:
        url = f"/s/{quote(request.path_params['token'], safe='')}{suffix}"
        return f"{url}?lang={lang}" if lang else url

    # ------------------------------------------------------------------ HTML flow
    async def home(request: Request):
        lang = pick_language(request.query_params.get("lang"), None, "nb")
        return message(request, lang, "unknown", 200)

    async def start(request: Request):
        invitation, draft = await lookup(request)
        lang = page_lang(request, invitation, draft)
        if (stop := gate(request, invitation, lang, posting=False)) is not None:
            return stop
        if invitation.consented_at:
            pages = questionnaire(invitation)
            number = min(max(draft.page, 1), len(pages) + 1)
            target = "/submit" if number > len(pages) else f"/p/{number}"
            return RedirectResponse(token_url(request, target, lang), status_code=303)
        return consent_page(request, invitation, lang)

    def consent_page(request, invitation, lang, error: bool = False):
        study = backend.study
        cookie, new = csrf_cookie(request)
        owner = study.owner.get_lang(lang) if study.owner else t("owner_default", lang)
        instruments = [study.instruments[i] for i in invitation.instruments if i in study.instruments]
        context = base_context(request, lang, t("consent_heading", lang))
        response = html(
            "consent.html", 400 if error else 200, **context,
            owner=owner, contact=_contact_text(backend.contact, lang) or t("contact_default", lang),
            min_n=study.min_n, instruments=instruments, error=error,
            action=token_url(request, "/consent"), csrf=csrf.form_token(cookie, invitation.token_hash))
        return with_cookie(response, request, cookie, new)

    async def posted(request: Request):
        """A form post's invitation, draft, form and language, or the response that stops it
        (closed wave, submitted or unknown link, stale or forged form)."""
        invitation, draft = await lookup(request)
        form = await read_form(request)
        lang = page_lang(request, invitation, draft, form)
        stop = gate(request, invitation, lang, posting=True)
        if stop is None and not csrf_ok(request, invitation, form):
            stop = stale(request, lang)
        return invitation, draft, form, lang, stop

    async def consent(request: Request):
        invitation, draft, form, lang, stop = await posted(request)
        if stop is not None:
            return stop
        if form.get("consent") != "yes":
            return consent_page(request, invitation, lang, error=True)
        await backend.db(_collect.give_consent, invitation, lang)
        return RedirectResponse(token_url(request, "/p/1", lang), status_code=303)

    def stale(request: Request, lang: str) -> Response:
        return message(request, lang, "bad_request", 403, extra=t("stale_form", lang))

    async def show_page(request: Request):
        invitation, draft = await lookup(request)
        lang = page_lang(request, invitation, draft)
        if (stop := gate(request, invitation, lang, posting=False)) is not None:
            return stop
        if not invitation.consented_at:
            return RedirectResponse(token_url(request, "", lang), status_code=303)
        pages = questionnaire(invitation)
        number = request.path_params["n"]
        if not 1 <= number <= len(pages):
            raise HTTPException(404)
        return render_page(request, invitation, pages, number, lang, dict(draft.answers), {},
                           saved=request.query_params.get("saved") == "1")

    def render_page(request, invitation, pages, number, lang, values, errors, saved=False, status=200):
        page = pages[number - 1]
        cookie, new = csrf_cookie(request)
        title = page.instrument.title.get_lang(lang)
        context = base_context(request, lang, f"{page.construct.title.get_lang(lang)} – {title}")
        response = html(
            "page.html", status, **context, page=page, pages=len(pages), number=number,
            instrument_title=title, values=values, errors=errors, saved=saved, text_limit=TEXT_LIMIT,
            first_of_part=number == 1 or pages[number - 2].instrument.id != page.instrument.id,
            action=token_url(request, f"/p/{number}"), csrf=csrf.form_token(cookie, invitation.token_hash),
            options=_options, hint_id=_hint_id)
        return with_cookie(response, request, cookie, new)

    async def save_page(request: Request):
        invitation, draft, form, lang, stop = await posted(request)
        if stop is not None:
            return stop
        pages = questionnaire(invitation)
        number = request.path_params["n"]
        if not 1 <= number <= len(pages):
            raise HTTPException(404)
        page = pages[number - 1]
        values, errors = {}, {}
        for item in page.construct.items:
            value, problem = clean_value(item, form.get(item.id))
            if problem:
                errors[item.id] = problem
                values[item.id] = form.get(item.id)
            else:
                values[item.id] = value
        if errors:
            shown = {**draft.answers, **values}
            return render_page(request, invitation, pages, number, lang, shown, errors, status=422)
        action = form.get("action", "next")
        target = {"previous": max(number - 1, 1), "later": number}.get(action, number + 1)
        try:
            await backend.db(_collect.save_draft, invitation, values, page=target, lang=lang)
        except _collect.SubmitError:
            return message(request, lang, "thanks", 409)
        except sqlite3.OperationalError:
            return message(request, lang, "bad_request", 503, extra=t("busy", lang))
        if action == "later":
            return RedirectResponse(token_url(request, f"/p/{number}", lang) + "&saved=1#saved", status_code=303)
        if target > len(pages):
            return RedirectResponse(token_url(request, "/submit", lang), status_code=303)
        return RedirectResponse(token_url(request, f"/p/{target}", lang), status_code=303)

    async def review(request: Request):
        invitation, draft = await lookup(request)
        lang = page_lang(request, invitation, draft)
        if (stop := gate(request, invitation, lang, posting=False)) is not None:
            return stop
        if not invitation.consented_at:
            return RedirectResponse(token_url(request, "", lang), status_code=303)
        return render_review(request, invitation, draft, lang)

    def render_review(request, invitation, draft, lang, status=200):
        pages = questionnaire(invitation)
        items = items_for(backend.study, invitation.instruments)
        cookie, new = csrf_cookie(request)
        response = html("review.html", status, **base_context(request, lang, t("review_heading", lang)),
                        answered=sum(1 for k, v in draft.answers.items() if k in items and v is not None),
                        items=len(items), pages=len(pages), back=token_url(request, f"/p/{len(pages)}", lang),
                        action=token_url(request, "/submit"),
                        csrf=csrf.form_token(cookie, invitation.token_hash))
        return with_cookie(response, request, cookie, new)

    async def submit_form(request: Request):
        invitation, draft, form, lang, stop = await posted(request)
        if stop is not None:
            return stop
        try:
            await submissions.submit(invitation, None)
        except _collect.SubmitError as exc:
            if exc.code == "already-submitted":
                return message(request, lang, "thanks", 409)
            log.warning("web submission refused by the store: %s", exc.problems)
            return message(request, lang, "bad_request", 409, extra=str(exc))
        except sqlite3.OperationalError:
            return message(request, lang, "bad_request", 503, extra=t("busy", lang))
        return RedirectResponse(token_url(request, "", lang), status_code=303)

    # ------------------------------------------------------------------ JSON API
    def api_error(status: int, code: str, message_text: str, **extra) -> JSONResponse:
        return JSONResponse(error_payload(code, message_text, **extra), status_code=status)

    async def api_lookup(request: Request):
        invitation, draft = await lookup(request)
        if invitation is None:
            return None, draft, api_error(404, "unknown-token", "no invitation has this token")
        if invitation.submitted:
            return invitation, draft, api_error(409, "already-submitted",
                                                "this invitation has already been submitted; it accepts nothing more")
        if wave_closed(invitation):
            return invitation, draft, api_error(403, "wave-closed",
                                                f"wave '{invitation.wave}' is closed and accepts no answers")
        return invitation, draft, None

    async def api_body(request: Request, required: bool):
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()
        if not body.strip() and not required:
            return {}, None
        if kind != "application/json":
            return None, api_error(415, "unsupported-media-type", "send the body as application/json")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return None, api_error(400, "bad-json", "the body is not valid JSON")
        if not isinstance(data, dict) or ("answers" not in data and required):
            return None, api_error(422, "invalid-body", 'the body must be an object {"answers": {item: value}}')
        unknown = sorted(set(data) - {"answers"})
        if unknown:
            return None, api_error(422, "invalid-body", f"unknown field(s): {', '.join(unknown)[:200]}")
        return data, None

    def checked(invitation: Invitation, data: dict):
        items = items_for(backend.study, invitation.instruments)
        clean, problems = clean_answers(items, data.get("answers", {}))
        if problems:
            return None, api_error(422, "invalid-values", f"{len(problems)} answer(s) were refused; nothing was saved",
                                   problems=[p.as_dict() for p in problems[:100]])
        return clean, None

    async def api_answers(request: Request, *, required: bool):
        """The invitation and its validated answers, or the 4xx response that refuses them."""
        invitation, _draft, error = await api_lookup(request)
        if error:
            return None, None, error
        data, error = await api_body(request, required=required)
        if error:
            return None, None, error
        clean, error = checked(invitation, data)
        return invitation, clean, error

    async def api_save(request: Request):
        invitation, clean, error = await api_answers(request, required=True)
        if error:
            return error
        try:
            saved = await backend.db(_collect.save_draft, invitation, clean)
        except _collect.SubmitError:
            return api_error(409, "already-submitted", "this invitation has already been submitted")
        except sqlite3.OperationalError:
            return api_error(503, "busy", "the store is busy; try again", retry_after=1)
        items = items_for(backend.study, invitation.instruments)
        return JSONResponse({"status": "saved", "saved": len(clean), "answered": saved.answered,
                             "items": len(items)})

    async def api_submit(request: Request):
        invitation, clean, error = await api_answers(request, required=False)
        if error:
            return error
        try:
            when = await submissions.submit(invitation, clean)
        except _collect.SubmitError as exc:
            if exc.code == "already-submitted":
                return api_error(409, "already-submitted", str(exc))
            return api_error(409, exc.code, str(exc), problems=exc.problems[:20])
        except sqlite3.OperationalError:
            return api_error(503, "busy", "the store is busy; try again", retry_after=1)
        return JSONResponse({"status": "submitted", "wave": invitation.wave, "submitted_at": when})

    # ------------------------------------------------------------------ admin
    async def admin(request: Request):
        if not password:
            raise HTTPException(404)
        if not _basic_ok(request.headers.get("authorization"), password):
            address = request.client.host if request.client else "?"
            if limits.failed_lookup(address):
                raise HTTPException(429)
            return PlainTextResponse("Authentication required", status_code=401,
                                     headers={"WWW-Authenticate": 'Basic realm="folge admin", charset="UTF-8"'})
        lang = pick_language(request.query_params.get("lang"), None, "nb")
        rows = await backend.db(invitation_counts)
        study = backend.study
        names = {r.id: r.name for r in study.regions}
        for row in rows:
            row["region_name"] = names.get(row["region"], row["region"])
            row["rate"] = f"{100 * row['submitted'] / row['invited']:.0f} %" if row["invited"] else ""
        return html("admin.html", **base_context(request, lang, t("admin_heading", lang)), rows=rows)

    # ------------------------------------------------------------------ misc
    async def stylesheet(request: Request):
        return Response(css, media_type="text/css", headers={"cache-control": "public, max-age=3600"})

    async def healthz(request: Request):
        return PlainTextResponse("ok")

    async def http_error(request: Request, exc: HTTPException):
        status = exc.status_code
        path = request.url.path
        headers = {"retry-after": "60"} if status == 429 else None
        if path.startswith("/api/"):
            codes = {404: "not-found", 405: "method-not-allowed", 415: "unsupported-media-type",
                     400: "bad-request", 429: "rate-limited"}
            return api_error(status, codes.get(status, "error"), exc.detail or "request refused") if not headers \
                else JSONResponse(error_payload("rate-limited", "too many requests"), 429, headers=headers)
        lang = pick_language(request.query_params.get("lang"), None, "nb")
        key = {404: "unknown", 429: "too_many"}.get(status, "bad_request")
        response = message(request, lang, key, status)
        if headers:
            response.headers.update(headers)
        return response

    async def lifespan(app):
        await backend.start()
        submissions.start()
        try:
            yield
        finally:
            await submissions.stop()
            await backend.stop()

    routes = [
        Route("/", home),
        Route("/healthz", healthz),
        Route("/static/folge.css", stylesheet),
        Route("/s/{token}", start),
        Route("/s/{token}/consent", consent, methods=["POST"]),
        Route("/s/{token}/p/{n:int}", show_page, methods=["GET"]),
        Route("/s/{token}/p/{n:int}", save_page, methods=["POST"]),
        Route("/s/{token}/submit", review, methods=["GET"]),
        Route("/s/{token}/submit", submit_form, methods=["POST"]),
        Route("/api/v1/responses/{token}", api_save, methods=["PUT"]),
        Route("/api/v1/responses/{token}/submit", api_submit, methods=["POST"]),
        Route("/admin", admin),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error},
                    lifespan=asynccontextmanager(lifespan))
    app.state.backend = backend
    # the last added is outermost: headers on everything, then the body limit, then rate limits
    app.add_middleware(RateLimit, limits=limits)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body)
    app.add_middleware(SecurityHeaders)
    return app


def _options(item, lang: str) -> list[tuple[int, str]]:
    """The choices of a numeric item: scale values, then missing codes, with labels in ``lang``."""
    scale = item.scale
    return [(v, scale.label(v, lang)) for v in (*scale.values, *scale.missing)]


def _hint_id(item) -> str:
    return f"{item.id}-hint"


def _basic_ok(header: str | None, password: str) -> bool:
    if not header or not header.lower().startswith("basic "):
        return False
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    _, _, given = decoded.partition(":")
    return constant_time_equal(given, password)


def _csrf_secret(root: Path) -> bytes:
    """A server secret for CSRF tokens, derived from the pseudonym key (never stored apart)."""
    from ..pseudonym import load_key

    try:
        return load_key(root)
    except Exception:
        import secrets

        return secrets.token_bytes(32)
