"""Draw one simulated study: its regions, frame, planted effects, panel and answers.

The harness's own generator (it shares nothing with the demo's): the equations are in
:mod:`folge.simulate`. Everything is drawn from the one ``numpy`` generator passed in, in
a fixed order, so a seed always gives the same study.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from ._design import CONSTRUCTS, THRESHOLDS, SimulationDesign
from ._scenarios import ROLES, Scenario

__all__ = ["ConstructDraw", "SimulatedStudy", "draw_study", "item_ids"]


def item_ids(construct: str, items: int) -> tuple[str, ...]:
    """Item ids of a construct: its first letter and a number (``c1``, ``c2``, …)."""
    return tuple(f"{construct[0]}{j + 1}" for j in range(items))


@dataclass(frozen=True)
class ConstructDraw:
    """The drawn measurement model and planted effects of one construct."""

    id: str
    loadings: tuple[float, ...]
    intercepts: tuple[float, ...]
    #: population mean of the regions' slopes per year (β)
    mean_slope: float
    #: region → its level a_r and its slope per year b_r
    levels: Mapping[str, float]
    slopes: Mapping[str, float]


@dataclass(frozen=True)
class SimulatedStudy:
    """One simulated study: what was planted and what was answered."""

    scenario: Scenario
    design: SimulationDesign
    regions: tuple[str, ...]
    waves: tuple[str, ...]
    years: tuple[float, ...]
    #: (region, role) → invited in every wave (the frame)
    invited: Mapping[tuple[str, str], int]
    constructs: tuple[ConstructDraw, ...]
    #: one row per answer: respondent, region, wave, role, then the items of every construct
    answers: pd.DataFrame


@dataclass
class _Person:
    id: str
    region: str
    role: str
    general: float  # standardised stable general level (what MNAR attrition selects on)
    effects: dict[str, float]  # stable effect per construct, u[p,c]
    observed: float = 0.0  # climate score in the wave last answered (what MAR attrition selects on)


def _frame(scenario: Scenario, design: SimulationDesign, regions, rng) -> dict[tuple[str, str], int]:
    """Invited per region and role: the roles' population shares of a size that gives the
    region's expected answers at the roles' mean response rates."""
    low, high = scenario.respondents or design.respondents
    expected = rng.integers(low, high + 1, size=len(regions))
    mean_rate = sum(share * np.mean([scenario.rate(role, t, design.waves) for t in range(design.waves)])
                    for role, (_, share) in ROLES.items())
    return {(region, role): max(1, round(float(n) / mean_rate * share))
            for region, n in zip(regions, expected) for role, (_, share) in ROLES.items()}


def _constructs(scenario: Scenario, design: SimulationDesign, regions, rng) -> tuple[ConstructDraw, ...]:
    out = []
    for cid, planted in CONSTRUCTS.items():
        beta = scenario.slope if planted else 0.0
        out.append(ConstructDraw(
            id=cid,
            loadings=tuple(float(x) for x in rng.uniform(*design.loading_range, size=design.items)),
            intercepts=tuple(float(x) for x in rng.normal(0.0, design.item_intercept_sd, size=design.items)),
            mean_slope=beta,
            levels={r: float(x) for r, x in zip(regions, rng.normal(0.0, scenario.region_sd, size=len(regions)))},
            slopes={r: float(x) for r, x in zip(regions, rng.normal(beta, scenario.slope_sd, size=len(regions)))},
        ))
    return tuple(out)


class _Panel:
    """Who answers each wave: stayers from the last wave, then newcomers up to the wave's count."""

    def __init__(self, scenario: Scenario, design: SimulationDesign, rng: np.random.Generator):
        self.scenario, self.design, self.rng = scenario, design, rng
        self.last: dict[tuple[str, str], list[_Person]] = {}
        self.count = 0
        k = scenario.attrition_selectivity
        # E Φ(z0 + k·Z) = Φ(z0 / √(1 + k²)) = retention for Z ~ N(0, 1)
        self.z0 = float(norm.ppf(scenario.retention) * np.sqrt(1.0 + k * k))

    def _newcomer(self, region: str, role: str) -> _Person:
        d, rng = self.design, self.rng
        self.count += 1
        general = float(rng.normal())
        w = np.sqrt(d.general_share)
        sd = np.sqrt(d.person_share)
        effects = {c: float(sd * (w * general + np.sqrt(1.0 - w * w) * rng.normal())) for c in CONSTRUCTS}
        return _Person(f"P{self.count:05d}", region, role, general, effects)

    def _selected_on(self) -> dict[str, float]:
        """Person id → the standardised value staying depends on (see ``Scenario.attrition_on``)."""
        people = [p for cell in self.last.values() for p in cell]
        if self.scenario.attrition_on == "latent":
            return {p.id: p.general for p in people}
        if self.scenario.attrition_on != "answers":
            raise ValueError(f"'attrition_on' must be latent or answers (got {self.scenario.attrition_on!r})")
        values = np.array([p.observed for p in people])
        sd = float(values.std()) if values.size > 1 else 0.0
        centred = values - values.mean() if values.size else values
        z = centred / sd if sd > 0 else np.zeros_like(values)
        return {p.id: float(v) for p, v in zip(people, z)}

    def wave(self, t: int, invited: Mapping[tuple[str, str], int]) -> list[_Person]:
        """The respondents of wave ``t``, cell by cell (region × role)."""
        out = []
        selected_on = self._selected_on()
        for (region, role), n_invited in invited.items():
            answering = int(self.rng.binomial(n_invited, self.scenario.rate(role, t, self.design.waves)))
            before = self.last.get((region, role), [])
            z = np.array([selected_on[p.id] for p in before])
            p_stay = norm.cdf(self.z0 + self.scenario.attrition_selectivity * z)
            stayers = [p for p, u, q in zip(before, self.rng.random(len(before)), p_stay) if u < q]
            if len(stayers) > answering:
                keep = np.sort(self.rng.choice(len(stayers), size=answering, replace=False))
                stayers = [stayers[i] for i in keep]
            people = stayers + [self._newcomer(region, role) for _ in range(answering - len(stayers))]
            self.last[(region, role)] = people
            out.extend(people)
        return out


