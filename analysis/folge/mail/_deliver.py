"""Sending a plan: tokens made or unsealed, each message composed, sent, and only then logged.

The order of things is what makes a rerun safe:

1. connect to the server first (unreachable: nothing is made or recorded);
2. give each contact invited for the first time a web invitation (through
   :func:`folge.web.create_invitations`, with the lower-cased address as the panel key, so
   the invitation carries the contact's pseudonym) and keep its token sealed;
3. send the messages one by one; a message is logged in ``mail_log`` only after the
   server accepted it. A refusal (4xx/5xx) fails that message, which the next run sends
   again; a lost connection stops the run, and what was not sent stays pending.

A message accepted by the server whose log write then fails (a crash between the two) is
the one case a rerun sends twice; SMTP gives no way to close that gap.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .._errors import InputError
from ..definitions import Study
from ._compose import MailSettings, compose, optout_link, personal_link
from ._contacts import contact_pseudonym
from ._jobs import Job, Plan
from ._keys import SealError, open_token, optout_id, seal_token
from ._outbox import invited_elsewhere, record_sent, store_tokens, stored_tokens
from ._smtp import MailServerError, MessageRefused
from ._templates import MailTemplates, last_day_text

__all__ = ["Summary", "Throttle", "deliver", "dry_run_lines"]


@dataclass
class Summary:
    """What a run did: counts, a line per failed message, and the server error that stopped it."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    not_attempted: int = 0
    failures: list[str] = field(default_factory=list)
    server_error: str | None = None

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_attempted and self.server_error is None


