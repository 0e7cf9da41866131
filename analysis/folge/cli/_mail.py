"""``folge contacts import``, ``folge mail run`` and the ``--send`` paths of ``folge invite``
and ``folge remind``: invitations and reminders by e-mail."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ._common import console, err_console, load_study_or_fail, reports_errors, study_option

__all__ = ["contacts", "mail", "invite_send_options", "remind_send_options", "send_invitations_command",
           "send_reminders_command"]


def say(text: str) -> None:
    console.print(text, markup=False, soft_wrap=True, highlight=False)


def warn(text: str) -> None:
    err_console.print(text, markup=False, soft_wrap=True, highlight=False)


def _open_store(study_dir: Path):
    from ..store import Store

    return Store.open(study_dir, create=True)


rate_option = click.option("--rate", type=click.FloatRange(min=0, min_open=True), default=None,
                           help="At most this many messages a minute (default: no limit).")
dry_run_option = click.option("--dry-run", is_flag=True,
                              help="List each message that would go (with --send); connect to nothing, record nothing.")


def invite_send_options(command):
    """--send, --dry-run and --rate for ``folge invite``."""
    command = rate_option(command)
    command = dry_run_option(command)
    return click.option("--send", is_flag=True,
                        help="Mail each contact (folge contacts import) a personal link under "
                             "$FOLGE_BASE_URL through $FOLGE_SMTP_URL instead of writing a CSV; "
                             "--region narrows it.")(command)


def remind_send_options(command):
    """--send, --every, --dry-run and --rate for ``folge remind``."""
    command = rate_option(command)
    command = dry_run_option(command)
    command = click.option("--every", type=click.FloatRange(min=0), default=7, show_default=True,
                           help="With --send: least days between two reminders to one person (0: no limit).")(command)
    return click.option("--send", is_flag=True,
                        help="Mail a reminder with the same link to invited contacts who have not "
                             "submitted, through $FOLGE_SMTP_URL.")(command)


class _Bar:
    """A rich progress bar on stderr, shown from the first ``progress(done, total)`` call on
    (so that a run that stops before sending prints nothing but its reason)."""

    def __enter__(self):
        self.progress = self.task = None
        return self

    def __call__(self, done: int, total: int) -> None:
        if not err_console.is_terminal:  # cron and pipes get the summary only
            return
        if self.progress is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.progress = Progress(TextColumn("e-post / mail"), BarColumn(), MofNCompleteColumn(),
                                     TimeRemainingColumn(), console=err_console, transient=True)
            self.progress.__enter__()
            self.task = self.progress.add_task("mail", total=total)
        self.progress.update(self.task, completed=done)

    def __exit__(self, *exc_info):
        if self.progress is not None:
            self.progress.__exit__(*exc_info)


def _report(run) -> None:
    """Print a run's lines and counts; exit 1 when any message failed or the server was lost."""
    for line in run.planned:
        say(line)
    for line in run.failures:
        warn(f"feilet / failed: {line}")
    if run.dry_run:
        say(f"ville sendt / would send {len(run.planned)}, hoppet over / skipped {run.skipped} (dry run)")
        return
    say(f"sendt / sent {run.sent}, hoppet over / skipped {run.skipped}, feilet / failed {run.failed}")
    if run.server_error:
        warn(f"folge: {run.server_error}; {run.not_attempted + 1} melding(er) / message(s) not sent: "
             "the next run sends them")
    if not run.ok:
        raise click.exceptions.Exit(1)


def _run(study_dir: Path, send, **options):
    from ..mail import Throttle

    study = load_study_or_fail(study_dir)
    rate = options.pop("rate")
    with _open_store(study_dir) as store:
        if options.get("dry_run"):
            run = send(store, study, **options)
        else:
            with _Bar() as bar:
                run = send(store, study, throttle=Throttle(rate), progress=bar, **options)
    _report(run)


def send_invitations_command(study_dir: Path, wave: str, region: str | None, dry_run: bool, rate: float | None):
    """``folge invite --wave W --send``: called by ``folge invite`` when --send is given."""
    from ..mail import send_invitations

    _run(study_dir, send_invitations, wave=wave, region=region, dry_run=dry_run, rate=rate)


def send_reminders_command(study_dir: Path, wave: str, every: float, dry_run: bool, rate: float | None):
    """``folge remind --wave W --send``: called by ``folge remind`` when --send is given."""
    from ..mail import send_reminders

    _run(study_dir, send_reminders, wave=wave, every_days=every, dry_run=dry_run, rate=rate)


# ---------------------------------------------------------------- folge contacts
@click.group()
def contacts():
    """E-postkontakter / e-mail contacts for invitations (kept apart from answers)."""


@contacts.command("import")
@study_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@reports_errors
def import_(study_dir: Path, file: Path):
    """Import contacts from FILE.csv (columns email, region, role; optional name, language).

    Each bad row is reported as FILE:LINE: reason and not stored. An address already
    known is updated (an opt-out stays). Exit 0 when the file was read, 1 when it could not be.
    """
    from ..mail import import_contacts, read_contacts
    from ..pseudonym import load_key

    study = load_study_or_fail(study_dir)
    checked = read_contacts(file, study)
    for line in checked.invalid:
        warn(line)
    with _open_store(study_dir) as store:
        counts = import_contacts(store, checked, load_key(study_dir))
    say(f"lagret / stored {counts.stored}, oppdatert / updated {counts.updated}, "
        f"uendret / unchanged {counts.unchanged}, ugyldige / invalid {counts.invalid}")


# ---------------------------------------------------------------- folge mail
@click.group()
def mail():
    """E-post etter timeplan / mail on the waves' schedule (for cron)."""


def _moment(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    from ..definitions import parse_moment

    moment = parse_moment(text)
    if moment is None:
        raise click.BadParameter(f"{text!r} is not an ISO date or date-time (2026-03-01T08:00)", param_hint="--now")
    return moment


@mail.command("run")
@study_option
@click.option("--now", "now_text", metavar="ISO-TIME",
              help="Act as if it were this time (Oslo time unless it names an offset); default: now.")
@dry_run_option
@rate_option
@reports_errors
def run(study_dir: Path, now_text: str | None, dry_run: bool, rate: float | None):
    """Send what the schedule in research/study.yaml says is due, once.

    For each wave with opens ≤ now < closes: invitations to contacts not yet invited, and
    each reminder whose day has come to those who have not submitted. Waves without
    'opens' get nothing. Safe to run from cron as often as you like.
    """
    from ..mail import run_schedule

    _run(study_dir, run_schedule, now=_moment(now_text), dry_run=dry_run, rate=rate)
