"""Gates: conditions under which a criterion cannot be judged at all.

A closed gate makes the verdict ``insufficient-data`` whatever the rules say, and the
reason names the gate:

``n``
    fewer than the study's ``min_n`` answers behind a respondent figure (region-status
    facts are exempt: ``min_n`` protects people, a status report describes a region);
``reliability``
    Cronbach's alpha of a ``scale`` construct in that wave below the study's
    ``alpha_bar`` (default .70; ``reliability.csv``);
``agreement``
    a region's mean of a ``scale`` construct in the judged wave where its respondents do not agree,
    rwg(j) below ``rwg_bar`` (default .70; ``agreement.csv``);
``invariance``
    a comparison over time (change, trend) of a construct whose invariance across
    waves failed (``invariance.csv``): means are only comparable when loadings and
    thresholds (intercepts) are equal. The rows of the estimator that fits the scale
    decide (:func:`folge.statistics.gate_estimator`: WLSMV for up to 7 points, by the
    ``scalar-vs-configural`` row; ML otherwise, by ``metric`` and ``scalar``). Where
    scalar invariance fails but the ``scalar-partial`` model holds, the gate is open and the rule carries a note
    naming the item freed. A missing or unfit row (no row for the construct, ``holds``
    empty) closes the gate too: untested is not invariant;
``no-report``
    no status report from a region (or from any region) in that wave;
``few-regions``
    an association with fewer than :data:`MIN_REGIONS` regions that pass the gates.

Each check returns a :class:`~folge.criteria._reasons.Reason` when the gate is closed and
``None`` when it is open. For reliability and agreement a statistic missing from its
table (not computed, or NaN) leaves the gate open (the n gate covers too few answers);
invariance is different: change is only compared on a measurement shown to be the same,
so a missing or NaN invariance row closes the gate. Only when no invariance table was
given at all (the caller judges without one) is the invariance gate not applied.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from ..statistics import GATE_MODEL, PARTIAL_MODEL
from ._reasons import Reason

__all__ = ["GATE_OF", "MIN_REGIONS", "agreement_gate", "invariance_gate", "invariance_partial_note", "n_gate",
           "reliability_gate"]

#: Fewest regions for a Spearman association across regions.
MIN_REGIONS = 5
#: the items named free in a ``scalar-partial`` row's note ("thresholds of b2 free across groups",
#: or "… across waves" from the longitudinal model)
_FREED = re.compile(r"(?:thresholds|loading) of (\S+) free across (?:groups|waves)")
#: reason code → the gate's short name (the ``gate`` column of criteria.csv)
GATE_OF = {
    "gate-n": "n",
    "gate-funnel-n": "n",
    "gate-no-data": "n",
    "gate-reliability": "reliability",
    "gate-agreement": "agreement",
    "gate-invariance": "invariance",
    "gate-invariance-untested": "invariance",
    "gate-no-report": "no-report",
    "gate-few-regions": "few-regions",
}


def n_gate(n: int, min_n: int, wave: str) -> Reason | None:
    """Closed when ``n`` answers are fewer than ``min_n``."""
    if n < min_n:
        return Reason("gate-n", n=int(n), min_n=int(min_n), wave=wave)
    return None


def reliability_gate(alpha: float, title, wave: str, bar: float) -> Reason | None:
    """Closed when ``alpha`` (of the construct named ``title``, in ``wave``) is below ``bar``."""
    if not math.isnan(alpha) and alpha < bar:
        return Reason("gate-reliability", construct=title, wave=wave, alpha=alpha, bar=bar)
    return None


def agreement_gate(rwg: float, title, wave: str, bar: float) -> Reason | None:
    """Closed when rwg(j) of a region's answers on the construct ``title`` is below ``bar``."""
    if not math.isnan(rwg) and rwg < bar:
        return Reason("gate-agreement", construct=title, wave=wave, rwg=rwg, bar=bar)
    return None


def _invariance_rows(invariance: pd.DataFrame, construct: str, estimator: str) -> dict[str, object]:
    """model → holds of ``construct``'s rows of ``estimator`` (all rows when the table has no
    ``estimator`` column, as tables written before it had)."""
    rows = invariance[invariance["construct"].astype(str) == construct]
    if "estimator" in rows.columns:
        rows = rows[rows["estimator"].astype(str) == estimator]
    return {str(m): h for m, h in zip(rows["model"], rows["holds"])}


def _steps(holds: dict[str, object]) -> tuple[str, ...]:
    """The rows that decide: the ordinal gate's one comparison (scalar against configural)
    where the table has it, else metric then scalar (ML, and tables written before it)."""
    return (GATE_MODEL,) if GATE_MODEL in holds else ("metric", "scalar")


def invariance_gate(invariance: pd.DataFrame | None, construct: str, title,
                    estimator: str = "WLSMV") -> Reason | None:
    """Closed unless (partial) scalar invariance of ``construct`` holds.

    ``estimator`` names the rows that decide (``WLSMV`` or ``ML``). WLSMV rows decide by
    ``scalar-vs-configural`` (see :mod:`folge.statistics.ordinal_invariance` for why not
    by lavaan's metric step), ML rows by ``metric`` and ``scalar``. Closed with
    ``gate-invariance`` when a deciding row does not hold (and no ``scalar-partial`` row
    holds in its place); with ``gate-invariance-untested`` when a deciding row is missing
    or its ``holds`` is empty (NaN never passes). Open (``None``) when ``invariance`` is
    None: the caller judged without an invariance table.
    """
    if invariance is None:
        return None
    if invariance.empty or not {"construct", "model", "holds"} <= set(invariance.columns):
        return Reason("gate-invariance-untested", construct=title)
    holds = _invariance_rows(invariance, construct, estimator)
    for model in _steps(holds):
        value = holds.get(model)
        if model != "metric" and _is_false(value) and _is_true(holds.get(PARTIAL_MODEL)):
            continue
        if _is_false(value):
            return Reason("gate-invariance", construct=title, model="scalar" if model == GATE_MODEL else model)
        if not _is_true(value):
            return Reason("gate-invariance-untested", construct=title)
    return None


def invariance_partial_note(invariance: pd.DataFrame | None, construct: str, title,
                            estimator: str = "WLSMV") -> Reason | None:
    """The note for a comparison the gate let through on the partial scalar model, naming
    the items freed (from the ``scalar-partial`` row's note); ``None`` otherwise."""
    if invariance is None or invariance.empty or invariance_gate(invariance, construct, title, estimator):
        return None
    holds = _invariance_rows(invariance, construct, estimator)
    if not (_is_false(holds.get(_steps(holds)[-1])) and _is_true(holds.get(PARTIAL_MODEL))):
        return None
    rows = invariance[(invariance["construct"].astype(str) == construct)
                      & (invariance["model"].astype(str) == PARTIAL_MODEL)]
    if "estimator" in rows.columns:
        rows = rows[rows["estimator"].astype(str) == estimator]
    note = str(rows["note"].iloc[0]) if "note" in rows.columns and pd.notna(rows["note"].iloc[0]) else ""
    items = ", ".join(dict.fromkeys(_FREED.findall(note))) or "?"
    return Reason("note-invariance-partial", construct=title, items=items)


def _is_true(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    try:
        return value is not None and not pd.isna(value) and bool(value)
    except (TypeError, ValueError):
        return False


def _is_false(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("false", "0", "no")
    try:
        return value is not None and not pd.isna(value) and not bool(value)
    except (TypeError, ValueError):
        return False
