"""Answers in long form (one row per person and wave) as the wide ordinal codes of the
longitudinal model: one row per person, one column per item × wave, −1 where the person
did not answer.

Columns are wave-major (every item of the first wave, then of the second, …), the order
in which lavaan meets them in ``f1 =~ i1_1 + … ; f2 =~ i1_2 + …``. Each item keeps one
set of categories over the waves, since the scalar model holds its thresholds equal: a
category that nobody chose in some wave is merged with its neighbour in every wave, as
:func:`folge.statistics.ordinal_statistics` does across groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from folge.statistics._ordinal_codes import _as_group, _collapse_item, group_order
from folge.statistics.reliability import _numeric_items

__all__ = ["PanelCodes", "panel_codes"]


@dataclass(frozen=True)
class PanelCodes:
    """Wide codes of a panel and what was done to get them.

    ``codes`` is None when the data cannot carry the model (``note`` says why).
    """

    items: tuple[str, ...]
    waves: tuple[str, ...]
    codes: np.ndarray | None  # (people, waves × items), −1 missing
    n_categories: tuple[int, ...]  # per item, the same in every wave
    repeated_share: float  # share of the people who answered in more than one wave
    note: str
    n: int  # people with an answer (rows of the wide data)

    @property
    def columns(self) -> tuple[str, ...]:
        """``<item>_<wave number>`` for every column, wave-major (as the R reference names them)."""
        return tuple(f"{item}_{t + 1}" for t in range(len(self.waves)) for item in self.items)


def panel_codes(items: pd.DataFrame, wave, respondent) -> PanelCodes:
    """The wide codes of ``items`` (long form) for the longitudinal model.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per ordinal item, one row per person and wave (reverse keys applied),
        NaN for a missing answer.
    wave, respondent : pandas.Series
        Each row's wave and person, aligned with ``items``. Waves in sorted order
        (category order for a categorical).

    Returns
    -------
    PanelCodes
        People with at least one answer; a second row of a person in the same wave is
        left out and counted in ``note``. A wave in which some item has no answer is
        left out (``note``); fewer than two waves, fewer than three items, or an item
        with one answer category leave ``codes`` None.
    """
    values = _numeric_items(items)
    names = tuple(str(c) for c in values.columns)
    wave = _as_group(wave, items.index)
    person = _as_group(respondent, items.index)
    keep = values.notna().any(axis=1).to_numpy() & wave.notna().to_numpy() & person.notna().to_numpy()
    values, wave, person = values[keep], wave[keep], person[keep]
    notes = []
    first = ~pd.DataFrame({"p": person.to_numpy(), "w": wave.to_numpy()}).duplicated().to_numpy()
    if not first.all():
        notes.append(f"{int((~first).sum())} repeated rows of a person in one wave left out (the first kept)")
        values, wave, person = values[first], wave[first], person[first]
    answered = values.notna().groupby(wave.to_numpy()).any()
    labels = [w for w in group_order(wave) if bool(answered.loc[w].all())]
    dropped = [str(w) for w in group_order(wave) if w not in labels]
    if dropped:
        notes.append("waves without an answer to every item left out: " + ", ".join(dropped))
    inside = wave.isin(labels).to_numpy()
    values, wave, person = values[inside], wave[inside], person[inside]
    people, person_index = np.unique(person.astype(str).to_numpy(), return_inverse=True)
    wave_index = pd.Categorical(wave, categories=labels).codes.astype(int)
    shared = _repeated_share(person_index, wave_index, len(people))
    empty = PanelCodes(names, tuple(str(w) for w in labels), None, (0,) * len(names), shared, "", len(people))
    if len(names) < 3:
        return _with_note(empty, notes, "a one-factor model needs at least three items")
    if len(labels) < 2:
        return _with_note(empty, notes, "the longitudinal model needs answers in at least two waves")
    wide = np.full((len(people), len(labels) * len(names)), -1, dtype=int)
    n_categories, merged = [], []
    for j, name in enumerate(names):
        column = values[name].to_numpy()
        observed = ~np.isnan(column)
        codes, k, merges = _collapse_item(column[observed], wave_index[observed], labels)
        wide[person_index[observed], wave_index[observed] * len(names) + j] = codes
        n_categories.append(int(k))
        merged += [f"{name}: {m}" for m in merges]
    if merged:
        notes.append("empty categories merged with their neighbour in every wave: " + "; ".join(merged))
    single = [name for name, k in zip(names, n_categories) if k < 2]
    result = PanelCodes(names, tuple(str(w) for w in labels), wide, tuple(n_categories), shared, "", len(people))
    if single:
        return _with_note(result, notes, "only one answer category in " + ", ".join(single), drop=True)
    return _with_note(result, notes, "")


def _repeated_share(person_index: np.ndarray, wave_index: np.ndarray, n_people: int) -> float:
    if n_people == 0:
        return 0.0
    waves_per_person = np.bincount(person_index, minlength=n_people)
    return float(np.mean(waves_per_person > 1))


def _with_note(codes: PanelCodes, notes: list[str], reason: str, *, drop: bool = False) -> PanelCodes:
    note = "; ".join(n for n in [*notes, reason] if n)
    return PanelCodes(codes.items, codes.waves, None if drop else codes.codes, codes.n_categories,
                      codes.repeated_share, note, codes.n)
