r"""Rules: each judges one indicator of one scope (``all`` or a region) at one wave.

Every rule gives a :class:`RuleResult` whose ``status`` is ``pass``, ``fail``,
``not-applicable`` or ``insufficient`` (a gate closed; see :mod:`._gates`). The status
is the two-way test described below. Only its gates, its reasons and the figures of facts,
funnels and associations feed the published verdicts, which are three-way, from bounds
against the rule's bar (:mod:`._decisions`: ``rules.csv`` and the ``rules`` JSON of
``criteria.csv``); its p-values for level, change and trend rules are published nowhere.

``level``
    *construct*: one-sided t-test that the mean score exceeds the threshold,
    :math:`t = (\bar x - c)/(s/\sqrt n)` on :math:`n - 1` df (pass when p < the study's
    significance, the same as the one-sided lower confidence bound lying above
    :math:`c`); *item*: exact one-sided binomial test that the share answering
    ``at_least`` or more exceeds the threshold share; *milestone* and other
    region-status facts: a region passes when the fact reaches the threshold (a
    milestone: reached); nationally, when the share of reporting regions that reached it
    is at least the threshold (default one half). Facts describe the whole population
    of regions, so they are compared, not tested.
``change``
    from the reference wave (``first``, ``previous`` or a wave id) to the judged wave.
    *construct*: Welch's test from ``change.csv`` (its two-sided p turned one-sided in the
    direction of improvement: :math:`p/2` when the difference is positive, else
    :math:`1 - p/2`), computed with :func:`folge.statistics.change.welch_change`
    (``alternative="greater"``) where the table lacks the comparison; *item*: Fisher's
    exact test, one-sided. Holm's adjustment runs within one indicator and one scope
    over the comparisons from the reference wave to every wave up to the judged one
    (what was known as of that wave). Pass when the adjusted p < significance.
    Not applicable at or before the reference wave.
``trend``
    a positive slope over the waves up to the judged one. Nationally: the mixed model of
    ``trend.csv`` (score ~ wave index + (1 | region), REML) when judging the last wave it
    covers, else the same model fitted by :func:`folge.statistics.trend.trend` on the
    waves so far; for a region: ordinary least squares of its respondents' scores on the
    wave index. The two-sided p becomes one-sided as for change. Items use the same
    models on 0/1 answers (a linear probability model).
``association``
    across regions, Spearman's rho between the indicator at wave ``at`` and an outcome
    indicator at ``outcome_at`` (:func:`folge.statistics.association.spearman_association`,
    one-sided permutation p for a positive association, bootstrap CI). Judged on the
    national row only, and only from the outcome wave on; regions enter when they pass
    ``min_n`` answers on the indicator (facts: a status report).
``funnel``
    the learning chain as a funnel: the share of respondents who reached the first
    stage, then at each next stage the share of those who reached the previous one.
    The chain is unbroken when every step's share exceeds the threshold by an exact
    one-sided binomial test; the rule's p is the largest step p (an intersection-union
    test, which needs no multiplicity adjustment: Berger 1982).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..definitions import DEFAULT_MILESTONE_SHARE, Criterion, Indicator, Rule, Text, previous_wave
from ..statistics.association import spearman_association
from ..statistics import gate_estimator
from ..statistics.change import holm, welch_change
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

__all__ = ["STATUSES", "RuleResult", "evaluate_rule", "resolve_wave"]

#: Statuses a rule can end in.
STATUSES = ("pass", "fail", "not-applicable", "insufficient")
#: Seed of the permutation and bootstrap draws, so that reruns give the same table.
SEED = 2014
_WORDS = labels("criteria", "word")
_REACHED = Text(_WORDS["reached"])
_NOT_REACHED = Text(_WORDS["not-reached"])
_REGION = Text(_WORDS["the-region"])
_ANY_REGION = Text(_WORDS["any-region"])


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule: status, the figures behind it, and why."""

    kind: str
    indicator: str
    status: str
    reasons: tuple[Reason, ...] = ()
    value: float = math.nan
    n: float = math.nan
    threshold: float = math.nan
    p: float = math.nan
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """A JSON-friendly summary (for the ``rules`` column)."""
        def clean(x):
            return None if isinstance(x, float) and math.isnan(x) else (round(x, 6) if isinstance(x, float) else x)
        return {"kind": self.kind, "indicator": self.indicator, "status": self.status,
                "value": clean(self.value), "n": clean(self.n), "threshold": clean(self.threshold),
                "p": clean(self.p), "reasons": [r.code for r in self.reasons]}


