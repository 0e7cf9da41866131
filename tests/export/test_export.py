"""``folge export``: SPSS, Stata and CSV with labels, missing codes, codebooks, and the round trip back in."""

from __future__ import annotations

import re

import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner
from folge import InputError
from folge.cli import cli
from folge.definitions import load_study
from folge.export import codebook_path, export_responses, truncate_bytes
from folge.ingest import ingest_file
from folge.scoring import score_instrument
from folge.store import Store

INSTRUMENT = "participant-survey"
KEYS = ["respondent_pseudonym", "region", "wave", "role"]


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def stored(root):
    with Store.open(root) as store:
        return store.responses(INSTRUMENT).drop(columns="version").sort_values("respondent").reset_index(drop=True)


# ---------------------------------------------------------------- SPSS
def test_sav_opens_with_labels_and_missing_codes(filled, tmp_path):
    code, out = run("export", "--study", filled, "--format", "sav", "-o", tmp_path / "byreg.sav")
    assert code == 0, out
    data, meta = pyreadstat.read_sav(str(tmp_path / "byreg.sav"), user_missing=True)
    study = load_study(filled)
    instrument = study.instruments[INSTRUMENT]
    numeric = [i.id for i in instrument.items if i.scale.is_numeric]
    assert list(data.columns) == KEYS + numeric  # free text left out by default
    assert len(data) == 14
    assert meta.column_names_to_labels["lc1"] == study.items["lc1"].text["nb"]
    assert meta.column_names_to_labels["region"] == "Byregion"
    assert meta.variable_value_labels["lc1"][6.0] == "Helt enig"
    assert meta.variable_value_labels["lc1"][9.0] == "Vet ikke"
    assert meta.variable_value_labels["chain_used"] == {0.0: "Nei", 1.0: "Ja", 9.0: "Vet ikke"}
    assert meta.missing_ranges["apol1"] == [{"lo": 9.0, "hi": 9.0}]
    assert meta.variable_measure["lc1"] == "ordinal"
    # user-missing read as missing by default
    plain, _ = pyreadstat.read_sav(str(tmp_path / "byreg.sav"))
    assert (data[numeric] == 9).sum().sum() > 0 and (plain[numeric] == 9).sum().sum() == 0
    assert (tmp_path / "byreg.codebook.csv").is_file()


def test_sav_in_english_and_nynorsk(filled, tmp_path):
    for lang, expected in (("en", "Strongly agree"), ("nn", "Heilt samd")):
        path = tmp_path / f"{lang}.sav"
        assert run("export", "--study", filled, "--format", "sav", "-o", path, "--lang", lang)[0] == 0
        _, meta = pyreadstat.read_sav(str(path))
        assert meta.variable_value_labels["lc1"][6.0] == expected
        assert meta.column_names_to_labels["lc1"] == load_study(filled).items["lc1"].text[lang]