def _items(c: ConstructDraw, eta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """x[p,i] = 1 + #{k: λ_i·η_p + δ_i + √(1 − λ_i²)·e_pi > τ_k}."""
    lam = np.asarray(c.loadings)
    noise = rng.normal(size=(len(eta), len(lam)))
    ystar = eta[:, None] * lam + np.asarray(c.intercepts) + np.sqrt(1.0 - lam**2) * noise
    return 1 + np.searchsorted(np.asarray(THRESHOLDS), ystar, side="left")


def _answers(people: list[_Person], wave: str, year: float, constructs, scenario, design, rng) -> pd.DataFrame:
    frame = pd.DataFrame({"respondent": [p.id for p in people], "region": [p.region for p in people],
                          "wave": wave, "role": [p.role for p in people]})
    occasion_sd = np.sqrt(1.0 - design.person_share)
    gamma = np.array([scenario.role_effects[p.role] for p in people])
    observed = np.zeros(len(people))
    for c in constructs:
        # η[p,c,t] = a[r,c] + b[r,c]·years[t] + γ[role] + u[p,c] + ε[p,c,t]
        eta = (np.array([c.levels[p.region] + c.slopes[p.region] * year for p in people]) + gamma
               + np.array([p.effects[c.id] for p in people]) + rng.normal(0.0, occasion_sd, size=len(people)))
        x = _items(c, eta, rng) if people else np.empty((0, design.items), dtype=int)
        for j, item in enumerate(item_ids(c.id, design.items)):
            frame[item] = x[:, j].astype(int)
        if CONSTRUCTS[c.id] and people:  # the construct that carries the planted slope: climate
            observed = x.mean(axis=1)
    for person, value in zip(people, observed):
        person.observed = float(value)
    return frame


def draw_study(scenario: Scenario, design: SimulationDesign, rng: np.random.Generator) -> SimulatedStudy:
    """Draw one study of ``scenario`` at ``design``'s sizes.

    Parameters
    ----------
    scenario : Scenario
        What is planted (:data:`folge.simulate.SCENARIOS`).
    design : SimulationDesign
        Sizes and the measurement model's constants.
    rng : numpy.random.Generator
        The replication's random stream (consumed in a fixed order: frame, constructs,
        then per wave the panel and the answers).

    Returns
    -------
    SimulatedStudy
        The frame, the planted effects and one row per answer.
    """
    regions = tuple(f"r{i + 1:02d}" for i in range(design.regions))
    waves = tuple(f"w{t + 1}" for t in range(design.waves))
    years = scenario.years(design.waves)
    invited = _frame(scenario, design, regions, rng)
    constructs = _constructs(scenario, design, regions, rng)
    panel = _Panel(scenario, design, rng)
    frames = []
    for t, (wave, year) in enumerate(zip(waves, years)):
        people = panel.wave(t, invited)
        frames.append(_answers(people, wave, year, constructs, scenario, design, rng))
    answers = pd.concat(frames, ignore_index=True)
    return SimulatedStudy(scenario, design, regions, waves, years, invited, constructs, answers)
