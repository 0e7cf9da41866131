"""The demo's rule verdicts against its truth: ``met`` only where the truth clears the bar.

``truth.json`` records, for every level, change and trend rule on a construct, per scope
and wave, the population value and whether it lies above the rule's bar. Each row of
``rules.csv`` is set beside it. A verdict is a statement at confidence 1 − α, so:

- where the truth is at or below the bar, at most α of the rows may be ``met``, and none
  where the truth is clearly below it (by more than 0.25 on the answer scale, about two
  standard errors of a region's mean at 40 answers);
- where the truth is above the bar, at most α of the rows may be ``not-met``, and none
  where it is clearly above;
- and the verdicts must not all be cautious: a good share of the rows whose truth is
  above the bar are ``met``.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

ALPHA = 0.05
CLEAR = 0.25


@pytest.fixture(scope="module")
def judged(demo_study) -> pd.DataFrame:
    rules = pd.read_csv(demo_study / "results" / "rules.csv", dtype={"wave": "string", "region": "string"})
    truth = pd.DataFrame(json.loads((demo_study / "truth.json").read_text(encoding="utf-8"))["rules"])
    truth["wave"] = truth["wave"].astype("string")
    keys = ["criterion", "rule", "region", "wave"]
    merged = rules.merge(truth[[*keys, "truth", "bar", "above"]], on=keys, suffixes=("", "_truth"))
    return merged


def test_every_construct_rule_has_its_truth(judged):
    assert len(judged) > 500
    assert set(judged["kind"]) == {"level", "change", "trend"}
    # the bar in rules.csv is the bar the truth was judged against
    assert (judged["bar"] - judged["bar_truth"]).abs().max() < 1e-9


def test_met_only_where_the_truth_clears_the_bar(judged):
    below = judged[~judged["above"]]
    assert len(below) > 200
    met = below["verdict"] == "met"
    assert met.mean() <= ALPHA, below.loc[met, ["criterion", "kind", "region", "wave", "estimate", "truth", "bar"]]
    clearly = below[below["truth"] < below["bar"] - CLEAR]
    assert not (clearly["verdict"] == "met").any()


def test_not_met_only_where_the_truth_misses_the_bar(judged):
    above = judged[judged["above"]]
    assert len(above) > 50
    not_met = above["verdict"] == "not-met"
    assert not_met.mean() <= ALPHA, above.loc[not_met, ["criterion", "kind", "region", "wave", "estimate", "truth"]]
    clearly = above[above["truth"] > above["bar"] + CLEAR]
    assert not (clearly["verdict"] == "not-met").any()


def test_the_verdicts_find_a_good_share_of_what_is_true(judged):
    above = judged[judged["above"]]
    assert (above["verdict"] == "met").mean() >= 0.25
