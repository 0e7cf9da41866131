"""The criteria engine: every rule and criterion × scope (``all`` and each region) × wave.

``rules.csv`` (:func:`judge_criteria`): each rule's three-way verdict from one-sided bounds
against its bar, families of one rule at one wave over the regions (the nation its own);
see :mod:`folge.criteria._decisions`. A closed gate, a rule that does not apply or a
statistic that could not be estimated gives ``insufficient-data`` with the reason.

``criteria.csv``: the rules' verdicts combined (:func:`folge.statistics.combine_verdicts`):
``met`` when every applicable rule is met, ``not-met`` when at least one is not met and none
is met, ``partly-met`` when some are met and others not, ``insufficient-data`` when no rule
is applicable, ``inconclusive`` otherwise (``descriptive`` when every rule only describes).
The figures of the row (``indicator, value, n, threshold, p``) are those of the first rule
whose verdict is the criterion's (for ``partly-met``: the first not met); ``p`` is that
rule's adjusted p. Every rule's ``rules.csv`` figures and verdict are kept in ``rules`` (JSON,
:func:`folge.criteria._decisions.rule_record`) and the reason texts
(``reason`` in bokmål, ``reason_en`` in English) give each rule's verdict with its bounds.
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
from ..statistics import combine_verdicts
from ._decisions import RuleRow, decide_rules, reason_text, rule_inputs, rule_record, rules_frame
from ._gates import GATE_OF
from ._reasons import RULE_LABELS
from ._rules import screen_rule

__all__ = ["CRITERIA_COLUMNS", "VERDICTS", "evaluate_criteria", "judge_criteria"]

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
    "ci_low",
    "ci_high",
)
#: Verdicts of ``criteria.csv``, best first (``descriptive``: every rule only describes).
VERDICTS = ("met", "partly-met", "not-met", "inconclusive", "insufficient-data", "descriptive")


def _nan(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _rule_line(row: RuleRow, lang: str) -> str:
    i = 0 if lang == "nb" else 1
    return f"{RULE_LABELS[row.rule.kind][i]} {row.rule.indicator}: {reason_text(row, lang)}"


def _deciding(rows: list[RuleRow], verdict: str) -> RuleRow | None:
    wanted = {"partly-met": "not-met"}.get(verdict, verdict)
    for row in rows:
        if row.decision.get("verdict") == wanted:
            return row
    return rows[0] if rows else None


def _row(crit: Criterion, scope: str, wave: str, rows: list[RuleRow]) -> dict:
    verdicts = [row.decision.get("verdict", "insufficient-data") for row in rows]
    verdict = combine_verdicts(verdicts)
    decider = _deciding(rows, verdict)
    gates = list(dict.fromkeys(g for row in rows if row.screen.status == "insufficient" for g in row.screen.reasons))
    applicable = [v for v in verdicts if v not in ("insufficient-data", "descriptive")]
    shown = decider is not None and not math.isnan(decider.estimate)
    return {
        "criterion": crit.id,
        "region": scope,
        "wave": wave,
        "indicator": decider.rule.indicator if decider else "",
        "value": decider.estimate if shown else math.nan,
        "n": _nan(decider.n) if shown else math.nan,
        "threshold": decider.bar if decider else math.nan,
        "p": _nan(decider.decision.get("p_adj", math.nan)) if decider else math.nan,
        "verdict": verdict,
        "reason": " | ".join(_rule_line(row, "nb") for row in rows),
        "reason_en": " | ".join(_rule_line(row, "en") for row in rows),
        "gate": ";".join(dict.fromkeys(GATE_OF[g.code] for g in gates if g.code in GATE_OF)) if gates else (
            "no-rule" if verdict == "insufficient-data" else ""),
        "rules_passed": sum(v == "met" for v in verdicts),
        "rules_applicable": len(applicable),
        "rules": json.dumps([rule_record(row) for row in rows], ensure_ascii=False),
        "ci_low": _nan(decider.decision.get("ci_low", math.nan)) if shown else math.nan,
        "ci_high": _nan(decider.decision.get("ci_high", math.nan)) if shown else math.nan,
    }


def judge_criteria(
    study: Study,
    criteria: Iterable[Criterion],
    tables: Mapping[str, pd.DataFrame],
    responses: Mapping[str, pd.DataFrame],
    *,
    waves: Iterable[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(criteria.csv, rules.csv)``: every rule × scope × wave with its three-way verdict, and
    every criterion × scope × wave with the rules' verdicts combined (:func:`combine_verdicts`).

    Parameters are those of :func:`evaluate_criteria`; ``tables`` may also hold ``levels``
    (weighted means and SEs) for level rules. See :mod:`folge.criteria._decisions` for what
    each rule's estimate, bounds and family are.
    """
    criteria = list(criteria)
    by_id = {c.id: c for c in criteria}
    ev = Evidence(study, tables, responses)
    chosen = ev.waves_with_data() if waves is None else [w for w in ev.waves if w in set(waves)]
    groups, every = [], []
    for crit in criteria:
        for wave in chosen:
            for scope in (ALL, *ev.regions):
                rows = [rule_inputs(ev, crit, RuleRow(crit.id, i + 1, rule, scope, wave,
                                                      screen_rule(ev, crit, rule, scope, wave, by_id)))
                        for i, rule in enumerate(crit.rules)]
                groups.append((crit, scope, wave, rows))
                every += rows
    decide_rules(ev, every)
    frame = pd.DataFrame([_row(crit, scope, wave, rows) for crit, scope, wave, rows in groups],
                         columns=list(CRITERIA_COLUMNS))
    return frame, rules_frame(every, ev)


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
        the bars in ``settings`` (``alpha_bar``, ``rwg_bar``, ``significance``,
        ``association_min_regions``).
    criteria : iterable of Criterion
        From :func:`folge.criteria.load_criteria`.
    tables : mapping of str to DataFrame
        Result tables of ``folge analyze`` by name; used here: ``scores``, ``reliability``,
        ``agreement``, ``change``, ``trend``, ``invariance`` and, where present, ``levels``.
    responses : mapping of str to DataFrame
        Raw wide responses per instrument id.
    waves : iterable of str, optional
        Judge only these waves (default: every wave with data).

    Returns
    -------
    pandas.DataFrame
        ``criteria.csv``: one row per criterion × scope × wave with :data:`CRITERIA_COLUMNS`;
        ``verdict`` combines the rules' three-way verdicts (``rules.csv``, from
        :func:`judge_criteria`), ``value``/``threshold``/``p`` are the deciding rule's
        estimate, bar and adjusted p.
    """
    return judge_criteria(study, criteria, tables, responses, waves=waves)[0]
