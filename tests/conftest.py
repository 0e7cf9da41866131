"""Shared fixtures: the repository root (the ByReg study) and the demo study, built once.

The default demo is the most expensive input of the suite (building it, then ingest →
analyze → report with the disclosure audit), so every test that looks at it shares two
session fixtures instead of building its own:

- ``demo_files``: the demo as ``build_demo`` writes it, before any stage ran;
- ``demo_study``: a copy of those files run through the whole pipeline.

Both are read-only. A test that changes a file (a setting in ``study.yaml``, a stage run
again) works on its own copy (``shutil.copytree(demo_study, tmp_path / "study")``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _copy_study(source: Path, into: Path) -> Path:
    """A copy of a study folder (store, results and site included) at ``into/study``."""
    return Path(shutil.copytree(source, Path(into) / "study", symlinks=True))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root, which is itself the ByReg study."""
    return REPO


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory) -> Path:
    """The default demo study as built (8 regions, 4 waves, 40 respondents, seed 2014), no stage run.

    Tests must treat the folder as read-only.
    """
    from folge.demo import DemoDesign, build_demo

    return build_demo(tmp_path_factory.mktemp("demo-files") / "study", DemoDesign())


@pytest.fixture(scope="session")
def demo_study(demo_files, tmp_path_factory) -> Path:
    """The default demo study, run through ingest → analyze → report (on a copy of ``demo_files``).

    Shared by every test that checks the pipeline's output on the planted effects, so the
    suite pays for one run. Tests must treat the folder as read-only.
    """
    from folge.demo import run_pipeline

    root = _copy_study(demo_files, tmp_path_factory.mktemp("demo-study"))
    stages = run_pipeline(root)
    assert all(stage.ran for stage in stages), stages
    return root
