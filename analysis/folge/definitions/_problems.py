"""Problems found in definitions and data: typed, located, and worded from one catalogue.

Every check reports :class:`Problem` values instead of raising, so a caller can show every
problem at once (``folge instruments check``) or raise them together
(:class:`folge.DefinitionError`). Tests assert on ``code``; the wording (with a fix hint per
code) lives in :mod:`folge.vocabulary`'s ``problems.yaml``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from ..vocabulary import catalogue

__all__ = ["Problem", "CATALOGUE", "problem", "did_you_mean"]

#: code → (severity, template), from the ``problems`` domain of :mod:`folge.vocabulary`
#: (``folge/vocabulary/problems.yaml``, where each entry also has a fix hint).
CATALOGUE: dict[str, tuple[str, str]] = {code: (entry.severity, entry.template("en"))
                                         for code, entry in catalogue("problems").items()}


@dataclass(frozen=True)
class Problem:
    """One problem in a file: where it is, its code, its severity and a message."""

    file: str
    line: int
    code: str
    message: str
    severity: str = "error"
    column: str | None = None

    @property
    def fix(self) -> str:
        """What to do about it: the catalogue's hint for this code (empty when there is none)."""
        entry = catalogue("problems").get(self.code)
        return entry.hint("en") if entry else ""

    def format(self) -> str:
        """``FILE:LINE: CODE: message`` (warnings say so after the code)."""
        tag = self.code if self.severity == "error" else f"{self.code} (warning)"
        return f"{self.file}:{self.line}: {tag}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def problem(path: str | Path, line: int, code: str, **fields) -> Problem:
    """Build a :class:`Problem` from the catalogue entry ``code`` filled with ``fields``."""
    severity, template = CATALOGUE[code]
    fields.setdefault("hint", "")
    return Problem(str(path), int(line), code, template.format(**fields), severity)


def did_you_mean(value: object, choices) -> str:
    """``" (did you mean 'x'?)"`` for the closest of ``choices``, or an empty string."""
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
