"""Draw the demo study's respondents and answers from a :class:`DemoPlan`.

For each wave, region and instrument: keep the region's panel (a share leaves each wave,
newcomers fill it up again), compute every respondent's latent construct scores, turn them
into items by the factor model, cut those to the item's response scale, flip reverse-keyed
items, and sprinkle "don't know" codes and blanks. The equations are in :mod:`folge.demo`.
Everything is drawn from one ``numpy`` generator seeded by the design's seed, in a fixed
order, so a seed always gives the same data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

from ..definitions import Instrument, Item
from ._plan import ChainPlan, ConstructPlan, DemoPlan

__all__ = ["ID_COLUMNS", "DemoData", "Table", "columns_of", "generate_demo"]

#: the first columns of every response file (canonical wide form)
ID_COLUMNS: tuple[str, ...] = ("respondent", "region", "wave", "role")


def columns_of(instrument: Instrument) -> tuple[str, ...]:
    """Columns of the instrument's demo response file.

    ``respondent, region, wave, role`` and the item ids; region-level files leave out
    ``role`` (a row is about a region, so ingest ignores a role there), and their
    ``respondent`` is the region's coordinator.
    """
    key = ID_COLUMNS if instrument.level == "respondent" else ("respondent", "region", "wave")
    return key + instrument.item_ids

_COMMENTS_NB = (
    "Nyttig å møte de andre regionene.",
    "Vi trenger mer tid til oppfølging mellom samlingene.",
    "Næringslivet bør trekkes tidligere inn.",
    "Samfunnsanalysen ga et felles bilde av utfordringene.",
    "Uklart hvem som har ansvaret for oppfølgingen.",
)
_COMMENTS_NN = (
    "Nyttig å møte dei andre regionane.",
    "Vi treng meir tid til oppfølging mellom samlingane.",
    "Næringslivet bør takast med tidlegare.",
)
_NOTES = (
    "Prosjektleder på plass.",
    "Styringsgruppen møtes månedlig.",
    "Strategien er til politisk behandling.",
    "Samfunnsanalysen er ferdig.",
)


@dataclass
class Table:
    """One response file: its columns and rows of strings (blank = empty string)."""

    columns: tuple[str, ...]
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class DemoData:
    """What the generator drew: one table per (wave, instrument) and the counts behind it."""

    tables: dict[tuple[str, str], Table]
    #: wave → instrument → region → rows
    counts: dict[str, dict[str, dict[str, int]]]
    #: wave → region → role → respondents of the main instruments
    role_counts: dict[str, dict[str, dict[str, int]]]
    #: one entry per region and pair of consecutive waves
    panel: list[dict[str, object]]


@dataclass
class _Person:
    id: str
    role: str
    #: stable person effect per factor construct, u_pc
    effects: dict[str, float]


def _thresholds(points: int) -> np.ndarray:
    """Cut points of the standardised response into ``points`` ordered categories.

    Evenly spaced at width w, centred a little below zero (answers lean to agreement, as
    survey answers do). w is chosen so that an item's variance within a region is about
    45 % of the uniform null variance (A² − 1)/12 of rwg: var(x) ≈ 0.9/w² + 1/12 (the
    within-region variance of y* is about 0.9; 1/12 is the rounding). Regions then show
    the moderate agreement real partnerships show (rwg(j) around .8 for four items),
    rather than the zero agreement of equally likely categories.
    """
    target = 0.45 * (points**2 - 1) / 12.0
    width = float(np.sqrt(0.9 / max(target - 1.0 / 12.0, 0.05)))
    centre = (points - 1) / 2.0 + 0.6
    return (np.arange(1, points) - centre) * width


def _cut(ystar: np.ndarray, item: Item) -> np.ndarray:
    """Standardised responses cut to the item's scale, reverse-keyed items flipped."""
    scale = item.scale
    values = np.asarray(scale.values)
    x = values[np.searchsorted(_thresholds(len(values)), ystar)]
    if item.reverse:
        x = (scale.min + scale.max) - x
    return x


