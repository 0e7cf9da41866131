"""What the analyses read: the study, its responses from the store, and the scores."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from ..definitions import Construct, Instrument, Study
from ..scoring import keyed_items, score_instrument

__all__ = ["AnalysisInput", "build_input"]

#: Id columns of the answers, made categorical (shared, sorted categories) for the analyses.
ID_COLUMNS = ("respondent", "region", "wave", "role")


@dataclass
class AnalysisInput:
    """Everything one analysis run works from, read once.

    ``responses`` maps instrument id → the store's wide answers (only waves up to the
    chosen one); ``scores`` is the long table of every construct score.
    """

    study: Study
    responses: dict[str, pd.DataFrame]
    scores: pd.DataFrame
    waves: list[str]
    invitations: pd.DataFrame | None = None
    _keyed: dict = field(default_factory=dict, repr=False)

    def wave_rank(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.waves)}

    def instrument_of(self, construct_id: str) -> Instrument:
        for instrument in self.study.instruments.values():
            if any(c.id == construct_id for c in instrument.constructs):
                return instrument
        raise KeyError(construct_id)

    def keyed(self, construct: Construct) -> pd.DataFrame:
        """Keyed items of ``construct`` next to ``respondent, region, wave, role`` (cached)."""
        if construct.id not in self._keyed:
            answers = self.responses.get(construct.instrument)
            if answers is None or answers.empty:
                frame = pd.DataFrame(columns=["respondent", "region", "wave", "role", *construct.item_ids])
            else:
                frame = pd.concat([answers[["respondent", "region", "wave", "role"]].reset_index(drop=True),
                                   keyed_items(construct, answers).reset_index(drop=True)], axis=1)
            self._keyed[construct.id] = frame
        return self._keyed[construct.id]

    def scored_constructs(self, kinds=("scale", "index")) -> list[Construct]:
        """Constructs of these kinds whose instrument has answers (an instrument not yet
        fielded has nothing to analyse)."""
        answered = {i for i, frame in self.responses.items() if frame is not None and not frame.empty}
        return [c for inst in self.study.instruments.values() if inst.id in answered
                for c in inst.constructs if c.kind in kinds]


def build_input(study: Study, responses: dict[str, pd.DataFrame], up_to_wave: str | None = None,
                invitations: pd.DataFrame | None = None) -> AnalysisInput:
    """Assemble an :class:`AnalysisInput`: keep waves up to ``up_to_wave`` and score everything."""
    order = [w.id for w in study.waves]
    if up_to_wave is not None:
        if up_to_wave not in order:
            raise ValueError(f"'up_to_wave' must be a wave of the study ({', '.join(order)}); got {up_to_wave!r}")
        order = list(study.waves_upto(up_to_wave))
    kept, parts = {}, []
    for instrument_id, frame in responses.items():
        kept[instrument_id] = frame[frame["wave"].astype(str).isin(order)].reset_index(drop=True)
    kept = _categorical_ids(kept)
    for instrument_id, frame in kept.items():
        instrument = study.instruments[instrument_id]
        scores = score_instrument(instrument, frame, study.settings.score_min_share)
        scores["instrument"] = pd.Categorical.from_codes(np.zeros(len(scores), dtype=np.int8), [instrument_id])
        parts.append(scores)
    scores = _concat_scores(parts)
    # the distinct waves (a few categories), not str() of every one of the scores' rows
    present = {str(w) for w in scores["wave"].dropna().unique()} if not scores.empty else set()
    waves = [w for w in order if w in present]
    return AnalysisInput(study, kept, scores, waves, invitations)


def _categorical_ids(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``frames`` with their id columns as categoricals sharing one sorted set of categories.

    Values stay the same (a category per distinct text); only the storage changes, so
    grouping, comparing and writing a million rows works on small integer codes. Shared
    categories keep the columns categorical when frames of several instruments are stacked.
    """
    out = dict(frames)
    for column in ID_COLUMNS:
        present = [name for name, frame in out.items() if column in frame]
        if not present:
            continue
        # factorise each column once, then recode the small category lists to the union
        coded = {name: pd.Categorical(out[name][column]) for name in present}
        categories = sorted(set().union(*(set(c.categories) for c in coded.values())))
        for name in present:
            frame = out[name].copy(deep=False)
            frame[column] = pd.Categorical(coded[name], categories=categories)
            out[name] = frame
    return out


def _concat_scores(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack the instruments' scores, keeping ``construct`` and ``instrument`` categorical."""
    if not parts:
        return pd.DataFrame()
    columns = {c: union_categoricals([p[c] for p in parts], sort_categories=True)
               for c in ("construct", "instrument")}
    scores = pd.concat([p.drop(columns=list(columns)) for p in parts], ignore_index=True)
    for name, values in columns.items():
        scores.insert(list(parts[0].columns).index(name), name, values)
    return scores
