"""The demo study's latent-variable model: its parameters and the effects planted in it.

:class:`DemoDesign` holds every number the generator uses; :func:`plan_demo` turns a
design and the shipped instruments into a :class:`DemoPlan`: the regions, waves and roles
of the demo study and, per construct, the planted region means, slopes and loadings. The
plan is drawn from its own random stream, so it does not depend on how many respondents
are generated afterwards. The equations are in the docstring of :mod:`folge.demo`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..definitions import Instrument

__all__ = [
    "REGION_POOL",
    "ChainPlan",
    "ConstructPlan",
    "DemoDesign",
    "DemoPlan",
    "MilestonePlan",
    "RegionSpec",
    "WaveSpec",
    "plan_demo",
]

#: Made-up regions: id, name, language, municipalities (the city first, then its hinterland).
REGION_POOL: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("nordfjell", "Nordfjellregionen", "nb", ("Nordfjell", "Bjørnå", "Vassli")),
    ("vestdal", "Vestdal-regionen", "nn", ("Vestdal", "Ytre Hovland", "Kvernes", "Lid")),
    ("elvestad", "Elvestadregionen", "nb", ("Elvestad", "Holmsbru", "Sandvoll")),
    ("havnes", "Havnesregionen", "nb", ("Havnes", "Storøy", "Tangvik")),
    ("sorvika", "Sørvika byregion", "nb", ("Sørvika", "Lillemo", "Furuvoll", "Rognstad")),
    ("fjordheim", "Fjordheimregionen", "nn", ("Fjordheim", "Nausthamn", "Breidvik")),
    ("skogmo", "Skogmoregionen", "nb", ("Skogmo", "Granåsen", "Myrvang")),
    ("kvitberg", "Kvitbergregionen", "nb", ("Kvitberg", "Fjellstue")),
    ("eikevaag", "Eikevåg-regionen", "nb", ("Eikevåg", "Sjøvoll", "Nesodden vest")),
    ("lauvstad", "Lauvstadregionen", "nn", ("Lauvstad", "Øvre Dal", "Hagen")),
    ("ospemo", "Ospemoregionen", "nb", ("Ospemo", "Lerkeli", "Brattland")),
    ("tindvik", "Tindvikregionen", "nb", ("Tindvik", "Selnes", "Steinrud")),
    ("rypeli", "Rypeliregionen", "nb", ("Rypeli", "Moen", "Fossheim")),
    ("maaneby", "Månebyregionen", "nb", ("Måneby", "Solbakk", "Klokkerud")),
    ("bjorkli", "Bjørkliregionen", "nn", ("Bjørkli", "Heimdal vest", "Ljoså")),
    ("solvang", "Solvangregionen", "nb", ("Solvang", "Åsmark", "Vikhammer øst")),
)


@dataclass(frozen=True)
class DemoDesign:
    """Every parameter of the demo study's latent-variable model.

    Sizes come from ``folge demo``'s options; the rest are the model's constants (see the
    equations in :mod:`folge.demo`). Latent scores are in standard-deviation units of the
    within-region variation of one wave (person + occasion variance = 1).

    Examples
    --------
    >>> d = DemoDesign(regions=3, waves=2, respondents=10, seed=1)
    >>> d.wave_ids
    ('2015-1', '2015-2')
    >>> DemoDesign(regions=1)
    Traceback (most recent call last):
    ...
    ValueError: 'regions' must be a whole number from 2 to 99 (got 1)
    """

    regions: int = 8
    waves: int = 4
    respondents: int = 40
    seed: int = 2014
    #: disclosure threshold written to the demo study; the small region stays below it
    min_n: int = 5
    #: respondents per wave in the one region too small to publish
    small_region_respondents: int = 4
    first_year: int = 2015
    #: share of the regions (other than the small one) whose trend constructs improve
    improving_share: float = 0.5
    #: planted change per year (waves are dated), in SD of the latent, for improving
    #: (region, construct) pairs: a realistic 0.15–0.3 SD a year, not a change per wave
    slope: float = 0.3
    #: item loadings of ordinary scales and of the one deliberately weak scale
    loading_range: tuple[float, float] = (0.7, 0.85)
    weak_loading_range: tuple[float, float] = (0.25, 0.4)
    #: item intercepts (difficulty) on the standardised response, N(0, sd²)
    item_intercept_sd: float = 0.25
    #: construct grand means are drawn uniformly from this range
    grand_mean_range: tuple[float, float] = (-0.2, 0.4)
    #: region level shared by all constructs, and a construct-specific region deviation
    region_sd: float = 0.3
    region_construct_sd: float = 0.2
    #: role effects (who answers shapes perceived benefit): the levels named here, and
    #: N(0, role_sd²) for the other roles
    role_sd: float = 0.2
    role_levels: tuple[tuple[str, float], ...] = (("politician", -0.45), ("business", -0.35),
                                                  ("project-leader", 0.45))
    #: response rate of a role relative to its region's rate (other roles: 1): politicians
    #: and business answer less than project leaders; capped at .95
    role_response: tuple[tuple[str, float], ...] = (("politician", 0.5), ("business", 0.5),
                                                    ("project-leader", 1.4))
    #: stable person effect and occasion noise; person² + occasion² = 1
    person_sd: float = 0.6
    #: correlation of a person's effects across constructs (a general factor)
    person_general_share: float = 0.3
    #: share of answers given as "don't know" (the scale's missing code) and left blank
    dont_know_share: float = 0.04
    blank_share: float = 0.03
    #: share of a region's panel that leaves before the next wave (replaced by newcomers)
    attrition: float = 0.3
    #: share of the wave's respondents who answer occasional instruments (gathering evaluation)
    occasional_share: float = 0.75
    #: learning chain on the logit scale: learned, shared given learned, used given shared
    chain_intercepts: tuple[float, float, float] = (0.4, 0.0, -0.6)
    #: planted change per wave of every chain logit in improving regions
    chain_slope: float = 0.8
    #: share of the milestone list reached per wave: fast in improving regions, slow elsewhere
    milestone_pace: tuple[float, float] = (1.0, 0.5)
    #: response rates (invited → answered) are drawn per region from this range
    response_rate_range: tuple[float, float] = (0.45, 0.75)
    #: share of respondents who write a free-text comment
    comment_share: float = 0.15
    #: the deliberately weak construct; None picks one (see :func:`plan_demo`)
    weak_construct: str | None = None

    def __post_init__(self):
        _whole(self, "regions", 2, 99)
        _whole(self, "waves", 1, 20)
        _whole(self, "respondents", max(self.min_n, 2), 5000)
        _whole(self, "seed", 0, 2**63 - 1)
        _whole(self, "min_n", 2, 1000)
        _whole(self, "small_region_respondents", 1, self.min_n - 1)
        for name in ("improving_share", "dont_know_share", "blank_share", "attrition",
                     "occasional_share", "comment_share", "person_general_share"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"'{name}' must be a share from 0 to 1 (got {value!r})")
        if self.dont_know_share + self.blank_share >= 1.0:
            raise ValueError("'dont_know_share' + 'blank_share' must stay below 1 "
                             f"(got {self.dont_know_share + self.blank_share!r})")
        if self.slope < 0.0:
            raise ValueError(f"'slope' must be 0 or more (got {self.slope!r})")
        for name in ("role_levels", "role_response"):
            for pair in getattr(self, name):
                if len(pair) != 2 or not isinstance(pair[0], str) or not isinstance(pair[1], (int, float)):
                    raise ValueError(f"'{name}' must be (role, number) pairs (got {pair!r})")
        if any(factor <= 0 for _, factor in self.role_response):
            raise ValueError(f"'role_response' factors must be positive (got {self.role_response!r})")
        if not 0.0 < self.person_sd < 1.0:
            raise ValueError(f"'person_sd' must lie between 0 and 1 (got {self.person_sd!r})")
        for name in ("loading_range", "weak_loading_range"):
            low, high = getattr(self, name)
            if not 0.0 < low <= high < 1.0:
                raise ValueError(f"'{name}' must be (low, high) with 0 < low ≤ high < 1 "
                                 f"(got {getattr(self, name)!r})")

    @property
    def occasion_sd(self) -> float:
        """SD of the occasion noise, so that person² + occasion² = 1."""
        return math.sqrt(1.0 - self.person_sd**2)

    @property
    def wave_ids(self) -> tuple[str, ...]:
        """Wave ids, two a year (spring ``-1``, autumn ``-2``) from ``first_year``."""
        return tuple(f"{self.first_year + t // 2}-{t % 2 + 1}" for t in range(self.waves))

    def wave_date(self, t: int) -> dt.date:
        """Date of wave ``t`` (0-based): 15 March or 15 September."""
        return dt.date(self.first_year + t // 2, 3 if t % 2 == 0 else 9, 15)

    def wave_years(self, t: int) -> float:
        """Years from the first wave's date to wave ``t``'s: (days) / 365.25."""
        return (self.wave_date(t) - self.wave_date(0)).days / 365.25


def _whole(design, name: str, low: int, high: int) -> None:
    value = getattr(design, name)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"'{name}' must be a whole number from {low} to {high} (got {value!r})")


@dataclass(frozen=True)
class RegionSpec:
    """A demo region and what was planted in it."""

    id: str
    name: str
    language: str
    municipalities: tuple[str, ...]
    small: bool
    improving: bool
    #: the region's level shared by all its constructs (a_r)
    level: float
    response_rate: float
    respondents: int
    #: role → share of the invited of that role who answer (the region's rate × the role's factor)
    role_rates: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class WaveSpec:
    id: str
    index: int
    date: dt.date
    instruments: tuple[str, ...]
    closed: bool
    #: years since the first wave's date (the time the planted slopes are per)
    years: float = 0.0


@dataclass(frozen=True)
class ConstructPlan:
    """Planted effects of one construct generated from the factor model.

    ``model`` is ``respondent`` (people answer it) or ``region`` (the coordinator's
    ordinal ratings); ``trend`` is ``improving`` where some regions carry a slope, else
    ``flat``.
    """

    id: str
    instrument: str
    kind: str
    model: str
    trend: str
    weak: bool
    grand_mean: float
    loadings: Mapping[str, float]
    intercepts: Mapping[str, float]
    region_means: Mapping[str, float]
    slopes: Mapping[str, float]


@dataclass(frozen=True)
class ChainPlan:
    """The learning chain: a funnel of yes/no items learned ≥ shared ≥ used."""

    id: str
    instrument: str
    stages: Mapping[str, str]  # item id → stage
    intercepts: tuple[float, float, float]
    slopes: Mapping[str, float]  # region → change per wave of every logit
    levels: Mapping[str, float]  # region → shift of the first logit

    def probabilities(self, region: str, t: int) -> tuple[float, float, float]:
        """Conditional probabilities of reaching learned, shared | learned, used | shared."""
        out = []
        for k, a in enumerate(self.intercepts):
            logit = a + self.slopes[region] * t + (self.levels[region] if k == 0 else 0.0)
            out.append(1.0 / (1.0 + math.exp(-logit)))
        return tuple(out)

    def shares(self, region: str, t: int) -> dict[str, float]:
        """Expected share at each stage (marginal: learned, learned·shared, …)."""
        p = self.probabilities(region, t)
        return {"learned": p[0], "shared": p[0] * p[1], "used": p[0] * p[1] * p[2]}


@dataclass(frozen=True)
class MilestonePlan:
    """Region milestones (yes/no items of a region-level instrument, in order), reached progressively."""

    instrument: str
    items: tuple[str, ...]
    start: Mapping[str, float]
    pace: Mapping[str, float]  # milestones per wave

    def reached(self, region: str, t: int) -> int:
        """How many milestones (the first ones in order) region has reached by wave ``t``."""
        return min(len(self.items), math.floor(self.start[region] + self.pace[region] * (t + 1)))


@dataclass(frozen=True)
class DemoPlan:
    """The demo study and every effect planted in it."""

    design: DemoDesign
    regions: tuple[RegionSpec, ...]
    waves: tuple[WaveSpec, ...]
    roles: tuple[str, ...]
    role_effects: Mapping[str, float]
    constructs: tuple[ConstructPlan, ...]
    chains: tuple[ChainPlan, ...]
    milestones: tuple[MilestonePlan, ...]
    #: respondent-level instruments every respondent answers, and those a subset answers
    main_instruments: tuple[str, ...]
    occasional_instruments: tuple[str, ...]
    region_instruments: tuple[str, ...]
    weak_construct: str | None
    text_items: Mapping[str, str] = field(default_factory=dict)  # item → instrument

    @property
    def small_region(self) -> str:
        return next(r.id for r in self.regions if r.small)

    @property
    def improving_regions(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.regions if r.improving)

    def construct(self, construct_id: str) -> ConstructPlan:
        for c in self.constructs:
            if c.id == construct_id:
                return c
        raise KeyError(f"no planted construct '{construct_id}'")


# ---------------------------------------------------------------- planning
def _demo_regions(design: DemoDesign, rng: np.random.Generator) -> tuple[RegionSpec, ...]:
    n = design.regions
    pool = list(REGION_POOL)
    for i in range(len(pool), n):
        pool.append((f"demo-{i + 1:02d}", f"Demoregion {i + 1}", "nb",
                     (f"Demoby {i + 1}", f"Demobygd {i + 1}")))
    chosen = pool[:n]
    small = n - 1  # the last region is the one too small to publish
    others = [i for i in range(n) if i != small]
    k = round(design.improving_share * len(others))
    improving = {int(i) for i in rng.choice(others, size=k, replace=False)} if k else set()
    levels = rng.normal(0.0, design.region_sd, size=n)
    low, high = design.response_rate_range
    rates = rng.uniform(low, high, size=n)
    regions = []
    for i, (rid, name, lang, municipalities) in enumerate(chosen):
        regions.append(RegionSpec(
            id=rid, name=name, language=lang, municipalities=municipalities, small=i == small,
            improving=i in improving, level=float(levels[i]),
            response_rate=float(rates[i]) if i != small else float(low / 2),
            respondents=design.small_region_respondents if i == small else design.respondents,
        ))
    return tuple(regions)


def _waves_listing(shipped: Mapping, instruments: Mapping[str, Instrument]):
    """Split instruments into those the shipped design lists in every wave and the rest."""
    shipped_waves = [w for w in shipped.get("waves") or [] if isinstance(w, dict)]
    listed = [set(w.get("instruments") or ()) for w in shipped_waves]
    every, some = [], []
    for inst_id in sorted(instruments):
        hits = sum(inst_id in s for s in listed)
        (some if 0 < hits < len(listed) else every).append(inst_id)
    return every, some


def _pick_weak(design: DemoDesign, candidates: Sequence[tuple[str, int]]) -> str | None:
    """The weak construct: the design's choice, else the flat scale with the fewest items (last on ties)."""
    if design.weak_construct is not None:
        if design.weak_construct not in {c for c, _ in candidates}:
            raise ValueError(f"'weak_construct' must name a respondent-level scale construct "
                             f"(got {design.weak_construct!r}; known: {', '.join(c for c, _ in candidates)})")
        return design.weak_construct
    flat = [(cid, k) for i, (cid, k) in enumerate(candidates) if i % 2 == 1] or list(candidates)
    if not flat:
        return None
    fewest = min(k for _, k in flat)
    return [cid for cid, k in flat if k == fewest][-1]


