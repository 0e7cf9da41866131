"""The constructs' mixed-model jobs: started before the caller's own work, collected in job order."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from folge.analysis import _mixed_tables
from folge.analysis._mixed_tables import _constructs_started, _map_constructs


def _describe(construct, level, frame, scale):
    """A job that says which process ran it."""
    return construct, level, sum(frame) * scale, os.getpid()


JOBS = [(f"c{i}", "respondent", list(range(i)), (10,)) for i in range(6)]
#: Whether this machine can run the jobs in forked workers at all.
FORKS = "fork" in multiprocessing.get_all_start_methods() and len(os.sched_getaffinity(0)) >= 2


@pytest.mark.parametrize("parallel", [False, True])
def test_results_come_back_in_job_order_either_way(parallel):
    with _constructs_started(_describe, JOBS, parallel) as results:
        here = os.getpid()  # the caller's own work runs inside the block
        got = results()
    assert [row[:3] for row in got] == [(f"c{i}", "respondent", sum(range(i)) * 10) for i in range(6)]
    assert all((pid != here) == (parallel and FORKS) for *_, pid in got)
    assert _mixed_tables._JOBS == []
    assert [row[:3] for row in _map_constructs(_describe, JOBS, parallel)] == [row[:3] for row in got]


def test_serial_jobs_run_only_when_their_results_are_asked_for():
    ran = []
    with _constructs_started(lambda *job: ran.append(job[0]), JOBS, False) as results:
        assert ran == []
    assert ran == []
    with _constructs_started(lambda *job: ran.append(job[0]), JOBS, False) as results:
        results()
    assert ran == [f"c{i}" for i in range(6)]


def test_an_error_in_the_callers_block_stops_the_workers_and_clears_the_jobs():
    with pytest.raises(RuntimeError, match="descriptive"):
        with _constructs_started(_describe, JOBS, True):
            assert len(_mixed_tables._JOBS) == (len(JOBS) if FORKS else 0)
            raise RuntimeError("descriptive rows failed")
    assert _mixed_tables._JOBS == []
