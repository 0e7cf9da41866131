"""Stage 2 and 3 for the study design (``research/study.yaml``)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Mapping

from ._instruments import check_text
from ._model import SECTORS, Instrument, Region, Role, Settings, Study, Text, Wave
from ._problems import Problem, did_you_mean, problem
from ._schedule import build_schedule, check_schedule
from ._yaml import Document, line_of, plain

__all__ = ["check_study", "build_study"]

_STUDY_KEYS = {"programme", "programme_owner", "short_name", "owner", "min_n", "languages", "licence", "settings",
               "regions", "roles", "waves", "sectors", "description", "contact"}
_SETTING_KEYS = {"score_min_share": (0.0, 1.0), "alpha_bar": (0.0, 1.0), "rwg_bar": (0.0, 1.0),
                 "significance": (0.0, 0.5), "min_seconds_per_item": (0.0, 60.0)}
#: settings that are true or false rather than numbers
_SETTING_FLAGS = {"exclude_flagged"}
#: settings that are whole numbers, with their smallest and largest allowed value
_WHOLE_SETTINGS = {"max_freed": (0, 10)}
#: settings with a fixed set of choices (the first is the default)
_CHOICE_SETTINGS = {"weighting": ("raking", "none"), "weight_empty": ("error", "collapse"),
                    "invariance_model": ("multi-group", "longitudinal")}
_OTHER_SETTINGS = ("weight_trim", "eb_below")
#: Columns of the answers the trend and change models can adjust for (``settings.adjust_for``).
ADJUSTABLE = ("role",)
#: Model settings that are not a number in a range: key → check (None when the value is fine, else the rule broken).
_MODEL_SETTINGS = {
    "adjust_for": lambda v: None if isinstance(v, list) and all(x in ADJUSTABLE for x in v) else
    f"must be a list of columns to adjust for, each one of {', '.join(ADJUSTABLE)} ([] for none)",
    "association_min_regions": lambda v: None if isinstance(v, int) and not isinstance(v, bool) and v >= 3 else
    "must be a whole number ≥ 3",
}
#: every setting the checker knows (for "did you mean")
_KNOWN_SETTINGS = {*_SETTING_KEYS, *_SETTING_FLAGS, *_WHOLE_SETTINGS, *_CHOICE_SETTINGS, *_OTHER_SETTINGS,
                   *_MODEL_SETTINGS}
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
LICENCES = ("NLOD-2.0", "CC-BY-4.0")


def _as_date(value):
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def check_study(doc: Document, instrument_ids) -> list[Problem]:
    """Every problem in ``study.yaml``; ``instrument_ids`` are the instruments that exist."""
    path = doc.path
    if doc.error:
        return [problem(path, doc.error_line, "yaml-syntax", detail=doc.error)]
    data = doc.data
    if not isinstance(data, dict):
        return [problem(path, 1, "not-a-mapping", what="the study file", got=type(data).__name__)]
    problems = [problem(path, line_of(data, k), "unknown-key", where="the study", key=k,
                        hint=did_you_mean(k, _STUDY_KEYS)) for k in data if k not in _STUDY_KEYS]
    for key in ("programme", "regions", "roles", "waves"):
        if key not in data:
            problems.append(problem(path, 1, "missing-key", where="the study", key=key))
    min_n = data.get("min_n", 5)
    if not isinstance(min_n, int) or isinstance(min_n, bool) or min_n < 1:
        problems.append(problem(path, line_of(data, "min_n"), "bad-value", where="the study",
                                key="min_n", rule="must be a whole number ≥ 1", value=min_n))
    licence = data.get("licence", "NLOD-2.0")
    if licence not in LICENCES:
        problems.append(problem(path, line_of(data, "licence"), "bad-value", where="the study",
                                key="licence", rule=f"must be one of {', '.join(LICENCES)}", value=licence))
    settings = data.get("settings") or {}
    for key, value in settings.items():
        if key in _MODEL_SETTINGS:
            rule = _MODEL_SETTINGS[key](value)
            if rule:
                problems.append(problem(path, line_of(settings, key), "bad-value", where="settings", key=key,
                                        rule=rule, value=value))
            continue
        if key in _CHOICE_SETTINGS or key in _OTHER_SETTINGS:
            problems += _check_survey_setting(path, settings, key, value)
            continue
        if key in _SETTING_FLAGS:
            if not isinstance(value, bool):
                problems.append(problem(path, line_of(settings, key), "bad-value", where="settings",
                                        key=key, rule="must be true or false", value=value))
            continue
        if key in _WHOLE_SETTINGS:
            problems += _check_whole_setting(path, settings, key, value)
            continue
        if key not in _SETTING_KEYS:
            problems.append(problem(path, line_of(settings, key), "unknown-key", where="settings",
                                    key=key, hint=did_you_mean(key, _KNOWN_SETTINGS)))
            continue
        low, high = _SETTING_KEYS[key]
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not low < value <= high:
            problems.append(problem(path, line_of(settings, key), "bad-value", where="settings",
                                    key=key, rule=f"must be a number above {low} and at most {high}",
                                    value=value))
    problems += _check_list(path, data, "regions", "region", _check_region)
    problems += _check_list(path, data, "roles", "role", _check_role)
    problems += _check_list(path, data, "waves", "wave",
                            lambda p, r, line: _check_wave(p, r, line, instrument_ids, data))
    return problems


def _check_whole_setting(path, settings, key, value) -> list[Problem]:
    low, high = _WHOLE_SETTINGS[key]
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return []
    return [problem(path, line_of(settings, key), "bad-value", where="settings", key=key,
                    rule=f"must be a whole number from {low} to {high}", value=value)]


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_survey_setting(path, settings, key, value) -> list[Problem]:
    """Problems of the settings with a fixed set of choices (``weighting``, ``weight_empty``,
    ``invariance_model``) and of ``weight_trim``, ``eb_below``."""
    if key in _CHOICE_SETTINGS:
        ok, rule = value in _CHOICE_SETTINGS[key], f"must be one of {', '.join(_CHOICE_SETTINGS[key])}"
    elif key == "eb_below":
        ok, rule = isinstance(value, int) and not isinstance(value, bool) and value >= 1, "must be a whole number ≥ 1"
    elif _is_number(value):
        ok, rule = value >= 1, "must be an upper ratio ≥ 1 or a pair [lower, upper] with 0 ≤ lower ≤ 1 ≤ upper"
    else:
        pair = isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value)
        ok = pair and 0 <= value[0] <= 1 <= value[1]
        rule = "must be an upper ratio ≥ 1 or a pair [lower, upper] with 0 ≤ lower ≤ 1 ≤ upper"
    if ok:
        return []
    return [problem(path, line_of(settings, key), "bad-value", where="settings", key=key, rule=rule, value=value)]


def _settings(node) -> Settings:
    """The study's :class:`Settings` from its checked ``settings`` mapping."""
    values = {}
    for key, value in (node or {}).items():
        if key in _CHOICE_SETTINGS:
            values[key] = str(value)
        elif key == "eb_below":
            values[key] = int(value)
        elif key == "weight_trim":
            values[key] = float(value) if _is_number(value) else (float(value[0]), float(value[1]))
        elif key in _WHOLE_SETTINGS:
            values[key] = int(value)
        elif key in _SETTING_FLAGS:
            values[key] = bool(value)
        elif key == "adjust_for":
            values[key] = tuple(str(c) for c in value)
        elif key == "association_min_regions":
            values[key] = int(value)
        elif key in _SETTING_KEYS:
            values[key] = float(value)
    return Settings(**values)


