"""``folge instruments check`` and ``folge instruments export``."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import console, err_console, reports_errors, study_option


@click.group(help="Sjekk og eksporter instrumenter / check and export instrument definitions.")
def instruments():
    pass


@instruments.command("check")
@study_option
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def check(study_dir: Path, files: tuple[Path, ...]):
    """Check instrument, scale, study and criteria files.

    Without FILES, checks every definition of the study. Prints every problem as
    FILE:LINE: CODE: message and exits 1 when any is an error, 0 when clean.
    """
    from ..definitions import check_definitions

    problems = check_definitions(study_dir, files or None)
    for p in problems:
        click.echo(p.format(), err=p.is_error)  # one line each, never wrapped: tools parse it
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    if errors:
        err_console.print(f"{errors} feil / error(s), {warnings} advarsel(er) / warning(s)")
        raise click.exceptions.Exit(1)
    console.print(f"OK: ingen feil / no errors ({warnings} warning(s))")


@instruments.command("export")
@study_option
@click.argument("instrument_id")
@click.option("--format", "fmt", type=click.Choice(["codebook", "xlsform"]), required=True,
              help="codebook: CSV, one row per item; xlsform: XLSForm for KoBoToolbox/ODK.")
@click.option("--lang", type=click.Choice(["nb", "nn", "en"]), default="nb", show_default=True,
              help="Default language of the XLSForm (all three are always included).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write (.csv for codebook, .xlsx for xlsform).")
@reports_errors
def export(study_dir: Path, instrument_id: str, fmt: str, lang: str, output: Path):
    """Export one instrument as a codebook (CSV) or an XLSForm (XLSX)."""
    from ..definitions import load_study
    from ..forms import write_codebook, write_xlsform

    study = load_study(study_dir)
    if instrument_id not in study.instruments:
        from ..definitions import did_you_mean

        raise click.BadParameter(
            f"unknown instrument '{instrument_id}'{did_you_mean(instrument_id, study.instruments)}; "
            f"known: {', '.join(sorted(study.instruments))}", param_hint="INSTRUMENT_ID")
    instrument = study.instruments[instrument_id]
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "codebook":
        write_codebook(instrument, output)
    else:
        write_xlsform(instrument, study, output, default_lang=lang)
    console.print(f"Skrev / wrote {output}")
