"""What the analyses read: the study, its responses from the store, and the scores."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..definitions import Construct, Instrument, Study
from ..scoring import keyed_items, score_instrument

__all__ = ["AnalysisInput", "build_input"]


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
        return [c for inst in self.study.instruments.values() for c in inst.constructs if c.kind in kinds]


def build_input(study: Study, responses: dict[str, pd.DataFrame], up_to_wave: str | None = None,
                invitations: pd.DataFrame | None = None) -> AnalysisInput:
    """Assemble an :class:`AnalysisInput`: keep waves up to ``up_to_wave`` and score everything."""
    order = [w.id for w in study.waves]
    if up_to_wave is not None:
        if up_to_wave not in order:
            raise ValueError(f"'up_to_wave' must be a wave of the study ({', '.join(order)}); got {up_to_wave!r}")
        order = order[: order.index(up_to_wave) + 1]
    kept, parts = {}, []
    for instrument_id, frame in responses.items():
        frame = frame[frame["wave"].astype(str).isin(order)].reset_index(drop=True)
        kept[instrument_id] = frame
        instrument = study.instruments[instrument_id]
        scores = score_instrument(instrument, frame, study.settings.score_min_share)
        scores["instrument"] = instrument_id
        parts.append(scores)
    scores = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    present = set(scores["wave"].astype(str)) if not scores.empty else set()
    waves = [w for w in order if w in present]
    return AnalysisInput(study, kept, scores, waves, invitations)
