"""Benchmark: seconds per region for the region reports (HTML + PDF) with the pandoc engine.

Fabricates a study of 400 regions with result tables shaped like ``folge analyze``'s
(tests/reports/fabricate.py), then builds the site with ``build_reports`` (pandoc engine,
HTML and PDF, two render threads) for ``--render`` of those regions, timing each region
report from the moment the previous one finished (steady state: figures, .qmd, pandoc to
HTML, pandoc to typst, typst to PDF). Prints the median seconds per region of each run,
the median over runs, and the throughput (region phase wall time / regions).

    python benchmarks/reports/bench_reports.py [--regions 400] [--render 40] [--runs 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "reports"))

import fabricate  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=400, help="regions in the fabricated study")
    parser.add_argument("--render", type=int, default=40, help="region reports to render per run (0: all)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None,
                        help="fabricate into (or reuse) this folder instead of a temporary one")
    args = parser.parse_args(argv)

    from folge.definitions import load_study
    from folge.reports import build_reports

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        root = (args.keep or Path(tmp)) / "study"
        if not (root / "results" / "manifest.json").exists():
            fabricate.write_study(root, n_regions=args.regions)
            fabricate.write_results(load_study(root), root / "results")
            print(f"fabricated {args.regions} regions in {time.perf_counter() - started:.1f} s")
        study = load_study(root)
        chosen = [r.id for r in study.regions][: args.render or None]
        medians, throughputs = [], []
        for run in range(args.runs):
            stamps: list[float] = []

            def done(doc, stamps=stamps):
                if doc.kind == "region":
                    stamps.append(time.perf_counter())

            t0 = time.perf_counter()
            report = build_reports(root, out_dir=Path(tmp) / f"site{run}", engine="pandoc", regions=chosen,
                                   formats=("html", "pdf"), workers=args.workers, progress=done)
            total = time.perf_counter() - t0
            gaps = [b - a for a, b in zip(stamps, stamps[1:])]
            median = statistics.median(gaps) if gaps else float("nan")
            throughput = (stamps[-1] - stamps[0]) / max(1, len(stamps) - 1)
            medians.append(median)
            throughputs.append(throughput)
            print(f"run {run + 1}: {len(stamps)} region reports, median {median:.3f} s/region, "
                  f"throughput {throughput:.3f} s/region, whole build {total:.1f} s "
                  f"({len(report.documents)} documents, engine {report.engine})")
        print(f"median over runs: {statistics.median(medians):.3f} s per region (HTML + PDF); "
              f"throughput {statistics.median(throughputs):.3f} s per region")
    return 0


if __name__ == "__main__":
    sys.exit(main())
