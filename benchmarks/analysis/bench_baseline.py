"""Benchmark: ``folge analyze`` of this checkout against an older checkout, runs interleaved.

The machines are shared and their load drifts over minutes, so the two versions run in
turn (baseline, this, baseline, this, ...), each in a fresh process, and the medians are
compared. Each version gets its own store, filled by its own ``folge ingest`` from the same
study of :mod:`make_study` (a store written by a newer folge cannot be read by an older
one), reused while the study is unchanged.

For every run it prints the wall time, the CPU time of the process and its worker
processes (``os.wait4``: the child's own usage and that of the children it waited for),
its peak RSS and the load average at its start; at the end the medians of both versions
and their ratios. With ``--timings`` this checkout's runs pass ``folge analyze --timings``
and the weights + levels share of each run is printed from its step table.

    python benchmarks/analysis/bench_baseline.py --baseline /work/wt/base-30e0f8c --runs 2

``--baseline`` is the root of the other checkout (e.g. ``git worktree add DIR COMMIT``);
its ``analysis/`` folder is put first on ``PYTHONPATH`` for its runs (``--candidate`` does
the same for the other side, default this checkout). Both run with ``nice`` if ``--nice``
is given.
"""

from __future__ import annotations

import argparse
import os
import re
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

from bench_analyze import FOLGE, fill_store  # noqa: E402
from make_study import make_study  # noqa: E402


def _env(package: Path) -> dict:
    return dict(os.environ, PYTHONPATH=str(package), OPENBLAS_NUM_THREADS="1")


def run_once(cmd: list[str], env: dict) -> dict:
    """One run of ``cmd``: wall and CPU seconds (with its waited-for children), peak MB, load."""
    load = os.getloadavg()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if os.waitstatus_to_exitcode(status) != 0 or "Traceback" in stderr:
        sys.stderr.write(stdout[-3000:] + stderr[-3000:])
        raise SystemExit(f"{' '.join(cmd[3:6])} failed")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
            "load": load, "stdout": stdout}


#: The share line ``folge analyze --timings`` prints at the end.
_SHARE = re.compile(r"weights \+ levels: ([\d.]+) s, ([\d.]+)%.*?([\d.]+) s CPU, ([\d.]+)%", re.S)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="root of the baseline checkout")
    parser.add_argument("--candidate", type=Path, default=None,
                        help="root of the checkout to measure against the baseline (default: this one); a frozen "
                             "copy (git archive COMMIT analysis) lets this checkout change while the runs go on")
    parser.add_argument("--regions", type=int, default=400)
    parser.add_argument("--waves", type=int, default=10)
    parser.add_argument("--per-cell", type=int, default=250)
    parser.add_argument("--runs", type=int, default=2,
                        help="runs of each version (interleaved); 0 only prepares the study and the stores")
    parser.add_argument("--timings", action="store_true", help="pass --timings to this checkout's runs")
    parser.add_argument("--nice", action="store_true", help="run both under nice")
    parser.add_argument("--out", type=Path, default=None,
                        help="keep the results here (OUT/baseline, OUT/this; default: a folder in _data)")
    args = parser.parse_args(argv)
    size = f"{args.regions}x{args.waves}x{args.per_cell}"
    study_dir = DATA / f"analysis-study-{size}"
    make_study(study_dir, args.regions, args.waves, args.per_cell)
    print(f"study: {study_dir} ({args.regions * args.waves * args.per_cell:,} respondent-waves)", flush=True)
    baseline = args.baseline.resolve()
    commit = subprocess.run(["git", "-C", str(baseline), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or baseline.name
    variants = {
        "baseline": (baseline / "analysis", DATA / f"analysis-store-{size}-{commit}"),
        "this": ((args.candidate.resolve() if args.candidate else REPO) / "analysis", DATA / f"analysis-store-{size}"),
    }
    for name, (package, store) in variants.items():
        ingest = fill_store(study_dir, store, _env(package))
        print(f"store ({name}): {store} " + ("(reused)" if ingest is None else f"(folge ingest: {ingest:.1f} s)"),
              flush=True)
    if args.runs < 1:  # --runs 0: only make the study and both stores, to measure later on a quiet machine
        return
    out_root = args.out or DATA / f"baseline-compare-{size}"
    runs = {name: [] for name in variants}
    prefix = ["nice"] if args.nice else []
    for i in range(args.runs):
        for name, (package, store) in variants.items():
            cmd = [*prefix, *FOLGE, "analyze", "--study", str(store), "--out", str(out_root / name)]
            if name == "this" and args.timings:
                cmd.append("--timings")
            found = run_once(cmd, _env(package))
            runs[name].append(found)
            share = _SHARE.search(found["stdout"]) if name == "this" and args.timings else None
            extra = (f"; weights + levels {share.group(1)} s = {share.group(2)} % of wall, "
                     f"{share.group(3)} s = {share.group(4)} % of CPU") if share else ""
            print(f"  run {i + 1} {name} ({commit if name == 'baseline' else 'this'}): wall {found['wall']:.1f} s, "
                  f"CPU {found['cpu']:.1f} s, peak {found['peak_mb']:.0f} MB, "
                  f"load at start {' '.join(f'{x:.2f}' for x in found['load'])}{extra}", flush=True)
            if name == "this" and args.timings:
                table = found["stdout"][found["stdout"].find("Tid per steg"):]
                print("\n".join("    " + line for line in table.splitlines()), flush=True)
    medians = {name: {k: statistics.median(r[k] for r in rs) for k in ("wall", "cpu", "peak_mb")}
               for name, rs in runs.items()}
    for name, m in medians.items():
        print(f"median {name}: wall {m['wall']:.1f} s, CPU {m['cpu']:.1f} s, peak {m['peak_mb']:.0f} MB "
              f"({len(runs[name])} runs)")
    b, t = medians["baseline"], medians["this"]
    print(f"this / baseline: wall {t['wall'] / b['wall']:.2f}, CPU {t['cpu'] / b['cpu']:.2f}")


if __name__ == "__main__":
    main()
