"""Create study folders from the shipped defaults."""

from __future__ import annotations

import shutil
from pathlib import Path

from ._paths import defaults_dir
from .pseudonym import create_key

__all__ = ["create_study", "DEFAULT_PARTS"]

#: folders copied from the defaults into a new study
DEFAULT_PARTS = ("research", "instruments", "reports")
_IGNORE = shutil.ignore_patterns("_site", ".quarto", "__pycache__", "*.pyc", "_build")
_GITIGNORE = "data/\nresults/\nreports/_site/\n.folge/\n"


def create_study(directory: str | Path, parts=DEFAULT_PARTS) -> Path:
    """Copy the default ``research/``, ``instruments/`` and ``reports/`` into ``directory``.

    Creates the pseudonym key too (kept if one exists) and a ``.gitignore`` that keeps
    data, results, rendered reports and the key out of version control.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    source = defaults_dir()
    for part in parts:
        if (source / part).is_dir():
            shutil.copytree(source / part, directory / part, dirs_exist_ok=True, ignore=_IGNORE)
    gitignore = directory / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text(_GITIGNORE, encoding="utf-8")
    create_key(directory)
    return directory
