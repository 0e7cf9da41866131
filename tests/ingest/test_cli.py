"""``folge ingest``, ``folge status``, ``folge quarantine`` and ``folge erase`` from the command line."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner
from folge.cli import cli


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def test_ingest_status_quarantine_erase(study_root, tiny, tmp_path):
    frame = tiny.good_rows()
    bad = pd.concat([frame, pd.DataFrame([["RAW-X", "kongsbrg", "2015-1", "business", "1", "1", "1", "1", "1", "1", ""]],
                                         columns=frame.columns)])
    path = tiny.write_csv(tmp_path / "svar.csv", bad, sep=";", encoding="cp1252")

    code, out = run("ingest", path, "--wave", "2015-1", "--study", study_root)
    assert code == 0, out
    assert "CSV, cp1252, ';'" in out
    assert "Lest / read 7 = lagret / stored 6 + hoppet over / skipped 0 + karantene / quarantined 1" in out
    assert "gjenkjent fra kolonnene / recognised from the columns" in out
    assert "unknown-region 1" in out

    code, out = run("ingest", path, "--wave", "2015-1", "--study", study_root)
    assert code == 0 and "Allerede lest inn / already ingested" in out

    code, out = run("status", "--study", study_root)
    assert code == 0 and "survey" in out and "2015-1" in out and "unknown-region" in out

    code, out = run("quarantine", "--study", study_root)
    assert code == 0 and "svar.csv rad / row 8" in out and "did you mean 'kongsberg'" in out
    export = tmp_path / "out" / "q.csv"
    code, out = run("quarantine", "--study", study_root, "--export", export)
    assert code == 0
    exported = pd.read_csv(export, encoding="utf-8")
    assert exported.columns[:5].tolist() == ["source", "row", "respondent", "instrument", "version"]
    assert exported["row"].tolist() == [8]
    assert "RAW-X" not in export.read_text(encoding="utf-8")

    code, out = run("erase", "--respondent", "RAW-ID-0001", "--study", study_root)
    assert code == 0 and "Slettet / erased 1 rader / rows" in out
    code, out = run("erase", "--respondent", "RAW-ID-0001", "--study", study_root)
    assert code == 0 and "ingenting slettet / nothing erased" in out
    code, out = run("erase", "--study", study_root)
    assert code == 2  # usage: one of --respondent and --pseudonym


def test_erase_by_pseudonym(study_root, tiny, tmp_path):
    from folge.pseudonym import pseudonymise

    run("ingest", tiny.write_csv(tmp_path / "a.csv", tiny.good_rows()), "--wave", "2015-1", "--study", study_root)
    later = tiny.good_rows().assign(wave="2016-1")
    run("ingest", tiny.write_csv(tmp_path / "b.csv", later), "--wave", "2016-1", "--study", study_root)
    code, out = run("erase", "--pseudonym", pseudonymise(b"test-key-not-secret", "RAW-ID-0002"), "--study", study_root)
    assert code == 0 and "Slettet / erased 2 rader / rows (svar / answers 2, karantene / quarantine 0)" in out


def test_unreadable_file_exits_1(study_root, tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    code, _ = run("ingest", tmp_path / "empty.csv", "--wave", "2015-1", "--study", study_root)
    assert code == 1


def test_status_without_a_store_is_a_clear_error(study_root):
    result = CliRunner().invoke(cli, ["status", "--study", str(study_root)])
    assert result.exit_code == 1
    assert "nothing has been ingested yet" in result.output
