"""Careless-answer flags on small hand-made answers (one case per rule, each able to fail)."""

from __future__ import annotations

import pandas as pd
import pytest

from folge.definitions import Construct, Instrument, Item, Scale, Text
from folge.quality import (FLAG_COLUMNS, duplicate_submissions, flagged_keys, identical_answers, quality_table,
                           speeding, straight_lining)

AGREE = Scale("agree5", "ordinal", (1, 2, 3, 4, 5), missing={9: Text({"nb": "Vet ikke"})})
FREE = Scale("free", "text")


def _instrument() -> Instrument:
    def construct(cid, ids, scale=AGREE, reverse=()):
        items = tuple(Item(i, "inst", cid, scale, Text(), n, reverse=i in reverse) for n, i in enumerate(ids))
        return Construct(cid, "inst", "scale" if scale is AGREE else "text", Text(), items)

    return Instrument("inst", 1, "respondent", Text(), (
        construct("trust", ["t1", "t2", "t3", "t4"], reverse=("t4",)),
        construct("pair", ["p1", "p2"]),
        construct("words", ["w1", "w2", "w3"], scale=FREE),
    ))


def _answers(rows: dict[str, list]) -> pd.DataFrame:
    n = len(next(iter(rows.values())))
    base = {"respondent": [f"r{i}" for i in range(n)], "region": ["kongsberg"] * n, "wave": ["2026-1"] * n,
            "role": ["politician"] * n}
    return pd.DataFrame({**base, **rows})


def test_straight_lining_needs_every_item_answered_alike():
    answers = _answers({"t1": [3, 3, 3, 3, 5], "t2": [3, 3, 9, None, 5], "t3": [3, 2, 3, 3, 5],
                        "t4": [3, 3, 3, 3, 5], "p1": [1, 1, 1, 1, 1], "p2": [1, 1, 1, 1, 1],
                        "w1": ["a"] * 5, "w2": ["a"] * 5, "w3": ["a"] * 5})
    flags = straight_lining(answers, _instrument())
    assert list(flags.columns) == list(FLAG_COLUMNS)
    # r0 and r4 straight-line the 4-item trust page; "don't know" (9) and a blank break the line;
    # the 2-item page and free text are never judged
    assert flags[["respondent", "unit", "value", "threshold"]].values.tolist() == [
        ["r0", "trust", 3.0, 4.0], ["r4", "trust", 5.0, 4.0]]
    assert straight_lining(answers, _instrument(), min_items=2)["unit"].tolist().count("pair") == 5
    with pytest.raises(ValueError, match="min_items"):
        straight_lining(answers, _instrument(), min_items=1)


def test_speeding_uses_seconds_per_answered_item_over_the_questionnaire():
    times = pd.DataFrame({"respondent": ["a", "a", "b", "b", "c"], "region": "kongsberg", "wave": "2026-1",
                          "role": "politician", "instrument": "inst",
                          "items": [10, 10, 10, 10, 0], "seconds": [5.0, 25.0, 10.0, 9.0, 1.0]})
    flags = speeding(times, min_seconds_per_item=1.0)
    assert flags[["respondent", "value"]].values.tolist() == [["b", 0.95]]  # a: 1.5 s/item; c: nothing answered
    assert speeding(times, min_seconds_per_item=2.0)["respondent"].tolist() == ["a", "b"]
    with pytest.raises(ValueError, match="min_seconds_per_item"):
        speeding(times, min_seconds_per_item=0)
    with pytest.raises(ValueError, match="seconds"):
        speeding(times.drop(columns="seconds"), min_seconds_per_item=1)


def test_duplicate_submissions_and_identical_answers():
    submissions = pd.DataFrame({"respondent": ["a", "a", "b"], "region": "kongsberg", "wave": "2026-1",
                                "role": "politician", "instrument": "inst"})
    flags = duplicate_submissions(submissions)
    assert flags[["respondent", "flag", "value"]].values.tolist() == [["a", "duplicate-submission", 2.0]]
    answers = _answers({"t1": [1, 1, 1, 2], "t2": [2, 2, 2, 2], "t3": [3, 3, None, 3], "t4": [4, 4, 4, 4],
                        "p1": [5, 5, 5, 5], "p2": [1, 1, 1, 1]})
    same = identical_answers(answers, _instrument(), min_items=6)
    assert same["respondent"].tolist() == ["r0", "r1"] and same["value"].tolist() == [2.0, 2.0]
    assert identical_answers(answers, _instrument(), min_items=7).empty  # too few items answered to judge


def test_quality_table_and_keys():
    answers = _answers({"t1": [3, 1], "t2": [3, 2], "t3": [3, 3], "t4": [3, 4]})
    table = quality_table(straight_lining(answers, _instrument()), speeding(pd.DataFrame(
        {"respondent": ["r1"], "region": "kongsberg", "wave": "2026-1", "role": "politician", "instrument": "inst",
         "items": [4], "seconds": [1.0]}), min_seconds_per_item=2))
    assert table["flag"].tolist() == ["straight-lining", "speeding"]
    assert flagged_keys(table) == {("r0", "2026-1", "inst"), ("r1", "2026-1", "inst")}
    assert quality_table().empty and list(quality_table().columns) == list(FLAG_COLUMNS)
