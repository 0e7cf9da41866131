"""Benchmark: what weights, levels and attrition add to ``folge analyze``.

Two measurements on the benchmark study of :mod:`make_study` (its ``research/frame.csv``
invites per role at different rates, so the weights vary):

``--steps`` (default at 1,000,000 respondent-waves): the added steps alone, in this
process, on the study's answers read from its CSVs (no store needed): raking every wave
(:func:`compute_weights`), ``levels`` (direct weighted levels with linearised SEs and EB),
``attrition``, Kish's n_eff, and writing ``weights.csv``, ``levels.csv`` and
``attrition.csv``. Median of ``--runs``.

``--compare BASELINE``: ``folge analyze`` end to end in fresh processes (store read
included), alternating this repository's package with ``BASELINE`` (the ``analysis/``
folder of a checkout without the added steps, e.g. from ``git archive``), ``--runs``
times each, on a store filled by ``folge ingest`` as ``bench_analyze.py`` fills it.

    PYTHONPATH=analysis OPENBLAS_NUM_THREADS=1 python benchmarks/analysis/bench_weights.py --steps
    python benchmarks/analysis/bench_weights.py --regions 100 --per-cell 100 --compare /tmp/base/analysis
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = REPO / "benchmarks" / "_data"
sys.path.insert(0, str(HERE))

from bench_analyze import FOLGE, _timed, fill_store  # noqa: E402
from make_study import make_study  # noqa: E402


def _added_steps(data, out: Path) -> dict[str, float]:
    """Time each added step once on ``data`` (an :class:`folge.analysis.AnalysisInput`)."""
    from folge.analysis import conform, write_results
    from folge.analysis._programme import response_rates_table
    from folge.analysis._weights import attrition_table, compute_weights, levels_table, with_effective_sizes

    times, tables = {}, {}
    started = time.perf_counter()
    weights = compute_weights(data)
    times["weights"] = time.perf_counter() - started
    started = time.perf_counter()
    tables["levels"] = conform("levels", levels_table(data, weights))
    times["levels"] = time.perf_counter() - started
    started = time.perf_counter()
    tables["attrition"] = conform("attrition", attrition_table(data))
    times["attrition"] = time.perf_counter() - started
    rates = response_rates_table(data)
    started = time.perf_counter()
    with_effective_sizes(rates, data, weights)
    times["n_eff"] = time.perf_counter() - started
    tables["weights"] = conform("weights", weights.table)
    started = time.perf_counter()
    write_results(tables, {}, out)
    times["write"] = time.perf_counter() - started
    return times


def whole(data, out: Path) -> None:
    """The whole analysis in this process on ``data``, per step, then writing every table:
    the added steps (``weights``) against everything else, under the same load."""
    from folge.analysis import analyze, write_results

    times, last = {}, [time.perf_counter(), None]

    def step(name):
        now = time.perf_counter()
        if last[1]:
            times[last[1]] = now - last[0]
        last[0], last[1] = now, name

    tables = analyze(data, step)
    step(None)
    added = ("weights", "levels", "attrition")
    writes = {}
    for name in added:
        started = time.perf_counter()
        write_results({name: tables[name]}, {}, out)
        writes[name] = time.perf_counter() - started
    started = time.perf_counter()
    write_results({k: v for k, v in tables.items() if k not in added}, {}, out)
    write_rest = time.perf_counter() - started
    rest = sum(v for k, v in times.items() if k not in added) + write_rest
    print("steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()) + "; writing "
          + ", ".join(f"{k} {v:.1f} s" for k, v in writes.items()) + f", the other tables {write_rest:.1f} s")
    for label, names in (("weights + levels", ("weights", "levels")), ("weights + levels + attrition", added)):
        new = sum(times[k] + writes[k] for k in names)
        print(f"{label} (computed and written) {new:.1f} s; everything else {rest:.1f} s; "
              f"added / everything else = {new / rest:.1%}")


def steps(study_dir: Path, runs: int, with_whole: bool = False) -> None:
    import pandas as pd
    from threadpoolctl import threadpool_limits

    from folge.analysis import build_input
    from folge.definitions import load_frame, load_study

    study = load_study(study_dir)
    started = time.perf_counter()
    answers = pd.concat([pd.read_csv(p, dtype={"wave": str}) for p in sorted((study_dir / "answers").glob("*.csv"))],
                        ignore_index=True)
    data = build_input(study, {"bench-survey": answers}, None, None, load_frame(study))
    print(f"input: {len(answers):,} respondent-waves, {len(data.scores):,} scores "
          f"(read and scored in {time.perf_counter() - started:.0f} s, not counted)", flush=True)
    results = []
    with tempfile.TemporaryDirectory() as out, threadpool_limits(limits=1, user_api="blas"):
        for _ in range(runs):
            found = _added_steps(data, Path(out))
            results.append(found)
            print("  " + ", ".join(f"{k} {v:.2f} s" for k, v in found.items())
                  + f"; total {sum(found.values()):.2f} s", flush=True)
        medians = {k: statistics.median(r[k] for r in results) for k in results[0]} if results else {}
        if results:
            print("median: " + ", ".join(f"{k} {v:.2f} s" for k, v in medians.items())
                  + f"; total {statistics.median(sum(r.values()) for r in results):.2f} s")
        if with_whole:
            whole(data, Path(out))


def compare(study_dir: Path, store_dir: Path, baseline: Path, runs: int) -> None:
    out = DATA / f"{study_dir.name}-weights-results"
    variants = {"with weights": REPO / "analysis", "baseline": baseline}
    times = {name: [] for name in variants}
    for _ in range(runs):
        for name, package in variants.items():
            env = dict(os.environ, PYTHONPATH=str(package), OPENBLAS_NUM_THREADS="1")
            seconds, peak, proc = _timed([*FOLGE, "analyze", "--study", str(store_dir), "--out", str(out)], env)
            if proc.returncode != 0 or "Traceback" in proc.stderr:
                sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-2000:])
                raise SystemExit(f"folge analyze ({name}) failed")
            times[name].append(seconds)
            print(f"  {name}: {seconds:.1f} s, peak {peak:.0f} MB", flush=True)
    with_w, base = (statistics.median(times[k]) for k in variants)
    print(f"median: with weights {with_w:.1f} s, baseline {base:.1f} s, added {with_w - base:+.1f} s "
          f"({(with_w - base) / base:+.1%})")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=400)
    parser.add_argument("--waves", type=int, default=10)
    parser.add_argument("--per-cell", type=int, default=250)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--steps", action="store_true", help="time the added steps alone (the default)")
    parser.add_argument("--whole", action="store_true",
                        help="with --steps: also the whole analysis in-process, added steps against the rest")
    parser.add_argument("--compare", type=Path, metavar="BASELINE", help="analysis/ folder without the added steps")
    args = parser.parse_args(argv)
    size = f"{args.regions}x{args.waves}x{args.per_cell}"
    study_dir = DATA / f"analysis-study-{size}"
    make_study(study_dir, args.regions, args.waves, args.per_cell)
    print(f"study: {study_dir} ({args.regions * args.waves * args.per_cell:,} respondent-waves)", flush=True)
    if args.compare:
        store_dir = DATA / f"analysis-store-{size}"
        ingest = fill_store(study_dir, store_dir)
        print(f"store: {store_dir} " + ("(reused)" if ingest is None else f"(folge ingest: {ingest:.1f} s)"), flush=True)
        compare(study_dir, store_dir, args.compare.resolve(), args.runs)
    if args.steps or not args.compare:
        steps(study_dir, args.runs, args.whole)


if __name__ == "__main__":
    main()
