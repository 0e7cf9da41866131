"""Stage 3 of loading definitions: the frozen objects every other part works with.

Instruments, scales, constructs and items; the study design (regions, roles, waves).
They are built only from definitions that passed the checks, so code downstream can
trust them (every item has a scale, every text has nb, nn and en, ids are valid).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

__all__ = [
    "waves_upto",
    "previous_wave",
    "LANGUAGES",
    "SCALE_TYPES",
    "CONSTRUCT_KINDS",
    "SECTORS",
    "TARGETS",
    "STAGES",
    "Text",
    "Scale",
    "Item",
    "Construct",
    "Instrument",
    "Region",
    "Role",
    "Wave",
    "Settings",
    "Study",
]

#: Languages every text is written in, bokmål first.
LANGUAGES: tuple[str, ...] = ("nb", "nn", "en")
SCALE_TYPES: tuple[str, ...] = ("ordinal", "binary", "text")
#: ``scale``: reflective scale (reliability, invariance, agreement); ``index``: funnels and
#: checklists reported as shares; ``text``: free text, never published.
CONSTRUCT_KINDS: tuple[str, ...] = ("scale", "index", "text")
#: Sectors a role belongs to; the rows of the trust matrix.
SECTORS: tuple[str, ...] = (
    "municipality",
    "county",
    "state",
    "business",
    "research-education",
    "civil-society",
)
#: Partners a trust item can ask about; the columns of the trust matrix.
TARGETS: tuple[str, ...] = (
    "municipalities",
    "city",
    "hinterland",
    "county",
    "state",
    "business",
    "research-education",
    "civil-society",
)
#: Stages of the learning chain, in order.
STAGES: tuple[str, ...] = ("learned", "shared", "used")


class Text(Mapping[str, str]):
    """A text in several languages; ``text["nn"]`` or ``text.get_lang("nn")`` (falls back to nb)."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, str] | None = None):
        self._values = MappingProxyType(dict(values or {}))

    def __getitem__(self, lang: str) -> str:
        return self._values[lang]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._values.items())))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._values) == dict(other)

    def __repr__(self) -> str:
        return f"Text({dict(self._values)!r})"

    def get_lang(self, lang: str = "nb") -> str:
        """The text in ``lang``, else bokmål, else English, else the empty string."""
        for candidate in (lang, "nb", "en"):
            if candidate in self._values:
                return self._values[candidate]
        return ""


@dataclass(frozen=True)
class Scale:
    """A response scale: its values (integers), labels per language and missing codes."""

    id: str
    type: str
    values: tuple[int, ...] = ()
    labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    missing: Mapping[int, Text] = field(default_factory=dict)

    @property
    def is_numeric(self) -> bool:
        return self.type in ("ordinal", "binary")

    @property
    def is_ordinal(self) -> bool:
        return self.type == "ordinal"

    @property
    def min(self) -> int | None:
        return min(self.values) if self.values else None

    @property
    def max(self) -> int | None:
        return max(self.values) if self.values else None

    @property
    def points(self) -> int:
        return len(self.values)

    def label(self, value: int, lang: str = "nb") -> str:
        """The label of ``value`` (a scale value or a missing code) in ``lang``."""
        if value in self.missing:
            return self.missing[value].get_lang(lang)
        labels = self.labels.get(lang) or self.labels.get("nb") or ()
        try:
            return labels[self.values.index(value)]
        except (ValueError, IndexError):
            return str(value)

    def is_valid(self, value: int) -> bool:
        """True for a scale value or a declared missing code."""
        return value in self.values or value in self.missing


@dataclass(frozen=True)
class Item:
    """One question: its id, scale, reverse key, text, and where it stands."""

    id: str
    instrument: str
    construct: str
    scale: Scale
    text: Text
    position: int
    reverse: bool = False
    target: str | None = None
    stage: str | None = None


@dataclass(frozen=True)
class Construct:
    """A group of items measuring one thing: a reflective ``scale``, an ``index`` or ``text``."""

    id: str
    instrument: str
    kind: str
    title: Text
    items: tuple[Item, ...]

    @property
    def scale(self) -> Scale:
        """The response scale all its items share."""
        return self.items[0].scale

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)


@dataclass(frozen=True)
class Instrument:
    """A questionnaire: versioned, at respondent or region level, made of constructs."""

    id: str
    version: int
    level: str
    title: Text
    constructs: tuple[Construct, ...]
    scales: Mapping[str, Scale] = field(default_factory=dict)
    intro: Text = field(default_factory=Text)
    path: Path | None = None

    @property
    def items(self) -> tuple[Item, ...]:
        """Every item in questionnaire order."""
        return tuple(item for construct in self.constructs for item in construct.items)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"instrument '{self.id}' has no item '{item_id}'")

    def construct(self, construct_id: str) -> Construct:
        for construct in self.constructs:
            if construct.id == construct_id:
                return construct
        raise KeyError(f"instrument '{self.id}' has no construct '{construct_id}'")

    @property
    def table(self) -> str:
        """Name of this instrument version's response table in the store."""
        return f"responses__{self.id.replace('-', '_')}__v{self.version}"


@dataclass(frozen=True)
class Region:
    id: str
    name: str
    language: str = "nb"
    municipalities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Role:
    id: str
    sector: str
    title: Text = field(default_factory=Text)


