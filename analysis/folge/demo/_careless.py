"""Careless web answers planted in the demo, for the answer-quality flags to find.

After the response files are ingested, six people answer the open wave's participant
survey through the web questionnaire's own store functions (:mod:`folge.web`: an
invitation each, the page times the form records, one submission), one in each of six
regions so that no region's statistics move noticeably:

- two *straight-liners*: one value on every page (the same option all the way down),
  at a careful pace;
- two *speeders*: varied answers at 0.5 seconds an item (the shipped
  ``min_seconds_per_item`` is 1.5);
- two *careful* respondents: varied answers at 6 seconds an item, who must not be flagged.

What was planted (the pseudonyms of each kind, and the wave) is written to
``careless.json`` beside ``truth.json``. Nothing is planted when the study has no open
wave with the participant survey.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..definitions import FRAME_FILE, Instrument, Study, load_study
from ..store import Store
from ..web import (create_invitations, find_invitation, record_opened, record_page_saved, record_page_shown,
                   submit_invitation)

__all__ = ["CARELESS_FILE", "KINDS", "plant_careless_answers"]

CARELESS_FILE = "careless.json"
INSTRUMENT = "participant-survey"
#: kind → seconds per item on every page
KINDS = {"straight-lining": 6.0, "speeding": 0.5, "careful": 6.0}
PER_KIND = 2
SEED = 20160901
#: the straight-liners' answer on every rating page ("agree" on the shipped 5- and 6-point scales)
LINE_VALUE = 4


def plant_careless_answers(root: str | Path) -> dict | None:
    """Plant the careless web answers in the study at ``root``; what was planted, or None."""
    root = Path(root)
    study = load_study(root)
    wave = next((w for w in reversed(study.waves) if not w.closed and INSTRUMENT in w.instruments), None)
    if wave is None or INSTRUMENT not in study.instruments:
        return None
    instrument = study.instruments[INSTRUMENT]
    regions = [r.id for r in study.regions[:-1]] or [study.regions[0].id]  # the last one is the small one
    role = study.roles[0].id
    rng = np.random.default_rng(SEED)
    start = dt.datetime.combine(wave.date or dt.date(2016, 1, 1), dt.time(9), tzinfo=dt.timezone.utc)
    planted: dict = {"wave": wave.id, "instrument": INSTRUMENT, **{kind: [] for kind in KINDS}}
    with Store.open(root, create=True) as store:
        position = 0
        for kind, seconds in KINDS.items():
            for _ in range(PER_KIND):
                region = regions[position % len(regions)]
                position += 1
                answers = _answers(instrument, rng, straight=kind == "straight-lining")
                pseudonym = _answer_on_the_web(store, study, wave.id, region, role, instrument, answers,
                                               seconds, start + dt.timedelta(hours=position))
                planted[kind].append(pseudonym)
                _invite_in_frame(root, wave.id, region, role)
    (root / CARELESS_FILE).write_text(json.dumps(planted, indent=2) + "\n", encoding="utf-8")
    return planted


def _invite_in_frame(root: Path, wave: str, region: str, role: str) -> None:
    """Count a web invitation in the demo's invited frame (``research/frame.csv``), so that the
    frame never holds fewer invited than answered."""
    path = root / FRAME_FILE
    if not path.exists():
        return
    frame = pd.read_csv(path, dtype={"wave": str, "region": str, "role": str})
    cell = (frame["wave"] == wave) & (frame["region"] == region) & (frame["role"] == role)
    if cell.any():
        frame.loc[cell, "invited"] += 1
    else:
        frame = pd.concat([frame, pd.DataFrame([{"wave": wave, "region": region, "role": role, "invited": 1}])])
    frame.to_csv(path, index=False, lineterminator="\n")


def _pages(instrument: Instrument) -> list:
    """The form's pages (one per construct, in order) that hold numeric items."""
    return [c for c in instrument.constructs if c.scale.is_numeric and c.items]


def _answers(instrument: Instrument, rng: np.random.Generator, straight: bool) -> dict[str, int]:
    """Answers to every numeric item: one value per page (``straight``), else drawn at random."""
    answers: dict[str, int] = {}
    for construct in _pages(instrument):
        values = list(construct.scale.values)
        if straight:
            same = LINE_VALUE if LINE_VALUE in values else values[-1]
            answers.update({item.id: int(same) for item in construct.items})
            continue
        drawn = rng.choice(values, size=len(construct.items))
        while len(set(drawn.tolist())) == 1 and len(values) > 1:  # a varied answer is not a straight line
            drawn = rng.choice(values, size=len(construct.items))
        answers.update({item.id: int(v) for item, v in zip(construct.items, drawn)})
    return answers


def _answer_on_the_web(store, study: Study, wave: str, region: str, role: str, instrument: Instrument,
                       answers: dict, seconds_per_item: float, start: dt.datetime) -> str:
    """One invitation answered page by page from ``start`` at the given pace, then submitted."""
    (token,), _ = create_invitations(store, study, wave=wave, region=region, role=role, count=1,
                                     instruments=(instrument.id,))
    invitation = find_invitation(store.connection, token)
    record_opened(store.connection, invitation.token_hash, start)
    moment = start
    for number, construct in enumerate(_pages(instrument), start=1):
        record_page_shown(store.connection, invitation.token_hash, number, instrument.id, moment)
        moment += dt.timedelta(seconds=seconds_per_item * len(construct.items))
        record_page_saved(store.connection, invitation.token_hash, number, instrument.id, len(construct.items),
                          moment)
        moment += dt.timedelta(seconds=1)
    submit_invitation(store, study, invitation, answers)
    return invitation.pseudonym
