"""Shared fixtures: the repository root (the ByReg study) and small study folders."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root, which is itself the ByReg study."""
    return REPO
