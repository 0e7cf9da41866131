"""Column maps (``folge ingest --columns MAP.yaml``): other platforms' exports in canonical form.

A column map is a small YAML file that says how one survey platform's export differs from
the canonical wide form: which header is which item or key column, which headers to drop,
how the platform writes answers and missing codes, and which key columns are one constant.
It runs right after reading, before the header maps (:mod:`._headers`), so everything
after it (recognising the instrument, validation, quarantine, pseudonyms) is unchanged.
Examples ship in ``instruments/maps/`` (LimeSurvey, Nettskjema, Questback EFS) and travel
with ``folge init``; ``--columns limesurvey`` finds ``instruments/maps/limesurvey.yaml``.

Schema (version 1; every key but ``folge_column_map`` is optional)::

    folge_column_map: 1          # marks the file as a folge column map, schema version 1
    name: LimeSurvey             # shown in ingest's description ("columns: LimeSurvey")
    description: ...             # free text for people

    columns:                     # exact header renames: file header → canonical name
      token: respondent          #   (headers compared case-insensitively, outer spaces ignored)
      "CHAIN[learned]": chain_learned
    patterns:                    # regex renames for headers not named under `columns`;
      - match: '^[A-Za-z][A-Za-z0-9]*\\[(?P<item>[A-Za-z0-9]+)\\]$'   # full match, any case
        to: '{item}'             #   format string over the named groups; lower-cased
    ignore: [id, submitdate]     # exact headers dropped without a warning (a header that
    ignore_patterns: ['^\\$']     #   is an item id or key column is never dropped); regexes
                                 #   searched in the header
    constants:                   # key columns the file lacks: one value for every row
      wave: "2016-1"             #   (region, role, wave or respondent)
    keep_rows:                   # keep only rows whose cell is one of the listed values;
      dispcode: [31, 32]         #   the others are dropped before validation and counted
    values:                      # answers: file value → folge value
      scales:                    #   for every item on the scale (ids from instruments/scales.yaml)
        agree5: {A1: 1, A2: 2, A3: 3, A4: 4, A5: 5, A9: 9}
      items:                     #   for one column: an item id or region, role, wave;
        role: {projectleader: project-leader}   # wins over `scales`
      labels: [nb]               #   also accept the scales' own labels in these languages
                                 #   ("Helt enig" → 5); `all` for nb, nn and en
    missing:                     # platform missing codes in item columns → a folge
      -77: 9                     #   missing code, or `blank` (also null or ""); in
      -99: blank                 #   free-text items only the `blank` entries apply

Canonical names are ``respondent``, ``respondent_pseudonym`` (a column that already holds
folge pseudonyms, as ``folge export`` writes it), ``region``, ``wave``, ``role`` and the
study's item ids. Answers are compared without case and outer spaces, and numbers by
value (``-77``, ``-77.0`` and ``-77,0`` are one key). For each cell the first that applies
wins: ``values.items``, ``values.scales``, ``missing``, ``values.labels``; a cell nothing
applies to is passed on unchanged, so validation quarantines what is still wrong.
Every problem in a map is reported at once (:class:`folge.InputError`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import InputError
from ..definitions import LANGUAGES, did_you_mean
from ._headers import KEY_COLUMNS, canonical_header_map
from ._read import RawTable
from ._reasons import Reason
from ._validate import parse_number

__all__ = [
    "MAPS_DIR",
    "PSEUDONYM_COLUMN",
    "ColumnMap",
    "apply_column_map",
    "find_column_map",
    "load_column_map",
]

#: A column that already holds folge pseudonyms: stored as they are, never hashed again.
PSEUDONYM_COLUMN = "respondent_pseudonym"
#: Where a study keeps its column maps (``--columns NAME`` looks here).
MAPS_DIR = Path("instruments") / "maps"

SCHEMA_VERSION = 1
_TOP_KEYS = ("folge_column_map", "name", "description", "columns", "patterns", "ignore", "ignore_patterns",
             "constants", "keep_rows", "values", "missing")
_VALUE_KEYS = ("scales", "items", "labels")
_BLANK_WORDS = ("blank", "")

#: Warnings a column map can add to an import (codes beside :data:`folge.ingest.WARNINGS`).
MAP_WARNINGS = {
    "rows-dropped": "{count} row(s) dropped by the column map's keep_rows ({column} not in {allowed})",
}


@dataclass(frozen=True)
class ColumnMap:
    """A loaded column map (see the module docstring for the YAML schema)."""

    name: str
    source: str = ""
    columns: Mapping[str, str] = field(default_factory=dict)
    patterns: tuple[tuple[re.Pattern, str], ...] = ()
    ignore: frozenset[str] = frozenset()
    ignore_patterns: tuple[re.Pattern, ...] = ()
    constants: Mapping[str, str] = field(default_factory=dict)
    keep_rows: Mapping[str, frozenset[str]] = field(default_factory=dict)
    scale_values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    item_values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    labels: tuple[str, ...] = ()
    missing: Mapping[str, str] = field(default_factory=dict)

    def target(self, header: str) -> str | None:
        """The canonical name this map gives ``header`` (``None``: not renamed by the map)."""
        key = _header_key(header)
        if key in self.columns:
            return self.columns[key]
        for pattern, template in self.patterns:
            found = pattern.fullmatch(str(header).strip())
            if found:
                try:
                    return template.format(*found.groups(), **found.groupdict()).strip().lower()
                except (IndexError, KeyError):
                    return None
        return None

    def ignores(self, header: str) -> bool:
        return _header_key(header) in self.ignore or any(p.search(str(header).strip()) for p in self.ignore_patterns)


# ---------------------------------------------------------------- keys
def _header_key(header) -> str:
    return re.sub(r"\s+", " ", str(header).strip()).casefold()


def value_key(value) -> str:
    """How a cell or a map key is compared: numbers by value, text without case and outer spaces.

    Examples
    --------
    >>> [value_key(v) for v in (-77, "-77.0", " -77,0 ", "A1", " Helt enig ", 9.0, True)]
    ['-77', '-77', '-77', 'a1', 'helt enig', '9', 'true']
    """
    if isinstance(value, bool):
        return str(value).casefold()
    text = str(value).strip()
    kind, number = parse_number(text)
    if kind == "int":
        return str(number)
    return re.sub(r"\s+", " ", text).casefold()


def _target_value(value) -> str:
    """A map's right-hand side as the text folge reads: blank for ``blank``/null/"", ints as ints."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return "" if text.casefold() in _BLANK_WORDS else text


