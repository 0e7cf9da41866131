"""The one-page summary that opens each region report and the national one.

It says, in plain words and from disclosed tables only: every criterion's verdict (a
symbol and a word, never colour alone) with its reason and its figure or interval; what
changed since the last wave (each construct, clearly higher, clearly lower or within the
margin of error); where the evidence is too thin (insufficient data, inconclusive, with the
smallest detectable difference where the rules give one); and the response rate.

The sentences live in the words files (``reports/words/LANG.yaml``, section ``summary``);
this module only chooses which sentence and fills in its numbers. Intervals come from the
criteria rows' ``ci_low``/``ci_high``/``mde`` or, where a ``rules`` table is published, from
its rows for the same criterion, region and wave; without either, the figure is shown
against its threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping

import pandas as pd

from ._disclosure import TOTAL
from ._i18n import VERDICT_LABELS, VERDICT_SYMBOLS, label_of, number, percent

__all__ = ["SummaryBlocks", "summary_blocks", "THIN_VERDICTS"]

#: Verdicts that say the evidence does not yet decide.
THIN_VERDICTS = ("insufficient-data", "inconclusive")
#: Shapes for verdicts the catalogue may not give one yet.
_EXTRA_SYMBOLS = {"inconclusive": "◇", "descriptive": "·"}
#: How many construct names a change sentence lists before "and N more".
_NAMES_SHOWN = 5

Say = Callable[..., str]


@dataclass
class SummaryBlocks:
    """The summary's finished pieces, as markdown (empty where there is nothing to say)."""

    verdicts: str = ""
    changes: str = ""
    thin: str = ""
    response: str = ""


def _missing(x) -> bool:
    try:
        return x is None or (isinstance(x, float) and math.isnan(x)) or x != x
    except TypeError:
        return False


def verdict_words(verdict, lang: str, say: Say) -> str:
    """``● oppfylt``: the verdict's shape and word (the word from the catalogue or the summary's words)."""
    if not isinstance(verdict, str) or not verdict:
        return "–"
    word = label_of(VERDICT_LABELS, verdict, lang)
    if word == verdict:
        word = say(f"verdict_{verdict.replace('-', '_')}", default=verdict)
    return f"{VERDICT_SYMBOLS.get(verdict) or _EXTRA_SYMBOLS.get(verdict, '')} {word}".strip()


def _interval_of(row: Mapping, rules: pd.DataFrame) -> tuple:
    """(ci_low, ci_high, mde) of a criterion row: its own columns, else the first rule row that has them."""
    found = [row.get(c) for c in ("ci_low", "ci_high", "mde")]
    if not all(_missing(x) for x in found) or rules.empty:
        return tuple(found)
    match = rules[(rules["criterion"] == row.get("criterion")) & (rules["region"] == row.get("region"))]
    if "wave" in match.columns:
        match = match[match["wave"] == row.get("wave")]
    if "suppressed" in match.columns:
        match = match[~match["suppressed"].astype(bool)]
    for rule in match.to_dict("records"):
        values = [rule.get(c) for c in ("ci_low", "ci_high", "mde")]
        if not all(_missing(x) for x in values[:2]) or not _missing(values[2]):
            return tuple(values)
    return (None, None, None)


def _figure(row: Mapping, interval: tuple, lang: str, share: bool, say: Say) -> str:
    """The criterion's figure in words: value with its interval, or value against its threshold."""
    fmt = (lambda x: percent(x, lang)) if share else (lambda x: number(x, lang, 2))
    value, low, high = row.get("value"), interval[0], interval[1]
    if _missing(value):
        return ""
    if not _missing(low) and not _missing(high):
        return say("figure_interval", value=fmt(value), low=fmt(low), high=fmt(high))
    if not _missing(row.get("threshold")):
        return say("figure_threshold", value=fmt(value), threshold=fmt(row.get("threshold")))
    return fmt(value)


def _verdict_list(rows: pd.DataFrame, ed, lang: str, say: Say, rules: pd.DataFrame) -> tuple[str, list[str]]:
    """One line per criterion (verdict, title, reason, figure) and the lines on thin evidence."""
    words, titles = ed.criteria_text, ed.criteria_titles
    lines, thin = [], []
    for row in rows.to_dict("records"):
        cid = str(row["criterion"])
        title = titles.get(cid, {}).get(lang) or titles.get(cid, {}).get("nb") or cid
        if bool(row.get("suppressed")):
            lines.append(f"- **{say('verdict_hidden')}**: {title}.")
            continue
        interval = _interval_of(row, rules)
        share = words.is_share(cid, str(row.get("indicator")), row.get("value"), row.get("threshold"))
        # the reason already states the figure against its bar; the interval adds what it lacks
        figure = _figure(row, interval, lang, share, say) if not all(_missing(x) for x in interval[:2]) else ""
        reason = words.short_reason(row, lang)
        tail = f" ({figure})" if figure else ""
        lines.append(f"- **{verdict_words(row.get('verdict'), lang, say)}**: {title} – {reason}{tail}.")
        if row.get("verdict") in THIN_VERDICTS:
            mde = interval[2]
            fmt = percent(mde, lang) if share else number(mde, lang, 2)
            thin.append(say("thin_mde", title=title, mde=fmt) if not _missing(mde) else title)
    return "\n".join(lines), thin


