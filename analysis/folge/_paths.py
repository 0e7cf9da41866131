"""Where things are: the shipped defaults and a study's own folders."""

from __future__ import annotations

from pathlib import Path

__all__ = ["defaults_dir", "DATA_DIR", "DATABASE", "KEY_FILE", "RESULTS_DIR", "SITE_DIR"]

#: Relative to a study folder.
DATA_DIR = Path("data")
DATABASE = DATA_DIR / "folge.sqlite"
KEY_FILE = Path(".folge") / "key"
RESULTS_DIR = Path("results")
SITE_DIR = Path("reports") / "_site"


def defaults_dir() -> Path:
    """The folder holding the shipped ``instruments/``, ``research/`` and ``reports/``.

    In an installed wheel they are package data under ``folge/_defaults``; in a source
    checkout (editable install) they are the repository root, which is itself the ByReg study.
    """
    packaged = Path(__file__).parent / "_defaults"
    if (packaged / "research").is_dir():
        return packaged
    return Path(__file__).resolve().parents[2]
