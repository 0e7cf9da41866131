"""A small study for the weighting tests: 4 regions, 2 roles, 2 waves, an invited frame.

Politicians answer less than business people, so raking to the frame's role margin
matters; region 'sor' is small. Shared by ``tests/analysis/test_weights.py`` and
``tests/reports/test_weighting.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from folge.definitions import load_study
from folge.ingest import ingest_file
from folge.pseudonym import create_key

SCALES = """\
scales:
  agree5:
    type: ordinal
    points: 5
    labels:
      nb: [a, b, c, d, e]
      nn: [a, b, c, d, e]
      en: [a, b, c, d, e]
"""
MINI = """\
id: mini
version: 1
level: respondent
title: {nb: Mini, nn: Mini, en: Mini}
constructs:
  - id: trust
    kind: scale
    title: {nb: Tillit, nn: Tillit, en: Trust}
    items:
      - {id: tr1, scale: agree5, text: {nb: a, nn: a, en: a}}
      - {id: tr2, scale: agree5, text: {nb: b, nn: b, en: b}}
      - {id: tr3, scale: agree5, reverse: true, text: {nb: c, nn: c, en: c}}
"""

STUDY = """\
programme: Testprogram
min_n: 5
settings: {SETTINGS}
regions:
  - {id: nord, name: Nord, language: nb}
  - {id: vest, name: Vest, language: nn}
  - {id: sor, name: Sør, language: nb}
  - {id: ost, name: Øst, language: nb}
roles:
  - {id: politician, sector: municipality}
  - {id: business, sector: business}
waves:
  - {id: "2015-1", date: 2015-03-01, instruments: [mini], closed: true, invited: {nord: 30, vest: 20, sor: 12, ost: 26}}
  - {id: "2016-1", date: 2016-03-01, instruments: [mini], invited: {nord: 30, vest: 20, sor: 12, ost: 26}}
"""
#: who answered per wave, region, role (politicians answer less than business)
ANSWERED = {("2015-1", "nord"): (4, 14), ("2015-1", "vest"): (3, 9), ("2015-1", "sor"): (2, 4),
            ("2015-1", "ost"): (6, 16),
            ("2016-1", "nord"): (5, 12), ("2016-1", "vest"): (2, 8), ("2016-1", "sor"): (2, 3),
            ("2016-1", "ost"): (6, 16)}
#: the invited frame per wave, region, role
INVITED = {"nord": (14, 16), "vest": (9, 11), "sor": (5, 7), "ost": (8, 18)}


def _frame(invited=INVITED) -> str:
    rows = ["wave,region,role,invited"]
    for wave in ("2015-1", "2016-1"):
        for region, (politicians, business) in invited.items():
            rows += [f"{wave},{region},politician,{politicians}", f"{wave},{region},business,{business}"]
    return "\n".join(rows) + "\n"


def _answers(answered=ANSWERED, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    records = []
    for (wave, region), (politicians, business) in answered.items():
        for role, count in (("politician", politicians), ("business", business)):
            for i in range(count):
                # panel: person i of a region and role answers in both waves where counts allow
                level = 2 if role == "politician" else 4
                values = np.clip(level + rng.integers(-1, 2, 3), 1, 5)
                records.append({"respondent": f"{region}-{role}-{i}", "region": region, "wave": wave,
                                "role": role, "tr1": values[0], "tr2": values[1], "tr3": 6 - values[2]})
    return pd.DataFrame(records)


def make_study(tmp_path: Path, *, settings: str = "{}", frame: str | None = _frame(),
               answers: pd.DataFrame | None = None) -> Path:
    root = tmp_path / "study"
    root.mkdir()
    (root / "instruments").mkdir()
    (root / "instruments" / "scales.yaml").write_text(SCALES, encoding="utf-8")
    (root / "instruments" / "mini.yaml").write_text(MINI, encoding="utf-8")
    (root / "research").mkdir()
    (root / "research" / "study.yaml").write_text(STUDY.replace("{SETTINGS}", settings), encoding="utf-8")
    if frame is not None:
        (root / "research" / "frame.csv").write_text(frame, encoding="utf-8")
    create_key(root)
    study = load_study(root)
    path = tmp_path / "answers.csv"
    (_answers() if answers is None else answers).to_csv(path, index=False)
    ingest_file(study, path)
    return root