def _check_list(path, data, key, what, check_one) -> list[Problem]:
    node = data.get(key)
    if node is None:
        return []
    if not isinstance(node, list) or not node:
        return [problem(path, line_of(data, key), "bad-value", where="the study", key=key,
                        rule="must be a non-empty list", value=type(node).__name__)]
    problems, seen = [], set()
    for i, raw in enumerate(node):
        line = line_of(node, i)
        if not isinstance(raw, dict):
            problems.append(problem(path, line, "not-a-mapping", what=f"a {what}", got=type(raw).__name__))
            continue
        rid = raw.get("id")
        if rid is None:
            problems.append(problem(path, line, "missing-key", where=f"a {what}", key="id"))
            continue
        rid = str(rid)
        if not _ID.match(rid):
            problems.append(problem(path, line, "bad-value", where=f"{what} '{rid}'", key="id",
                                    rule=f"must match {_ID.pattern}", value=rid))
        if rid in seen:
            problems.append(problem(path, line, "duplicate-id", what=what, value=rid))
        seen.add(rid)
        problems += check_one(path, raw, line)
    return problems


def _check_region(path, raw, line) -> list[Problem]:
    problems = []
    if not raw.get("name"):
        problems.append(problem(path, line, "missing-key", where=f"region '{raw['id']}'", key="name"))
    lang = raw.get("language", "nb")
    if lang not in ("nb", "nn"):
        problems.append(problem(path, line_of(raw, "language", line), "bad-region-language",
                                region=raw["id"], value=lang))
    return problems


