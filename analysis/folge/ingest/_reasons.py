"""Why a row was quarantined or a file drew a warning: one catalogue of codes.

Every reason is typed data (code, column, value, message), as frictionless reports its
errors; tests assert on ``code``, and the wording (with a fix hint per code) lives in
:mod:`folge.vocabulary`'s ``quarantine.yaml``. A reason's
``value`` never holds a raw respondent id: the respondent column carries its pseudonym.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..vocabulary import catalogue

__all__ = ["CODES", "WARNINGS", "Reason", "format_reasons", "reason"]

_ENTRIES = catalogue("quarantine")
#: Quarantine codes → message template. Each row may have several.
CODES: dict[str, str] = {code: e.template("en") for code, e in _ENTRIES.items() if e.severity == "quarantine"}
#: Warning codes (about the whole file; no row is quarantined for them).
WARNINGS: dict[str, str] = {code: e.template("en") for code, e in _ENTRIES.items() if e.severity == "warning"}


@dataclass(frozen=True)
class Reason:
    """One reason: a quarantine code (or warning code), the column, the value and a message."""

    code: str
    column: str = ""
    value: str = ""
    message: str = ""

    def __str__(self) -> str:
        return f"{self.code}:{self.column}:{self.value}: {self.message}"

    @property
    def fix(self) -> str:
        """What to do about it: the catalogue's hint for this code (empty when there is none)."""
        entry = _ENTRIES.get(self.code)
        return entry.hint("en") if entry else ""

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "column": self.column, "value": self.value, "message": self.message}


def reason(code: str, column: str = "", value: object = "", **fields) -> Reason:
    """A :class:`Reason` worded from the catalogue entry ``code``.

    Examples
    --------
    >>> str(reason("unknown-region", "region", "kongsbrg", hint=" (did you mean 'kongsberg'?)"))
    "unknown-region:region:kongsbrg: unknown region 'kongsbrg' (did you mean 'kongsberg'?)"
    """
    template = CODES.get(code) or WARNINGS[code]
    fields.setdefault("hint", "")
    text = "" if value is None else str(value)
    return Reason(code, column, text, template.format(column=column, value=text, **fields))


def format_reasons(reasons) -> str:
    # messages never contain "; ", so the joined text splits back into reasons
    """Reasons as one text: ``code:column:value: message; …``."""
    return "; ".join(str(r) for r in reasons)