def _na(rule: Rule, reason: Reason) -> RuleResult:
    return RuleResult(rule.kind, rule.indicator, "not-applicable", (reason,))


#: gates after which the figure itself comes from too few answers and must not be shown
_SMALL_CELL = ("gate-n", "gate-funnel-n", "gate-no-data")


def _closed(rule: Rule, gates, **figures) -> RuleResult:
    if any(g.code in _SMALL_CELL for g in gates):  # disclosure control: no figure from < min_n answers
        figures.update(value=math.nan, p=math.nan)
    return RuleResult(rule.kind, rule.indicator, "insufficient", tuple(gates), **figures)


def _judged(rule: Rule, passed: bool, reason: Reason, **figures) -> RuleResult:
    return RuleResult(rule.kind, rule.indicator, "pass" if passed else "fail", (reason,), **figures)


def resolve_wave(ref: str, current: str, waves: list[str]) -> str | None:
    """The wave id a reference names when judging ``current`` (``None``: none such)."""
    if ref == "first":
        return waves[0]
    if ref == "last":
        return current
    if ref == "previous":
        return previous_wave(waves, current)
    return ref if ref in waves else None


def _one_sided(p: float, estimate: float) -> float:
    """Two-sided p turned into the one-sided p for a positive effect."""
    if math.isnan(p) or math.isnan(estimate):
        return math.nan
    return p / 2 if estimate > 0 else 1 - p / 2


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


def _with_invariance_note(result: RuleResult, ev: Evidence, ind: Indicator) -> RuleResult:
    """``result`` with the note that its construct was compared on a partial scalar model."""
    note = ev.memo.get(("invariance-note", ind.ref))
    if note is None:
        return result
    return RuleResult(result.kind, result.indicator, result.status, result.reasons + (note,), result.value,
                      result.n, result.threshold, result.p, result.extra)


def _fact_gate(value: float, scope: str, wave: str, facts: pd.Series) -> list[Reason]:
    if scope == ALL:
        return [] if facts.notna().any() else [Reason("gate-no-report", who=_ANY_REGION, wave=wave)]
    return [] if not math.isnan(value) else [Reason("gate-no-report", who=_REGION, wave=wave)]


def _sample(ev: Evidence, ind: Indicator, scope: str, wave: str) -> np.ndarray:
    """Respondent values of an indicator: scores, or 1/0 for answering at least ``at_least``."""
    if ind.kind == "construct":
        return ev.scores(ind, scope, wave)["score"].to_numpy(dtype=float)
    return (ev.answers(ind, scope, wave)["value"].to_numpy(dtype=float) >= ind.at_least).astype(float)


# --------------------------------------------------------------------------- level
def _level(ev: Evidence, crit: Criterion, rule: Rule, scope: str, wave: str) -> RuleResult:
    ind = crit.indicators[rule.indicator]
    if ind.is_fact:
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
        return _judged(rule, passed, reason, **figures)
    x = _sample(ev, ind, scope, wave)
    n = int(x.size)
    value = float(x.mean()) if n else math.nan
    figures = dict(value=value, n=n, threshold=rule.threshold)
    gates = _gates(ev, ind, scope, wave, n)
    if gates:
        return _closed(rule, gates, **figures)
    if ind.kind == "construct":
        sd = float(x.std(ddof=1)) if n > 1 else 0.0
        if sd == 0:
            p = 0.0 if value > rule.threshold else 1.0
        else:
            t = (value - rule.threshold) / (sd / math.sqrt(n))
            p = float(stats.t.sf(t, n - 1))
        reason = Reason("level-mean", value=value, threshold=rule.threshold, n=n, p=p)
    else:
        k = int(x.sum())
        p = float(stats.binomtest(k, n, rule.threshold, alternative="greater").pvalue) if rule.threshold > 0 \
            else (0.0 if k > 0 else 1.0)
        reason = Reason("level-share", value=value, at_least=ind.at_least, threshold=rule.threshold, n=n, p=p)
    return _judged(rule, p < ev.significance, reason, p=p, **figures)