def _check_role(path, raw, line) -> list[Problem]:
    problems = []
    sector = raw.get("sector")
    if sector is None:
        problems.append(problem(path, line, "role-without-sector", role=raw["id"],
                                allowed=", ".join(SECTORS)))
    elif sector not in SECTORS:
        problems.append(problem(path, line_of(raw, "sector", line), "unknown-sector", role=raw["id"],
                                value=sector, allowed=", ".join(SECTORS)))
    if "title" in raw:
        problems += check_text(path, raw["title"], raw, "title", f"role '{raw['id']}' title")
    return problems


def _check_wave(path, raw, line, instrument_ids, data) -> list[Problem]:
    problems = []
    wid = str(raw["id"])
    if "date" in raw and _as_date(raw["date"]) is None:
        problems.append(problem(path, line_of(raw, "date", line), "bad-date", wave=wid, value=str(raw["date"])))
    instruments = raw.get("instruments")
    if not isinstance(instruments, list) or not instruments:
        problems.append(problem(path, line, "missing-key", where=f"wave '{wid}'", key="instruments"))
    else:
        for i, inst in enumerate(instruments):
            if inst not in instrument_ids:
                problems.append(problem(path, line_of(instruments, i, line), "unknown-instrument",
                                        wave=wid, value=inst, hint=did_you_mean(inst, instrument_ids)))
    if "closed" in raw and not isinstance(raw["closed"], bool):
        problems.append(problem(path, line_of(raw, "closed", line), "bad-value", where=f"wave '{wid}'",
                                key="closed", rule="must be true or false", value=raw["closed"]))
    region_ids = {str(r.get("id")) for r in data.get("regions") or [] if isinstance(r, dict)}
    invited = raw.get("invited") or {}
    if not isinstance(invited, dict):
        problems.append(problem(path, line_of(raw, "invited", line), "not-a-mapping",
                                what=f"wave '{wid}' invited", got=type(invited).__name__))
    else:
        for region_id in invited:
            if str(region_id) not in region_ids:
                problems.append(problem(path, line_of(invited, region_id, line), "unknown-region",
                                        where=f"wave '{wid}' invited", value=region_id,
                                        hint=did_you_mean(region_id, region_ids)))
    problems += check_schedule(path, raw, line, wid)
    return problems


def build_study(doc: Document, instruments: Mapping[str, Instrument], root: Path) -> Study:
    """A frozen :class:`Study` from a checked ``study.yaml`` and its instruments."""
    data = doc.data

    def text(node) -> Text:
        return Text({str(k): str(v) for k, v in (node or {}).items()})

    settings = _settings(plain(data.get("settings")))
    regions = tuple(
        Region(str(r["id"]), str(r["name"]), r.get("language", "nb"),
               tuple(str(m) for m in r.get("municipalities") or ()))
        for r in data["regions"]
    )
    roles = tuple(Role(str(r["id"]), r["sector"], text(r.get("title"))) for r in data["roles"])
    waves = tuple(
        Wave(str(w["id"]), _as_date(w.get("date")), tuple(w["instruments"]), bool(w.get("closed", False)),
             {str(k): plain(v) for k, v in (w.get("invited") or {}).items()}, *build_schedule(w))
        for w in data["waves"]
    )
    return Study(
        root=Path(root), programme=str(data["programme"]), min_n=int(data.get("min_n", 5)),
        languages=tuple(data.get("languages") or ("nb", "nn", "en")), regions=regions, roles=roles,
        waves=waves, instruments=dict(instruments), settings=settings,
        short_name=str(data.get("short_name", "")), licence=data.get("licence", "NLOD-2.0"),
        owner=text(data.get("owner")),
    )
