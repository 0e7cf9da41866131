"""``folge analyze``: every result table (``analysis/ARCHITECTURE.md``) from the study's store."""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ._common import console, reports_errors, study_option


@click.command()
@study_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the result tables  [default: results/ in the study]")
@click.option("--wave", default=None, help="Analyse the waves up to and including this one.")
@reports_errors
def analyze(study_dir: Path, out_dir: Path | None, wave: str | None):
    """Run the analyses and write the result tables (CSV) and a manifest.

    Scores, reliability (alpha, omega), item statistics, measurement invariance, ICC and
    rwg, change between waves, trend, response rates, panel retention, the trust matrix,
    the learning chain and the success criteria.
    """
    from ..analysis import STEPS
    from ..pipeline import analyze_study

    labels = dict(STEPS)
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("Analyserer / analysing", total=len(STEPS))
        seen: list[str] = []

        def step(name: str) -> None:
            if seen:
                progress.advance(task)
            seen.append(name)
            progress.update(task, description=f"Analyserer / analysing: {labels.get(name, name)}")

        result = analyze_study(study_dir, out_dir, wave, step)
        progress.advance(task)
    target = result.paths[0].parent if result.paths else out_dir
    console.print(f"Analyse ferdig / analysis done: {len(result.tables)} tabeller / tables i {target}")
    console.print(f"Bølger / waves: {', '.join(result.manifest['waves'])}; "
                  f"datasnapshot {result.manifest['snapshot'][:12]}")
