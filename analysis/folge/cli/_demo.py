"""``folge demo``: build the synthetic demo study and run the pipeline over it."""

from __future__ import annotations

import shutil
import time
import traceback
from pathlib import Path

import click

from ._common import console, reports_errors


def _clear(out: Path, force: bool) -> None:
    """Refuse to write into a non-empty folder unless --force, and then only over an old demo."""
    from ..demo import TRUTH_FILE

    if not out.exists():
        return
    if not out.is_dir():
        raise click.ClickException(f"{out} exists and is not a folder")
    if not any(out.iterdir()):
        return
    if not force:
        raise click.ClickException(
            f"{out} finnes allerede / already exists and is not empty; "
            "use --force to replace an earlier demo, or choose another --out")
    if not (out / TRUTH_FILE).is_file():
        raise click.ClickException(
            f"{out} is not empty and holds no {TRUTH_FILE} (so it is no folge demo): "
            "not deleting it, even with --force; choose another --out")
    shutil.rmtree(out)


@click.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("folge-demo"),
              show_default=True, help="Folder to build the demo study in.")
@click.option("--regions", type=click.IntRange(2, 99), default=8, show_default=True,
              help="Number of regions (the last one is too small to publish).")
@click.option("--waves", type=click.IntRange(1, 20), default=4, show_default=True,
              help="Number of waves (two a year from 2015).")
@click.option("--respondents", type=click.IntRange(5, 5000), default=40, show_default=True,
              help="Respondents per region and wave.")
@click.option("--seed", type=click.IntRange(0), default=2014, show_default=True,
              help="Random seed: the same seed gives the same study.")
@click.option("--force", is_flag=True, help="Replace an earlier demo in --out.")
@click.option("--no-run", is_flag=True, help="Only build the study; do not ingest, analyze or report.")
@reports_errors
def demo(out: Path, regions: int, waves: int, respondents: int, seed: int, force: bool, no_run: bool):
    """Build a synthetic study with known planted effects and run ingest → analyze → report.

    The study (shipped instruments and roles, invented regions and respondents), its
    response files (responses/WAVE/INSTRUMENT.csv) and truth.json (the planted effects)
    are left in --out.
    """
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from ..demo import (
        RESPONSES_DIR,
        DemoDesign,
        StageFailed,
        build_demo,
        run_pipeline,
    )

    design = DemoDesign(regions=regions, waves=waves, respondents=respondents, seed=seed)
    _clear(out, force)
    total = 3 + waves  # study folder, planted effects, each wave, writing files
    started = time.perf_counter()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("folge demo", total=total)

        def step(text: str) -> None:
            progress.update(task, description=text, advance=1)

        build_demo(out, design, progress=step)
        results = []
        if not no_run:
            files = len(list((out / RESPONSES_DIR).rglob("*.csv")))
            total += files + 2  # each file, then analyze and report
            progress.update(task, total=total)
            try:
                results = run_pipeline(out, progress=step)
            except StageFailed as exc:
                progress.stop()
                if exc.__cause__ is not None and not isinstance(exc.__cause__, click.ClickException):
                    click.echo("".join(traceback.format_exception(exc.__cause__)), err=True)
                raise
        progress.update(task, completed=total)
    elapsed = time.perf_counter() - started
    console.print(f"Demostudie / demo study: {out} ({regions} regions, {waves} waves, "
                  f"{respondents} respondents per region and wave, seed {seed}; {elapsed:.1f} s)")
    console.print("  responses/      svarfiler / response files")
    console.print("  truth.json      plantede effekter / planted effects")
    for result in results:
        mark = "ran" if result.ran else "skipped"
        where = f" → {result.output}" if result.output is not None else ""
        console.print(f"  {result.stage:<9} {mark}: {result.summary}{where}", markup=False)
    if no_run:
        console.print("  pipeline not run (--no-run)")
