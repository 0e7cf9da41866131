"""Time ``folge ingest`` on the generated large study: wall time, rows per second, peak memory.

Each run starts from an empty store in a fresh Python process, ingests every file of
``files/`` through the public path (:func:`folge.ingest.ingest_file`, as ``folge ingest``
does) and reports its wall time and peak resident memory (``ru_maxrss``). The medians of
``--repeat`` runs are printed and written to ``benchmarks/_data/ingest-results.json``.

    python benchmarks/ingest/generate.py
    python benchmarks/ingest/run.py --repeat 3

Targets (issue "Ingest and store"): 1,000,000 respondent-waves × 60 items in ≤ 60 s wall
and ≤ 4 GB peak memory on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_STUDY = HERE.parent / "_data" / "large-study"
RESULTS = HERE.parent / "_data" / "ingest-results.json"

CHILD = textwrap.dedent("""
    import json, resource, sys, time
    from pathlib import Path
    started = time.perf_counter()
    from folge.definitions import load_study
    from folge.ingest import ingest_file
    from folge.store import Store

    root = Path(sys.argv[1])
    study = load_study(root)
    files = sorted((root / "files").glob("*.csv"))
    t0 = time.perf_counter()
    rows = stored = quarantined = 0
    per_file = []
    with Store.open(root, create=True) as store:
        for path in files:
            t = time.perf_counter()
            result = ingest_file(study, path, None, store=store)
            per_file.append(round(time.perf_counter() - t, 3))
            rows += result.read
            stored += result.stored
            quarantined += result.quarantined
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kb = usage.ru_maxrss
    print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "process_wall": time.perf_counter() - started, "rows": rows,
                      "stored": stored, "quarantined": quarantined, "peak_mb": peak_kb / 1024,
                      "per_file": per_file}))
""")


def one_run(study: Path) -> dict:
    shutil.rmtree(study / "data", ignore_errors=True)
    proc = subprocess.run([sys.executable, "-c", CHILD, str(study)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark run failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", type=Path, default=DEFAULT_STUDY)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if not (args.study / "files").is_dir():
        raise SystemExit(f"no generated study at {args.study}: run benchmarks/ingest/generate.py first")
    runs = []
    for i in range(args.repeat):
        run = one_run(args.study)
        runs.append(run)
        print(f"run {i + 1}: {run['wall']:.1f} s wall ({run['cpu']:.1f} s CPU), {run['rows'] / run['wall']:,.0f} rows/s, "
              f"peak {run['peak_mb']:,.0f} MB, stored {run['stored']:,} of {run['rows']:,}")
    wall = statistics.median(r["wall"] for r in runs)
    peak = statistics.median(r["peak_mb"] for r in runs)
    cpu = statistics.median(r["cpu"] for r in runs)
    rows = runs[0]["rows"]
    summary = {"rows": rows, "median_wall_s": round(wall, 2), "median_cpu_s": round(cpu, 2),
               "rows_per_s": round(rows / wall),
               "median_peak_mb": round(peak), "repeat": args.repeat, "runs": runs,
               "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count(),
                           "platform": platform.platform()}}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(f"median of {args.repeat}: {wall:.1f} s wall ({cpu:.1f} s CPU), {rows / wall:,.0f} rows/s, peak {peak:,.0f} MB "
          f"({rows:,} rows) → {RESULTS}")


if __name__ == "__main__":
    main()
