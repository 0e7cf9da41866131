"""Benchmark: the full public site for 37 regions in 3 languages (nb, nn, en), HTML and PDF.

Fabricates a 37-region study (tests/reports/fabricate.py: result tables shaped like
``folge analyze``'s), then builds the whole site once per language (``build_reports(...,
lang=L)``: national, methods, every region, questionnaires, index, open data) with the
pandoc engine, the three languages spread over a process pool of ``--processes`` workers
(each build also renders in its own small thread pool). Prints the wall time of the whole
site, each language's build time, the seconds per region report (a language's region
phase divided by its regions), the CPU time the build used (so a loaded machine can be told
from a slow build) and the machine's load average before and after, since the 2-core
development machines are shared.

    python benchmarks/reports/bench_site.py [--regions 37] [--processes 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "reports"))

import fabricate  # noqa: E402

LANGUAGES = ("nb", "nn", "en")


def build_language(root: str, out: str, lang: str) -> dict:
    """One language's site: wall time, documents, and the time between the first and last region report."""
    from folge.reports import build_reports

    stamps: list[float] = []

    def done(doc):
        if doc.kind == "region":
            stamps.append(time.perf_counter())

    started = time.perf_counter()
    report = build_reports(root, out_dir=out, engine="pandoc", lang=lang, formats=("html", "pdf"), workers=2,
                           progress=done)
    return {"lang": lang, "seconds": time.perf_counter() - started, "documents": len(report.documents),
            "regions": len(stamps), "region_phase": (stamps[-1] - stamps[0]) if len(stamps) > 1 else float("nan")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=37)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None, help="fabricate into (or reuse) this folder")
    args = parser.parse_args(argv)

    from folge.definitions import load_study

    with tempfile.TemporaryDirectory() as tmp:
        root = (args.keep or Path(tmp)) / "study"
        if not (root / "results" / "manifest.json").exists():
            fabricate.write_study(root, n_regions=args.regions)
            fabricate.write_results(load_study(root), root / "results")
        load_before = os.getloadavg()
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=args.processes) as pool:
            runs = list(pool.map(build_language, [str(root)] * 3, [str(Path(tmp) / f"site-{l}") for l in LANGUAGES],
                                 LANGUAGES))
        total = time.perf_counter() - started
        load_after = os.getloadavg()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = children.ru_utime + children.ru_stime
        for run in runs:
            per_region = run["region_phase"] / max(1, run["regions"] - 1)
            print(f"{run['lang']}: {run['documents']} documents in {run['seconds']:.1f} s; "
                  f"{run['regions']} region reports, {per_region:.2f} s per region report")
        reports = sum(r["regions"] for r in runs)
        print(f"whole site ({args.regions} regions x {len(LANGUAGES)} languages, HTML + PDF, "
              f"{args.processes} processes): {total:.1f} s, {total / max(1, reports):.2f} s per region report "
              f"(wall time / region reports); load average before {load_before[0]:.1f}, after {load_after[0]:.1f} "
              f"on {os.cpu_count()} cores")
        # the CPU the build used (its processes and their pandoc children): on an otherwise idle
        # machine the wall time would be about this divided by the cores it can keep busy
        print(f"CPU time of the build: {cpu:.1f} s (user + system, all processes); "
              f"{cpu / max(1, reports):.2f} CPU s per region report; idle 2-core estimate {cpu / 2:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