class _Generator:
    def __init__(self, plan: DemoPlan, instruments: Mapping[str, Instrument]):
        self.plan = plan
        self.design = plan.design
        self.instruments = instruments
        _, data_seed, text_seed = np.random.SeedSequence(self.design.seed).spawn(3)
        self.rng = np.random.default_rng(data_seed)
        # free text draws from its own stream: adding a comment question to an instrument
        # must not change any of the numbers the planted effects are checked on
        self.text_rng = np.random.default_rng(text_seed)
        self.factor = [c for c in plan.constructs if c.model == "respondent"]
        self.next_id = 1
        self.panels: dict[str, list[_Person]] = {r.id: [] for r in plan.regions}

    # ------------------------------------------------------------ people
    def _new_person(self, region) -> _Person:
        """A newcomer: the frame has every role equally often, so the roles of those who
        answer follow the region's response rates by role."""
        d = self.design
        rng = self.rng
        general = rng.normal()
        specific = rng.normal(size=len(self.factor))
        w = np.sqrt(d.person_general_share)
        effects = {c.id: float(d.person_sd * (w * general + np.sqrt(1 - w**2) * s))
                   for c, s in zip(self.factor, specific)}
        rates = np.array([region.role_rates[role] for role in self.plan.roles])
        role = self.plan.roles[int(rng.choice(len(rates), p=rates / rates.sum()))]
        person = _Person(f"R{self.next_id:05d}", role, effects)
        self.next_id += 1
        return person

    def _turn_over(self, region, t: int) -> tuple[int, int]:
        """Attrition and refill of the region's panel; returns (previous size, retained)."""
        panel = self.panels[region.id]
        before = len(panel)
        if t > 0:
            stays = self.rng.random(before) >= self.design.attrition
            panel = [p for p, keep in zip(panel, stays) if keep]
        retained = len(panel) if t > 0 else 0
        while len(panel) < region.respondents:
            panel.append(self._new_person(region))
        self.panels[region.id] = panel
        return before, retained

    # ------------------------------------------------------------ answers
    def _missing(self, values: list[list[str]], items: list[Item]) -> None:
        """Replace a share of answers by the scale's first missing code or a blank, in place."""
        d = self.design
        if not values:
            return
        draws = self.rng.random((len(values), len(items)))
        for j, item in enumerate(items):
            codes = sorted(item.scale.missing)
            for i in range(len(values)):
                u = draws[i, j]
                if u < d.dont_know_share and codes:
                    values[i][j] = str(codes[0])
                elif u < d.dont_know_share + d.blank_share:
                    values[i][j] = ""

    def _factor_items(self, c: ConstructPlan, eta: np.ndarray, items: list[Item]) -> np.ndarray:
        """x_ij = cut(λ_j η_i + b_j + √(1 − λ_j²) e_ij), reverse-keyed items flipped."""
        out = np.empty((len(eta), len(items)), dtype=np.int64)
        for j, item in enumerate(items):
            lam = c.loadings[item.id]
            ystar = lam * eta + c.intercepts[item.id] + np.sqrt(1 - lam**2) * self.rng.normal(size=len(eta))
            out[:, j] = _cut(ystar, item)
        return out

    def _chain_items(self, chain: ChainPlan, region: str, t: int, n: int, items: list[Item]) -> np.ndarray:
        """Funnel: reached stage s ∈ {0 none, 1 learned, 2 shared, 3 used}; item = 1 iff s ≥ its stage."""
        p = chain.probabilities(region, t)
        u = self.rng.random((n, 3))
        reached = np.zeros(n, dtype=np.int64)
        alive = np.ones(n, dtype=bool)
        for k in range(3):
            alive &= u[:, k] < p[k]
            reached += alive
        order = {"learned": 1, "shared": 2, "used": 3}
        return np.stack([(reached >= order[chain.stages[item.id]]).astype(np.int64) for item in items], axis=1)

    def _comment(self, language: str) -> str:
        pool = _COMMENTS_NN if language == "nn" else _COMMENTS_NB
        if self.text_rng.random() < self.design.comment_share:
            return pool[int(self.text_rng.integers(len(pool)))]
        return ""

    def _respondent_rows(self, inst: Instrument, wave, region, people: list[_Person]) -> list[list[str]]:
        n = len(people)
        t = wave.index
        columns: dict[str, list[str]] = {}
        roles = np.array([self.plan.role_effects[p.role] for p in people])
        for construct in inst.constructs:
            items = list(construct.items)
            if construct.id in {c.id for c in self.plan.constructs}:
                c = self.plan.construct(construct.id)
                u = np.array([p.effects.get(c.id, 0.0) for p in people])
                # η_prct = μ_rc + β_rc·years_t + γ_role + u_pc + ε_prct
                eta = (c.region_means[region.id] + c.slopes[region.id] * wave.years + roles + u
                       + self.rng.normal(0.0, self.design.occasion_sd, size=n))
                block = self._factor_items(c, eta, items)
            elif any(ch.id == construct.id for ch in self.plan.chains):
                chain = next(ch for ch in self.plan.chains if ch.id == construct.id)
                block = self._chain_items(chain, region.id, t, n, items)
            else:  # free text
                for item in items:
                    columns[item.id] = [self._comment(region.language) for _ in people]
                continue
            values = [[str(int(v)) for v in row] for row in block]
            self._missing(values, items)
            for j, item in enumerate(items):
                columns[item.id] = [row[j] for row in values]
        return [[p.id, region.id, wave.id, p.role, *(columns[i][k] for i in inst.item_ids)]
                for k, p in enumerate(people)]

    def _region_row(self, inst: Instrument, wave, region, number: int) -> list[str]:
        t = wave.index
        values: dict[str, str] = {}
        plans = {m.instrument: m for m in self.plan.milestones}
        milestone = plans.get(inst.id)
        for construct in inst.constructs:
            items = list(construct.items)
            if milestone is not None and all(i.id in milestone.items for i in items):
                reached = milestone.reached(region.id, t)
                for item in items:
                    values[item.id] = "1" if milestone.items.index(item.id) < reached else "0"
            elif construct.id in {c.id for c in self.plan.constructs}:
                c = self.plan.construct(construct.id)
                eta = np.array([c.region_means[region.id] + c.slopes[region.id] * wave.years
                                + self.rng.normal(0.0, 0.5)])
                block = self._factor_items(c, eta, items)
                values.update({item.id: str(int(block[0, j])) for j, item in enumerate(items)})
            else:
                for item in items:
                    note = _NOTES[int(self.rng.integers(len(_NOTES)))] if self.rng.random() < 0.5 else ""
                    values[item.id] = note
        return [f"K{number:04d}", region.id, wave.id, *(values[i] for i in inst.item_ids)]

    # ------------------------------------------------------------ the whole study
    def run(self, progress: Callable[[str], None] | None = None) -> DemoData:
        plan = self.plan
        tables = {(w.id, i): Table(columns_of(self.instruments[i])) for w in plan.waves for i in w.instruments}
        counts = {w.id: {i: {} for i in w.instruments} for w in plan.waves}
        role_counts: dict[str, dict[str, dict[str, int]]] = {w.id: {} for w in plan.waves}
        panel_log: list[dict[str, object]] = []
        for wave in plan.waves:
            if progress is not None:
                progress(f"bølge / wave {wave.id}")
            for number, region in enumerate(plan.regions, start=1):
                before, retained = self._turn_over(region, wave.index)
                if wave.index > 0:
                    panel_log.append({"region": region.id, "from_wave": plan.waves[wave.index - 1].id,
                                      "to_wave": wave.id, "n_from": before, "retained": retained})
                people = sorted(self.panels[region.id], key=lambda p: p.id)
                role_counts[wave.id][region.id] = {
                    role: sum(p.role == role for p in people) for role in plan.roles}
                for inst_id in wave.instruments:
                    inst = self.instruments[inst_id]
                    if inst.level == "region":
                        rows = [self._region_row(inst, wave, region, number)]
                    else:
                        chosen = people
                        if inst_id in plan.occasional_instruments:
                            k = max(1, round(self.design.occasional_share * len(people)))
                            picked = np.sort(self.rng.choice(len(people), size=k, replace=False))
                            chosen = [people[i] for i in picked]
                        rows = self._respondent_rows(inst, wave, region, chosen)
                    tables[(wave.id, inst_id)].rows.extend(rows)
                    counts[wave.id][inst_id][region.id] = len(rows)
        return DemoData(tables, counts, role_counts, panel_log)


def generate_demo(plan: DemoPlan, instruments: Mapping[str, Instrument],
                  progress: Callable[[str], None] | None = None) -> DemoData:
    """Draw every response of the demo study.

    Parameters
    ----------
    plan : DemoPlan
        Regions, waves and planted effects from :func:`folge.demo.plan_demo`.
    instruments : mapping of str to Instrument
        The instruments the plan was made for.
    progress : callable, optional
        Called with a short description before each wave is drawn.

    Returns
    -------
    DemoData
        ``tables[(wave, instrument)]`` in the canonical wide form (``respondent, region,
        wave, role, <item ids…>``, values as text: a scale value, a missing code, a blank
        or free text), the row counts, the role mix and the panel retention.

    Notes
    -----
    Draws come from ``numpy.random.default_rng`` on the second child of
    ``SeedSequence(design.seed)`` (the first drew the plan) in a fixed order: waves, then
    regions, then instruments in id order, then constructs and items in questionnaire order.
    """
    return _Generator(plan, instruments).run(progress)
