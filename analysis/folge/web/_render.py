"""What the HTML pages share: the templates, the page frame, messages, links and the CSRF cookie.

Every helper reads what it needs from ``request.app.state`` (set up by :func:`create_app`):
``templates`` (the Jinja environment), ``backend`` (the study) and ``csrf``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ._i18n import LANGUAGE_NAMES, UI_LANGUAGES, t
from ._security import CSRF_COOKIE, Csrf

__all__ = [
    "TEMPLATES_DIR",
    "base_context",
    "contact_text",
    "csrf_cookie",
    "form_token",
    "hint_id",
    "html",
    "message",
    "options",
    "templates",
    "token_url",
    "with_cookie",
]

TEMPLATES_DIR = Path(__file__).parent / "templates"


def templates() -> jinja2.Environment:
    """The Jinja environment of the questionnaire pages, with ``t`` (the UI texts) as a global."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.globals["t"] = t
    return env


def html(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    """Template ``name`` rendered with ``context``."""
    page = request.app.state.templates.get_template(name).render(**context)
    return HTMLResponse(page, status_code=status)


def base_context(request: Request, lang: str, title: str, switch: bool = True) -> dict:
    """What every page needs: language, title, programme and the language-switch links."""
    study = request.app.state.backend.study
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
    """A page with the heading and text ``key`` (or ``extra`` as the text) of the UI catalogue."""
    heading = t(f"{key}_heading", lang)
    return html(request, "message.html", status, **base_context(request, lang, heading),
                heading=heading, body=t(key, lang) if extra is None else extra)


def token_url(request: Request, suffix: str = "", lang: str | None = None) -> str:
    """The link ``/s/TOKEN{suffix}`` of this request's token, with ``?lang=`` when given."""
    url = f"/s/{quote(request.path_params['token'], safe='')}{suffix}"
    return f"{url}?lang={lang}" if lang else url


def csrf_cookie(request: Request) -> tuple[str, bool]:
    """The request's CSRF cookie value, or a new one; and whether it is new."""
    value = request.cookies.get(CSRF_COOKIE)
    if value and 16 <= len(value) <= 64:
        return value, False
    return Csrf.new_cookie(), True


def form_token(request: Request, cookie: str, token_hash: str) -> str:
    """The hidden CSRF field of a form, bound to the cookie and the invitation."""
    return request.app.state.csrf.form_token(cookie, token_hash)


def with_cookie(response: Response, request: Request, value: str, new: bool) -> Response:
    """``response``, setting the CSRF cookie when it is ``new``."""
    if new:
        response.set_cookie(CSRF_COOKIE, value, httponly=True, samesite="strict", path="/",
                            secure=request.url.scheme == "https")
    return response


def contact_text(contact, lang: str) -> str | None:
    """The study's contact entry as text in ``lang`` (None when there is none).

    Examples
    --------
    >>> contact_text({"nb": "a@b.no", "en": "c@d.org"}, "en"), contact_text({"mail": "x", "tel": "1"}, "nb")
    ('c@d.org', 'x, 1')
    """
    if not contact:
        return None
    if isinstance(contact, str):
        return contact
    if isinstance(contact, dict):
        if any(k in contact for k in UI_LANGUAGES):
            return str(contact.get(lang) or contact.get("nb") or next(iter(contact.values())))
        return ", ".join(str(v) for v in contact.values() if v)
    return str(contact)


def options(item, lang: str) -> list[tuple[int, str]]:
    """The choices of a numeric item: scale values, then missing codes, with labels in ``lang``."""
    scale = item.scale
    return [(v, scale.label(v, lang)) for v in (*scale.values, *scale.missing)]


def hint_id(item) -> str:
    """The HTML id of an item's hint text."""
    return f"{item.id}-hint"
