"""Benchmark: ``folge analyze`` on 1,000,000 respondent-waves × 60 items against R.

What it does, in one run:

1. builds (or reuses) the benchmark study in ``benchmarks/_data/analysis-study/`` with
   :mod:`make_study` (400 regions, 10 waves, 250 respondents per region and wave, one
   instrument of 60 agree5 items in 12 scales of 5 with reverse keys and missing codes);
2. times the analysis in a child process per run (median of ``--runs``, peak RSS from
   ``resource.getrusage`` of the child): the answers are read straight from the per-wave
   CSVs (with respondent ids pseudonymised as the store would hold them) — **not** from
   the store, which is not in this tree yet — and then the timed part is exactly what
   ``folge analyze`` does after reading the store: ``build_input`` (keying, scoring),
   ``analyze`` (every table) and ``write_results`` (the CSVs);
3. writes the same answers for R as one wide CSV and times
   ``bench_analyze.R`` doing the same analyses (psych::alpha, semTools omega,
   multilevel::ICC1/ICC2/rwg.j/ad.m, lme4::lmer, lavaan configural/metric/scalar,
   Welch and paired t.test per construct × scope × comparison);
4. prints both times, the ratio and the peak memory.

Usage::

    python benchmarks/analysis/bench_analyze.py [--regions 400 --waves 10 --per-cell 250]
        [--runs 3] [--r-runs 1] [--no-r] [--profile]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = REPO / "benchmarks" / "_data"
sys.path.insert(0, str(HERE))

from make_study import make_study  # noqa: E402


def load_responses(study_dir: Path):
    """The answers as the store would give them: one wide frame per instrument."""
    import pandas as pd

    from folge.definitions import load_study
    from folge.pseudonym import pseudonymise_many

    study = load_study(study_dir)
    instrument = next(iter(study.instruments.values()))
    items = [item.id for item in instrument.items]
    frames = []
    for path in sorted((study_dir / "answers").glob("wave-*.csv")):
        frame = pd.read_csv(path, dtype={"respondent": "str", "region": "str", "wave": "str", "role": "str",
                                         **{i: "Int64" for i in items}})
        frames.append(frame)
    answers = pd.concat(frames, ignore_index=True)
    answers["respondent"] = pseudonymise_many(b"benchmark-key", answers["respondent"].tolist())
    answers["respondent"] = answers["respondent"].astype("str")
    answers.insert(4, "version", 1)
    return study, {instrument.id: answers}


def child(study_dir: Path, out_dir: Path, profile: bool) -> None:
    """One timed analysis (run in a fresh process); prints a JSON line with the figures."""
    from folge.analysis import analyze, build_input, write_results

    study, responses = load_responses(study_dir)
    steps: dict[str, float] = {}
    start = time.perf_counter()
    last = [start, None]

    def step(name):
        now = time.perf_counter()
        if last[1] is not None:
            steps[last[1]] = now - last[0]
        last[0], last[1] = now, name

    def work():
        data = build_input(study, responses)
        steps["build_input"] = time.perf_counter() - start
        last[0] = time.perf_counter()
        tables = analyze(data, step)
        step(None)
        t = time.perf_counter()
        write_results(tables, {"benchmark": True}, out_dir)
        steps["write_results"] = time.perf_counter() - t
        return tables

    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        tables = prof.runcall(work)
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
        pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(30)
    else:
        tables = work()
    total = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB → MB on Linux
    print(json.dumps({"seconds": total, "peak_mb": peak, "steps": steps,
                      "rows": {k: len(v) for k, v in tables.items()}}))


def run_python(study_dir: Path, out_dir: Path, runs: int, profile: bool = False) -> list[dict]:
    results = []
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "analysis"), os.environ.get("PYTHONPATH", "")]))
    for _ in range(runs):
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(study_dir), str(out_dir)]
        if profile:
            cmd.append("--profile")
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            raise SystemExit("the Python analysis failed")
        if profile:
            sys.stderr.write(proc.stderr)
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(f"  python run: {results[-1]['seconds']:.1f} s, peak {results[-1]['peak_mb']:.0f} MB", flush=True)
    return results


def write_r_input(study_dir: Path) -> Path:
    """The answers as one wide CSV for R (raw codes, as in the per-wave files)."""
    target = study_dir / "r-input.csv"
    if not target.exists():
        import pandas as pd

        frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted((study_dir / "answers").glob("*.csv"))]
        pd.concat(frames, ignore_index=True).to_csv(target, index=False, lineterminator="\n")
    return target


def run_r(study_dir: Path, runs: int) -> list[dict]:
    script = HERE / "bench_analyze.R"
    results = []
    for _ in range(runs):
        proc = subprocess.run(["/usr/bin/time", "-f", "MAXRSS %M", "Rscript", str(script), str(write_r_input(study_dir))],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
            raise SystemExit("the R analysis failed")
        line = [x for x in proc.stdout.splitlines() if x.startswith("{")][-1]
        result = json.loads(line)
        rss = [x for x in proc.stderr.splitlines() if x.startswith("MAXRSS")]
        result["peak_mb"] = int(rss[-1].split()[1]) / 1024 if rss else float("nan")
        results.append(result)
        print(f"  R run: {result['seconds']:.1f} s (+ {result['read_seconds']:.1f} s reading), "
              f"peak {result['peak_mb']:.0f} MB", flush=True)
    return results


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="folge analyze against R at 1M respondent-waves")
    parser.add_argument("--regions", type=int, default=400)
    parser.add_argument("--waves", type=int, default=10)
    parser.add_argument("--per-cell", type=int, default=250)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--r-runs", type=int, default=1)
    parser.add_argument("--no-r", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile one Python run (to stderr)")
    parser.add_argument("--child", nargs=2, metavar=("STUDY", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), args.profile)
        return
    name = f"analysis-study-{args.regions}x{args.waves}x{args.per_cell}"
    study_dir = DATA / name
    t = time.perf_counter()
    make_study(study_dir, args.regions, args.waves, args.per_cell)
    rows = args.regions * args.waves * args.per_cell
    print(f"study: {study_dir} ({rows:,} respondent-waves × 60 items; ready in {time.perf_counter() - t:.0f} s)")
    print("Python (answers read from the CSVs, not the store; timed: build_input + analyze + write_results):")
    py = run_python(study_dir, DATA / f"{name}-results", 1 if args.profile else args.runs, args.profile)
    py_median = statistics.median(r["seconds"] for r in py)
    steps = {k: statistics.median(r["steps"].get(k, 0.0) for r in py) for k in py[0]["steps"]}
    print("  median step times: " + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items()))
    if args.no_r:
        print(f"python median {py_median:.1f} s, peak {max(r['peak_mb'] for r in py):.0f} MB")
        return
    print("R (bench_analyze.R; timed: the analyses after reading the CSV):")
    rr = run_r(study_dir, args.r_runs)
    r_median = statistics.median(r["seconds"] for r in rr)
    r_steps = {k: statistics.median(r["steps"][k] for r in rr) for k in rr[0]["steps"]}
    print("  median step times: " + ", ".join(f"{k} {v:.1f} s" for k, v in r_steps.items()))
    print(f"python median {py_median:.1f} s over {len(py)} run(s), peak {max(r['peak_mb'] for r in py):.0f} MB")
    print(f"R      median {r_median:.1f} s over {len(rr)} run(s), peak {max(r['peak_mb'] for r in rr):.0f} MB")
    print(f"ratio R / python: {r_median / py_median:.1f}")


if __name__ == "__main__":
    main()
