"""Problems found in definitions and data: typed, located, and worded from one catalogue.

Every check reports :class:`Problem` values instead of raising, so a caller can show every
problem at once (``folge instruments check``) or raise them together
(:class:`folge.DefinitionError`). Tests assert on ``code``; the wording lives only here.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Problem", "CATALOGUE", "problem", "did_you_mean"]

#: code → (severity, template). Templates name where, what value, which rule and the fix.
CATALOGUE: dict[str, tuple[str, str]] = {
    # file level
    "yaml-syntax": ("error", "YAML syntax error: {detail}"),
    "not-a-mapping": ("error", "{what} must be a mapping of keys to values (got {got})"),
    "missing-key": ("error", "{where} lacks the required key '{key}'"),
    "unknown-key": ("warning", "{where} has an unknown key '{key}' (ignored){hint}"),
    "bad-value": ("error", "{where}: '{key}' {rule} (got {value!r})"),
    # scales
    "bad-scale-type": ("error", "scale '{scale}' has unknown type {value!r}; use one of {allowed}"),
    "label-count": (
        "error",
        "scale '{scale}' has {got} {lang} labels but {expected} values; give one label per value",
    ),
    "bad-missing-code": (
        "error",
        "scale '{scale}': missing code {value!r} must be an integer outside the scale's values {values}",
    ),
    # instruments
    "bad-instrument-id": ("error", "instrument id {value!r} must match {pattern}"),
    "bad-level": ("error", "instrument level {value!r} must be 'respondent' or 'region'"),
    "unknown-kind": (
        "error",
        "construct '{construct}' has unknown kind {value!r}; use one of {allowed}{hint}",
    ),
    "bad-construct-id": ("error", "construct id {value!r} must match {pattern}"),
    "duplicate-construct": ("error", "construct id '{value}' is used twice in this instrument"),
    "empty-construct": ("error", "construct '{construct}' has no items"),
    "too-few-items": (
        "error",
        "construct '{construct}' has {got} item(s); a {kind} needs at least {expected}",
    ),
    "bad-item-id": (
        "error",
        "item id {value!r} must match {pattern} (lower-case letter first, then lower-case "
        "letters, digits or '_', at most 32 characters: safe in SPSS, Stata, R and lavaan)",
    ),
    "duplicate-item": ("error", "item id '{value}' is already used {first}"),
    "unknown-scale": ("error", "item '{item}' uses unknown scale {value!r}{hint}"),
    "mixed-scales": (
        "error",
        "construct '{construct}' mixes response scales ({scales}); all its items must share one",
    ),
    "reverse-non-ordinal": (
        "error",
        "item '{item}' is marked reverse but its scale '{scale}' is {type}, not ordinal",
    ),
    "missing-translation": ("error", "{where} has no {lang} text; give nb, nn and en"),
    "unknown-target": ("error", "item '{item}' has unknown target {value!r}; use one of {allowed}"),
    "unknown-stage": ("error", "item '{item}' has unknown stage {value!r}; use one of {allowed}"),
    # study
    "unknown-instrument": ("error", "wave '{wave}' names unknown instrument {value!r}{hint}"),
    "role-without-sector": ("error", "role '{role}' has no sector; use one of {allowed}"),
    "unknown-sector": ("error", "role '{role}' has unknown sector {value!r}; use one of {allowed}"),
    "bad-region-language": (
        "error",
        "region '{region}' has language {value!r}; a region's language must be nb or nn",
    ),
    "duplicate-id": ("error", "{what} id '{value}' is used twice"),
    "bad-date": ("error", "wave '{wave}' has date {value!r}; write it as YYYY-MM-DD"),
    "unknown-region": ("error", "{where} names unknown region {value!r}{hint}"),
    # the invited frame (research/frame.csv)
    "frame-unreadable": ("error", "the frame could not be read: {detail}"),
    "frame-columns": ("error", "the frame needs the columns wave, region, role, invited; {missing} missing (got {got})"),
    "unknown-wave": ("error", "{where} names unknown wave {value!r}{hint}"),
    "unknown-role": ("error", "{where} names unknown role {value!r}{hint}"),
    "frame-unknown-instrument": ("error", "{where} names unknown instrument {value!r}{hint}"),
    "bad-count": ("error", "'invited' must be a whole number of people, 0 or more (got {value!r})"),
    "duplicate-row": ("error", "{what} is listed twice (first on line {first}); give one count per cell"),
    # criteria (research/criteria.yaml)
    "unknown-construct": ("error", "{where} names unknown construct {value!r}{hint}"),
    "unknown-item": ("error", "{where} names unknown item {value!r}{hint}"),
    "indicator-kind": (
        "error",
        "indicator '{indicator}' must name exactly one of construct, item or milestone (got {got})",
    ),
    "indicator-level": (
        "error",
        "{where}: item {value!r} belongs to the {level}-level instrument '{instrument}', "
        "but this indicator needs a {expected}-level item; {fix}",
    ),
    "unknown-rule-kind": (
        "error",
        "criterion '{criterion}' has a rule of unknown kind {value!r}; use one of {allowed}{hint}",
    ),
    "unknown-indicator": ("error", "{where} names unknown indicator {value!r}{hint}"),
    "threshold-outside-scale": (
        "error",
        "{where}: {key} {value!r} lies outside {range} ({why}); {fix}",
    ),
    "bad-wave-ref": (
        "error",
        "{where}: '{key}' must be first, previous, last or a wave id of the study (got {value!r}){hint}",
    ),
    "rule-not-for-indicator": (
        "error",
        "{where}: a {kind} rule cannot use {indicator_kind} indicator '{indicator}' ({why})",
    ),
}


@dataclass(frozen=True)
class Problem:
    """One problem in a file: where it is, its code, its severity and a message."""

    file: str
    line: int
    code: str
    message: str
    severity: str = "error"
    column: str | None = None

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
