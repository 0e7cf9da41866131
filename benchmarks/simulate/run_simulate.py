"""Calibration run: ``folge simulate --replications 200`` over every scenario, with the acceptance check.

What it does:

1. runs :func:`folge.simulate.simulate` (the library behind ``folge simulate``) for the
   chosen scenarios, ``--replications`` each (default 200), in ``--jobs`` processes, and
   writes ``summary.csv``, ``summary.json`` and ``verdicts.csv`` into
   ``benchmarks/_data/simulate-<seed>/`` (git ignores ``_data``); replications run
   interleaved over the scenarios, and each one's verdicts are appended to
   ``verdicts.partial.csv`` as it finishes, so a run cut short can be tallied
   (``folge.simulate.tally(pd.read_csv(path, keep_default_na=False, na_values=[""]))``:
   without ``keep_default_na=False`` pandas reads the scenario name ``null`` as missing);
2. prints the calibration table, the wall time and the time per replication;
3. checks the acceptance bars: false ``met`` ≤ α + .01 for every rule kind and scope in
   every scenario without a planted effect, false ``not-met`` ≤ α + .01 wherever the
   truth is above the bar, and prints power for the planted effect. Exit status 1 when a
   bar is missed or a replication failed (the failing cells are listed).

Usage::

    python benchmarks/simulate/run_simulate.py [--replications 200] [--scenario NAME ...]
        [--jobs N] [--seed 1] [--regions 8 --waves 4 --respondents 15-30]

Heavy: a replication takes about 1.8 s of CPU (verdicts-only pipeline; 2.5 s before it),
so 200 replications of the seven scenarios take about 40 minutes of two otherwise idle
cores; on a shared machine (load 12–16 on 2 cores) about 7 s of wall time per
replication with ``--jobs 2``.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "analysis"))

from folge.simulate import SCENARIOS, SimulationDesign, simulate, write_run  # noqa: E402


def _misses(summary, alpha: float) -> list[str]:
    limit = alpha + 0.01
    misses = []
    for row in summary.to_dict("records"):
        where = f"{row['scenario']} {row['kind']} {row['scope']}"
        if not SCENARIOS[row["scenario"]].planted and row["false_met"] > limit:
            misses.append(f"{where}: false met {row['false_met']:.3f} > {limit:.2f}")
        if row["false_not_met"] > limit:
            misses.append(f"{where}: false not-met {row['false_not_met']:.3f} > {limit:.2f}")
    return misses


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--scenario", action="append", choices=list(SCENARIOS))
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--regions", type=int, default=8)
    parser.add_argument("--waves", type=int, default=4)
    parser.add_argument("--respondents", default="15-30")
    args = parser.parse_args(argv)
    low, _, high = args.respondents.partition("-")
    design = SimulationDesign(regions=args.regions, waves=args.waves, respondents=(int(low), int(high or low)))
    names = args.scenario or list(SCENARIOS)
    started = time.perf_counter()
    done = []

    out = HERE.parent / "_data" / f"simulate-{args.seed}"
    out.mkdir(parents=True, exist_ok=True)
    partial = out / "verdicts.partial.csv"
    partial.unlink(missing_ok=True)

    def progress(rep):
        done.append(rep)
        # every finished replication is kept at once, so a run cut short can still be tallied
        if rep.error is None and not rep.verdicts.empty:
            rep.verdicts.assign(seconds=rep.seconds).to_csv(partial, mode="a", header=not partial.exists(),
                                                            index=False)
        if len(done) % 10 == 0:
            print(f"  {len(done)}/{args.replications * len(names)} after {time.perf_counter() - started:.0f} s",
                  file=sys.stderr, flush=True)

    run = simulate(names, design, args.replications, args.seed, args.jobs, progress)
    write_run(run, out, {**vars(args), "scenarios": names})
    with_se = run.summary.copy()
    for name in ("false_met", "false_not_met", "power"):
        with_se[name] = [("–" if math.isnan(p) else f"{p:.3f}±{se:.3f}")
                         for p, se in zip(with_se[name], with_se[f"{name}_se"])]
    print(with_se[["scenario", "kind", "scope", "replications", "false_met", "false_not_met", "power",
                   "inconclusive", "insufficient"]].to_string(index=False))
    per = sum(r.seconds for r in run.replications) / len(run.replications)
    print(f"{len(run.replications)} replications in {run.seconds:.0f} s on {run.jobs} processes; "
          f"{per:.2f} s per replication (in its process); written to {out}")
    misses = _misses(run.summary, design.alpha)
    for line in misses:
        print("MISSED", line)
    for rep in run.failed:
        print(f"FAILED {rep.scenario} #{rep.index} (seed {rep.seed}):\n{rep.error}")
    return 1 if misses or run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
