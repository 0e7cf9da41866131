"""``folge analyze``: every result table (``analysis/ARCHITECTURE.md``) from the study's store."""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ._common import console, reports_errors, study_option

#: The steps whose share ``--timings`` states: what weighting adds (issue #14).
WEIGHTING_STEPS = ("weights", "levels")


@click.command()
@study_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the result tables  [default: results/ in the study]")
@click.option("--wave", default=None, help="Analyse the waves up to and including this one.")
@click.option("--timings", is_flag=True,
              help="Vis tid per steg til slutt / print wall and CPU time per step at the end "
                   "(CPU includes the worker processes).")
@reports_errors
def analyze(study_dir: Path, out_dir: Path | None, wave: str | None, timings: bool):
    """Run the analyses and write the result tables (CSV) and a manifest.

    Scores, reliability (alpha, omega), item statistics, measurement invariance, ICC and
    rwg, change between waves, trend, response rates, panel retention, the trust matrix,
    the learning chain and the success criteria.
    """
    from ..analysis import STEPS, StepTimer
    from ..pipeline import analyze_study

    labels = dict(STEPS)
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("Analyserer / analysing", total=len(STEPS))
        seen: list[str] = []

        def show(name: str) -> None:
            if seen:
                progress.advance(task)
            seen.append(name)
            progress.update(task, description=f"Analyserer / analysing: {labels.get(name, name)}")

        timer = StepTimer(show)
        result = analyze_study(study_dir, out_dir, wave, timer)
        timer.stop()
        progress.advance(task)
    target = result.paths[0].parent if result.paths else out_dir
    console.print(f"Analyse ferdig / analysis done: {len(result.tables)} tabeller / tables i {target}")
    console.print(f"Bølger / waves: {', '.join(result.manifest['waves'])}; "
                  f"datasnapshot {result.manifest['snapshot'][:12]}")
    if timings:
        _print_timings(timer)


def _print_timings(timer) -> None:
    """The step table of ``--timings``, then the share of the weighting steps."""
    table = Table(title="Tid per steg / time per step (s)", title_justify="left", header_style="bold")
    table.add_column("steg / step")
    for heading in ("vegg / wall", "CPU", "herav arbeidere / of which workers", "CPU / vegg"):
        table.add_column(heading, justify="right")

    def row(step, name: str) -> None:
        ratio = step.cpu_total / step.wall if step.wall > 0 else float("nan")
        table.add_row(name, f"{step.wall:.2f}", f"{step.cpu_total:.2f}", f"{step.cpu_workers:.2f}", f"{ratio:.2f}")

    for step in timer.steps:
        row(step, step.name)
    total = timer.total()
    table.add_section()
    row(total, "sum / total")
    console.print(table)
    added = timer.total(WEIGHTING_STEPS)
    if total.wall > 0 and total.cpu_total > 0:
        console.print(f"Vekter + nivåer / weights + levels: {added.wall:.2f} s, {added.wall / total.wall:.1%} "
                      f"av veggtiden / of wall time; {added.cpu_total:.2f} s CPU, "
                      f"{added.cpu_total / total.cpu_total:.1%} av CPU-tiden / of CPU time")
