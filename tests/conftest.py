"""Shared fixtures: the repository root (the ByReg study) and small study folders."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root, which is itself the ByReg study."""
    return REPO


@pytest.fixture(scope="session")
def demo_study(tmp_path_factory) -> Path:
    """The default demo study, built once and run through ingest → analyze → report.

    Shared by every test that checks the pipeline's output on the planted effects, so the
    suite pays for one run. Tests must treat the folder as read-only.
    """
    from folge.demo import DemoDesign, build_demo, run_pipeline

    root = tmp_path_factory.mktemp("demo-study") / "study"
    build_demo(root, DemoDesign())
    stages = run_pipeline(root)
    assert all(stage.ran for stage in stages), stages
    return root
