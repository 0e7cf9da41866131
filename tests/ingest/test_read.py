"""Reading files: formats, encodings, delimiters, row numbers, and files that cannot be read."""

from __future__ import annotations

import pandas as pd
import pytest
from folge import InputError
from folge.ingest import (
    HEADER_MAPS,
    choose_instrument,
    ingest_file,
    map_headers,
    parse_number,
    read_response_file,
    register_header_map,
)

TEXT = "respondent;region;comment\nR1;rana;Blåbær og ærlig øl\nR2;rana;\n"


@pytest.mark.parametrize("encoding, data, name", [
    ("utf-8", TEXT.encode("utf-8"), "UTF-8"),
    ("utf-8-sig", TEXT.encode("utf-8-sig"), "UTF-8 with BOM"),
    ("cp1252", TEXT.replace("ærlig", "ærlig – «sitat»").encode("cp1252"), "cp1252"),
    ("latin-1", TEXT.encode("latin-1") + b"R3;rana;\x81\n", "Latin-1"),
    ("utf-16", TEXT.encode("utf-16"), "UTF-16"),
])
def test_encodings_are_detected_and_reported(tmp_path, encoding, data, name):
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    raw = read_response_file(path)
    assert raw.encoding == encoding
    assert raw.description == f"CSV, {name}, ';'"
    assert raw.frame.columns.tolist() == ["respondent", "region", "comment"]
    assert raw.frame.loc[0, "comment"].startswith("Blåbær og ærlig")


@pytest.mark.parametrize("sep, fmt, shown", [(",", "csv", "','"), (";", "csv", "';'"), ("\t", "tsv", "TSV")])
def test_delimiters(tmp_path, sep, fmt, shown):
    path = tmp_path / "a.txt"
    path.write_text(TEXT.replace(";", sep), encoding="utf-8")
    raw = read_response_file(path)
    assert raw.format == fmt and raw.delimiter == sep
    assert shown in raw.description
    assert raw.frame.shape == (2, 3)


