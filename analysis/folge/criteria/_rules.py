r"""Rule screening: whether a rule applies to one scope (``all`` or a region) at one wave,
which gates close it, and the figures :mod:`._decisions` takes from here.

:func:`screen_rule` gives a :class:`RuleScreen` whose ``status`` is

``not-applicable``
    the rule does not apply to this scope or wave (its ``na-*`` reason says why);
``insufficient``
    a gate closed (:mod:`._gates`: too few answers, reliability, agreement, invariance,
    no status report, too few regions); its reasons are the gates;
``judged``
    the gates are open; the three-way verdict comes from one-sided bounds against the
    rule's bar in :mod:`._decisions` (``rules.csv`` and the ``rules`` JSON of
    ``criteria.csv``), not from here;
``pass`` or ``fail``
    a fact of the status reports compared with its bar: facts describe the whole population
    of regions, so the comparison is their verdict (:mod:`._decisions` publishes it as
    ``met`` or ``not-met``).

Besides the status a screen carries ``n`` (the answers behind the rule, the start of the
published ``n``), its reasons (the gates, the ``na-*`` reason, or the code of the rule it
judged, then ``note-*`` notes such as the partial-invariance note) and, for facts, funnels
and associations only, the figures their verdicts are decided from:

``level``
    *construct* or *item*: ``n`` respondents with a score (an answer) in the judged wave;
    gates: ``min_n``, then for a scale reliability and (a region) agreement.
    *milestone* and other region-status facts: a region passes when the fact reaches the
    threshold (a milestone: reached); nationally, when the share of reporting regions that
    reached it is at least the threshold (default one half).
``change``
    from the reference wave (``first``, ``previous`` or a wave id) to the judged wave; not
    applicable at or before the reference wave. *construct* or *item*: ``n`` = answers in
    the judged wave (a construct's counts are ``change.csv``'s where it has the
    comparison); gates in both waves and, for a scale, measurement invariance over time.
    *facts*: the mean change of the regions reporting in both waves, passing when positive.
``trend``
    the waves up to the judged one (at least two with answers); *construct* or *item*:
    ``n`` = answers over those waves; gates in the judged wave and invariance. *facts*:
    the least-squares slope of the reported values on the wave index, passing when
    positive.
``association``
    across regions, Spearman's rho between the indicator at wave ``at`` and an outcome
    indicator at ``outcome_at`` (:func:`folge.statistics.association.spearman_association`,
    one-sided permutation p, bootstrap CI: the figures of its verdict). Judged on the
    national row only, and only from the outcome wave on; regions enter when they pass
    ``min_n`` answers on the indicator (facts: a status report).
``funnel``
    the learning chain as a funnel: the share of respondents who reached the first stage,
    then at each next stage the share of those who reached the previous one, each step with
    its exact one-sided binomial p against the threshold (the steps its verdict, an
    intersection-union test, is decided from: Berger 1982).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import stats

from ..definitions import DEFAULT_MILESTONE_SHARE, Criterion, Indicator, Rule, Text, previous_wave
from ..statistics.association import spearman_association
from ..statistics import gate_estimator
from ..vocabulary import labels
from ._evidence import ALL, Evidence
from ._gates import (
    MIN_REGIONS,
    agreement_gate,
    invariance_gate,
    invariance_partial_note,
    n_gate,
    reliability_gate,
)
from ._reasons import Reason

__all__ = ["STATUSES", "RuleScreen", "resolve_wave", "screen_rule"]

#: Statuses a screened rule can end in (``pass``/``fail``: facts only).
STATUSES = ("judged", "pass", "fail", "not-applicable", "insufficient")
#: Seed of the permutation and bootstrap draws, so that reruns give the same table.
SEED = 2014
_WORDS = labels("criteria", "word")
_REACHED = Text(_WORDS["reached"])
_NOT_REACHED = Text(_WORDS["not-reached"])
_REGION = Text(_WORDS["the-region"])
_ANY_REGION = Text(_WORDS["any-region"])


@dataclass(frozen=True)
class RuleScreen:
    """One screened rule: status, ``n``, reasons, and the figures of a fact, funnel or association."""

    kind: str
    indicator: str
    status: str
    reasons: tuple[Reason, ...] = ()
    value: float = math.nan
    n: float = math.nan
    threshold: float = math.nan
    p: float = math.nan
    extra: dict = field(default_factory=dict)


def _na(rule: Rule, reason: Reason) -> RuleScreen:
    return RuleScreen(rule.kind, rule.indicator, "not-applicable", (reason,))


#: gates after which the figure itself comes from too few answers and must not be shown
_SMALL_CELL = ("gate-n", "gate-funnel-n", "gate-no-data")


def _closed(rule: Rule, gates, **figures) -> RuleScreen:
    if any(g.code in _SMALL_CELL for g in gates):  # disclosure control: no figure from < min_n answers
        figures.update(value=math.nan, p=math.nan)
    return RuleScreen(rule.kind, rule.indicator, "insufficient", tuple(gates), **figures)


def _judged(rule: Rule, reason: Reason, **figures) -> RuleScreen:
    """Gates open: the verdict is decided from bounds in :mod:`._decisions`."""
    return RuleScreen(rule.kind, rule.indicator, "judged", (reason,), **figures)


def _compared(rule: Rule, passed: bool, reason: Reason, **figures) -> RuleScreen:
    """A fact compared with its bar: the comparison is its verdict."""
    return RuleScreen(rule.kind, rule.indicator, "pass" if passed else "fail", (reason,), **figures)


def resolve_wave(ref: str, current: str, waves: list[str]) -> str | None:
    """The wave id a reference names when judging ``current`` (``None``: none such)."""
    if ref == "first":
        return waves[0]
    if ref == "last":
        return current
    if ref == "previous":
        return previous_wave(waves, current)
    return ref if ref in waves else None


# --------------------------------------------------------------------------- gates per indicator
def _gates(ev: Evidence, ind: Indicator, scope: str, wave: str, n: int, agreement: bool = True) -> list[Reason]:
    """Gates of a respondent indicator in one wave: n, then reliability and (a region's mean
    in the judged wave) agreement for scales."""
    closed = []
    gate = n_gate(n, ev.min_n, wave)
    if gate is not None:
        closed.append(gate)
    if ind.kind == "construct" and ind.construct_kind == "scale":
        title = ev.title(ind)
        gate = reliability_gate(ev.alpha(ind.ref, wave), title, wave, ev.alpha_bar)
        if gate is not None:
            closed.append(gate)
        if scope != ALL and agreement and not closed:  # rwg of fewer than min_n says nothing
            gate = agreement_gate(ev.rwg(ind.ref, scope, wave), title, wave, ev.rwg_bar)
            if gate is not None:
                closed.append(gate)
    return closed


def _invariance(ev: Evidence, ind: Indicator) -> list[Reason]:
    """The invariance gate of a comparison over time, on the rows of the scale's estimator."""
    if ind.kind == "construct" and ind.construct_kind == "scale":
        key = ("invariance", ind.ref)
        if key not in ev.memo:
            construct = ev.constructs.get(ind.ref)
            estimator = gate_estimator(construct.scale.points) if construct is not None else "WLSMV"
            args = (ev.tables.get("invariance"), ind.ref, ev.title(ind), estimator)
            ev.memo[key] = invariance_gate(*args)
            ev.memo[("invariance-note", ind.ref)] = invariance_partial_note(*args)
        return [ev.memo[key]] if ev.memo[key] is not None else []
    return []


