"""A tiny study built in a temporary folder, so tests do not depend on the shipped content.

Regions kongsberg, grenland, rana; roles politician, business, administration; waves
2015-1 and 2016-1; instrument ``survey`` (respondent level: trust items t1–t3 on agree5
with 9 = don't know, yes/no items y1–y3, a free-text ``comment``) and ``status`` (region
level: s1–s3 yes/no without a missing code). The pseudonym key comes from ``FOLGE_KEY``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

STUDY_YAML = """\
programme: Testprogram
min_n: 3
regions:
  - {id: kongsberg, name: Kongsbergregionen, language: nb}
  - {id: grenland, name: Grenland, language: nb}
  - {id: rana, name: Ranaregionen, language: nn}
roles:
  - {id: politician, sector: municipality}
  - {id: business, sector: business}
  - {id: administration, sector: municipality}
waves:
  - {id: "2015-1", date: 2015-03-01, instruments: [survey, status]}
  - {id: "2016-1", date: 2016-03-01, instruments: [survey, status]}
"""

SCALES_YAML = """\
scales:
  agree5:
    type: ordinal
    points: 5
    labels:
      nb: [Helt uenig, Delvis uenig, Verken eller, Delvis enig, Helt enig]
      nn: [Heilt usamd, Delvis usamd, Verken eller, Delvis samd, Heilt samd]
      en: [Strongly disagree, Partly disagree, Neither, Partly agree, Strongly agree]
    missing:
      9: {nb: Vet ikke, nn: Veit ikkje, en: Don't know}
  yesno:
    type: binary
    min: 0
    points: 2
    labels: {nb: [Nei, Ja], nn: [Nei, Ja], en: ["No", "Yes"]}
    missing:
      9: {nb: Vet ikke, nn: Veit ikkje, en: Don't know}
  yesno_plain:
    type: binary
    min: 0
    points: 2
    labels: {nb: [Nei, Ja], nn: [Nei, Ja], en: ["No", "Yes"]}
  text:
    type: text
"""


def _items(ids, scale):
    return "\n".join(
        f"      - {{id: {i}, scale: {scale}, text: {{nb: Spørsmål {i}, nn: Spørsmål {i}, en: Question {i}}}}}"
        for i in ids)


def _construct(cid, kind, ids, scale):
    return (f"  - id: {cid}\n    kind: {kind}\n    title: {{nb: {cid}, nn: {cid}, en: {cid}}}\n"
            f"    items:\n{_items(ids, scale)}\n")


SURVEY_YAML = ("id: survey\nversion: VERSION\nlevel: respondent\n"
               "title: {nb: Spørreskjema, nn: Spørjeskjema, en: Survey}\nconstructs:\n"
               + _construct("trust", "scale", ["t1", "t2", "t3"], "agree5")
               + _construct("learning", "index", ["y1", "y2", "y3"], "yesno")
               + _construct("open", "text", ["comment"], "text"))

STATUS_YAML = ("id: status\nversion: 1\nlevel: region\n"
               "title: {nb: Status, nn: Status, en: Status}\nconstructs:\n"
               + _construct("milestones", "index", ["s1", "s2", "s3"], "yesno_plain"))

HEADER = ["respondent", "region", "wave", "role", "t1", "t2", "t3", "y1", "y2", "y3", "comment"]


def make_study(root: Path, survey_version: int = 1, survey_yaml: str | None = None) -> Path:
    """Write the tiny study into ``root`` and return it."""
    root = Path(root)
    (root / "research").mkdir(parents=True, exist_ok=True)
    (root / "instruments").mkdir(parents=True, exist_ok=True)
    (root / "research" / "study.yaml").write_text(STUDY_YAML, encoding="utf-8")
    (root / "instruments" / "scales.yaml").write_text(SCALES_YAML, encoding="utf-8")
    (root / "instruments" / "survey.yaml").write_text(
        survey_yaml or SURVEY_YAML.replace("VERSION", str(survey_version)), encoding="utf-8")
    (root / "instruments" / "status.yaml").write_text(STATUS_YAML, encoding="utf-8")
    return root


def good_rows() -> pd.DataFrame:
    """Six valid answers to ``survey`` (strings, as read from a file), æøå in the free text."""
    rows = [
        ["RAW-ID-0001", "kongsberg", "2015-1", "politician", "1", "2", "3", "0", "1", "9", "Blåbærsyltetøy på Ørland"],
        ["RAW-ID-0002", "kongsberg", "2015-1", "business", "5", "9", "4", "1", "1", "0", ""],
        ["RAW-ID-0003", "grenland", "2015-1", "administration", "2", "", "3", "", "0", "1", "Æ, ø og å"],
        ["RAW-ID-0004", "grenland", "2015-1", "politician", "4", "4", "4", "1", "1", "1", "«sitat» – tankestrek"],
        ["RAW-ID-0005", "rana", "2015-1", "business", "3", "3", "", "0", "0", "0", ""],
        ["RAW-ID-0006", "rana", "2015-1", "administration", "9", "9", "9", "9", "9", "9", "vet ikke"],
    ]
    return pd.DataFrame(rows, columns=HEADER)


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("FOLGE_KEY", "test-key-not-secret")


@pytest.fixture
def study_root(tmp_path) -> Path:
    return make_study(tmp_path / "study")


@pytest.fixture
def study(study_root):
    from folge.definitions import load_study

    return load_study(study_root)


def write_csv(path: Path, frame: pd.DataFrame, sep: str = ",", encoding: str = "utf-8") -> Path:
    path.write_bytes(frame.to_csv(index=False, sep=sep, lineterminator="\n").encode(encoding))
    return path


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture(scope="session")
def tiny():
    """This module: ``tiny.make_study``, ``tiny.good_rows``, ``tiny.write_csv``, ``tiny.HEADER``.

    (Test modules cannot import a conftest under ``--import-mode=importlib``.)
    """
    import sys

    return sys.modules[__name__]
