"""No raw respondent id is written anywhere under the study folder, quarantine included."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pyreadstat
from folge.definitions import load_study
from folge.ingest import ingest_file
from folge.pseudonym import load_key, pseudonymise
from folge.store import Store

RAW_IDS = ["Kari.Nordmann@kommune.no", "ola-nordmann-19650101", "RAW-ID-0001", "11223344556"]


def _all_bytes(root) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file() and p.parent.name != "instruments")


def test_no_raw_id_under_the_study_folder(study_root, tiny, tmp_path):
    study = load_study(study_root)
    files = tmp_path / "files"
    files.mkdir()
    frame = tiny.good_rows().iloc[:4].copy()
    frame["respondent"] = RAW_IDS
    bad = frame.copy()
    bad["t1"] = "77"                                   # every row quarantined in the next wave
    dup = pd.concat([frame.iloc[:2]] * 2)              # duplicates in one file
    with Store.open(study_root, create=True) as store:  # keep it open: the WAL is checked too
        ingest_file(study, tiny.write_csv(files / "a.csv", frame), "2015-1", store=store)
        ingest_file(study, tiny.write_csv(files / "b.csv", bad.assign(wave="2016-1")), "2016-1", store=store)
        ingest_file(study, tiny.write_csv(files / "c.csv", dup), "2016-1", store=store)
        conflict = frame.copy()
        conflict["t2"] = "1"
        ingest_file(study, tiny.write_csv(files / "d.csv", conflict), "2015-1", store=store)
        numeric = frame.assign(t1=frame["t1"].astype(float))
        numeric["respondent"] = [f"{i}" for i in RAW_IDS]
        pyreadstat.write_sav(numeric.drop(columns=["t2", "t3", "y1", "y2", "y3"]), str(files / "e.sav"))
        ingest_file(study, files / "e.sav", "2015-1", store=store)
        assert store.quarantine()["codes"].str.contains("conflict").any()
        assert store.quarantine()["codes"].str.contains("duplicate-in-file").any()
        data = _all_bytes(study_root)
        assert data
        for raw in RAW_IDS:
            for encoding in ("utf-8", "utf-16-le"):
                assert raw.encode(encoding) not in data, raw
        key = load_key(study_root)
        assert pseudonymise(key, RAW_IDS[0]) in set(store.responses("survey")["respondent"])
    for raw in RAW_IDS:
        assert raw.encode() not in _all_bytes(study_root)


def test_key_file_is_owner_only_and_folge_key_overrides(tmp_path, monkeypatch, tiny):
    from folge.study_folder import create_study

    root = create_study(tmp_path / "s", parts=())
    key_file = root / ".folge" / "key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    tiny.make_study(root)
    study = load_study(root)
    monkeypatch.delenv("FOLGE_KEY")
    path = tiny.write_csv(tmp_path / "a.csv", tiny.good_rows())
    ingest_file(study, path, "2015-1")
    with Store.open(root) as store:
        with_file_key = set(store.responses("survey")["respondent"])
    assert pseudonymise(key_file.read_text().strip().encode(), "RAW-ID-0001") in with_file_key
    monkeypatch.setenv("FOLGE_KEY", "another-key")
    assert pseudonymise(load_key(root), "RAW-ID-0001") not in with_file_key
    assert os.environ["FOLGE_KEY"] == "another-key"
