"""KoBoToolbox and ODK Central header maps, labels back to codes, and respondent_pseudonym."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from folge import InputError
from folge.cli import cli
from folge.definitions import load_study
from folge.ingest import map_headers
from folge.ingest._platforms import (
    IGNORED,
    kobo_header_map,
    kobo_labels_header_map,
    odk_header_map,
)
from folge.pseudonym import pseudonymise


@pytest.fixture(scope="module")
def study(repo_root):
    return load_study(repo_root)


@pytest.fixture
def root(tmp_path, helpers):
    return helpers.new_study(tmp_path / "study")


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


# ---------------------------------------------------------------- header maps
def test_kobo_groups_bare_and_meta(study):
    found = kobo_header_map(["start", "end", "respondent", "learning-culture/lc1", "lc2", "_id", "_uuid",
                             "__version__", "_index", "meta/instanceID", "something"], study)
    assert found["learning-culture/lc1"] == "lc1" and found["lc2"] == "lc2" and found["respondent"] == "respondent"
    assert all(found[m].startswith(IGNORED) for m in ("start", "end", "_id", "_uuid", "__version__", "_index",
                                                      "meta/instanceID"))
    assert "something" not in found


def test_odk_group_paths_split_at_the_last_dash(study):
    found = odk_header_map(["SubmissionDate", "trust-interpersonal-tip1", "learning-chain-chain_used",
                            "meta-instanceID", "KEY", "ReviewState", "vision-nothing"], study)
    assert found["trust-interpersonal-tip1"] == "tip1" and found["learning-chain-chain_used"] == "chain_used"
    assert {k for k, v in found.items() if v.startswith(IGNORED)} == {"SubmissionDate", "meta-instanceID", "KEY",
                                                                      "ReviewState"}
    assert "vision-nothing" not in found


def test_kobo_labels_any_language_with_or_without_group(study):
    lc1 = study.items["lc1"]
    found = kobo_labels_header_map([
        lc1.text["nb"], f"Læringskultur/{study.items['lc2'].text['nb']}", study.items["lc3"].text["en"],
        "Byregion", "Din rolle i arbeidet", "Panel code (from the invitation)", "_id", "Hva som helst"], study)
    assert list(found.values())[:6] == ["lc1", "lc2", "lc3", "region", "role", "respondent"]
    assert found["_id"].startswith(IGNORED) and "Hva som helst" not in found


def test_canonical_file_keeps_the_canonical_map(study):
    assert map_headers(["respondent", "region", "role", "lc1", "lc2"], study).name == "canonical"
    assert map_headers(["respondent", "region", "role", "lc1", "_uuid"], study).name == "kobotoolbox"
    assert map_headers(["respondent", "region", "role", "learning-culture-lc1", "KEY"], study).name == "odk-central"


def test_unknown_label_answer_is_quarantined_not_guessed(root, helpers, tmp_path, study):
    header = ["Panelkode (fra invitasjonen)", "Byregion", "Din rolle i arbeidet", study.items["lc1"].text["nb"],
              study.items["apol1"].text["nb"]]
    path = tmp_path / "labels.csv"
    pd.DataFrame([["p1", "Grenland", "Næringsliv", "Helt enig", "Nesten enig"]], columns=header).to_csv(
        path, index=False, sep=";")
    result, _ = helpers.ingest(root, path)
    assert "kobotoolbox-labels" in result.description
    assert result.quarantined == 1 and result.codes == {"not-a-number": 1}


# ---------------------------------------------------------------- respondent_pseudonym
def _pseudonym_file(path: Path, ids) -> Path:
    rows = [[i, "kongsberg", "business", "4"] for i in ids]
    pd.DataFrame(rows, columns=["respondent_pseudonym", "region", "role", "lc1"]).to_csv(path, index=False)
    return path


def test_pseudonyms_are_stored_as_they_are(root, helpers, tmp_path):
    key = b"platform-tests-key-not-secret"
    pseudonym = pseudonymise(key, "BYREG-1001")
    result, stored = helpers.ingest(root, _pseudonym_file(tmp_path / "p.csv", [pseudonym]))
    assert result.stored == 1 and stored.loc[0, "respondent"] == pseudonym
    # the same person from a raw-id file is the same respondent: identical answers are skipped
    raw = tmp_path / "raw.csv"
    pd.DataFrame([["BYREG-1001", "kongsberg", "business", "4"]],
                 columns=["respondent", "region", "role", "lc1"]).to_csv(raw, index=False)
    result, stored = helpers.ingest(root, raw)
    assert (result.stored, result.skipped) == (0, 1) and len(stored) == 1


def test_raw_ids_in_the_pseudonym_column_are_refused(root, helpers, tmp_path):
    with pytest.raises(InputError, match="must hold folge pseudonyms") as caught:
        helpers.ingest(root, _pseudonym_file(tmp_path / "p.csv", ["a" * 64, "BYREG-1001"]))
    assert "BYREG-1001" not in str(caught.value) and "rows 3" in str(caught.value)


def test_pseudonym_and_respondent_together_are_refused(root, helpers, tmp_path):
    path = tmp_path / "both.csv"
    pd.DataFrame([["x", "a" * 64, "kongsberg", "business", "4"]],
                 columns=["respondent", "respondent_pseudonym", "region", "role", "lc1"]).to_csv(path, index=False)
    with pytest.raises(InputError, match="both 'respondent' and 'respondent_pseudonym'"):
        helpers.ingest(root, path)


def test_blank_pseudonym_is_quarantined(root, helpers, tmp_path):
    result, _ = helpers.ingest(root, _pseudonym_file(tmp_path / "p.csv", ["b" * 64, ""]))
    assert (result.stored, result.quarantined) == (1, 1) and result.codes == {"missing-respondent": 1}


# ---------------------------------------------------------------- command line
def test_cli_columns_by_name(root, helpers):
    code, out = run("ingest", helpers.FIXTURES / "nettskjema.csv", "--wave", "2015-1", "--columns", "nettskjema",
                    "--study", root)
    assert code == 0, out
    assert "columns: Nettskjema" in out and "Lagret / stored: 14" in out


def test_cli_broken_map_reports_every_problem(root, helpers, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("folge_column_map: 1\ncolums: {}\nmissing: {-1: [1]}\n", encoding="utf-8")
    code, out = run("ingest", helpers.FIXTURES / "nettskjema.csv", "--wave", "2015-1", "--columns", bad,
                    "--study", root)
    assert code == 1
    assert "2 problem(s)" in out and "colums" in out and "missing.-1" in out


def test_cli_help_mentions_columns():
    code, out = run("ingest", "--help")
    assert code == 0 and "--columns" in out and "limesurvey" in out
