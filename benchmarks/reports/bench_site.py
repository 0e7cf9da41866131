"""Benchmark: the full public site for 37 regions in 3 languages (nb, nn, en), HTML and PDF.

Fabricates a 37-region study (tests/reports/fabricate.py: result tables shaped like
``folge analyze``'s), then builds the whole site once with ``build_sites`` (what ``folge
report --lang all`` runs): one disclosure choice and one open-data audit for every
language, then every document (national, methods, every region, index in nb, nn and en;
the questionnaires once) rendered by ``--processes`` forked workers with the pandoc
engine (one pandoc run and one typst compile per document). Prints the wall time of the
whole site, the time from the first to the last region report divided by the region
reports (seconds per region report), the CPU time the build used (so a loaded machine can
be told from a slow build) and the machine's load average before and after, since the
2-core development machines are shared.

    python benchmarks/reports/bench_site.py [--regions 37] [--processes 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "reports"))

import fabricate  # noqa: E402

LANGUAGES = ("nb", "nn", "en")


def _cpu() -> float:
    """User + system CPU seconds of this process and its finished children (workers, pandoc)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=37)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None, help="fabricate into (or reuse) this folder")
    args = parser.parse_args(argv)

    from folge.definitions import load_study
    from folge.reports import build_sites

    with tempfile.TemporaryDirectory() as tmp:
        root = (args.keep or Path(tmp)) / "study"
        if not (root / "results" / "manifest.json").exists():
            fabricate.write_study(root, n_regions=args.regions)
            fabricate.write_results(load_study(root), root / "results")
        stamps: list[float] = []

        def done(doc):
            if doc.kind == "region":
                stamps.append(time.perf_counter())

        load_before = os.getloadavg()
        cpu_before = _cpu()
        started = time.perf_counter()
        report = build_sites(root, out_dir=Path(tmp) / "site", langs=LANGUAGES, engine="pandoc",
                             formats=("html", "pdf"), processes=args.processes, progress=done)
        total = time.perf_counter() - started
        cpu = _cpu() - cpu_before
        load_after = os.getloadavg()
        kinds = Counter(d.kind for d in report.documents)
        reports = kinds["region"]
        region_phase = (stamps[-1] - stamps[0]) / max(1, len(stamps) - 1) if len(stamps) > 1 else float("nan")
        print(f"documents: {len(report.documents)} ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}), "
              f"{len(report.outputs())} files")
        print(f"whole site ({args.regions} regions x {len(LANGUAGES)} languages, HTML + PDF, "
              f"{args.processes} processes): {total:.1f} s wall; {region_phase:.2f} s per region report in the "
              f"region phase (first to last, wall); load average before {load_before[0]:.1f}, after "
              f"{load_after[0]:.1f} on {os.cpu_count()} cores")
        # the CPU the build used (its processes and their pandoc children): on an otherwise idle
        # machine the wall time would be about this divided by the cores it can keep busy
        print(f"CPU time of the build: {cpu:.1f} s (user + system, all processes); "
              f"{cpu / max(1, reports):.2f} CPU s per region report (all CPU / region reports); "
              f"idle 2-core estimate {cpu / 2:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