# --------------------------------------------------------------------------- change
def _welch_one_sided(ev: Evidence, ind: Indicator, scope: str, ref: str, wave: str) -> tuple[float, float, int, int]:
    """(diff, one-sided p, n_from, n_to) for a construct: change.csv first, else computed."""
    row = ev.welch_row(ind.ref, scope, ref, wave)
    if row is not None:
        diff, p, n_from, n_to = row
        return diff, _one_sided(p, diff), n_from, n_to
    a = ev.scores(ind, scope, ref)["score"].to_numpy(dtype=float)
    b = ev.scores(ind, scope, wave)["score"].to_numpy(dtype=float)
    result = welch_change(a, b, alternative="greater").iloc[0]
    return float(result["diff"]), float(result["p"]), a.size, b.size


def _fisher_one_sided(ev: Evidence, ind: Indicator, scope: str, ref: str, wave: str) -> tuple[float, float, int, int]:
    a, b = _sample(ev, ind, scope, ref), _sample(ev, ind, scope, wave)
    if not a.size or not b.size:
        return math.nan, math.nan, a.size, b.size
    k1, k2 = int(a.sum()), int(b.sum())
    p = float(stats.fisher_exact([[k2, b.size - k2], [k1, a.size - k1]], alternative="greater").pvalue)
    return float(b.mean() - a.mean()), p, a.size, b.size


def _change(ev: Evidence, crit: Criterion, rule: Rule, scope: str, wave: str) -> RuleResult:
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
        return _judged(rule, value > 0, Reason("change-fact", value=value, reference=ref), **figures)
    # the Holm family: comparisons from the reference to every wave so far
    later = [w for w in ev.waves[ev.index(ref) + 1: ev.index(wave) + 1] if ev.asked(ind, w)]
    compare = _welch_one_sided if ind.kind == "construct" else _fisher_one_sided
    family = {}
    for w in later:
        key = ("change", ind.kind, ind.ref, ind.at_least, scope, ref, w)
        if key not in ev.memo:
            ev.memo[key] = compare(ev, ind, scope, ref, w)
        family[w] = ev.memo[key]
    diff, _, n_from, n_to = family[wave]
    figures = dict(value=diff, n=n_to, threshold=0.0)
    gates = _gates(ev, ind, scope, ref, n_from, agreement=False) + _gates(ev, ind, scope, wave, n_to) \
        + _invariance(ev, ind)
    if gates:
        return _closed(rule, gates, **figures)
    adjusted = holm([family[w][1] for w in later])
    p = float(adjusted[later.index(wave)])
    code = "change-mean" if ind.kind == "construct" else "change-share"
    reason = Reason(code, value=diff, points=diff * 100, reference=ref, n_from=n_from, n=n_to, p=p)
    return _with_invariance_note(_judged(rule, (not math.isnan(p)) and p < ev.significance and diff > 0, reason,
                                         p=p, extra={"from_wave": ref, "n_from": n_from}, **figures), ev, ind)