def plan_demo(design: DemoDesign, instruments: Mapping[str, Instrument], shipped: Mapping) -> DemoPlan:
    """Draw the demo study and its planted effects.

    Parameters
    ----------
    design : DemoDesign
        Sizes and model parameters.
    instruments : mapping of str to Instrument
        The shipped instruments; every one is kept and gets data.
    shipped : mapping
        The shipped ``research/study.yaml`` as plain data: its roles are kept, and its
        waves tell which instruments run every wave (main) and which only sometimes
        (occasional: listed in the demo from the second wave on, answered by a subset).

    Returns
    -------
    DemoPlan
        Regions (the last one small; ``improving_share`` of the others improving), waves,
        role effects, and per construct the loadings, intercepts, region means and slopes.

    Notes
    -----
    Respondent-level ``scale`` constructs alternate in questionnaire order (instruments by
    id): the first, third, … are *trend* constructs (slope ``design.slope`` in improving
    regions, 0 elsewhere), the others *flat* (slope 0 everywhere). The weak construct (low
    loadings) is a flat one. ``index`` constructs without learning-chain stages follow the
    factor model and stay flat; yes/no items with a ``stage`` form the learning chain; the
    yes/no constructs of a region-level instrument whose id names a milestone (all its yes/no
    constructs if none does) are milestones, reached in questionnaire order; other
    region-level constructs are rated from the factor model with region means only.
    """
    roles = [r for r in shipped.get("roles") or [] if isinstance(r, dict) and "id" in r]
    if not roles:
        raise ValueError("the shipped study design lists no roles; the demo keeps the shipped roles")
    role_ids = tuple(str(r["id"]) for r in roles)
    plan_rng, _ = (np.random.default_rng(s) for s in np.random.SeedSequence(design.seed).spawn(2))
    regions = _demo_regions(design, plan_rng)
    role_draws = plan_rng.normal(0.0, design.role_sd, size=len(role_ids))
    levels, factors = dict(design.role_levels), dict(design.role_response)
    role_effects = {rid: float(levels.get(rid, v)) for rid, v in zip(role_ids, role_draws)}
    regions = tuple(dataclasses.replace(r, role_rates={
        rid: min(0.95, r.response_rate * factors.get(rid, 1.0)) for rid in role_ids}) for r in regions)

    every, some = _waves_listing(shipped, instruments)
    region_level = tuple(i for i in sorted(instruments) if instruments[i].level == "region")
    main = tuple(i for i in every if i not in region_level)
    occasional = tuple(i for i in some if i not in region_level)
    if not main and occasional:  # nothing runs every wave: the first occasional one becomes main
        main, occasional = occasional[:1], occasional[1:]

    waves = []
    for t, wid in enumerate(design.wave_ids):
        listed = [i for i in sorted(instruments)
                  if i not in occasional or t >= 1 or design.waves == 1]
        waves.append(WaveSpec(wid, t, design.wave_date(t), tuple(listed), closed=t < design.waves - 1,
                              years=design.wave_years(t)))

    scale_candidates = [(c.id, len(c.items)) for iid in sorted(instruments)
                        for c in instruments[iid].constructs
                        if instruments[iid].level == "respondent" and c.kind == "scale"
                        and _is_factor(c)]
    weak = _pick_weak(design, scale_candidates)
    trend_ids = {cid for i, (cid, _) in enumerate(scale_candidates) if i % 2 == 0 and cid != weak}

    constructs, chains, milestones, text_items = [], [], [], {}
    for iid in sorted(instruments):
        inst = instruments[iid]
        milestone_ids = _milestone_constructs(inst)
        milestone_items = []
        for c in inst.constructs:
            if c.kind == "text" or not c.scale.is_numeric:
                text_items.update({item.id: iid for item in c.items})
                continue
            if c.id in milestone_ids:
                milestone_items += [item.id for item in c.items]
                continue
            if inst.level == "respondent" and _is_chain(c):
                chains.append(ChainPlan(
                    id=c.id, instrument=iid, stages={item.id: item.stage for item in c.items},
                    intercepts=design.chain_intercepts,
                    slopes={r.id: design.chain_slope if r.improving else 0.0 for r in regions},
                    levels={r.id: r.level for r in regions}))
                continue
            constructs.append(_factor_plan(design, plan_rng, inst, c, regions,
                                           trend=c.id in trend_ids, weak=c.id == weak))
        if milestone_items:
            pace = {r.id: len(milestone_items) / design.waves
                    * design.milestone_pace[0 if r.improving else 1] for r in regions}
            start = {r.id: float(plan_rng.uniform(0.0, 1.0)) for r in regions}
            milestones.append(MilestonePlan(iid, tuple(milestone_items), start, pace))

    return DemoPlan(
        design=design, regions=regions, waves=tuple(waves), roles=role_ids,
        role_effects=role_effects, constructs=tuple(constructs),
        chains=tuple(chains), milestones=tuple(milestones), main_instruments=main,
        occasional_instruments=occasional, region_instruments=region_level,
        weak_construct=weak, text_items=text_items,
    )