def _with_invariance_note(screen: RuleScreen, ev: Evidence, ind: Indicator) -> RuleScreen:
    """``screen`` with the note that its construct was compared on a partial scalar model."""
    note = ev.memo.get(("invariance-note", ind.ref))
    return screen if note is None else replace(screen, reasons=screen.reasons + (note,))


def _fact_gate(value: float, scope: str, wave: str, facts: pd.Series) -> list[Reason]:
    if scope == ALL:
        return [] if facts.notna().any() else [Reason("gate-no-report", who=_ANY_REGION, wave=wave)]
    return [] if not math.isnan(value) else [Reason("gate-no-report", who=_REGION, wave=wave)]


def _sample(ev: Evidence, ind: Indicator, scope: str, wave: str) -> np.ndarray:
    """Respondent values of an indicator: scores, or 1/0 for answering at least ``at_least``."""
    if ind.kind == "construct":
        return ev.scores(ind, scope, wave)["score"].to_numpy(dtype=float)
    return (ev.answers(ind, scope, wave)["value"].to_numpy(dtype=float) >= ind.at_least).astype(float)


def _count(ev: Evidence, ind: Indicator, scope: str, wave: str) -> int:
    """Respondents of a scope with a score (a construct) or a valid answer (an item) in ``wave``."""
    return len(ev.scores(ind, scope, wave) if ind.kind == "construct" else ev.answers(ind, scope, wave))