# --------------------------------------------------------------------------- trend
def _trend(ev: Evidence, crit: Criterion, rule: Rule, scope: str, wave: str) -> RuleResult:
    ind = crit.indicators[rule.indicator]
    waves = [w for w in ev.waves[: ev.index(wave) + 1] if ev.asked(ind, w)]
    if not ev.asked(ind, wave):
        return _na(rule, Reason("na-not-asked", indicator=ind.id, wave=wave))
    if ind.is_fact:
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
        return _judged(rule, slope > 0, Reason("trend-fact", value=slope, waves=len(series)), **figures)
    frames = []
    for w in waves:
        if ind.kind == "construct":
            f = ev.scores(ind, scope, w)[["region", "score"]]
        else:
            a = ev.answers(ind, scope, w)
            f = pd.DataFrame({"region": a["region"], "score": (a["value"] >= ind.at_least).astype(float)})
        frames.append(f.assign(wave_index=float(ev.index(w))))
    data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["region", "score", "wave_index"])
    n_now = int((data["wave_index"] == ev.index(wave)).sum())
    used = sorted(set(data["wave_index"]))
    if len(used) < 2:
        return _na(rule, Reason("na-trend-waves"))
    gates = _gates(ev, ind, scope, wave, n_now) + _invariance(ev, ind)
    estimate, p = _slope(ev, ind, scope, wave, data)
    figures = dict(value=estimate, n=len(data), threshold=0.0)
    if gates:
        return _closed(rule, gates, **figures)
    reason = Reason("trend-slope", value=estimate, waves=len(used), n=len(data), p=p)
    return _with_invariance_note(_judged(rule, (not math.isnan(p)) and p < ev.significance and estimate > 0,
                                         reason, p=p, **figures), ev, ind)


def _slope(ev: Evidence, ind: Indicator, scope: str, wave: str, data: pd.DataFrame) -> tuple[float, float]:
    """(slope per wave, one-sided p) of the scores so far."""
    if scope == ALL:
        last = [w for w in ev.waves_with_data() if ev.asked(ind, w)]
        table = ev.tables.get("trend")
        if (ind.kind == "construct" and last and wave == last[-1] and table is not None and not table.empty
                and "construct" in table.columns):
            rows = table[table["construct"] == ind.ref]
            if len(rows) and pd.notna(rows.iloc[0].get("estimate")):
                estimate, p = float(rows.iloc[0]["estimate"]), float(rows.iloc[0]["p"])
                return estimate, _one_sided(p, estimate)
        from ..statistics.trend import trend

        row = trend(data[["score", "wave_index", "region"]].astype({"score": float}), engine="sufficient").iloc[0]
        estimate = float(row["estimate"])
        return estimate, _one_sided(float(row["p"]), estimate)
    x, y = data["wave_index"].to_numpy(dtype=float), data["score"].to_numpy(dtype=float)
    if len(x) < 3 or np.ptp(y) == 0:
        return (0.0, 1.0) if len(x) >= 3 else (math.nan, math.nan)
    fit = stats.linregress(x, y, alternative="greater")
    return float(fit.slope), float(fit.pvalue)


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
                 criteria: dict[str, Criterion]) -> RuleResult:
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
    return _judged(rule, p < ev.significance and rho > 0, reason, value=rho, p=p,
                   extra={"ci_low": float(row["ci_low"]), "ci_high": float(row["ci_high"])}, **figures)


# --------------------------------------------------------------------------- funnel
def _funnel(ev: Evidence, crit: Criterion, rule: Rule, scope: str, wave: str) -> RuleResult:
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
    return _judged(rule, p < ev.significance, reason, value=value, n=n_first, threshold=rule.threshold, p=p,
                   extra={"steps": [{"stage": s, "share": round(sh, 4), "p": pp, "n": nn} for s, sh, pp, nn in steps]})


def _pct(share: float, lang: str) -> str:
    return f"{share * 100:.0f}\u00a0%" if lang == "nb" else f"{share * 100:.0f}%"


# --------------------------------------------------------------------------- dispatch
def evaluate_rule(ev: Evidence, crit: Criterion, rule: Rule, scope: str, wave: str,
                  criteria: dict[str, Criterion]) -> RuleResult:
    """Judge ``rule`` of ``crit`` for ``scope`` (``"all"`` or a region id) at ``wave``."""
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
