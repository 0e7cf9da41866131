"""Degenerate studies give tables with NaN and notes, never an exception."""

from __future__ import annotations

import pandas as pd

from folge.analysis import run_analysis
from folge.definitions import load_study
from folge.ingest import ingest_file
from folge.study_folder import create_study


def _one_wave_of_few(tmp_path, rows: int):
    root = create_study(tmp_path / "study")
    # one region and role answered, in a closed wave of a frame that invites every region and
    # role: without this setting the weights stop with an error naming the empty cell
    study_file = root / "research" / "study.yaml"
    text = study_file.read_text(encoding="utf-8")
    study_file.write_text(text.replace("settings:\n", "settings:\n  weight_empty: collapse\n", 1), encoding="utf-8")
    study = load_study(root)
    survey = study.instruments["participant-survey"]
    region, role, wave = study.regions[0].id, study.roles[0].id, study.waves[0].id
    records = []
    for i in range(rows):
        record = {"respondent": f"P{i}", "region": region, "wave": wave, "role": role}
        for item in survey.items:
            record[item.id] = "" if not item.scale.is_numeric else str(item.scale.min + (i % 2))
        records.append(record)
    path = tmp_path / "few.csv"
    pd.DataFrame(records).to_csv(path, index=False)
    ingest_file(study, path, wave)
    return root, wave


def test_one_wave_one_region_and_instruments_not_fielded(tmp_path):
    root, wave = _one_wave_of_few(tmp_path, rows=3)
    result = run_analysis(root)
    tables = result.tables
    assert result.manifest["waves"] == [wave]
    assert set(tables["scores"]["instrument"]) == {"participant-survey"}
    assert tables["change"].empty and tables["panel"].empty
    trend = tables["trend"]
    assert trend["estimate"].isna().all() and trend["note"].str.len().gt(0).all()
    inv = tables["invariance"]
    assert inv["chi2"].isna().all() and inv["note"].str.len().gt(0).all()
    icc = tables["icc"]
    assert icc["icc1"].isna().all() and icc["note"].str.len().gt(0).all()
    raked = result.manifest["weighting"]["raked"]
    assert len(raked) == 1 and "no respondents" in raked[0]["note"]  # the collapse is reported
    levels = tables["levels"]
    assert levels["eb"].isna().all() and levels["note"].str.len().gt(0).all()  # one region: no EB


def test_a_single_respondent(tmp_path):
    root, _ = _one_wave_of_few(tmp_path, rows=1)
    tables = run_analysis(root).tables
    rel = tables["reliability"]
    assert rel["alpha"].isna().all() and rel["note"].str.len().gt(0).all()
    assert (tables["scores"]["score"].notna()).any()