# ---------------------------------------------------------------- loading
def find_column_map(spec: str | Path, study_root: str | Path | None = None) -> Path:
    """The file ``spec`` names: a path, or the name of a map in the study's (or shipped) ``instruments/maps``.

    Raises
    ------
    InputError
        When no such file exists (the message lists the maps that do).
    """
    path = Path(spec)
    if path.is_file():
        return path
    from .._paths import defaults_dir

    folders = [Path(study_root) / MAPS_DIR] if study_root is not None else []
    folders.append(defaults_dir() / MAPS_DIR)
    name = path.name if path.suffix in (".yaml", ".yml") else f"{path.name}.yaml"
    for folder in folders:
        if (folder / name).is_file():
            return folder / name
    known = sorted({p.stem for folder in folders if folder.is_dir() for p in folder.glob("*.yaml")})
    raise InputError(f"column map '{spec}': no such file, and no map of that name in instruments/maps"
                     f"{did_you_mean(path.stem, known)} (known: {', '.join(known) or 'none'})")


def _compile(pattern, where: str, problems: list[str]) -> re.Pattern | None:
    if not isinstance(pattern, str) or not pattern:
        problems.append(f"{where}: expected a regular expression (text), got {pattern!r}")
        return None
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        problems.append(f"{where}: {pattern!r} is not a valid regular expression ({exc})")
        return None


def _mapping(data, where: str, problems: list[str]) -> dict:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        problems.append(f"{where}: expected a mapping (key: value), got {type(data).__name__}")
        return {}
    return dict(data)


def _value_table(data, where: str, problems: list[str]) -> dict[str, str]:
    table = {}
    for key, value in _mapping(data, where, problems).items():
        if isinstance(value, (Mapping, list)):
            problems.append(f"{where}.{key}: expected one value (a code, a text or blank), got {type(value).__name__}")
            continue
        table[value_key(key)] = _target_value(value)
    return table


def _names(data, where: str, problems: list[str]) -> list:
    if data is None:
        return []
    if isinstance(data, (str, int)):
        return [data]
    if not isinstance(data, list):
        problems.append(f"{where}: expected a list, got {type(data).__name__}")
        return []
    return data


