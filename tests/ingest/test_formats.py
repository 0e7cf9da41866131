"""Acceptance: the same answers as cp1252 ';' CSV, XLSX, SPSS .sav and Stata .dta store identically."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest
from folge.definitions import load_study
from folge.ingest import ingest_file, read_response_file
from folge.store import Store

ITEMS = ["t1", "t2", "t3", "y1", "y2", "y3"]
LABELS = {"t1": {1.0: "Helt uenig", 2.0: "Delvis uenig", 3.0: "Verken eller", 4.0: "Delvis enig",
                 5.0: "Helt enig", 9.0: "Vet ikke"}}


def _numeric(frame: pd.DataFrame) -> pd.DataFrame:
    """The answers with item columns as floats (NaN for blank), as SPSS, Stata and Excel hold them."""
    out = frame.copy()
    for item in ITEMS:
        out[item] = pd.to_numeric(out[item].replace("", np.nan)).astype(float)
    return out


def _write_xlsx(frame: pd.DataFrame, path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Svar"
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([None if (isinstance(v, float) and np.isnan(v)) or v == "" else v for v in row])
    book.save(path)


def _write(tiny, kind: str, folder) -> object:
    frame = tiny.good_rows()
    if kind == "csv":
        return tiny.write_csv(folder / "answers.csv", frame, sep=";", encoding="cp1252")
    numeric = _numeric(frame)
    if kind == "xlsx":
        path = folder / "answers.xlsx"
        _write_xlsx(numeric, path)
    elif kind == "sav":
        path = folder / "answers.sav"
        pyreadstat.write_sav(numeric, str(path), variable_value_labels=LABELS, missing_ranges={"t1": [9]})
    else:
        path = folder / "answers.dta"
        pyreadstat.write_dta(numeric, str(path),
                             variable_value_labels={"t1": {int(k): v for k, v in LABELS["t1"].items()}})
    return path


@pytest.fixture(scope="module")
def stored(tmp_path_factory, tiny):
    """Each format ingested into its own copy of the tiny study; the responses per format."""
    base = tmp_path_factory.mktemp("formats")
    out = {}
    mp = pytest.MonkeyPatch()
    mp.setenv("FOLGE_KEY", "test-key-not-secret")
    for kind in ("csv", "xlsx", "sav", "dta"):
        root = tiny.make_study(base / kind)
        path = _write(tiny, kind, base)
        result = ingest_file(load_study(root), path, "2015-1")
        with Store.open(root) as store:
            out[kind] = (result, store.responses("survey"))
    mp.undo()
    return out


def test_detected_format_is_reported(stored):
    assert stored["csv"][0].description == "CSV, cp1252, ';'"
    assert stored["xlsx"][0].description.startswith("Excel XLSX")
    assert "sheet 'Svar'" in stored["xlsx"][0].description
    assert stored["sav"][0].description.startswith("SPSS .sav")
    assert "value labels on 1 column(s)" in stored["sav"][0].description
    assert stored["dta"][0].description.startswith("Stata .dta")


@pytest.mark.parametrize("kind", ["csv", "xlsx", "sav", "dta"])
def test_every_row_stored(stored, kind):
    result, frame = stored[kind]
    assert (result.read, result.stored, result.skipped, result.quarantined) == (6, 6, 0, 0)
    assert not [w for w in result.warnings if w.code != "label-mismatch"]
    assert len(frame) == 6


@pytest.mark.parametrize("kind", ["xlsx", "sav", "dta"])
def test_identical_stored_values(stored, kind):
    pd.testing.assert_frame_equal(stored[kind][1], stored["csv"][1])


def test_stored_values_are_the_answers(stored):
    frame = stored["csv"][1]
    assert frame["t1"].dtype == "Int64" and frame["comment"].dtype == "string"
    assert sorted(frame["comment"].dropna()) == sorted(
        ["Blåbærsyltetøy på Ørland", "Æ, ø og å", "«sitat» – tankestrek", "vet ikke"])
    # the don't-know code is kept as stored (scoring turns it into NA), blanks are NA
    assert set(frame["t1"].dropna()) == {1, 2, 3, 4, 5, 9}
    assert frame["t2"].isna().sum() == 1


def test_sav_keeps_user_missing_codes_and_labels(tmp_path, tiny):
    path = _write(tiny, "sav", tmp_path)
    raw = read_response_file(path)
    assert raw.labels["t1"]["9"] == "Vet ikke"
    assert "9" in set(raw.frame["t1"])  # SPSS user-missing 9 is not turned into a blank


def test_float_cells_become_whole_numbers(tmp_path):
    frame = pd.DataFrame({"respondent": [1001.0, 1002.0], "t1": [4.0, 2.5]})
    path = tmp_path / "f.xlsx"
    _write_xlsx(frame, path)
    raw = read_response_file(path)
    assert raw.frame["respondent"].tolist() == ["1001", "1002"]
    assert raw.frame["t1"].tolist() == ["4", "2.5"]
    assert raw.row_numbers.tolist() == [2, 3]


def test_same_pseudonym_whatever_the_format(stored):
    assert stored["csv"][1]["respondent"].tolist() == stored["sav"][1]["respondent"].tolist()
