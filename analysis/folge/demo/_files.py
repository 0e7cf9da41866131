"""Write the demo study folder: the shipped defaults, a demo design, response files, truth.

Layout of the folder ``build_demo`` leaves::

    research/study.yaml            the demo regions and waves (shipped roles and settings kept)
    research/frame.csv             the invited frame: wave, region, role, invited
    research/criteria.yaml, …      as shipped
    instruments/*.yaml             as shipped
    reports/                       as shipped
    responses/<wave>/<instrument>.csv   canonical wide form, UTF-8, comma-separated
    truth.json                     the planted effects, the seed and the design
    .folge/key                     the pseudonym key (random, as ``folge init`` makes it)
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path

from ruamel.yaml import YAML

from .._version import __version__
from ..definitions import FRAME_FILE, STUDY_FILE, load_criteria, load_instruments, load_study, read_yaml
from ..definitions import plain
from ..study_folder import create_study
from ._generate import DemoData, generate_demo
from ._plan import DemoDesign, DemoPlan, plan_demo
from ._truth import population_means, rule_truths

__all__ = ["FRAME_FILE", "RESPONSES_DIR", "TRUTH_FILE", "build_demo", "frame_of", "response_path", "truth_dict"]

RESPONSES_DIR = Path("responses")
TRUTH_FILE = Path("truth.json")

_STUDY_HEADER = """\
# Synthetic demo study made by `folge demo` (folge {version}, seed {seed}).
# Regions, respondents and answers are invented; the planted effects are in truth.json.
# Roles, settings and instruments are the shipped ones.
"""


def response_path(root: str | Path, wave: str, instrument: str) -> Path:
    """Where the demo writes the responses of ``instrument`` in ``wave``."""
    return Path(root) / RESPONSES_DIR / wave / f"{instrument}.csv"


def build_demo(out: str | Path, design: DemoDesign | None = None,
               progress: Callable[[str], None] | None = None) -> Path:
    """Create the synthetic demo study in ``out``.

    Parameters
    ----------
    out : path
        Folder to create (made if missing). Existing files of the same name are replaced;
        callers decide whether that is allowed (``folge demo --force``).
    design : DemoDesign, optional
        Sizes, seed and model parameters (default ``DemoDesign()``).
    progress : callable, optional
        Called with a short description at each step.

    Returns
    -------
    pathlib.Path
        ``out``: a study that :func:`folge.definitions.load_study` loads, with response
        files under ``responses/`` and the planted effects in ``truth.json``.

    Notes
    -----
    Steps: :func:`folge.study_folder.create_study` copies the shipped instruments, design
    and templates; :func:`plan_demo` draws regions, waves and effects; :func:`generate_demo`
    draws the answers; then the demo ``research/study.yaml`` (with ``invited`` counts per
    region, role and wave), the response files and ``truth.json`` are written. The same
    design always gives byte-identical files (the pseudonym key aside).
    """
    design = design or DemoDesign()
    out = Path(out)
    say = progress or (lambda text: None)
    say("studiemappe / study folder")
    create_study(out)
    (out / FRAME_FILE).unlink(missing_ok=True)  # the shipped frame is the ByReg study's, not the demo's
    shipped = plain(read_yaml(out / STUDY_FILE).data) or {}
    instruments = load_instruments(out)
    say("plantede effekter / planted effects")
    plan = plan_demo(design, instruments, shipped)
    data = generate_demo(plan, instruments, progress=say)
    say("skriver filer / writing files")
    frame = frame_of(plan, data)
    _write_study(out, plan, frame, shipped)
    _write_frame(out, frame)
    for (wave, instrument), table in data.tables.items():
        path = response_path(out, wave, instrument)
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows(table.rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")
    population = population_means(plan, instruments, frame)
    rules = rule_truths(plan, population, load_criteria(out))
    truth = truth_dict(plan, data, population=population, rules=rules)
    (out / TRUTH_FILE).write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    load_study(out)  # the demo must load like any study; raises DefinitionError if not
    return out


# ---------------------------------------------------------------- study.yaml
def _invited(plan: DemoPlan, data: DemoData, wave: str) -> dict[str, dict[str, int]]:
    """Invitations per region and role (the frame): every role equally often, as many as
    make the region's expected answers at its response rates by role, and never fewer than
    answered."""
    invited = {}
    for region in plan.regions:
        counts = data.role_counts[wave][region.id]
        base = math.ceil(region.respondents / sum(region.role_rates[role] for role in plan.roles))
        invited[region.id] = {role: max(base, counts[role]) for role in plan.roles}
    return invited


def frame_of(plan: DemoPlan, data: DemoData) -> dict[str, dict[str, dict[str, int]]]:
    """The invited frame, ``frame[wave][region][role]``, as ``research/frame.csv`` holds it."""
    return {w.id: _invited(plan, data, w.id) for w in plan.waves}


def _write_frame(out: Path, frame: Mapping) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["wave", "region", "role", "invited"])
    for wave, regions in frame.items():
        for region, roles in regions.items():
            writer.writerows([wave, region, role, n] for role, n in roles.items())
    (out / FRAME_FILE).write_text(buffer.getvalue(), encoding="utf-8")


def _write_study(out: Path, plan: DemoPlan, frame: Mapping, shipped: Mapping) -> None:
    design = plan.design
    study: dict[str, object] = {
        "programme": f"{shipped.get('programme', 'Utviklingsprogram for byregioner')} (demo)",
        "short_name": "demo",
        "description": ("Syntetisk demostudie med kjente, plantede effekter (se truth.json). "
                        "Synthetic demo study with known planted effects (see truth.json)."),
    }
    for key in ("owner", "contact", "licence", "languages", "settings", "sectors"):
        if key in shipped:
            study[key] = shipped[key]
    study["min_n"] = design.min_n
    study["regions"] = [
        {"id": r.id, "name": r.name, "language": r.language, "municipalities": list(r.municipalities)}
        for r in plan.regions
    ]
    study["roles"] = shipped["roles"]
    study["waves"] = [
        {"id": w.id, "date": w.date, "instruments": list(w.instruments), "closed": w.closed,
         "invited": frame[w.id]}
        for w in plan.waves
    ]
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 100
    buffer = io.StringIO()
    buffer.write(_STUDY_HEADER.format(version=__version__, seed=design.seed))
    yaml.dump(study, buffer)
    (out / STUDY_FILE).write_text(buffer.getvalue(), encoding="utf-8")


# ---------------------------------------------------------------- truth.json
def _r(x: float) -> float:
    return round(float(x), 6)


def truth_dict(plan: DemoPlan, data: DemoData, population: Mapping | None = None,
               rules: list | None = None) -> dict:
    """The planted effects as plain data (what ``truth.json`` holds).

    Keys: ``generator``, ``seed``, ``design`` (every :class:`DemoDesign` field), ``model``
    (the equations), ``waves``, ``regions`` (with ``small``, ``improving``, ``level``,
    ``response_rate``), ``small_region``, ``min_n``, ``improving_regions``,
    ``weak_construct``, ``strong_constructs``, ``trend_constructs``, ``flat_constructs``,
    ``constructs`` (per construct: instrument, kind, trend, loadings, intercepts, grand mean,
    region means at the first wave, slopes per wave), ``pairs`` (``improving`` and ``flat``
    lists of ``[region, construct]``), ``role_effects``, ``learning_chain``,
    ``milestones``, ``instruments`` (main, occasional, region level), ``counts`` and
    ``panel``; ``population`` (population mean score per construct × scope × wave, from
    :func:`folge.demo.population_means`) and ``rules`` (each level, change and trend rule's
    truth against its bar per scope and wave, from :func:`folge.demo.rule_truths`) when given.
    """
    design = plan.design
    respondent = [c for c in plan.constructs if c.model == "respondent"]
    scales = [c for c in respondent if c.kind == "scale"]
    improving_pairs = [[r.id, c.id] for c in respondent for r in plan.regions if c.slopes[r.id] > 0]
    flat_pairs = [[r.id, c.id] for c in respondent for r in plan.regions if c.slopes[r.id] == 0]
    return {
        "generator": f"folge.demo (folge {__version__})",
        "seed": design.seed,
        "design": {k: (list(v) if isinstance(v, tuple) else v)
                   for k, v in dataclasses.asdict(design).items()},
        "model": {
            "latent": "eta[p,c,r,t] = mu[r,c] + beta[r,c]*years[t] + gamma[role(p)] + u[p,c] + eps[p,c,t]",
            "region_mean": "mu[r,c] = m[c] + a[r] + v[r,c]",
            "person": "u[p,c] = person_sd*(sqrt(rho)*g[p] + sqrt(1-rho)*s[p,c]); eps ~ N(0, 1 - person_sd^2)",
            "item": "x[p,i] = cut(lambda[i]*eta + b[i] + sqrt(1 - lambda[i]^2)*e[p,i]) at standard-normal quantiles k/K",
            "reverse": "x -> (min + max) - x for reverse-keyed items",
            "learning_chain": "logit P(learned) = a1 + a[r] + delta[r]*t; logit P(shared|learned) = a2 + delta[r]*t; "
                              "logit P(used|shared) = a3 + delta[r]*t",
            "milestones": "reached[r,t] = min(M, floor(start[r] + pace[r]*(t + 1))), the first ones in order",
            "t": "0-based wave index (learning chain, milestones)",
            "years": "(date of the wave - date of the first wave) in days / 365.25; beta is per year",
            "nonresponse": "a newcomer's role is drawn with probability proportional to the region's "
                           "response rate of that role (the frame has every role equally often)",
        },
        "waves": [w.id for w in plan.waves],
        "regions": [
            {"id": r.id, "name": r.name, "language": r.language, "small": r.small,
             "improving": r.improving, "level": _r(r.level), "response_rate": _r(r.response_rate),
             "respondents_per_wave": r.respondents}
            for r in plan.regions
        ],
        "small_region": plan.small_region,
        "min_n": design.min_n,
        "improving_regions": list(plan.improving_regions),
        "weak_construct": plan.weak_construct,
        "strong_constructs": [c.id for c in scales if not c.weak],
        "trend_constructs": [c.id for c in respondent if c.trend == "improving"],
        "flat_constructs": [c.id for c in respondent if c.trend == "flat"],
        "constructs": {
            c.id: {
                "instrument": c.instrument, "kind": c.kind, "level": c.model, "trend": c.trend,
                "weak": c.weak, "grand_mean": _r(c.grand_mean),
                "loadings": {k: _r(v) for k, v in c.loadings.items()},
                "intercepts": {k: _r(v) for k, v in c.intercepts.items()},
                "region_means": {k: _r(v) for k, v in c.region_means.items()},
                "slopes": {k: _r(v) for k, v in c.slopes.items()},
            }
            for c in plan.constructs
        },
        "pairs": {"improving": improving_pairs, "flat": flat_pairs},
        "role_effects": {k: _r(v) for k, v in plan.role_effects.items()},
        "learning_chain": [
            {"construct": ch.id, "instrument": ch.instrument, "stages": dict(ch.stages),
             "intercepts": [_r(a) for a in ch.intercepts],
             "improving_regions": [r for r, s in ch.slopes.items() if s > 0],
             "slopes": {k: _r(v) for k, v in ch.slopes.items()},
             "expected_shares": {
                 r.id: {w.id: {k: _r(v) for k, v in ch.shares(r.id, w.index).items()} for w in plan.waves}
                 for r in plan.regions}}
            for ch in plan.chains
        ],
        "milestones": [
            {"instrument": m.instrument, "items": list(m.items),
             "pace": {k: _r(v) for k, v in m.pace.items()},
             "reached": {r.id: {w.id: m.reached(r.id, w.index) for w in plan.waves} for r in plan.regions}}
            for m in plan.milestones
        ],
        "instruments": {"main": list(plan.main_instruments),
                        "occasional": list(plan.occasional_instruments),
                        "region_level": list(plan.region_instruments)},
        "wave_years": {w.id: _r(w.years) for w in plan.waves},
        "role_response_rates": {r.id: {k: _r(v) for k, v in r.role_rates.items()} for r in plan.regions},
        "population": {c: {scope: {w: _r(v) for w, v in waves.items()} for scope, waves in scopes.items()}
                       for c, scopes in (population or {}).items()},
        "rules": list(rules or []),
        "counts": data.counts,
        "panel": data.panel,
    }
