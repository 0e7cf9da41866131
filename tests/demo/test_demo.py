"""The synthetic demo study: deterministic, and its planted effects visible in the raw data.

Every check reads the response files as a researcher would (``csv`` and pandas), scores
them by hand (missing codes and blanks out, reverse keys applied), and compares with
``truth.json``. The generated study is the default one (8 regions, 4 waves, 40
respondents, seed 2014) built from the shipped instruments and roles.
"""

from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

sys.path.insert(0, str(Path(__file__).parent))
from _demo_raw import (
    all_waves,
    cronbach_alpha,
    keyed_items,
    read_responses,
    scores,
    truth,
)
from folge.definitions import check_definitions, load_instruments, load_study
from folge.demo import (
    ID_COLUMNS,
    STAGES,
    DemoDesign,
    StageFailed,
    _run,
    build_demo,
    run_pipeline,
)

SHIPPED = load_instruments(Path(__file__).resolve().parents[2])


@pytest.fixture(scope="module")
def demo(demo_files) -> Path:
    """The default demo as built (the session's shared copy: read-only)."""
    return demo_files


@pytest.fixture(scope="module")
def study(demo):
    return load_study(demo)


@pytest.fixture(scope="module")
def planted(demo) -> dict:
    return truth(demo)


def _files(root: Path) -> dict[str, bytes]:
    """Every file of a demo folder but the (random) pseudonym key."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and ".folge" not in p.parts}


def _change(demo, study, planted, construct_id):
    """Per region: (first-wave scores, last-wave scores) of the construct, small region left out."""
    info = planted["constructs"][construct_id]
    frame = all_waves(demo, study, info["instrument"])
    frame["score"] = scores(frame, study.constructs[construct_id])
    waves = [w for w in planted["waves"] if (frame["wave"] == w).any()]
    out = {}
    for region in info["slopes"]:
        if region == planted["small_region"]:
            continue
        first = frame[(frame.region == region) & (frame.wave == waves[0])]["score"].dropna()
        last = frame[(frame.region == region) & (frame.wave == waves[-1])]["score"].dropna()
        out[region] = (first, last)
    return out


# ---------------------------------------------------------------- determinism
def test_same_seed_gives_byte_identical_files(demo, tmp_path):
    again = _files(build_demo(tmp_path / "again", DemoDesign()))
    first = _files(demo)
    assert sorted(again) == sorted(first)
    assert any(name.startswith("responses/") for name in first)
    for name, content in first.items():
        assert again[name] == content, name


def test_another_seed_gives_other_answers(demo, tmp_path):
    other = build_demo(tmp_path / "other", DemoDesign(seed=7))
    name = "responses/2015-1/participant-survey.csv"
    assert (other / name).read_bytes() != (demo / name).read_bytes()


# ---------------------------------------------------------------- the study itself
def test_generated_study_passes_the_definition_checks(demo):
    errors = [p.format() for p in check_definitions(demo) if p.is_error]
    assert errors == []


def test_keeps_every_shipped_instrument_and_role(demo, study):
    shipped_roles = load_study(Path(__file__).resolve().parents[2]).roles
    assert set(study.instruments) == set(SHIPPED)
    assert [r.id for r in study.roles] == [r.id for r in shipped_roles]
    listed = {i for w in study.waves for i in w.instruments}
    assert listed == set(SHIPPED)
    assert [w.id for w in study.waves] == ["2015-1", "2015-2", "2016-1", "2016-2"]
    assert len(study.regions) == 8
    assert {r.language for r in study.regions} == {"nb", "nn"}


def test_response_files_are_in_canonical_wide_form(demo, study):
    raw_id = re.compile(r"^[RK]\d{4,5}$")
    for wave in study.waves:
        for instrument_id in wave.instruments:
            frame = read_responses(demo, wave.id, instrument_id)
            instrument = study.instruments[instrument_id]
            key = ID_COLUMNS if instrument.level == "respondent" else ID_COLUMNS[:3]
            assert tuple(frame.columns) == key + instrument.item_ids
            assert (frame["wave"] == wave.id).all()
            assert set(frame["region"]) <= {r.id for r in study.regions}
            if instrument.level == "respondent":
                assert set(frame["role"]) <= {r.id for r in study.roles}
            assert frame["respondent"].map(lambda v: bool(raw_id.match(v))).all()
            assert not frame["respondent"].duplicated().any()
            for item in instrument.items:
                if item.scale.is_numeric:
                    allowed = {str(v) for v in (*item.scale.values, *item.scale.missing)} | {""}
                    assert set(frame[item.id]) <= allowed, item.id
            if instrument.level == "region":
                assert sorted(frame["region"]) == sorted(r.id for r in study.regions)


def test_invitations_cover_the_answers(demo, study, planted):
    main = planted["instruments"]["main"][0]
    for wave in study.waves:
        frame = read_responses(demo, wave.id, main)
        for region in study.regions:
            invited = wave.invited[region.id]
            answered = frame[frame.region == region.id]["role"].value_counts()
            assert sum(invited.values()) > len(frame[frame.region == region.id])
            for role, n in answered.items():
                assert invited[role] >= n


# ---------------------------------------------------------------- planted effects
def test_improving_pairs_rise_as_the_truth_says(demo, study, planted):
    # The planted rise is 0.3 latent SD a year (1.5 years from the first to the last wave),
    # no longer 0.65 SD a wave, so a single pair need not be significant: each pair's
    # observed change must agree with its population change in truth.json, and the
    # improving pairs together must rise clearly.
    improving = [(r, c) for r, c in planted["pairs"]["improving"] if r != planted["small_region"]]
    assert improving
    first_wave, last_wave = planted["waves"][0], planted["waves"][-1]
    observed, expected, z = [], [], []
    for construct_id in {c for _, c in improving}:
        population = planted["population"][construct_id]
        for region, (first, last) in _change(demo, study, planted, construct_id).items():
            if (region, construct_id) not in set(improving):
                continue
            truth_change = population[region][last_wave] - population[region][first_wave]
            assert truth_change > 0.1, (region, construct_id, truth_change)
            diff = last.mean() - first.mean()
            se = np.sqrt(last.var(ddof=1) / len(last) + first.var(ddof=1) / len(first))
            assert abs(diff - truth_change) < 3.5 * se, (region, construct_id, diff, truth_change, se)
            observed.append(diff)
            expected.append(truth_change)
            z.append(diff / se)
    assert np.mean(observed) > 0.5 * np.mean(expected)
    assert np.mean(z) * np.sqrt(len(z)) > 3  # jointly a clear rise (Stouffer)


def test_role_levels_and_nonresponse_by_role(demo, study, planted):
    """Politicians and business answer less than project leaders, and roles differ in level."""
    rates = {role: np.mean([r[role] for r in planted["role_response_rates"].values()])
             for role in ("politician", "business", "project-leader")}
    assert rates["project-leader"] > rates["politician"] + 0.2
    assert rates["project-leader"] > rates["business"] + 0.2
    main = planted["instruments"]["main"][0]
    frame = all_waves(demo, study, main)
    share = frame["role"].value_counts(normalize=True)
    assert share["project-leader"] > 1.4 * share["politician"]
    assert share["project-leader"] > 1.4 * share["business"]
    effects = planted["role_effects"]
    assert effects["project-leader"] - effects["politician"] >= 0.5


def test_frame_csv_lists_the_invited_of_every_wave_region_and_role(demo, study, planted):
    frame = pd.read_csv(demo / "research" / "frame.csv", dtype={"wave": str})
    assert list(frame.columns) == ["wave", "region", "role", "invited"]
    cells = {(w.id, r.id, role.id) for w in study.waves for r in study.regions for role in study.roles}
    assert set(zip(frame["wave"], frame["region"], frame["role"])) == cells
    main = planted["instruments"]["main"][0]
    for wave in study.waves:
        answered = read_responses(demo, wave.id, main).groupby(["region", "role"]).size()
        rows = frame[frame["wave"] == wave.id].set_index(["region", "role"])["invited"]
        assert (rows.reindex(answered.index) >= answered).all()
        # the study's own invited counts (the fallback) say the same
        for (region, role), n in rows.items():
            assert wave.invited[region][role] == n


def test_truth_holds_population_means_and_every_rule_truth(planted):
    scales = set(planted["trend_constructs"]) | set(planted["flat_constructs"])
    assert scales <= set(planted["population"])
    regions = {r["id"] for r in planted["regions"]}
    for construct, scopes in planted["population"].items():
        assert set(scopes) == regions | {"all"}
        assert all(set(waves) == set(planted["waves"]) for waves in scopes.values())
        if construct in planted["flat_constructs"]:  # no change: the same mean every wave
            for waves in scopes.values():
                assert max(waves.values()) - min(waves.values()) < 1e-3
    kinds = {rule["kind"] for rule in planted["rules"]}
    assert kinds == {"level", "change", "trend"}
    for rule in planted["rules"]:
        assert rule["above"] == (rule["truth"] > rule["bar"] + 1e-9)
        population = planted["population"][rule["construct"]][rule["region"]]
        if rule["kind"] == "level":
            assert rule["truth"] == pytest.approx(population[rule["wave"]], abs=1e-6)
    # a flat construct's change and trend truths are never above a bar of 0
    flat = [r for r in planted["rules"] if r["construct"] in planted["flat_constructs"] and r["kind"] != "level"]
    assert flat and not any(r["above"] for r in flat)


def test_nonresponse_by_role_biases_the_unweighted_national_mean(demo, study, planted):
    """Weighting to the frame visibly matters: the respondents' plain mean overstates the
    population mean (project leaders answer most and rate highest), the mean reweighted to
    the invited frame (per region × role cell) does not."""
    frame = pd.read_csv(demo / "research" / "frame.csv", dtype={"wave": str})
    plain, weighted = [], []
    for construct_id in planted["strong_constructs"]:
        instrument = planted["constructs"][construct_id]["instrument"]
        if instrument not in planted["instruments"]["main"]:
            continue
        answers = all_waves(demo, study, instrument)
        answers["score"] = scores(answers, study.constructs[construct_id])
        for wave in planted["waves"]:
            rows = answers[answers["wave"] == wave].dropna(subset=["score"])
            invited = frame[frame["wave"] == wave].set_index(["region", "role"])["invited"]
            cells = rows.groupby(["region", "role"])["score"].mean().to_frame("mean").join(invited)
            truth_mean = planted["population"][construct_id]["all"][wave]
            plain.append(rows["score"].mean() - truth_mean)
            weighted.append((cells["mean"] * cells["invited"]).sum() / cells["invited"].sum() - truth_mean)
    assert len(plain) >= 40
    assert np.mean(plain) > 0.03  # biased upwards
    assert abs(np.mean(weighted)) < 0.02
    assert np.mean(np.abs(weighted)) < np.mean(np.abs(plain))


def test_population_means_match_a_large_sample(tmp_path):
    """The exact population means agree with the answers of a large demo, reweighted to the frame."""
    root = build_demo(tmp_path / "big", DemoDesign(regions=3, waves=2, respondents=2500, seed=11))
    planted = truth(root)
    study = load_study(root)
    frame = pd.read_csv(root / "research" / "frame.csv", dtype={"wave": str})
    construct_id = next(c for c in planted["trend_constructs"]
                        if planted["constructs"][c]["instrument"] in planted["instruments"]["main"])
    info = planted["constructs"][construct_id]
    answers = all_waves(root, study, info["instrument"])
    answers["score"] = scores(answers, study.constructs[construct_id])
    region = planted["regions"][0]["id"]
    for wave in planted["waves"]:
        rows = answers[(answers["region"] == region) & (answers["wave"] == wave)]
        invited = frame[(frame["wave"] == wave) & (frame["region"] == region)].set_index("role")["invited"]
        by_role = rows.groupby("role")["score"].mean()
        weighted = float((by_role * invited.reindex(by_role.index)).sum() / invited.reindex(by_role.index).sum())
        assert weighted == pytest.approx(planted["population"][construct_id][region][wave], abs=0.06)


def test_flat_pairs_stay_flat(demo, study, planted):
    diffs = []
    for construct_id in planted["flat_constructs"]:
        for region, (first, last) in _change(demo, study, planted, construct_id).items():
            diffs.append(last.mean() - first.mean())
            t = stats.ttest_ind(last, first, equal_var=False).statistic
            assert abs(t) < 3.5, (region, construct_id)
    assert abs(np.mean(diffs)) < 0.1


def test_trend_and_flat_constructs_partition_the_respondent_scales(planted, study):
    scales = {c.id for i in study.instruments.values() if i.level == "respondent"
              for c in i.constructs if c.kind == "scale"}
    trend, flat = set(planted["trend_constructs"]), set(planted["flat_constructs"])
    assert scales <= trend | flat and not trend & flat
    assert trend and flat
    assert planted["weak_construct"] in flat
    for construct_id in trend:
        slopes = planted["constructs"][construct_id]["slopes"]
        assert {r for r, s in slopes.items() if s > 0} == set(planted["improving_regions"])


def test_small_region_is_below_min_n_in_every_wave(demo, study, planted):
    small = planted["small_region"]
    assert planted["min_n"] == study.min_n == 5
    for wave in study.waves:
        for instrument_id in wave.instruments:
            if study.instruments[instrument_id].level == "region":
                continue
            counts = read_responses(demo, wave.id, instrument_id)["region"].value_counts()
            assert 0 < counts.get(small, 0) < study.min_n, (wave.id, instrument_id)
            if instrument_id in planted["instruments"]["main"]:
                others = counts.drop(small)
                assert (others == 40).all()


def test_weak_construct_fails_alpha_and_strong_ones_pass(demo, study, planted):
    weak = planted["weak_construct"]
    assert weak and planted["constructs"][weak]["weak"]
    for construct_id in [weak, *planted["strong_constructs"]]:
        construct = study.constructs[construct_id]
        frame = all_waves(demo, study, planted["constructs"][construct_id]["instrument"])
        items = keyed_items(frame, construct)
        for wave in frame["wave"].unique():
            alpha = cronbach_alpha(items[(frame["wave"] == wave).to_numpy()])
            if construct_id == weak:
                assert alpha < 0.70, (construct_id, wave, alpha)
            else:
                assert alpha >= 0.70, (construct_id, wave, alpha)


def test_dont_know_codes_and_blanks_are_present(demo, study, planted):
    main = planted["instruments"]["main"][0]
    frame = all_waves(demo, study, main)
    items = [i for i in study.instruments[main].items if i.scale.is_numeric]
    cells = frame[[i.id for i in items]]
    codes = {str(min(i.scale.missing)) for i in items if i.scale.missing}
    dont_know = cells.isin(codes).to_numpy().mean()
    blank = (cells == "").to_numpy().mean()
    assert 0.02 < dont_know < 0.06
    assert 0.01 < blank < 0.05


def test_panel_ids_recur_across_waves_with_attrition(demo, study, planted):
    main = planted["instruments"]["main"][0]
    ids = [set(read_responses(demo, w.id, main)["respondent"]) for w in study.waves]
    for before, after in itertools.pairwise(ids):
        kept = len(before & after) / len(before)
        assert 0.55 < kept < 0.85  # attrition 0.3
        assert after - before  # newcomers join
    retained = sum(p["retained"] for p in planted["panel"])
    assert retained == sum(len(a & b) for a, b in itertools.pairwise(ids))
    frames = [read_responses(demo, w.id, main) for w in study.waves]
    roles = {}
    for frame in frames:  # a person keeps their region and role
        for rid, region, role in frame[["respondent", "region", "role"]].itertuples(index=False):
            assert roles.setdefault(rid, (region, role)) == (region, role)


def test_learning_chain_is_a_funnel_that_improves(demo, study, planted):
    assert planted["learning_chain"]
    for chain in planted["learning_chain"]:
        frame = all_waves(demo, study, chain["instrument"])
        by_stage = {stage: item for item, stage in chain["stages"].items()}
        answered = frame[[by_stage[s] for s in ("learned", "shared", "used")]]
        complete = answered[answered.isin(["0", "1"]).all(axis=1)].astype(int)
        assert (complete.iloc[:, 0] >= complete.iloc[:, 1]).all()
        assert (complete.iloc[:, 1] >= complete.iloc[:, 2]).all()
        used = frame[by_stage["used"]]
        improving = frame["region"].isin(chain["improving_regions"])
        waves = [w for w in planted["waves"] if (frame["wave"] == w).any()]
        share = [(used[improving & (frame.wave == w)] == "1").mean() for w in (waves[0], waves[-1])]
        assert share[1] - share[0] > 0.15


def test_milestones_are_reached_progressively_faster_where_planted(demo, study, planted):
    assert planted["milestones"]
    for plan in planted["milestones"]:
        reached = {}
        for wave in planted["waves"]:
            frame = read_responses(demo, wave, plan["instrument"]).set_index("region")
            for region in frame.index:
                flags = [int(frame.loc[region, item]) for item in plan["items"]]
                assert flags == sorted(flags, reverse=True)  # the first ones in order
                assert sum(flags) == plan["reached"][region][wave]
                reached.setdefault(region, []).append(sum(flags))
        assert all(r == sorted(r) for r in reached.values())
        fast = np.mean([reached[r][-1] for r in planted["improving_regions"]])
        slow = np.mean([reached[r][-1] for r in reached if r not in planted["improving_regions"]])
        assert fast > slow


def test_truth_records_seed_design_and_pairs(planted, study):
    assert planted["seed"] == 2014
    assert planted["design"]["regions"] == 8 and planted["design"]["respondents"] == 40
    assert planted["small_region"] == study.regions[-1].id
    assert planted["small_region"] not in planted["improving_regions"]
    pairs = planted["pairs"]["improving"] + planted["pairs"]["flat"]
    assert len(pairs) == len({tuple(p) for p in pairs})
    for region, construct in planted["pairs"]["improving"]:
        assert planted["constructs"][construct]["slopes"][region] == pytest.approx(planted["design"]["slope"])


def test_design_rejects_bad_sizes():
    with pytest.raises(ValueError, match="'respondents'"):
        DemoDesign(respondents=3)
    with pytest.raises(ValueError, match="'small_region_respondents'"):
        DemoDesign(small_region_respondents=5)


# ---------------------------------------------------------------- pipeline and command
def test_a_failing_stage_fails_loudly(tmp_path, monkeypatch):
    def broken(root, say):
        raise RuntimeError("boom")

    later = []
    monkeypatch.setitem(_run._RUNNERS, "ingest", broken)
    monkeypatch.setitem(_run._RUNNERS, "analyze", lambda root, say: later.append("analyze"))
    with pytest.raises(StageFailed, match="ingest.*boom"):
        run_pipeline(tmp_path)
    assert later == []  # nothing runs after a failed stage


def test_the_stages_run_in_order(tmp_path, monkeypatch):
    ran = []
    for stage in STAGES:
        monkeypatch.setitem(_run._RUNNERS, stage,
                            lambda root, say, stage=stage: ran.append(stage) or _run.StageResult(stage, True, ""))
    results = run_pipeline(tmp_path)
    assert ran == ["ingest", "analyze", "report"] == [r.stage for r in results]


def test_folge_demo_builds_the_study_and_runs_the_pipeline(tmp_path):
    """The whole command, pipeline included (smaller than the default to keep the suite fast)."""
    from folge.cli import cli

    out = tmp_path / "folge-demo"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--regions", "4", "--waves", "3",
                                      "--respondents", "12"])
    assert result.exit_code == 0, result.output
    assert (out / "truth.json").is_file()
    assert (out / "research" / "study.yaml").is_file()
    assert (out / "responses" / "2016-1" / "participant-survey.csv").is_file()
    assert str(out) in result.output
    for stage in STAGES:
        assert re.search(rf"{stage}\s+ran", result.output), stage

    again = CliRunner().invoke(cli, ["demo", "--out", str(out), "--no-run"])
    assert again.exit_code != 0 and "--force" in again.output
    forced = CliRunner().invoke(cli, ["demo", "--out", str(out), "--no-run", "--force",
                                      "--regions", "3", "--waves", "2", "--respondents", "6"])
    assert forced.exit_code == 0, forced.output
    assert truth(out)["design"]["regions"] == 3


def test_force_never_deletes_a_folder_that_is_no_demo(tmp_path):
    from folge.cli import cli

    (tmp_path / "precious.txt").write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path), "--force", "--no-run"])
    assert result.exit_code != 0
    assert (tmp_path / "precious.txt").read_text(encoding="utf-8") == "keep me"
