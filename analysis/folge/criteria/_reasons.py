"""Every reason text of the criteria engine, in bokmål and English, in one catalogue.

A reason is a code with fields (numbers, ids); :func:`say` fills the template of one
language. Numbers follow the language: decimal comma and ``82 %`` in bokmål, decimal point
and ``82%`` in English; ``{p:p}`` writes a p-value (``< 0,001`` below one in a thousand).
Tests assert on codes; the wording lives only here.
"""

from __future__ import annotations

import math
import string

from ..definitions import Text

__all__ = ["REASONS", "RULE_LABELS", "VERDICT_LABELS", "Reason", "say"]

#: code → (bokmål, English)
REASONS: dict[str, tuple[str, str]] = {
    # ---- gates: insufficient-data overrides every other result
    "gate-n": (
        "for få svar i bølge {wave} (n = {n} < {min_n})",
        "too few answers in wave {wave} (n = {n} < {min_n})",
    ),
    "gate-reliability": (
        "for lav reliabilitet for «{construct}» i bølge {wave} (alfa = {alpha:.2f} < {bar:.2f})",
        "reliability of '{construct}' too low in wave {wave} (alpha = {alpha:.2f} < {bar:.2f})",
    ),
    "gate-agreement": (
        "for lite samsvar mellom svarene i regionen om «{construct}» i bølge {wave} "
        "(rwg(j) = {rwg:.2f} < {bar:.2f}), så regionsnittet kan ikke tolkes",
        "answers within the region agree too little on '{construct}' in wave {wave} "
        "(rwg(j) = {rwg:.2f} < {bar:.2f}), so the regional mean cannot be read as the region's",
    ),
    "gate-invariance": (
        "«{construct}» måles ikke likt over tid ({model} invarians holder ikke), så endring kan ikke sammenlignes",
        "'{construct}' is not measured the same way over time ({model} invariance fails), "
        "so change cannot be compared",
    ),
    "gate-no-report": (
        "ingen statusrapport fra {who} i bølge {wave}",
        "no status report from {who} in wave {wave}",
    ),
    "gate-few-regions": (
        "for få regioner med nok svar til å teste sammenhengen ({n} < {minimum})",
        "too few regions with enough answers to test the association ({n} < {minimum})",
    ),
    "gate-no-data": (
        "ingen svar på «{indicator}» i bølge {wave}",
        "no answers on '{indicator}' in wave {wave}",
    ),
    "no-rule-applies": (
        "ingen regel kan vurderes i bølge {wave}: {why}",
        "no rule can be judged in wave {wave}: {why}",
    ),
    # ---- not applicable
    "na-reference": (
        "endring måles fra bølge {reference}, så den gjelder ikke før bølgen etter",
        "change is measured from wave {reference}, so it applies from the wave after",
    ),
    "na-no-reference": (
        "ingen bølge før {wave} å sammenligne med",
        "no wave before {wave} to compare with",
    ),
    "na-trend-waves": (
        "trend krever minst to bølger med svar",
        "a trend needs at least two waves with answers",
    ),
    "na-outcome-wave": (
        "sammenhengen testes når utfallet er målt (bølge {outcome_wave})",
        "the association is tested once the outcome is measured (wave {outcome_wave})",
    ),
    "na-regional-association": (
        "sammenhengen testes på tvers av regionene (se landsraden)",
        "the association is tested across regions (see the national row)",
    ),
    "na-not-asked": (
        "«{indicator}» ble ikke målt i bølge {wave}",
        "'{indicator}' was not measured in wave {wave}",
    ),
    "na-no-variation": (
        "ingen variasjon mellom regionene i «{indicator}» i bølge {wave}",
        "no variation across regions in '{indicator}' in wave {wave}",
    ),
    # ---- results of rules that could be judged
    "level-mean": (
        "snitt {value:.2f} mot terskel {threshold:.2f} (n = {n}, ensidig p {p:p})",
        "mean {value:.2f} against threshold {threshold:.2f} (n = {n}, one-sided p {p:p})",
    ),
    "level-share": (
        "{value:%} svarte {at_least:g} eller høyere, mot terskel {threshold:%} (n = {n}, ensidig p {p:p})",
        "{value:%} answered {at_least:g} or higher, against threshold {threshold:%} "
        "(n = {n}, one-sided p {p:p})",
    ),
    "level-fact-region": (
        "{value:.2f} mot terskel {threshold:.2f} (statusrapport)",
        "{value:.2f} against threshold {threshold:.2f} (status report)",
    ),
    "level-milestone-region": (
        "{state} i bølge {wave} (statusrapport)",
        "{state} in wave {wave} (status report)",
    ),
    "level-fact-national": (
        "{value:%} av {n} regioner mot terskel {threshold:%} (statusrapporter)",
        "{value:%} of {n} regions against threshold {threshold:%} (status reports)",
    ),
    "change-mean": (
        "endring {value:+.2f} fra bølge {reference} (n = {n_from} og {n}, ensidig Holm-justert p {p:p})",
        "change {value:+.2f} from wave {reference} (n = {n_from} and {n}, one-sided Holm-adjusted p {p:p})",
    ),
    "change-share": (
        "andelen endret {points:+.0f} prosentpoeng fra bølge {reference} (n = {n_from} og {n}, "
        "ensidig Holm-justert p {p:p})",
        "share changed {points:+.0f} percentage points from wave {reference} (n = {n_from} and {n}, "
        "one-sided Holm-adjusted p {p:p})",
    ),
    "change-fact": (
        "endring {value:+.2f} fra bølge {reference} (statusrapporter)",
        "change {value:+.2f} from wave {reference} (status reports)",
    ),
    "trend-slope": (
        "stigning {value:+.3f} per bølge over {waves} bølger (n = {n}, ensidig p {p:p})",
        "slope {value:+.3f} per wave over {waves} waves (n = {n}, one-sided p {p:p})",
    ),
    "trend-fact": (
        "stigning {value:+.3f} per bølge over {waves} bølger (statusrapporter)",
        "slope {value:+.3f} per wave over {waves} waves (status reports)",
    ),
    "association": (
        "Spearman rho {value:.2f} (95 % KI {ci_low:.2f} til {ci_high:.2f}) mellom «{indicator}» i bølge "
        "{at_wave} og «{outcome}» i bølge {outcome_wave} over {n} regioner (ensidig permutasjons-p {p:p})",
        "Spearman rho {value:.2f} (95% CI {ci_low:.2f} to {ci_high:.2f}) between '{indicator}' in wave "
        "{at_wave} and '{outcome}' in wave {outcome_wave} across {n} regions (one-sided permutation p {p:p})",
    ),
    "funnel": (
        "{steps}; svakeste ledd: {weakest} (n = {n}, ensidig p {p:p})",
        "{steps}; weakest link: {weakest} (n = {n}, one-sided p {p:p})",
    ),
    "gate-funnel-n": (
        "for få svar på trinnet «{stage}» i bølge {wave} (n = {n} < {min_n})",
        "too few answers at the stage '{stage}' in wave {wave} (n = {n} < {min_n})",
    ),
}

#: verdict → (bokmål, English)
VERDICT_LABELS: dict[str, tuple[str, str]] = {
    "met": ("oppfylt", "met"),
    "partly-met": ("delvis oppfylt", "partly met"),
    "not-met": ("ikke oppfylt", "not met"),
    "insufficient-data": ("for lite data", "insufficient data"),
}
#: rule kind → (bokmål, English)
RULE_LABELS: dict[str, tuple[str, str]] = {
    "level": ("nivå", "level"),
    "change": ("endring", "change"),
    "trend": ("trend", "trend"),
    "association": ("sammenheng", "association"),
    "funnel": ("læringskjede", "chain"),
}
#: rule status → (bokmål, English)
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "pass": ("oppfylt", "passed"),
    "fail": ("ikke oppfylt", "failed"),
    "not-applicable": ("ikke aktuell", "not applicable"),
    "insufficient": ("for lite data", "insufficient data"),
}


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
