"""Who gets which message: invitations, reminders on request, and what a schedule says is due.

Planning only reads the store; nothing is sent or recorded here. Each planner returns the
messages to send (:class:`Job`) and the contacts it passed over with the reason
(:class:`Skip`): opted out, already invited, answered, reminded too recently, not invited.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from .._errors import InputError
from ..definitions import Study, Wave, did_you_mean
from ._contacts import Contact, list_contacts
from ._outbox import sent_invitations, sent_reminders, stored_tokens

__all__ = ["Job", "Skip", "Plan", "plan_invitations", "plan_reminders", "plan_schedule", "check_wave_open"]


@dataclass(frozen=True)
class Job:
    """One message to send: to whom, for which wave, an invitation or a reminder (and its day)."""

    contact: Contact
    wave: str
    kind: str
    step: int | None = None


@dataclass(frozen=True)
class Skip:
    contact: Contact
    wave: str
    reason: str


@dataclass(frozen=True)
class Plan:
    jobs: tuple[Job, ...]
    skipped: tuple[Skip, ...]

    def __add__(self, other: Plan) -> Plan:
        return Plan(self.jobs + other.jobs, self.skipped + other.skipped)


def _wave(study: Study, wave_id: str) -> Wave:
    try:
        return study.wave(wave_id)
    except KeyError:
        known = [w.id for w in study.waves]
        raise InputError(f"unknown wave '{wave_id}'{did_you_mean(wave_id, known)}; "
                         f"the study has {', '.join(known)}") from None


def check_wave_open(study: Study, wave_id: str, now: dt.datetime) -> Wave:
    """The wave, when it takes answers at ``now``; else an :class:`InputError` saying why."""
    wave = _wave(study, wave_id)
    if wave.closed:
        raise InputError(f"wave '{wave_id}' is closed (research/study.yaml): no mail goes out for it")
    if wave.opens is not None and now < wave.opens:
        raise InputError(f"wave '{wave_id}' opens {wave.opens.isoformat()}: its links take no answers before then")
    if wave.closes is not None and now >= wave.closes:
        raise InputError(f"wave '{wave_id}' closed {wave.closes.isoformat()}: its links take no more answers")
    return wave


def plan_invitations(connection: sqlite3.Connection, study: Study, wave_id: str,
                     region: str | None = None) -> Plan:
    """An invitation for every contact (of ``region``) not yet invited to the wave and not opted out."""
    if region is not None and region not in [r.id for r in study.regions]:
        known = [r.id for r in study.regions]
        raise InputError(f"unknown region '{region}'{did_you_mean(region, known)}; the study has {', '.join(known)}")
    invited = sent_invitations(connection, wave_id)
    regions, roles = {r.id for r in study.regions}, {r.id for r in study.roles}
    jobs, skipped = [], []
    for contact in list_contacts(connection, region):
        if contact.opted_out:
            skipped.append(Skip(contact, wave_id, "opted out"))
        elif contact.region not in regions or contact.role not in roles:
            skipped.append(Skip(contact, wave_id, f"region '{contact.region}' or role '{contact.role}' is no longer "
                                                  "in the study"))
        elif contact.pseudonym in invited:
            skipped.append(Skip(contact, wave_id, "already invited"))
        else:
            jobs.append(Job(contact, wave_id, "invitation"))
    return Plan(tuple(jobs), tuple(skipped))


def _answered(connection: sqlite3.Connection, wave_id: str) -> set[str]:
    """Pseudonyms of contacts whose mailed invitation to the wave has been submitted."""
    from ..web import pending_invitations

    waiting = {inv.token_hash for inv in pending_invitations(connection, wave_id)}
    return {p for p, (token_hash, _) in stored_tokens(connection, wave_id).items() if token_hash not in waiting}


def _reminder_candidates(connection, wave_id):
    """Contacts invited to the wave, each with its skip reason (None when it may be reminded)."""
    invited = sent_invitations(connection, wave_id)
    answered = _answered(connection, wave_id)
    for contact in list_contacts(connection):
        if contact.pseudonym not in invited:
            continue
        reason = ("opted out" if contact.opted_out else "answered" if contact.pseudonym in answered else None)
        yield contact, invited[contact.pseudonym], reason


def plan_reminders(connection: sqlite3.Connection, study: Study, wave_id: str, *, every_days: float,
                   now: dt.datetime) -> Plan:
    """A reminder for every invited contact who has not submitted and was not reminded lately.

    ``every_days`` is the least time between two reminders to one person (0: no limit);
    the first reminder may follow the invitation at once. Contacts never invited to the
    wave are not counted at all.
    """
    if every_days < 0:
        raise ValueError(f"'every_days' must be 0 or more (got {every_days})")
    reminded = sent_reminders(connection, wave_id)
    jobs, skipped = [], []
    for contact, _invited_at, reason in _reminder_candidates(connection, wave_id):
        last = reminded.get(contact.pseudonym)
        if reason is None and every_days and last and now - last.last_at < dt.timedelta(days=every_days):
            reason = f"reminded {last.last_at.date().isoformat()}"
        if reason:
            skipped.append(Skip(contact, wave_id, reason))
        else:
            jobs.append(Job(contact, wave_id, "reminder"))
    return Plan(tuple(jobs), tuple(skipped))


def _due_step(wave: Wave, invited_at: dt.datetime, now: dt.datetime) -> int | None:
    """The latest reminder day that has come and fell after the person's invitation."""
    due = [d for d in wave.reminders
           if invited_at < wave.opens + dt.timedelta(days=d) <= now]
    return max(due) if due else None


def plan_schedule(connection: sqlite3.Connection, study: Study, now: dt.datetime) -> Plan:
    """What ``folge mail run`` sends at ``now``: for each wave with ``opens ≤ now < closes``,
    invitations to contacts not yet invited and, to those who have not submitted, the latest
    reminder whose day has come (each day at most once; days missed are not made up)."""
    plan = Plan((), ())
    for wave in study.waves:
        if wave.opens is None or not wave.accepts_answers(now):
            continue
        plan += plan_invitations(connection, study, wave.id)
        reminded = sent_reminders(connection, wave.id)
        jobs, skipped = [], []
        for contact, invited_at, reason in _reminder_candidates(connection, wave.id):
            step = _due_step(wave, invited_at, now)
            last = reminded.get(contact.pseudonym)
            if step is None or (last is not None and last.last_step is not None and last.last_step >= step):
                continue
            if reason:
                skipped.append(Skip(contact, wave.id, reason))
            else:
                jobs.append(Job(contact, wave.id, "reminder", step))
        plan += Plan(tuple(jobs), tuple(skipped))
    return plan
