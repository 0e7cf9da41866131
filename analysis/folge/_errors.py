"""Exceptions raised by folge.

The whole tree::

    FolgeError                  base of everything folge raises on purpose
    ├── DefinitionError         instrument, study or criteria files that do not pass the checks
    ├── InputError              a response file that cannot be read at all
    ├── StoreError              the study's database is missing, locked or of an unknown schema
    └── AnalysisError           an analysis that cannot run (no data, no results yet)

Statistical functions raise plain ``ValueError``/``TypeError`` for wrong arguments
(as numpy and pandas do); degenerate *data* gives NaN with a note instead.
"""

from __future__ import annotations


class FolgeError(Exception):
    """Base class of every error folge raises on purpose."""


class DefinitionError(FolgeError):
    """Definitions (instruments, study, criteria) that do not pass the checks.

    ``problems`` holds every :class:`folge.definitions.Problem` found, so a caller can
    show all of them at once.
    """

    def __init__(self, problems):
        self.problems = list(problems)
        lines = [p.format() for p in self.problems]
        super().__init__("\n".join(lines) if lines else "invalid definition")


class InputError(FolgeError):
    """A response file that cannot be read at all (missing, empty, unknown format)."""


class StoreError(FolgeError):
    """The study's database cannot be used (missing, locked, unknown schema version)."""


class AnalysisError(FolgeError):
    """An analysis step that cannot run, for example before anything is ingested."""
