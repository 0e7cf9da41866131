"""Shared fixtures: a fabricated study with results, and one pandoc build of its site."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))  # the shared tests/_axe.py

import fabricate  # noqa: E402


@pytest.fixture(scope="session")
def study_root(tmp_path_factory) -> Path:
    from folge.definitions import load_study

    root = fabricate.write_study(tmp_path_factory.mktemp("study") / "study")
    fabricate.write_results(load_study(root), root / "results")
    return root


@pytest.fixture(scope="session")
def study(study_root):
    from folge.definitions import load_study

    return load_study(study_root)


@pytest.fixture(scope="session")
def site(study_root):
    """The whole site, HTML and PDF, rendered with the pandoc engine."""
    from folge.reports import build_reports

    return build_reports(study_root, engine="pandoc")
