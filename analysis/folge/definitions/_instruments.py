"""Stage 2 and 3 for instruments and response scales: check the YAML, then build objects.

``check_*`` functions return every :class:`Problem` they find and never raise;
``build_*`` functions turn checked data into frozen objects from :mod:`._model`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

from ._model import (
    CONSTRUCT_KINDS,
    LANGUAGES,
    SCALE_TYPES,
    STAGES,
    TARGETS,
    Construct,
    Instrument,
    Item,
    Scale,
    Text,
)
from ._problems import Problem, did_you_mean, problem
from ._yaml import Document, line_of

__all__ = [
    "ITEM_ID",
    "check_scales",
    "check_instrument",
    "build_scales",
    "build_instrument",
    "check_text",
]

ITEM_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
INSTRUMENT_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
CONSTRUCT_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
MIN_ITEMS = {"scale": 3, "index": 3, "text": 1}

_INSTRUMENT_KEYS = {"id", "version", "level", "title", "intro", "scales", "constructs", "description"}
_CONSTRUCT_KEYS = {"id", "kind", "title", "items", "description"}
_ITEM_KEYS = {"id", "scale", "reverse", "text", "target", "stage", "note"}
_SCALE_KEYS = {"type", "points", "min", "labels", "missing"}


def check_text(path, node, parent, key, where: str) -> list[Problem]:
    """Problems with a translated text ``parent[key]``: it must give nb, nn and en."""
    line = line_of(parent, key)
    if not isinstance(node, dict):
        return [problem(path, line, "missing-translation", where=where, lang="nb, nn or en")]
    return [
        problem(path, line_of(node, None, line), "missing-translation", where=where, lang=lang)
        for lang in LANGUAGES
        if not isinstance(node.get(lang), str) or not node.get(lang).strip()
    ]


def _unknown_keys(path, node: dict, allowed: set[str], where: str) -> list[Problem]:
    return [
        problem(path, line_of(node, key), "unknown-key", where=where, key=key,
                hint=did_you_mean(key, allowed))
        for key in node
        if key not in allowed
    ]


# ---------------------------------------------------------------- scales
def _scale_values(raw: dict) -> tuple[int, ...]:
    kind = raw.get("type", "ordinal")
    if kind == "binary":
        return (0, 1)
    if kind == "ordinal":
        points = raw.get("points")
        start = raw.get("min", 1)
        if isinstance(points, int) and isinstance(start, int):
            return tuple(range(start, start + points))
    return ()


def check_scales(path, scales: Any, where_line: int = 1) -> list[Problem]:
    """Problems in a ``scales:`` mapping (shared ``scales.yaml`` or an instrument's own)."""
    if not isinstance(scales, dict):
        return [problem(path, where_line, "not-a-mapping", what="'scales'", got=type(scales).__name__)]
    problems: list[Problem] = []
    for name, raw in scales.items():
        line = line_of(scales, name)
        if not isinstance(raw, dict):
            problems.append(problem(path, line, "not-a-mapping", what=f"scale '{name}'",
                                    got=type(raw).__name__))
            continue
        problems += _unknown_keys(path, raw, _SCALE_KEYS, f"scale '{name}'")
        kind = raw.get("type", "ordinal")
        if kind not in SCALE_TYPES:
            problems.append(problem(path, line_of(raw, "type"), "bad-scale-type", scale=name,
                                    value=kind, allowed=", ".join(SCALE_TYPES)))
            continue
        if kind == "ordinal":
            points = raw.get("points")
            if not isinstance(points, int) or isinstance(points, bool) or not 2 <= points <= 11:
                problems.append(problem(path, line_of(raw, "points", line), "bad-value",
                                        where=f"scale '{name}'", key="points",
                                        rule="must be a whole number from 2 to 11", value=points))
                continue
        values = _scale_values(raw)
        if kind != "text":
            labels = raw.get("labels")
            if not isinstance(labels, dict):
                problems.append(problem(path, line, "missing-key", where=f"scale '{name}'", key="labels"))
            else:
                for lang in LANGUAGES:
                    got = labels.get(lang)
                    if not isinstance(got, list):
                        problems.append(problem(path, line_of(labels, None, line), "missing-translation",
                                                where=f"scale '{name}' labels", lang=lang))
                    elif len(got) != len(values):
                        problems.append(problem(path, line_of(labels, lang), "label-count", scale=name,
                                                got=len(got), lang=lang, expected=len(values)))
        missing = raw.get("missing") or {}
        if not isinstance(missing, dict):
            problems.append(problem(path, line_of(raw, "missing", line), "not-a-mapping",
                                    what=f"scale '{name}' missing", got=type(missing).__name__))
            continue
        for code, text in missing.items():
            if not isinstance(code, int) or isinstance(code, bool) or code in values:
                problems.append(problem(path, line_of(missing, code), "bad-missing-code", scale=name,
                                        value=code, values=list(values)))
            else:
                problems += check_text(path, text, missing, code, f"scale '{name}' missing code {code}")
    return problems


def build_scales(scales: dict) -> dict[str, Scale]:
    """Frozen :class:`Scale` objects from a checked ``scales:`` mapping."""
    built = {}
    for name, raw in scales.items():
        kind = raw.get("type", "ordinal")
        labels = {lang: tuple(str(x) for x in raw.get("labels", {}).get(lang, ())) for lang in LANGUAGES}
        missing = {int(code): Text({k: str(v) for k, v in text.items()})
                   for code, text in (raw.get("missing") or {}).items()}
        built[str(name)] = Scale(str(name), kind, _scale_values(raw),
                                 labels if kind != "text" else {}, missing)
    return built


# ---------------------------------------------------------------- instruments
def check_instrument(
    doc: Document,
    shared_scales: dict[str, Scale] | None = None,
    seen_items: dict[str, str] | None = None,
) -> list[Problem]:
    """Every problem in one instrument file.

    ``shared_scales`` are the scales of ``instruments/scales.yaml``; ``seen_items`` maps
    item ids already used by other instruments to where (updated in place), so duplicates
    across files are found too.
    """
    path = doc.path
    if doc.error:
        return [problem(path, doc.error_line, "yaml-syntax", detail=doc.error)]
    data = doc.data
    if not isinstance(data, dict):
        return [problem(path, 1, "not-a-mapping", what="an instrument file", got=type(data).__name__)]
    seen_items = {} if seen_items is None else seen_items
    problems = _unknown_keys(path, data, _INSTRUMENT_KEYS, "the instrument")
    for key in ("id", "version", "level", "title", "constructs"):
        if key not in data:
            problems.append(problem(path, 1, "missing-key", where="the instrument", key=key))
    if "id" in data and not (isinstance(data["id"], str) and INSTRUMENT_ID.match(data["id"])):
        problems.append(problem(path, line_of(data, "id"), "bad-instrument-id", value=data["id"],
                                pattern=INSTRUMENT_ID.pattern))
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append(problem(path, line_of(data, "version"), "bad-value", where="the instrument",
                                key="version", rule="must be a whole number ≥ 1", value=version))
    if "level" in data and data["level"] not in ("respondent", "region"):
        problems.append(problem(path, line_of(data, "level"), "bad-level", value=data["level"]))
    if "title" in data:
        problems += check_text(path, data["title"], data, "title", "the instrument title")
    if "intro" in data:
        problems += check_text(path, data["intro"], data, "intro", "the instrument intro")
    scales = dict(shared_scales or {})
    if "scales" in data:
        local_problems = check_scales(path, data["scales"], line_of(data, "scales"))
        problems += local_problems
        if not any(p.is_error for p in local_problems):
            scales.update(build_scales(data["scales"]))
    constructs = data.get("constructs")
    if "constructs" in data and not isinstance(constructs, list):
        problems.append(problem(path, line_of(data, "constructs"), "not-a-mapping",
                                what="'constructs' (a list)", got=type(constructs).__name__))
        return problems
    construct_ids: set[str] = set()
    for c in constructs or []:
        problems += _check_construct(path, c, constructs, scales, construct_ids, seen_items)
    return problems


def _check_construct(path, c, parent, scales, construct_ids, seen_items) -> list[Problem]:
    problems: list[Problem] = []
    line = line_of(c, None, line_of(parent))
    if not isinstance(c, dict):
        return [problem(path, line, "not-a-mapping", what="a construct", got=type(c).__name__)]
    cid = c.get("id")
    problems += _unknown_keys(path, c, _CONSTRUCT_KEYS, f"construct '{cid}'")
    if cid is None:
        problems.append(problem(path, line, "missing-key", where="a construct", key="id"))
    elif not (isinstance(cid, str) and CONSTRUCT_ID.match(cid)):
        problems.append(problem(path, line_of(c, "id"), "bad-construct-id", value=cid,
                                pattern=CONSTRUCT_ID.pattern))
    elif cid in construct_ids:
        problems.append(problem(path, line_of(c, "id"), "duplicate-construct", value=cid))
    construct_ids.add(cid)
    kind = c.get("kind", "scale")
    if kind not in CONSTRUCT_KINDS:
        problems.append(problem(path, line_of(c, "kind"), "unknown-kind", construct=cid, value=kind,
                                allowed=", ".join(CONSTRUCT_KINDS),
                                hint=did_you_mean(kind, CONSTRUCT_KINDS)))
    if "title" not in c:
        problems.append(problem(path, line, "missing-key", where=f"construct '{cid}'", key="title"))
    else:
        problems += check_text(path, c["title"], c, "title", f"construct '{cid}' title")
    items = c.get("items")
    if not items:
        problems.append(problem(path, line_of(c, "items", line), "empty-construct", construct=cid))
        return problems
    if not isinstance(items, list):
        problems.append(problem(path, line_of(c, "items"), "not-a-mapping",
                                what=f"construct '{cid}' items (a list)", got=type(items).__name__))
        return problems
    minimum = MIN_ITEMS.get(kind, 1)
    if len(items) < minimum:
        problems.append(problem(path, line_of(c, "items"), "too-few-items", construct=cid,
                                got=len(items), kind=kind, expected=minimum))
    used_scales: dict[str, int] = {}
    for i, item in enumerate(items):
        problems += _check_item(path, item, items, i, cid, scales, seen_items, used_scales)
    if len(used_scales) > 1:
        problems.append(problem(path, line_of(c, "items"), "mixed-scales", construct=cid,
                                scales=", ".join(sorted(used_scales))))
    return problems


def _check_item(path, item, items, index, cid, scales, seen_items, used_scales) -> list[Problem]:
    line = line_of(items, index)
    if not isinstance(item, dict):
        return [problem(path, line, "not-a-mapping", what="an item", got=type(item).__name__)]
    problems: list[Problem] = []
    iid = item.get("id")
    problems += _unknown_keys(path, item, _ITEM_KEYS, f"item '{iid}'")
    if iid is None:
        problems.append(problem(path, line, "missing-key", where=f"an item of '{cid}'", key="id"))
    elif not (isinstance(iid, str) and ITEM_ID.match(iid)):
        problems.append(problem(path, line_of(item, "id"), "bad-item-id", value=iid,
                                pattern=ITEM_ID.pattern))
    elif iid in seen_items:
        problems.append(problem(path, line_of(item, "id"), "duplicate-item", value=iid,
                                first=seen_items[iid]))
    else:
        seen_items[iid] = f"at {path}:{line_of(item, 'id')}"
    scale_name = item.get("scale")
    scale = None
    if scale_name is None:
        problems.append(problem(path, line, "missing-key", where=f"item '{iid}'", key="scale"))
    elif scale_name not in scales:
        problems.append(problem(path, line_of(item, "scale"), "unknown-scale", item=iid,
                                value=scale_name, hint=did_you_mean(scale_name, scales)))
    else:
        scale = scales[scale_name]
        used_scales.setdefault(scale_name, line_of(item, "scale"))
    reverse = item.get("reverse", False)
    if not isinstance(reverse, bool):
        problems.append(problem(path, line_of(item, "reverse"), "bad-value", where=f"item '{iid}'",
                                key="reverse", rule="must be true or false", value=reverse))
    elif reverse and scale is not None and not scale.is_ordinal:
        problems.append(problem(path, line_of(item, "reverse"), "reverse-non-ordinal", item=iid,
                                scale=scale.id, type=scale.type))
    if "text" not in item:
        problems.append(problem(path, line, "missing-key", where=f"item '{iid}'", key="text"))
    else:
        problems += check_text(path, item["text"], item, "text", f"item '{iid}'")
    if "target" in item and item["target"] not in TARGETS:
        problems.append(problem(path, line_of(item, "target"), "unknown-target", item=iid,
                                value=item["target"], allowed=", ".join(TARGETS)))
    if "stage" in item and item["stage"] not in STAGES:
        problems.append(problem(path, line_of(item, "stage"), "unknown-stage", item=iid,
                                value=item["stage"], allowed=", ".join(STAGES)))
    return problems


def _text(node) -> Text:
    return Text({str(k): str(v) for k, v in (node or {}).items()})


def build_instrument(doc: Document, shared_scales: dict[str, Scale] | None = None) -> Instrument:
    """A frozen :class:`Instrument` from a document that passed :func:`check_instrument`."""
    data = doc.data
    scales = dict(shared_scales or {})
    if data.get("scales"):
        scales.update(build_scales(data["scales"]))
    position = 0
    constructs = []
    for c in data["constructs"]:
        items = []
        for raw in c["items"]:
            position += 1
            items.append(Item(
                id=raw["id"], instrument=data["id"], construct=c["id"], scale=scales[raw["scale"]],
                text=_text(raw["text"]), position=position, reverse=bool(raw.get("reverse", False)),
                target=raw.get("target"), stage=raw.get("stage"),
            ))
        constructs.append(Construct(c["id"], data["id"], c.get("kind", "scale"), _text(c["title"]),
                                    tuple(items)))
    used = {item.scale.id: item.scale for con in constructs for item in con.items}
    return Instrument(
        id=data["id"], version=int(data.get("version", 1)), level=data["level"],
        title=_text(data["title"]), constructs=tuple(constructs), scales=used,
        intro=_text(data.get("intro")), path=Path(doc.path),
    )


def problems_are_fatal(problems: Iterable[Problem]) -> bool:
    return any(p.is_error for p in problems)
