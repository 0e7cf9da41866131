"""``folge serve``, ``folge invite`` and ``folge remind``: the web questionnaire."""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

import click

from ._common import console, err_console, load_study_or_fail, reports_errors, study_option
from ._mail import invite_send_options, remind_send_options, send_invitations_command, send_reminders_command

#: Where invitation links point unless --base-url or $FOLGE_BASE_URL says otherwise.
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
INVITE_COLUMNS = ("token", "url", "region", "wave", "role", "invitation")


def _open_store(study_dir: Path):
    from ..store import Store

    store_cm = Store.open(study_dir, create=True)
    return store_cm, store_cm.__enter__()


def _writer(output: Path | None):
    if output is None:
        return sys.stdout, False
    output.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # tokens open questionnaires
    return os.fdopen(fd, "w", encoding="utf-8", newline=""), True


@click.command()
@study_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
@reports_errors
def serve(study_dir: Path, host: str, port: int, log_level: str):
    """Serve the web questionnaire of the study (an ASGI app under uvicorn).

    Respondents open /s/TOKEN from their invitation. The coordinator view /admin shows
    counts only and needs the password in FOLGE_ADMIN_PASSWORD (disabled when unset).
    Put it behind HTTPS (a reverse proxy) before using it on the internet.
    """
    import uvicorn

    from ..web import ADMIN_PASSWORD_ENV, create_app

    load_study_or_fail(study_dir)
    app = create_app(study_dir)
    if not os.environ.get(ADMIN_PASSWORD_ENV):
        err_console.print(f"/admin er av / is disabled: set {ADMIN_PASSWORD_ENV} to turn it on.")
    console.print(f"Nettskjema / questionnaire: http://{host}:{port}/s/<token>")
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False,
                server_header=False, date_header=True, timeout_graceful_shutdown=5)


@click.command()
@study_option
@click.option("--wave", required=True, help="Wave id (from research/study.yaml).")
@click.option("--region", help="Region id (required without --send).")
@click.option("--role", help="Role id of the people invited (required without --send).")
@click.option("--count", type=click.IntRange(1, 100_000), help="How many invitations (not with --panel).")
@click.option("--panel", "panel_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="CSV with a respondent key per row: each keeps the pseudonym of earlier waves.")
@click.option("--key-column", help="Column of --panel holding the key (default: respondent, key, id, or the first).")
@click.option("--instrument", "instruments", multiple=True,
              help="Instrument to answer (repeatable; default: the wave's respondent-level instruments).")
@click.option("--coordinator", is_flag=True,
              help="A coordinator's invitation: the wave's region-level instruments (the status report).")
@click.option("--base-url", default=lambda: os.environ.get("FOLGE_BASE_URL", DEFAULT_BASE_URL),
              show_default=f"$FOLGE_BASE_URL or {DEFAULT_BASE_URL}", help="Start of the links in the mail merge.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the mail-merge CSV here (owner-only); default: standard output.")
@invite_send_options
@reports_errors
def invite(study_dir, wave, region, role, count, panel_file, key_column, instruments, coordinator,
           base_url, output, send, dry_run, rate):
    """Create single-use invitation tokens and write token,url,region,wave,role for a mail merge.

    Only each token's SHA-256 is stored, so this file is the only place the links exist:
    keep it safe, and delete it when the wave is over. With --panel the file's own columns
    (e-mail addresses, names) follow, so it can feed the mail merge directly.
    """
    from .._errors import InputError
    from ..web import create_invitations, hash_token, public_id, read_panel

    if send:
        return send_invitations_command(study_dir, wave, region, dry_run, rate)
    if region is None or role is None or dry_run:
        raise click.UsageError("give --region and --role (or --send); --dry-run goes with --send")
    study = load_study_or_fail(study_dir)
    if panel_file is not None and count is not None:
        raise InputError("give either --count or --panel, not both")
    panel = read_panel(panel_file, key_column) if panel_file is not None else None
    store_cm, store = _open_store(study_dir)
    try:
        tokens, chosen = create_invitations(
            store, study, wave=wave, region=region, role=role, count=count,
            panel_keys=panel.keys if panel else None, instruments=instruments, coordinator=coordinator)
    finally:
        store_cm.__exit__(None, None, None)
    if any(study.instruments[i].level == "region" for i in chosen) and len(tokens) > 1:
        err_console.print(f"Merk / note: {', '.join(chosen)} is answered once per region; "
                          f"{len(tokens)} tokens can give only one answer for {region} in {wave}.")
    extra = [c for c in (panel.columns if panel else ()) if c not in INVITE_COLUMNS]
    handle, close = _writer(output)
    try:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*INVITE_COLUMNS, *extra])
        for i, token in enumerate(tokens):
            url = f"{base_url.rstrip('/')}/s/{token}"
            row = [token, url, region, wave, role, public_id(hash_token(token))]
            writer.writerow(row + [panel.rows[i].get(c, "") for c in extra] if panel else row)
    finally:
        if close:
            handle.close()
    err_console.print(f"{len(tokens)} invitasjoner / invitations: {region}, {wave}, {role} "
                      f"({', '.join(chosen)})" + (f" → {output}" if output else ""))


