"""The calibration harness's generator and truth: what each scenario plants is really there."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from folge.definitions import load_study
from folge.simulate import (
    CONSTRUCTS,
    NATIONAL,
    SCENARIOS,
    THRESHOLDS,
    SimulationDesign,
    draw_study,
    expected_score,
    item_ids,
    population_truth,
    scenario,
    write_study,
)

BIG = SimulationDesign(regions=24, waves=4, respondents=(50, 70))


def _draw(name: str, design: SimulationDesign = BIG, seed: int = 5):
    return draw_study(scenario(name), design, np.random.default_rng(seed))


def _scores(study) -> pd.DataFrame:
    answers = study.answers.copy()
    for c in CONSTRUCTS:
        answers[c] = answers[list(item_ids(c, study.design.items))].mean(axis=1)
    return answers


def test_every_required_scenario_exists_and_says_what_it_plants():
    assert list(SCENARIOS) == ["null", "composition", "attrition", "attrition-mar", "spacing", "small-regions",
                               "effect"]
    for s in SCENARIOS.values():
        assert len(s.description) > 60, s.name
    assert [s.name for s in SCENARIOS.values() if s.planted] == ["effect"]
    assert 0.15 <= SCENARIOS["effect"].slope <= 0.3
    with pytest.raises(ValueError, match="must be one of"):
        scenario("nope")


def test_same_seed_same_study_other_seed_other_answers():
    a, b, c = _draw("null", seed=1), _draw("null", seed=1), _draw("null", seed=2)
    pd.testing.assert_frame_equal(a.answers, b.answers)
    assert not a.answers[["c1", "s1"]].equals(c.answers[["c1", "s1"]])


def test_answers_are_five_point_and_roles_differ_in_level():
    study = _draw("null")
    items = [i for c in CONSTRUCTS for i in item_ids(c, BIG.items)]
    assert study.answers[items].isin([1, 2, 3, 4, 5]).all().all()
    assert set(study.answers[items].stack().unique()) == {1, 2, 3, 4, 5}
    by_role = _scores(study).groupby("role")["steady"].mean()
    assert by_role["project-leader"] - by_role["politician"] > 0.2


def test_nonresponse_depends_on_role():
    study = _draw("null")
    invited = pd.Series(study.invited).groupby(level=1).sum() * BIG.waves
    rate = study.answers.groupby("role").size() / invited
    assert rate["project-leader"] > rate["politician"] + 0.2
    assert rate["project-leader"] > rate["business"] + 0.2


def test_panel_retention_and_wave_to_wave_correlation_are_realistic():
    study = _draw("null")
    scores = _scores(study)
    waves = study.waves
    ids = {w: set(scores.loc[scores["wave"] == w, "respondent"]) for w in waves}
    retention = [len(ids[a] & ids[b]) / len(ids[a]) for a, b in zip(waves, waves[1:])]
    assert all(0.55 <= r <= 0.75 for r in retention), retention
    wide = scores.pivot_table(index="respondent", columns="wave", values="climate")
    r = wide[waves[0]].corr(wide[waves[1]])
    assert 0.35 <= r <= 0.6, r


def test_composition_shifts_the_role_mix_towards_politicians():
    study = _draw("composition")
    share = study.answers.assign(pol=study.answers["role"].eq("politician")).groupby("wave")["pol"].mean()
    assert share.iloc[-1] > share.iloc[0] + 0.2


def test_informative_attrition_makes_leavers_lower_than_stayers():
    gaps = {}
    for name in ("null", "attrition"):
        scores = _scores(_draw(name))
        first = scores[scores["wave"] == "w1"]
        again = set(scores.loc[scores["wave"] == "w2", "respondent"])
        stays = first["respondent"].isin(again)
        gaps[name] = first.loc[stays, "steady"].mean() - first.loc[~stays, "steady"].mean()
    assert gaps["attrition"] > 0.15
    assert abs(gaps["null"]) < 0.1


def test_attrition_scenarios_say_and_plant_what_staying_depends_on():
    """MNAR: staying follows the latent level; MAR: the observed answers of the wave before."""
    assert "MNAR" in SCENARIOS["attrition"].description and "MAR" in SCENARIOS["attrition-mar"].description
    assert SCENARIOS["attrition"].attrition_on == "latent" and SCENARIOS["attrition-mar"].attrition_on == "answers"
    rates = {}
    for name in ("null", "attrition-mar"):
        scores = _scores(_draw(name))
        first = scores[scores["wave"] == "w1"].copy()
        stays = first["respondent"].isin(set(scores.loc[scores["wave"] == "w2", "respondent"]))
        observed = first["climate"]
        high = observed > observed.median()
        rates[name] = (stays[high].mean(), stays[~high].mean(), stays.mean())
    high, low, mean = rates["attrition-mar"]
    assert high - low > 0.2  # those who answered high stay more often
    assert 0.6 < mean < 0.8  # 70 % on average
    assert abs(rates["null"][0] - rates["null"][1]) < 0.08


def test_spacing_writes_unequal_wave_dates(tmp_path):
    study = _draw("spacing", SimulationDesign(regions=3, waves=4, respondents=(6, 8)))
    assert study.years == (0.0, 0.5, 2.5, 3.0)
    loaded = load_study(write_study(study, tmp_path / "s", {"climate": 3.4, "steady": 3.4}))
    days = [(w.date - loaded.waves[0].date).days for w in loaded.waves]
    assert days == [0, 183, 913, 1096]


def test_small_regions_expect_6_to_25_answers_a_wave():
    study = _draw("small-regions", SimulationDesign(regions=30, waves=2))
    s = study.scenario
    expected = {}
    for (region, role), n in study.invited.items():
        expected[region] = expected.get(region, 0.0) + n * np.mean([s.rate(role, t, 2) for t in range(2)])
    values = np.array(list(expected.values()))
    assert values.min() >= 5 and values.max() <= 27
    assert values.min() < 10 and values.max() > 20


def test_expected_score_matches_the_item_model_by_simulation():
    rng = np.random.default_rng(3)
    draw = draw_study(scenario("null"), SimulationDesign(regions=2, waves=2, respondents=(5, 6)), rng)
    c = draw.constructs[0]
    eta = rng.normal(0.4, np.sqrt(1.3), size=400_000)
    lam, delta = np.asarray(c.loadings), np.asarray(c.intercepts)
    ystar = eta[:, None] * lam + delta + np.sqrt(1 - lam**2) * rng.normal(size=(len(eta), len(lam)))
    simulated = (1 + np.searchsorted(np.asarray(THRESHOLDS), ystar)).mean()
    assert expected_score(c, 0.4, 1.3) == pytest.approx(simulated, abs=0.005)


def test_sample_means_approach_the_regional_truth():
    study = _draw("null", SimulationDesign(regions=4, waves=2, respondents=(3000, 3000)))
    truth = population_truth(study).set_index(["construct", "region", "wave"])
    scores = _scores(study)
    # respondents' role mix differs from the frame's (nonresponse by role): reweight to it
    for region in study.regions:
        rows = scores[(scores["region"] == region) & (scores["wave"] == "w1")]
        frame = {role: study.invited[(region, role)] for role in rows["role"].unique()}
        total = sum(frame.values())
        weighted = sum(frame[role] / total * rows.loc[rows["role"] == role, "climate"].mean() for role in frame)
        assert weighted == pytest.approx(truth.loc[("climate", region, "w1"), "level"], abs=0.05)


def test_null_truth_has_no_change_and_the_effect_truth_rises():
    null = population_truth(_draw("null"))
    national = null[null["region"] == NATIONAL]
    assert (national["latent_change"] == 0).all() and (national["latent_slope"] == 0).all()
    spread = national.groupby("construct")["level"].agg(lambda x: x.max() - x.min())
    assert (spread < 0.005).all()
    effect = population_truth(_draw("effect"))
    climate = effect[(effect["region"] == NATIONAL) & (effect["construct"] == "climate")]
    assert climate["latent_slope"].eq(0.2).all()
    assert climate["score_change"].iloc[-1] > 0.3
    steady = effect[(effect["region"] == NATIONAL) & (effect["construct"] == "steady")]
    assert (steady["latent_change"] == 0).all()


def test_regional_slopes_are_drawn_not_centred():
    means = [np.mean(list(_draw("null", SimulationDesign(regions=6, waves=2), seed=s).constructs[0].slopes.values()))
             for s in range(30)]
    assert np.std(means) > 0.01  # a centred draw would give exactly 0 every time
    assert abs(np.mean(means)) < 0.03
