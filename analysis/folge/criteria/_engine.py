"""The criteria engine: every criterion × scope (``all`` and each region) × wave, one verdict.

Verdict logic (one row of ``criteria.csv``):

1. a rule whose gate closed (``insufficient``) makes the verdict ``insufficient-data``,
   whatever the other rules say; the reason lists every closed gate;
2. otherwise, with no applicable rule (a change rule at its reference wave, an association
   before its outcome wave, an instrument not used in that wave), ``insufficient-data``
   with the reason that no rule applies and why;
3. otherwise ``met`` when every applicable rule passes, ``partly-met`` when some do,
   ``not-met`` when none do.

The figures of the row (``indicator, value, n, threshold, p``) are those of the rule that
decided it: the first rule whose gate closed, else the first that failed, else the first
that passed, else the first rule. Every rule's result is kept in ``rules`` (JSON) and the
reason texts (``reason`` in bokmål, ``reason_en`` in English) name each rule's outcome.
Waves with no data stored at all (not yet collected) get no rows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping

import pandas as pd

from ..definitions import Study
from ..definitions import Criterion
from ._evidence import ALL, Evidence
from ._gates import GATE_OF
from ._reasons import RULE_LABELS, STATUS_LABELS, Reason
from ._rules import RuleResult, evaluate_rule

__all__ = ["CRITERIA_COLUMNS", "VERDICTS", "evaluate_criteria", "verdict_of"]

#: Columns of ``criteria.csv``: the result contract's ten (``folge.analysis.TABLE_COLUMNS``), then the extra ones.
CRITERIA_COLUMNS = (
    "criterion",
    "region",
    "wave",
    "indicator",
    "value",
    "n",
    "threshold",
    "p",
    "verdict",
    "reason",
    "reason_en",
    "gate",
    "rules_passed",
    "rules_applicable",
    "rules",
)
#: Verdicts, best first.
VERDICTS = ("met", "partly-met", "not-met", "insufficient-data")


def verdict_of(results: Iterable[RuleResult]) -> tuple[str, RuleResult | None, list[Reason]]:
    """``(verdict, deciding result, gate reasons)`` from the results of one criterion's rules."""
    results = list(results)
    closed = [r for r in results if r.status == "insufficient"]
    if closed:
        gates = list(dict.fromkeys(g for r in closed for g in r.reasons))
        return "insufficient-data", closed[0], gates
    applicable = [r for r in results if r.status in ("pass", "fail")]
    if not applicable:
        return "insufficient-data", results[0] if results else None, []
    passed = [r for r in applicable if r.status == "pass"]
    failed = [r for r in applicable if r.status == "fail"]
    if not failed:
        return "met", passed[0], []
    return ("partly-met" if passed else "not-met"), failed[0], []


def _rule_text(result: RuleResult, lang: str) -> str:
    i = 0 if lang == "nb" else 1
    head = f"{RULE_LABELS[result.kind][i]} {result.indicator} {STATUS_LABELS[result.status][i]}"
    details = "; ".join(r.text(lang) for r in result.reasons)
    return f"{head}: {details}" if details else head


def _reason(verdict: str, results: list[RuleResult], gates: list[Reason], wave: str, lang: str) -> str:
    if verdict == "insufficient-data" and gates:
        return "; ".join(g.text(lang) for g in gates)
    if verdict == "insufficient-data":
        why = " / ".join(dict.fromkeys(r.text(lang) for res in results for r in res.reasons)) or (
            "ingen regler" if lang == "nb" else "no rules")
        return Reason("no-rule-applies", wave=wave, why=why).text(lang)
    applicable = [r for r in results if r.status in ("pass", "fail")]
    passed = sum(r.status == "pass" for r in applicable)
    head = (f"{passed} av {len(applicable)} regler oppfylt" if lang == "nb"
            else f"{passed} of {len(applicable)} rules passed")
    return head + ": " + " | ".join(_rule_text(r, lang) for r in applicable)


def _nan(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _row(crit: Criterion, scope: str, wave: str, results: list[RuleResult]) -> dict:
    verdict, decider, gates = verdict_of(results)
    applicable = [r for r in results if r.status in ("pass", "fail")]
    return {
        "criterion": crit.id,
        "region": scope,
        "wave": wave,
        "indicator": decider.indicator if decider else "",
        "value": _nan(decider.value) if decider else math.nan,
        "n": _nan(decider.n) if decider else math.nan,
        "threshold": _nan(decider.threshold) if decider else math.nan,
        "p": _nan(decider.p) if decider else math.nan,
        "verdict": verdict,
        "reason": _reason(verdict, results, gates, wave, "nb"),
        "reason_en": _reason(verdict, results, gates, wave, "en"),
        "gate": ";".join(dict.fromkeys(GATE_OF[g.code] for g in gates)) if gates else (
            "no-rule" if verdict == "insufficient-data" else ""),
        "rules_passed": sum(r.status == "pass" for r in applicable),
        "rules_applicable": len(applicable),
        "rules": json.dumps([r.as_dict() for r in results], ensure_ascii=False),
    }


def evaluate_criteria(
    study: Study,
    criteria: Iterable[Criterion],
    tables: Mapping[str, pd.DataFrame],
    responses: Mapping[str, pd.DataFrame],
    *,
    waves: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Judge every criterion for ``all`` and each region at each wave with data.

    Parameters
    ----------
    study : Study
        The study design: regions, waves (in order, with their instruments), ``min_n`` and
        the bars in ``settings`` (``alpha_bar``, ``rwg_bar``, ``significance``).
    criteria : iterable of Criterion
        From :func:`folge.criteria.load_criteria`.
    tables : mapping of str to DataFrame
        Result tables of ``folge analyze`` by name, with the result contract's columns; used here:
        ``scores``, ``reliability``, ``agreement``, ``change``, ``trend``, ``invariance``.
        A missing table leaves its gate open (``scores`` missing: scores are computed from
        the responses).
    responses : mapping of str to DataFrame
        Raw wide responses per instrument id (``respondent, region, wave, role, version``
        and one column per item, missing codes still in).
    waves : iterable of str, optional
        Judge only these waves (default: every wave with data).

    Returns
    -------
    pandas.DataFrame
        One row per criterion × scope × wave with :data:`CRITERIA_COLUMNS`: the contract's
        ``criterion, region, wave, indicator, value, n, threshold, p, verdict, reason``,
        then ``reason_en``, ``gate`` (the closed gates, ``;``-separated: ``n``,
        ``reliability``, ``agreement``, ``invariance``, ``no-report``, ``few-regions``;
        ``no-rule`` when no rule applied; empty otherwise), ``rules_passed``,
        ``rules_applicable`` and ``rules`` (every rule's result as JSON).
    """
    criteria = list(criteria)
    by_id = {c.id: c for c in criteria}
    ev = Evidence(study, tables, responses)
    chosen = ev.waves_with_data() if waves is None else [w for w in ev.waves if w in set(waves)]
    rows = []
    for crit in criteria:
        for wave in chosen:
            for scope in (ALL, *ev.regions):
                results = [evaluate_rule(ev, crit, rule, scope, wave, by_id) for rule in crit.rules]
                rows.append(_row(crit, scope, wave, results))
    frame = pd.DataFrame(rows, columns=list(CRITERIA_COLUMNS))
    frame["n"] = frame["n"].astype("Int64") if frame["n"].dropna().apply(float.is_integer).all() else frame["n"]
    return frame