@dataclass(frozen=True)
class Wave:
    id: str
    date: _dt.date | None
    instruments: tuple[str, ...]
    closed: bool = False
    #: planned invitations: region id → count, or region id → {role id → count}
    invited: Mapping[str, object] = field(default_factory=dict)
    #: schedule (aware date-times; see :mod:`._schedule`): answers are taken from
    #: ``opens`` up to, not including, ``closes``; reminders go on these days after ``opens``
    opens: _dt.datetime | None = None
    closes: _dt.datetime | None = None
    reminders: tuple[int, ...] = ()

    @property
    def is_open(self) -> bool:
        return not self.closed

    def accepts_answers(self, at: _dt.datetime) -> bool:
        """True when the wave is not closed and ``at`` (aware) lies in ``opens ≤ at < closes``.

        A wave without ``opens`` (or ``closes``) has no lower (or upper) limit.
        """
        if self.closed:
            return False
        if self.opens is not None and at < self.opens:
            return False
        return self.closes is None or at < self.closes


@dataclass(frozen=True)
class Settings:
    """Study settings with their defaults."""

    score_min_share: float = 2 / 3
    alpha_bar: float = 0.70
    rwg_bar: float = 0.70
    significance: float = 0.05
    #: ``raking`` (weights to the invited frame) or ``none`` (every respondent counts once)
    weighting: str = "raking"
    #: optional trimming of the raked weights: an upper ratio to the mean weight, or (lower, upper)
    weight_trim: float | tuple[float, float] | None = None
    #: a frame cell with invited people but no respondents: ``error``, or ``collapse`` (spread over the rest)
    weight_empty: str = "error"
    #: regions with fewer answers than this show the empirical-Bayes estimate beside the direct one
    eb_below: int = 15
    #: answer quality (``results/quality.csv``): web answers faster than this many seconds
    #: per item are flagged as speeding; flagged answers leave the statistics only when
    #: ``exclude_flagged`` is true (they are always kept in the store and counted)
    min_seconds_per_item: float = 1.5
    exclude_flagged: bool = False
    #: most items whose thresholds (or loading) partial invariance may free across waves
    max_freed: int = 1
    #: the ordinal invariance model: ``multi-group`` (waves as independent groups) or
    #: ``longitudinal`` (one factor per wave, each person one row, pairwise-present data)
    invariance_model: str = "multi-group"
    #: columns the trend and change models adjust for (``settings.adjust_for``; ``()`` for none)
    adjust_for: tuple[str, ...] = ("role",)
    #: fewer regions with data than this make the association rule descriptive
    association_min_regions: int = 20


def waves_upto(order, wave_id: str | None = None) -> tuple[str, ...]:
    """The wave ids of ``order`` up to and including ``wave_id`` (all of them when None).

    The one place that cuts a series of waves at an edition.

    >>> waves_upto(["2015-1", "2015-2", "2016-1"], "2015-2")
    ('2015-1', '2015-2')
    """
    order = tuple(str(w) for w in order)
    if wave_id is None:
        return order
    if wave_id not in order:
        raise ValueError(f"'wave_id' must be one of {', '.join(order)} (got {wave_id!r})")
    return order[: order.index(wave_id) + 1]


def previous_wave(order, wave_id: str) -> str | None:
    """The wave before ``wave_id`` in ``order`` (None for the first).

    The one place that says which wave a change is measured from.

    >>> previous_wave(["2015-1", "2015-2"], "2015-2"), previous_wave(["2015-1", "2015-2"], "2015-1")
    ('2015-1', None)
    """
    order = [str(w) for w in order]
    if wave_id not in order:
        raise ValueError(f"'wave_id' must be one of {', '.join(order)} (got {wave_id!r})")
    index = order.index(wave_id)
    return order[index - 1] if index > 0 else None


@dataclass(frozen=True)
class Study:
    """The study design as loaded from ``research/study.yaml`` and ``instruments/``."""

    root: Path
    programme: str
    min_n: int
    languages: tuple[str, ...]
    regions: tuple[Region, ...]
    roles: tuple[Role, ...]
    waves: tuple[Wave, ...]
    instruments: Mapping[str, Instrument]
    settings: Settings = field(default_factory=Settings)
    short_name: str = ""
    licence: str = "NLOD-2.0"
    owner: Text = field(default_factory=Text)

    def region(self, region_id: str) -> Region:
        for region in self.regions:
            if region.id == region_id:
                return region
        raise KeyError(f"unknown region '{region_id}'")

    def role(self, role_id: str) -> Role:
        for role in self.roles:
            if role.id == role_id:
                return role
        raise KeyError(f"unknown role '{role_id}'")

    def wave(self, wave_id: str) -> Wave:
        for wave in self.waves:
            if wave.id == wave_id:
                return wave
        raise KeyError(f"unknown wave '{wave_id}'")

    def waves_upto(self, wave_id: str | None = None) -> tuple[str, ...]:
        """The study's wave ids in order, up to and including ``wave_id`` (all when None)."""
        return waves_upto((w.id for w in self.waves), wave_id)

    def previous_wave(self, wave_id: str) -> str | None:
        """The study's wave before ``wave_id`` (None for the first)."""
        return previous_wave([w.id for w in self.waves], wave_id)

    def wave_index(self, wave_id: str) -> int:
        """0-based position of the wave in the study's order (by date, as listed)."""
        return [w.id for w in self.waves].index(wave_id)

    @property
    def items(self) -> Mapping[str, Item]:
        """Every item of every instrument by id (ids are unique across instruments)."""
        return {item.id: item for inst in self.instruments.values() for item in inst.items}

    @property
    def constructs(self) -> Mapping[str, Construct]:
        return {c.id: c for inst in self.instruments.values() for c in inst.constructs}
