"""Assemble each document's markdown-only .qmd from the templates in ``reports/templates``.

The content (tables, figures, notes) is made here from disclosed tables only; the prose
around it lives in the jinja2 templates an evaluator edits. A :class:`Edition` holds what
every document of one build shares (study, public tables split by region, provenance).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

import jinja2
import pandas as pd
from ruamel.yaml import YAML

from .._paths import defaults_dir
from ..definitions import previous_wave
from ..statistics import GATE_MODEL, PARTIAL_MODEL, gate_estimator
from ._criteria_text import CriteriaText, load_definitions
from ._disclosure import TOTAL
from ._figures import Chart, TrendWords, chain_chart, construct_chart, items_chart, trust_chart
from ._i18n import (SECTOR_LABELS, TARGET_LABELS, VERDICT_LABELS, VERDICT_SYMBOLS, label_of, number, percent, t)
from ._public import PublicTable, holds
from ._summary import summary_blocks
from ._quarto import ReportError
from ._tables import Column, hidden_mark, is_secondary, num, pct, pipe_table, secondary_note, text

#: the items a ``scalar-partial`` row's note names as freed ("thresholds of b2 free across groups",
#: or "… across waves" from the longitudinal model)
_FREED = re.compile(r"(?:thresholds|loading) of (\S+) free across (?:groups|waves)")

__all__ = ["Templates", "Edition", "Doc", "national_qmd", "region_qmd", "methods_qmd", "index_qmd",
           "ITEMS_PER_CHART", "front_matter"]

ITEMS_PER_CHART = 16
#: A region report shows the items where the region's answers differ most from the
#: national ones (every item of every region is in the open data, item_shares.csv).
ITEMS_PER_REGION = 12
REGION_TABLES = ("construct_means", "criteria", "change", "agreement", "response_rates", "trust_matrix",
                 "learning_chain", "item_shares", "panel", "levels")


def _yaml(value) -> str:
    return json.dumps("" if value is None else str(value), ensure_ascii=False)


class Templates:
    """The jinja2 templates of one reports folder: one ``NAME.qmd.j2`` per document.

    The words of each language come from ``words/LANG.yaml`` beside ``templates/``: one
    section per document, each text itself a small template over the same fields, used
    in the document as ``{{ w.KEY }}``. A folder that still has a document per language
    (``NAME.LANG.qmd.j2``) keeps it: that file wins for its language.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.words_folder = self.folder.parent / "words"
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.folder)), undefined=jinja2.StrictUndefined,
            comment_start_string="{=#", comment_end_string="#=}", keep_trailing_newline=True,
            autoescape=False, trim_blocks=False)
        self.env.filters["yaml"] = _yaml
        self._words: dict[str, dict] = {}

    def words(self, lang: str) -> dict:
        """``words/LANG.yaml`` as document → {key: text} (empty when the file is missing)."""
        if lang not in self._words:
            path = self.words_folder / f"{lang}.yaml"
            found = YAML(typ="safe").load(path.read_text(encoding="utf-8")) if path.exists() else None
            if found is not None and not isinstance(found, dict):
                raise ReportError(f"{path}: expected a mapping of documents to their words")
            self._words[lang] = found or {}
        return self._words[lang]

    def render(self, name: str, lang: str, **context) -> str:
        context["s"] = lambda key, **kw: t(key, lang, **kw)
        own = f"{name}.{lang}.qmd.j2"
        if (self.folder / own).exists():
            return self.env.get_template(own).render(**context)
        words = self.words(lang).get(name) or {}
        context["w"] = _Words(self.env, name, lang, words, context)
        context["sw"] = _Words(self.env, "summary", lang, self.section_words(lang, "summary"), context)
        return self.env.get_template(f"{name}.qmd.j2").render(**context)

    def section_words(self, lang: str, section: str) -> dict:
        """The ``section`` of the words (the shipped one where this folder's words lack it)."""
        own = self.words(lang).get(section)
        if own:
            return own
        shipped = defaults_dir() / "reports" / "templates"
        if shipped.resolve() == self.folder.resolve():
            return {}
        return Templates(shipped).words(lang).get(section) or {}

    def say(self, lang: str, section: str = "summary") -> Callable[..., str]:
        """``say(key, **values)``: the text ``key`` of the words' ``section``, filled with ``values``."""
        words = self.section_words(lang, section)

        def say(key: str, default: str | None = None, **values) -> str:
            if key not in words:
                if default is not None:
                    return default
                raise ReportError(f"words/{lang}.yaml has no '{key}' under '{section}'")
            return self.env.from_string(str(words[key])).render(**values).strip()

        return say


class _Words:
    """``w.KEY`` in a template: the text ``KEY`` of the document's words, rendered with its fields."""

    def __init__(self, env: jinja2.Environment, document: str, lang: str, words: Mapping[str, str], context: dict):
        self._env, self._document, self._lang = env, document, lang
        self._words, self._context = words, context

    def __getattr__(self, key: str) -> str:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            text = self._words[key]
        except KeyError:
            raise ReportError(f"words/{self._lang}.yaml has no '{key}' under '{self._document}'") from None
        return self._env.from_string(str(text)).render(**self._context)

    __getitem__ = __getattr__


@dataclass
class Doc:
    """One document of a build: where its .qmd is and where its outputs go."""

    kind: str
    id: str
    lang: str
    title: str
    qmd: Path
    html: Path | None = None
    pdf: Path | None = None


