"""The three ways mail goes out, as the command line uses them.

:func:`send_invitations` (``folge invite --send``), :func:`send_reminders` (``folge remind
--send``) and :func:`run_schedule` (``folge mail run``) plan from the store, then either
list what would go (``dry_run``: no connection, nothing made or recorded) or send it
through :func:`._deliver.deliver`. All three share one send log.
"""

from __future__ import annotations

import datetime as dt
import os
from contextlib import contextmanager
from pathlib import Path

from .._errors import FolgeError
from .._paths import DATA_DIR
from ..definitions import Study
from ..pseudonym import load_key
from ._compose import MailSettings
from ._deliver import Summary, Throttle, deliver, dry_run_lines
from ._jobs import check_wave_open, plan_invitations, plan_reminders, plan_schedule
from ._smtp import SMTP_URL_ENV, SmtpSettings, SmtpTransport
from ._templates import MailTemplates

__all__ = ["Run", "send_invitations", "send_reminders", "run_schedule", "transport_from_env", "one_run_at_a_time"]


class Run(Summary):
    """A :class:`Summary` plus, for a dry run, one line per message that would go."""

    def __init__(self, summary: Summary, planned: list[str] | None = None, dry_run: bool = False):
        super().__init__(**vars(summary))
        self.planned = planned or []
        self.dry_run = dry_run


def transport_from_env(environ=None) -> SmtpTransport:
    """An (unopened) :class:`SmtpTransport` for ``FOLGE_SMTP_URL``.

    Raises
    ------
    FolgeError
        When the variable is unset or malformed.
    """
    environ = os.environ if environ is None else environ
    url = environ.get(SMTP_URL_ENV)
    if not url:
        raise FolgeError(f"set {SMTP_URL_ENV} to the mail server, "
                         "e.g. smtp+starttls://user:password@smtp.example.no:587")
    return SmtpTransport(SmtpSettings.from_url(url))


def _now(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is None:
        raise ValueError("'now' must be an aware date-time (with a time zone)")
    return now


@contextmanager
def one_run_at_a_time(root: Path):
    """Hold ``data/mail.lock`` while sending, so two runs (cron overlapping a manual one)
    never plan and send the same messages. Where file locks are not available (not POSIX)
    this only creates the file.

    Raises
    ------
    FolgeError
        When another run holds the lock.
    """
    path = Path(root) / DATA_DIR / "mail.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FolgeError(f"another mail run is sending for this study ({path} is locked); "
                             "try again when it has finished") from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _send(store, study: Study, plan_of, *, now, dry_run, settings, transport, throttle, progress) -> Run:
    """Plan with ``plan_of(connection)`` and send it (under the run lock), or list it for a dry run.

    ``now`` is None for a real run (each message is logged at the time the server accepted
    it) or the simulated time of ``--now`` (every message is logged at that time).
    """
    if dry_run:
        plan = plan_of(store.connection)
        MailTemplates(study.root).check((j.kind, j.contact.mail_language(study)) for j in plan.jobs)
        return Run(Summary(skipped=len(plan.skipped)), dry_run_lines(plan, study), dry_run=True)
    settings = settings or MailSettings.from_env()
    transport = transport or transport_from_env()
    with one_run_at_a_time(store.root):
        summary = deliver(store, study, plan_of(store.connection), key=load_key(study.root), settings=settings,
                          transport=transport, now=now, throttle=throttle, progress=progress)
    return Run(summary)


def send_invitations(store, study: Study, wave: str, *, region: str | None = None, now: dt.datetime | None = None,
                     dry_run: bool = False, settings: MailSettings | None = None, transport=None,
                     throttle: Throttle | None = None, progress=None) -> Run:
    """Mail one personal link to each contact (of ``region``) not yet invited to ``wave``.

    Raises
    ------
    InputError
        For an unknown wave or region, or a wave that takes no answers at ``now``.
    MailServerError
        When the server cannot be reached (nothing made or recorded).
    """
    check_wave_open(study, wave, _now(now))
    return _send(store, study, lambda connection: plan_invitations(connection, study, wave, region), now=now,
                 dry_run=dry_run, settings=settings, transport=transport, throttle=throttle, progress=progress)


def send_reminders(store, study: Study, wave: str, *, every_days: float = 7, now: dt.datetime | None = None,
                   dry_run: bool = False, settings: MailSettings | None = None, transport=None,
                   throttle: Throttle | None = None, progress=None) -> Run:
    """Mail the same link again to invited contacts who have not submitted (see :func:`plan_reminders`)."""
    moment = _now(now)
    check_wave_open(study, wave, moment)
    return _send(store, study,
                 lambda connection: plan_reminders(connection, study, wave, every_days=every_days, now=moment),
                 now=now, dry_run=dry_run, settings=settings, transport=transport, throttle=throttle,
                 progress=progress)


def run_schedule(store, study: Study, *, now: dt.datetime | None = None, dry_run: bool = False,
                 settings: MailSettings | None = None, transport=None, throttle: Throttle | None = None,
                 progress=None) -> Run:
    """Send whatever the waves' schedules say is due at ``now`` (see :func:`plan_schedule`)."""
    moment = _now(now)
    return _send(store, study, lambda connection: plan_schedule(connection, study, moment), now=now,
                 dry_run=dry_run, settings=settings, transport=transport, throttle=throttle, progress=progress)
