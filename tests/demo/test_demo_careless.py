"""Careless web answers planted in the demo are flagged in ``results/quality.csv``, nothing else is,
and the statistics change only when ``settings.exclude_flagged`` is true.

The default demo (8 regions, 4 waves, 40 respondents) run through the pipeline is the
session's shared ``demo_study`` (read-only; the test that changes a setting works on a
copy); ``careless.json`` names what was planted.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from folge.analysis import analyze, build_input, compute_analysis, conform
from folge.definitions import load_study
from folge.store import Store


@pytest.fixture(scope="module")
def demo(demo_study):
    return demo_study


@pytest.fixture(scope="module")
def planted(demo) -> dict:
    return json.loads((demo / "careless.json").read_text(encoding="utf-8"))


def _quality(demo) -> pd.DataFrame:
    return pd.read_csv(demo / "results" / "quality.csv", dtype=str)


def test_the_planted_cases_are_flagged_and_nothing_else(demo, planted):
    quality = _quality(demo)
    found = {(flag, person) for flag, person in zip(quality["flag"], quality["respondent"])}
    expected = {(kind, person) for kind in ("straight-lining", "speeding") for person in planted[kind]}
    assert len(expected) == 4 and found == expected
    assert not set(planted["careful"]) & set(quality["respondent"])
    assert set(quality["wave"]) == {planted["wave"]} and set(quality["instrument"]) == {"participant-survey"}
    lines = quality[quality["flag"] == "straight-lining"]
    assert set(lines["value"].astype(float)) == {4.0}  # one value all the way down
    speed = quality[quality["flag"] == "speeding"]
    assert speed["value"].astype(float).tolist() == [0.5, 0.5] and set(speed["threshold"].astype(float)) == {1.5}


def test_the_planted_answers_came_through_the_web_with_page_times(demo, planted):
    with Store.open(demo) as store:
        times = store.page_times()
        kinds = set(store.imports()["source_kind"])
    assert "web" in kinds
    people = {p for kind in ("straight-lining", "speeding", "careful") for p in planted[kind]}
    assert set(times["respondent"]) == people and (times["page"] > 0).all()


def test_statistics_are_unchanged_unless_exclude_flagged(demo, planted):
    """With the setting off, the written tables equal an analysis of the raw answers without screening."""
    study = load_study(demo)
    with Store.open(demo) as store:
        raw = {i: store.responses(i) for i in study.instruments}
    unscreened = analyze(build_input(study, raw))
    written = pd.read_csv(demo / "results" / "scores.csv", dtype={"respondent": str})
    flagged = set(planted["straight-lining"] + planted["speeding"])
    assert flagged <= set(written["respondent"])  # kept: exclude_flagged is false in the demo
    assert len(written) == len(unscreened["scores"])
    for name in ("reliability", "change", "agreement", "icc"):
        on_disk = pd.read_csv(demo / "results" / f"{name}.csv")
        expected = pd.read_csv(io.StringIO(conform(name, unscreened[name]).to_csv(index=False)))
        pd.testing.assert_frame_equal(on_disk, expected)


def test_exclude_flagged_removes_the_flagged_scores_only(demo, planted, tmp_path):
    own = Path(shutil.copytree(demo, tmp_path / "study"))  # the shared demo stays as it is
    path = own / "research" / "study.yaml"
    original = path.read_text(encoding="utf-8")
    assert re.search(r"^  exclude_flagged: false$", original, re.M)
    path.write_text(original.replace("  exclude_flagged: false", "  exclude_flagged: true"), encoding="utf-8")
    result = compute_analysis(own)
    scores = result.tables["scores"]
    people = set(scores["respondent"].astype(str))
    flagged = set(planted["straight-lining"] + planted["speeding"])
    assert not flagged & people and set(planted["careful"]) <= people
    assert len(result.tables["quality"]) == len(_quality(demo))  # the flags stay reported
    before = pd.read_csv(demo / "results" / "scores.csv", dtype={"respondent": str})
    assert len(before) - len(scores) == before["respondent"].isin(flagged).sum() > 0
