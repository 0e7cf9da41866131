"""A small study folder for the criteria tests: one survey, one status report, six regions."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

SCALES = """\
scales:
  agree5:
    type: ordinal
    points: 5
    labels:
      nb: [a, b, c, d, e]
      nn: [a, b, c, d, e]
      en: [a, b, c, d, e]
    missing:
      9: {nb: Vet ikke, nn: Veit ikkje, en: Don't know}
  yesno:
    type: binary
    labels: {nb: [Nei, Ja], nn: [Nei, Ja], en: ["No", "Yes"]}
"""

SURVEY = """\
id: survey
version: 1
level: respondent
title: {nb: Undersøkelse, nn: Undersøking, en: Survey}
constructs:
  - id: trust
    kind: scale
    title: {nb: Tillit, nn: Tillit, en: Trust}
    items:
      - {id: tr1, scale: agree5, text: {nb: a, nn: a, en: a}}
      - {id: tr2, scale: agree5, text: {nb: b, nn: b, en: b}}
      - {id: tr3, scale: agree5, text: {nb: c, nn: c, en: c}}
  - id: chain
    kind: index
    title: {nb: Kjede, nn: Kjede, en: Chain}
    items:
      - {id: learned, scale: yesno, stage: learned, text: {nb: a, nn: a, en: a}}
      - {id: shared, scale: yesno, stage: shared, text: {nb: b, nn: b, en: b}}
      - {id: used, scale: yesno, stage: used, text: {nb: c, nn: c, en: c}}
"""

STATUS = """\
id: status
version: 1
level: region
title: {nb: Status, nn: Status, en: Status}
constructs:
  - id: milestones
    kind: index
    title: {nb: Milepæler, nn: Milepælar, en: Milestones}
    items:
      - {id: ms_plan, scale: yesno, text: {nb: a, nn: a, en: a}}
      - {id: ms_strategy, scale: yesno, text: {nb: b, nn: b, en: b}}
      - {id: ms_anchored, scale: yesno, text: {nb: c, nn: c, en: c}}
"""

REGIONS = ("r1", "r2", "r3", "r4", "r5", "r6")
WAVES = ("w1", "w2", "w3")

STUDY = """\
programme: Test
min_n: 5
regions:
""" + "".join(f"  - {{id: {r}, name: Region {r}}}\n" for r in REGIONS) + """\
roles:
  - {id: politician, sector: municipality}
waves:
""" + "".join(f"  - {{id: {w}, date: 2015-0{i + 1}-01, instruments: [survey, status]}}\n"
              for i, w in enumerate(WAVES))

VALID_CRITERIA = """\
criteria:
  - id: trust-grows
    title: {nb: Tillit, en: Trust}
    source: "Test source 2020"
    statement: {nb: Tillit vokser, en: Trust grows}
    indicators:
      - {id: trust, construct: trust}
      - {id: trust-agree, item: tr1, at_least: 4}
      - {id: anchored, milestone: ms_anchored}
    rules:
      - {kind: level, indicator: trust, threshold: 3.5}
      - {kind: change, indicator: trust, from: first}
      - {kind: trend, indicator: trust}
      - {kind: association, indicator: trust, outcome: trust-grows/anchored, at: first, outcome_at: last}
"""


def make_study(root: Path, criteria: str | None = VALID_CRITERIA) -> Path:
    (root / "instruments").mkdir(parents=True, exist_ok=True)
    (root / "research").mkdir(exist_ok=True)
    (root / "instruments" / "scales.yaml").write_text(SCALES, encoding="utf-8")
    (root / "instruments" / "survey.yaml").write_text(SURVEY, encoding="utf-8")
    (root / "instruments" / "status.yaml").write_text(STATUS, encoding="utf-8")
    (root / "research" / "study.yaml").write_text(STUDY, encoding="utf-8")
    if criteria is not None:
        (root / "research" / "criteria.yaml").write_text(textwrap.dedent(criteria), encoding="utf-8")
    return root


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    return make_study(tmp_path)