class Throttle:
    """At most ``per_minute`` messages a minute: waits so that sends are 60/per_minute s apart."""

    def __init__(self, per_minute: float | None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        if per_minute is not None and per_minute <= 0:
            raise ValueError(f"'per_minute' must be above 0 (got {per_minute})")
        self.gap = 60.0 / per_minute if per_minute else 0.0
        self.clock, self.sleep = clock, sleep
        self._last: float | None = None

    def wait(self) -> None:
        if self.gap and self._last is not None:
            remaining = self._last + self.gap - self.clock()
            if remaining > 0:
                self.sleep(remaining)
        self._last = self.clock()


def dry_run_lines(plan: Plan, study: Study) -> list[str]:
    """One line per message that would go: wave, kind (and day), address, region, role, language."""
    lines = []
    for job in plan.jobs:
        kind = job.kind if job.step is None else f"{job.kind} (day {job.step})"
        c = job.contact
        lines.append(f"{job.wave}: {kind} → {c.email} ({c.region}, {c.role}, {c.mail_language(study)})")
    return lines


def _tokens_for(store, study: Study, key: bytes, jobs: list[Job], now: dt.datetime,
                summary: Summary) -> dict[tuple[str, str], str]:
    """(pseudonym, wave) → token for every job that can have one; the others are failed."""
    tokens: dict[tuple[str, str], str] = {}
    for wave in sorted({j.wave for j in jobs}):
        wave_jobs = [j for j in jobs if j.wave == wave]
        sealed = stored_tokens(store.connection, wave)
        fresh = _invitable([j for j in wave_jobs if j.contact.pseudonym not in sealed], store, key, wave, summary)
        sealed.update(_new_tokens(store, study, key, wave, fresh, now))
        for job in wave_jobs:
            entry = sealed.get(job.contact.pseudonym)
            if entry is None:
                continue
            try:
                tokens[(job.contact.pseudonym, wave)] = open_token(key, entry[1], pseudonym=job.contact.pseudonym,
                                                                   wave=wave)
            except SealError as exc:
                summary.failures.append(f"{job.contact.email}: {exc}")
    return tokens


def _invitable(jobs: list[Job], store, key: bytes, wave: str, summary: Summary) -> list[Job]:
    """Those of ``jobs`` (contacts without a token yet) that may get a new web invitation."""
    ok = []
    for job in jobs:
        if job.kind != "invitation":
            summary.failures.append(f"{job.contact.email}: no stored link for wave '{wave}' "
                                    "(not invited by folge mail)")
        elif contact_pseudonym(key, job.contact.email) != job.contact.pseudonym:
            summary.failures.append(f"{job.contact.email}: the study key changed since the contacts were imported; "
                                    "import them again")
        else:
            ok.append(job)
    blocked = invited_elsewhere(store.connection, wave, [j.contact.pseudonym for j in ok])
    for job in ok:
        if job.contact.pseudonym in blocked:
            summary.failures.append(f"{job.contact.email}: already has an invitation to wave '{wave}' that folge "
                                    "mail did not make (folge invite --panel?), whose link is unknown")
    return [j for j in ok if j.contact.pseudonym not in blocked]


def _new_tokens(store, study: Study, key: bytes, wave: str, jobs: list[Job],
                now: dt.datetime) -> dict[str, tuple[str, str]]:
    """Web invitations for ``jobs`` (grouped by region and role), their tokens sealed and kept."""
    from ..web import create_invitations, hash_token

    made: dict[str, tuple[str, str]] = {}
    groups: dict[tuple[str, str], list[Job]] = {}
    for job in jobs:
        groups.setdefault((job.contact.region, job.contact.role), []).append(job)
    for (region, role), group in groups.items():
        tokens, _ = create_invitations(store, study, wave=wave, region=region, role=role,
                                       panel_keys=[j.contact.email for j in group])
        rows = [(j.contact.pseudonym, hash_token(t), seal_token(key, t, pseudonym=j.contact.pseudonym, wave=wave))
                for j, t in zip(group, tokens)]
        store_tokens(store.connection, wave, rows, now)
        made.update({p: (h, s) for p, h, s in rows})
    return made


def _context(study: Study, job: Job, lang: str) -> dict:
    try:
        region = study.region(job.contact.region).name
    except KeyError:
        region = job.contact.region
    return {"name": job.contact.name, "programme": study.programme, "region": region, "wave": job.wave,
            "closes": last_day_text(study.wave(job.wave).closes, lang)}


def deliver(store, study: Study, plan: Plan, *, key: bytes, settings: MailSettings, transport,
            templates: MailTemplates | None = None, now: dt.datetime | None = None,
            throttle: Throttle | None = None, progress: Callable[[int, int], None] | None = None) -> Summary:
    """Send every job of ``plan`` through ``transport`` (an unopened :class:`SmtpTransport`).

    Returns the :class:`Summary`; ``skipped`` counts the plan's skipped contacts. Each
    message is logged at the time the server accepted it, or at ``now`` when given (a
    simulated time, ``folge mail run --now``).

    Raises
    ------
    MailServerError
        When the server cannot be reached at the start (nothing was made or recorded).
    """
    simulated = now
    now = now or dt.datetime.now(dt.timezone.utc)
    templates = templates or MailTemplates(study.root)
    throttle = throttle or Throttle(None)
    summary = Summary(skipped=len(plan.skipped))
    jobs = list(plan.jobs)
    if not jobs:
        return summary
    templates.check((j.kind, j.contact.mail_language(study)) for j in jobs)
    with transport as smtp:
        try:
            tokens = _tokens_for(store, study, key, jobs, now, summary)
        except InputError as exc:
            raise InputError(f"cannot make the invitations: {exc}") from None
        summary.failed = len(summary.failures)
        ready = [j for j in jobs if (j.contact.pseudonym, j.wave) in tokens]
        for done, job in enumerate(ready):
            throttle.wait()
            try:
                message = _message(study, job, tokens[(job.contact.pseudonym, job.wave)], key, settings, templates)
                smtp.send(message, settings.sender_address, job.contact.email)
            except MessageRefused as exc:
                summary.failed += 1
                summary.failures.append(f"{job.contact.email}: refused by the server: {exc}")
            except MailServerError as exc:
                summary.failed += 1
                summary.not_attempted = len(ready) - done - 1
                summary.server_error = str(exc)
                break
            else:
                record_sent(store.connection, pseudonym=job.contact.pseudonym, wave=job.wave, kind=job.kind,
                            step=job.step, message_id=message["Message-ID"],
                            sent_at=simulated or dt.datetime.now(dt.timezone.utc))
                summary.sent += 1
            if progress is not None:
                progress(done + 1, len(ready))
    return summary


def _message(study, job, token, key, settings, templates):
    lang = job.contact.mail_language(study)
    unsubscribe = optout_link(settings.base_url, optout_id(key, job.contact.pseudonym))
    words = templates.render(job.kind, lang, _context(study, job, lang),
                             link=personal_link(settings.base_url, token), optout_url=unsubscribe)
    return compose(words, settings=settings, recipient=job.contact.email, name=job.contact.name,
                   unsubscribe_url=unsubscribe)
