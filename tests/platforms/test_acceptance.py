"""Acceptance: every platform fixture stores exactly what ``canonical.csv`` stores.

KoBoToolbox ("XML values and headers" CSV and XLSX, "labels" XLSX and CSV) and ODK
Central need no map; LimeSurvey, Nettskjema and Questback EFS use the maps shipped in
``instruments/maps/``. Pseudonyms are compared too (one key): the same people.
"""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture(scope="module")
def imported(tmp_path_factory, helpers):
    mp = pytest.MonkeyPatch()
    mp.setenv("FOLGE_KEY", "platform-tests-key-not-secret")
    out = {}
    try:
        for name, (columns, _) in helpers.CASES.items():
            root = helpers.new_study(tmp_path_factory.mktemp(name.replace(".", "_")) / "study")
            out[name] = helpers.ingest(root, helpers.FIXTURES / name, columns)
    finally:
        mp.undo()
    return out


@pytest.mark.parametrize("name", [
    "kobo_xml.csv", "kobo_xml_bare.xlsx", "kobo_labels.xlsx", "kobo_labels_en.csv", "odk_central.csv",
    "limesurvey_codes.csv", "limesurvey_answers.csv", "nettskjema.csv", "questback_efs.csv"])
def test_same_stored_values_as_canonical(imported, canonical_stored, name):
    result, stored = imported[name]
    pd.testing.assert_frame_equal(stored, canonical_stored)
    assert (result.read, result.stored, result.quarantined) == (14, 14, 0)


@pytest.mark.parametrize("name", ["kobo_xml.csv", "kobo_xml_bare.xlsx", "kobo_labels.xlsx", "kobo_labels_en.csv",
                                  "odk_central.csv", "limesurvey_codes.csv", "limesurvey_answers.csv",
                                  "nettskjema.csv", "questback_efs.csv"])
def test_platform_is_named_and_its_columns_ignored_quietly(imported, helpers, name):
    result, _ = imported[name]
    assert helpers.CASES[name][1] in result.description
    codes = [w.code for w in result.warnings]
    assert "unknown-column" not in codes, [str(w) for w in result.warnings]
    assert "missing-item-column" not in codes


def test_canonical_answers_have_what_the_comparison_needs(canonical_stored):
    """The shared answers exercise blanks, don't-know codes and free text with æøå and a line break."""
    items = canonical_stored.drop(columns=["respondent", "region", "wave", "role", "comment"])
    assert (items == 9).sum().sum() > 20
    assert items.isna().sum().sum() > 20
    comments = canonical_stored["comment"].dropna().tolist()
    assert any("\n" in c for c in comments) and any("æ" in c or "ø" in c for c in comments)
    assert canonical_stored["role"].nunique() == 7 and canonical_stored["region"].nunique() == 10


def test_efs_broken_off_interview_is_dropped_and_counted(imported):
    result, stored = imported["questback_efs.csv"]
    dropped = [w for w in result.warnings if w.code == "rows-dropped"]
    assert len(dropped) == 1 and dropped[0].column == "dispcode" and dropped[0].value == "1"
    assert len(stored) == 14


def test_odk_rows_newest_first_do_not_matter(helpers):
    text = (helpers.FIXTURES / "odk_central.csv").read_text(encoding="utf-8").splitlines()
    assert text[0].startswith("SubmissionDate,respondent,region,role,learning-culture-lc1,")
    assert text[0].endswith("meta-instanceID,KEY,SubmitterID,SubmitterName,AttachmentsPresent,AttachmentsExpected,"
                            "Status,ReviewState,DeviceID,Edits,FormVersion")
    dates = [line.split(",", 1)[0] for line in text[1:] if line[:4] == "2015"]
    assert dates == sorted(dates, reverse=True)


def test_kobo_csv_is_as_documented(helpers):
    data = (helpers.FIXTURES / "kobo_xml.csv").read_bytes()
    header = data.split(b"\r\n", 1)[0].decode("utf-8")
    assert header.startswith('"start";"end";"respondent";"region";"role";"learning-culture/lc1";')
    for meta in ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
                 "_submitted_by", "__version__", "_tags", "_index"):
        assert f'"{meta}"' in header
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data


def test_limesurvey_has_bom_and_code_headings(helpers):
    data = (helpers.FIXTURES / "limesurvey_codes.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b'"LEARNINGCULTURE[lc1]"' in data and b'"token"' in data
