"""Raw-data helpers for the demo tests: read the response files and score them by hand."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd


def truth(root: Path) -> dict:
    return json.loads((root / "truth.json").read_text(encoding="utf-8"))


def read_responses(root: Path, wave: str, instrument: str) -> pd.DataFrame:
    """One response file as text (blanks stay empty strings)."""
    with open(root / "responses" / wave / f"{instrument}.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return pd.DataFrame(rows[1:], columns=rows[0])


def all_waves(root: Path, study, instrument: str) -> pd.DataFrame:
    frames = [read_responses(root, w.id, instrument) for w in study.waves if instrument in w.instruments]
    return pd.concat(frames, ignore_index=True)


def keyed_items(frame: pd.DataFrame, construct) -> pd.DataFrame:
    """Item values as floats: missing codes and blanks → NaN, reverse keys applied."""
    out = {}
    for item in construct.items:
        values = pd.to_numeric(frame[item.id].replace("", np.nan), errors="raise").astype(float)
        values[values.isin(list(item.scale.missing))] = np.nan
        if item.reverse:
            values = item.scale.min + item.scale.max - values
        out[item.id] = values
    return pd.DataFrame(out)


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha on complete cases: k/(k−1)·(1 − Σ var(item) / var(total))."""
    complete = items.dropna()
    k = complete.shape[1]
    return k / (k - 1) * (1 - complete.var(ddof=1).sum() / complete.sum(axis=1).var(ddof=1))


def scores(frame: pd.DataFrame, construct) -> pd.Series:
    """Mean of the answered items (reverse keys applied) per respondent."""
    return keyed_items(frame, construct).mean(axis=1)
