"""reliability.csv, items.csv and invariance.csv: per ``kind: scale`` construct and wave."""

from __future__ import annotations

import pandas as pd

from ..statistics import cronbach_alpha, item_statistics, mcdonald_omega, measurement_invariance
from ._inputs import AnalysisInput

__all__ = ["reliability_tables", "invariance_table"]


def reliability_tables(data: AnalysisInput) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Alpha (Feldt CI), omega and item statistics per scale construct and wave."""
    rel_rows, item_rows = [], []
    for construct in data.scored_constructs(("scale",)):
        keyed = data.keyed(construct)
        items = list(construct.item_ids)
        for wave in data.waves:
            part = keyed.loc[keyed["wave"].astype(str) == wave, items]
            if part.empty:
                continue
            alpha = cronbach_alpha(part).iloc[0].to_dict()
            omega = mcdonald_omega(part).iloc[0]
            notes = [n for n in (alpha.get("note"), omega.get("note")) if isinstance(n, str) and n]
            alpha.update(construct=construct.id, wave=wave, omega=omega["omega"], note="; ".join(notes))
            rel_rows.append(alpha)
            stats = item_statistics(part)
            stats.insert(0, "wave", wave)
            stats.insert(0, "construct", construct.id)
            item_rows.append(stats)
    reliability = pd.DataFrame(rel_rows)
    items_table = pd.concat(item_rows, ignore_index=True) if item_rows else pd.DataFrame()
    return reliability, items_table


def invariance_table(data: AnalysisInput) -> pd.DataFrame:
    """Configural, metric and scalar invariance across waves per scale construct."""
    parts = []
    for construct in data.scored_constructs(("scale",)):
        keyed = data.keyed(construct)
        items = list(construct.item_ids)
        result = measurement_invariance(keyed[items], keyed["wave"].astype(str))
        result.insert(0, "construct", construct.id)
        parts.append(result)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
