"""Replications over worker processes, in the order they finish (``analysis/ARCHITECTURE.md``, simulate).

Both harnesses (the verdicts' calibration and the invariance gate) hand their tasks here,
so a run with one job and a run over processes produce the same rows; only their order
differs, and each caller sorts them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TypeVar

__all__ = ["run_tasks"]

Task = TypeVar("Task")
Result = TypeVar("Result")


def run_tasks(run_one: Callable[[Task], Result], tasks: Iterable[Task], jobs: int,
              progress: Callable[[Result], None] | None = None) -> list[Result]:
    """``run_one(task)`` for every task, here (``jobs`` = 1) or over ``jobs`` processes.

    Parameters
    ----------
    run_one
        A module-level function (the worker processes import it by name).
    tasks
        The tasks; each carries its own seed, so results do not depend on ``jobs``.
    jobs
        Worker processes; 1 runs every task in this process, in order.
    progress
        Called with each result as it arrives (a progress bar's update).

    Returns
    -------
    list
        The results, in the order they finished.
    """
    say = progress or (lambda result: None)
    done: list[Result] = []
    if jobs == 1:
        for task in tasks:
            done.append(run_one(task))
            say(done[-1])
        return done
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for future in as_completed([pool.submit(run_one, task) for task in tasks]):
            done.append(future.result())
            say(done[-1])
    return done
