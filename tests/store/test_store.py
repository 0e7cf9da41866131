"""The store: opening, schema and migrations, responses across versions, erase, snapshot hash."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest
from folge import StoreError
from folge.definitions import load_study
from folge.ingest import ingest_file, ingest_frame
from folge.store import MIGRATIONS, SCHEMA_VERSION, Migration, Store, migrate


def test_no_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="nothing has been ingested yet"):
        Store.open(tmp_path)


def test_create_open_and_schema(tmp_path):
    with Store.open(tmp_path, create=True) as store:
        assert store.path == tmp_path / "data" / "folge.sqlite"
        assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
        mode = store.connection.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
        assert store.responses("survey").columns.tolist() == ["respondent", "region", "wave", "role", "version"]
        assert store.imports().empty and store.quarantine().empty and store.status().empty
    with Store.open(tmp_path) as store:  # opening again applies nothing new
        assert store.schema_version == SCHEMA_VERSION
    with pytest.raises(StoreError, match="closed"):
        _ = store.connection


def test_a_new_migration_is_applied_once(tmp_path):
    with Store.open(tmp_path, create=True) as store:
        extra = MIGRATIONS + [Migration("9999-test", "a test table", "CREATE TABLE t (x INTEGER); -- a ; in a comment\n")]
        assert migrate(store.connection, extra) == ["9999-test"]
        assert migrate(store.connection, extra) == []
        assert store.connection.execute("PRAGMA user_version").fetchone()[0] == len(extra)
    # a store with a step this folge does not know was written by a newer folge
    with pytest.raises(StoreError, match="newer folge"):
        Store.open(tmp_path)


def test_not_a_folge_store(tmp_path):
    path = tmp_path / "data" / "folge.sqlite"
    path.parent.mkdir()
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE other (x)")
    with pytest.raises(StoreError, match="not a folge store"):
        Store.open(tmp_path)
    path.unlink()
    path.write_bytes(b"this is no database at all" * 100)
    with pytest.raises(StoreError, match="cannot be used as a store"):
        Store.open(tmp_path)


def test_responses_across_instrument_versions(study_root, tiny, tmp_path):
    study = load_study(study_root)
    ingest_file(study, tiny.write_csv(tmp_path / "a.csv", tiny.good_rows()), "2015-1")
    # version 2 adds an item t4 and drops comment
    v2 = tiny.SURVEY_YAML.replace("VERSION", "2").replace(
        "      - {id: t3,", "      - {id: t4, scale: agree5, text: {nb: x, nn: x, en: x}}\n      - {id: t3,")
    v2 = v2[:v2.index("  - id: open")]
    tiny.make_study(study_root, survey_yaml=v2)
    study2 = load_study(study_root)
    later = tiny.good_rows().drop(columns=["comment"]).assign(wave="2016-1", t4="2")
    result = ingest_file(study2, tiny.write_csv(tmp_path / "b.csv", later), "2016-1")
    assert result.version == 2 and result.stored == 6
    with Store.open(study_root) as store:
        frame = store.responses("survey")
        versions = store.instrument_versions()
        only_new = store.responses("survey", waves=["2016-1"])
        none = store.responses("survey", waves=[])
    assert frame.columns.tolist() == ["respondent", "region", "wave", "role", "version",
                                      "t1", "t2", "t4", "t3", "y1", "y2", "y3", "comment"]
    assert frame.groupby("version").size().to_dict() == {1: 6, 2: 6}
    assert frame.loc[frame["version"] == 1, "t4"].isna().all()
    assert frame.loc[frame["version"] == 2, "comment"].isna().all()
    assert versions["table"].tolist() == ["responses__survey__v1", "responses__survey__v2"]
    assert set(only_new["version"]) == {2} and none.empty
    # the same respondent and wave under another version is a conflict, never a second row
    again = tiny.good_rows().drop(columns=["comment"]).assign(t4="2", t1="1")
    clash = ingest_file(study2, tiny.write_csv(tmp_path / "c.csv", again), "2015-1")
    assert clash.codes == {"conflict": 6}
    with Store.open(study_root) as store:
        assert store.quarantine()["reasons"].str.contains("stored under version 1 of 'survey'").all()


def test_an_item_added_without_a_new_version_gets_a_column(study_root, tiny, tmp_path):
    study = load_study(study_root)
    ingest_file(study, tiny.write_csv(tmp_path / "a.csv", tiny.good_rows()), "2015-1")
    grown = tiny.SURVEY_YAML.replace("VERSION", "1").replace(
        "      - {id: t3,", "      - {id: t9, scale: agree5, text: {nb: x, nn: x, en: x}}\n      - {id: t3,")
    tiny.make_study(study_root, survey_yaml=grown)
    study = load_study(study_root)
    ingest_file(study, tiny.write_csv(tmp_path / "b.csv", tiny.good_rows().assign(wave="2016-1", t9="3")), "2016-1")
    with Store.open(study_root) as store:
        frame = store.responses("survey")
    assert frame.columns.tolist()[5:9] == ["t1", "t2", "t9", "t3"]
    assert frame.groupby("wave")["t9"].apply(lambda s: s.notna().sum()).to_dict() == {"2015-1": 0, "2016-1": 6}


def test_an_item_that_changes_kind_needs_a_new_version(study_root, tiny, tmp_path):
    study = load_study(study_root)
    ingest_file(study, tiny.write_csv(tmp_path / "a.csv", tiny.good_rows()), "2015-1")
    tiny.make_study(study_root, survey_yaml=tiny.SURVEY_YAML.replace("VERSION", "1").replace(
        "{id: comment, scale: text", "{id: comment, scale: agree5"))
    study = load_study(study_root)
    with pytest.raises(StoreError, match="changed between numeric and text"):
        ingest_file(study, tiny.write_csv(tmp_path / "b.csv", tiny.good_rows().assign(wave="2016-1", comment="1")),
                    "2016-1")


def test_status_and_quarantine_counts(study_root, tiny, tmp_path):
    study = load_study(study_root)
    frame = tiny.good_rows()
    frame.loc[0, "region"] = "nowhere"
    ingest_file(study, tiny.write_csv(tmp_path / "a.csv", frame), "2015-1")
    with Store.open(study_root) as store:
        status = store.status()
        counts = store.quarantine_counts()
        imports = store.imports()
    assert status.columns.tolist() == ["instrument", "wave", "region", "role", "n"]
    assert status["n"].sum() == 5
    assert counts.to_dict("records") == [{"instrument": "survey", "code": "unknown-region", "n": 1}]
    assert imports.loc[0, ["read", "stored", "skipped", "quarantined"]].tolist() == [6, 5, 0, 1]
    assert imports.loc[0, "source"] == "a.csv" and len(imports.loc[0, "sha256"]) == 64


def test_erase_removes_a_person_from_every_wave_and_the_quarantine(study_root, tiny, tmp_path):
    from folge.pseudonym import pseudonymise

    study = load_study(study_root)
    ingest_file(study, tiny.write_csv(tmp_path / "a.csv", tiny.good_rows()), "2015-1")
    later = tiny.good_rows().assign(wave="2016-1")
    later.loc[0, "t1"] = "8"  # RAW-ID-0001 quarantined in 2016-1
    ingest_file(study, tiny.write_csv(tmp_path / "b.csv", later), "2016-1")
    pseudonym = pseudonymise(b"test-key-not-secret", "RAW-ID-0001")
    with Store.open(study_root) as store:
        before = store.snapshot_hash()
        counts = store.erase_counts(pseudonym)
        assert counts == {"quarantine": 1, "responses__survey__v1": 1}
        assert store.erase(pseudonym) == 0
        assert pseudonym not in set(store.responses("survey")["respondent"])
        assert store.quarantine().empty
        assert store.snapshot_hash() != before
        with pytest.raises(ValueError, match="pseudonym"):
            store.erase("  ")
    data = b"".join(p.read_bytes() for p in (study_root / "data").iterdir())
    assert pseudonym.encode() not in data  # secure_delete and a checkpoint: no trace left on disk


def test_snapshot_hash_depends_on_answers_not_on_order_or_log(tmp_path, tiny, monkeypatch):
    hashes = []
    for name, frame in (("a", tiny.good_rows()), ("b", tiny.good_rows().iloc[::-1])):
        root = tiny.make_study(tmp_path / name)
        ingest_file(load_study(root), tiny.write_csv(tmp_path / f"{name}.csv", frame), "2015-1")
        with Store.open(root) as store:
            hashes.append(store.snapshot_hash())
    assert hashes[0] == hashes[1]
    with Store.open(tmp_path / "a") as store:
        store.connection.execute('UPDATE responses__survey__v1 SET t1 = 2 WHERE t1 = 1')
        assert store.snapshot_hash() != hashes[0]


def test_ingest_frame_from_another_source(study_root, tiny):
    """The path the web questionnaire takes: a frame, a source kind, no file."""
    study = load_study(study_root)
    frame = tiny.good_rows().iloc[:1]
    with Store.open(study_root, create=True) as store:
        result = ingest_frame(store, study, study.instruments["survey"], frame, "2015-1", "web", "f" * 64,
                                    source_kind="web", row_numbers=[1])
        assert (result.stored, result.import_id) == (1, 1)
        assert store.imports().loc[0, "source_kind"] == "web"
        assert isinstance(store.responses("survey"), pd.DataFrame)
