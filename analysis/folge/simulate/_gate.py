r"""The ``invariance-gate`` scenario of ``folge simulate``: how often the ordinal gate errs.

Unlike the other scenarios this one does not run the whole pipeline: it draws the answers
of one construct over the waves from its own generator (separate from the demo's and from
the calibration studies'), computes the ordinal invariance rows exactly as ``folge
analyze`` does (:func:`folge.statistics.ordinal_invariance`, ``max_freed`` = 1) and asks
the gate exactly as the verdicts do (:func:`folge.criteria.invariance_gate`).

The model
---------
One construct of five 5-point items over *T* = 4 waves, *n* answers per wave (independent
people). For person *p* in wave *t*::

    η ~ N(0.15·t, ψ_t)          ψ_t = 1, or 1 + 0.3·t under ``variance``
    y*_i = λ_i·η + √(1 − λ_i²)·e_i,   λ = (.80, .70, .75, .65, .70),  e_i ~ N(0, 1)
    x_i  = 1 + #{k : y*_i > τ_ik},     τ_i = (−1.5, −0.5, 0.4, 1.3)

Truths (:data:`GATE_TRUTHS`):

``invariant``
    loadings and thresholds the same in every wave; only the latent mean moves. The
    metric, scalar and gate models are all true: every closure is wrong.
``variance``
    the same items, but the latent variance grows over the waves (1 → 1.9), as when some
    regions improve and others do not. Loadings and thresholds are invariant, so the
    scalar model and the gate are true; lavaan's metric model in the delta
    parameterisation is not (it fixes each wave's latent response variances at 1 while
    the thresholds are free, Wu & Estabrook 2016), so its closures are expected here and
    are not errors of the gate.
``shift``
    item ``i3``'s thresholds lie :data:`SHIFT` higher in the last wave (its answers read
    lower there for the same view: a real change of measurement). The gate must see it:
    *caught* is the share of replications whose scalar-vs-configural test fails; the gate
    then stays open only on a partial model that frees an item (*planted item freed*: the
    item freed is ``i3``).

References
----------
Wu, H. & Estabrook, R. (2016). Identification of confirmatory factor analysis models of
different levels of invariance for ordered categorical outcomes. Psychometrika, 81,
1014–1045.
"""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..criteria import invariance_gate
from ..statistics import GATE_MODEL, PARTIAL_MODEL, ordinal_invariance
from ._parallel import run_tasks

__all__ = ["GATE_COLUMNS", "GATE_DESCRIPTION", "GATE_SCENARIO", "GATE_SIZES", "GATE_TRUTHS", "SHIFT", "GateRun",
           "draw_gate_study", "gate_replication", "gate_summary", "simulate_gate"]

#: The name ``folge simulate --scenario`` takes.
GATE_SCENARIO = "invariance-gate"
#: What the scenario plants (for ``folge simulate --list``).
GATE_DESCRIPTION = ("The ordinal invariance gate alone: one construct of five 5-point items over 4 waves, "
                    "invariant items (and a growing latent variance), or one item's thresholds shifted by "
                    "0.6 SD in the last wave; how often each step (metric, scalar) and the gate close "
                    "wrongly, and how often the gate catches the shift.")
#: Answers per wave simulated by default.
GATE_SIZES = (40, 100, 200, 300)
#: What each truth plants (see the module docstring).
GATE_TRUTHS = ("invariant", "variance", "shift")
#: Shift of the planted item's thresholds in the last wave (latent SD units).
SHIFT = 0.6
LOADINGS = np.array([0.80, 0.70, 0.75, 0.65, 0.70])
CUTS = np.array([-1.5, -0.5, 0.4, 1.3])
WAVES = 4
PLANTED = "i3"
_CONSTRUCT = "gate"
#: Columns of :func:`gate_summary`, in order.
GATE_COLUMNS = ("truth", "n", "replications", "metric_closes", "scalar_closes", "gate_test_fails",
                "gate_closes", "planted_freed", "unfit", "seconds")


def draw_gate_study(rng: np.random.Generator, n: int, truth: str) -> tuple[pd.DataFrame, pd.Series]:
    """One construct's answers over the waves: ``n`` per wave, under ``truth``.

    Returns the items (columns ``i1`` … ``i5``, values 1–5) and the wave of each row.

    >>> items, wave = draw_gate_study(np.random.default_rng(1), 50, "shift")
    >>> items.shape, sorted(wave.unique()), int(items.min().min()) >= 1, int(items.max().max()) <= 5
    ((200, 5), ['w1', 'w2', 'w3', 'w4'], True, True)
    """
    if truth not in GATE_TRUTHS:
        raise ValueError(f"'truth' must be one of {', '.join(GATE_TRUTHS)} (got {truth!r})")
    if n < 2:
        raise ValueError(f"'n' must be at least 2 answers per wave (got {n!r})")
    p = LOADINGS.size
    frames, waves = [], []
    for t in range(WAVES):
        sd = np.sqrt(1.0 + 0.3 * t) if truth == "variance" else 1.0
        eta = rng.normal(0.15 * t, sd, size=n)
        ystar = eta[:, None] * LOADINGS + rng.normal(size=(n, p)) * np.sqrt(1.0 - LOADINGS**2)
        cuts = np.tile(CUTS, (p, 1))
        if truth == "shift" and t == WAVES - 1:
            cuts[int(PLANTED[1:]) - 1] += SHIFT
        answers = np.column_stack([np.searchsorted(cuts[j], ystar[:, j]) + 1 for j in range(p)])
        frames.append(pd.DataFrame(answers, columns=[f"i{j + 1}" for j in range(p)]).astype(float))
        waves += [f"w{t + 1}"] * n
    return pd.concat(frames, ignore_index=True), pd.Series(waves)