# --------------------------------------------------------------------------- level
def _level_fact(ev: Evidence, ind: Indicator, rule: Rule, scope: str, wave: str) -> RuleScreen:
    facts = ev.facts(ind, wave)
    threshold = rule.threshold
    if scope == ALL:
        threshold = DEFAULT_MILESTONE_SHARE if threshold is None else threshold
        value, n = float(facts.mean()), int(facts.notna().sum())
    else:
        threshold = 1.0 if ind.kind == "milestone" else threshold
        value, n = float(facts.get(scope, math.nan)), 1
    figures = dict(value=value, n=n, threshold=threshold)
    gates = _fact_gate(value, scope, wave, facts)
    if gates:
        return _closed(rule, gates, **figures)
    passed = value >= threshold - 1e-12
    if scope == ALL:
        reason = Reason("level-fact-national", value=value, n=n, threshold=threshold)
    elif ind.kind == "milestone":
        reason = Reason("level-milestone-region", state=_REACHED if passed else _NOT_REACHED, wave=wave)
    else:
        reason = Reason("level-fact-region", value=value, threshold=threshold)
    return _compared(rule, passed, reason, **figures)


def _level(ev: Evidence, crit: Criterion, rule: Rule, scope: str, wave: str) -> RuleScreen:
    ind = crit.indicators[rule.indicator]
    if ind.is_fact:
        return _level_fact(ev, ind, rule, scope, wave)
    n = _count(ev, ind, scope, wave)
    gates = _gates(ev, ind, scope, wave, n)
    if gates:
        return _closed(rule, gates, n=n)
    if ind.kind == "construct":
        reason = Reason("level-mean", threshold=rule.threshold, n=n)
    else:
        reason = Reason("level-share", at_least=ind.at_least, threshold=rule.threshold, n=n)
    return _judged(rule, reason, n=n)


# --------------------------------------------------------------------------- change
def _change_fact(ev: Evidence, ind: Indicator, rule: Rule, scope: str, ref: str, wave: str) -> RuleScreen:
    now, before = ev.facts(ind, wave), ev.facts(ind, ref)
    if scope == ALL:
        both = now.notna() & before.notna()
        value, n = float((now[both] - before[both]).mean()), int(both.sum())
        gates = [] if n else [Reason("gate-no-report", who=_ANY_REGION, wave=wave)]
    else:
        value, n = float(now.get(scope, math.nan) - before.get(scope, math.nan)), 1
        gates = [Reason("gate-no-report", who=_REGION, wave=w)
                 for w, s in ((ref, before), (wave, now)) if math.isnan(s.get(scope, math.nan))]
    figures = dict(value=value, n=n, threshold=0.0)
    if gates:
        return _closed(rule, gates, **figures)
    return _compared(rule, value > 0, Reason("change-fact", value=value, reference=ref), **figures)


def _change_counts(ev: Evidence, ind: Indicator, scope: str, ref: str, wave: str) -> tuple[int, int]:
    """(n in the reference wave, n in the judged wave): a construct's from ``change.csv`` where it
    has the comparison, else counted."""
    if ind.kind == "construct":
        counts = ev.change_counts(ind.ref, scope, ref, wave)
        if counts is not None:
            return counts
    return _count(ev, ind, scope, ref), _count(ev, ind, scope, wave)


def _change(ev: Evidence, crit: Criterion, rule: Rule, scope: str, wave: str) -> RuleScreen:
    ind = crit.indicators[rule.indicator]
    ref = resolve_wave(rule.reference or "first", wave, ev.waves)
    if ref is None:
        return _na(rule, Reason("na-no-reference", wave=wave))
    if ev.index(wave) <= ev.index(ref):
        return _na(rule, Reason("na-reference", reference=ref))
    for w in (ref, wave):
        if not ev.asked(ind, w):
            return _na(rule, Reason("na-not-asked", indicator=ind.id, wave=w))
    if ind.is_fact:
        return _change_fact(ev, ind, rule, scope, ref, wave)
    n_from, n_to = _change_counts(ev, ind, scope, ref, wave)
    gates = _gates(ev, ind, scope, ref, n_from, agreement=False) + _gates(ev, ind, scope, wave, n_to) \
        + _invariance(ev, ind)
    if gates:
        return _closed(rule, gates, n=n_to)
    code = "change-mean" if ind.kind == "construct" else "change-share"
    reason = Reason(code, reference=ref, n_from=n_from, n=n_to)
    return _with_invariance_note(_judged(rule, reason, n=n_to), ev, ind)


