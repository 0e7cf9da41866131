"""The ``invariance-gate`` scenario: its generator, a few replications in workers, the command."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from folge.cli import cli
from folge.simulate import (
    GATE_COLUMNS,
    GATE_SCENARIO,
    GATE_TRUTHS,
    SHIFT,
    draw_gate_study,
    gate_replication,
    gate_summary,
    simulate_gate,
)


def _category_shares(items: pd.DataFrame, wave: pd.Series, item: str, which: str) -> np.ndarray:
    x = items.loc[wave == which, item]
    return np.array([(x <= k).mean() for k in range(1, 5)])


def test_the_generator_plants_the_shift_in_one_item_and_the_last_wave_only():
    items, wave = draw_gate_study(np.random.default_rng(3), 20000, "shift")
    # i3 reads lower in the last wave: its cumulative shares rise there by Φ(τ + shift) − Φ(τ)
    first, last = _category_shares(items, wave, "i3", "w1"), _category_shares(items, wave, "i3", "w4")
    from scipy.stats import norm

    cuts = np.array([-1.5, -0.5, 0.4, 1.3])
    # the latent mean is 0 in w1 and 0.45 in w4 (sd of y* = 1): P(x ≤ k) = Φ(τ_k − .75·μ)
    expected_first = norm.cdf(cuts)
    expected_last = norm.cdf(cuts + SHIFT - 0.75 * 0.45)
    assert np.abs(first - expected_first).max() < 0.015
    assert np.abs(last - expected_last).max() < 0.015
    # an unshifted item in the last wave follows the mean alone
    other = _category_shares(items, wave, "i2", "w4")
    assert np.abs(other - norm.cdf(cuts - 0.70 * 0.45)).max() < 0.015


def test_the_variance_truth_grows_the_latent_variance_and_keeps_the_items():
    items, wave = draw_gate_study(np.random.default_rng(5), 20000, "variance")
    sd_first = items.loc[wave == "w1"].sum(axis=1).std()
    sd_last = items.loc[wave == "w4"].sum(axis=1).std()
    assert sd_last > 1.15 * sd_first
    with pytest.raises(ValueError, match="'truth'"):
        draw_gate_study(np.random.default_rng(1), 50, "nope")


def test_a_replication_is_decided_by_the_gate_as_verdicts_apply_it():
    row = gate_replication("shift", 300, seed=11)
    # at 300 a wave the planted shift is found, and partial invariance frees the planted item
    assert row["gate_test_fails"] and row["planted_freed"] and not row["gate_closes"]
    assert not row["unfit"]
    again = gate_replication("shift", 300, seed=11)
    assert {k: v for k, v in again.items() if k != "seconds"} == {k: v for k, v in row.items() if k != "seconds"}


def test_replications_in_workers_are_those_of_one_process_and_are_tallied():
    run = simulate_gate(sizes=(60,), replications=2, seed=4, jobs=2)
    alone = simulate_gate(sizes=(60,), replications=2, seed=4, jobs=1)
    keep = [c for c in run.replications.columns if c != "seconds"]
    pd.testing.assert_frame_equal(run.replications[keep], alone.replications[keep])
    assert run.replications["truth"].tolist() == [t for t in GATE_TRUTHS for _ in range(2)]
    summary = run.summary
    assert summary[["truth", "n", "replications"]].values.tolist() == [[t, 60, 2] for t in GATE_TRUTHS]
    for column in GATE_COLUMNS[3:-1]:
        by_truth = run.replications.groupby("truth", sort=False)[column].mean()
        assert summary.set_index("truth")[column].to_dict() == pytest.approx(by_truth.to_dict())


def test_the_summary_gives_shares_with_monte_carlo_errors():
    reps = pd.DataFrame({"truth": ["invariant"] * 4, "n": [100] * 4, "metric_closes": [True, False, False, False],
                         "scalar_closes": [False] * 4, "gate_test_fails": [False] * 4, "gate_closes": [False] * 4,
                         "planted_freed": [False] * 4, "unfit": [False] * 4, "seconds": [1.0, 2.0, 3.0, 9.0]})
    row = gate_summary(reps).iloc[0]
    assert row["metric_closes"] == 0.25
    assert row["metric_closes_se"] == pytest.approx(np.sqrt(0.25 * 0.75 / 4))
    assert row["seconds"] == 2.5  # the median


def test_the_command_runs_the_gate_scenario_and_writes_its_table(tmp_path):
    runner = CliRunner()
    listed = runner.invoke(cli, ["simulate", "--list"])
    assert listed.exit_code == 0 and GATE_SCENARIO in listed.output
    result = runner.invoke(cli, ["simulate", "--scenario", GATE_SCENARIO, "--replications", "1",
                                 "--gate-n", "50", "--jobs", "1", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(tmp_path / "gate.csv")
    assert summary["truth"].tolist() == list(GATE_TRUTHS) and (summary["n"] == 50).all()
    document = json.loads((tmp_path / "gate.json").read_text(encoding="utf-8"))
    assert document["settings"]["sizes"] == [50] and document["settings"]["shift"] == SHIFT
    bad = runner.invoke(cli, ["simulate", "--scenario", GATE_SCENARIO, "--gate-n", "5"])
    assert bad.exit_code == 2 and "--gate-n" in bad.output
