"""Stage 2 of ingest: match a file's column names to canonical names.

The canonical names are ``respondent``, ``region``, ``wave``, ``role`` and the item ids.
A *header map* is a function ``(columns, study) -> {file column: canonical name}`` that
returns the columns it recognises (or an empty mapping when the file is not its kind).
:func:`map_headers` tries every registered map and keeps the one that recognises the most
item columns, so survey platforms (KoBoToolbox, ODK, LimeSurvey) plug in with
:func:`register_header_map` without touching reading, validation or storing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from .._errors import InputError

__all__ = [
    "ALIASES",
    "HEADER_MAPS",
    "KEY_COLUMNS",
    "HeaderMap",
    "HeaderMapping",
    "canonical_header_map",
    "map_headers",
    "register_header_map",
]

#: The columns every response file has besides the items.
KEY_COLUMNS: tuple[str, ...] = ("respondent", "region", "wave", "role")

#: Other spellings of the key columns that files often use (compared case-insensitively).
ALIASES: dict[str, str] = {
    "respondent_id": "respondent", "respondentid": "respondent", "id": "respondent",
    "respondent id": "respondent",
    "region_id": "region", "regionid": "region", "byregion": "region",
    "wave_id": "wave", "bølge": "wave", "bolge": "wave",
    "role_id": "role", "rolle": "role",
}

HeaderMap = Callable[[Sequence[str], object], Mapping[str, str]]


@dataclass(frozen=True)
class HeaderMapping:
    """The mapping chosen for a file: which map, and file column → canonical name."""

    name: str
    mapping: Mapping[str, str] = field(default_factory=dict)

    def canonical(self, column: str) -> str:
        return self.mapping.get(column, column)


def _known_names(study) -> dict[str, str]:
    names = {key: key for key in KEY_COLUMNS}
    names.update({alias: key for alias, key in ALIASES.items()})
    for item_id in study.items:
        names[item_id] = item_id
    return names


def canonical_header_map(columns: Sequence[str], study) -> dict[str, str]:
    """Columns named as the canonical form names them (case, spaces and a ``group/`` prefix ignored).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> study = SimpleNamespace(items={"lc1": None})
    >>> canonical_header_map(["Respondent", " LC1 ", "grp_a/lc1x", "Rolle"], study)
    {'Respondent': 'respondent', ' LC1 ': 'lc1', 'Rolle': 'role'}
    """
    known = _known_names(study)
    found = {}
    for column in columns:
        key = re.sub(r"\s+", " ", str(column).strip().lower())
        key = key.rsplit("/", 1)[-1]  # XLSForm-style group paths: "learning/lc1"
        if key in known:
            found[column] = known[key]
    return found


#: Registered header maps by name, tried in order; the canonical map is always last resort.
HEADER_MAPS: dict[str, HeaderMap] = {"canonical": canonical_header_map}


def register_header_map(name: str, header_map: HeaderMap) -> None:
    """Make ``header_map`` available to :func:`map_headers` under ``name``."""
    if not callable(header_map):
        raise TypeError(f"'header_map' must be callable (got {type(header_map).__name__})")
    HEADER_MAPS[name] = header_map


def map_headers(columns: Sequence[str], study, name: str | None = None) -> HeaderMapping:
    """The best header mapping for ``columns``: the registered map that finds most items.

    ``name`` forces one map. Two file columns that map to the same canonical name raise
    :class:`folge.InputError`, since it would be unclear which to use.
    """
    if name is not None and name not in HEADER_MAPS:
        raise InputError(f"unknown header map '{name}'; known: {', '.join(HEADER_MAPS)}")
    candidates = {name: HEADER_MAPS[name]} if name else HEADER_MAPS
    items = set(study.items)
    best: HeaderMapping | None = None
    best_score = (-1, -1)
    for map_name, header_map in candidates.items():
        mapping = dict(header_map(list(columns), study) or {})
        score = (sum(1 for v in mapping.values() if v in items), len(mapping))
        if score > best_score:
            best, best_score = HeaderMapping(map_name, mapping), score
    if best is None:  # every map was unregistered: fall back to the canonical one
        best = HeaderMapping("canonical", canonical_header_map(list(columns), study))
    seen: dict[str, str] = {}
    for column in columns:
        target = best.mapping.get(column)
        if target is None:
            continue
        if target in seen:
            raise InputError(f"columns {seen[target]!r} and {column!r} both mean '{target}'; keep one of them")
        seen[target] = column
    return best
