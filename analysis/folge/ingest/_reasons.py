"""Why a row was quarantined or a file drew a warning: one catalogue of codes.

Every reason is typed data (code, column, value, message), as frictionless reports its
errors; tests assert on ``code``, and the wording lives only in :data:`CODES`. A reason's
``value`` never holds a raw respondent id: the respondent column carries its pseudonym.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CODES", "WARNINGS", "Reason", "format_reasons", "reason"]

#: Quarantine codes → message template. Each row may have several.
CODES: dict[str, str] = {
    "missing-respondent": "the respondent id is blank (every row needs one)",
    "unknown-region": "unknown region {value!r}{hint}",
    "unknown-role": "unknown role {value!r}{hint}",
    "unknown-wave": "unknown wave {value!r}{hint}",
    "wave-mismatch": "the row says wave {value!r} but the file was ingested for wave {expected!r}",
    "not-a-number": "{column}: {value!r} is not a whole number (the scale '{scale}' takes {allowed})",
    "out-of-range": "{column}: {value!r} is outside the scale '{scale}' ({allowed}) and not a missing code",
    "duplicate-in-file": "the same {unit} appears {count} times in this file for wave {wave!r} (rows {rows})",
    "conflict": "answers already stored for this {unit} and wave {wave!r} differ ({detail}): "
                "correct the source file and ingest it again",
    "no-answers": "the row has no answers (every item is blank)",
    "malformed-row": "the row has {got} fields but the header has {expected}",
}

#: Warning codes (about the whole file; no row is quarantined for them).
WARNINGS: dict[str, str] = {
    "unknown-column": "column {column!r} is not part of instrument '{instrument}' and is ignored{hint}",
    "missing-item-column": "the file has no column for {count} item(s) ({column}); their answers are stored as blank",
    "instrument-not-in-wave": "wave {value!r} does not list instrument '{instrument}' in research/study.yaml",
    "label-mismatch": "{column}: the file labels {value!r} as {label!r}, the scale '{scale}' {expected}",
    "blank-rows": "{count} completely blank row(s) ignored",
    "role-ignored": "column 'role' is ignored: '{instrument}' is answered once per region",
}


@dataclass(frozen=True)
class Reason:
    """One reason: a quarantine code (or warning code), the column, the value and a message."""

    code: str
    column: str = ""
    value: str = ""
    message: str = ""

    def __str__(self) -> str:
        return f"{self.code}:{self.column}:{self.value}: {self.message}"

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
