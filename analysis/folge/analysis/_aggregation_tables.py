"""icc.csv and agreement.csv: may construct scores be aggregated to regions?"""

from __future__ import annotations

import pandas as pd

from ..statistics import agreement, icc
from ._inputs import AnalysisInput

__all__ = ["icc_table", "agreement_table"]


def _respondent_scale_constructs(data: AnalysisInput):
    return [c for c in data.scored_constructs(("scale",))
            if data.study.instruments[c.instrument].level == "respondent"]


def icc_table(data: AnalysisInput) -> pd.DataFrame:
    """ICC(1) and ICC(2) of every respondent-level scale score per wave (region as group)."""
    rows = []
    scores = data.scores[data.scores["score"].notna()]
    by_key = {(str(c), str(w)): part for (c, w), part in scores.groupby(["construct", "wave"], sort=False,
                                                                          observed=True)}
    for construct in _respondent_scale_constructs(data):
        for wave in data.waves:
            part = by_key.get((construct.id, wave))
            if part is None:
                continue
            row = icc(part["score"].to_numpy(), part["region"].astype(str).to_numpy())
            row.insert(0, "wave", wave)
            row.insert(0, "construct", construct.id)
            rows.append(row)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def agreement_table(data: AnalysisInput) -> pd.DataFrame:
    """rwg(j) and AD per scale construct, wave and region (respondents with every item)."""
    rows = []
    for construct in _respondent_scale_constructs(data):
        keyed = data.keyed(construct)
        items = list(construct.item_ids)
        for wave, part in keyed.groupby("wave", sort=False, observed=True):
            if part[items].dropna().empty:
                continue
            wave = str(wave)
            result = agreement(part[items], part["region"].astype(str), construct.scale.points)
            result.insert(0, "wave", wave)
            result.insert(0, "construct", construct.id)
            rows.append(result)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
