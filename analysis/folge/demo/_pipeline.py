"""Run ingest → analyze → report over a study, as far as this build of folge has them.

A stage runs when its package exists (``importlib.util.find_spec`` finds a module or a
package with an ``__init__.py``; a folder still being written does not count); a stage that exists
but fails raises :class:`StageFailed`, never a quiet skip. Every stage goes through a
public code path: ingest through :func:`folge.ingest.ingest_file`, analyze and report
through the ``folge analyze`` and ``folge report`` commands.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .._errors import FolgeError
from .._paths import RESULTS_DIR, SITE_DIR

__all__ = ["STAGES", "StageFailed", "StageResult", "available_stages", "run_pipeline"]

#: stage name → the package whose presence means the stage exists
STAGES: dict[str, str] = {
    "ingest": "folge.ingest",
    "analyze": "folge.analysis",
    "report": "folge.reports",
}


class StageFailed(FolgeError):
    """A pipeline stage that exists but failed; ``stage`` names it."""

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


def _exists(module: str) -> bool:
    """True for an importable module or regular package (a bare folder does not count)."""
    try:
        spec = importlib.util.find_spec(module)
    except ModuleNotFoundError:
        return False
    return spec is not None and spec.origin is not None


def available_stages() -> dict[str, bool]:
    """Which stages this build of folge has, in pipeline order.

    Examples
    --------
    >>> list(available_stages())
    ['ingest', 'analyze', 'report']
    """
    return {stage: _exists(module) for stage, module in STAGES.items()}


def _count(result, names: tuple[str, ...]) -> int | None:
    """A count from an ingest result, whether it is an object, a mapping or a list of rows."""
    for name in names:
        value = result.get(name) if isinstance(result, dict) else getattr(result, name, None)
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            return len(value)
        if isinstance(value, int):
            return value
    return None


_COUNTS = {
    "stored": ("stored", "accepted", "n_accepted"),
    "skipped": ("skipped", "duplicates", "duplicate", "n_duplicates"),
    "quarantined": ("quarantined", "n_quarantined"),
}


def _ingest(root: Path, say: Callable[[str], None]) -> StageResult:
    from ..definitions import load_study
    from ._write import response_path

    ingest_file = importlib.import_module("folge.ingest").ingest_file
    study = load_study(root)
    totals = {key: 0 for key in _COUNTS}
    unknown: set[str] = set()
    files = 0
    for wave in study.waves:
        for instrument in wave.instruments:
            path = response_path(root, wave.id, instrument)
            if not path.exists():
                raise StageFailed("ingest", f"the demo has no response file {path}")
            say(f"ingest {wave.id} {instrument}")
            result = ingest_file(study, path, wave.id, instrument)
            files += 1
            for key, names in _COUNTS.items():
                n = _count(result, names)
                if n is None:
                    unknown.add(key)
                else:
                    totals[key] += n
            if _count(result, _COUNTS["quarantined"]):
                raise StageFailed(
                    "ingest", f"{_count(result, _COUNTS['quarantined'])} row(s) of {path} were "
                    "quarantined, but every demo row is valid: the generator and ingest disagree "
                    f"(see 'folge quarantine --study {root}')")
    parts = [f"{key} {totals[key]}" for key in _COUNTS if key not in unknown]
    return StageResult("ingest", True, f"{files} files; " + ", ".join(parts), root / "data")


def _command(stage: str, args: list[str]) -> None:
    import click

    from ..cli import cli

    try:
        code = cli.main(args=args, prog_name="folge", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        raise StageFailed(stage, exc.format_message()) from exc
    if isinstance(code, int) and code != 0:
        raise StageFailed(stage, f"'folge {' '.join(args)}' exited with code {code}")


def _analyze(root: Path, say: Callable[[str], None]) -> StageResult:
    say("analyze")
    out = root / RESULTS_DIR
    _command("analyze", ["analyze", "--study", str(root), "--out", str(out)])
    tables = sorted(p.name for p in out.glob("*.csv")) if out.is_dir() else []
    return StageResult("analyze", True, f"{len(tables)} tables", out)


def _report(root: Path, say: Callable[[str], None]) -> StageResult:
    say("report")
    _command("report", ["report", "--study", str(root)])
    site = root / SITE_DIR
    return StageResult("report", True, "reports built", site / "index.html")


_RUNNERS = {"ingest": _ingest, "analyze": _analyze, "report": _report}


def run_pipeline(root: str | Path, progress: Callable[[str], None] | None = None) -> list[StageResult]:
    """Run every stage of ingest → analyze → report that exists, in order.

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
        One per stage: ``ran`` is False for a stage this build lacks and for the stages
        after it (they would have nothing to work on).

    Raises
    ------
    StageFailed
        When a stage that exists fails (an exception, a non-zero exit, or quarantined
        demo rows); the original exception is chained.
    """
    root = Path(root)
    say = progress or (lambda text: None)
    results = []
    missing: str | None = None
    for stage, present in available_stages().items():
        if not present:
            results.append(StageResult(stage, False, f"not in this build ({STAGES[stage]} is missing)"))
            missing = missing or stage
            continue
        if missing is not None:  # nothing to work on without the stage before
            results.append(StageResult(stage, False, f"needs '{missing}', which this build lacks"))
            continue
        try:
            results.append(_RUNNERS[stage](root, say))
        except StageFailed:
            raise
        except Exception as exc:
            raise StageFailed(stage, f"{type(exc).__name__}: {exc}") from exc
    return results