# --------------------------------------------------------------------------- trend
def _trend_fact(ev: Evidence, ind: Indicator, rule: Rule, scope: str, wave: str, waves: list[str]) -> RuleScreen:
    series = []
    for w in waves:
        facts = ev.facts(ind, w)
        value = float(facts.mean()) if scope == ALL else float(facts.get(scope, math.nan))
        if not math.isnan(value):
            series.append((ev.index(w), value))
    if len(series) < 2:
        return _na(rule, Reason("na-trend-waves"))
    facts = ev.facts(ind, wave)
    now = float(facts.mean()) if scope == ALL else float(facts.get(scope, math.nan))
    gates = _fact_gate(now, scope, wave, facts)
    x, y = np.array(series).T
    slope = float(np.polyfit(x, y, 1)[0]) if np.ptp(x) > 0 else math.nan
    figures = dict(value=slope, n=len(series), threshold=0.0)
    if gates:
        return _closed(rule, gates, **figures)
    return _compared(rule, slope > 0, Reason("trend-fact", value=slope, waves=len(series)), **figures)


def _trend(ev: Evidence, crit: Criterion, rule: Rule, scope: str, wave: str) -> RuleScreen:
    ind = crit.indicators[rule.indicator]
    waves = [w for w in ev.waves[: ev.index(wave) + 1] if ev.asked(ind, w)]
    if not ev.asked(ind, wave):
        return _na(rule, Reason("na-not-asked", indicator=ind.id, wave=wave))
    if ind.is_fact:
        return _trend_fact(ev, ind, rule, scope, wave, waves)
    counts = {w: _count(ev, ind, scope, w) for w in waves}
    used = sum(1 for k in counts.values() if k > 0)  # waves with answers
    if used < 2:
        return _na(rule, Reason("na-trend-waves"))
    n = sum(counts.values())
    gates = _gates(ev, ind, scope, wave, counts[wave]) + _invariance(ev, ind)
    if gates:
        return _closed(rule, gates, n=n)
    return _with_invariance_note(_judged(rule, Reason("trend-slope", waves=used, n=n), n=n), ev, ind)


# --------------------------------------------------------------------------- association
def _region_values(ev: Evidence, ind: Indicator, wave: str) -> pd.Series:
    """One value per region with at least ``min_n`` answers (others NaN).

    Agreement does not gate a region here: Spearman's rho uses only the regions' ranks, and
    disagreement within a region adds noise to its rank rather than bias."""
    if ind.is_fact:
        return ev.facts(ind, wave)
    values = pd.Series(np.nan, index=ev.regions, dtype=float)
    for region in ev.regions:
        x = _sample(ev, ind, region, wave)
        if x.size >= ev.min_n:
            values[region] = float(x.mean())
    return values


def _association(ev: Evidence, crit: Criterion, rule: Rule, scope: str, wave: str,
                 criteria: dict[str, Criterion]) -> RuleScreen:
    if scope != ALL:
        return _na(rule, Reason("na-regional-association"))
    ind = crit.indicators[rule.indicator]
    outcome = criteria[rule.outcome[0]].indicators[rule.outcome[1]]
    at, outcome_at = resolve_wave(rule.at, wave, ev.waves), resolve_wave(rule.outcome_at, wave, ev.waves)
    later_outcome = rule.at != rule.outcome_at  # written apart: the outcome is meant to come later
    if (at is None or outcome_at is None or ev.index(outcome_at) > ev.index(wave)
            or (later_outcome and ev.index(outcome_at) <= ev.index(at))):
        shown = outcome_at if outcome_at is not None and outcome_at != wave else rule.outcome_at
        return _na(rule, Reason("na-outcome-wave", outcome_wave=shown))
    for ind_, w in ((ind, at), (outcome, outcome_at)):
        if not ev.asked(ind_, w):
            return _na(rule, Reason("na-not-asked", indicator=ind_.id, wave=w))
    gates = []
    if ind.kind == "construct" and ind.construct_kind == "scale":
        gate = reliability_gate(ev.alpha(ind.ref, at), ev.title(ind), at, ev.alpha_bar)
        gates += [gate] if gate is not None else []
    x, y = _region_values(ev, ind, at), _region_values(ev, outcome, outcome_at)
    both = x.notna() & y.notna()
    n = int(both.sum())
    if n < MIN_REGIONS:
        gates.append(Reason("gate-few-regions", n=n, minimum=MIN_REGIONS))
    figures = dict(n=n, threshold=0.0)
    if gates:
        return _closed(rule, gates, **figures)
    for series, name, w in ((x[both], ind.id, at), (y[both], outcome.id, outcome_at)):
        if np.ptp(series.to_numpy()) == 0:
            return _na(rule, Reason("na-no-variation", indicator=name, wave=w))
    row = spearman_association(x[both].to_numpy(), y[both].to_numpy(), alternative="greater", seed=SEED).iloc[0]
    rho, p = float(row["rho"]), float(row["p"])
    reason = Reason("association", value=rho, ci_low=float(row["ci_low"]), ci_high=float(row["ci_high"]),
                    indicator=ind.id, at_wave=at, outcome="/".join(rule.outcome), outcome_wave=outcome_at,
                    n=n, p=p)
    return _judged(rule, reason, value=rho, p=p,
                   extra={"ci_low": float(row["ci_low"]), "ci_high": float(row["ci_high"])}, **figures)