@dataclass
class Edition:
    """What every document of one build shares."""

    study: object
    tables: Mapping[str, PublicTable]
    waves: list[str]
    lang: str | None
    provenance: dict
    engine: str = "pandoc"
    split: dict = field(default_factory=dict)
    #: What every region's charts share (the national agreement per item), worked out once per process.
    chart_cache: dict = field(default_factory=dict)

    def __post_init__(self):
        self.criteria_titles = criteria_titles(self.study)
        self.criteria_text = CriteriaText(self.study, load_definitions(self.study), self.waves, self.frame)
        for name in REGION_TABLES:
            table = self.tables.get(name)
            if table is not None:
                self.split[name] = {str(k): v for k, v in table.frame.groupby("region", sort=False)}

    @property
    def wave(self) -> str:
        return self.waves[-1] if self.waves else ""

    @property
    def previous(self) -> str | None:
        """The edition's wave before :attr:`wave` (None when the edition has one wave)."""
        return previous_wave(self.waves, self.wave) if self.waves else None

    def frame(self, name: str) -> pd.DataFrame:
        table = self.tables.get(name)
        return table.frame if table is not None else pd.DataFrame(columns=["region", "wave", "suppressed"])

    def rows(self, name: str, *regions: str) -> pd.DataFrame:
        """The disclosed rows of table ``name`` for ``regions`` (fast: split once per build)."""
        parts = [self.split.get(name, {}).get(r) for r in regions]
        parts = [p for p in parts if p is not None]
        if not parts:
            return self.frame(name).iloc[0:0]
        return pd.concat(parts) if len(parts) > 1 else parts[0]

    def lang_of(self, region=None) -> str:
        if self.lang:
            return self.lang
        return region.language if region is not None else "nb"


class Figures:
    """Writes a document's charts beside its .qmd and returns their markdown."""

    def __init__(self, folder: Path, stem: str):
        self.folder = folder
        self.stem = stem
        self.count = 0

    def add(self, chart: Chart | None) -> tuple[str, str]:
        if chart is None:
            return "", ""
        self.count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{self.stem}-{chart.name}.svg"
        (self.folder / name).write_bytes(chart.svg)
        label = f"fig-{chart.name}"
        alt = chart.alt.replace('"', "'").replace("\n", " ")
        caption = chart.caption.replace("[", "(").replace("]", ")")
        md = f'![{caption}]({self.folder.name}/{name}){{#{label} fig-alt="{alt}"}}'
        return md, f"@{label}"


# ----------------------------------------------------------------------------------------
# blocks shared by national and region reports


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[~frame["suppressed"].astype(bool)]


def _verdict(value, lang) -> str:
    if not isinstance(value, str) or not value:
        return "–"
    return f"{VERDICT_SYMBOLS.get(value, '')} {label_of(VERDICT_LABELS, value, lang)}".strip()


def _criteria_blocks(ed: Edition, region: str, lang: str, *, compare: bool) -> tuple[str, str, str]:
    """The verdict summary sentence, the one-line-per-criterion table and the detail section."""
    rows = ed.rows("criteria", region)
    rows = rows[rows["wave"] == ed.wave] if not rows.empty else rows
    if rows.empty:
        return t("no_data", lang), "", ""
    shown = _shown(rows)
    counts = shown["verdict"].value_counts()
    summary = t("verdict_summary", lang, wave=ed.wave, counts=", ".join(
        f"{int(counts[v])} {label_of(VERDICT_LABELS, v, lang)}" for v in VERDICT_LABELS if v in counts) or "–")
    words = ed.criteria_text
    frame = rows.copy()
    titles = ed.criteria_titles
    records = frame.to_dict("records")
    frame["title"] = [titles.get(c, {}).get(lang) or titles.get(c, {}).get("nb") or c for c in frame["criterion"]]
    frame["short_reason"] = [words.short_reason(r, lang) if not r.get("suppressed") else "" for r in records]
    frame["value_text"] = [words.cell(r, "value", lang) for r in records]
    frame["threshold_text"] = [words.cell(r, "threshold", lang) for r in records]
    columns = [Column("title", t("criterion", lang), key=True, width=22),
               Column("verdict", t("verdict", lang), _verdict, width=13),
               Column("value_text", t("value", lang), align="right", width=8),
               Column("threshold_text", t("threshold", lang), key=True, align="right", width=10),
               Column("n", t("n", lang), num(0), align="right", width=5),
               Column("short_reason", t("reason", lang), width=29)]
    national_verdicts = None
    if compare:
        national = ed.rows("criteria", TOTAL)
        national = national[(national["wave"] == ed.wave) & ~national["suppressed"].astype(bool)]
        national_verdicts = dict(zip(national["criterion"], national["verdict"]))
        frame["national_verdict"] = frame["criterion"].map(national_verdicts).to_numpy()
        columns.insert(2, Column("national_verdict", t("national_verdict", lang), _verdict, key=True, width=13))
    table = pipe_table(frame, columns, lang, caption=t("criterion", lang) + f", {ed.wave}", label="tbl-criteria")
    detail = words.detail(rows, lang, titles=titles, national=national_verdicts, verdict=_verdict)
    return summary, table, detail


def _respondent_instruments(study) -> list:
    """Respondent-level instruments, the one with most constructs (the main survey) first."""
    found = [i for i in study.instruments.values() if i.level == "respondent"]
    return sorted(found, key=lambda i: (-len(i.constructs), i.id))


def criteria_titles(study) -> dict[str, dict]:
    """Criterion titles of the loaded criteria, where they have one (id → {lang: title})."""
    from ._public import criteria_definitions

    return {cid: dict(c.title) for cid, c in criteria_definitions(study).items() if len(c.title)}


def _instrument_constructs(ed: Edition, lang: str):
    """(instrument, [(construct id, title)], {construct: scale}) for each respondent-level instrument."""
    for inst in _respondent_instruments(ed.study):
        constructs = [(c.id, c.title.get_lang(lang)) for c in inst.constructs if c.kind == "scale"]
        if constructs:
            yield inst, constructs, {c.id: c.scale for c in inst.constructs}


