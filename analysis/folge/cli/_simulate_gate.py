"""``folge simulate --scenario invariance-gate``: how often the ordinal invariance gate errs."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from ._common import console

#: Columns of the printed table: (summary column, heading).
_SHOWN = (
    ("metric_closes", "metric"),
    ("scalar_closes", "scalar"),
    ("gate_test_fails", "scalar vs conf."),
    ("gate_closes", "gate closed"),
    ("planted_freed", "i3 freed"),
    ("unfit", "unfit"),
)


def parse_sizes(value: str) -> tuple[int, ...]:
    """``"40,100"`` → ``(40, 100)``; each size a whole number ≥ 10."""
    try:
        sizes = tuple(int(part) for part in str(value).split(",") if part.strip())
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 10:
        raise ValueError(f"expected answers per wave as N,N,… each at least 10, such as 40,100,200 (got {value!r})")
    return tuple(dict.fromkeys(sizes))


def _cell(share: float, se: float) -> str:
    return "–" if math.isnan(share) else f"{100 * share:.1f}±{100 * se:.1f}"


def run_gate(replications: int, sizes: tuple[int, ...], seed: int, jobs: int | None, out: Path) -> None:
    """Run the gate scenario with a progress bar, print its table and write ``gate.csv``,
    ``gate.json`` (settings, summary, timing) and ``gate_replications.csv`` into ``out``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from ..simulate import GATE_SCENARIO, GATE_TRUTHS, SHIFT, simulate_gate

    jobs = jobs or os.cpu_count() or 1
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task(GATE_SCENARIO, total=replications * len(sizes) * len(GATE_TRUTHS))
        run = simulate_gate(sizes, replications, seed, jobs, progress=lambda row: progress.update(
            task, advance=1, description=f"{row['truth']} n={row['n']} #{row['replication']}"))
    table = Table(title=f"Invariansporten / the invariance gate: % of {replications} replications "
                        f"(± Monte Carlo SE)")
    for name in ("truth", "n/wave"):
        table.add_column(name, no_wrap=True)
    for _, heading in _SHOWN:
        table.add_column(heading, justify="right")
    for row in run.summary.to_dict("records"):
        table.add_row(row["truth"], str(row["n"]),
                      *(_cell(row[column], row[f"{column}_se"]) for column, _ in _SHOWN))
    console.print(table)
    console.print(f"metric, scalar: lavaan's steps fail (each against the previous model); scalar vs conf.: "
                  f"the gate's test fails; gate closed: as a verdict sees it, after partial invariance. "
                  f"invariant: every closure is wrong; variance: items invariant, the latent variance grows "
                  f"(lavaan's metric model is false there, the gate's test true); shift: i3's thresholds "
                  f"{SHIFT} SD higher in the last wave, 'scalar vs conf.' is the shift caught.")
    out.mkdir(parents=True, exist_ok=True)
    run.summary.to_csv(out / "gate.csv", index=False, lineterminator="\n")
    run.replications.to_csv(out / "gate_replications.csv", index=False, lineterminator="\n")
    document = {"settings": {"scenario": GATE_SCENARIO, "replications": replications, "sizes": list(sizes),
                             "seed": seed, "shift": SHIFT},
                "jobs": run.jobs, "wall_seconds": round(run.seconds, 3),
                "summary": run.summary.to_dict("records")}
    (out / "gate.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    per = float(run.replications["seconds"].median())
    console.print(f"{len(run.replications)} replications in {run.seconds:.1f} s on {run.jobs} process(es); "
                  f"median {per:.2f} s per replication; written: {out / 'gate.csv'}, {out / 'gate.json'}, "
                  f"{out / 'gate_replications.csv'}")
