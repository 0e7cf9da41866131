"""The analyses of ``folge analyze``: read the store once, compute every table, write them with a manifest.

The success criteria are judged one layer up (:mod:`folge.criteria`, run by
:func:`folge.pipeline.analyze_study`), from the tables computed here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
from threadpoolctl import threadpool_limits

from .._errors import AnalysisError
from .._version import __version__
from ..definitions import Study, load_frame, load_study
from ._aggregation_tables import agreement_table, icc_table
from ._change_tables import change_table, trend_table
from ._inputs import AnalysisInput, build_input
from ._programme import (
    item_distribution_table,
    learning_chain_table,
    panel_table,
    response_rates_table,
    trust_matrix_table,
)
from ._psychometrics import invariance_table, reliability_tables
from ._quality import screen_answers
from ._results import conform, write_results
from ._weights import attrition_table, compute_weights, levels_table, with_effective_sizes

__all__ = ["AnalysisResult", "analyze", "compute_analysis", "run_analysis", "STEPS", "VERDICT_TABLES"]

#: The steps of an analysis, in order, with what each writes (for progress display).
STEPS = (
    ("read", "leser lageret / reading the store"),
    ("scores", "skårer / scores"),
    ("reliability", "reliabilitet / reliability"),
    ("invariance", "måleinvarians / measurement invariance"),
    ("aggregation", "aggregering / ICC, rwg"),
    ("change", "endring / change"),
    ("trend", "trend"),
    ("weights", "vekter / weights"),
    ("levels", "nivåer, empirisk Bayes / levels, empirical Bayes"),
    ("attrition", "frafall / attrition"),
    ("programme", "svarprosent, panel, tillit, læringskjede / programme tables"),
    ("criteria", "suksesskriterier / success criteria"),  # judged by folge.criteria, after the tables
    ("write", "skriver tabellene / writing the tables"),
)


#: The tables the success criteria read (:mod:`folge.criteria`): all that a verdicts-only
#: run computes (``weights`` because ``levels`` is computed from them).
VERDICT_TABLES = ("scores", "reliability", "invariance", "agreement", "change", "trend", "weights", "levels")


@dataclass
class AnalysisResult:
    """The tables of one analysis run, its manifest (what it was computed from), the files
    written (none yet when only computed) and the input the tables were computed from."""

    tables: dict[str, pd.DataFrame]
    manifest: dict
    paths: list[Path]
    data: AnalysisInput | None = None


def analyze(data: AnalysisInput, step: Callable[[str], None] | None = None, *,
            verdicts_only: bool = False) -> dict[str, pd.DataFrame]:
    """Compute every result table from ``data``; ``step(name)`` is called before each step.

    With ``verdicts_only`` only :data:`VERDICT_TABLES` are computed, and ``reliability``
    without omega (its column is empty) and without ``items.csv``: what the criteria read,
    for the many replications of ``folge simulate``. The tables computed are the same as
    in a full run (same functions, same inputs).

    BLAS runs single-threaded here: the analyses make many small matrix operations (factor
    models of a few items), for which OpenBLAS's threads cost far more than they give
    (measured: 5 ms instead of 0.1 ms per optimiser step on two cores).
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _analyze(data, step or (lambda name: None), verdicts_only)


def _analyze(data: AnalysisInput, step: Callable[[str], None], verdicts_only: bool = False) -> dict[str, pd.DataFrame]:
    tables: dict[str, pd.DataFrame] = {}
    step("scores")
    tables["scores"] = data.scores
    step("reliability")
    reliability, items = reliability_tables(data, full=not verdicts_only)
    tables["reliability"] = reliability
    if not verdicts_only:
        tables["items"] = items
    step("invariance")
    tables["invariance"] = invariance_table(data)
    step("aggregation")
    if not verdicts_only:
        tables["icc"] = icc_table(data)
    tables["agreement"] = agreement_table(data)
    step("change")
    tables["change"] = change_table(data)
    step("trend")
    tables["trend"] = trend_table(data)
    step("weights")
    weights = compute_weights(data)
    data.weighting = weights.manifest
    tables["weights"] = weights.table
    step("levels")
    tables["levels"] = levels_table(data, weights)
    if not verdicts_only:
        step("attrition")
        tables["attrition"] = attrition_table(data)
        step("programme")
        tables["response_rates"] = with_effective_sizes(response_rates_table(data), data, weights)
        tables["panel"] = panel_table(data)
        tables["trust_matrix"] = trust_matrix_table(data)
        tables["learning_chain"] = learning_chain_table(data)
        tables["item_distribution"] = item_distribution_table(data)
    return {name: conform(name, frame) for name, frame in tables.items()}


def _read_store(study: Study):
    from ..store import Store

    with Store.open(study.root) as store:
        responses = {inst_id: store.responses(inst_id) for inst_id in study.instruments}
        snapshot = store.snapshot_hash()
        invitations = store.invitations()
    return responses, snapshot, invitations


def compute_analysis(study_root: str | Path = ".", wave: str | None = None,
                     step: Callable[[str], None] | None = None, *, verdicts_only: bool = False,
                     study: Study | None = None) -> AnalysisResult:
    """Analyse the study at ``study_root`` without writing anything (``paths`` is empty).

    Parameters are those of :func:`run_analysis`, and ``verdicts_only`` (compute only
    :data:`VERDICT_TABLES`, see :func:`analyze`) and ``study`` (the study's definitions when
    the caller has loaded them already; default: loaded from ``study_root``). The
    manifest's ``tables`` names the tables computed; a caller that adds tables (the
    criteria) updates it before writing.
    """
    step = step or (lambda name: None)
    step("read")
    study = study if study is not None else load_study(study_root)
    responses, snapshot, invitations = _read_store(study)
    if all(frame.empty for frame in responses.values()):
        raise AnalysisError("the store holds no responses yet: run 'folge ingest FILE --wave W' first")
    step("scores")  # screening and scoring; analyze() names this step again as it starts
    responses, quality = screen_answers(study, responses)  # flagged answers out only if exclude_flagged
    data = build_input(study, responses, wave, invitations, load_frame(study))
    tables = analyze(data, step, verdicts_only=verdicts_only)
    tables["quality"] = conform("quality", quality)
    manifest = {
        "snapshot": snapshot,
        "toolkit": __version__,
        "instruments": {i.id: i.version for i in study.instruments.values()},
        "waves": data.waves,
        "as_of_wave": wave or (data.waves[-1] if data.waves else None),
        "min_n": study.min_n,
        "weighting": data.weighting,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "tables": sorted(tables),
    }
    return AnalysisResult(tables, manifest, [], data)


def run_analysis(study_root: str | Path = ".", out_dir: str | Path | None = None, wave: str | None = None,
                 step: Callable[[str], None] | None = None) -> AnalysisResult:
    """Analyse the study at ``study_root`` and write the tables to ``out_dir``.

    These are the analysis tables only; ``folge analyze`` also judges the success
    criteria (:func:`folge.pipeline.analyze_study`).

    Parameters
    ----------
    study_root : path
        The study folder.
    out_dir : path, optional
        Where the CSV tables go (default ``results/`` in the study).
    wave : str, optional
        Analyse only the waves up to and including this one (an edition as of that wave).
    step : callable, optional
        Called with each step's name before it runs (progress display).
    """
    step = step or (lambda name: None)
    result = compute_analysis(study_root, wave, step)
    out_dir = Path(out_dir) if out_dir is not None else Path(study_root) / "results"
    step("write")
    result.paths = write_results(result.tables, result.manifest, out_dir)
    return result
