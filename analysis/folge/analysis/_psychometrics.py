"""reliability.csv, items.csv and invariance.csv: per ``kind: scale`` construct and wave."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..statistics import (
    cronbach_alpha,
    gate_estimator,
    item_statistics,
    longitudinal_invariance,
    mcdonald_omega,
    measurement_invariance,
    ordinal_invariance,
)
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


def reliability_tables(data: AnalysisInput, full: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Alpha (Feldt CI), omega and item statistics per scale construct and wave.

    With ``full=False`` only alpha and its CI (what the reliability gate reads): omega is
    left empty and the item table is empty.
    """
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
            omega = mcdonald_omega(part).iloc[0] if full else {"omega": np.nan, "note": ""}
            notes = [n for n in (alpha.get("note"), omega.get("note")) if isinstance(n, str) and n]
            alpha.update(construct=construct.id, wave=wave, omega=omega["omega"], note="; ".join(notes))
            rel_rows.append(alpha)
            if full:
                stats = item_statistics(part)
                stats.insert(0, "wave", wave)
                stats.insert(0, "construct", construct.id)
                item_rows.append(stats)
    reliability = pd.DataFrame(rel_rows)
    items_table = pd.concat(item_rows, ignore_index=True) if item_rows else pd.DataFrame()
    return reliability, items_table


def invariance_table(data: AnalysisInput) -> pd.DataFrame:
    """Configural, metric and scalar invariance across waves per scale construct and estimator.

    ``ML`` rows (continuous, multi-group) for every scale; ``WLSMV`` rows (ordinal, with
    a ``scalar-partial`` row where scalar invariance fails and ``settings.max_freed``
    allows) for scales of up to 7 points, whose gate they decide. The WLSMV rows come from
    the model ``settings.invariance_model`` names: ``multi-group`` (waves as independent
    groups of respondents who answered every item; ``n`` counts answers) or
    ``longitudinal`` (one factor per wave, each respondent one row, pairwise-present data;
    ``n`` counts respondents and ``note`` opens with "longitudinal model,
    pairwise-present"). Every multi-group row's ``note`` says which share of the
    respondents answered in more than one wave, since those models treat the waves as
    independent groups.
    """
    max_freed = int(data.study.settings.max_freed)
    longitudinal = data.study.settings.invariance_model == "longitudinal"
    parts = []
    for construct in data.scored_constructs(("scale",)):
        keyed = data.keyed(construct)
        items = list(construct.item_ids)
        waves = _sorted_categorical(keyed["wave"])
        repeated = _repeated_note(keyed, items)
        ml = measurement_invariance(keyed[items], waves)
        ml.insert(0, "estimator", "ML")
        ml["note"] = [_joined(note, repeated) for note in ml["note"]]
        frames = [ml]
        if gate_estimator(construct.scale.points) == "WLSMV" and construct.scale.is_ordinal:
            if longitudinal:
                ordinal = longitudinal_invariance(keyed[items], waves, keyed["respondent"], max_freed=max_freed)
            else:
                ordinal = ordinal_invariance(keyed[items], waves, max_freed=max_freed)
                ordinal["note"] = [_joined(note, repeated) for note in ordinal["note"]]
            ordinal.insert(0, "estimator", "WLSMV")
            frames.append(ordinal)
        result = pd.concat(frames, ignore_index=True)
        result.insert(0, "construct", construct.id)
        parts.append(result)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _repeated_note(keyed: pd.DataFrame, items: list[str]) -> str:
    """Which share of the respondents with complete answers answered in several waves."""
    complete = keyed[items].notna().all(axis=1).to_numpy()
    person, wave = _codes(keyed["respondent"]), _codes(keyed["wave"])
    keep = complete & (person >= 0) & (wave >= 0)
    person, wave = person[keep], wave[keep]
    if person.size == 0:
        return ""
    n_waves = int(wave.max()) + 1
    # distinct (person, wave) as a bitmap over the codes: one linear pass, no sort or hash
    seen = np.zeros((int(person.max()) + 1, n_waves), dtype=bool)
    seen[person, wave] = True
    waves_per_person = seen.sum(axis=1)
    people = int((waves_per_person > 0).sum())
    repeated = int((waves_per_person > 1).sum())
    if repeated == 0:
        return ""
    return (f"{repeated / people:.0%} of the respondents ({repeated} of {people}) answered in more "
            "than one wave; the multi-group model treats the waves as independent groups")


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of an id column (a categorical's own codes), −1 for a missing id."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype(np.int64)
    return pd.factorize(values)[0].astype(np.int64)


def _joined(*parts) -> str:
    return "; ".join(str(p) for p in parts if isinstance(p, str) and p)
