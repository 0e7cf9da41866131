"""Write a simulation run: the calibration table as CSV and JSON, and every judged verdict."""

from __future__ import annotations

import json
import math
from pathlib import Path

from ._run import SimulationRun

__all__ = ["SUMMARY_FILE", "SUMMARY_JSON", "VERDICTS_FILE", "write_run"]

SUMMARY_FILE = "summary.csv"
SUMMARY_JSON = "summary.json"
VERDICTS_FILE = "verdicts.csv"


def _clean(value):
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def write_run(run: SimulationRun, out: str | Path, settings: dict) -> list[Path]:
    """Write ``summary.csv``, ``summary.json`` (the table, the run's settings, timing and
    failures) and ``verdicts.csv`` (every judged rule row) into ``out``; return the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / SUMMARY_FILE, out / SUMMARY_JSON, out / VERDICTS_FILE]
    run.summary.to_csv(paths[0], index=False, lineterminator="\n")
    seconds = [r.seconds for r in run.replications]
    document = {
        "settings": settings,
        "jobs": run.jobs,
        "wall_seconds": round(run.seconds, 3),
        "replications": len(run.replications),
        "seconds_per_replication": round(sum(seconds) / len(seconds), 3) if seconds else None,
        "sources": sorted({r.source for r in run.replications if r.error is None}),
        "failed": [{"scenario": r.scenario, "replication": r.index, "seed": r.seed, "error": r.error}
                   for r in run.failed],
        "summary": [{k: _clean(v) for k, v in row.items()} for row in run.summary.to_dict("records")],
    }
    paths[1].write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    run.verdicts.to_csv(paths[2], index=False, lineterminator="\n")
    return paths
