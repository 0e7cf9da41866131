"""change.csv and trend.csv: has a construct moved between waves, and over all of them?"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..statistics import holm, paired_change, trend, welch_change
from ._inputs import AnalysisInput

__all__ = ["comparisons", "change_table", "trend_table"]


def comparisons(waves: list[str]) -> list[tuple[str, str, str]]:
    """(from, to, kind) pairs: consecutive waves, and from the first wave to each later one.

    >>> comparisons(["a", "b", "c"])
    [('a', 'b', 'consecutive'), ('b', 'c', 'consecutive'), ('a', 'c', 'from-first')]
    """
    pairs = [(waves[i - 1], waves[i], "consecutive") for i in range(1, len(waves))]
    pairs += [(waves[0], waves[i], "from-first") for i in range(2, len(waves))]
    return pairs


def _scope_rows(construct_id, region, by_wave, pairs, paired: bool):
    rows = []
    for from_wave, to_wave, kind in pairs:
        a = by_wave.get(from_wave)
        b = by_wave.get(to_wave)
        if a is None or b is None:
            continue
        welch = welch_change(a.to_numpy(), b.to_numpy()).iloc[0].to_dict()
        welch.update(construct=construct_id, region=region, from_wave=from_wave, to_wave=to_wave,
                     comparison=kind, method="welch")
        rows.append(welch)
        if paired:
            both = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna()
            if len(both) >= 2:
                pair = paired_change(both["a"].to_numpy(), both["b"].to_numpy()).iloc[0].to_dict()
                pair.update(construct=construct_id, region=region, from_wave=from_wave, to_wave=to_wave,
                            comparison=kind, method="paired-t")
                rows.append(pair)
    return rows


def change_table(data: AnalysisInput) -> pd.DataFrame:
    """Welch and paired change per construct, nationally and per region, with Holm's p_adj.

    Region-level instruments (one answer per region) get national rows only: a region's
    own change would rest on one answer per wave.
    """
    pairs = comparisons(data.waves)
    if not pairs:
        return pd.DataFrame()
    scores = data.scores[data.scores["score"].notna()]
    rows = []
    for (construct_id, instrument_id), part in scores.groupby(["construct", "instrument"], sort=False):
        respondent_level = data.study.instruments[instrument_id].level == "respondent"
        indexed = part.set_index("respondent")
        national = {w: g["score"] for w, g in indexed.groupby("wave", sort=False)}
        rows += _scope_rows(construct_id, "all", national, pairs, respondent_level)
        if not respondent_level:
            continue
        for region, region_part in indexed.groupby("region", sort=True):
            by_wave = {w: g["score"] for w, g in region_part.groupby("wave", sort=False)}
            rows += _scope_rows(construct_id, str(region), by_wave, pairs, True)
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["p_adj"] = np.nan
    for _, index in table.groupby(["construct", "region", "method"], sort=False).groups.items():
        table.loc[index, "p_adj"] = holm(table.loc[index, "p"].to_numpy(dtype=float))
    return table


def trend_table(data: AnalysisInput) -> pd.DataFrame:
    """National slope per construct from score ~ wave index + (1 | region), REML."""
    rank = data.wave_rank()
    scores = data.scores[data.scores["score"].notna()]
    rows = []
    for construct_id, part in scores.groupby("construct", sort=False):
        frame = pd.DataFrame({"score": part["score"].to_numpy(),
                              "wave_index": part["wave"].astype(str).map(rank).to_numpy(dtype=float),
                              "region": part["region"].astype(str).to_numpy()})
        row = trend(frame)
        row.insert(0, "construct", construct_id)
        rows.append(row)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