def wave_dates(ed: Edition, say) -> tuple[dict[str, float], dict[str, str], dict[str, str]]:
    """Each wave's place on a time axis (its date as a day number), its tick label and its date in words.

    A wave without a date is placed half a year after the one before it and labelled by its id.
    """
    months, short = say("months").split(), say("months_short").split()
    dates = {w.id: w.date for w in ed.study.waves}
    x, ticks, long = {}, {}, {}
    for k, wave in enumerate(ed.waves):
        date = dates.get(wave)
        if date is None:
            x[wave] = (x[ed.waves[k - 1]] + 182.0) if k else 0.0
            ticks[wave] = long[wave] = wave
            continue
        x[wave] = float(date.toordinal())
        ticks[wave] = f"{short[date.month - 1]}\n{date.year}"
        long[wave] = f"{months[date.month - 1]} {date.year}"
    return x, ticks, long


def _trend_alt(say, title: str, dates: Mapping[str, str], lang: str, region: bool):
    """The alt text of a construct chart: the change of the focus line in words, then the national level."""

    def alt(finding: Mapping[str, dict]) -> str:
        focus = finding["region"] if region else finding["national"]
        if not focus:
            focus, region_ = finding["national"], False
        else:
            region_ = region
        waves = list(focus)
        first, last = waves[0], waves[-1]
        a, b = focus[first], focus[last]
        values = dict(construct=title, a=number(a, lang, 1), b=number(b, lang, 1), first=dates.get(first, first),
                      last=dates.get(last, last))
        key = "alt_one" if first == last else ("alt_up" if b - a >= 0.05 else "alt_down" if a - b >= 0.05
                                                else "alt_same")
        text = say(key, **values)
        national = finding["national"]
        text += say("alt_national", n=number(national[last], lang, 1)) if region_ and last in national else "."
        eb = finding.get("eb") or {}
        if region_ and eb:
            wave = list(eb)[-1]
            # a study's own words from before the EB marker may lack the sentence: then it is left out
            extra = say("alt_eb", default="", eb=number(eb[wave], lang, 1), when=dates.get(wave, wave))
            text += f" {extra}" if extra else ""
        return text

    return alt


def _eb_rows(ed: Edition, region: str) -> pd.DataFrame | None:
    """The region's shown empirical-Bayes estimates where the reports use them (fewer than
    ``settings.eb_below`` answers in the wave), or None."""
    rows = ed.rows("levels", region)
    if rows.empty or "eb" not in rows.columns:
        return None
    rows = _shown(rows)
    rows = rows[(rows["n"] < ed.study.settings.eb_below) & rows["eb"].notna()]
    return rows if not rows.empty else None


def _trend_block(ed: Edition, figures: Figures, lang: str, scope: str, region: str | None,
                 say=None) -> tuple[str, str]:
    """One chart per construct (region against the country over time), main survey first."""
    means = ed.rows("construct_means", TOTAL, region) if region else ed.rows("construct_means", TOTAL)
    eb = _eb_rows(ed, region) if region else None
    wave_x, ticks, long = wave_dates(ed, say)
    blocks, first = [], ""
    for inst, constructs, scales in _instrument_constructs(ed, lang):
        for cid, title in constructs:
            scale = scales.get(cid)
            span = (scale.min, scale.max) if scale is not None and scale.min is not None else (1, 5)
            words = TrendWords(caption=say("trend_caption", construct=title, scope=scope),
                               alt=_trend_alt(say, title, long, lang, region is not None), tick_labels=ticks,
                               region_label=scope, national_label=t("legend_national", lang),
                               eb_label=t("level_eb", lang))
            chart = construct_chart(means, cid, wave_x, lang, name=f"trend-{cid}", words=words, region=region,
                                    scale_range=span, eb=eb)
            md, ref = figures.add(chart)
            if md:
                blocks.append(md)
                first = first or ref
    return "\n\n".join(blocks), first


def _items_block(ed: Edition, figures: Figures, lang: str, scope: str, region: str) -> str:
    if region != TOTAL:
        return _region_items_block(ed, figures, lang, scope, region)
    shares = ed.rows("item_shares", region)
    blocks = []
    k = 0
    for inst in _respondent_instruments(ed.study):
        by_scale: dict[str, list] = {}
        for c in inst.constructs:
            if c.kind == "scale" and c.scale.is_ordinal:
                by_scale.setdefault(c.scale.id, []).extend(c.items)
        for scale_id, items in by_scale.items():
            for start in range(0, len(items), ITEMS_PER_CHART):
                k += 1
                chunk = items[start:start + ITEMS_PER_CHART]
                chart = items_chart(shares, chunk, chunk[0].scale, lang, name=f"items-{k}", scope=scope,
                                    wave=ed.wave, region=region)
                md, _ = figures.add(chart)
                if md:
                    blocks.append(md)
    return "\n\n".join(blocks) if blocks else t("no_data", lang)


def _by_construct(frame: pd.DataFrame, study, lang: str) -> list[tuple[str, str, pd.DataFrame]]:
    """Split a table that may carry a ``construct`` column into (id, title, rows), main survey first."""
    if frame.empty or "construct" not in frame.columns:
        return [("", "", frame)]
    order = {c.id: k for k, inst in enumerate(_respondent_instruments(study)) for c in inst.constructs}
    parts = []
    for cid, rows in frame.groupby("construct", sort=False):
        construct = study.constructs.get(str(cid))
        parts.append((str(cid), construct.title.get_lang(lang) if construct else str(cid), rows))
    return sorted(parts, key=lambda p: (order.get(p[0], 99), p[0]))


