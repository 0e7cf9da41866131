"""Run replications: one study drawn, written, ingested, analysed and judged; many in parallel.

Each replication gets its own seed, ``SeedSequence(seed, spawn_key=(crc32(scenario),
replication))``, so its study depends only on the seed, the scenario's name and its
number: not on ``--jobs``, on the other scenarios chosen, or on the order replications
finish in.
"""

from __future__ import annotations

import os
import tempfile
import time
import traceback
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..definitions import load_study
from ..ingest import ingest_file
from ..pipeline import analyze_study
from ._design import SimulationDesign
from ._generate import draw_study
from ._judge import judge_rules, rules_from_criteria
from ._parallel import run_tasks
from ._scenarios import Scenario, scenario as scenario_named
from ._study import INSTRUMENT, response_file, write_study
from ._tally import tally
from ._truth import NATIONAL, population_truth

__all__ = ["Replication", "SimulationRun", "replication_seed", "run_replication", "simulate"]


@dataclass(frozen=True)
class Replication:
    """One replication's judged verdicts, how long it took, and its error if it failed."""

    scenario: str
    index: int
    seed: int
    verdicts: pd.DataFrame
    seconds: float
    source: str = "rules"
    error: str | None = None


@dataclass(frozen=True)
class SimulationRun:
    """Every replication of a ``folge simulate`` run and the calibration table over them."""

    summary: pd.DataFrame
    verdicts: pd.DataFrame
    replications: tuple[Replication, ...]
    seconds: float
    jobs: int

    @property
    def failed(self) -> tuple[Replication, ...]:
        return tuple(r for r in self.replications if r.error is not None)


def replication_seed(seed: int, scenario: str, index: int) -> int:
    """The seed of replication ``index`` of ``scenario`` in a run seeded with ``seed``.

    Examples
    --------
    >>> replication_seed(1, "null", 0) == replication_seed(1, "null", 0)
    True
    >>> replication_seed(1, "null", 0) != replication_seed(1, "null", 1)
    True
    """
    sequence = np.random.SeedSequence(seed, spawn_key=(zlib.crc32(scenario.encode("utf-8")), index))
    return int(sequence.generate_state(2, dtype=np.uint64)[0] >> np.uint64(1))


def _level_bars(truth: pd.DataFrame) -> dict[str, float]:
    """Each construct's level bar: its national population mean at the first wave, to 6 decimals."""
    first = truth[truth["region"] == NATIONAL].groupby("construct", sort=False)["level"].first()
    return {c: round(float(v), 6) for c, v in first.items()}


def _pipeline_rules(root: Path, study) -> tuple[pd.DataFrame, str]:
    """Ingest the answers and run ``folge analyze`` in its verdicts-only mode (the tables the
    criteria read, nothing written), with the study's definitions loaded once."""
    loaded = load_study(root)
    for wave in study.waves:
        ingest_file(loaded, response_file(root, wave), wave, INSTRUMENT)
    tables = analyze_study(root, verdicts_only=True, study=loaded).tables
    if "rules" in tables:
        return tables["rules"], "rules"
    return rules_from_criteria(tables["criteria"]), "criteria"


def run_replication(scenario: Scenario | str, design: SimulationDesign, seed: int, index: int = 0,
                    workdir: str | Path | None = None) -> Replication:
    """Draw one study, run the real pipeline over it, and judge its verdicts against the truth.

    Parameters
    ----------
    scenario : Scenario or str
        What to plant.
    design : SimulationDesign
        Sizes.
    seed : int
        The replication's seed (:func:`replication_seed`).
    index : int
        The replication's number (recorded).
    workdir : path, optional
        Where the study folder is made (a temporary folder, removed afterwards).

    Returns
    -------
    Replication
        The judged verdicts (:func:`folge.simulate.judge_rules`; from ``rules.csv``, or from
        ``criteria.csv`` where the pipeline writes no rule table: ``source`` says which).
        An exception inside the pipeline is caught and kept in ``error`` (with its
        traceback) so one failure does not lose a long run.
    """
    scenario = scenario_named(scenario) if isinstance(scenario, str) else scenario
    started = time.perf_counter()
    try:
        study = draw_study(scenario, design, np.random.default_rng(seed))
        truth = population_truth(study)
        bars = _level_bars(truth)
        with tempfile.TemporaryDirectory(prefix="folge-simulate-", dir=workdir) as tmp:
            root = write_study(study, Path(tmp) / "study", bars)
            rules, source = _pipeline_rules(root, study)
        verdicts = judge_rules(rules, truth, bars, scenario.planted)
    except Exception:  # noqa: BLE001 -- reported per replication, never silently dropped
        return Replication(scenario.name, index, seed, pd.DataFrame(), time.perf_counter() - started,
                           error=traceback.format_exc())
    verdicts.insert(0, "replication", index)
    verdicts.insert(0, "scenario", scenario.name)
    return Replication(scenario.name, index, seed, verdicts, time.perf_counter() - started, source)


def _run_one(args) -> Replication:
    name, design, seed, index = args
    return run_replication(name, design, seed, index)


def simulate(scenarios: Sequence[str], design: SimulationDesign | None = None, replications: int = 200,
             seed: int = 1, jobs: int | None = None,
             progress: Callable[[Replication], None] | None = None) -> SimulationRun:
    """Run ``replications`` replications of every scenario and tally the verdicts against the truth.

    Parameters
    ----------
    scenarios : sequence of str
        Scenario names (:data:`folge.simulate.SCENARIOS`).
    design : SimulationDesign, optional
        Sizes (default ``SimulationDesign()``).
    replications : int
        Replications per scenario (≥ 1).
    seed : int
        The run's seed; the same seed gives the same studies (see the module docstring).
    jobs : int, optional
        Worker processes (default: the machine's cores); 1 runs in this process.
    progress : callable, optional
        Called with each finished :class:`Replication`, in the order they finish.

    Returns
    -------
    SimulationRun
        The summary (:func:`folge.simulate.tally`, sorted by scenario order, kind and
        scope), every judged verdict (sorted by scenario and replication), the replications
        and the wall time.
    """
    design = design or SimulationDesign()
    if not isinstance(replications, int) or replications < 1:
        raise ValueError(f"'replications' must be a whole number ≥ 1 (got {replications!r})")
    names = [scenario_named(name).name for name in scenarios]
    jobs = jobs or os.cpu_count() or 1
    # interleaved (replication 0 of every scenario, then 1, ...) so that a run cut short
    # still covers every scenario; each replication's seed does not depend on the order
    tasks = [(name, design, replication_seed(seed, name, i), i) for i in range(replications) for name in names]
    started = time.perf_counter()
    done: list[Replication] = run_tasks(_run_one, tasks, jobs, progress)
    order = {name: k for k, name in enumerate(names)}
    done.sort(key=lambda r: (order[r.scenario], r.index))
    frames = [r.verdicts for r in done if r.error is None and not r.verdicts.empty]
    verdicts = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    summary = tally(verdicts) if not verdicts.empty else pd.DataFrame()
    return SimulationRun(summary, verdicts, tuple(done), time.perf_counter() - started, jobs)