@click.command()
@study_option
@click.option("--wave", required=True, help="Wave id.")
@click.option("--invitations", "invitations_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The CSV 'folge invite' wrote: its rows not yet submitted are written again, links included.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the reminder CSV here; default: standard output.")
@remind_send_options
@reports_errors
def remind(study_dir, wave, invitations_file, output, send, every, dry_run, rate):
    """List the invitations to WAVE not yet submitted, for a reminder mail merge.

    The store keeps no tokens, so the links come from the invitation file: with
    --invitations FILE.csv its unsubmitted rows are written as they are. Without it each
    unsubmitted invitation is listed by its public id (the 'invitation' column of the
    invitation file), region, role and whether it was started.
    """
    from .._errors import InputError
    from ..web import hash_token, pending_invitations

    if send:
        return send_reminders_command(study_dir, wave, every, dry_run, rate)
    if dry_run:
        raise click.UsageError("--dry-run goes with --send")
    study = load_study_or_fail(study_dir)
    try:
        study.wave(wave)
    except KeyError:
        raise InputError(f"unknown wave '{wave}'; the study has {', '.join(w.id for w in study.waves)}") from None
    store_cm, store = _open_store(study_dir)
    try:
        pending = pending_invitations(store.connection, wave)
        started = {row[0] for row in store.connection.execute(
            "SELECT token_hash FROM drafts UNION SELECT token_hash FROM invitations "
            "WHERE consented_at IS NOT NULL")}
    finally:
        store_cm.__exit__(None, None, None)
    waiting = {inv.token_hash: inv for inv in pending}
    handle, close = _writer(output)
    written = 0
    try:
        writer = csv.writer(handle, lineterminator="\n")
        if invitations_file is not None:
            with open(invitations_file, encoding="utf-8-sig", newline="") as source:
                reader = csv.DictReader(source)
                if "token" not in (reader.fieldnames or ()):
                    raise InputError(f"{invitations_file} has no 'token' column (give the file 'folge invite' wrote)")
                writer.writerow(reader.fieldnames)
                for row in reader:
                    if hash_token(row["token"].strip()) in waiting and row.get("wave", wave) == wave:
                        writer.writerow([row[c] for c in reader.fieldnames])
                        written += 1
        else:
            writer.writerow(["invitation", "region", "wave", "role", "created_at", "started"])
            for inv in pending:
                writer.writerow([inv.id, inv.region, inv.wave, inv.role, inv.created_at,
                                 "true" if inv.token_hash in started else "false"])
                written += 1
    finally:
        if close:
            handle.close()
    err_console.print(f"{len(pending)} invitasjoner uten svar / invitations not submitted in {wave}"
                      + (f"; {written} rad(er) / row(s) written" if invitations_file else "")
                      + (f" → {output}" if output else ""))