def parse_column_map(data, source: str = "<map>") -> ColumnMap:
    """Build a :class:`ColumnMap` from already-parsed YAML; every schema problem at once.

    Raises
    ------
    InputError
        With one line per problem (``source: key: what is wrong``).
    """
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise InputError(f"{source}: a column map is a YAML mapping (got {type(data).__name__})")
    if data.get("folge_column_map") != SCHEMA_VERSION:
        problems.append(f"folge_column_map: must be {SCHEMA_VERSION} (marks the file as a folge column map), "
                        f"got {data.get('folge_column_map')!r}")
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(f"{key}: unknown key{did_you_mean(str(key), _TOP_KEYS)}; known: {', '.join(_TOP_KEYS)}")
    columns = {}
    for header, target in _mapping(data.get("columns"), "columns", problems).items():
        if not isinstance(target, str) or not target.strip():
            problems.append(f"columns.{header}: expected a canonical name (text), got {target!r}")
            continue
        columns[_header_key(header)] = target.strip()
    patterns = []
    for i, entry in enumerate(_names(data.get("patterns"), "patterns", problems)):
        where = f"patterns[{i}]"
        if not isinstance(entry, Mapping) or set(entry) - {"match", "to"} or "match" not in entry or "to" not in entry:
            problems.append(f"{where}: expected {{match: REGEX, to: TEMPLATE}}, got {entry!r}")
            continue
        compiled = _compile(entry["match"], f"{where}.match", problems)
        if compiled is not None:
            patterns.append((compiled, str(entry["to"])))
    ignore = frozenset(_header_key(h) for h in _names(data.get("ignore"), "ignore", problems))
    ignore_patterns = tuple(p for i, raw in enumerate(_names(data.get("ignore_patterns"), "ignore_patterns", problems))
                            if (p := _compile(raw, f"ignore_patterns[{i}]", problems)) is not None)
    constants = {}
    for key, value in _mapping(data.get("constants"), "constants", problems).items():
        if key not in KEY_COLUMNS:
            problems.append(f"constants.{key}: only key columns can be constants ({', '.join(KEY_COLUMNS)})")
        elif value is None or isinstance(value, (Mapping, list)):
            problems.append(f"constants.{key}: expected one value, got {value!r}")
        else:
            constants[key] = _target_value(value)
    keep_rows = {}
    for header, allowed in _mapping(data.get("keep_rows"), "keep_rows", problems).items():
        values = _names(allowed, f"keep_rows.{header}", problems)
        keep_rows[str(header).strip()] = frozenset(value_key(v) for v in values)
    values = _mapping(data.get("values"), "values", problems)
    for key in values:
        if key not in _VALUE_KEYS:
            problems.append(f"values.{key}: unknown key{did_you_mean(str(key), _VALUE_KEYS)}; "
                            f"known: {', '.join(_VALUE_KEYS)}")
    scale_values = {str(scale): _value_table(table, f"values.scales.{scale}", problems)
                    for scale, table in _mapping(values.get("scales"), "values.scales", problems).items()}
    item_values = {str(item): _value_table(table, f"values.items.{item}", problems)
                   for item, table in _mapping(values.get("items"), "values.items", problems).items()}
    labels_raw = values.get("labels")
    if labels_raw in ("all", True):
        labels: tuple[str, ...] = LANGUAGES
    else:
        labels = tuple(str(lang) for lang in _names(labels_raw, "values.labels", problems))
        for lang in labels:
            if lang not in LANGUAGES:
                problems.append(f"values.labels: unknown language {lang!r}; use {', '.join(LANGUAGES)} or all")
    missing = _value_table(data.get("missing"), "missing", problems)
    if problems:
        raise InputError(f"{source}: the column map has {len(problems)} problem(s):\n  "
                         + "\n  ".join(problems))
    name = str(data.get("name") or Path(source).stem)
    return ColumnMap(name, source, columns, tuple(patterns), ignore, ignore_patterns, constants, keep_rows,
                     scale_values, item_values, labels, missing)


def load_column_map(spec: str | Path | ColumnMap, study_root: str | Path | None = None) -> ColumnMap:
    """Read a column map: a :class:`ColumnMap`, a YAML file, or the name of a map in ``instruments/maps``."""
    if isinstance(spec, ColumnMap):
        return spec
    from ruamel.yaml import YAML, YAMLError

    path = find_column_map(spec, study_root)
    try:
        data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError) as exc:
        raise InputError(f"{path}: cannot read the column map ({exc})") from None
    return parse_column_map(data, str(path))


# ---------------------------------------------------------------- checking against a study
def _check_against_study(cmap: ColumnMap, study) -> None:
    problems = []
    known = set(KEY_COLUMNS) | {PSEUDONYM_COLUMN} | set(study.items)
    for header, target in cmap.columns.items():
        if target not in known:
            problems.append(f"columns.{header}: '{target}' is neither a key column nor an item of the study"
                            f"{did_you_mean(target, known)}")
    scales = {item.scale.id for item in study.items.values()}
    for scale in cmap.scale_values:
        if scale not in scales:
            problems.append(f"values.scales.{scale}: no item of the study uses this scale{did_you_mean(scale, scales)}")
    for item in cmap.item_values:
        if item not in known:
            problems.append(f"values.items.{item}: not a column of the study{did_you_mean(item, known)}")
    if problems:
        raise InputError(f"{cmap.source}: the column map does not fit the study ({len(problems)} problem(s)):\n  "
                         + "\n  ".join(problems))


