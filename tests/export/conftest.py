"""A ByReg study with the canonical platform fixture stored, for the export tests."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "platforms"
KEY = "export-tests-key-not-secret"


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("FOLGE_KEY", KEY)


def new_study(folder: Path) -> Path:
    from folge.study_folder import create_study

    return create_study(folder, parts=("research", "instruments"))


@pytest.fixture
def filled(tmp_path) -> Path:
    """A study with ``canonical.csv`` ingested for wave 2015-1 (14 respondents)."""
    from folge.definitions import load_study
    from folge.ingest import ingest_file

    root = new_study(tmp_path / "study")
    result = ingest_file(load_study(root), FIXTURES / "canonical.csv", "2015-1")
    assert result.stored == 14
    return root


@pytest.fixture(scope="session")
def fresh_study():
    """A function making a new, empty copy of the shipped study."""
    return new_study