def _milestone_constructs(inst: Instrument) -> set[str]:
    """Yes/no constructs of a region-level instrument that are milestones.

    Those whose id says ``milestone``; if none does, every yes/no construct of the instrument.
    """
    if inst.level != "region":
        return set()
    binary = [c.id for c in inst.constructs if c.scale.type == "binary"]
    named = [cid for cid in binary if "milestone" in cid or "milep" in cid]
    return set(named or binary)


def _is_factor(construct) -> bool:
    return construct.scale.is_numeric and not _is_chain(construct)


def _is_chain(construct) -> bool:
    return (construct.scale.type == "binary" and bool(construct.items)
            and all(item.stage for item in construct.items))


def _factor_plan(design, rng, inst, c, regions, *, trend: bool, weak: bool) -> ConstructPlan:
    low, high = design.weak_loading_range if weak else design.loading_range
    loadings = {item.id: float(rng.uniform(low, high)) for item in c.items}
    intercepts = {item.id: float(rng.normal(0.0, design.item_intercept_sd)) for item in c.items}
    grand = float(rng.uniform(*design.grand_mean_range))
    deviations = rng.normal(0.0, design.region_construct_sd, size=len(regions))
    region_means = {r.id: grand + r.level + float(d) for r, d in zip(regions, deviations)}
    is_trend = trend and inst.level == "respondent"
    slopes = {r.id: design.slope if (is_trend and r.improving) else 0.0 for r in regions}
    return ConstructPlan(
        id=c.id, instrument=inst.id, kind=c.kind, model=inst.level, trend="improving" if is_trend else "flat",
        weak=weak, grand_mean=grand, loadings=loadings, intercepts=intercepts,
        region_means=region_means, slopes=slopes,
    )
