"""The JSON API for respondents' own software: save answers, and submit.

Routes (registered in :mod:`._app`)::

    PUT  /api/v1/responses/{token}         save partial answers {"answers": {item: value}}
    POST /api/v1/responses/{token}/submit  submit (optionally with last answers)

Both pass :func:`._gate.gate` (the same gate as the HTML pages); a refusal and every
other error is a JSON body ``{"error": {"code": …, "message": …}}``
(:func:`._security.error_payload`).
"""

from __future__ import annotations

import json
import sqlite3

from starlette.requests import Request
from starlette.responses import JSONResponse

from . import _collect, _times
from ._forms import clean_answers, items_for
from ._gate import Refusal, gate
from ._security import error_payload

__all__ = ["api_error", "refused", "save", "submit"]

BUSY = "the store is busy; try again"


def api_error(status: int, code: str, message_text: str, **extra) -> JSONResponse:
    """A JSON error response."""
    return JSONResponse(error_payload(code, message_text, **extra), status_code=status)


def refused(refusal: Refusal) -> JSONResponse:
    """The JSON answer for a request the gate turned away."""
    if refusal.code == "already-submitted":
        return api_error(409, "already-submitted",
                         "this invitation has already been submitted; it accepts nothing more")
    if refusal.code == "wave-closed":
        return api_error(403, "wave-closed", f"wave '{refusal.invitation.wave}' is closed and accepts no answers")
    if refusal.code == "wave-not-open":
        return not_open(refusal)
    return api_error(404, "unknown-token", "no invitation has this token")


def not_open(refusal: Refusal) -> JSONResponse:
    """403 ``wave-not-open``: the wave opens later (``opens``) or has closed (``closes``), ISO 8601."""
    wave = refusal.invitation.wave
    if refusal.opens is not None:
        when = refusal.opens.isoformat()
        return api_error(403, "wave-not-open", f"wave '{wave}' opens on {when} and accepts no answers before then",
                         opens=when)
    when = refusal.closes.isoformat()
    return api_error(403, "wave-not-open", f"wave '{wave}' closed on {when} and accepts no more answers",
                     closes=when)


async def read_body(request: Request, required: bool) -> tuple[dict | None, JSONResponse | None]:
    """The JSON body ``{"answers": {…}}`` (may be empty unless ``required``), or the error."""
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


async def answers(request: Request, *, required: bool):
    """The invitation and its validated answers, or the 4xx response that refuses them."""
    entry = await gate(request)
    if isinstance(entry, Refusal):
        return None, None, refused(entry)
    data, error = await read_body(request, required=required)
    if error:
        return None, None, error
    items = items_for(request.app.state.backend.study, entry.invitation.instruments)
    clean, problems = clean_answers(items, data.get("answers", {}))
    if problems:
        refused_values = f"{len(problems)} answer(s) were refused; nothing was saved"
        return None, None, api_error(422, "invalid-values", refused_values,
                                     problems=[p.as_dict() for p in problems[:100]])
    return entry.invitation, clean, None


async def save(request: Request) -> JSONResponse:
    """``PUT /api/v1/responses/{token}``: save the answers given; how many are answered now."""
    invitation, clean, error = await answers(request, required=True)
    if error:
        return error
    backend = request.app.state.backend
    try:
        saved = await backend.db(_collect.save_draft, invitation, clean)
    except _collect.SubmitError:
        return api_error(409, "already-submitted", "this invitation has already been submitted")
    except sqlite3.OperationalError:
        return api_error(503, "busy", BUSY, retry_after=1)
    items = items_for(backend.study, invitation.instruments)
    await backend.db(_times.record_api_saved, invitation.token_hash,
                     answered_per_instrument(backend.study, invitation, saved.answers), request.app.state.clock())
    return JSONResponse({"status": "saved", "saved": len(clean), "answered": saved.answered, "items": len(items)})


async def submit(request: Request) -> JSONResponse:
    """``POST /api/v1/responses/{token}/submit``: submit, with the last answers if any are given."""
    invitation, clean, error = await answers(request, required=False)
    if error:
        return error
    try:
        when = await request.app.state.submissions.submit(invitation, clean)
    except _collect.SubmitError as exc:
        if exc.code == "already-submitted":
            return api_error(409, "already-submitted", str(exc))
        return api_error(409, exc.code, str(exc), problems=exc.problems[:20])
    except sqlite3.OperationalError:
        return api_error(503, "busy", BUSY, retry_after=1)
    return JSONResponse({"status": "submitted", "wave": invitation.wave, "submitted_at": when})


def answered_per_instrument(study, invitation, answers: dict) -> list[tuple[str, int]]:
    """``(instrument, items answered)`` of the invitation's instruments in a draft's answers."""
    counts = []
    for instrument_id in invitation.instruments:
        instrument = study.instruments.get(instrument_id)
        if instrument is not None:
            counts.append((instrument_id, sum(1 for i in instrument.item_ids if answers.get(i) is not None)))
    return counts
