"""Which instrument a response file answers: named with ``--instrument`` or recognised.

Item ids are unique across a study's instruments, so the instrument whose items make up
most of the file's columns is the one; a tie is broken by the instruments the wave lists,
and a file with no item column of any instrument cannot be ingested.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._errors import InputError
from ..definitions import did_you_mean

__all__ = ["choose_instrument", "recognise_instrument"]


def recognise_instrument(columns: Sequence[str], study, wave: str | None = None):
    """The instrument of ``study`` whose item ids appear most among ``columns``.

    Raises
    ------
    InputError
        When no column is an item of any instrument, or two instruments match equally.
    """
    present = set(columns)
    scores = {inst_id: sum(1 for item in inst.item_ids if item in present)
              for inst_id, inst in study.instruments.items()}
    best = max(scores.values(), default=0)
    if best == 0:
        shown = ", ".join(list(columns)[:12]) + (" …" if len(columns) > 12 else "")
        raise InputError(
            "cannot tell which instrument this file answers: no column is an item id of "
            f"{', '.join(sorted(study.instruments)) or 'any instrument'} (columns: {shown}); "
            "name it with --instrument ID or fix the headers")
    tied = sorted(inst_id for inst_id, score in scores.items() if score == best)
    if len(tied) > 1 and wave is not None:
        try:
            listed = set(study.wave(wave).instruments)
        except KeyError:
            listed = set()
        narrowed = [inst_id for inst_id in tied if inst_id in listed]
        if len(narrowed) == 1:
            tied = narrowed
    if len(tied) > 1:
        raise InputError(f"the columns fit instruments {', '.join(tied)} equally well; "
                         "name one with --instrument ID")
    return study.instruments[tied[0]]


def choose_instrument(study, instrument_id: str | None, columns: Sequence[str], wave: str | None = None):
    """``study.instruments[instrument_id]`` (with did-you-mean when unknown), else recognised."""
    if instrument_id is None:
        return recognise_instrument(columns, study, wave)
    try:
        return study.instruments[instrument_id]
    except KeyError:
        raise InputError(f"unknown instrument '{instrument_id}'{did_you_mean(instrument_id, study.instruments)}; "
                         f"the study has {', '.join(sorted(study.instruments))}") from None
