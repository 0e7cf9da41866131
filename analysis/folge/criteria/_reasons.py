"""Every reason text of the criteria engine, in bokmål and English, from one catalogue.

A reason is a code with fields (numbers, ids); :func:`say` fills the template of one
language. Numbers follow the language: decimal comma and ``82 %`` in bokmål, decimal point
and ``82%`` in English; ``{p:p}`` writes a p-value (``< 0,001`` below one in a thousand).
Tests assert on codes; the wording lives in :mod:`folge.vocabulary`'s ``criteria.yaml``.
"""

from __future__ import annotations

import math
import string

from ..definitions import Text
from ..vocabulary import catalogue

__all__ = ["REASONS", "RULE_LABELS", "VERDICT_LABELS", "Reason", "say"]

_ENTRIES = catalogue("criteria")


def _pairs(prefix: str = "") -> dict[str, tuple[str, str]]:
    """Entries of the criteria catalogue (those named ``PREFIX.KEY``, or without a dot) as (nb, en)."""
    found = {}
    for code, entry in _ENTRIES.items():
        head, dot, key = code.partition(".")
        if (prefix and dot and head == prefix) or (not prefix and not dot):
            found[key if prefix else code] = (entry.template("nb"), entry.template("en"))
    return found


#: code → (bokmål, English), from :mod:`folge.vocabulary`'s ``criteria.yaml``
REASONS: dict[str, tuple[str, str]] = _pairs()
#: verdict → (bokmål, English)
VERDICT_LABELS: dict[str, tuple[str, str]] = _pairs("verdict")
#: rule kind → (bokmål, English)
RULE_LABELS: dict[str, tuple[str, str]] = _pairs("rule")


class _Formatter(string.Formatter):
    """Numbers written the way the language writes them; ``:p`` for p-values."""

    def __init__(self, lang: str):
        super().__init__()
        self.lang = lang

    def format_field(self, value, format_spec):
        if isinstance(value, float) and math.isnan(value):
            return "–"
        if format_spec == "p":
            text = "< 0.001" if value < 0.001 else f"= {value:.3f}"
        elif format_spec.endswith("%") and isinstance(value, (int, float)):
            digits = format_spec[:-1] or ".0"
            text = format(value * 100, digits + "f") + ("\u00a0%" if self.lang == "nb" else "%")
        else:
            text = format(value, format_spec)
        if self.lang == "nb" and isinstance(value, (int, float)) and not isinstance(value, bool):
            text = text.replace(".", ",").replace("-", "\u2212") if format_spec else text
        return text


_FORMATTERS = {"nb": _Formatter("nb"), "en": _Formatter("en")}


class Reason:
    """A reason code with its fields; ``text("nb")`` and ``text("en")`` word it."""

    __slots__ = ("code", "fields")

    def __init__(self, code: str, **fields):
        if code not in REASONS:
            raise KeyError(f"unknown reason code {code!r}")
        self.code = code
        self.fields = fields

    def text(self, lang: str = "nb") -> str:
        return say(self.code, lang, **self.fields)

    def __eq__(self, other) -> bool:
        return isinstance(other, Reason) and (self.code, self.fields) == (other.code, other.fields)

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted((k, repr(v)) for k, v in self.fields.items()))))

    def __repr__(self) -> str:
        return f"Reason({self.code!r}, {self.fields!r})"


def say(code: str, lang: str = "nb", **fields) -> str:
    """The text of reason ``code`` in ``lang`` (``nb`` or ``en``; ``nn`` reads bokmål)."""
    nb, en = REASONS[code]
    lang = "en" if lang == "en" else "nb"
    template = en if lang == "en" else nb
    words = {k: _in(v, lang) for k, v in fields.items()}
    return _FORMATTERS[lang].format(template, **words)


def _in(value, lang: str):
    """A field in ``lang``: texts (:class:`Text`, ``(nb, en)`` pairs, reasons) are worded."""
    if isinstance(value, Text):
        return value.get_lang(lang)
    if isinstance(value, Reason):
        return value.text(lang)
    if isinstance(value, list):
        return "; ".join(str(_in(v, lang)) for v in value)
    return value
