"""The sizes and constants of a simulated study (those no scenario changes)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CONSTRUCTS", "SimulationDesign", "THRESHOLDS"]

#: The constructs of the simulated questionnaire: id → whether it carries the scenario's slope.
CONSTRUCTS: dict[str, bool] = {"climate": True, "steady": False}

#: Cut points of the standardised item response into the five answers 1–5: evenly spaced
#: (width 1.25) and shifted so that answers lean to agreement; a latent value of 0 gives an
#: expected answer of about 3.4, and an item's variance within a region is about 45 % of
#: the uniform null of rwg (moderate agreement).
THRESHOLDS: tuple[float, ...] = tuple((k - 2.85) * 1.25 for k in range(1, 5))


@dataclass(frozen=True)
class SimulationDesign:
    """Sizes of every simulated study and the measurement model's constants.

    Attributes
    ----------
    regions, waves
        Regions and waves of a study.
    respondents
        Range (low, high) of a region's expected answers per wave, drawn per region;
        a scenario may override it.
    items
        Items per construct (5-point answers).
    loading_range
        Item loadings λ ~ U(low, high) on the latent construct.
    item_intercept_sd
        SD of the items' intercepts (difficulty) on the standardised response.
    person_share
        Share of the within-region latent variance that is a person's stable effect (the
        rest is occasion noise): the latent correlation of a panel member's two waves.
    general_share
        Share of a person's stable effect that is common to both constructs (the part
        informative attrition selects on).
    alpha
        The study's significance level (``settings.significance``).

    Examples
    --------
    >>> SimulationDesign(regions=6, waves=3).respondents
    (15, 30)
    >>> SimulationDesign(regions=1)
    Traceback (most recent call last):
    ...
    ValueError: 'regions' must be a whole number from 2 to 60 (got 1)
    """

    regions: int = 8
    waves: int = 4
    respondents: tuple[int, int] = (15, 30)
    items: int = 5
    loading_range: tuple[float, float] = (0.65, 0.75)
    item_intercept_sd: float = 0.15
    person_share: float = 0.55
    general_share: float = 0.5
    alpha: float = 0.05

    def __post_init__(self):
        _whole("regions", self.regions, 2, 60)
        _whole("waves", self.waves, 2, 12)
        _whole("items", self.items, 2, 12)
        low, high = self.respondents
        _whole("respondents", low, 2, 5000)
        _whole("respondents", high, low, 5000)
        for name in ("person_share", "general_share", "alpha"):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                raise ValueError(f"'{name}' must lie between 0 and 1 (got {value!r})")


def _whole(name: str, value, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"'{name}' must be a whole number from {low} to {high} (got {value!r})")
