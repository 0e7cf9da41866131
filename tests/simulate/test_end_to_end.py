"""Two replications of one scenario through the real pipeline, in worker processes (≤ 30 s)."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from folge.cli import cli
from folge.simulate import SCENARIOS, SimulationDesign, run_replication, simulate, write_run

SMALL = SimulationDesign(regions=6, waves=3, respondents=(12, 18))
VERDICTS = {"met", "not-met", "inconclusive", "insufficient-data"}


def test_two_replications_run_the_pipeline_and_are_judged_against_the_truth(tmp_path):
    run = simulate(["null"], SMALL, replications=2, seed=7, jobs=2)
    assert run.failed == ()
    assert [r.index for r in run.replications] == [0, 1]
    verdicts = run.verdicts
    assert set(verdicts["verdict"]) <= VERDICTS
    # every wave's level rule in every scope, for both constructs, in each replication
    level = verdicts[verdicts["kind"] == "level"]
    assert level.groupby("replication").size().tolist() == [2 * 3 * 7] * 2
    assert set(verdicts["kind"]) == {"level", "change", "trend"}
    assert not verdicts["planted"].any()  # the null scenario plants nothing
    # the national level truth is the bar itself: at the bar, never above
    national_level = level[(level["scope"] == "national") & (level["wave"] == "w1")]
    assert not national_level["above"].any()
    assert (national_level["truth"] - national_level["bar"]).abs().max() < 1e-6
    summary = run.summary
    assert set(zip(summary["kind"], summary["scope"])) == {
        (k, s) for k in ("level", "change", "trend") for s in ("national", "regional")}
    assert summary["power"].isna().all()
    # the same seed gives the same study and verdicts in this process as in a worker
    again = run_replication("null", SMALL, run.replications[1].seed, 1)
    pd.testing.assert_frame_equal(again.verdicts.reset_index(drop=True),
                                  verdicts[verdicts["replication"] == 1].reset_index(drop=True))
    paths = write_run(run, tmp_path, {"scenarios": ["null"]})
    document = json.loads(paths[1].read_text(encoding="utf-8"))
    assert document["replications"] == 2 and document["failed"] == []
    assert len(document["summary"]) == 6
    assert pd.read_csv(paths[2]).shape[0] == len(verdicts)


def test_the_command_lists_scenarios_and_rejects_unknown_ones():
    runner = CliRunner()
    listed = runner.invoke(cli, ["simulate", "--list"])
    assert listed.exit_code == 0
    for name in SCENARIOS:
        assert name in listed.output
    wrong = runner.invoke(cli, ["simulate", "--scenario", "nope", "--replications", "1"])
    assert wrong.exit_code == 2 and "unknown scenario" in wrong.output
    bad = runner.invoke(cli, ["simulate", "--respondents", "30-10"])
    assert bad.exit_code == 2


def test_verdicts_only_computes_what_the_criteria_read_writes_nothing_and_judges_alike(tmp_path):
    import numpy as np

    from folge.analysis import VERDICT_TABLES
    from folge.definitions import load_study
    from folge.ingest import ingest_file
    from folge.pipeline import analyze_study
    from folge.simulate import draw_study, population_truth, scenario, write_study
    from folge.simulate._run import _level_bars
    from folge.simulate._study import INSTRUMENT, response_file

    study = draw_study(scenario("null"), SMALL, np.random.default_rng(11))
    root = write_study(study, tmp_path / "s", _level_bars(population_truth(study)))
    loaded = load_study(root)
    for wave in study.waves:
        ingest_file(loaded, response_file(root, wave), wave, INSTRUMENT)
    quick = analyze_study(root, tmp_path / "quick", verdicts_only=True, study=loaded)
    assert quick.paths == [] and not (tmp_path / "quick").exists() and not (root / "results").exists()
    assert set(VERDICT_TABLES) <= set(quick.tables) and {"criteria", "rules"} <= set(quick.tables)
    assert not {"items", "icc", "attrition", "response_rates", "panel"} & set(quick.tables)
    full = analyze_study(root, tmp_path / "full")
    assert (tmp_path / "full" / "rules.csv").exists()
    pd.testing.assert_frame_equal(quick.tables["rules"], full.tables["rules"])
    pd.testing.assert_frame_equal(quick.tables["criteria"], full.tables["criteria"])
    assert quick.tables["reliability"]["omega"].isna().all()
    pd.testing.assert_series_equal(quick.tables["reliability"]["alpha"], full.tables["reliability"]["alpha"])