def _name_list(names: list[str], say: Say) -> str:
    if len(names) <= _NAMES_SHOWN:
        return ", ".join(names)
    return ", ".join(names[:_NAMES_SHOWN]) + " " + say("and_more", k=len(names) - _NAMES_SHOWN)


def change_sentences(ed, region: str, lang: str, say: Say, dates: Mapping[str, str] | None = None) -> str:
    """What changed since the previous wave, construct by construct, in three sentences at most.

    ``dates`` names each wave by its date in words ("mars 2016"); without it, by its id.

    A change counts as clear when its confidence interval leaves out zero; every other
    construct is named as within the margin of error (a change too small to tell apart).
    """
    if ed.previous is None:
        return say("change_first_wave", wave=ed.wave)
    rows = ed.rows("change", region)
    if rows.empty:
        return say("change_none", previous=ed.previous)
    rows = rows[(rows["to_wave"] == ed.wave) & (rows["from_wave"] == ed.previous)]
    if "comparison" in rows.columns:
        rows = rows[rows["comparison"].fillna("consecutive") == "consecutive"]
    if "method" in rows.columns:
        rows = rows[rows["method"].str.startswith("welch", na=False)]
    rows = rows[~rows["suppressed"].astype(bool)]
    if rows.empty:
        return say("change_none", previous=ed.previous)
    titles = {c.id: c.title.get_lang(lang) for c in ed.study.constructs.values()}
    up, down, flat = [], [], []
    for row in rows.sort_values("diff", ascending=False).to_dict("records"):
        name = titles.get(row["construct"], row["construct"])
        moved = f"{name} ({number(row['mean_from'], lang, 1)} → {number(row['mean_to'], lang, 1)})"
        if not _missing(row.get("ci_low")) and row["ci_low"] > 0:
            up.append(moved)
        elif not _missing(row.get("ci_high")) and row["ci_high"] < 0:
            down.append(moved)
        else:
            flat.append(name)
    dates = dates or {}
    parts = [say("change_intro", previous=dates.get(ed.previous, ed.previous), wave=dates.get(ed.wave, ed.wave))]
    if up:
        parts.append(say("change_up", names=_name_list(up, say)))
    if down:
        parts.append(say("change_down", names=_name_list(down[::-1], say)))
    if flat:
        parts.append(say("change_flat", names=_name_list(flat, say), k=len(flat)))
    return " ".join(parts)


def response_sentence(ed, region: str, lang: str, say: Say) -> str:
    """The response rate of the edition's wave (the region, or the whole programme)."""
    rows = ed.rows("response_rates", region)
    if rows.empty:
        return say("response_unknown", wave=ed.wave)
    rows = rows[(rows["wave"] == ed.wave) & (rows["role"] == TOTAL)]
    if rows.empty:
        return say("response_unknown", wave=ed.wave)
    row = rows.iloc[0]
    if bool(row["suppressed"]) or _missing(row.get("rate")):
        return say("response_hidden", wave=ed.wave)
    return say("response_rate", wave=ed.wave, rate=percent(row["rate"], lang),
               responded=number(row["responded"], lang, 0), invited=number(row["invited"], lang, 0))


def summary_blocks(ed, region: str, lang: str, say: Say, dates: Mapping[str, str] | None = None) -> SummaryBlocks:
    """The summary of ``region`` (``all`` for the national report) in ``lang``.

    ``say(key, **values)`` is the text ``key`` of the words files' ``summary`` section,
    filled with ``values``; ``dates`` names the waves by their dates in words.
    """
    rows = ed.rows("criteria", region)
    rows = rows[rows["wave"] == ed.wave] if not rows.empty else rows
    rules = ed.frame("rules") if "rules" in getattr(ed, "tables", {}) else pd.DataFrame()
    blocks = SummaryBlocks()
    if rows.empty:
        blocks.verdicts = say("no_criteria")
        thin: list[str] = []
    else:
        blocks.verdicts, thin = _verdict_list(rows, ed, lang, say, rules)
    blocks.thin = say("thin", names=_name_list(thin, say), k=len(thin)) if thin else say("thin_none")
    blocks.changes = change_sentences(ed, region, lang, say, dates)
    blocks.response = response_sentence(ed, region, lang, say)
    return blocks