def _agree_share(shares: pd.DataFrame, items) -> pd.Series:
    """Share agreeing (upper half of the scale) per item, from disclosed shown rows."""
    shown = _shown(shares)
    shown = shown[shown["wave"] != ""]
    upper = {item.id: set(item.scale.values[(len(item.scale.values) + 1) // 2:]) for item in items}
    shown = shown[shown["item"].isin(upper.keys())]
    if shown.empty:
        return pd.Series(dtype=float)
    agree = [value in upper[item] for item, value in zip(shown["item"], shown["value"])]
    sums = shown["share"].where(agree, 0.0).groupby(shown["item"], sort=False).sum()
    return sums.reindex([i.id for i in items if i.id in sums.index]).astype(float)


def _region_items_block(ed: Edition, figures: Figures, lang: str, scope: str, region: str) -> str:
    """One chart: the items (of the main survey's most used scale) where the region differs most."""
    instruments = _respondent_instruments(ed.study)
    if not instruments:
        return t("no_data", lang)
    by_scale: dict[str, list] = {}
    for c in instruments[0].constructs:
        if c.kind == "scale" and c.scale.is_ordinal:
            by_scale.setdefault(c.scale.id, []).extend(c.items)
    if not by_scale:
        return t("no_data", lang)
    items = max(by_scale.values(), key=len)
    local = ed.rows("item_shares", region)
    local = local[local["wave"] == ed.wave] if not local.empty else local
    national = ed.rows("item_shares", TOTAL)
    national = national[national["wave"] == ed.wave] if not national.empty else national
    if local.empty:
        return t("no_data", lang)
    key = ("agree", ed.wave, tuple(i.id for i in items))
    if key not in ed.chart_cache:
        ed.chart_cache[key] = _agree_share(national, items)
    gap = (_agree_share(local, items) - ed.chart_cache[key]).abs().dropna()
    if gap.empty:
        return t("no_data", lang)
    chosen = set(gap.sort_values(ascending=False).index[:ITEMS_PER_REGION])
    chunk = [i for i in items if i.id in chosen]
    chart = items_chart(local, chunk, chunk[0].scale, lang, name="items-1", scope=scope, wave=ed.wave, region=region)
    md, _ = figures.add(chart)
    return md or t("no_data", lang)


def _trust_block(ed, figures, lang, scope, region) -> tuple[str, str]:
    blocks, first = [], ""
    for k, (cid, title, rows) in enumerate(_by_construct(ed.rows("trust_matrix", region), ed.study, lang), start=1):
        if rows.empty:
            continue
        chart = trust_chart(rows, region, ed.wave, lang, name=f"trust-{k}", scope=scope + (f": {title}" if title else ""),
                            sector_labels=SECTOR_LABELS, target_labels=TARGET_LABELS)
        md, ref = figures.add(chart)
        if md:
            blocks.append(md)
            first = first or ref
    if not blocks and region != TOTAL:
        return t("role_breakdown_hidden", lang, region=scope, min_n=ed.study.min_n), ""
    return "\n\n".join(blocks) or t("no_data", lang), first


def _chain_block(ed, figures, lang, scope, region) -> str:
    rows = ed.rows("learning_chain", TOTAL, *([region] if region != TOTAL else []))
    if "stage" not in rows.columns:  # a study without a learning chain
        return t("no_data", lang)
    blocks = []
    for k, (cid, title, sub) in enumerate(_by_construct(rows, ed.study, lang), start=1):
        chart = chain_chart(sub, ed.wave, lang, name=f"chain-{k}", scope=scope + (f": {title}" if title else ""),
                            region=None if region == TOTAL else region)
        md, _ = figures.add(chart)
        if md:
            blocks.append(md)
    return "\n\n".join(blocks) or t("no_data", lang)


def _role_label(study, role_id, lang) -> str:
    if role_id == TOTAL:
        return t("all_roles", lang)
    try:
        title = study.role(role_id).title
        return title.get_lang(lang) if len(title) else role_id
    except KeyError:
        return str(role_id)


def _region_label(study, region_id, lang) -> str:
    if region_id == TOTAL:
        return t("national", lang)
    try:
        return study.region(region_id).name
    except KeyError:
        return str(region_id)


def _gate_rows(inv: pd.DataFrame, study) -> pd.DataFrame:
    """The invariance rows that decide the gate: WLSMV for scales of up to 7 points, ML otherwise."""
    if inv.empty or "estimator" not in inv.columns:
        return inv
    points = {c.id: c.scale.points for c in study.constructs.values()}
    wanted = inv["construct"].map(lambda c: gate_estimator(points.get(c, 5)))
    return inv[inv["estimator"].astype(str) == wanted]


def _invariance_care_notes(ed: Edition, lang: str, titles: Mapping[str, str]) -> list[str]:
    """A note per construct whose invariance does not hold, or holds only partially."""
    inv = ed.frame("invariance")
    if inv.empty:
        return []
    rows = _gate_rows(_shown(inv), ed.study)
    notes = []
    for construct, sub in rows.groupby("construct", sort=False):
        verdicts = {m: (None if pd.isna(h) else bool(h)) for m, h in zip(sub["model"].astype(str), holds(sub))}
        title = titles.get(construct, construct)
        steps = (GATE_MODEL,) if GATE_MODEL in verdicts else ("metric", "scalar")
        partial = sub[sub["model"].astype(str) == PARTIAL_MODEL]
        if verdicts.get(steps[-1]) is False and verdicts.get(PARTIAL_MODEL) is True:
            freed = ", ".join(dict.fromkeys(_FREED.findall(str(partial["note"].iloc[0]))))
            notes.append(t("care_invariance_partial", lang, construct=title, items=freed or "?"))
            continue
        failed = [m for m in steps if verdicts.get(m) is False]
        if failed:
            notes.append(t("care_invariance", lang, construct=title,
                           model="scalar" if failed[0] == GATE_MODEL else failed[0]))
    return notes


def _care_notes(ed: Edition, lang: str, region: str | None) -> str:
    study = ed.study
    notes = []
    titles = {c.id: c.title.get_lang(lang) for c in study.constructs.values()}
    rel = ed.frame("reliability")
    if not rel.empty:
        last = _shown(rel[rel["wave"] == ed.wave])
        for row in last.itertuples(index=False):
            if pd.notna(row.alpha) and row.alpha < study.settings.alpha_bar:
                notes.append(t("care_alpha", lang, construct=titles.get(row.construct, row.construct),
                               alpha=number(row.alpha, lang), bar=number(study.settings.alpha_bar, lang),
                               wave=ed.wave))
    notes += _invariance_care_notes(ed, lang, titles)
    trend = ed.frame("trend")
    if not trend.empty and "region" in trend.columns:
        trend = trend[trend["region"] == (region if region and region != TOTAL else TOTAL)]
    if not trend.empty and "note" in trend.columns:
        for row in _shown(trend).itertuples(index=False):
            if isinstance(row.note, str) and row.note.strip():
                notes.append(t("care_trend", lang, construct=titles.get(row.construct, row.construct), note=row.note))
    if region and region != TOTAL:
        agr = ed.rows("agreement", region)
        if not agr.empty:
            agr = _shown(agr[agr["wave"] == ed.wave])
            for row in agr.itertuples(index=False):
                if pd.notna(row.rwg_j) and row.rwg_j < study.settings.rwg_bar:
                    notes.append(t("care_rwg", lang, construct=titles.get(row.construct, row.construct),
                                   rwg=number(row.rwg_j, lang), bar=number(study.settings.rwg_bar, lang)))
    if not notes:
        return t("care_none", lang)
    body = "\n".join(f"- {n}" for n in notes)
    return f'::: {{.callout-warning title="{t("care", lang)}"}}\n{body}\n:::'


def _response_table(ed: Edition, lang: str, region: str) -> str:
    rows = ed.rows("response_rates", region) if region != TOTAL else ed.frame("response_rates")
    if rows.empty:
        return t("no_data", lang)
    rows = rows[rows["wave"] == ed.wave].copy()
    if region == TOTAL:
        rows = rows[rows["role"] == TOTAL]
        rows["label"] = rows["region"].map(lambda r: _region_label(ed.study, r, lang))
        rows = pd.concat([rows[rows["region"] == TOTAL], rows[rows["region"] != TOTAL]])
    else:
        breakdown = rows[rows["role"] != TOTAL]
        if not breakdown.empty and breakdown["suppressed"].all():
            rows = rows[rows["role"] == TOTAL]
        rows["label"] = rows["role"].map(lambda r: _role_label(ed.study, r, lang))
        rows = pd.concat([rows[rows["role"] == TOTAL], rows[rows["role"] != TOTAL]])
    header = t("region", lang) if region == TOTAL else t("role", lang)
    return pipe_table(rows, [Column("label", header, key=True), Column("invited", t("invited", lang), num(0), key=True,
                                                                       align="right"),
                             Column("responded", t("responded", lang), num(0), align="right"),
                             Column("rate", t("rate", lang), pct(0), align="right")],
                      lang, caption=t("rate", lang) + f", {ed.wave}", label="tbl-response")


def _weighted(ed: Edition) -> bool:
    """Whether the edition's levels (its wave's means for the country and the regions) are weighted."""
    levels = ed.frame("levels")
    if levels.empty or "weighted" not in levels.columns:
        return False
    return bool(levels.loc[levels["wave"] == ed.wave, "weighted"].fillna(False).astype(bool).any())


def _eb_block(ed: Edition, lang: str, region) -> str:
    """The region's direct and empirical-Bayes estimates side by side, when it has fewer than
    ``settings.eb_below`` answers in the edition's wave (disclosed rows only)."""
    rows = ed.rows("levels", region.id)
    if rows.empty:
        return ""
    scales = {c.id: c.title.get_lang(lang) for c in ed.study.constructs.values() if c.kind == "scale"}
    rows = _shown(rows[(rows["wave"] == ed.wave) & rows["construct"].isin(scales)])
    rows = rows[rows["n"] < ed.study.settings.eb_below]
    if rows.empty:
        return ""
    rows = rows.assign(title=rows["construct"].map(scales))
    return pipe_table(rows, [
        Column("title", t("construct", lang), key=True), Column("n", t("n", lang), num(0), align="right"),
        Column("mean", t("level_direct", lang), num(2), align="right"),
        Column("ci_low", t("ci", lang) + " ↓", num(2), align="right"),
        Column("ci_high", t("ci", lang) + " ↑", num(2), align="right"),
        Column("eb", t("level_eb", lang), num(2), align="right"),
        Column("eb_se", t("level_se", lang), num(2), align="right")], lang,
        caption=f"{t('level_direct', lang)} / {t('level_eb', lang)}, {ed.wave}", label="tbl-eb")


def _who_answered(ed: Edition) -> dict:
    """The national response rate of the edition's wave and the last retention, from disclosed rows."""
    facts = {"invited": None, "responded": None, "rate": None, "retention": None, "from_wave": None}
    rates = ed.frame("response_rates")
    if not rates.empty:
        nat = _shown(rates[(rates["region"] == TOTAL) & (rates["role"] == TOTAL) & (rates["wave"] == ed.wave)])
        if not nat.empty and pd.notna(nat["rate"].iloc[0]):
            row = nat.iloc[0]
            facts.update(invited=int(row["invited"]), responded=int(row["responded"]), rate=float(row["rate"]))
    panel = ed.rows("panel", TOTAL)
    if not panel.empty:
        last = _shown(panel[panel["to_wave"] == ed.wave])
        if not last.empty and pd.notna(last["retention"].iloc[0]):
            facts.update(retention=float(last["retention"].iloc[0]), from_wave=str(last["from_wave"].iloc[0]))
    return facts


def _weighting_blocks(ed: Edition, lang: str) -> dict:
    """The methods page's facts on who answered (formatted), and the weighting's margins."""
    facts = _who_answered(ed)
    return {"invited": number(facts["invited"], lang, 0) if facts["invited"] is not None else "",
            "responded": number(facts["responded"], lang, 0) if facts["responded"] is not None else "",
            "rate": percent(facts["rate"], lang, 0) if facts["rate"] is not None else "",
            "retention": percent(facts["retention"], lang, 0) if facts["retention"] is not None else "",
            "from_wave": facts["from_wave"] or "", "margins": ed.provenance.get("weighting_margins", "")}


def provenance(ed: Edition, lang: str) -> dict:
    return {**ed.provenance, "edition": ed.wave}


def front_matter(kind, doc_id, title, lang, ed, subtitle="") -> dict:
    return {"kind": kind, "id": doc_id, "title": title, "subtitle": subtitle, "lang": lang,
            "region": "NO" if lang in ("nb", "nn") else "GB", "date": ed.provenance.get("analysed", ""),
            "wave": ed.wave}


# ----------------------------------------------------------------------------------------
# documents


def national_qmd(ed: Edition, templates: Templates, folder: Path, lang: str) -> str:
    figures = Figures(folder / "figures", "national")
    scope = t("national", lang)
    summary, criteria, criteria_detail = _criteria_blocks(ed, TOTAL, lang, compare=False)
    trend, trend_ref = _trend_block(ed, figures, lang, scope, None, templates.say(lang, "figures"))
    trust, trust_ref = _trust_block(ed, figures, lang, scope, TOTAL)
    means = ed.rows("construct_means", TOTAL)
    n_resp = ed.rows("response_rates", TOTAL)
    n_resp = n_resp[(n_resp["wave"] == ed.wave) & (n_resp["role"] == TOTAL)] \
        if not n_resp.empty else n_resp
    n_total = int(n_resp["responded"].sum()) if not n_resp.empty and n_resp["responded"].notna().all() else (
        int(means["n"].max()) if not means.empty and means["n"].notna().any() else 0)
    titles = {c.id: c.title.get_lang(lang) for c in ed.study.constructs.values()}
    trend_rows = ed.frame("trend").copy()
    if "region" in trend_rows.columns:  # the national slope per year (regions' own rows are in trend.csv)
        trend_rows = trend_rows[trend_rows["region"] == TOTAL]
    trend_table = ""
    if not trend_rows.empty:
        trend_rows["title"] = trend_rows["construct"].map(lambda c: titles.get(c, c))
        trend_table = pipe_table(trend_rows, [
            Column("title", t("construct", lang), key=True),
            Column("estimate", t("estimate", lang), num(2), align="right"),
            Column("ci_low", t("ci", lang) + " ↓", num(2), align="right"),
            Column("ci_high", t("ci", lang) + " ↑", num(2), align="right"),
            Column("n", t("n", lang), num(0), align="right")], lang,
            caption=t("estimate", lang), label="tbl-trend")
    blocks = {
        "n_respondents": n_total, "n_regions": len(ed.study.regions),
        "verdict_summary": summary, "criteria_table": criteria, "criteria_detail": criteria_detail,
        "trend": trend or t("no_data", lang),
        "trend_table": trend_table, "answers": _items_block(ed, figures, lang, scope, TOTAL),
        "trust": trust, "chain": _chain_block(ed, figures, lang, scope, TOTAL),
        "response_table": _response_table(ed, lang, TOTAL), "care": _care_notes(ed, lang, None),
        "weighted": _weighted(ed), "margins": ed.provenance.get("weighting_margins", ""),
    }
    ref = {"trend": trend_ref, "trust": trust_ref}
    doc = front_matter("national", "national", t("title_national", lang), lang, ed, subtitle=ed.study.programme)
    sm = summary_blocks(ed, TOTAL, lang, templates.say(lang), wave_dates(ed, templates.say(lang, "figures"))[2])
    return templates.render("national", lang, doc=doc, study=ed.study, b=blocks, ref=ref, prov=provenance(ed, lang),
                            sm=sm)


def _roles_block(ed: Edition, lang: str, region) -> str:
    rows = ed.rows("construct_means", region.id)
    rows = rows[(rows["wave"] == ed.wave) & (rows["role"] != TOTAL)] if not rows.empty else rows
    if rows.empty or rows["suppressed"].all():
        return t("role_breakdown_hidden", lang, region=region.name, min_n=ed.study.min_n)
    titles = {c.id: c.title.get_lang(lang) for c in ed.study.constructs.values()}
    cells = rows.assign(cell=[number(m, lang) if not hidden else hidden_mark(why, lang)
                              for m, hidden, why in zip(rows["mean"], rows["suppressed"].astype(bool),
                                                        rows["suppression"])])
    wide = cells.pivot_table(index="construct", columns="role", values="cell", aggfunc="first", sort=False)
    roles = [r.id for r in ed.study.roles if r.id in wide.columns]
    wide = wide.reset_index()
    wide["title"] = wide["construct"].map(lambda c: titles.get(c, c))
    wide["suppressed"] = False
    columns = [Column("title", t("construct", lang), key=True)] + [
        Column(r, _role_label(ed.study, r, lang), align="right") for r in roles]
    table = pipe_table(wide, columns, lang, caption=t("mean", lang) + f" / {t('role', lang).lower()}, {ed.wave}",
                       label="tbl-roles")
    if any(is_secondary(why) for why in rows["suppression"]):
        table += "\n\n" + secondary_note(lang)
    return table


def _change_table(ed: Edition, lang: str, region: str) -> str:
    """The change since the previous wave, one table per instrument (construct group), n in the header."""
    rows = ed.rows("change", region)
    if rows.empty or ed.previous is None:
        return ""
    rows = rows[(rows["to_wave"] == ed.wave) & (rows["from_wave"] == ed.previous)]
    if "method" in rows.columns:  # the model row: the comparison's diff, interval and one adjusted p
        rows = rows[rows["method"].str.startswith("REML", na=False)]
    if rows.empty:
        return ""
    columns = [
        Column("title", t("construct", lang), key=True),
        Column("n_to", f"n ({ed.wave})", num(0), align="right"),
        Column("mean_from", f"{t('mean', lang)} {ed.previous}", num(2), align="right"),
        Column("mean_to", f"{t('mean', lang)} {ed.wave}", num(2), align="right"),
        Column("diff", t("change", lang), num(2), align="right"),
        Column("ci_low", t("ci", lang) + " ↓", num(2), align="right"),
        Column("ci_high", t("ci", lang) + " ↑", num(2), align="right"),
        Column("hedges_g", t("hedges_g", lang), num(2), align="right"),
        Column("p_adj", t("p_adj", lang), num(3), align="right")]
    tables, placed = [], set()
    groups = [(inst.title.get_lang(lang), constructs) for inst, constructs, _ in _instrument_constructs(ed, lang)]
    for k, (group, constructs) in enumerate(groups):
        order = [cid for cid, _ in constructs]
        part = rows[rows["construct"].isin(order)].copy()
        if part.empty:
            continue
        placed.update(order)
        part["title"] = part["construct"].map(dict(constructs))
        part = part.iloc[part["construct"].map({c: i for i, c in enumerate(order)}).argsort()]
        label = "tbl-change" if not tables else f"tbl-change-{k + 1}"
        tables.append(pipe_table(part, columns, lang, label=label,
                                 caption=t("change", lang) + f" {ed.previous}–{ed.wave}: {group}"))
    rest = rows[~rows["construct"].isin(placed)].copy()
    if not rest.empty:
        titles = {c.id: c.title.get_lang(lang) for c in ed.study.constructs.values()}
        rest["title"] = rest["construct"].map(lambda c: titles.get(c, c))
        tables.append(pipe_table(rest, columns, lang, caption=t("change", lang) + f" {ed.previous}–{ed.wave}",
                                 label="tbl-change" if not tables else "tbl-change-rest"))
    return "\n\n".join(tables)


def region_qmd(ed: Edition, templates: Templates, folder: Path, region, lang: str) -> str:
    figures = Figures(folder / "figures", region.id)
    scope = region.name
    summary, criteria, criteria_detail = _criteria_blocks(ed, region.id, lang, compare=True)
    means = ed.rows("construct_means", region.id)
    total_rows = means[(means["role"] == TOTAL)] if not means.empty else means
    too_few = ""
    if total_rows.empty or total_rows["suppressed"].all():
        too_few = t("region_too_few", lang, region=region.name)
    trend, trend_ref = _trend_block(ed, figures, lang, scope, region.id, templates.say(lang, "figures"))
    trust, trust_ref = _trust_block(ed, figures, lang, scope, region.id)
    blocks = {
        "too_few": too_few, "verdict_summary": summary, "criteria_table": criteria,
        "criteria_detail": criteria_detail,
        "trend": trend or t("no_data", lang), "change_table": _change_table(ed, lang, region.id),
        "roles": _roles_block(ed, lang, region),
        "answers": _items_block(ed, figures, lang, scope, region.id) if not too_few else t("no_data", lang),
        "trust": trust, "chain": _chain_block(ed, figures, lang, scope, region.id),
        "response_table": _response_table(ed, lang, region.id), "care": _care_notes(ed, lang, region.id),
        "weighted": _weighted(ed), "margins": ed.provenance.get("weighting_margins", ""),
        "eb_table": _eb_block(ed, lang, region) if not too_few else "",
    }
    ref = {"trend": trend_ref, "trust": trust_ref}
    doc = front_matter("region", region.id, t("title_region", lang, region=region.name), lang, ed,
                 subtitle=ed.study.programme)
    sm = summary_blocks(ed, region.id, lang, templates.say(lang), wave_dates(ed, templates.say(lang, "figures"))[2])
    return templates.render("region", lang, doc=doc, study=ed.study, region=region, b=blocks, ref=ref,
                            prov=provenance(ed, lang), sm=sm)


def methods_qmd(ed: Edition, templates: Templates, folder: Path, lang: str) -> str:
    study = ed.study
    titles = {c.id: c.title.get_lang(lang) for c in study.constructs.values()}
    inst_rows = pd.DataFrame([{
        "id": i.id, "title": i.title.get_lang(lang), "version": i.version,
        "level": t("level_region" if i.level == "region" else "level_respondent", lang),
        "k": sum(1 for it in i.items if it.scale.is_numeric), "suppressed": False}
        for i in study.instruments.values()])
    instruments = pipe_table(inst_rows, [
        Column("id", "id", key=True), Column("title", t("instrument", lang), key=True),
        Column("version", t("version", lang), key=True, align="right"), Column("level", t("level", lang), key=True),
        Column("k", t("items_k", lang), num(0), key=True, align="right")], lang,
        caption=t("instrument", lang), label="tbl-instruments")
    rr = ed.frame("response_rates")
    n_by_wave = {}
    if not rr.empty:
        nat = rr[(rr["region"] == TOTAL) & (rr["role"] == TOTAL)]
        n_by_wave = dict(zip(nat["wave"], nat["responded"]))
    wave_rows = pd.DataFrame([{
        "id": w.id, "date": w.date.isoformat() if w.date else "",
        # non-breaking hyphens: an instrument id never breaks across lines in a narrow cell
        "instruments": ", ".join(i.replace("-", "\u2011") for i in w.instruments),
        "n": n_by_wave.get(w.id), "suppressed": False} for w in study.waves if w.id in ed.waves])
    waves = pipe_table(wave_rows, [
        Column("id", t("wave", lang), key=True), Column("date", t("date", lang), key=True),
        Column("instruments", t("instrument", lang), key=True),
        Column("n", t("responded", lang), num(0), align="right")], lang, caption=t("waves", lang), label="tbl-waves")

    def titled(name):
        frame = ed.frame(name)
        if frame.empty:
            return frame
        frame = frame.copy()
        frame["title"] = frame["construct"].map(lambda c: titles.get(c, c))
        return frame

    rel = titled("reliability")
    reliability = pipe_table(rel[rel["wave"] == ed.wave], [
        Column("title", t("construct", lang), key=True), Column("n", "n", num(0), align="right"),
        Column("k", t("items_k", lang), num(0), align="right"),
        Column("alpha", t("alpha", lang), num(2), align="right"),
        Column("alpha_ci_low", t("ci", lang) + " ↓", num(2), align="right"),
        Column("alpha_ci_high", t("ci", lang) + " ↑", num(2), align="right"),
        Column("omega", t("omega", lang), num(2), align="right")], lang,
        caption=f"{t('alpha', lang)}, {t('omega', lang)} ({ed.wave})", label="tbl-reliability") if not rel.empty else ""
    inv = titled("invariance")
    invariance = ""
    if not inv.empty:
        inv["holds_text"] = holds(inv).map({True: t("yes", lang), False: t("no", lang)}).fillna("–")
        invariance = pipe_table(inv, [
            Column("title", t("construct", lang), key=True), Column("estimator", t("estimator", lang), key=True),
            Column("model", t("model", lang), key=True),
            Column("cfi", "CFI", num(3), align="right"), Column("rmsea", "RMSEA", num(3), align="right"),
            Column("srmr", "SRMR", num(3), align="right"), Column("holds_text", t("holds", lang))], lang,
            caption=t("caption_invariance", lang),
            label="tbl-invariance")
    icc = titled("icc")
    icc_table = pipe_table(icc[icc["wave"] == ed.wave], [
        Column("title", t("construct", lang), key=True), Column("n", "n", num(0), align="right"),
        Column("icc1", "ICC(1)", num(3), align="right"), Column("icc2", "ICC(2)", num(3), align="right")], lang,
        caption=f"ICC ({ed.wave})", label="tbl-icc") if not icc.empty else ""
    panel = ed.rows("panel", TOTAL)
    panel_table = pipe_table(panel, [
        Column("from_wave", t("from_wave", lang), key=True), Column("to_wave", t("to_wave", lang), key=True),
        Column("n_from", "n", num(0), align="right"), Column("retained", t("responded", lang), num(0), align="right"),
        Column("retention", t("retention", lang), pct(0), align="right")], lang,
        caption=t("retention", lang), label="tbl-panel") if not panel.empty else ""
    blocks = {"instruments_table": instruments, "waves_table": waves, "reliability_table": reliability,
              "invariance_table": invariance, "icc_table": icc_table, "panel_table": panel_table,
              "alpha_bar": number(study.settings.alpha_bar, lang), "max_freed": study.settings.max_freed,
              "invariance_notes": "\n".join(f"- {note}" for note in _invariance_care_notes(ed, lang, titles)),
              "weighted": _weighted(ed),
              "flagged": ed.provenance.get("flagged"),
              "min_seconds": number(study.settings.min_seconds_per_item, lang, 1)}
    blocks.update(_weighting_blocks(ed, lang))
    doc = front_matter("methods", "methods", t("title_methods", lang), lang, ed, subtitle=study.programme)
    return templates.render("methods", lang, doc=doc, study=study, b=blocks, ref={}, prov=provenance(ed, lang))


#: Each language's name in itself, for the links between the languages' index pages.
LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}


def index_qmd(ed: Edition, templates: Templates, lang: str, docs: list[Doc], data_files: list[str], *,
              home: Path, data_dir: Path, translations: Sequence[tuple[str, Path]] = ()) -> str:
    """The index page in folder ``home``: links to ``docs``, to the open data in ``data_dir``
    and to the same site in the other languages (``translations``: language, its index page),
    each named in its own language and marked with its ``lang`` for screen readers."""

    def rel(path: Path) -> str:
        return Path(os.path.relpath(path, home)).as_posix()

    def link(doc: Doc, fmt: str) -> str:
        path = getattr(doc, fmt)
        return rel(path) if path else ""

    lines, regions, questionnaires = [], [], []
    for doc in docs:
        html, pdf = link(doc, "html"), link(doc, "pdf")
        main = f"[{doc.title}]({html})" if html else doc.title
        extra = f" ([{t('index_pdf', lang)}: {doc.title}]({pdf}))" if pdf else ""
        entry = f"- {main}{extra}"
        {"region": regions, "questionnaire": questionnaires}.get(doc.kind, lines).append(entry)
    data_link = rel(data_dir)
    data = [f"- [{name}]({data_link}/{name})" for name in data_files]
    data.append(f"- [{t('index_datapackage', lang)}]({data_link}/datapackage.json)")
    languages = [f'- [[{LANGUAGE_NAMES.get(other, other)}]{{lang="{other}"}}]({rel(page)})'
                 for other, page in translations]
    blocks = {"intro": t("index_intro", lang, programme=ed.study.programme), "reports": "\n".join(lines),
              "languages": "\n".join(languages),
              "regions": "\n".join(regions), "questionnaires": "\n".join(questionnaires), "data": "\n".join(data)}
    doc = front_matter("index", "index", t("title_index", lang), lang, ed, subtitle=ed.study.programme)
    return templates.render("index", lang, doc=doc, study=ed.study, b=blocks, ref={}, prov=provenance(ed, lang))
