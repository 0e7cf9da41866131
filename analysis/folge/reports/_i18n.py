"""Every user-facing string of the reports in bokmål, nynorsk and English, in one place.

Templates in ``reports/templates/`` hold the prose an evaluator edits; the strings here
(read from :mod:`folge.vocabulary`'s ``reports.yaml``) are the words the Python side puts
into tables, figures and alt texts. ``t(key, lang, **kw)``
formats one; ``number(x, lang)`` writes numbers the Norwegian way (decimal comma).
"""

from __future__ import annotations

import math

from ..vocabulary import LANGS, catalogue, labels

__all__ = ["LANGS", "STRINGS", "t", "number", "percent", "label_of", "SECTOR_LABELS", "TARGET_LABELS",
           "STAGE_LABELS", "VERDICT_LABELS", "VERDICT_SYMBOLS"]

#: key → {lang: text}: the reports' words, from :mod:`folge.vocabulary`'s ``reports.yaml``.
STRINGS: dict[str, dict[str, str]] = {code: dict(e.message) for code, e in catalogue("reports").items()
                                      if "." not in code}
SECTOR_LABELS: dict[str, dict[str, str]] = labels("reports", "sector")
TARGET_LABELS: dict[str, dict[str, str]] = {**SECTOR_LABELS, **labels("reports", "target")}
STAGE_LABELS: dict[str, dict[str, str]] = labels("reports", "stage")
#: verdict → {lang: text}: the same words as the criteria engine's (``criteria.yaml``).
VERDICT_LABELS: dict[str, dict[str, str]] = labels("criteria", "verdict")
#: A shape beside each verdict word, so that no verdict is told by colour alone.
VERDICT_SYMBOLS: dict[str, str] = {"met": "●", "partly-met": "◐", "not-met": "○", "insufficient-data": "–"}


def t(key: str, lang: str, /, **values) -> str:
    """The string ``key`` in ``lang`` (falling back to bokmål), formatted with ``values``."""
    try:
        entry = STRINGS[key]
    except KeyError:
        raise KeyError(f"no report string '{key}'") from None
    text = entry.get(lang) or entry["nb"]
    return text.format(**values) if values else text


def label_of(table: dict[str, dict[str, str]], key: str, lang: str) -> str:
    """A label from one of the label tables, or the key itself where none is defined."""
    entry = table.get(str(key))
    return (entry.get(lang) or entry["nb"]) if entry else str(key)


def _missing(x) -> bool:
    try:
        return x is None or (isinstance(x, float) and math.isnan(x)) or x != x
    except TypeError:
        return False


def number(x, lang: str, digits: int = 2) -> str:
    """``x`` with ``digits`` decimals; a decimal comma in nb and nn; an en dash for missing.

    >>> number(3.14159, "nb"), number(3.14159, "en", 1), number(float("nan"), "nn")
    ('3,14', '3.1', '–')
    """
    if _missing(x):
        return "–"
    text = f"{float(x):.{digits}f}"
    if text.startswith("-"):
        text = "−" + text[1:]
    return text.replace(".", ",") if lang in ("nb", "nn") else text


def percent(x, lang: str, digits: int = 0) -> str:
    r"""A share (0–1) as a percentage: ``'42 %'`` in nb and nn, ``'42%'`` in en.

    >>> percent(0.4234, "nb"), percent(0.4234, "en")
    ('42\xa0%', '42%')
    """
    if _missing(x):
        return "–"
    value = number(100 * float(x), lang, digits)
    return f"{value}\u00a0%" if lang in ("nb", "nn") else f"{value}%"
