"""Weights, levels and attrition in ``folge analyze``: the frame's sources, margins, errors, settings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from folge import AnalysisError
from folge.analysis import read_results, run_analysis

sys.path.insert(0, str(Path(__file__).parents[1]))  # the shared tests/_weights_study.py

from _weights_study import ANSWERED, INVITED, _answers, _frame, make_study  # noqa: E402

@pytest.fixture(scope="module")
def weighted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("weighted")
    root = make_study(tmp)
    result = run_analysis(root, tmp / "results")
    return result, tmp / "results"


def test_weights_add_up_to_the_frame_margins_in_every_wave(weighted):
    result, _ = weighted
    weights = result.tables["weights"].astype({"region": str, "wave": str, "role": str})
    frame = pd.read_csv(pd.io.common.StringIO(_frame()), dtype={"wave": str})
    assert list(weights.columns[:6]) == ["instrument", "respondent", "region", "wave", "role", "weight"]
    assert len(weights) == sum(p + b for p, b in ANSWERED.values())
    for margin in ("region", "role"):
        got = weights.groupby(["wave", margin])["weight"].sum()
        want = frame.groupby(["wave", margin])["invited"].sum().astype(float)
        pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False, rtol=1e-8)
    # politicians answered less, so each counts for more than a business respondent
    mean = weights.groupby("role")["weight"].mean()
    assert mean["politician"] > mean["business"]
    raked = result.manifest["weighting"]["raked"]
    assert [(r["wave"], r["source"], r["margins"], r["converged"]) for r in raked] == [
        ("2015-1", "frame.csv", "region+role", True), ("2016-1", "frame.csv", "region+role", True)]


def test_levels_columns_and_types(weighted):
    _, out = weighted
    levels = read_results(out, ["levels"])["levels"]
    assert list(levels.columns) == ["construct", "region", "wave", "n", "mean", "se", "ci_low", "ci_high",
                                    "weighted", "eb", "eb_se", "df", "note"]
    for column in ("construct", "region", "wave"):
        assert pd.api.types.is_string_dtype(levels[column])
    for column in ("n", "mean", "se", "ci_low", "ci_high", "eb", "eb_se", "df"):
        assert levels[column].dtype == "float64"
    assert (levels["n"] % 1 == 0).all() and (levels["n"] > 0).all()
    assert levels["weighted"].dtype == "boolean" and levels["weighted"].all()
    national = levels[levels["region"] == "all"]
    assert len(national) == 2 and national["eb"].isna().all()
    regional = levels[levels["region"] != "all"]
    assert regional["eb"].notna().all() and (regional["eb_se"] > 0).all()


def test_a_regions_level_is_the_weighted_mean_of_its_scores(weighted):
    result, _ = weighted
    t = result.tables
    joined = t["scores"].astype({"respondent": str, "wave": str, "region": str}).merge(
        t["weights"].astype({"respondent": str, "wave": str})[["respondent", "wave", "weight"]],
        on=["respondent", "wave"])
    part = joined[(joined["region"] == "vest") & (joined["wave"] == "2016-1")].dropna(subset=["score"])
    row = t["levels"].query("region == 'vest' and wave == '2016-1'").iloc[0]
    assert row["n"] == len(part)
    assert row["mean"] == pytest.approx(np.average(part["score"], weights=part["weight"]), rel=1e-12)
    assert row["mean"] != pytest.approx(part["score"].mean(), rel=1e-6)  # the weights matter here


def test_response_rates_carry_kish_n_eff(weighted):
    result, _ = weighted
    rates = result.tables["response_rates"]
    weights = result.tables["weights"].astype({"region": str, "wave": str})
    w = weights[(weights["region"] == "nord") & (weights["wave"] == "2015-1")]["weight"]
    row = rates[(rates["region"] == "nord") & (rates["wave"] == "2015-1") & (rates["role"] == "all")].iloc[0]
    assert row["n_eff"] == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-12)
    assert row["n_eff"] < row["responded"] and row["source"] == "frame.csv" and row["invited"] == 30


def test_attrition_table(weighted):
    result, _ = weighted
    attrition = result.tables["attrition"]
    row = attrition.query("region == 'all' and role == 'all'").iloc[0]
    # people i < min(count in 2015-1, count in 2016-1) of each region and role answered twice
    stayed = sum(min(ANSWERED[("2015-1", r)][k], ANSWERED[("2016-1", r)][k]) for r in INVITED for k in (0, 1))
    assert (row["from_wave"], row["to_wave"], row["n_from"], row["retained"]) == (
        "2015-1", "2016-1", sum(p + b for (w, _), (p, b) in ANSWERED.items() if w == "2015-1"), stayed)


def _without_politicians(wave: str) -> pd.DataFrame:
    answers = _answers()
    return answers[~((answers["wave"] == wave) & (answers["role"] == "politician"))]


def test_a_role_invited_but_not_answering_is_a_clear_error(tmp_path):
    root = make_study(tmp_path, answers=_without_politicians("2015-1"))  # 2015-1 is closed
    with pytest.raises(AnalysisError, match=r"wave '2015-1'.*'role'.*'politician'.*no respondents.*weight_empty"):
        run_analysis(root, tmp_path / "out")


def test_collapse_setting_spreads_the_empty_cell_and_reports_it(tmp_path):
    root = make_study(tmp_path, answers=_without_politicians("2015-1"), settings="{weight_empty: collapse}")
    result = run_analysis(root, tmp_path / "out")
    raked = {r["wave"]: r for r in result.manifest["weighting"]["raked"]}
    assert "politician" in raked["2015-1"]["note"] and "spread" in raked["2015-1"]["note"]
    assert raked["2016-1"]["note"] == ""
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert "politician" in manifest["weighting"]["raked"][0]["note"]
    weights = result.tables["weights"].astype({"wave": str, "role": str})
    first = weights[weights["wave"] == "2015-1"]
    assert first["weight"].sum() == pytest.approx(88.0) and set(first["role"]) == {"business"}


def test_an_open_wave_spreads_empty_cells_and_says_so(tmp_path):
    root = make_study(tmp_path, answers=_without_politicians("2016-1"))  # 2016-1 is still open
    result = run_analysis(root, tmp_path / "out")
    raked = {r["wave"]: r for r in result.manifest["weighting"]["raked"]}
    assert "'politician'" in raked["2016-1"]["note"] and "spread" in raked["2016-1"]["note"]
    assert raked["2015-1"]["note"] == ""


def test_fewer_invited_than_answered_names_the_cell(tmp_path):
    root = make_study(tmp_path, frame=_frame({**INVITED, "sor": (1, 7)}))
    with pytest.raises(AnalysisError, match=r"frame.csv: wave 2015-1, region sor, role politician: 1 invited but 2"):
        run_analysis(root, tmp_path / "out")


def test_weighting_none_gives_unweighted_levels(tmp_path):
    root = make_study(tmp_path, settings="{weighting: none}")
    result = run_analysis(root, tmp_path / "out")
    levels = read_results(tmp_path / "out", ["levels"])["levels"]
    assert not levels["weighted"].any()
    assert (result.tables["weights"]["weight"] == 1.0).all()
    assert result.manifest["weighting"]["method"] == "none" and result.manifest["weighting"]["raked"] == []
    scores = result.tables["scores"].astype({"region": str, "wave": str})
    part = scores[(scores["region"] == "nord") & (scores["wave"] == "2015-1")]["score"].dropna()
    assert levels.query("region == 'nord' and wave == '2015-1'")["mean"].iloc[0] == pytest.approx(part.mean())


def test_without_frame_csv_study_yaml_post_stratifies_by_region(tmp_path):
    root = make_study(tmp_path, frame=None)
    result = run_analysis(root, tmp_path / "out")
    weights = result.tables["weights"].astype({"region": str, "wave": str, "role": str})
    by_region = weights.groupby(["wave", "region"])["weight"].sum()
    assert by_region[("2015-1", "nord")] == pytest.approx(30) and by_region[("2016-1", "sor")] == pytest.approx(12)
    # one weight per region and wave: the role margin is the respondents' own
    assert weights.groupby(["wave", "region"])["weight"].nunique().eq(1).all()
    assert {r["source"] for r in result.manifest["weighting"]["raked"]} == {"study.yaml"}


def test_trimming_is_applied_and_reported(tmp_path):
    root = make_study(tmp_path, settings="{weight_trim: 1.2}")
    result = run_analysis(root, tmp_path / "out")
    weights = result.tables["weights"].astype({"wave": str})
    for wave, part in weights.groupby("wave"):
        assert part["weight"].max() <= 1.2 * part["weight"].mean() + 1e-9
    assert all(r["trimmed"] > 0 and "trimmed" in r["note"] for r in result.manifest["weighting"]["raked"])