# ---------------------------------------------------------------- applying
def _label_table(scale, languages) -> dict[str, str]:
    """The scale's labels (and missing-code texts) in ``languages`` → code; ambiguous labels left out."""
    table: dict[str, str] = {}
    clashes: set[str] = set()
    for lang in languages:
        pairs = list(zip(scale.labels.get(lang, ()), scale.values))
        pairs += [(text.get_lang(lang), code) for code, text in scale.missing.items()]
        for label, code in pairs:
            key = value_key(label)
            if table.get(key, str(code)) != str(code):
                clashes.add(key)
            table[key] = str(code)
    return {k: v for k, v in table.items() if k not in clashes}


def _translate(column: np.ndarray, tables: list[dict[str, str]]) -> np.ndarray:
    """Each distinct cell looked up in ``tables`` in turn (first hit wins); others unchanged."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    out = []
    for raw in uniques:
        text = "" if raw is None else str(raw)
        key = value_key(text)
        for table in tables:
            if key in table:
                text = table[key]
                break
        out.append(text)
    return np.array(out + [""], dtype=object)[codes]


def apply_column_map(cmap: ColumnMap, raw: RawTable, study) -> tuple[RawTable, list[Reason]]:
    """``raw`` with the map applied: rows kept, headers renamed or dropped, answers translated, constants added.

    Returns the new table and warnings for the import log (rows dropped by ``keep_rows``).

    Raises
    ------
    InputError
        When the map names something the study lacks, two headers end up with one name,
        or a ``keep_rows`` column is not in the file.
    """
    _check_against_study(cmap, study)
    frame, rows, row_reasons = raw.frame, raw.row_numbers, dict(raw.row_reasons)
    warnings: list[Reason] = []
    # 1. rows
    for header, allowed in cmap.keep_rows.items():
        matches = [c for c in frame.columns if _header_key(c) == _header_key(header)]
        if not matches:
            raise InputError(f"{cmap.source}: keep_rows names column '{header}', which the file lacks"
                             f"{did_you_mean(header, list(map(str, frame.columns)))}")
        keys = np.array([value_key(v) for v in frame[matches[0]].to_numpy(dtype=object)], dtype=object)
        keep = np.isin(keys, list(allowed))
        if not keep.all():
            shown = ", ".join(sorted(allowed))
            message = MAP_WARNINGS["rows-dropped"].format(count=int((~keep).sum()), column=header, allowed=shown)
            warnings.append(Reason("rows-dropped", header, str(int((~keep).sum())), message))
            position = np.cumsum(keep) - 1
            row_reasons = {int(position[p]): found for p, found in row_reasons.items() if keep[p]}
            frame = frame.loc[keep].reset_index(drop=True)
            rows = rows[keep]
    # 2. headers
    renames: dict[str, str] = {}
    dropped: list[str] = []
    protected = set(KEY_COLUMNS) | set(study.items)
    for column in frame.columns:
        target = cmap.target(column)
        if target is not None:
            renames[column] = target
        elif cmap.ignores(column) and _header_key(column) not in protected:  # items and keys are never dropped
            dropped.append(column)
    seen: dict[str, str] = {}
    for column, target in renames.items():
        if target in seen:
            raise InputError(f"{cmap.source}: columns {seen[target]!r} and {column!r} both become '{target}'; "
                             "keep one of them (or ignore the other)")
        seen[target] = column
    frame = frame.drop(columns=dropped).rename(columns=renames)
    canonical = canonical_header_map([c for c in frame.columns if c not in seen], study)
    names = {column: canonical.get(column, column) for column in frame.columns}
    # 3. answers
    items = study.items
    new_columns = {}
    for column in frame.columns:
        name = names[column]
        item = items.get(name)
        tables = []
        if name in cmap.item_values:
            tables.append(cmap.item_values[name])
        if item is not None:
            if item.scale.id in cmap.scale_values:
                tables.append(cmap.scale_values[item.scale.id])
            if cmap.missing and item.scale.is_numeric:
                tables.append(cmap.missing)
            elif cmap.missing:  # free text: only "→ blank" applies (a text may well say "99")
                tables.append({k: v for k, v in cmap.missing.items() if v == ""})
            if cmap.labels and item.scale.is_numeric:
                tables.append(_label_table(item.scale, cmap.labels))
        if tables:
            new_columns[column] = _translate(frame[column].to_numpy(dtype=object), tables)
    if new_columns:
        frame = frame.assign(**{c: pd.Series(v, index=frame.index, dtype=object) for c, v in new_columns.items()})
    # 4. constants
    for key, value in cmap.constants.items():
        if key in names.values():
            raise InputError(f"{cmap.source}: constants sets '{key}', but the file already has a column for it")
        frame[key] = pd.Series([value] * len(frame), index=frame.index, dtype=object)
    labels = {renames.get(c, c): found for c, found in raw.labels.items() if c not in dropped}
    table = dataclasses.replace(raw, frame=frame, row_numbers=rows, row_reasons=row_reasons, labels=labels)
    return table, warnings