# --------------------------------------------------------------------------- funnel
def _funnel(ev: Evidence, crit: Criterion, rule: Rule, scope: str, wave: str) -> RuleScreen:
    stages = [crit.indicators[s] for s in rule.indicators]
    for ind in stages:
        if not ev.asked(ind, wave):
            return _na(rule, Reason("na-not-asked", indicator=ind.id, wave=wave))
    steps, reached, gates = [], None, []
    n_first = 0
    for ind in stages:
        answers = ev.wide(ind.instrument, [ind.ref], scope, wave)[ind.ref]
        if reached is not None:
            answers = answers[reached.reindex(answers.index, fill_value=False)]
        answers = answers.dropna()
        n = int(answers.size)
        n_first = n if reached is None else n_first
        if n < ev.min_n:
            code = "gate-n" if reached is None else "gate-funnel-n"
            gates.append(Reason(code, n=n, min_n=ev.min_n, wave=wave) if reached is None
                         else Reason(code, n=n, min_n=ev.min_n, wave=wave, stage=ind.id))
            break
        hit = answers >= ind.at_least
        k = int(hit.sum())
        p = float(stats.binomtest(k, n, rule.threshold, alternative="greater").pvalue)
        steps.append((ind.id, k / n, p, n))
        reached = hit[hit]
        reached = pd.Series(True, index=reached.index)
    if gates:
        return _closed(rule, gates, n=n_first, threshold=rule.threshold)
    value = len(reached) / n_first if n_first else math.nan
    p = max(step[2] for step in steps)
    weakest = min(steps, key=lambda step: step[1])
    text = Text({lang: " → ".join(f"{name} {_pct(share, lang)}" for name, share, _, _ in steps)
                 for lang in ("nb", "en")})
    reason = Reason("funnel", steps=text, weakest=weakest[0], n=n_first, p=p)
    return _judged(rule, reason, value=value, n=n_first, threshold=rule.threshold, p=p,
                   extra={"steps": [{"stage": s, "share": round(sh, 4), "p": pp, "n": nn} for s, sh, pp, nn in steps]})


def _pct(share: float, lang: str) -> str:
    return f"{share * 100:.0f}\u00a0%" if lang == "nb" else f"{share * 100:.0f}%"


# --------------------------------------------------------------------------- dispatch
def screen_rule(ev: Evidence, crit: Criterion, rule: Rule, scope: str, wave: str,
                criteria: dict[str, Criterion]) -> RuleScreen:
    """Screen ``rule`` of ``crit`` for ``scope`` (``"all"`` or a region id) at ``wave``: whether it
    applies, which gates close it, its ``n`` and reasons, and a fact's comparison with its bar."""
    if rule.kind == "level":
        ind = crit.indicators[rule.indicator]
        if not ev.asked(ind, wave):
            return _na(rule, Reason("na-not-asked", indicator=ind.id, wave=wave))
        return _level(ev, crit, rule, scope, wave)
    if rule.kind == "change":
        return _change(ev, crit, rule, scope, wave)
    if rule.kind == "trend":
        return _trend(ev, crit, rule, scope, wave)
    if rule.kind == "association":
        return _association(ev, crit, rule, scope, wave, criteria)
    if rule.kind == "funnel":
        return _funnel(ev, crit, rule, scope, wave)
    raise ValueError(f"'rule.kind' must be one of level, change, trend, association, funnel (got {rule.kind!r})")
