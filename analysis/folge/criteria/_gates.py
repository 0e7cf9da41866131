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
    a comparison over time (change, trend) of a construct whose scalar invariance
    across waves failed (``invariance.csv``): means are only comparable when
    loadings and intercepts are equal;
``no-report``
    no status report from a region (or from any region) in that wave;
``few-regions``
    an association with fewer than :data:`MIN_REGIONS` regions that pass the gates.

Each check returns a :class:`~folge.criteria._reasons.Reason` when the gate is closed and
``None`` when it is open. A statistic that is missing from its table (not computed, or
NaN) leaves the gate open: the gate closes on evidence, not on absence.
"""

from __future__ import annotations

import math

import pandas as pd

from ._reasons import Reason

__all__ = ["GATE_OF", "MIN_REGIONS", "agreement_gate", "invariance_gate", "n_gate", "reliability_gate"]

#: Fewest regions for a Spearman association across regions.
MIN_REGIONS = 5
#: reason code → the gate's short name (the ``gate`` column of criteria.csv)
GATE_OF = {
    "gate-n": "n",
    "gate-funnel-n": "n",
    "gate-no-data": "n",
    "gate-reliability": "reliability",
    "gate-agreement": "agreement",
    "gate-invariance": "invariance",
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


def invariance_gate(invariance: pd.DataFrame | None, construct: str, title) -> Reason | None:
    """Closed when metric or scalar invariance of ``construct`` across waves does not hold."""
    if invariance is None or invariance.empty or not {"construct", "model", "holds"} <= set(invariance.columns):
        return None
    rows = invariance[invariance["construct"].astype(str) == construct]
    for model in ("metric", "scalar"):
        held = rows.loc[rows["model"].astype(str) == model, "holds"]
        for value in held:
            if _is_false(value):
                return Reason("gate-invariance", construct=title, model=model)
    return None


def _is_false(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("false", "0", "no")
    try:
        return value is not None and not pd.isna(value) and not bool(value)
    except (TypeError, ValueError):
        return False