def _false(value) -> bool:
    return value is not None and not pd.isna(value) and not bool(value)


def _true(value) -> bool:
    return value is not None and not pd.isna(value) and bool(value)


def gate_replication(truth: str, n: int, seed: int, index: int = 0) -> dict:
    """Draw one study and record what each step and the gate decide.

    Returns a dict: ``truth``, ``n``, ``replication``, ``seed``; ``metric_closes``,
    ``scalar_closes`` (lavaan's steps, each against the previous model, ``holds`` False);
    ``gate_test_fails`` (the ``scalar-vs-configural`` row does not hold); ``gate_closes``
    (:func:`folge.criteria.invariance_gate` closes, as for a verdict: after partial
    invariance); ``planted_freed`` (the partial model freed the planted item and holds);
    ``unfit`` (a step's ``holds`` is empty); ``seconds``.
    """
    started = time.perf_counter()
    items, wave = draw_gate_study(np.random.default_rng(seed), n, truth)
    rows = ordinal_invariance(items, wave, max_freed=1)
    holds = dict(zip(rows["model"].astype(str), rows["holds"]))
    table = rows.assign(construct=_CONSTRUCT, estimator="WLSMV")
    partial = rows[rows["model"].astype(str) == PARTIAL_MODEL]
    freed = str(partial["note"].iloc[0]) if not partial.empty else ""
    steps = ("metric", "scalar", GATE_MODEL)
    return {
        "truth": truth, "n": int(n), "replication": int(index), "seed": int(seed),
        "metric_closes": _false(holds.get("metric")),
        "scalar_closes": _false(holds.get("scalar")),
        "gate_test_fails": _false(holds.get(GATE_MODEL)),
        "gate_closes": invariance_gate(table, _CONSTRUCT, _CONSTRUCT, "WLSMV") is not None,
        "planted_freed": f"of {PLANTED} free across groups" in freed and _true(holds.get(PARTIAL_MODEL)),
        "unfit": any(pd.isna(holds.get(step)) for step in steps),
        "seconds": time.perf_counter() - started,
    }


def _seed(seed: int, truth: str, n: int, index: int) -> int:
    """The seed of one replication: from the run's seed, the truth, n and the number only."""
    sequence = np.random.SeedSequence(seed, spawn_key=(zlib.crc32(f"{GATE_SCENARIO}/{truth}".encode()), n, index))
    return int(sequence.generate_state(2, dtype=np.uint64)[0] >> np.uint64(1))


def _run_one(args) -> dict:
    return gate_replication(*args)


def gate_summary(replications: pd.DataFrame) -> pd.DataFrame:
    """Shares per truth × n (columns :data:`GATE_COLUMNS`; ``seconds`` is the median per
    replication), each share with its Monte Carlo SE in a ``_se`` column after it:
    SE = √(p(1 − p)/R) over the R replications."""
    shares = [c for c in GATE_COLUMNS[3:-1]]
    out = []
    for (truth, n), group in replications.groupby(["truth", "n"], sort=False):
        r = len(group)
        row = {"truth": truth, "n": int(n), "replications": r}
        for column in shares:
            share = float(group[column].mean())
            row[column] = share
            row[f"{column}_se"] = float(np.sqrt(share * (1.0 - share) / r))
        row["seconds"] = float(group["seconds"].median())
        out.append(row)
    columns = ["truth", "n", "replications"] + [c for s in shares for c in (s, f"{s}_se")] + ["seconds"]
    return pd.DataFrame(out, columns=columns)


@dataclass(frozen=True)
class GateRun:
    """Every replication of the gate scenario, the summary over them, wall time and processes."""

    summary: pd.DataFrame
    replications: pd.DataFrame
    seconds: float
    jobs: int


def simulate_gate(sizes: Sequence[int] = GATE_SIZES, replications: int = 200, seed: int = 1,
                  jobs: int | None = None, truths: Sequence[str] = GATE_TRUTHS,
                  progress: Callable[[dict], None] | None = None) -> GateRun:
    """Run ``replications`` replications of every truth at every size, in parallel.

    Parameters
    ----------
    sizes : sequence of int
        Answers per wave.
    replications : int
        Replications per truth × size.
    seed : int
        The run's seed; each replication's seed depends only on it, the truth, the size
        and the replication's number (not on ``jobs`` or the order they finish in).
    jobs : int, optional
        Worker processes (default: the machine's cores); 1 runs in this process.
    truths : sequence of str
        Which of :data:`GATE_TRUTHS` to run.
    progress : callable, optional
        Called with each finished replication's dict.

    Returns
    -------
    GateRun
        ``summary`` (:func:`gate_summary`) and every replication's row, sorted by truth,
        size and number.
    """
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise ValueError(f"'replications' must be a whole number ≥ 1 (got {replications!r})")
    unknown = [t for t in truths if t not in GATE_TRUTHS]
    if unknown:
        raise ValueError(f"'truths' must be among {', '.join(GATE_TRUTHS)} (got {unknown!r})")
    jobs = jobs or os.cpu_count() or 1
    tasks = [(truth, int(n), _seed(seed, truth, int(n), i), i)
             for truth in truths for n in sizes for i in range(replications)]
    started = time.perf_counter()
    done: list[dict] = run_tasks(_run_one, tasks, jobs, progress)
    order = {t: k for k, t in enumerate(truths)}
    frame = pd.DataFrame(done)
    frame = frame.sort_values(["truth", "n", "replication"], key=lambda s: s.map(order) if s.name == "truth" else s,
                              kind="stable", ignore_index=True)
    return GateRun(gate_summary(frame), frame, time.perf_counter() - started, jobs)
