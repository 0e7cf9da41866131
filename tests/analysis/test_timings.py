"""``folge analyze --timings``: wall and CPU time per step, workers' CPU included."""

from __future__ import annotations

import multiprocessing
import re
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from folge.analysis import STEPS, StepTimer
from folge.cli import cli

sys.path.insert(0, str(Path(__file__).parents[1]))  # the shared tests/_weights_study.py

from _weights_study import make_study  # noqa: E402


def _spin(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_a_name_given_again_continues_its_step():
    timer = StepTimer()
    timer("a")
    _spin(0.15)
    timer("a")
    _spin(0.15)
    timer("b")
    timer.stop()
    assert [s.name for s in timer.steps] == ["a", "b"]
    # os.times counts in clock ticks (10 ms here), so the bound leaves a few ticks of slack
    assert timer.steps[0].cpu >= 0.25
    assert timer.steps[0].wall >= timer.steps[0].cpu * 0.9


def test_forward_sees_each_step_once():
    seen = []
    timer = StepTimer(seen.append)
    for name in ("read", "scores", "scores", "write"):
        timer(name)
    timer.stop()
    assert seen == ["read", "scores", "write"]


def test_a_finished_workers_cpu_counts_towards_its_step():
    timer = StepTimer()
    timer("here")
    _spin(0.05)
    timer("workers")
    process = multiprocessing.get_context("fork").Process(target=_spin, args=(0.3,))
    process.start()
    process.join()
    timer.stop()
    here, workers = timer.steps
    assert workers.cpu_workers >= 0.25
    assert here.cpu_workers < 0.05
    assert workers.cpu_total == pytest.approx(workers.cpu + workers.cpu_workers)
    total = timer.total()
    assert total.wall == pytest.approx(here.wall + workers.wall)
    assert timer.total(("workers",)).cpu_workers == workers.cpu_workers


def test_read_and_write_are_steps_of_an_analysis():
    names = [name for name, _ in STEPS]
    assert names[0] == "read" and names[-1] == "write"
    assert {"weights", "levels"} <= set(names)


def test_analyze_timings_prints_every_step_and_the_weighting_share(tmp_path):
    root = make_study(tmp_path)
    result = CliRunner().invoke(cli, ["analyze", "--study", str(root), "--out", str(tmp_path / "out"), "--timings"],
                                terminal_width=200)
    assert result.exit_code == 0, result.output
    rows = {}
    for line in result.output.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃|]", line) if c.strip()]
        if len(cells) == 5 and re.fullmatch(r"[\d.]+", cells[1]):
            rows[cells[0]] = [float(c) for c in cells[1:]]
    expected = [name for name, _ in STEPS]
    assert [name for name in rows if name != "sum / total"] == expected
    total = rows["sum / total"]
    assert total[0] == pytest.approx(sum(rows[name][0] for name in expected), abs=0.01 * len(expected))
    share = re.search(r"weights \+ levels: ([\d.]+) s, ([\d.]+)%", result.output)
    assert share is not None
    assert float(share.group(1)) == pytest.approx(rows["weights"][0] + rows["levels"][0], abs=0.011)
    assert (tmp_path / "out" / "levels.csv").exists()


def test_analyze_without_timings_prints_no_table(tmp_path):
    root = make_study(tmp_path)
    result = CliRunner().invoke(cli, ["analyze", "--study", str(root), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Tid per steg" not in result.output
