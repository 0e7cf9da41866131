"""The calibration scenarios of ``folge simulate``: what each one plants.

A :class:`Scenario` holds the numbers of the harness's own latent model (see
:mod:`folge.simulate`) that a scenario changes; every scenario is made by a function
whose docstring says what it plants, and :data:`SCENARIOS` lists them by name.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

__all__ = ["ROLES", "SCENARIOS", "Scenario", "scenario"]

#: Roles of the simulated studies: id → (sector, share of the invited population).
ROLES: Mapping[str, tuple[str, float]] = {
    "politician": ("municipality", 0.35),
    "business": ("business", 0.30),
    "project-leader": ("municipality", 0.35),
}


def _base_role_effects() -> dict[str, float]:
    return {"politician": -0.30, "business": -0.15, "project-leader": 0.25}


def _base_rates() -> dict[str, tuple[float, float]]:
    # politicians and business answer less than project leaders
    return {"politician": (0.40, 0.40), "business": (0.45, 0.45), "project-leader": (0.75, 0.75)}


@dataclass(frozen=True)
class Scenario:
    """What one calibration scenario plants (latent units: SD of a person's score within a region).

    Attributes
    ----------
    name, description
        The name ``--scenario`` takes and what is planted (the making function's docstring).
    slope
        Population mean of the regions' latent slopes per year of the *planted* construct
        (``climate``); the other construct (``steady``) always has population mean 0.
    slope_sd
        SD of the regions' slopes around that mean (drawn, not centred).
    region_sd
        SD of the regions' levels.
    role_effects
        Latent level of each role.
    response_rates
        Per role, the share of the invited who answer in the first and in the last wave
        (linear in between).
    retention
        Share of a wave's respondents who answer again in the next wave (on average).
    attrition_selectivity
        Probit coefficient of staying: 0 is attrition at random, > 0 makes those who leave
        lower than those who stay.
    attrition_on
        What staying depends on: ``"latent"``, the person's standardised stable general
        level g (never observed: missing not at random, MNAR); ``"answers"``, the person's
        standardised ``climate`` score in the wave they last answered (observed: missing
        at random, MAR, for ``climate`` given its earlier answers; for ``steady``, whose
        stable effect shares g with climate's, still not at random).
    wave_gaps
        Years between consecutive waves, cycled (``(1.0,)`` is one wave a year).
    respondents
        Range of a region's answers per wave (expected), or ``None`` for the design's.
    """

    name: str
    description: str
    slope: float = 0.0
    slope_sd: float = 0.08
    region_sd: float = 0.30
    role_effects: Mapping[str, float] = field(default_factory=_base_role_effects)
    response_rates: Mapping[str, tuple[float, float]] = field(default_factory=_base_rates)
    retention: float = 0.70
    attrition_selectivity: float = 0.0
    attrition_on: str = "latent"
    wave_gaps: tuple[float, ...] = (1.0,)
    respondents: tuple[int, int] | None = None

    @property
    def planted(self) -> bool:
        """Whether the scenario plants an effect (so power is reported)."""
        return self.slope != 0.0

    def rate(self, role: str, t: int, waves: int) -> float:
        """Response rate of ``role`` in wave ``t`` (0-based) of ``waves``."""
        first, last = self.response_rates[role]
        return first if waves < 2 else first + (last - first) * t / (waves - 1)

    def years(self, waves: int) -> tuple[float, ...]:
        """Years since the first wave of each wave."""
        out = [0.0]
        for t in range(1, waves):
            out.append(out[-1] + self.wave_gaps[(t - 1) % len(self.wave_gaps)])
        return tuple(out)


def _made(function: Callable[..., Scenario]) -> Scenario:
    made = function()
    return replace(made, description=" ".join(inspect.getdoc(function).split("\n\n")[0].split()))


def _null() -> Scenario:
    """No change: every construct's regional slopes are drawn around a population mean of
    zero (SD 0.08 a year, not centred: the regions are a sample), the level rule's bar is
    exactly the population mean, roles differ in level and answer at different (constant)
    rates, and 30 % leave the panel at random."""
    return Scenario("null", "")


def _composition() -> Scenario:
    """No true change, but a role-mix shift: roles differ clearly in level (politicians
    0.95 SD above business and project leaders) and politicians answer more in later waves
    (15 % of those invited in the first wave, 85 % in the last), so the respondents' mean
    rises although nobody's view changes: the shift that makes a change look met."""
    return Scenario("composition", "", role_effects={"politician": 0.7, "business": -0.25, "project-leader": -0.25},
                    response_rates={"politician": (0.15, 0.85), "business": (0.45, 0.45),
                                    "project-leader": (0.75, 0.75)})


def _attrition() -> Scenario:
    """No true change, informative attrition not at random (MNAR): the chance of answering
    again rises with the person's latent stable level g, which no answer reveals exactly
    (probit slope 0.8; 70 % stay on average), so those who leave the panel are lower than
    those who stay and later waves' respondents lean positive. Neither the weighted level
    (raked on region and role) nor the mixed model's person intercept (valid when leaving
    depends on earlier answers) can remove this: the scenario shows the bias such
    attrition leaves in the verdicts."""
    return Scenario("attrition", "", attrition_selectivity=0.8)


def _attrition_mar() -> Scenario:
    """No true change, informative attrition at random given the earlier answers (MAR): the
    chance of answering again rises with the person's observed climate score (standardised
    over the wave) in the wave they last answered (probit slope 0.8; 70 % stay on
    average), so leavers are lower than stayers. For climate this is MAR, the case a
    likelihood model that uses every answer of a person (the trend) handles; a model on
    two waves' rows (change) or a wave's weighted mean (level) does not. For steady it is
    still MNAR (its stable effect shares the general level with climate's)."""
    return Scenario("attrition-mar", "", attrition_selectivity=0.8, attrition_on="answers")


def _spacing() -> Scenario:
    """No true change, unequal wave spacing: waves half a year, then two years, then half a
    year apart (years 0, 0.5, 2.5, 3), so wave index and time disagree."""
    return Scenario("spacing", "", wave_gaps=(0.5, 2.0))


def _small_regions() -> Scenario:
    """No true change, small regions: each region expects 6–25 answers a wave (drawn per
    region), the sizes where a Wald test on N − p df rejects a true null too often."""
    return Scenario("small-regions", "", respondents=(6, 25))


def _effect() -> Scenario:
    """A realistic planted effect for power: the construct ``climate`` improves by 0.2 SD a
    year on average over regions (regional slopes SD 0.08 around it); ``steady`` stays
    flat; the level rule's bar is the population mean at the first wave."""
    return Scenario("effect", "", slope=0.2)


#: Every scenario by name, in the order they are run.
SCENARIOS: Mapping[str, Scenario] = {
    s.name: s for s in map(_made, (_null, _composition, _attrition, _attrition_mar, _spacing, _small_regions, _effect))
}


def scenario(name: str) -> Scenario:
    """The scenario called ``name``.

    Raises
    ------
    ValueError
        When no scenario has that name (the message lists the known ones).

    Examples
    --------
    >>> scenario("null").slope
    0.0
    >>> scenario("attrition-mar").attrition_on
    'answers'
    >>> scenario("spacing").years(4)
    (0.0, 0.5, 2.5, 3.0)
    """
    try:
        return SCENARIOS[name]
    except KeyError:
        raise ValueError(f"'scenario' must be one of {', '.join(SCENARIOS)} (got {name!r})") from None
