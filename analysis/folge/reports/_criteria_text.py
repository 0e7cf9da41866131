"""The success criteria in words: a short reason per verdict and the rule-by-rule detail.

``criteria.csv`` carries each verdict with its rules as JSON: each rule's three-way verdict
with the figures of its ``rules.csv`` row (estimate, one-sided bounds, bar, adjusted p, mde,
n) and its reason codes (:func:`folge.criteria._decisions.rule_record`), so a report never
words a rule differently from the published table. This module turns those into a reader's
words in nb, nn or en,
naming indicators by the construct title or item text from the instruments (never by
id). Definitions come from ``research/criteria.yaml`` via
:func:`folge.criteria.load_criteria`; without it (or without the ``rules`` column) the
engine's own ``reason`` text is used.

Only rows that passed disclosure control get figures: a suppressed row says why it is
hidden and nothing else, and a rule's numbers are shown only when its own ``n`` reaches
``min_n`` (region-level facts and cross-region associations excepted).
"""

from __future__ import annotations

import json
import math
import textwrap
from typing import Mapping

import pandas as pd

from ._disclosure import TOTAL
from ._i18n import STAGE_LABELS, label_of, number, percent, t

__all__ = ["CriteriaText", "load_definitions"]


def load_definitions(study) -> dict:
    """criterion id → :class:`folge.criteria.Criterion` (empty when the file is missing or broken)."""
    from ._public import criteria_definitions

    return criteria_definitions(study)


def _missing(x) -> bool:
    try:
        return x is None or (isinstance(x, float) and math.isnan(x)) or x != x
    except TypeError:
        return False


def _rules(raw) -> list[dict]:
    if not isinstance(raw, str) or not raw.strip():
        return []
    try:
        found = json.loads(raw)
    except ValueError:
        return []
    return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []


#: The verdicts a rule gets when its bounds were compared with its bar.
_JUDGED = ("met", "not-met", "inconclusive")


def _verdict(rule: Mapping) -> str:
    return str(rule.get("verdict") or "insufficient-data")


def _gated(rule: Mapping) -> bool:
    """Whether one of the rule's gates closed (too few answers, reliability, ...)."""
    return any(str(code).startswith("gate-") for code in rule.get("reasons") or ())


def _short(text: str, width: int = 80) -> str:
    return textwrap.shorten(text, width, placeholder=" …")


