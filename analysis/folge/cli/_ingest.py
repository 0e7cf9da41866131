"""``folge ingest FILE… --wave W [--instrument ID]``."""

from __future__ import annotations

from pathlib import Path

import click

from .._errors import InputError
from ._common import (
    console,
    err_console,
    load_study_or_fail,
    reports_errors,
    study_option,
)

#: Files at least this big get a progress bar (when the output is a terminal).
PROGRESS_BYTES = 2_000_000

_STAGES = {"read": "Leser / reading", "validate": "Kontrollerer / validating", "store": "Lagrer / storing"}


def say(*objects, **options) -> None:
    """Print plain text (no markup, no wrapping: lines stay whole for tools that read them)."""
    console.print(*objects, markup=False, soft_wrap=True, **options)


def err_say(*objects, **options) -> None:
    err_console.print(*objects, markup=False, soft_wrap=True, **options)


class _Bar:
    """A rich progress bar fed by ingest's ``progress(stage, done, total)`` callback."""

    def __init__(self, name: str):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=err_console, transient=True,
                                 disable=not err_console.is_terminal)
        self.name = name
        self.task = None

    def __enter__(self):
        self.progress.__enter__()
        self.task = self.progress.add_task(f"{_STAGES['read']} {self.name}", total=None)
        return self

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.progress.update(self.task, description=f"{_STAGES.get(stage, stage)} {self.name}",
                             completed=done, total=total or None)


def _report(result, recognised: bool) -> None:
    say(f"Fil / file: {result.source} ({result.description})")
    how = " (gjenkjent fra kolonnene / recognised from the columns)" if recognised else ""
    say(f"Instrument: {result.instrument} v{result.version}{how}")
    if result.duplicate_file:
        say(f"Allerede lest inn / already ingested (import {result.import_id}): "
                      f"ingenting lagt til / nothing added ({result.read} rader / rows hoppet over / skipped)")
        return
    if result.waves:
        say(f"Bølge / wave: {', '.join(result.waves)}")
    say(result.summary())
    say(f"  Lagret / stored: {result.stored}   "
                  f"Duplikater hoppet over / duplicates skipped: {result.skipped}   "
                  f"Karantene / quarantined: {result.quarantined}")
    for warning in result.warnings:
        say(f"  Advarsel / warning: {warning.code}: {warning.message}")
    if result.codes:
        counts = ", ".join(f"{code} {n}" for code, n in result.codes.items())
        say(f"  Karantene etter årsak / quarantine by reason: {counts}")
        say("  Se radene / see the rows: folge quarantine")


@click.command()
@study_option
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--wave", "wave", default=None,
              help="Bølgen svarene hører til / the wave of the answers (needed unless the file has a wave column).")
@click.option("--instrument", "instrument_id", default=None,
              help="Instrumentet / the instrument answered (default: recognised from the item columns).")
@click.option("--header-map", default=None,
              help="Bruk én kolonnenavn-oversettelse / force one header map (default: the best fit).")
@click.option("--columns", "columns", default=None, metavar="MAP.yaml",
              help="Kolonnekart for andre plattformer / a column map for another platform's export "
                   "(a YAML file, or a name in instruments/maps: limesurvey, nettskjema, questback-efs).")
@reports_errors
def ingest(study_dir: Path, files: tuple[Path, ...], wave: str | None, instrument_id: str | None,
           header_map: str | None, columns: str | None):
    """Les inn svarfiler / ingest response files (CSV/TSV, XLSX, SPSS .sav, Stata .dta).

    Valid rows are stored under pseudonyms, invalid rows quarantined with reasons; each
    file is one transaction, and a file ingested before adds nothing. Exit 0 when every
    file was read, 1 when one could not be read at all.
    """
    from ..ingest import ingest_file
    from ..store import Store

    study = load_study_or_fail(study_dir)
    if columns is not None:  # a broken map is reported once, before any file is read
        from ..ingest import load_column_map

        columns = load_column_map(columns, study.root)
    failed = 0
    with Store.open(study.root, create=True) as store:
        for path in files:
            try:
                size = path.stat().st_size if path.is_file() else 0
                if size >= PROGRESS_BYTES and err_console.is_terminal:
                    with _Bar(path.name) as bar:
                        result = ingest_file(study, path, wave, instrument_id, progress=bar, store=store,
                                             header_map=header_map, columns=columns)
                else:
                    result = ingest_file(study, path, wave, instrument_id, store=store, header_map=header_map,
                                         columns=columns)
            except InputError as exc:
                err_say(f"folge: {exc}")
                err_say(f"Kunne ikke lese / could not read {path}: ingenting lagret / nothing stored")
                failed += 1
                continue
            _report(result, recognised=instrument_id is None)
    if failed:
        raise click.exceptions.Exit(1)
