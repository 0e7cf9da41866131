"""The questionnaire as pages, and the checks every answer passes before it is saved.

One page per construct, instruments in the order the invitation names them. A value is
accepted by the same rule as file ingest: a numeric item takes one of its scale's values
or a declared missing code (an integer, or text that is one), a free-text item takes text;
blank means not answered. The store checks every row again when it is submitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..definitions import Construct, Instrument, Item, Study
from ..ingest import parse_number

__all__ = [
    "TEXT_LIMIT",
    "Page",
    "Problem",
    "pages_for",
    "items_for",
    "clean_value",
    "clean_answers",
    "as_cell",
]

#: Longest free-text answer accepted, in characters.
TEXT_LIMIT = 4000


@dataclass(frozen=True)
class Page:
    """One page of a questionnaire: a construct of an instrument."""

    number: int
    instrument: Instrument
    construct: Construct
    part: int
    parts: int


@dataclass(frozen=True)
class Problem:
    """Why one answer was refused: the item, a code and a message in English."""

    item: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"item": self.item, "code": self.code, "message": self.message}


def pages_for(study: Study, instrument_ids: tuple[str, ...]) -> list[Page]:
    """The pages of a questionnaire made of ``instrument_ids``, numbered from 1."""
    instruments = [study.instruments[i] for i in instrument_ids if i in study.instruments]
    pages: list[Page] = []
    for part, instrument in enumerate(instruments, start=1):
        for construct in instrument.constructs:
            pages.append(Page(len(pages) + 1, instrument, construct, part, len(instruments)))
    return pages


def items_for(study: Study, instrument_ids: tuple[str, ...]) -> dict[str, Item]:
    """Every item a questionnaire of ``instrument_ids`` asks, by id, in order."""
    return {item.id: item for i in instrument_ids if i in study.instruments
            for item in study.instruments[i].items}


def clean_value(item: Item, raw: object) -> tuple[object, Problem | None]:
    """The stored form of ``raw`` for ``item`` (int, str or None for blank), or a problem.

    Examples
    --------
    >>> from folge.definitions import Item, Scale, Text
    >>> agree = Scale("agree5", "ordinal", (1, 2, 3, 4, 5), {}, {9: Text({"nb": "Vet ikke"})})
    >>> item = Item("lc1", "s", "c", agree, Text({"nb": "?"}), 1)
    >>> clean_value(item, "4"), clean_value(item, 9), clean_value(item, "")
    ((4, None), (9, None), (None, None))
    >>> clean_value(item, 7)[1].code, clean_value(item, "x")[1].code, clean_value(item, True)[1].code
    ('out-of-range', 'not-a-number', 'not-a-number')
    """
    scale = item.scale
    if raw is None:
        return None, None
    if not scale.is_numeric:
        if not isinstance(raw, str):
            return None, Problem(item.id, "not-text", f"'{item.id}' takes text (got {type(raw).__name__})")
        text = raw.replace("\r\n", "\n").strip()
        if "\x00" in text:
            return None, Problem(item.id, "bad-text", f"'{item.id}' contains a NUL character")
        if len(text) > TEXT_LIMIT:
            return None, Problem(item.id, "too-long",
                                 f"'{item.id}' takes at most {TEXT_LIMIT} characters (got {len(text)})")
        return (text or None), None
    if isinstance(raw, bool):
        return None, Problem(item.id, "not-a-number", f"'{item.id}' takes a number, not true/false")
    value: int | float | None = None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        value = int(raw) if raw.is_integer() else raw
    elif isinstance(raw, str):
        kind, number = parse_number(raw)  # the rule file ingest applies to a cell
        if kind == "blank":
            return None, None
        value = number if kind != "text" else None
    if value is None:
        return None, Problem(item.id, "not-a-number",
                             f"'{item.id}' takes a whole number from its scale (got {raw!r:.40})")
    if not isinstance(value, int) or not scale.is_valid(value):
        allowed = ", ".join(str(v) for v in (*scale.values, *scale.missing))
        return None, Problem(item.id, "out-of-range",
                             f"'{item.id}' takes one of {allowed} (got {value})")
    return value, None


def clean_answers(items: Mapping[str, Item], answers: object) -> tuple[dict[str, object], list[Problem]]:
    """Check a mapping of item id → value; return the clean values and every problem found."""
    if not isinstance(answers, Mapping):
        return {}, [Problem("", "not-a-mapping", "'answers' must be an object of item id → value")]
    clean: dict[str, object] = {}
    problems: list[Problem] = []
    for key, raw in answers.items():
        item = items.get(key) if isinstance(key, str) else None
        if item is None:
            problems.append(Problem(str(key)[:64], "unknown-item",
                                    f"'{str(key)[:64]}' is not a question of this questionnaire"))
            continue
        value, problem = clean_value(item, raw)
        if problem:
            problems.append(problem)
        else:
            clean[key] = value
    return clean, problems


def as_cell(value: object) -> str:
    """A stored answer as the text cell ingest reads (blank for not answered)."""
    return "" if value is None else str(value)
