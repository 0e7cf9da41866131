"""``folge status``, ``folge quarantine [--export FILE.csv]`` and ``folge erase``."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pandas as pd
from rich.table import Table

from ._common import console, reports_errors, study_option


def say(*objects, **options) -> None:
    """Print plain text (no markup, no wrapping: lines stay whole for tools that read them)."""
    console.print(*objects, markup=False, soft_wrap=True, **options)


def _open(study_dir: Path):
    from ..store import Store

    return Store.open(study_dir)


def _table(title: str, columns: list[str], rows) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, header_style="bold")
    for i, column in enumerate(columns):
        table.add_column(column, justify="right" if i == len(columns) - 1 else "left")
    for row in rows:
        table.add_row(*[str(v) for v in row])
    return table


@click.command()
@study_option
@click.option("--by-role", is_flag=True, help="Vis også per region og rolle / also show each region × role.")
@reports_errors
def status(study_dir: Path, by_role: bool):
    """Vis hva som er lagret / show what the store holds.

    Rows per instrument and wave, per region, per role, the imports and the quarantine.
    """
    with _open(study_dir) as store:
        counts = store.status()
        imports = store.imports()
        quarantine = store.quarantine_counts()
        version = store.schema_version
    say(f"Lager / store: {study_dir / 'data' / 'folge.sqlite'} (skjema / schema {version})")
    if counts.empty:
        say("Ingen svar lagret ennå / no answers stored yet.")
    else:
        by_wave = counts.groupby(["instrument", "wave"], as_index=False).agg(
            regions=("region", "nunique"), n=("n", "sum"))
        say(_table("Svar per instrument og bølge / answers per instrument and wave",
                             ["instrument", "bølge / wave", "regioner / regions", "n"],
                             by_wave.itertuples(index=False)))
        by_region = counts.groupby(["instrument", "region"], as_index=False)["n"].sum()
        say(_table("Per region", ["instrument", "region", "n"], by_region.itertuples(index=False)))
        roles = counts.dropna(subset=["role"])
        if not roles.empty:
            by_role_total = roles.groupby(["instrument", "role"], as_index=False)["n"].sum()
            say(_table("Per rolle / per role", ["instrument", "rolle / role", "n"],
                                 by_role_total.itertuples(index=False)))
        if by_role:
            say(_table("Per region og rolle / per region and role",
                                 ["instrument", "bølge / wave", "region", "rolle / role", "n"],
                                 counts.fillna({"role": "–"}).itertuples(index=False)))
    say(f"Importer / imports: {len(imports)}; lest / read {int(imports['read'].sum()) if len(imports) else 0}, "
                  f"lagret / stored {int(imports['stored'].sum()) if len(imports) else 0}, "
                  f"karantene / quarantined {int(imports['quarantined'].sum()) if len(imports) else 0}")
    if quarantine.empty:
        say("Karantene / quarantine: tom / empty")
    else:
        say(_table("Karantene etter årsak / quarantine by reason", ["instrument", "kode / code", "n"],
                             quarantine.itertuples(index=False)))


@click.command()
@study_option
@click.option("--export", "export_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Skriv alle radene til en CSV-fil / write every quarantined row to a CSV file (UTF-8).")
@click.option("--limit", default=50, show_default=True, help="Rader som vises / rows shown on screen.")
@reports_errors
def quarantine(study_dir: Path, export_path: Path | None, limit: int):
    """Vis eller eksporter karantenen / show or export quarantined rows.

    Each row: the source file and row, the respondent's pseudonym, the reasons
    (code:column:value: message) and the row's values. Correct the source file and ingest
    it again.
    """
    with _open(study_dir) as store:
        frame = store.quarantine()
    if export_path is not None:
        export_path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(export_path, index=False, encoding="utf-8", lineterminator="\n")
        say(f"Skrev / wrote {len(frame)} rader / rows to {export_path}")
        return
    if frame.empty:
        say("Karantenen er tom / the quarantine is empty.")
        return
    for row in frame.head(limit).itertuples(index=False):
        values = json.loads(row.values)
        values.pop("respondent", None)
        shown = ", ".join(f"{k}={v}" for k, v in values.items() if v != "")
        pseudonym = "–" if pd.isna(row.respondent) else row.respondent
        wave = "" if pd.isna(row.wave) else row.wave
        say(f"{row.source} rad / row {row.row}, respondent {pseudonym[:12]}, {row.instrument} {wave}")
        for reason in row.reasons.split("; "):
            say(f"    {reason}")
        say(f"    verdier / values: {shown}")
    if len(frame) > limit:
        say(f"… {len(frame) - limit} rader til / more rows: use --export FILE.csv")


@click.command()
@study_option
@click.option("--respondent", "raw_id", default=None,
              help="Personens id slik den stod i svarfilene / the person's id as in the response files.")
@click.option("--pseudonym", default=None, help="Personens pseudonym / the person's pseudonym.")
@click.option("--contact", "email", default=None,
              help="E-postadressen til en kontakt / a contact's e-mail address: removes the contact and its send log.")
@reports_errors
def erase(study_dir: Path, raw_id: str | None, pseudonym: str | None, email: str | None):
    """Slett en person fra alle bølger / erase a respondent from every wave (right to erasure).

    Give the id as it stood in the response files (--respondent; it is pseudonymised with
    the study's key to find the rows) or the pseudonym (--pseudonym). Removes the person's
    answers in every wave and instrument version and their quarantined rows. --contact
    EMAIL removes an e-mail contact and its send log (folge contacts import).
    """
    if sum(option is not None for option in (raw_id, pseudonym, email)) != 1:
        raise click.UsageError("give exactly one of --respondent ID, --pseudonym P and --contact EMAIL")
    if email is not None:
        return _erase_contact(study_dir, email)
    if (raw_id is None) == (pseudonym is None):  # pragma: no cover - excluded above
        raise click.UsageError("give exactly one of --respondent ID, --pseudonym P and --contact EMAIL")
    if raw_id is not None:
        if not raw_id.strip():
            raise click.UsageError("--respondent must not be blank")
        from ..pseudonym import load_key, pseudonymise

        pseudonym = pseudonymise(load_key(study_dir), raw_id)
    with _open(study_dir) as store:
        counts = store.erase_counts(pseudonym.strip())
    total = sum(counts.values())
    quarantined = counts.get("quarantine", 0)
    answers = sum(n for table, n in counts.items() if table.startswith("responses__"))
    other = total - quarantined - answers
    if not total:
        say(f"Fant ingen rader / no rows found for pseudonym {pseudonym[:12]}…; ingenting slettet / "
                      "nothing erased.")
        return
    detail = f"svar / answers {answers}, karantene / quarantine {quarantined}"
    if other:
        detail += f", andre / other {other}"
    say(f"Slettet / erased {total} rader / rows ({detail}) for pseudonym {pseudonym[:12]}…")


def _erase_contact(study_dir: Path, email: str) -> None:
    from ..mail import erase_contact
    from ..pseudonym import load_key

    if not email.strip():
        raise click.UsageError("--contact must not be blank")
    with _open(study_dir) as store:
        counts = erase_contact(store, load_key(study_dir), email)
    if not counts.get("contacts"):
        say(f"Fant ingen kontakt / no contact {email.strip().lower()}; "
            f"slettet / erased {sum(counts.values())} rader / rows of its send log")
        return
    say(f"Slettet kontakten / erased the contact {email.strip().lower()}: utsendingslogg / send log "
        f"{counts.get('mail_log', 0)}, lenker / sealed links {counts.get('mail_tokens', 0)}")
