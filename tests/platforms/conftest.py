"""Shared pieces for the platform tests: a copy of the ByReg study, the fixtures, ingest helpers.

The fixtures in ``tests/fixtures/platforms/`` are written by ``make_fixtures.py`` beside
them; every one encodes the answers in ``canonical.csv``. The pseudonym key comes from
``FOLGE_KEY``, so every copy of the study gives the same pseudonyms.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "platforms"
INSTRUMENT = "participant-survey"
WAVE = "2015-1"

#: fixture file → (column map or None, the header map or column map name the import reports)
CASES = {
    "kobo_xml.csv": (None, "headers: kobotoolbox"),
    "kobo_xml_bare.xlsx": (None, "headers: kobotoolbox"),
    "kobo_labels.xlsx": (None, "headers: kobotoolbox-labels"),
    "kobo_labels_en.csv": (None, "headers: kobotoolbox-labels"),
    "odk_central.csv": (None, "headers: odk-central"),
    "limesurvey_codes.csv": ("limesurvey", "columns: LimeSurvey"),
    "limesurvey_answers.csv": ("limesurvey", "columns: LimeSurvey"),
    "nettskjema.csv": ("nettskjema", "columns: Nettskjema"),
    "questback_efs.csv": ("questback-efs", "columns: Questback EFS"),
}


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("FOLGE_KEY", "platform-tests-key-not-secret")


def new_study(folder: Path) -> Path:
    """A fresh copy of the shipped study (research/ and instruments/, maps included)."""
    from folge.study_folder import create_study

    return create_study(folder, parts=("research", "instruments"))


def ingest(root: Path, path: Path, columns=None, wave: str | None = WAVE, **kwargs):
    """Ingest ``path`` into the study at ``root``; the result and the stored answers (sorted)."""
    from folge.definitions import load_study
    from folge.ingest import ingest_file
    from folge.store import Store

    result = ingest_file(load_study(root), path, wave, columns=columns, **kwargs)
    with Store.open(root) as store:
        stored = store.responses(INSTRUMENT)
    return result, stored.drop(columns="version").sort_values(["wave", "respondent"]).reset_index(drop=True)


@pytest.fixture(scope="session")
def helpers():
    """This module (test modules cannot import a conftest under ``--import-mode=importlib``)."""
    return sys.modules[__name__]


@pytest.fixture(scope="session")
def canonical_stored(tmp_path_factory):
    """``canonical.csv`` ingested into its own study: the values every platform file must give."""
    mp = pytest.MonkeyPatch()
    mp.setenv("FOLGE_KEY", "platform-tests-key-not-secret")
    try:
        root = new_study(tmp_path_factory.mktemp("canonical") / "study")
        result, stored = ingest(root, FIXTURES / "canonical.csv")
    finally:
        mp.undo()
    assert result.stored == 14 and result.quarantined == 0
    return stored