class CriteriaText:
    """Words for one build's criteria (definitions, study, disclosed tables)."""

    def __init__(self, study, definitions: Mapping, waves: list[str], frame=None):
        self.study = study
        self.defs = dict(definitions)
        self.waves = [w.id for w in study.waves]
        self.frame = frame  # Edition.frame: name → disclosed table
        self.min_n = study.min_n

    # ---- indicators --------------------------------------------------------------------

    def indicator(self, criterion: str, indicator: str):
        crit = self.defs.get(criterion)
        return crit.indicators.get(indicator) if crit is not None else None

    def is_share(self, criterion: str, indicator: str, value=None, threshold=None) -> bool:
        ind = self.indicator(criterion, indicator)
        if ind is not None:
            return ind.high <= 1.0
        numbers = [x for x in (value, threshold) if not _missing(x)]
        return bool(numbers) and all(0 <= float(x) <= 1 for x in numbers) and str(indicator).startswith("share")

    def name(self, criterion: str, indicator: str, lang: str) -> str:
        """The indicator's construct title or item text in ``lang`` (its id only as a last resort)."""
        ind = self.indicator(criterion, indicator)
        if ind is None:
            return str(indicator)
        if ind.kind == "construct":
            construct = self.study.constructs.get(ind.ref)
            return construct.title.get_lang(lang) if construct is not None else ind.ref
        item = self.study.items.get(ind.ref)
        return _short(item.text.get_lang(lang)) if item is not None else ind.ref

    def what(self, criterion: str, indicator: str, lang: str, national: bool) -> str:
        """The measured quantity as a phrase: 'the mean of «X»', 'the share answering … to «Y»'."""
        ind = self.indicator(criterion, indicator)
        title = self.name(criterion, indicator, lang)
        if ind is None or ind.kind == "construct":
            return t("crit_what_mean", lang, title=title)
        if ind.kind == "milestone" or ind.is_fact:
            return t("crit_what_regions" if national else "crit_what_fact", lang, title=title)
        item = self.study.items.get(ind.ref)
        label = str(int(ind.at_least)) if ind.at_least is not None else ""
        if item is not None and ind.at_least is not None:
            labels = item.scale.labels.get(lang) or item.scale.labels.get("nb") or ()
            values = list(item.scale.values)
            if int(ind.at_least) in values and values.index(int(ind.at_least)) < len(labels):
                label = labels[values.index(int(ind.at_least))]
        return t("crit_what_share", lang, label=label, title=title)

    # ---- numbers -----------------------------------------------------------------------

    def cell(self, row: Mapping, column: str, lang: str) -> str:
        """``value`` or ``threshold`` of a summary row: a mean, a percentage, or yes/no for a milestone."""
        criterion, indicator = str(row.get("criterion")), str(row.get("indicator"))
        ind = self.indicator(criterion, indicator)
        x = row.get(column)
        if ind is not None and ind.kind == "milestone" and str(row.get("region")) != TOTAL and not _missing(x):
            return t("yes" if float(x) >= 1 else "no", lang)
        return self.fmt(x, lang, self.is_share(criterion, indicator, row.get("value"), row.get("threshold")))

    def fmt(self, x, lang: str, share: bool) -> str:
        return percent(x, lang) if share else number(x, lang, 2)

    @staticmethod
    def p(x, lang: str) -> str:
        if _missing(x):
            return "–"
        return "< " + number(0.001, lang, 3) if float(x) < 0.001 else "= " + number(x, lang, 3)

    @staticmethod
    def signed(x, lang: str, digits: int = 2) -> str:
        text = number(x, lang, digits)
        return text if text.startswith(("−", "–")) else "+" + text

    # ---- the summary column ------------------------------------------------------------

    def short_reason(self, row: Mapping, lang: str) -> str:
        """One clause: why this (shown) row has its verdict."""
        verdict = str(row.get("verdict") or "")
        rules = _rules(row.get("rules"))
        criterion = str(row.get("criterion"))
        if not rules and not isinstance(row.get("gate"), str):
            column = "reason_en" if lang == "en" else "reason"
            text = row.get(column) if not _missing(row.get(column)) else row.get("reason")
            return _short(str(text), 60) if not _missing(text) else "–"
        if verdict == "insufficient-data":
            gates = [g for g in str(row.get("gate") or "").split(";") if g and g != "nan"]
            closed = [r for r in rules if _gated(r)]
            first = closed[0] if closed else {}
            for gate in ("n", "reliability", "agreement", "invariance", "no-report", "few-regions"):
                if gate in gates:
                    return self._gate_short(gate, criterion, first, row, lang)
            crit = self.defs.get(criterion)
            defs = list(crit.rules) if crit is not None else []
            for k, rule in enumerate(rules):
                key = f"crit_na_{(rule.get('reasons') or [''])[0]}"
                if key in _NA_KEYS:
                    definition = defs[k] if k < len(defs) else None
                    return t(key, lang, reference=self._reference(definition, str(row.get("wave", ""))),
                             wave=row.get("wave", ""))
            return t("crit_na_none", lang)
        judged = [r for r in rules if _verdict(r) in _JUDGED]
        met = [r for r in judged if _verdict(r) == "met"]
        national = str(row.get("region")) == TOTAL
        if not judged:
            described = [r for r in rules if _verdict(r) == "descriptive"]
            return self._clause(criterion, described[0], lang, national) if described else "–"
        if len(met) == len(judged):
            return t("crit_all_passed", lang) if len(met) > 1 else self._clause(criterion, met[0], lang, national)
        first = next((r for r in judged if _verdict(r) == "not-met"), None) or \
            next(r for r in judged if _verdict(r) != "met")
        clause = self._clause(criterion, first, lang, national)
        if met:
            return t("crit_k_of_m", lang, k=len(met), m=len(judged)) + "; " + clause
        return clause

    def _gate_short(self, gate: str, criterion: str, rule: Mapping, row: Mapping, lang: str) -> str:
        ind = self.indicator(criterion, str(rule.get("indicator", "")))
        construct = ind.construct if ind is not None else None
        wave = str(row.get("wave", ""))
        if gate == "reliability":
            alpha = self._stat("reliability", "alpha", construct, wave)
            return t("crit_short_alpha", lang, alpha=number(alpha, lang, 2)) if alpha is not None else \
                t("crit_short_alpha_plain", lang)
        if gate == "agreement":
            rwg = self._stat("agreement", "rwg_j", construct, wave, region=str(row.get("region")))
            return t("crit_short_rwg", lang, rwg=number(rwg, lang, 2)) if rwg is not None else \
                t("crit_short_rwg_plain", lang)
        return t(f"crit_short_{gate}", lang)

    def _stat(self, table: str, column: str, construct, wave: str, region: str | None = None):
        if construct is None or self.frame is None:
            return None
        frame = self.frame(table)
        if frame.empty or column not in frame.columns:
            return None
        sub = frame[(frame["construct"] == construct) & (frame["wave"] == wave)
                    & ~frame["suppressed"].astype(bool)]
        if region is not None and "region" in sub.columns:
            sub = sub[sub["region"] == region]
        values = sub[column].dropna()
        return float(values.iloc[0]) if len(values) else None

    def _clause(self, criterion: str, rule: Mapping, lang: str, national: bool) -> str:
        """A judged or described rule in a few words: its kind, verdict, estimate and bounds."""
        kind, verdict = str(rule.get("kind")), _verdict(rule)
        if self._regional_milestone(criterion, rule, national):
            return t("crit_short_milestone_yes" if verdict == "met" else "crit_short_milestone_no", lang)
        if not self._figures_allowed(criterion, rule):
            return t(f"crit_st_{verdict}", lang)
        kind_word = self._kind(kind, lang).lower()
        figures = self._figures(criterion, rule, lang)
        if rule.get("fact"):
            return t("crit_short_fact", lang, kind=kind_word, verdict=t(f"crit_st_{verdict}", lang), **figures)
        return t(f"crit_short_{verdict}", lang, kind=kind_word, **figures)

    def _regional_milestone(self, criterion: str, rule: Mapping, national: bool) -> bool:
        """A region's milestone level rule: a yes or no from its status report, worded as such."""
        ind = self.indicator(criterion, str(rule.get("indicator", "")))
        return rule.get("kind") == "level" and ind is not None and ind.kind == "milestone" and not national

    def _kind(self, kind: str, lang: str) -> str:
        return t(f"crit_kind_{kind}", lang) if f"crit_kind_{kind}" in _KIND_KEYS else kind

    def _figures(self, criterion: str, rule: Mapping, lang: str) -> dict[str, str]:
        """The rule's estimate (``v``), bounds (``lo``, ``hi``), bar, mde and adjusted p as text,
        each in the unit of its kind: a mean or a percentage for a level, a signed difference
        (percentage points for a share) for a change, a signed slope per year for a trend,
        Spearman's ρ for an association, a percentage for the learning chain."""
        kind = str(rule.get("kind"))
        share = self.is_share(criterion, str(rule.get("indicator", "")), rule.get("estimate"), rule.get("bar"))

        def fmt(x, signed=True):
            return self._amount(x, kind, share, lang, signed=signed)

        # the mde of a share's level, change or chain is a distance in percentage points
        mde = rule.get("mde")
        in_points = kind in ("level", "change", "funnel") and (share or kind == "funnel")
        mde_text = self._amount(mde, "change", True, lang, signed=False) if in_points else fmt(mde, signed=False)
        value = fmt(rule.get("estimate"))
        if kind == "trend":  # the facts' slope is per wave (status reports have no dates to go by)
            value = t("crit_per_wave" if rule.get("fact") else "crit_per_year", lang, s=value)
        return {"v": value, "lo": fmt(rule.get("ci_low")), "hi": fmt(rule.get("ci_high")),
                "bar": fmt(rule.get("bar"), signed=False), "mde": mde_text, "p": self.p(rule.get("p_adj"), lang),
                "minimum": str(rule.get("minimum") or "")}

    def _amount(self, x, kind: str, share: bool, lang: str, *, signed: bool = True) -> str:
        """``x`` in the unit of a rule of ``kind``: a signed difference (percentage points for a
        share) for a change, a signed slope with three decimals for a trend, ρ for an
        association, a mean or a percentage otherwise; an en dash when missing."""
        if _missing(x):
            return "–"
        if kind == "change" and share:
            return (self.signed(100 * x, lang, 0) if signed else number(100 * x, lang, 0)) + t("crit_points", lang)
        if kind in ("change", "trend"):
            digits = 3 if kind == "trend" else 2
            return self.signed(x, lang, digits) if signed else number(x, lang, digits)
        if kind == "association":
            return number(x, lang, 2)
        return self.fmt(x, lang, share or kind == "funnel")

    # ---- the detail section ------------------------------------------------------------

    def detail(self, rows: pd.DataFrame, lang: str, *, titles: Mapping, national: Mapping | None,
               verdict) -> str:
        """'### title' per criterion with its statement, source, verdict and a bullet per rule."""
        blocks = []
        for record in rows.to_dict("records"):
            criterion = str(record["criterion"])
            crit = self.defs.get(criterion)
            title = (titles.get(criterion, {}).get(lang) or titles.get(criterion, {}).get("nb") or criterion)
            lines = [f"### {title}", ""]
            if crit is not None:
                statement = crit.statement.get_lang(lang)
                if statement:
                    lines.append(f"{t('crit_statement', lang)}: {statement}  ")
                if crit.source:
                    lines.append(f"{t('crit_source', lang)}: {crit.source}")
                lines.append("")
            hidden = bool(record.get("suppressed"))
            if hidden:
                # one wording for every hidden row: it never tells primary from secondary
                lines.append(t("crit_hidden_primary", lang, min_n=self.min_n))
                blocks.append("\n".join(lines))
                continue
            head = f"{t('verdict', lang)}: {verdict(record.get('verdict'), lang)}"
            if national is not None and national.get(criterion):
                head += f" ({t('national_verdict', lang).lower()}: {verdict(national[criterion], lang)})"
            lines.append(head + ".")
            rules = _rules(record.get("rules"))
            lines.append("")
            if rules:
                scope_national = str(record.get("region")) == TOTAL
                rule_defs = list(crit.rules) if crit is not None else []
                for k, rule in enumerate(rules):
                    definition = rule_defs[k] if k < len(rule_defs) and rule_defs[k].kind == rule.get("kind") else None
                    lines.append("- " + self.rule_sentence(criterion, rule, definition, str(record.get("wave")),
                                                           lang, scope_national))
            elif not _missing(record.get("reason")):
                text = record.get("reason_en") if lang == "en" and not _missing(record.get("reason_en")) else \
                    record.get("reason")
                lines.append(f"- {text}")
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)

    def _figures_allowed(self, criterion: str, rule: Mapping) -> bool:
        ind = self.indicator(criterion, str(rule.get("indicator", "")))
        if rule.get("kind") == "association" or (ind is not None and ind.is_fact):
            return True
        n = rule.get("n")
        return not _missing(n) and float(n) >= self.min_n

    def _reference(self, definition, wave: str) -> str:
        ref = getattr(definition, "reference", None) or "first"
        if wave not in self.waves:
            return "" if ref in ("first", "previous", "last") else ref
        index = self.waves.index(wave)
        if ref == "first":
            return self.waves[0]
        if ref == "previous":
            return self.waves[index - 1] if index > 0 else ""
        return wave if ref == "last" else ref

    def rule_sentence(self, criterion: str, rule: Mapping, definition, wave: str, lang: str,
                      national: bool) -> str:
        """One rule's verdict as a sentence in ``lang``: what was measured, then why the
        verdict follows from its bounds (the same figures as the rule's ``rules.csv`` row)."""
        kind, verdict = str(rule.get("kind")), _verdict(rule)
        indicator = str(rule.get("indicator", ""))
        codes = [str(c) for c in rule.get("reasons", [])]
        if not rule.get("applies", True):
            code = codes[0] if codes else ""
            key = f"crit_na_{code}" if f"crit_na_{code}" in _NA_KEYS else "crit_na_none"
            head = f"{self._kind(kind, lang)} ({t('crit_st_not-applicable', lang)})"
            return f"{head}: {t(key, lang, reference=self._reference(definition, wave), wave=wave)}."
        head = f"{self._kind(kind, lang)} ({t(f'crit_st_{verdict}', lang)})"
        if verdict == "insufficient-data":
            gates = [c for c in dict.fromkeys(codes) if c.startswith("gate-")]
            why = [self._gate_sentence(code, criterion, indicator, wave, lang) for code in gates]
            return f"{head}: {'; '.join(why) or t('crit_not_estimable', lang)}."
        if not self._figures_allowed(criterion, rule):
            return f"{head}."
        if self._regional_milestone(criterion, rule, national):
            key = "crit_rule_milestone_yes" if verdict == "met" else "crit_rule_milestone_no"
            return f"{head}: {t(key, lang, title=self.name(criterion, indicator, lang))}."
        figures = self._figures(criterion, rule, lang)
        said = self._statement(criterion, rule, definition, wave, lang, national, figures)
        if rule.get("fact"):
            return f"{head}: {said}."
        why = "crit_why_inconclusive_plain" if verdict == "inconclusive" and _missing(rule.get("mde")) \
            else f"crit_why_{verdict}"
        return f"{head}: {said}; {t(why, lang, **figures)}."

    def _statement(self, criterion: str, rule: Mapping, definition, wave: str, lang: str, national: bool,
                   figures: Mapping[str, str]) -> str:
        """What the rule measured, without its verdict: '{what} is 3.42 (n = 40)'."""
        kind = str(rule.get("kind"))
        indicator = str(rule.get("indicator", ""))
        what = self.what(criterion, indicator, lang, national)
        n_text = number(rule.get("n"), lang, 0)
        fact = "_fact" if rule.get("fact") else ""
        if kind == "level":
            return t(f"crit_say_level{fact}", lang, what=what, v=figures["v"], n=n_text, bar=figures["bar"])
        if kind == "change":
            return t(f"crit_say_change{fact}", lang, what=what, d=figures["v"],
                     ref=self._reference(definition, wave), n=n_text, bar=figures["bar"])
        if kind == "trend":
            k = self.waves.index(wave) + 1 if wave in self.waves else "–"
            return t(f"crit_say_trend{fact}", lang, what=what, s=figures["v"], k=k, n=n_text, bar=figures["bar"])
        if kind == "association":
            outcome, at, outcome_at = "", "", ""
            if definition is not None and definition.outcome:
                out_crit, out_ind = definition.outcome
                outcome = self.name(out_crit, out_ind, lang)
                at = self._wave_of(definition.at, wave)
                outcome_at = self._wave_of(definition.outcome_at, wave)
            return t("crit_say_assoc", lang, a=self.name(criterion, indicator, lang), at=at, b=outcome,
                     bt=outcome_at, rho=figures["v"], n=n_text)
        stages = list(getattr(definition, "indicators", ()) or ())
        chain = " → ".join(label_of(STAGE_LABELS, s, lang).lower() if s in STAGE_LABELS
                           else self.name(criterion, s, lang) for s in stages)
        return t("crit_say_funnel", lang, chain=chain, v=figures["v"], n=n_text)

    def _wave_of(self, ref, wave: str) -> str:
        if ref in (None, "last"):
            return wave
        if ref == "first":
            return self.waves[0] if self.waves else ""
        return str(ref)

    def _gate_sentence(self, code: str, criterion: str, indicator: str, wave: str, lang: str) -> str:
        ind = self.indicator(criterion, indicator)
        construct = ind.construct if ind is not None else None
        title = self.study.constructs[construct].title.get_lang(lang) if construct in self.study.constructs else \
            self.name(criterion, indicator, lang)
        if code == "gate-reliability":
            alpha = self._stat("reliability", "alpha", construct, wave)
            return t("crit_gate_alpha", lang, title=title, alpha=number(alpha, lang, 2),
                     bar=number(self.study.settings.alpha_bar, lang, 2))
        if code == "gate-agreement":
            return t("crit_gate_rwg", lang, title=title, bar=number(self.study.settings.rwg_bar, lang, 2))
        key = {"gate-n": "crit_short_n", "gate-funnel-n": "crit_short_n", "gate-no-data": "crit_gate_no_data",
               "gate-invariance": "crit_gate_invariance",
               "gate-invariance-untested": "crit_gate_invariance_untested", "gate-no-report": "crit_short_no-report",
               "gate-few-regions": "crit_short_few-regions"}.get(code, "crit_short_n")
        return t(key, lang, title=title, min_n=self.min_n)


def _keys(prefix: str) -> set[str]:
    from ._i18n import STRINGS

    return {k for k in STRINGS if k.startswith(prefix)}


_NA_KEYS = _keys("crit_na_")
_KIND_KEYS = _keys("crit_kind_")
