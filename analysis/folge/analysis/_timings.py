"""Wall and CPU time per step of ``folge analyze`` (``--timings``).

A :class:`StepTimer` is a ``step`` callback (the one :func:`folge.analysis.analyze` and
:func:`folge.pipeline.analyze_study` call before each step): each call closes the running
step and opens the next. CPU time is this process's user + system time plus that of its
child processes that have finished (:func:`os.times`), so the forked workers that fit the
mixed models in parallel count towards the step that ran them: a step's CPU time can exceed
its wall time.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Callable

__all__ = ["StepTime", "StepTimer"]


@dataclass(frozen=True)
class StepTime:
    """One step's times in seconds: ``wall``, and CPU of this process (``cpu``) and of its
    finished child processes (``cpu_workers``)."""

    name: str
    wall: float
    cpu: float
    cpu_workers: float

    @property
    def cpu_total(self) -> float:
        """CPU time of the process and its workers together."""
        return self.cpu + self.cpu_workers


def _clock() -> tuple[float, float, float]:
    t = os.times()
    return time.perf_counter(), t.user + t.system, t.children_user + t.children_system


class StepTimer:
    """Times the steps of an analysis; call it with each step's name before the step runs.

    Parameters
    ----------
    forward : callable, optional
        Also called with each new step's name (e.g. a progress display).

    Notes
    -----
    A name given again while its step runs continues that step (``folge analyze`` names
    ``scores`` both before scoring and when the tables start). :meth:`stop` closes the
    last step; :attr:`steps` lists the closed steps in order.

    Examples
    --------
    >>> timer = StepTimer()
    >>> timer("read"); timer("scores"); timer("scores"); timer.stop()
    >>> [s.name for s in timer.steps]
    ['read', 'scores']
    >>> all(s.wall >= 0 and s.cpu >= 0 for s in timer.steps)
    True
    """

    def __init__(self, forward: Callable[[str], None] | None = None):
        self._forward = forward
        self._current: str | None = None
        self._start = (0.0, 0.0, 0.0)
        self.steps: list[StepTime] = []

    def __call__(self, name: str) -> None:
        if name == self._current:
            return
        self.stop()
        self._current, self._start = name, _clock()
        if self._forward is not None:
            self._forward(name)

    def stop(self) -> None:
        """Close the running step (if any)."""
        if self._current is None:
            return
        wall, cpu, workers = _clock()
        self.steps.append(StepTime(self._current, wall - self._start[0], cpu - self._start[1],
                                   workers - self._start[2]))
        self._current = None

    def total(self, names: tuple[str, ...] | None = None) -> StepTime:
        """The sum over the closed steps (those in ``names`` if given)."""
        chosen = [s for s in self.steps if names is None or s.name in names]
        return StepTime("+".join(names) if names else "total", sum(s.wall for s in chosen),
                        sum(s.cpu for s in chosen), sum(s.cpu_workers for s in chosen))
