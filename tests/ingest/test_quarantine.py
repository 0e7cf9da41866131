"""Acceptance: every kind of bad row is quarantined with the right code; counts add up;
a second ingest of the same file changes nothing."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from folge import InputError
from folge.ingest import CODES, ingest_file
from folge.store import Store

# row (as in the file: header = 1) → the codes it must get; None = stored
BAD_FILE = """\
respondent;region;wave;role;t1;t2;t3;y1;y2;y3;comment
RAW-OK-01;kongsberg;2015-1;politician;1;2;3;0;1;9;fin
RAW-OK-02;Grenland;2015-1;Business;5;4,0;4.0;1;1;0;store bokstaver og 4,0 går bra
RAW-BAD-03;kongsbrg;2015-1;politician;1;1;1;1;1;1;
RAW-BAD-04;rana;2015-1;politican;1;1;1;1;1;1;
RAW-BAD-05;rana;2051-1;business;1;1;1;1;1;1;
RAW-BAD-06;rana;2015-1;business;7;1;1;1;1;1;
RAW-BAD-07;rana;2015-1;business;1;x;1;1;1;1;
RAW-BAD-08;rana;2015-1;business;1;1;2.5;1;2;1;
RAW-DUP-09;grenland;2015-1;politician;2;2;2;1;1;1;
RAW-DUP-09;grenland;2015-1;politician;2;2;2;1;1;1;
RAW-DUP-10;grenland;2015-1;administration;2;2;2;1;1;1;
RAW-DUP-10;grenland;2015-1;administration;3;3;3;1;1;1;
;kongsberg;2015-1;business;1;1;1;1;1;1;
RAW-BAD-14;kongsberg;2015-1;business;;;;;;;
RAW-OK-15;kongsberg;;administration;9;9;9;9;9;9;
RAW-BAD-16;kongsberg;2016-1;administration;1;1;1;1;1;1;
RAW-BAD-17;;2015-1;;abc;;;;;;
"""

EXPECTED = {
    2: None, 3: None,
    4: {"unknown-region"},
    5: {"unknown-role"},
    6: {"unknown-wave"},
    7: {"out-of-range"},
    8: {"not-a-number"},
    9: {"out-of-range"},
    10: {"duplicate-in-file"}, 11: {"duplicate-in-file"},
    12: {"duplicate-in-file"}, 13: {"duplicate-in-file"},
    14: {"missing-respondent"},
    15: {"no-answers"},
    16: None,
    17: {"wave-mismatch"},
    18: {"unknown-region", "unknown-role", "not-a-number"},
}


@pytest.fixture
def bad_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(BAD_FILE.encode("cp1252"))
    return path


def test_every_bad_row_has_its_code(study, bad_file):
    result = ingest_file(study, bad_file, "2015-1")
    assert result.read == 17
    assert result.read == result.stored + result.skipped + result.quarantined
    assert result.stored == sum(v is None for v in EXPECTED.values()) == 3
    assert result.quarantined == 14
    with Store.open(study.root) as store:
        q = store.quarantine()
        stored = store.responses("survey")
    got = {int(r.row): set(r.codes.split()) for r in q.itertuples()}
    assert got == {row: codes for row, codes in EXPECTED.items() if codes}
    assert set().union(*got.values()) <= set(CODES)
    assert len(stored) == 3
    # canonical ids are stored even when the file wrote a name or another case
    assert set(stored["region"]) == {"kongsberg", "grenland"}
    assert set(stored["role"]) == {"politician", "business", "administration"}
    row3 = stored[stored["region"] == "grenland"].iloc[0]
    assert (row3["t2"], row3["t3"]) == (4, 4)  # "4,0" and "4.0" are whole numbers


def test_reasons_name_column_value_and_a_fix(study, bad_file):
    ingest_file(study, bad_file, "2015-1")
    with Store.open(study.root) as store:
        q = store.quarantine().set_index("row")
    assert "unknown-region:region:kongsbrg: unknown region 'kongsbrg' (did you mean 'kongsberg'?)" == q.loc[4, "reasons"]
    assert "did you mean 'politician'?" in q.loc[5, "reasons"]
    assert "did you mean '2016-1'?" in q.loc[6, "reasons"]
    assert q.loc[7, "reasons"].startswith("out-of-range:t1:7:")
    assert q.loc[8, "reasons"].startswith("not-a-number:t2:x:")
    assert "rows 12, 13" in q.loc[12, "reasons"]
    values = json.loads(q.loc[7, "values"])
    assert values["t1"] == "7" and values["region"] == "rana"
    assert len(values["respondent"]) == 64  # the pseudonym, not the raw id
    assert pd.isna(q.loc[14, "respondent"])


def test_second_ingest_changes_nothing(study, bad_file):
    first = ingest_file(study, bad_file, "2015-1")
    with Store.open(study.root) as store:
        before = (store.snapshot_hash(), len(store.quarantine()), len(store.imports()))
    second = ingest_file(study, bad_file, "2015-1")
    assert second.duplicate_file
    assert (second.read, second.stored, second.skipped, second.quarantined) == (17, 0, 17, 0)
    assert second.import_id == first.import_id
    with Store.open(study.root) as store:
        assert (store.snapshot_hash(), len(store.quarantine()), len(store.imports())) == before


def test_identical_rows_in_another_file_are_skipped_and_different_ones_conflict(study, tiny, tmp_path):
    frame = tiny.good_rows()
    first = ingest_file(study, tiny.write_csv(tmp_path / "a.csv", frame), "2015-1")
    assert first.stored == 6
    changed = frame.copy()
    changed.loc[0, "t1"] = "5"                      # a different answer: conflict
    changed.loc[1, "comment"] = "  "                # blank like before: identical
    changed["t2"] = changed["t2"].replace("4", "4.0")  # the same number written otherwise: identical
    extra = pd.DataFrame([["RAW-ID-0099", "rana", "2015-1", "business", "1", "1", "1", "1", "1", "1", ""]],
                         columns=frame.columns)
    second = ingest_file(study, tiny.write_csv(tmp_path / "b.csv", pd.concat([changed, extra])), "2015-1")
    assert (second.read, second.stored, second.skipped, second.quarantined) == (7, 1, 5, 1)
    assert second.codes == {"conflict": 1}
    with Store.open(study.root) as store:
        q = store.quarantine()
        stored = store.responses("survey")
    assert q.iloc[0]["codes"] == "conflict" and "t1: stored 1, here 5" in q.iloc[0]["reasons"]
    assert len(stored) == 7  # never silently overwritten
    assert 1 in set(stored["t1"])


def test_same_respondent_in_another_wave_is_a_panel(study, tiny, tmp_path):
    frame = tiny.good_rows()
    ingest_file(study, tiny.write_csv(tmp_path / "a.csv", frame), "2015-1")
    later = frame.assign(wave="2016-1")
    result = ingest_file(study, tiny.write_csv(tmp_path / "b.csv", later), "2016-1")
    assert result.stored == 6
    with Store.open(study.root) as store:
        stored = store.responses("survey")
        assert len(store.responses("survey", waves=["2016-1"])) == 6
    by_wave = stored.groupby("wave")["respondent"].apply(set)
    assert by_wave["2015-1"] == by_wave["2016-1"]


def test_warnings_for_unknown_and_missing_columns(study, tiny, tmp_path):
    frame = tiny.good_rows().drop(columns=["y3"]).assign(tt1="x", epost="a@b.no")
    result = ingest_file(study, tiny.write_csv(tmp_path / "a.csv", frame), "2015-1")
    codes = {(w.code, w.column) for w in result.warnings}
    assert ("missing-item-column", "y3") in codes  # one warning names every absent item
    assert ("unknown-column", "epost") in codes
    assert any(w.column == "tt1" and "did you mean 't1'" in w.message for w in result.warnings)
    assert result.stored == 6
    with Store.open(study.root) as store:
        assert store.responses("survey")["y3"].isna().all()
        assert "a@b.no" not in store.quarantine().to_csv()


def test_wave_from_the_file_when_not_given(study, tiny, tmp_path):
    frame = tiny.good_rows()
    frame.loc[3:, "wave"] = "2016-1"
    result = ingest_file(study, tiny.write_csv(tmp_path / "a.csv", frame), None)
    assert result.stored == 6 and result.waves == ("2015-1", "2016-1")


@pytest.mark.parametrize("drop, wave, message", [
    ("respondent", "2015-1", "lacks the column(s) respondent"),
    ("region", "2015-1", "lacks the column(s) region"),
    ("wave", None, "or give --wave"),
])
def test_missing_required_column_is_an_input_error(study, tiny, tmp_path, drop, wave, message):
    path = tiny.write_csv(tmp_path / "a.csv", tiny.good_rows().drop(columns=[drop]))
    with pytest.raises(InputError, match=re.escape(message)):
        ingest_file(study, path, wave)


def test_unknown_wave_argument_is_an_input_error(study, tiny, tmp_path):
    path = tiny.write_csv(tmp_path / "a.csv", tiny.good_rows())
    with pytest.raises(InputError, match=r"unknown wave '2015-l' \(did you mean '2015-1'\?\)"):
        ingest_file(study, path, "2015-l")


def test_region_level_instrument(study, tmp_path):
    path = tmp_path / "status.csv"
    path.write_text("region,wave,s1,s2,s3\nkongsberg,2015-1,1,0,1\nrana,2015-1,1,1,9\n"
                    "rana,2015-1,1,1,1\nGrenland,2015-1,0,0,0\n", encoding="utf-8")
    result = ingest_file(study, path, "2015-1")
    assert result.instrument == "status"
    assert (result.stored, result.quarantined) == (2, 2)
    assert result.codes == {"duplicate-in-file": 2, "out-of-range": 1}  # no don't-know code on yesno_plain
    with Store.open(study.root) as store:
        frame = store.responses("status")
    assert frame["role"].isna().all() and frame["respondent"].isna().all()
    assert frame.columns.tolist() == ["respondent", "region", "wave", "role", "version", "s1", "s2", "s3"]


def test_absent_item_columns_give_one_warning_naming_them_all(study, tiny, tmp_path):
    frame = tiny.good_rows().drop(columns=["y2", "y3"])
    result = ingest_file(study, tiny.write_csv(tmp_path / "short.csv", frame), "2015-1")
    absent = [w for w in result.warnings if w.code == "missing-item-column"]
    assert len(absent) == 1
    assert absent[0].column == "y2, y3" and "2 item(s)" in absent[0].message
