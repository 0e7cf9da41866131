"""Markdown pipe tables from disclosed frames, with one marker ("skjult" / "hidden") in suppressed cells.

Both renderers (quarto and pandoc) read pipe tables with a header row and a caption line
``: caption {#tbl-id}``; numbers are formatted for the report's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import pandas as pd

from ._disclosure import require_disclosed
from ._i18n import number, percent, t

__all__ = ["Column", "pipe_table", "num", "pct", "text", "hidden_mark", "is_secondary", "secondary_note"]

Formatter = Callable[[object, str], str]


def num(digits: int = 2) -> Formatter:
    return lambda value, lang: number(value, lang, digits)


def pct(digits: int = 0) -> Formatter:
    return lambda value, lang: percent(value, lang, digits)


def text(value, lang: str) -> str:
    return "–" if value is None or (isinstance(value, float) and value != value) else str(value)


@dataclass(frozen=True)
class Column:
    """One column of a published table: source column, header, formatter, and whether it is a key.

    Key columns (region, wave, construct …) are shown on every row; the others turn into
    "skjult" where the row is suppressed.
    """

    source: str
    header: str
    format: Formatter = text
    key: bool = False
    align: str = "left"
    #: Relative width (the dashes of the separator row, which pandoc turns into column widths
    #: when a table is wide); equal by default.
    width: int = 3


def _cell(value: str) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ").strip() or " "


def pipe_table(frame: pd.DataFrame, columns: Sequence[Column], lang: str, *, caption: str | None = None,
               label: str | None = None) -> str:
    """A markdown pipe table of ``frame`` (disclosed) with ``columns``.

    >>> import pandas as pd
    >>> f = pd.DataFrame({"region": ["a", "b"], "mean": [3.25, None], "suppressed": [False, True]})
    >>> print(pipe_table(f, [Column("region", "Region", key=True), Column("mean", "Snitt", num(1), align="right")], "nb"))
    | Region | Snitt |
    |:---|---:|
    | a | 3,2 |
    | b | *skjult* |

    Hidden cells read "skjult" ("hidden") whatever the reason, with a one-sentence note
    under the table.
    """
    require_disclosed(frame)
    header = "| " + " | ".join(_cell(c.header) for c in columns) + " |"
    rule = "|" + "|".join(":" + "-" * c.width if c.align == "left" else "-" * c.width + ":" for c in columns) + "|"
    lines = [header, rule]
    secondary_seen = False
    for record in frame.to_dict("records"):
        suppressed = bool(record.get("suppressed", False))
        hidden = hidden_mark(record.get("suppression"), lang)
        cells = []
        for c in columns:
            if suppressed and not c.key:
                cells.append(hidden)
                secondary_seen |= is_secondary(record.get("suppression"))
            else:
                cells.append(_cell(c.format(record.get(c.source), lang)))
        lines.append("| " + " | ".join(cells) + " |")
    if caption:
        lines.append("")
        lines.append(f": {caption}" + (f" {{#{label}}}" if label else ""))
    if secondary_seen:
        lines.append("")
        lines.append(secondary_note(lang))
    return "\n".join(lines)


def is_secondary(suppression) -> bool:
    """Whether a row is hidden (one marker for every hidden cell: primary is never told from secondary)."""
    return isinstance(suppression, str) and suppression != ""


def hidden_mark(suppression, lang: str) -> str:
    """The marked blank of a hidden cell: one word ("skjult" / "hidden") whatever the reason."""
    return "*" + t("suppressed", lang) + "*"


def secondary_note(lang: str) -> str:
    """The one-sentence note under a table that has "skjult" cells."""
    return "::: {.table-note}\n" + t("note_secondary", lang) + "\n:::"
