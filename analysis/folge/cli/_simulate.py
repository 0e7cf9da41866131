"""``folge simulate``: the calibration harness (false met, false not-met and power of the verdicts)."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import click

from ._common import console, err_console


def _respondents(ctx, param, value: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*(?:[-:]\s*(\d+))?\s*", value or "")
    if not match:
        raise click.BadParameter(f"expected N or LOW-HIGH, such as 20 or 15-30 (got {value!r})")
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if not 2 <= low <= high:
        raise click.BadParameter(f"expected 2 ≤ LOW ≤ HIGH (got {value!r})")
    return low, high


def _cell(share: float, se: float, limit: float | None = None) -> str:
    if isinstance(share, float) and math.isnan(share):
        return "–"
    text = f"{share:.3f}" + ("" if math.isnan(se) else f"±{se:.3f}")
    return f"[bold red]{text}[/]" if limit is not None and share > limit else text


def _table(summary, alpha: float):
    from rich.table import Table

    table = Table(title=f"Kalibrering / calibration (α = {alpha}; red: above α + .01)")
    for name in ("scenario", "kind", "scope", "reps", "false met", "false not-met", "power",
                 "inconcl.", "insuff."):
        text = name in ("scenario", "kind", "scope")
        table.add_column(name, justify="left" if text else "right", no_wrap=True)
    for row in summary.to_dict("records"):
        table.add_row(row["scenario"], row["kind"], row["scope"], str(row["replications"]),
                      _cell(row["false_met"], row["false_met_se"], alpha + 0.01),
                      _cell(row["false_not_met"], row["false_not_met_se"], alpha + 0.01),
                      _cell(row["power"], row["power_se"]),
                      f"{row['inconclusive']:.3f}", f"{row['insufficient']:.3f}")
    return table


@click.command()
@click.option("--replications", type=click.IntRange(1), default=200, show_default=True,
              help="Replications per scenario.")
@click.option("--scenario", "scenarios", multiple=True,
              help="A scenario to run (repeat for several; default: all). See --list.")
@click.option("--list", "list_only", is_flag=True, help="List the scenarios and what each plants, then stop.")
@click.option("--regions", type=click.IntRange(2, 60), default=8, show_default=True, help="Regions per study.")
@click.option("--waves", type=click.IntRange(2, 12), default=4, show_default=True, help="Waves per study.")
@click.option("--respondents", default="15-30", show_default=True, callback=_respondents,
              help="A region's expected answers per wave: N or LOW-HIGH (drawn per region).")
@click.option("--seed", type=click.IntRange(0), default=1, show_default=True,
              help="Random seed: the same seed gives the same studies, whatever --jobs.")
@click.option("--jobs", type=click.IntRange(1), default=None, help="Worker processes  [default: the cores]")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("simulate-results"),
              show_default=True, help="Folder for summary.csv, summary.json and verdicts.csv.")
@click.option("--gate-n", default="40,100,200,300", show_default=True,
              help="Answers per wave for the invariance-gate scenario (N,N,…).")
def simulate(replications, scenarios, list_only, regions, waves, respondents, seed, jobs, out, gate_n):
    """Check the verdicts against a known truth: simulated studies through the real pipeline.

    Each replication draws a small study whose truth is known, runs ingest and analyze
    over it, and compares every rule verdict with the truth. Printed and written per
    scenario × rule kind × scope: the share of 'met' where the truth is at or below the
    bar (false met), of 'not-met' where it is above (false not-met), and of 'met' where an
    effect is planted (power), each with its Monte Carlo SE.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..simulate import SCENARIOS, SimulationDesign, simulate as run_simulation, write_run

    from ..simulate import GATE_SCENARIO, GATE_DESCRIPTION

    if list_only:
        for scenario in SCENARIOS.values():
            console.print(f"[bold]{scenario.name}[/]: {scenario.description}")
        console.print(f"[bold]{GATE_SCENARIO}[/]: {GATE_DESCRIPTION}")
        return
    if GATE_SCENARIO in scenarios:
        from ._simulate_gate import parse_sizes, run_gate

        try:
            sizes = parse_sizes(gate_n)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--gate-n") from None
        run_gate(replications, sizes, seed, jobs, out)
        scenarios = tuple(s for s in scenarios if s != GATE_SCENARIO)
        if not scenarios:
            return
    unknown = [s for s in scenarios if s not in SCENARIOS]
    if unknown:
        raise click.BadParameter(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(SCENARIOS)}",
                                 param_hint="--scenario")
    names = list(dict.fromkeys(scenarios)) or list(SCENARIOS)
    design = SimulationDesign(regions=regions, waves=waves, respondents=respondents)
    jobs = jobs or os.cpu_count() or 1
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("folge simulate", total=replications * len(names))
        run = run_simulation(names, design, replications, seed, jobs,
                             progress=lambda rep: progress.update(task, advance=1,
                                                                  description=f"{rep.scenario} #{rep.index}"))
    settings = {"scenarios": names, "replications": replications, "regions": regions, "waves": waves,
                "respondents": list(respondents), "seed": seed, "alpha": design.alpha}
    paths = write_run(run, out, settings)
    if not run.summary.empty:
        console.print(_table(run.summary, design.alpha))
    per = sum(r.seconds for r in run.replications) / len(run.replications)
    console.print(f"{len(run.replications)} replications in {run.seconds:.1f} s on {run.jobs} process(es); "
                  f"{per:.2f} s per replication; written: {', '.join(str(p) for p in paths)}")
    for rep in run.failed:
        err_console.print(f"replication {rep.scenario} #{rep.index} (seed {rep.seed}) failed:\n{rep.error}",
                          markup=False)
    if run.failed:
        raise click.exceptions.Exit(1)
