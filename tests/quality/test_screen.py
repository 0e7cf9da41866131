"""The flags' inputs from the store, the questionnaire-wide straight-lining rule, and leaving
flagged answers out (``folge.quality`` helpers and ``folge.analysis``'s quality step)."""

from __future__ import annotations

import json

import pandas as pd

from folge.definitions import Construct, Instrument, Item, Scale, Text
from folge.quality import duplicate_submissions, page_seconds, straight_lined_questionnaires, submissions

FIVE = Scale("a5", "ordinal", (1, 2, 3, 4, 5), missing={9: Text({"nb": "Vet ikke"})})
YES_NO = Scale("yn", "nominal", (0, 1))


def _construct(cid: str, scale: Scale, n: int) -> Construct:
    items = tuple(Item(f"{cid}{k}", "x", cid, scale, Text(), k) for k in range(n))
    return Construct(cid, "x", "scale", Text(), items)


INSTRUMENT = Instrument("x", 1, "respondent", Text(), (
    _construct("a", FIVE, 3), _construct("b", FIVE, 4), _construct("c", FIVE, 3), _construct("d", YES_NO, 3)))


def _answers(rows: dict[str, list]) -> pd.DataFrame:
    frame = pd.DataFrame({"respondent": list(rows), "region": "k", "wave": "1", "role": "p"})
    columns = [i.id for c in INSTRUMENT.constructs for i in c.items]
    values = pd.DataFrame([v for v in rows.values()], columns=columns).astype("Int64")
    return pd.concat([frame, values], axis=1)


def test_one_value_on_every_grid_is_flagged_and_nothing_less():
    answers = _answers({
        "same": [4] * 10 + [1, 0, 1],            # 4 on all three grids; the yes/no page does not count
        "mixed": [3] * 3 + [4] * 7 + [1, 1, 1],  # every grid a line, but not one value
        "two": [4] * 7 + [4, 4, 9] + [1] * 3,    # a "don't know" leaves two grids judged (< 3)
        "varied": [4, 4, 5] + [4] * 7 + [1] * 3,
    })
    flags = straight_lined_questionnaires(answers, INSTRUMENT)
    assert set(flags["respondent"]) == {"same"}
    assert sorted(flags["unit"]) == ["a", "b", "c"] and set(flags["value"]) == {4.0}
    assert straight_lined_questionnaires(answers, INSTRUMENT, min_pages=2)["respondent"].unique().tolist() == [
        "same", "two"]


def test_page_seconds_leaves_out_api_saves_and_unsaved_pages():
    times = pd.DataFrame({
        "respondent": ["r"] * 4, "region": "k", "wave": "1", "role": "p", "instrument": "x",
        "page": [1, 2, 3, 0], "items": [3, 4, 0, 7],
        "shown_at": ["2026-03-02T08:00:00.000+00:00", "2026-03-02T08:00:10.250+00:00",
                     "2026-03-02T08:01:00.000+00:00", None],
        "saved_at": ["2026-03-02T08:00:09.000+00:00", "2026-03-02T08:00:12.250+00:00", None,
                     "2026-03-02T08:02:00.000+00:00"]})
    frame = page_seconds(times)
    assert frame["seconds"].tolist() == [9.0, 2.0] and frame["items"].tolist() == [3, 4]


def test_repeats_refused_by_the_store_count_as_duplicate_submissions():
    stored = {"x": _answers({"r1": [1] * 13, "r2": [2] * 13})}
    quarantine = pd.DataFrame({
        "respondent": ["r1", "r3"], "instrument": ["x", "x"], "wave": ["1", "1"],
        "codes": ["conflict", "out-of-range"],
        "values": [json.dumps({"respondent": "r1", "region": "k", "role": "p"}), json.dumps({})]})
    flags = duplicate_submissions(submissions(stored, quarantine))
    assert flags[["respondent", "region", "role", "flag", "value"]].values.tolist() == [
        ["r1", "k", "p", "duplicate-submission", 2.0]]
