"""Success criteria tested over time: verdicts with reasons.

``research/criteria.yaml`` holds the criteria as data (see
:func:`folge.definitions.load_criteria`); :func:`evaluate_criteria` judges every criterion for
the nation (``all``) and each region at each wave from the analysis tables, and returns
the rows of ``criteria.csv``. Rules are screened (whether they apply, which gates close them)
in :mod:`folge.criteria._rules`, gates are defined in :mod:`folge.criteria._gates`, each rule's
verdict from its bounds is decided in :mod:`folge.criteria._decisions` and combined per
criterion in :mod:`folge.criteria._engine`, and
every reason text (bokmål and English) lives in :mod:`folge.vocabulary`'s ``criteria.yaml``,
worded by :mod:`folge.criteria._reasons`.
"""

from ..definitions import (
    INDICATOR_KINDS,
    RULE_KINDS,
    Criterion,
    Indicator,
    Rule,
    build_criteria,
    check_criteria,
    load_criteria,
)
from ._decisions import RULES_COLUMNS
from ._engine import CRITERIA_COLUMNS, VERDICTS, evaluate_criteria, judge_criteria
from ._evidence import ALL, Evidence
from ._gates import MIN_REGIONS, invariance_gate
from ._reasons import REASONS, VERDICT_LABELS, Reason, say
from ._rules import STATUSES, RuleScreen, screen_rule

__all__ = [
    "ALL",
    "CRITERIA_COLUMNS",
    "INDICATOR_KINDS",
    "MIN_REGIONS",
    "REASONS",
    "RULES_COLUMNS",
    "RULE_KINDS",
    "STATUSES",
    "VERDICTS",
    "VERDICT_LABELS",
    "Criterion",
    "Evidence",
    "Indicator",
    "Reason",
    "Rule",
    "RuleScreen",
    "build_criteria",
    "check_criteria",
    "evaluate_criteria",
    "invariance_gate",
    "judge_criteria",
    "load_criteria",
    "say",
    "screen_rule",
]
