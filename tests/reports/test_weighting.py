"""Reports and open data on weighting: whether figures are weighted, EB beside small regions' levels,
levels.csv in the open data suppressed like every other figure."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from folge.pipeline import analyze_study
from folge.reports import build_reports


from _weights_study import make_study  # the small study of tests/analysis/test_weights.py


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("weighting-site")
    root = make_study(tmp)
    study_file = root / "research" / "study.yaml"
    # min_n 6: region 'sor' (5 answers in 2016-1) is hidden, and 'vest' (10) with it (secondary);
    # eb_below 20: 'nord' (17 answers) shows the EB estimate, 'ost' (22) does not
    text = study_file.read_text(encoding="utf-8").replace("min_n: 5", "min_n: 6")
    study_file.write_text(text.replace("settings: {}", "settings: {eb_below: 20}"), encoding="utf-8")
    analyze_study(root)
    build_reports(root, formats=["html"], engine="pandoc", lang="en", workers=1)
    return root / "reports" / "_site"


def test_open_data_carry_levels_with_direct_and_eb_estimates(site):
    levels = pd.read_csv(site / "data" / "levels.csv", dtype={"wave": str})
    for column in ("construct", "region", "wave", "n", "mean", "se", "ci_low", "ci_high", "weighted", "eb", "eb_se",
                   "suppressed"):
        assert column in levels.columns
    shown = levels[~levels["suppressed"]]
    regional = shown[shown["region"] != "all"]
    assert len(regional) > 0 and regional[["mean", "se", "eb", "eb_se"]].notna().all().all()
    assert (shown["n"] >= 6).all() and shown["weighted"].all()
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert "levels.csv" in {r["path"] for r in package["resources"]}
    assert "raked to the number invited per region and role" in package["description"]


def test_open_data_suppress_small_n_levels(site):
    levels = pd.read_csv(site / "data" / "levels.csv", dtype={"wave": str})
    small = levels[(levels["region"] == "sor") & (levels["wave"] == "2016-1")]
    assert len(small) > 0 and small["suppressed"].all()
    assert small[["n", "mean", "se", "ci_low", "ci_high", "eb", "eb_se"]].isna().all().all()
    # the hidden region could be worked out from the national total and the others: one more is hidden
    wave = levels[(levels["wave"] == "2016-1") & (levels["construct"] == small["construct"].iloc[0])]
    assert wave["suppressed"].sum() >= 2


def test_region_report_shows_eb_beside_the_direct_estimate_under_eb_below(site):
    nord = (site / "_source" / "regions" / "nord.qmd").read_text(encoding="utf-8")
    ost = (site / "_source" / "regions" / "ost.qmd").read_text(encoding="utf-8")
    vest = (site / "_source" / "regions" / "vest.qmd").read_text(encoding="utf-8")
    assert "## Few answers: two estimates" in nord and "fewer than 20 answers" in nord
    assert "| Direct mean |" in nord and "EB estimate" in nord
    assert "Few answers" not in ost  # 22 answers: the direct estimate alone
    assert "Few answers" not in vest  # hidden (secondary suppression): no estimate at all


def test_reports_say_the_figures_are_weighted(site):
    national = (site / "_source" / "national.qmd").read_text(encoding="utf-8")
    methods = (site / "_source" / "methods.qmd").read_text(encoding="utf-8")
    region = (site / "_source" / "regions" / "nord.qmd").read_text(encoding="utf-8")
    assert "The means are weighted" in national and "region and role" in national
    assert "are weighted" in region
    assert "## Who answered, and weighting" in methods
    assert "54 of 88 invited people answered" in methods  # 2016-1: 54 answers of 88 invited
    assert "answered again in wave 2016-1" in methods
    assert "It does not correct for" in methods


def test_trend_charts_mark_the_eb_estimate_where_the_report_uses_it(site):
    """nord (17 answers, under eb_below 20): a hollow diamond with its interval, named in the legend
    and stated in the alt text; ost (22 answers): the direct estimate alone."""
    figures = site / "_source" / "regions" / "figures"
    nord = sorted(figures.glob("nord-trend-*.svg"))
    ost = sorted(figures.glob("ost-trend-*.svg"))
    assert nord and ost
    for path in nord:
        svg = path.read_text(encoding="utf-8")
        assert "EB estimate" in svg and svg.count('fill="#ffffff" stroke="#8c3b00"') >= 2  # legend + a point
    assert not any("EB estimate" in p.read_text(encoding="utf-8") for p in ost)
    qmd = (site / "_source" / "regions" / "nord.qmd").read_text(encoding="utf-8")
    alts = re.findall(r'\{#fig-trend-[\w-]+ fig-alt="([^"]*)"\}', qmd)
    assert alts and all("empirical-Bayes estimate" in alt for alt in alts)
