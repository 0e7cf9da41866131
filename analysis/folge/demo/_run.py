"""Run ingest → analyze → report over a study, through the same library calls the commands make.

Ingest goes through :func:`folge.ingest.ingest_file` (as ``folge ingest`` does), analyze
through :func:`folge.pipeline.analyze_study` (as ``folge analyze``), report through
:func:`folge.reports.build_reports` (as ``folge report``, with its defaults). A stage that
fails raises :class:`StageFailed`, never a quiet skip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .._errors import FolgeError
from .._paths import RESULTS_DIR, SITE_DIR
from ..definitions import load_study
from ..ingest import ingest_file
from ..pipeline import analyze_study
from ..reports import build_reports
from ._careless import plant_careless_answers
from ._files import response_path

__all__ = ["STAGES", "StageFailed", "StageResult", "run_pipeline"]

#: The stages, in order.
STAGES: tuple[str, ...] = ("ingest", "analyze", "report")


class StageFailed(FolgeError):
    """A pipeline stage that failed; ``stage`` names it."""

    def __init__(self, stage: str, message: str):
        self.stage = stage
        super().__init__(f"stage '{stage}' failed: {message}")


@dataclass(frozen=True)
class StageResult:
    """What one stage did: whether it ran, a one-line summary, and where its output is."""

    stage: str
    ran: bool
    summary: str
    output: Path | None = None


def _ingest(root: Path, say: Callable[[str], None]) -> StageResult:
    study = load_study(root)
    totals = {"stored": 0, "skipped": 0, "quarantined": 0}
    files = 0
    for wave in study.waves:
        for instrument in wave.instruments:
            path = response_path(root, wave.id, instrument)
            if not path.exists():
                raise StageFailed("ingest", f"the demo has no response file {path}")
            say(f"ingest {wave.id} {instrument}")
            result = ingest_file(study, path, wave.id, instrument)
            files += 1
            for key in totals:
                totals[key] += getattr(result, key)
            if result.quarantined:
                raise StageFailed(
                    "ingest", f"{result.quarantined} row(s) of {path} were "
                    "quarantined, but every demo row is valid: the generator and ingest disagree "
                    f"(see 'folge quarantine --study {root}')")
    parts = [f"{key} {count}" for key, count in totals.items()]
    plant_careless_answers(root)  # a few careless web answers for the quality flags (careless.json)
    return StageResult("ingest", True, f"{files} files; " + ", ".join(parts), root / "data")


def _analyze(root: Path, say: Callable[[str], None]) -> StageResult:
    say("analyze")
    out = root / RESULTS_DIR
    analyze_study(root, out)
    tables = sorted(p.name for p in out.glob("*.csv")) if out.is_dir() else []
    return StageResult("analyze", True, f"{len(tables)} tables", out)


def _report(root: Path, say: Callable[[str], None]) -> StageResult:
    say("report")
    build_reports(root)
    site = root / SITE_DIR
    return StageResult("report", True, "reports built", site / "index.html")


_RUNNERS = {"ingest": _ingest, "analyze": _analyze, "report": _report}


def run_pipeline(root: str | Path, progress: Callable[[str], None] | None = None) -> list[StageResult]:
    """Run ingest → analyze → report, in order.

    Parameters
    ----------
    root : path
        A study folder whose response files lie under ``responses/<wave>/<instrument>.csv``
        (as :func:`folge.demo.build_demo` writes them).
    progress : callable, optional
        Called with a short description at each step.

    Returns
    -------
    list of StageResult
        One per stage, in :data:`STAGES` order.

    Raises
    ------
    StageFailed
        When a stage fails (an exception or quarantined demo rows); the original exception
        is chained.
    """
    root = Path(root)
    say = progress or (lambda text: None)
    results = []
    for stage in STAGES:
        try:
            results.append(_RUNNERS[stage](root, say))
        except StageFailed:
            raise
        except Exception as exc:
            raise StageFailed(stage, f"{type(exc).__name__}: {exc}") from exc
    return results
