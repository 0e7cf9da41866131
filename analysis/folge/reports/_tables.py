"""Markdown pipe tables from disclosed frames, with "for få svar" in suppressed cells.

Both renderers (quarto and pandoc) read pipe tables with a header row and a caption line
``: caption {#tbl-id}``; numbers are formatted for the report's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import pandas as pd

from ._disclosure import require_disclosed
from ._i18n import number, percent, t

__all__ = ["Column", "pipe_table", "num", "pct", "text"]

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
    "for få svar" where the row is suppressed.
    """

    source: str
    header: str
    format: Formatter = text
    key: bool = False
    align: str = "left"


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
    | b | *for få svar* |
    """
    require_disclosed(frame)
    header = "| " + " | ".join(_cell(c.header) for c in columns) + " |"
    rule = "|" + "|".join(":---" if c.align == "left" else "---:" for c in columns) + "|"
    lines = [header, rule]
    hidden = "*" + t("suppressed", lang) + "*"
    for row in frame.itertuples(index=False):
        record = row._asdict()
        suppressed = bool(record.get("suppressed", False))
        cells = []
        for c in columns:
            if suppressed and not c.key:
                cells.append(hidden)
            else:
                cells.append(_cell(c.format(record.get(c.source), lang)))
        lines.append("| " + " | ".join(cells) + " |")
    if caption:
        lines.append("")
        lines.append(f": {caption}" + (f" {{#{label}}}" if label else ""))
    return "\n".join(lines)
