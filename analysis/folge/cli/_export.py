"""``folge export --format csv|sav|dta -o FILE [--lang nb|nn|en] [--instrument ID]``."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import console, load_study_or_fail, reports_errors, study_option


@click.command()
@study_option
@click.option("--format", "fmt", type=click.Choice(["csv", "sav", "dta"]), required=True,
              help="Filformat / file format: CSV (+ codebook), SPSS .sav or Stata .dta.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Filen som skrives / the file to write (several instruments: FILE_<instrument>.<ext>).")
@click.option("--lang", type=click.Choice(["nb", "nn", "en"]), default="nb", show_default=True,
              help="Språk for etiketter / language of variable and value labels.")
@click.option("--instrument", "instruments", multiple=True,
              help="Bare dette instrumentet / only this instrument (repeatable; default: all with answers).")
@click.option("--wave", "waves", multiple=True, help="Bare denne bølgen / only this wave (repeatable).")
@click.option("--include-text", is_flag=True,
              help="Ta med fritekst / include free-text answers (left out by default: they may identify people).")
@reports_errors
def export(study_dir: Path, fmt: str, output: Path, lang: str, instruments: tuple[str, ...],
           waves: tuple[str, ...], include_text: bool):
    """Eksporter pseudonymiserte data / export pseudonymised, labelled data for researchers.

    One file per instrument with the columns respondent_pseudonym, region, wave, role and
    the items; variable labels are the item texts and value labels the scale labels in
    --lang; missing codes are declared missing (SPSS user-missing values, Stata extended
    missing .a, .b …). A codebook CSV is written beside each file (NAME.codebook.csv).
    'folge ingest' reads an export back without hashing the pseudonyms again.
    """
    from ..export import export_responses
    from ..store import Store

    study = load_study_or_fail(study_dir)
    with Store.open(study.root) as store:
        written = export_responses(study, store, fmt, output, lang, list(instruments) or None,
                                   list(waves) or None, include_text)
    for item in written:
        console.print(f"{item.instrument}: {item.rows} rader / rows → {item.path}", markup=False, soft_wrap=True)
        console.print(f"  kodebok / codebook → {item.codebook}", markup=False, soft_wrap=True)
