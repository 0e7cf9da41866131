"""Success criteria as data (``research/criteria.yaml``): check, then build.

A criterion is a hypothesis from the literature ("joint leadership promotes growth") with
its source, the indicators that measure it and the rules that test it::

    criteria:
      - id: joint-leadership
        title: {nb: ..., nn: ..., en: ...}
        source: "VINNOVA (VINNVÄXT); Oxford Research 2005"
        statement: {nb: ..., nn: ..., en: ...}
        indicators:
          - {id: leadership, construct: joint-leadership}          # mean construct score
          - {id: leadership-agree, item: jl1, at_least: 4}         # share answering >= 4
          - {id: strategy-in-plan, milestone: rs_strategy_kommuneplan}  # region-status fact
        rules:
          - {kind: level, indicator: leadership, threshold: 3.5}
          - {kind: change, indicator: leadership, from: first}     # first | previous | wave id
          - {kind: trend, indicator: leadership}
          - {kind: association, indicator: leadership,
             outcome: plan-anchoring/strategy-in-plan, at: first, outcome_at: last}
          - {kind: funnel, indicators: [learned, shared, used], threshold: 0.5}

Wave references: ``first`` is the study's first wave, ``last`` the wave a verdict is made
at, ``previous`` the wave before it, anything else a wave id. ``check_criteria`` returns
every :class:`Problem` at once; ``build_criteria`` turns a checked file into frozen
:class:`Criterion` objects; ``folge.definitions.load_criteria`` (in :mod:`._load`, beside ``load_study``) does
both and raises on any error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ._model import Instrument, Item, Text
from ._problems import Problem, did_you_mean, problem
from ._yaml import Document, line_of

__all__ = [
    "DEFAULT_MILESTONE_SHARE",
    "INDICATOR_KINDS",
    "RULE_KINDS",
    "WAVE_KEYWORDS",
    "Criterion",
    "Indicator",
    "Rule",
    "build_criteria",
    "check_criteria",
]

#: Rule kinds, in the order a reader meets them.
RULE_KINDS: tuple[str, ...] = ("level", "change", "trend", "association", "funnel")
#: What an indicator measures: a construct's mean score, an item's share at or above a
#: level, or a region-status milestone (a fact per region).
INDICATOR_KINDS: tuple[str, ...] = ("construct", "item", "milestone")
#: Wave references besides wave ids.
WAVE_KEYWORDS: tuple[str, ...] = ("first", "previous", "last")
#: Default share of regions that must have reached a milestone (national level rule).
DEFAULT_MILESTONE_SHARE = 0.5

_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_TOP_KEYS = {"criteria", "description", "version"}
_CRITERION_KEYS = {"id", "title", "source", "statement", "indicators", "rules", "description", "note"}
_INDICATOR_KEYS = {"id", "construct", "item", "milestone", "at_least", "title", "description", "note"}
_RULE_KEYS = {
    "level": {"kind", "indicator", "threshold", "note"},
    "change": {"kind", "indicator", "from", "min_change", "note"},
    "trend": {"kind", "indicator", "min_slope", "note"},
    "association": {"kind", "indicator", "outcome", "at", "outcome_at", "note"},
    "funnel": {"kind", "indicators", "threshold", "note"},
}
_REQUIRED_TEXT_LANGS = ("nb", "en")


# ---------------------------------------------------------------- model
@dataclass(frozen=True)
class Indicator:
    """What a rule looks at.

    ``kind`` is ``construct`` (``ref`` a construct id; value: mean score), ``item``
    (``ref`` an item id; value: share answering ``at_least`` or more) or ``milestone``
    (``ref`` an item of a region-level instrument; value: reached or not, nationally the
    share of regions). ``level`` is the instrument's level (respondent or region),
    ``construct_kind`` the kind of the construct it belongs to (only a ``scale``
    construct's score is gated by reliability, agreement and invariance); ``low``/``high``
    bound the values the indicator can take.
    """

    id: str
    kind: str
    ref: str
    instrument: str
    construct: str
    level: str = "respondent"
    construct_kind: str = "scale"
    at_least: float | None = None
    low: float = 0.0
    high: float = 1.0
    missing_codes: tuple[int, ...] = ()
    values: tuple[int, ...] = ()

    @property
    def is_fact(self) -> bool:
        """Region-level data (status reports): facts about a region; ``min_n`` does not gate them."""
        return self.level == "region"


@dataclass(frozen=True)
class Rule:
    """One test of a criterion; see the module docstring for the kinds and their keys."""

    kind: str
    indicator: str
    threshold: float | None = None
    reference: str | None = None  # change: from
    outcome: tuple[str, str] | None = None  # association: (criterion id, indicator id)
    at: str | None = None
    outcome_at: str | None = None
    indicators: tuple[str, ...] = ()  # funnel stages in order
    line: int = 0
    #: change: ``min_change``; trend: ``min_slope`` per year (both default 0)
    minimum: float = 0.0


@dataclass(frozen=True)
class Criterion:
    """A success criterion with its source, indicators and rules."""

    id: str
    title: Text
    source: str
    statement: Text
    indicators: Mapping[str, Indicator]
    rules: tuple[Rule, ...]
    line: int = 0


# ---------------------------------------------------------------- check
class _Checker:
    def __init__(self, doc: Document, instruments: Mapping[str, Instrument], wave_ids):
        self.path = doc.path
        self.doc = doc
        self.instruments = instruments
        self.items: dict[str, Item] = {i.id: i for inst in instruments.values() for i in inst.items}
        self.constructs = {c.id: c for inst in instruments.values() for c in inst.constructs}
        self.wave_ids = None if wave_ids is None else [str(w) for w in wave_ids]
        self.problems: list[Problem] = []

    def add(self, line: int, code: str, **fields) -> None:
        self.problems.append(problem(self.path, line, code, **fields))

    def run(self) -> list[Problem]:
        doc = self.doc
        if doc.error:
            return [problem(self.path, doc.error_line, "yaml-syntax", detail=doc.error)]
        data = doc.data
        if not isinstance(data, dict):
            return [problem(self.path, 1, "not-a-mapping", what="the criteria file",
                            got=type(data).__name__)]
        self.unknown_keys(data, _TOP_KEYS, "the criteria file")
        criteria = data.get("criteria")
        if criteria is None:
            self.add(1, "missing-key", where="the criteria file", key="criteria")
            return self.problems
        if not isinstance(criteria, list) or not criteria:
            self.add(line_of(data, "criteria"), "bad-value", where="the criteria file", key="criteria",
                     rule="must be a non-empty list", value=type(criteria).__name__)
            return self.problems
        indicators_of: dict[str, dict[str, Indicator | None]] = {}
        seen: set[str] = set()
        for index, raw in enumerate(criteria):
            line = line_of(criteria, index)
            if not isinstance(raw, dict):
                self.add(line, "not-a-mapping", what="a criterion", got=type(raw).__name__)
                continue
            cid = raw.get("id")
            if cid is None:
                self.add(line, "missing-key", where="a criterion", key="id")
                continue
            cid = str(cid)
            if not _ID.match(cid):
                self.add(line_of(raw, "id", line), "bad-value", where=f"criterion '{cid}'", key="id",
                         rule=f"must match {_ID.pattern}", value=cid)
            if cid in seen:
                self.add(line_of(raw, "id", line), "duplicate-id", what="criterion", value=cid)
            seen.add(cid)
            indicators_of[cid] = self.criterion_head(raw, cid, line)
        # rules last: an association's outcome may name an indicator of a later criterion
        for index, raw in enumerate(criteria):
            if isinstance(raw, dict) and raw.get("id") is not None:
                self.rules(raw, str(raw["id"]), line_of(criteria, index), indicators_of)
        return self.problems

    def unknown_keys(self, node: dict, allowed, where: str) -> None:
        for key in node:
            if key not in allowed:
                self.add(line_of(node, key), "unknown-key", where=where, key=key,
                         hint=did_you_mean(key, allowed))

    def text(self, raw: dict, key: str, where: str, line: int) -> None:
        node = raw.get(key)
        if node is None:
            self.add(line, "missing-key", where=where, key=key)
            return
        if not isinstance(node, dict):
            self.add(line_of(raw, key, line), "missing-translation", where=f"{where} {key}", lang="nb and en")
            return
        for lang in _REQUIRED_TEXT_LANGS:
            value = node.get(lang)
            if not isinstance(value, str) or not value.strip():
                self.add(line_of(raw, key, line), "missing-translation", where=f"{where} {key}", lang=lang)

    def criterion_head(self, raw: dict, cid: str, line: int) -> dict[str, Indicator | None]:
        where = f"criterion '{cid}'"
        self.unknown_keys(raw, _CRITERION_KEYS, where)
        self.text(raw, "title", where, line)
        self.text(raw, "statement", where, line)
        source = raw.get("source")
        if source is None:
            self.add(line, "missing-key", where=where, key="source")
        elif not isinstance(source, str) or not source.strip():
            self.add(line_of(raw, "source", line), "bad-value", where=where, key="source",
                     rule="must name the publication the criterion comes from", value=source)
        indicators = raw.get("indicators")
        found: dict[str, Indicator | None] = {}
        if not isinstance(indicators, list) or not indicators:
            self.add(line_of(raw, "indicators", line), "missing-key", where=where, key="indicators")
            return found
        for index, ind in enumerate(indicators):
            iline = line_of(indicators, index, line)
            if not isinstance(ind, dict):
                self.add(iline, "not-a-mapping", what=f"an indicator of {where}", got=type(ind).__name__)
                continue
            iid = ind.get("id")
            if iid is None:
                self.add(iline, "missing-key", where=f"an indicator of {where}", key="id")
                continue
            iid = str(iid)
            if iid in found:
                self.add(line_of(ind, "id", iline), "duplicate-id", what=f"{where}: indicator", value=iid)
            found[iid] = self.indicator(ind, iid, f"{where} indicator '{iid}'", iline)
        return found

    def indicator(self, ind: dict, iid: str, where: str, line: int) -> Indicator | None:
        self.unknown_keys(ind, _INDICATOR_KEYS, where)
        kinds = [k for k in INDICATOR_KINDS if k in ind]
        if len(kinds) != 1:
            self.add(line, "indicator-kind", indicator=iid, got=", ".join(kinds) or "none")
            return None
        kind = kinds[0]
        ref = ind[kind]
        ref_line = line_of(ind, kind, line)
        if kind == "construct":
            construct = self.constructs.get(str(ref))
            if construct is None:
                self.add(ref_line, "unknown-construct", where=where, value=ref,
                         hint=did_you_mean(ref, self.constructs))
                return None
            if construct.kind == "text" or not construct.scale.is_numeric:
                self.add(ref_line, "bad-value", where=where, key="construct",
                         rule="must be a scale or index construct with numeric answers", value=ref)
                return None
            level = self.instruments[construct.instrument].level
            if "at_least" in ind:
                self.add(line_of(ind, "at_least", line), "bad-value", where=where, key="at_least",
                         rule="belongs to item indicators only", value=ind["at_least"])
            scale = construct.scale
            return Indicator(iid, kind, construct.id, construct.instrument, construct.id, level,
                             construct.kind, None, float(scale.min), float(scale.max),
                             tuple(scale.missing), scale.values)
        item = self.items.get(str(ref))
        if item is None:
            self.add(ref_line, "unknown-item", where=where, value=ref, hint=did_you_mean(ref, self.items))
            return None
        level = self.instruments[item.instrument].level
        scale = item.scale
        if not scale.is_numeric:
            self.add(ref_line, "bad-value", where=where, key=kind, rule="must be an item with numeric answers",
                     value=ref)
            return None
        if kind == "milestone":
            if level != "region":
                self.add(ref_line, "indicator-level", where=where, value=ref, instrument=item.instrument,
                         level=level, expected="region", fix="use 'item:' with 'at_least:' for a survey item")
                return None
            if scale.type != "binary":
                self.add(ref_line, "bad-value", where=where, key="milestone",
                         rule="must be a yes/no item (a binary scale)", value=ref)
                return None
            return Indicator(iid, kind, item.id, item.instrument, item.construct, level, "index",
                             None, 0.0, 1.0, tuple(scale.missing), scale.values)
        if level != "respondent":
            self.add(ref_line, "indicator-level", where=where, value=ref, instrument=item.instrument,
                     level=level, expected="respondent", fix="use 'milestone:' for a status-report item")
            return None
        at_least = ind.get("at_least")
        if at_least is None:
            if scale.type == "binary":
                at_least = scale.max
            else:
                self.add(line, "missing-key", where=where, key="at_least")
                return None
        if not _is_number(at_least) or not scale.min < at_least <= scale.max:
            self.add(line_of(ind, "at_least", line), "threshold-outside-scale", where=where, key="at_least",
                     value=at_least, range=f"{scale.min} < at_least ≤ {scale.max}",
                     why=f"the values of scale '{scale.id}'",
                     fix="give an answer value above the scale's lowest")
            return None
        return Indicator(iid, kind, item.id, item.instrument, item.construct, level,
                         self.constructs[item.construct].kind, float(at_least), 0.0, 1.0,
                         tuple(scale.missing), scale.values)

    def wave_ref(self, rule: dict, key: str, where: str, line: int) -> None:
        value = rule.get(key)
        if value is None:
            return
        value = str(value)
        if value in WAVE_KEYWORDS:
            return
        if self.wave_ids is not None and value not in self.wave_ids:
            self.add(line_of(rule, key, line), "bad-wave-ref", where=where, key=key, value=value,
                     hint=did_you_mean(value, [*WAVE_KEYWORDS, *self.wave_ids]))

    def rules(self, raw: dict, cid: str, line: int, indicators_of) -> None:
        where = f"criterion '{cid}'"
        rules = raw.get("rules")
        if not isinstance(rules, list) or not rules:
            self.add(line_of(raw, "rules", line), "missing-key", where=where, key="rules")
            return
        own = indicators_of.get(cid, {})
        for index, rule in enumerate(rules):
            rline = line_of(rules, index, line)
            if not isinstance(rule, dict):
                self.add(rline, "not-a-mapping", what=f"a rule of {where}", got=type(rule).__name__)
                continue
            kind = rule.get("kind")
            if kind is None:
                self.add(rline, "missing-key", where=f"a rule of {where}", key="kind")
                continue
            if kind not in RULE_KINDS:
                self.add(line_of(rule, "kind", rline), "unknown-rule-kind", criterion=cid, value=kind,
                         allowed=", ".join(RULE_KINDS), hint=did_you_mean(kind, RULE_KINDS))
                continue
            rwhere = f"{where} {kind} rule"
            self.unknown_keys(rule, _RULE_KEYS[kind], rwhere)
            if kind == "funnel":
                self.funnel(rule, rwhere, rline, own)
                continue
            indicator = self.indicator_ref(rule, "indicator", own, rwhere, rline)
            if kind == "level":
                self.level(rule, indicator, rwhere, rline)
            elif kind in ("change", "trend"):
                if kind == "change":
                    self.wave_ref(rule, "from", rwhere, rline)
                key = "min_change" if kind == "change" else "min_slope"
                if key in rule and not _is_number(rule[key]):
                    self.add(line_of(rule, key, rline), "bad-value", where=rwhere, key=key, rule="must be a number",
                             value=rule[key])
                if indicator is not None and indicator.kind == "milestone":
                    self.add(line_of(rule, "indicator", rline), "rule-not-for-indicator", where=rwhere,
                             kind=kind, indicator=indicator.id, indicator_kind="milestone",
                             why="a milestone is reached once and stays reached; test it with a level rule")
            else:
                self.association(rule, cid, rwhere, rline, indicators_of)

    def indicator_ref(self, rule, key, own, where, line) -> Indicator | None:
        name = rule.get(key)
        if name is None:
            self.add(line, "missing-key", where=where, key=key)
            return None
        if str(name) not in own:
            self.add(line_of(rule, key, line), "unknown-indicator", where=where, value=name,
                     hint=did_you_mean(name, own))
            return None
        return own[str(name)]

    def level(self, rule, indicator: Indicator | None, where, line) -> None:
        threshold = rule.get("threshold")
        if threshold is None:
            if indicator is not None and indicator.kind == "milestone":
                return  # default: half the regions
            self.add(line, "missing-key", where=where, key="threshold")
            return
        tline = line_of(rule, "threshold", line)
        if not _is_number(threshold):
            self.add(tline, "bad-value", where=where, key="threshold", rule="must be a number", value=threshold)
            return
        if indicator is None:
            return
        if indicator.kind == "construct":
            low, high = indicator.low, indicator.high
            ok = low <= threshold < high
            shown = f"{_num(low)} ≤ threshold < {_num(high)}"
            why = f"the score range of construct '{indicator.ref}'"
            fix = "give a value on the construct's response scale"
        elif indicator.kind == "item":
            ok = 0 <= threshold < 1
            shown, why = "0 ≤ threshold < 1", f"the share answering {_num(indicator.at_least)} or more"
            fix = "write a share, for example 0.5 for half"
        else:
            ok = 0 < threshold <= 1
            shown, why = "0 < threshold ≤ 1", "the share of regions that reached the milestone"
            fix = "write a share, for example 0.5 for half the regions"
        if not ok:
            self.add(tline, "threshold-outside-scale", where=where, key="threshold", value=threshold,
                     range=shown, why=why, fix=fix)

    def association(self, rule, cid, where, line, indicators_of) -> None:
        self.wave_ref(rule, "at", where, line)
        self.wave_ref(rule, "outcome_at", where, line)
        outcome = rule.get("outcome")
        if outcome is None:
            self.add(line, "missing-key", where=where, key="outcome")
            return
        crit, _, ind = str(outcome).rpartition("/")
        crit = crit or cid
        oline = line_of(rule, "outcome", line)
        if crit not in indicators_of:
            self.add(oline, "unknown-indicator", where=where, value=outcome,
                     hint=did_you_mean(crit, indicators_of))
        elif ind not in indicators_of[crit]:
            self.add(oline, "unknown-indicator", where=where, value=outcome,
                     hint=did_you_mean(ind, indicators_of[crit]))

    def funnel(self, rule, where, line, own) -> None:
        stages = rule.get("indicators")
        if not isinstance(stages, list) or len(stages) < 2:
            self.add(line_of(rule, "indicators", line), "bad-value", where=where, key="indicators",
                     rule="must list at least two item indicators, first stage first", value=stages)
            return
        for index, name in enumerate(stages):
            sline = line_of(stages, index, line)
            if str(name) not in own:
                self.add(sline, "unknown-indicator", where=where, value=name, hint=did_you_mean(name, own))
                continue
            indicator = own[str(name)]
            if indicator is not None and indicator.kind != "item":
                self.add(sline, "rule-not-for-indicator", where=where, kind="funnel", indicator=indicator.id,
                         indicator_kind=indicator.kind,
                         why="a funnel follows respondents from stage to stage: use item indicators")
        threshold = rule.get("threshold")
        if threshold is None:
            self.add(line, "missing-key", where=where, key="threshold")
        elif not _is_number(threshold) or not 0 < threshold < 1:
            self.add(line_of(rule, "threshold", line), "threshold-outside-scale", where=where, key="threshold",
                     value=threshold, range="0 < threshold < 1",
                     why="the share of one stage that goes on to the next",
                     fix="write a share, for example 0.5 for half")


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _num(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def check_criteria(doc: Document, instruments: Mapping[str, Instrument],
                   wave_ids: Iterable[str] | None = None) -> list[Problem]:
    """Every problem in a criteria file, with its line; never raises.

    ``instruments`` are the study's instruments (constructs and items are looked up
    there); ``wave_ids``, when given, are the study's waves, so that ``from``, ``at`` and
    ``outcome_at`` may name them (``first``, ``previous`` and ``last`` are always accepted).
    """
    return _Checker(doc, instruments, wave_ids).run()


# ---------------------------------------------------------------- build
def build_criteria(doc: Document, instruments: Mapping[str, Instrument]) -> tuple[Criterion, ...]:
    """Frozen :class:`Criterion` objects from a criteria file that passed :func:`check_criteria`."""
    checker = _Checker(doc, instruments, None)
    built = []
    for index, raw in enumerate(doc.data["criteria"]):
        cid = str(raw["id"])
        line = line_of(doc.data["criteria"], index)
        indicators = {str(ind["id"]): checker.indicator(ind, str(ind["id"]), cid, line)
                      for ind in raw["indicators"]}
        rules = tuple(_build_rule(rule, cid, line_of(raw["rules"], i, line))
                      for i, rule in enumerate(raw["rules"]))
        built.append(Criterion(
            id=cid, title=_text(raw["title"]), source=str(raw["source"]).strip(),
            statement=_text(raw["statement"]), indicators=dict(indicators), rules=rules, line=line))
    return tuple(built)


def _text(node) -> Text:
    return Text({str(k): str(v).strip() for k, v in node.items()})


def _build_rule(raw: dict, cid: str, line: int) -> Rule:
    kind = raw["kind"]
    threshold = raw.get("threshold")
    threshold = None if threshold is None else float(threshold)
    if kind == "funnel":
        stages = tuple(str(s) for s in raw["indicators"])
        return Rule(kind, stages[-1], threshold, indicators=stages, line=line)
    outcome = None
    if kind == "association":
        crit, _, ind = str(raw["outcome"]).rpartition("/")
        outcome = (crit or cid, ind)
    return Rule(
        kind=kind, indicator=str(raw["indicator"]), threshold=threshold,
        reference=str(raw.get("from", "first")) if kind == "change" else None,
        minimum=float(raw.get("min_change" if kind == "change" else "min_slope", 0.0) or 0.0),
        outcome=outcome,
        at=str(raw.get("at", "last")) if kind == "association" else None,
        outcome_at=str(raw.get("outcome_at", "last")) if kind == "association" else None,
        line=line,
    )