def test_blank_lines_are_ignored_but_row_numbers_kept(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n\n,\n3,4\n", encoding="utf-8")
    raw = read_response_file(path)
    assert raw.frame.values.tolist() == [["1", "2"], ["3", "4"]]
    assert raw.row_numbers.tolist() == [2, 5]
    assert raw.blank_rows == 2


def test_rows_of_the_wrong_width_are_reported_per_row(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,b,c\n1,2,3\n4,5,6,7\n8,9\n10,11,12,,\n", encoding="utf-8")
    raw = read_response_file(path)
    assert raw.frame.values.tolist() == [["1", "2", "3"], ["4", "5", "6"], ["8", "9", ""], ["10", "11", "12"]]
    assert {raw.row_numbers[p]: [r.code for r in found] for p, found in raw.row_reasons.items()} == {
        3: ["malformed-row"], 4: ["malformed-row"]}


def test_quoted_fields_with_delimiters_and_newlines(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('a,b\n"x, ""y""\nz",2\n', encoding="utf-8")
    raw = read_response_file(path)
    assert raw.frame.loc[0, "a"] == 'x, "y"\nz'


def test_repeated_and_blank_header_names(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,,a,\n1,2,3,\n", encoding="utf-8")
    raw = read_response_file(path)
    assert raw.frame.columns.tolist() == ["a", "column_2", "a#2"]
    assert raw.duplicate_columns == ("a",)


def test_a_repeated_item_column_is_refused(study, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("respondent,region,role,t1,t1\nR1,rana,business,1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="t1 appear more than once"):
        ingest_file(study, path, "2015-1")


@pytest.mark.parametrize("name, data, message", [
    ("empty.csv", b"", "empty"),
    ("blank.csv", b"\n \n", "empty"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel"),
    ("broken.xlsx", b"PK\x03\x04not really a zip", "cannot open as an Excel workbook"),
    ("broken.sav", b"$FL2 not really spss", "cannot read as SPSS"),
    ("broken.dta", b"<stata_dta> nope", "cannot read as Stata"),
    ("fake.xlsx", b"a,b\n1,2\n", "not such a file"),
])
def test_unreadable_files_raise_input_error(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match=message):
        read_response_file(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_response_file(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="is a folder"):
        read_response_file(tmp_path)


@pytest.mark.parametrize("text, expected", [
    ("4", ("int", 4)), (" 4 ", ("int", 4)), ("+4", ("int", 4)), ("04", ("int", 4)), ("4.0", ("int", 4)),
    ("4,0", ("int", 4)), ("4.", ("int", 4)), ("4e0", ("int", 4)), ("-1", ("int", -1)),
    ("4.5", ("fraction", 4.5)), ("", ("blank", None)), ("  ", ("blank", None)),
    ("fire", ("text", None)), ("nan", ("text", None)), ("inf", ("text", None)), ("1_000", ("text", None)),
    ("4 5", ("text", None)), ("1e999", ("fraction", float("inf"))),
])
def test_parse_number(text, expected):
    assert parse_number(text) == expected


def test_huge_numbers_are_out_of_range_not_a_crash():
    kind, _ = parse_number("9" * 5000)
    assert kind == "fraction"


def test_header_aliases_and_case(study):
    mapping = map_headers(["Respondent_ID", " Region ", "BØLGE", "Rolle", "T1", "learning/y1", "other"], study)
    assert mapping.name == "canonical"
    assert dict(mapping.mapping) == {"Respondent_ID": "respondent", " Region ": "region", "BØLGE": "wave",
                                     "Rolle": "role", "T1": "t1", "learning/y1": "y1"}


def test_two_columns_meaning_the_same_are_refused(study):
    with pytest.raises(InputError, match="both mean 'respondent'"):
        map_headers(["respondent", "id"], study)


def test_a_registered_header_map_is_used_when_it_fits_better(study, tiny, tmp_path):
    def limesurvey(columns, study):
        return {c: c.split("[")[0].lower() for c in columns if c.startswith("Q") and "[" in c} | {
            c: c for c in columns if c in ("respondent", "region", "role")}

    register_header_map("test-limesurvey", lambda cols, st: {
        c: {"Q1[SQ001]": "t1", "Q1[SQ002]": "t2", "Q1[SQ003]": "t3"}.get(c, c) for c in cols
        if c in ("Q1[SQ001]", "Q1[SQ002]", "Q1[SQ003]", "respondent", "region", "role")})
    try:
        path = tmp_path / "lime.csv"
        path.write_text("respondent,region,role,Q1[SQ001],Q1[SQ002],Q1[SQ003]\nR1,rana,business,1,2,3\n",
                        encoding="utf-8")
        result = ingest_file(study, path, "2015-1")
        assert result.stored == 1 and "headers: test-limesurvey" in result.description
    finally:
        HEADER_MAPS.pop("test-limesurvey")
    assert limesurvey(["Q1[SQ001]"], study) == {"Q1[SQ001]": "q1"}


def test_instrument_recognised_given_or_refused(study):
    assert choose_instrument(study, None, ["respondent", "t1", "t2", "comment"]).id == "survey"
    assert choose_instrument(study, None, ["region", "s1"]).id == "status"
    assert choose_instrument(study, "status", ["t1"]).id == "status"
    with pytest.raises(InputError, match="did you mean 'survey'"):
        choose_instrument(study, "survy", ["t1"])
    with pytest.raises(InputError, match="cannot tell which instrument"):
        choose_instrument(study, None, ["respondent", "region", "x"])


def test_label_mismatch_is_a_warning(study, tmp_path):
    import pyreadstat

    frame = pd.DataFrame({"respondent": ["R1"], "region": ["rana"], "role": ["business"], "t1": [1.0]})
    path = tmp_path / "a.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"t1": {1.0: "Helt enig", 7.0: "Sju"}})
    result = ingest_file(study, path, "2015-1")
    assert [w.code for w in result.warnings if w.code != "missing-item-column"] == ["label-mismatch"]
    assert result.stored == 1
