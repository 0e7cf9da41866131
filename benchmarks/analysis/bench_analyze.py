"""Benchmark: ``folge analyze`` on 1,000,000 respondent-waves × 60 items against R.

What it does, in one run:

1. builds (or reuses) the benchmark study in ``benchmarks/_data/analysis-study-…/`` with
   :mod:`make_study` (400 regions, 10 waves, 250 respondents per region and wave, one
   instrument of 60 agree5 items in 12 scales of 5 with reverse keys and missing codes),
   whose per-wave CSVs are also the R script's input;
2. fills a store once with ``folge ingest`` (a copy of the study's ``research/`` and
   ``instruments/`` in ``benchmarks/_data/analysis-store-…/`` with its own key; reused
   while the study is unchanged; the ingest time is printed, not counted);
3. times ``folge analyze --study STORE --out DIR`` itself, end to end, in a fresh process
   per run: reading the store (answers and snapshot hash), keying, scoring, every table,
   the criteria and writing the CSVs (median of ``--runs``; peak RSS of that process from
   ``os.wait4``);
4. writes the same answers for R as one wide CSV and times ``bench_analyze.R`` doing the
   same analyses (psych::alpha, semTools omega, multilevel::ICC1/ICC2/rwg.j/ad.m,
   lme4::lmer, lavaan configural/metric/scalar, Welch and paired t.test per construct ×
   scope × comparison);
5. prints both times, the ratio and the peak memory.

Usage::

    python benchmarks/analysis/bench_analyze.py [--regions 400 --waves 10 --per-cell 250]
        [--runs 3] [--r-runs 1] [--no-r] [--profile]

``--profile`` runs the analysis once in-process under cProfile (to stderr) instead.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = REPO / "benchmarks" / "_data"
sys.path.insert(0, str(HERE))

from make_study import make_study  # noqa: E402


#: ``folge`` as a command, run by this interpreter with the repository's package first.
FOLGE = [sys.executable, "-c", "import sys; from folge.cli import main; sys.argv[0] = 'folge'; main()"]


def _env() -> dict:
    path = os.pathsep.join(p for p in [str(REPO / "analysis"), os.environ.get("PYTHONPATH", "")] if p)
    return dict(os.environ, PYTHONPATH=path)


def fill_store(study_dir: Path, store_dir: Path, env: dict | None = None) -> float | None:
    """Ingest the study's answers into a store at ``store_dir`` with ``folge ingest``.

    ``env`` is the environment of the ingest (default: this checkout's ``analysis/`` first on
    ``PYTHONPATH``; another checkout's to fill a store with its folge). Returns the ingest's
    wall time, or ``None`` when a store of the same study is reused.
    """
    meta = (study_dir / "study-meta.json").read_text()
    stamp = store_dir / "store-meta.json"
    if stamp.exists() and stamp.read_text() == meta and (store_dir / "data").is_dir():
        return None
    shutil.rmtree(store_dir, ignore_errors=True)
    store_dir.mkdir(parents=True)
    for folder in ("research", "instruments"):
        shutil.copytree(study_dir / folder, store_dir / folder)
    env = dict(env if env is not None else _env())
    env.pop("FOLGE_KEY", None)
    subprocess.run([sys.executable, "-c", "import sys; from folge.pseudonym import create_key; create_key(sys.argv[1])",
                    str(store_dir)], check=True, env=env)
    files = sorted(str(p) for p in (study_dir / "answers").glob("wave-*.csv"))
    started = time.perf_counter()
    proc = subprocess.run([*FOLGE, "ingest", "--study", str(store_dir), *files],
                          capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"folge ingest ({env['PYTHONPATH']}) failed")
    stamp.write_text(meta)
    return seconds


def _timed(cmd: list[str], env: dict) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run ``cmd``; its wall time and its own peak RSS in MB (``os.wait4`` reads the usage of
    exactly this child, where ``RUSAGE_CHILDREN`` would give the largest of all children)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return seconds, usage.ru_maxrss / 1024, subprocess.CompletedProcess(cmd, proc.returncode, out.read(), err.read())


def run_python(store_dir: Path, out_dir: Path, runs: int) -> list[dict]:
    """``folge analyze`` end to end, one fresh process per run."""
    results = []
    env = _env()
    for _ in range(runs):
        cmd = [*FOLGE, "analyze", "--study", str(store_dir), "--out", str(out_dir)]
        seconds, peak, proc = _timed(cmd, env)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
            raise SystemExit("folge analyze failed")
        results.append({"seconds": seconds, "peak_mb": peak})
        print(f"  python run: {seconds:.1f} s, peak {peak:.0f} MB", flush=True)
    return results


def profile(store_dir: Path, out_dir: Path) -> None:
    """One analysis in this process under cProfile, with the time of each step."""
    import cProfile
    import pstats

    from folge.analysis import run_analysis

    steps: dict[str, float] = {}
    last = [time.perf_counter(), "read store + build_input"]

    def step(name):
        now = time.perf_counter()
        steps[last[1]] = now - last[0]
        last[0], last[1] = now, name

    prof = cProfile.Profile()
    started = time.perf_counter()
    prof.runcall(run_analysis, store_dir, out_dir, None, step)
    step("end")
    print(f"total {time.perf_counter() - started:.1f} s (under cProfile): "
          + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items() if k != "end"), file=sys.stderr)
    pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
    pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(30)


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
    parser.add_argument("--profile", action="store_true", help="cProfile one analysis in-process (to stderr)")
    args = parser.parse_args(argv)
    name = f"analysis-study-{args.regions}x{args.waves}x{args.per_cell}"
    study_dir = DATA / name
    store_dir = DATA / f"analysis-store-{args.regions}x{args.waves}x{args.per_cell}"
    out_dir = DATA / f"{name}-results"
    t = time.perf_counter()
    make_study(study_dir, args.regions, args.waves, args.per_cell)
    rows = args.regions * args.waves * args.per_cell
    print(f"study: {study_dir} ({rows:,} respondent-waves × 60 items; ready in {time.perf_counter() - t:.0f} s)")
    ingest = fill_store(study_dir, store_dir)
    print(f"store: {store_dir} " + ("(reused)" if ingest is None else f"(folge ingest: {ingest:.1f} s)"), flush=True)
    if args.profile:
        profile(store_dir, out_dir)
        return
    print("Python (timed: `folge analyze` end to end, store read included):")
    py = run_python(store_dir, out_dir, args.runs)
    py_median = statistics.median(r["seconds"] for r in py)
    py_peak = max(r["peak_mb"] for r in py)
    if args.no_r:
        print(f"python median {py_median:.1f} s over {len(py)} run(s), peak {py_peak:.0f} MB")
        return
    print("R (bench_analyze.R; timed: the analyses after reading the CSV):")
    rr = run_r(study_dir, args.r_runs)
    r_median = statistics.median(r["seconds"] for r in rr)
    r_steps = {k: statistics.median(r["steps"][k] for r in rr) for k in rr[0]["steps"]}
    print("  median step times: " + ", ".join(f"{k} {v:.1f} s" for k, v in r_steps.items()))
    print(f"python median {py_median:.1f} s over {len(py)} run(s), peak {py_peak:.0f} MB")
    print(f"R      median {r_median:.1f} s over {len(rr)} run(s), peak {max(r['peak_mb'] for r in rr):.0f} MB")
    print(f"ratio R / python: {r_median / py_median:.1f}")


if __name__ == "__main__":
    main()
