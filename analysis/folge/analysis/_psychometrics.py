"""reliability.csv, items.csv and invariance.csv: per ``kind: scale`` construct and wave."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..statistics import cronbach_alpha, item_statistics, mcdonald_omega, measurement_invariance
from ._inputs import AnalysisInput

__all__ = ["reliability_tables", "invariance_table"]


def _rows_by_wave(waves: pd.Series) -> dict[str, np.ndarray]:
    """Wave id (as text) → positions of its rows, in row order; one pass over the column."""
    return {str(wave): rows for wave, rows in waves.groupby(waves, sort=False, observed=True).indices.items()}


def _sorted_categorical(waves: pd.Series) -> pd.Series:
    """The wave column as text categories in sorted order: the groups the invariance models
    order by sorted label, compared as integer codes rather than strings."""
    if isinstance(waves.dtype, pd.CategoricalDtype):
        used = waves.cat.remove_unused_categories()
        used = used.cat.rename_categories([str(c) for c in used.cat.categories])
        return used.cat.reorder_categories(sorted(used.cat.categories))
    text = waves.astype(str)
    return pd.Series(pd.Categorical(text, categories=sorted(set(text))), index=waves.index)


def reliability_tables(data: AnalysisInput) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Alpha (Feldt CI), omega and item statistics per scale construct and wave."""
    rel_rows, item_rows = [], []
    for construct in data.scored_constructs(("scale",)):
        keyed = data.keyed(construct)
        items = list(construct.item_ids)
        rows_of = _rows_by_wave(keyed["wave"])
        for wave in data.waves:
            if wave not in rows_of:
                continue
            part = keyed[items].take(rows_of[wave])
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
        result = measurement_invariance(keyed[items], _sorted_categorical(keyed["wave"]))
        result.insert(0, "construct", construct.id)
        parts.append(result)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
