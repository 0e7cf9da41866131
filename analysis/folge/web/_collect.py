"""Drafts and submissions: the questionnaire's side of the store.

Answers are saved to ``drafts`` on every page (or PUT). Submitting turns the draft into
responses of the wave through :func:`folge.ingest.ingest_frame`, the one path every
source takes, with ``source_kind="web"`` and the invitation's pseudonym. The responses,
the invitation's ``submitted_at`` and the removal of the draft are one SQLite transaction:
after a crash either all of it is there or none, and a token submits at most once.

Every function here takes the store and runs on the app's single database thread.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field

import pandas as pd

from ..definitions import Study
from ..ingest import ingest_frame
from ._forms import as_cell, items_for
from ._tokens import Invitation, hash_token, now_utc

__all__ = [
    "Draft",
    "SubmitError",
    "load",
    "save_draft",
    "give_consent",
    "submit",
    "submit_many",
]


@dataclass
class Draft:
    """Saved, not yet submitted answers of one invitation."""

    answers: dict[str, object] = field(default_factory=dict)
    page: int = 1
    lang: str | None = None

    @property
    def answered(self) -> int:
        return sum(1 for v in self.answers.values() if v is not None)


class SubmitError(Exception):
    """A submission the store refused; ``code`` says why (``already-submitted``, ``rejected``)."""

    def __init__(self, code: str, message: str, problems: list | None = None):
        super().__init__(message)
        self.code = code
        self.problems = problems or []


_INVITATION = ("SELECT i.token_hash, i.region, i.wave, i.role, i.instruments, i.respondent, i.panel,"
               " i.created_at, i.consented_at, i.submitted_at, d.answers, d.page, d.lang, i.opened_at"
               " FROM invitations AS i LEFT JOIN drafts AS d ON d.token_hash = i.token_hash"
               " WHERE i.token_hash = ?")


def load(connection: sqlite3.Connection, token: str) -> tuple[Invitation | None, Draft]:
    """The invitation of ``token`` and its draft; one indexed query by hash whatever the token."""
    row = connection.execute(_INVITATION, (hash_token(token),)).fetchone()
    if row is None:
        return None, Draft()
    invitation = Invitation(row[0], row[1], row[2], row[3], tuple(filter(None, row[4].split(","))),
                            row[5], bool(row[6]), row[7], row[8], row[9], row[13])
    draft = Draft(json.loads(row[10]) if row[10] else {}, row[11] or 1, row[12])
    return invitation, draft


def save_draft(connection: sqlite3.Connection, invitation: Invitation, answers: dict[str, object],
               page: int | None = None, lang: str | None = None) -> Draft:
    """Merge ``answers`` (already checked) into the draft; a None value clears an answer.

    Raises
    ------
    SubmitError
        ``already-submitted`` when the invitation was submitted meanwhile.
    """
    with connection:
        row = connection.execute(
            "SELECT i.submitted_at, d.answers, d.page, d.lang FROM invitations AS i"
            " LEFT JOIN drafts AS d ON d.token_hash = i.token_hash WHERE i.token_hash = ?",
            (invitation.token_hash,)).fetchone()
        if row is None or row[0] is not None:
            raise SubmitError("already-submitted", "this invitation has already been submitted")
        merged = json.loads(row[1]) if row[1] else {}
        merged.update(answers)
        merged = {k: v for k, v in merged.items() if v is not None}
        draft = Draft(merged, page if page is not None else (row[2] or 1), lang or row[3])
        connection.execute(
            "INSERT INTO drafts (token_hash, answers, page, lang, updated_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (token_hash) DO UPDATE SET answers = excluded.answers, page = excluded.page,"
            " lang = excluded.lang, updated_at = excluded.updated_at",
            (invitation.token_hash, json.dumps(draft.answers, ensure_ascii=False), draft.page,
             draft.lang, now_utc()))
    return draft


def give_consent(connection: sqlite3.Connection, invitation: Invitation, lang: str | None) -> None:
    """Record that the respondent consented (the time only), and their language."""
    with connection:
        connection.execute("UPDATE invitations SET consented_at = COALESCE(consented_at, ?)"
                           " WHERE token_hash = ? AND submitted_at IS NULL",
                           (now_utc(), invitation.token_hash))
    save_draft(connection, invitation, {}, lang=lang)


def _row(study: Study, invitation: Invitation, instrument_id: str, answers: dict) -> dict | None:
    """One canonical wide row for an instrument, every cell text; None when nothing is answered."""
    instrument = study.instruments[instrument_id]
    cells = {item_id: as_cell(answers.get(item_id)) for item_id in instrument.item_ids}
    if not any(cells.values()):
        return None
    return {"respondent": invitation.pseudonym, "region": invitation.region, "wave": invitation.wave,
            "role": invitation.role, **cells}


class _Fallback(Exception):
    """A batch the store did not take whole: submit its entries one by one instead."""


def _submit_together(store, study: Study, entries: list[tuple[Invitation, dict]], submitted_at: str) -> list:
    """Submit ``entries`` in one transaction; per entry its time or a :class:`SubmitError`.

    Raises :class:`_Fallback` (after rolling back) when the store quarantined or skipped any
    row, so that the caller can find out which entry it was by submitting them one by one.
    """
    connection: sqlite3.Connection = store.connection
    outcomes: list = [None] * len(entries)
    connection.execute("BEGIN IMMEDIATE")
    try:
        rows_by_wave_instrument: dict[tuple[str, str], list[dict]] = {}
        taken: list[Invitation] = []
        seen: set[str] = set()
        for position, (invitation, answers) in enumerate(entries):
            row = connection.execute(
                "SELECT i.submitted_at, d.answers FROM invitations AS i"
                " LEFT JOIN drafts AS d ON d.token_hash = i.token_hash WHERE i.token_hash = ?",
                (invitation.token_hash,)).fetchone()
            if row is None or row[0] is not None or invitation.token_hash in seen:
                outcomes[position] = SubmitError("already-submitted", "this invitation has already been submitted")
                continue
            seen.add(invitation.token_hash)
            merged = {**(json.loads(row[1]) if row[1] else {}), **(answers or {})}
            known = items_for(study, invitation.instruments)
            merged = {k: v for k, v in merged.items() if k in known and v is not None}
            for instrument_id in invitation.instruments:
                cells = _row(study, invitation, instrument_id, merged)
                if cells is not None:
                    rows_by_wave_instrument.setdefault((invitation.wave, instrument_id), []).append(cells)
            taken.append(invitation)
            outcomes[position] = submitted_at
        for (wave, instrument_id), rows in rows_by_wave_instrument.items():
            frame = pd.DataFrame(rows, dtype=object)
            digest = hashlib.sha256(json.dumps(rows, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
            result = ingest_frame(
                store, study, study.instruments[instrument_id], frame, wave, source="web", sha256=digest,
                source_kind="web", row_numbers=list(range(1, len(rows) + 1)), pseudonymised=True,
                in_transaction=True, description=f"web questionnaire: {len(rows)} submission(s)")
            if result.stored != len(rows) or result.duplicate_file:
                raise _Fallback
        for invitation in taken:
            done = connection.execute(
                "UPDATE invitations SET submitted_at = ? WHERE token_hash = ? AND submitted_at IS NULL",
                (submitted_at, invitation.token_hash)).rowcount
            if done != 1:  # pragma: no cover - guarded by the check above, inside the same transaction
                raise _Fallback
            connection.execute("DELETE FROM drafts WHERE token_hash = ?", (invitation.token_hash,))
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return outcomes


def submit_many(store, study: Study, entries: list[tuple[Invitation, dict | None]]) -> list:
    """Submit several invitations' answers at once (group commit); per entry its time or error.

    All entries go into the store in one transaction, as one import per instrument and
    wave (``source_kind="web"``). Each invitation's responses, its ``submitted_at`` and the
    removal of its draft commit together, so after a crash an entry is either wholly
    stored or not at all. If the store would quarantine or skip any row (a second status
    report for the same region and wave, say), nothing of the batch is kept and every entry
    is submitted on its own, so only the entry at fault is refused.
    """
    if not entries:
        return []
    try:
        return _submit_together(store, study, entries, now_utc())
    except _Fallback:
        pass
    outcomes: list = []
    for entry in entries:
        try:
            outcomes.append(_submit_together(store, study, [entry], now_utc())[0])
        except _Fallback:
            outcomes.append(SubmitError("rejected", "the store did not accept these answers (they conflict with "
                                                    "answers already stored for this wave)"))
    return outcomes


def submit(store, study: Study, invitation: Invitation, answers: dict | None = None) -> str:
    """Store the draft (plus ``answers``) as responses and mark the invitation submitted, atomically.

    Returns the submission time. Instruments the respondent left wholly blank store no row.

    Raises
    ------
    SubmitError
        ``already-submitted`` when the token was used; ``rejected`` when the store would
        quarantine the row (for example a second status report for the same region and wave).
    """
    (outcome,) = submit_many(store, study, [(invitation, answers)])
    if isinstance(outcome, SubmitError):
        raise outcome
    return outcome
