"""The steps a study goes through, as library calls both ``folge`` commands and the demo use.

This module sits above :mod:`folge.analysis`, :mod:`folge.criteria` and
:mod:`folge.reports` and below the command line and the demo (see
``analysis/ARCHITECTURE.md``): ``folge analyze`` and :func:`folge.demo.run_pipeline` both
call :func:`analyze_study`, so the tables they write cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from threadpoolctl import threadpool_limits

from .analysis import AnalysisResult, compute_analysis, conform, write_results
from .criteria import judge_criteria, load_criteria
from .definitions import Study

__all__ = ["analyze_study"]


def analyze_study(study_root: str | Path = ".", out_dir: str | Path | None = None, wave: str | None = None,
                  step: Callable[[str], None] | None = None, *, verdicts_only: bool = False,
                  study: Study | None = None) -> AnalysisResult:
    """Compute every result table, judge the success criteria, write both with a manifest.

    What ``folge analyze`` does: :func:`folge.analysis.compute_analysis`, then
    :func:`folge.criteria.judge_criteria` over its tables (``criteria.csv``, ``rules.csv``), then
    :func:`folge.analysis.write_results`.

    Parameters
    ----------
    study_root : path
        The study folder.
    out_dir : path, optional
        Where the CSV tables go (default ``results/`` in the study).
    wave : str, optional
        Analyse only the waves up to and including this one (an edition as of that wave).
    step : callable, optional
        Called with each step's name (:data:`folge.analysis.STEPS`) before it runs.
    verdicts_only : bool
        Compute only the tables the criteria read (:data:`folge.analysis.VERDICT_TABLES`,
        reliability without omega), judge the criteria, and write nothing (``paths`` stays
        empty): the mode ``folge simulate`` runs its replications in.
    study : Study, optional
        The study's definitions, when the caller has loaded them (default: loaded from
        ``study_root``).

    Returns
    -------
    AnalysisResult
        The tables (``criteria`` included), the manifest and the files written.
    """
    step = step or (lambda name: None)
    result = compute_analysis(study_root, wave, step, verdicts_only=verdicts_only, study=study)
    data = result.data
    step("criteria")
    with threadpool_limits(limits=1, user_api="blas"):
        criteria = load_criteria(data.study.root, data.study.instruments, [w.id for w in data.study.waves])
        criteria, rules = judge_criteria(data.study, criteria, result.tables, data.responses)
    result.tables["criteria"] = conform("criteria", criteria)
    result.tables["rules"] = conform("rules", rules)
    result.manifest["tables"] = sorted(result.tables)
    if verdicts_only:
        return result
    out_dir = Path(out_dir) if out_dir is not None else Path(study_root) / "results"
    step("write")
    result.paths = write_results(result.tables, result.manifest, out_dir)
    return result
