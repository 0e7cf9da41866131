"""The web questionnaire as a Starlette app: ``create_app(study_root)``.

The app is a routing table (:data:`ROUTES`) of small endpoints: the HTML pages in
:mod:`._html`, the JSON API in :mod:`._api`, the counts page in :mod:`._admin`; all token
routes pass one gate (:mod:`._gate`). What they share lives on ``app.state``, set up here:
``backend`` (study and store, :mod:`._backend`), ``submissions`` (group commit),
``settings``, ``limits`` (rate limits), ``csrf``, ``templates`` (with the UI texts of
:mod:`._i18n`), ``admin_password``, ``stylesheet`` and ``clock`` (the current moment). The store opens at start-up.

Also ``GET /static/folge.css``, ``GET /healthz`` and the e-mail opt-out page
``/optout/{id}`` (:mod:`._optout`, the one route without CSRF checks).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from . import _admin, _api, _html, _optout
from ._backend import Backend, Submissions
from ._i18n import pick_language
from ._render import TEMPLATES_DIR, message, templates
from ._security import BodyLimit, Csrf, RateLimit, RateLimits, SecurityHeaders, error_payload
from ._settings import ADMIN_PASSWORD_ENV, WebSettings

__all__ = ["ADMIN_PASSWORD_ENV", "ROUTES", "WebSettings", "create_app"]


async def stylesheet(request: Request) -> Response:
    """``GET /static/folge.css``."""
    return Response(request.app.state.stylesheet, media_type="text/css",
                    headers={"cache-control": "public, max-age=3600"})


async def healthz(request: Request) -> Response:
    """``GET /healthz``: the server answers."""
    return PlainTextResponse("ok")


ROUTES = [
    Route("/", _html.home),
    Route("/healthz", healthz),
    Route("/static/folge.css", stylesheet),
    Route("/s/{token}", _html.start),
    Route("/s/{token}/consent", _html.consent, methods=["POST"]),
    Route("/s/{token}/p/{n:int}", _html.PageEndpoint),
    Route("/s/{token}/submit", _html.ReviewEndpoint),
    Route("/api/v1/responses/{token}", _api.save, methods=["PUT"]),
    Route("/api/v1/responses/{token}/submit", _api.submit, methods=["POST"]),
    Route("/admin", _admin.admin),
    Route("/optout/{id}", _optout.OptOutEndpoint),
]

_API_CODES = {404: "not-found", 405: "method-not-allowed", 415: "unsupported-media-type", 400: "bad-request",
              429: "rate-limited"}


async def http_error(request: Request, exc: HTTPException) -> Response:
    """A refused request: JSON under ``/api/``, a page in the respondent's language elsewhere."""
    status = exc.status_code
    if request.url.path.startswith("/api/"):
        if status == 429:
            return JSONResponse(error_payload("rate-limited", "too many requests"), 429, headers={"retry-after": "60"})
        return _api.api_error(status, _API_CODES.get(status, "error"), exc.detail or "request refused")
    lang = pick_language(request.query_params.get("lang"), None, "nb")
    response = message(request, lang, {404: "unknown", 429: "too_many"}.get(status, "bad_request"), status)
    if status == 429:
        response.headers.update({"retry-after": "60"})
    return response


@asynccontextmanager
async def lifespan(app: Starlette):
    """Open the store and start the group commit; stop both at shutdown."""
    await app.state.backend.start()
    app.state.submissions.start()
    try:
        yield
    finally:
        await app.state.submissions.stop()
        await app.state.backend.stop()


def utc_now() -> dt.datetime:
    """The current moment, aware (the app's default clock)."""
    return dt.datetime.now(dt.timezone.utc)


def create_app(study_root: str | Path, settings: WebSettings | None = None,
               admin_password: str | None = None, clock: Callable[[], dt.datetime] | None = None) -> Starlette:
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
    clock
        Returns the current aware moment: whether a wave takes answers (its ``opens`` and
        ``closes``) and the page times are judged by it. Default: the system clock.
    """
    root = Path(study_root)
    settings = settings or WebSettings.from_env()
    app = Starlette(routes=ROUTES, exception_handlers={HTTPException: http_error}, lifespan=lifespan)
    state = app.state
    state.settings = settings
    state.clock = clock or utc_now
    state.admin_password = admin_password if admin_password is not None else os.environ.get(ADMIN_PASSWORD_ENV) or None
    state.backend = Backend(root)
    state.submissions = Submissions(state.backend)
    state.limits = RateLimits(settings.rate_token, settings.rate_address, settings.rate_failures)
    state.csrf = Csrf(_csrf_secret(root))
    state.templates = templates()
    state.stylesheet = (TEMPLATES_DIR / "folge.css").read_bytes()
    # the last added is outermost: headers on everything, then the body limit, then rate limits
    app.add_middleware(RateLimit, limits=state.limits)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body)
    app.add_middleware(SecurityHeaders)
    return app


def _csrf_secret(root: Path) -> bytes:
    """A server secret for CSRF tokens, derived from the pseudonym key (never stored apart)."""
    from ..pseudonym import load_key

    try:
        return load_key(root)
    except Exception:
        import secrets

        return secrets.token_bytes(32)
