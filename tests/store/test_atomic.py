"""An import is one transaction: killed or failing half-way, it leaves the store as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from folge.definitions import load_study
from folge.ingest import ingest_file
from folge.store import Store

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def _large_file(path, n: int, wave: str = "2016-1") -> None:
    rng = np.random.default_rng(7)
    answers = rng.integers(1, 6, size=(n, 3)).astype(str)
    yes = rng.integers(0, 2, size=(n, 3)).astype(str)
    regions = np.array(["kongsberg", "grenland", "rana"])[rng.integers(0, 3, n)]
    roles = np.array(["politician", "business", "administration"])[rng.integers(0, 3, n)]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("respondent,region,wave,role,t1,t2,t3,y1,y2,y3,comment\n")
        handle.writelines(f"BIG-{i:07d},{regions[i]},{wave},{roles[i]},{','.join(answers[i])},{','.join(yes[i])},"
                         f"svar nummer {i} med æøå\n" for i in range(n))


def _state(root):
    with Store.open(root) as store:
        return (store.snapshot_hash(), store.imports()[["source", "read", "stored"]].values.tolist(),
                len(store.quarantine()), store.status()["n"].sum())


KILLER = textwrap.dedent("""
    import os, signal, sys
    import folge.store._write as write
    from folge.definitions import load_study
    from folge.ingest import ingest_file
    from folge.store import Store

    write.CHUNK_ROWS = 2_000
    study = load_study(sys.argv[1])
    store = Store.open(study.root)
    store.connection.execute("PRAGMA cache_size = 20")  # small cache: pages spill into the WAL mid-transaction

    def progress(stage, done, total):
        if stage == "store" and done >= total // 2:
            print("killing at", done, "of", total, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    ingest_file(study, sys.argv[2], "2016-1", progress=progress, store=store)
    print("not killed", flush=True)
""")


def test_sigkill_mid_transaction_leaves_the_store_unchanged(study_root, tiny, tmp_path):
    study = load_study(study_root)
    ingest_file(study, tiny.write_csv(tmp_path / "first.csv", tiny.good_rows()), "2015-1")
    before = _state(study_root)
    big = tmp_path / "big.csv"
    _large_file(big, 40_000)
    env = {**os.environ, "FOLGE_KEY": "test-key-not-secret"}
    proc = subprocess.run([sys.executable, "-c", KILLER, str(study_root), str(big)], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "killing at 20000 of 40000" in proc.stdout
    wal = study_root / "data" / "folge.sqlite-wal"
    assert wal.exists() and wal.stat().st_size > 100_000  # half an import was on disk, uncommitted
    with Store.open(study_root) as store:
        assert store.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert _state(study_root) == before
    # nothing was committed, so the same file is not a duplicate: it goes in whole
    result = ingest_file(study, big, "2016-1")
    assert not result.duplicate_file and result.stored == 40_000


def test_an_error_mid_import_rolls_back(study_root, tiny, tmp_path, monkeypatch):
    import folge.store._write as write

    study = load_study(study_root)
    ingest_file(study, tiny.write_csv(tmp_path / "first.csv", tiny.good_rows()), "2015-1")
    before = _state(study_root)
    big = tmp_path / "big.csv"
    _large_file(big, 5_000)
    monkeypatch.setattr(write, "CHUNK_ROWS", 1_000)

    def progress(stage, done, total):
        if stage == "store" and done >= 3_000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest_file(study, big, "2016-1", progress=progress)
    assert _state(study_root) == before