def test_only_pseudonyms_leave_the_store(filled, tmp_path):
    for fmt in ("csv", "sav", "dta"):
        path = tmp_path / f"e.{fmt}"
        assert run("export", "--study", filled, "--format", fmt, "-o", path)[0] == 0
        assert b"BYREG-" not in path.read_bytes()
    frame = pd.read_csv(tmp_path / "e.csv", dtype=str)
    assert frame["respondent_pseudonym"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert set(frame["respondent_pseudonym"]) == set(stored(filled)["respondent"])


# ---------------------------------------------------------------- Stata and CSV
def test_dta_extended_missing_and_value_labels(filled, tmp_path):
    path = tmp_path / "byreg.dta"
    assert run("export", "--study", filled, "--format", "dta", "-o", path)[0] == 0
    data, meta = pyreadstat.read_dta(str(path), user_missing=True)
    assert meta.missing_user_values["lc1"] == ["a"]
    assert meta.variable_value_labels["lc1"]["a"] == "Vet ikke" and meta.variable_value_labels["lc1"][1] == "Helt uenig"
    nines = (stored(filled).drop(columns=["respondent", "region", "wave", "role", "comment"]) == 9).sum().sum()
    assert (data == "a").sum().sum() == nines
    assert all(len(label) <= 80 for label in meta.column_labels)
    plain, _ = pyreadstat.read_dta(str(path))
    assert (plain.select_dtypes("number") == 9).sum().sum() == 0  # Stata sees them as missing
    book = pd.read_csv(codebook_path(path), dtype=str, keep_default_na=False)
    assert book.set_index("variable").loc["lc1", "missing_in_file"] == "9 = .a"


def test_csv_with_codes_and_a_labels_codebook(filled, tmp_path):
    path = tmp_path / "byreg.csv"
    assert run("export", "--study", filled, "--format", "csv", "-o", path, "--include-text")[0] == 0
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert frame.columns.tolist()[:4] == KEYS and frame.columns[-1] == "comment"
    assert "9" in set(frame["lc1"]) | set(frame["lc2"]) | set(frame["apol1"])
    book = pd.read_csv(codebook_path(path), dtype=str, keep_default_na=False).set_index("variable")
    assert list(book.index) == list(frame.columns)
    row = book.loc["lc1"]
    assert row["label"] == load_study(filled).items["lc1"].text["nb"]
    assert row["value_labels"].startswith("1=Helt uenig | 2=Uenig") and row["value_labels"].endswith("9=Vet ikke")
    assert (row["scale"], row["missing_codes"], row["reverse"], row["type"]) == ("agree6", "9", "false", "integer")
    assert book.loc["lc6", "reverse"] == "true" and book.loc["comment", "type"] == "string"


def test_one_file_per_instrument(filled, tmp_path):
    from folge.definitions import load_study as load

    status = tmp_path / "status.csv"
    status.write_text("region,s_unused\n", encoding="utf-8")
    study = load(filled)
    region_items = study.instruments["region-status"].item_ids
    status.write_text("region," + ",".join(region_items) + "\nkongsberg," + ",".join("1" for _ in region_items)
                      + "\n", encoding="utf-8")
    assert ingest_file(study, status, "2015-1").stored == 1
    code, out = run("export", "--study", filled, "--format", "sav", "-o", tmp_path / "out" / "byreg.sav")
    assert code == 0, out
    assert (tmp_path / "out" / "byreg_participant-survey.sav").is_file()
    assert (tmp_path / "out" / "byreg_participant-survey.codebook.csv").is_file()
    data, _ = pyreadstat.read_sav(str(tmp_path / "out" / "byreg_region-status.sav"))
    assert list(data.columns[:2]) == ["region", "wave"] and "respondent_pseudonym" not in data.columns
    code, _ = run("export", "--study", filled, "--format", "csv", "-o", tmp_path / "one.csv",
                  "--instrument", "region-status")
    assert code == 0 and (tmp_path / "one.csv").is_file()


def test_errors_are_clear(filled, tmp_path, fresh_study):
    code, out = run("export", "--study", filled, "--format", "sav", "-o", tmp_path / "x.sav",
                    "--instrument", "participant-survy")
    assert code == 1 and "did you mean 'participant-survey'" in out
    code, out = run("export", "--study", filled, "--format", "sav", "-o", tmp_path / "x.sav", "--wave", "2099-1")
    assert code == 1 and "unknown wave" in out
    empty = fresh_study(tmp_path / "empty")
    with Store.open(empty, create=True) as store, pytest.raises(InputError, match="nothing to export"):
        export_responses(load_study(empty), store, "sav", tmp_path / "y.sav")


def test_long_labels_are_cut_at_a_character_boundary():
    text = "æ" * 200
    cut = truncate_bytes(text, 256)
    assert len(cut.encode("utf-8")) <= 256 and cut.endswith("…") and re.fullmatch("æ+…", cut)


# ---------------------------------------------------------------- round trip
@pytest.mark.parametrize("fmt", ["sav", "dta", "csv"])
def test_reingesting_an_export_gives_the_same_values_and_scores(filled, tmp_path, fresh_study, fmt):
    path = tmp_path / f"byreg.{fmt}"
    assert run("export", "--study", filled, "--format", fmt, "-o", path, "--include-text")[0] == 0
    target = fresh_study(tmp_path / "again")
    result = ingest_file(load_study(target), path)
    assert (result.stored, result.quarantined) == (14, 0)
    assert not [w for w in result.warnings if w.code in ("unknown-column", "label-mismatch")]
    before, after = stored(filled), stored(target)
    pd.testing.assert_frame_equal(after, before)
    instrument = load_study(filled).instruments[INSTRUMENT]
    pd.testing.assert_frame_equal(score_instrument(instrument, after), score_instrument(instrument, before))
    # and into the study it came from: the same people, nothing new
    again = ingest_file(load_study(filled), path)
    assert (again.stored, again.skipped, again.quarantined) == (0, 14, 0)
