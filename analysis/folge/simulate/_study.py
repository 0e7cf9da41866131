"""Write a simulated study as a study folder any folge command reads.

Layout (the parts of a study the pipeline needs, nothing more)::

    instruments/scales.yaml, instruments/survey.yaml   one 5-point questionnaire
    research/study.yaml                                regions, roles, dated waves
    research/criteria.yaml                             a level, a change and a trend rule per construct
    research/frame.csv                                 wave, region, role, invited
    responses/<wave>.csv                               canonical wide form
    .folge/key                                         the pseudonym key
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from ..pseudonym import create_key
from ._design import CONSTRUCTS
from ._generate import SimulatedStudy, item_ids
from ._scenarios import ROLES

__all__ = ["INSTRUMENT", "FIRST_DATE", "response_file", "write_study"]

#: The simulated questionnaire's id.
INSTRUMENT = "survey"
#: Date of every simulated study's first wave.
FIRST_DATE = dt.date(2020, 3, 1)

_SCALES = """\
scales:
  agree5:
    type: ordinal
    points: 5
    labels:
      nb: [Helt uenig, Uenig, Verken eller, Enig, Helt enig]
      nn: [Heilt ueinig, Ueinig, Verken eller, Einig, Heilt einig]
      en: [Strongly disagree, Disagree, Neither, Agree, Strongly agree]
"""


def response_file(root: Path, wave: str) -> Path:
    """Where the answers of ``wave`` are written."""
    return Path(root) / "responses" / f"{wave}.csv"


def _wave_date(years: float) -> dt.date:
    return FIRST_DATE + dt.timedelta(days=round(years * 365.25))


def _survey(items: int) -> str:
    lines = [f"id: {INSTRUMENT}", "version: 1", "level: respondent",
             "title: {nb: Simulert undersøkelse, nn: Simulert undersøking, en: Simulated survey}",
             "constructs:"]
    for cid in CONSTRUCTS:
        lines += [f"  - id: {cid}", "    kind: scale", f"    title: {{nb: {cid}, nn: {cid}, en: {cid}}}",
                  "    items:"]
        lines += [f"      - {{id: {item}, scale: agree5, text: {{nb: {item}, nn: {item}, en: {item}}}}}"
                  for item in item_ids(cid, items)]
    return "\n".join(lines) + "\n"


def _study_yaml(study: SimulatedStudy) -> str:
    lines = ["programme: Simulert studie (folge simulate)", "min_n: 5", "languages: [nb, nn, en]",
             "settings:", f"  significance: {study.design.alpha}", "regions:"]
    lines += [f"  - {{id: {r}, name: Region {r}, language: nb}}" for r in study.regions]
    lines.append("roles:")
    lines += [f"  - {{id: {role}, sector: {sector}}}" for role, (sector, _) in ROLES.items()]
    lines.append("waves:")
    for wave, years in zip(study.waves, study.years):
        lines.append(f"  - {{id: {wave}, date: {_wave_date(years).isoformat()}, instruments: [{INSTRUMENT}]}}")
    return "\n".join(lines) + "\n"


def _criteria_yaml(bars: dict[str, float]) -> str:
    lines = ["criteria:"]
    for cid, bar in bars.items():
        lines += [f"  - id: {cid}", f"    title: {{nb: {cid}, nn: {cid}, en: {cid}}}",
                  '    source: "folge simulate"',
                  f"    statement: {{nb: {cid} er høy og øker, nn: {cid} er høg og aukar,",
                  f"                 en: {cid} is high and rises}}",
                  "    indicators:", f"      - {{id: {cid}, construct: {cid}}}", "    rules:",
                  f"      - {{kind: level, indicator: {cid}, threshold: {bar:.6f}}}",
                  f"      - {{kind: change, indicator: {cid}, from: first}}",
                  f"      - {{kind: trend, indicator: {cid}}}"]
    return "\n".join(lines) + "\n"


def write_study(study: SimulatedStudy, root: str | Path, bars: dict[str, float]) -> Path:
    """Write ``study`` into the folder ``root`` (created), with the level rules' ``bars``.

    Parameters
    ----------
    study : SimulatedStudy
        What :func:`folge.simulate.draw_study` drew.
    root : path
        An empty or missing folder.
    bars : dict of str to float
        Threshold of each construct's level rule (written with six decimals).

    Returns
    -------
    pathlib.Path
        ``root``, a study folder :func:`folge.definitions.load_study` loads.
    """
    root = Path(root)
    (root / "instruments").mkdir(parents=True, exist_ok=True)
    (root / "research").mkdir(parents=True, exist_ok=True)
    (root / "instruments" / "scales.yaml").write_text(_SCALES, encoding="utf-8")
    (root / "instruments" / f"{INSTRUMENT}.yaml").write_text(_survey(study.design.items), encoding="utf-8")
    (root / "research" / "study.yaml").write_text(_study_yaml(study), encoding="utf-8")
    (root / "research" / "criteria.yaml").write_text(_criteria_yaml(bars), encoding="utf-8")
    with open(root / "research" / "frame.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["wave", "region", "role", "invited"])
        for wave in study.waves:
            writer.writerows([wave, region, role, n] for (region, role), n in study.invited.items())
    for wave in study.waves:
        path = response_file(root, wave)
        path.parent.mkdir(parents=True, exist_ok=True)
        study.answers[study.answers["wave"] == wave].to_csv(path, index=False, lineterminator="\n")
    create_key(root)
    return root
