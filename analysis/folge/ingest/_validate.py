"""Stage 3 of ingest: check every row against the study and the instrument, vectorised.

:func:`validate` takes text cells (canonical column names, respondent ids already
replaced by pseudonyms) and returns typed columns ready to store plus, for every bad row,
its reasons from the catalogue in :mod:`._reasons`. It never raises for bad *cells*; only a
file that lacks a required column (or names an unknown ``--wave``) raises
:class:`folge.InputError`, because then no row could be stored.

Cells are parsed per distinct value (``pandas.factorize``), not per cell: a column of a
million answers has a handful of distinct texts, so parsing costs next to nothing and the
rest is array indexing. Checks against answers already stored (``conflict``) belong to the
store, which runs them inside its transaction (worded by :meth:`Validated.conflict_reason`).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._errors import InputError
from ..definitions import did_you_mean
from ._headers import KEY_COLUMNS
from ._reasons import Reason, reason

__all__ = ["ItemColumn", "Validated", "parse_number", "validate"]

_INT = re.compile(r"[+-]?\d{1,18}")
_DECIMAL = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def parse_number(text: str) -> tuple[str, int | float | None]:
    """Classify a cell: ``("blank", None)``, ``("int", 4)``, ``("fraction", 4.5)`` or ``("text", None)``.

    Whole numbers written as decimals (``4.0``, ``4,0``, ``4e0``) are integers.

    Examples
    --------
    >>> [parse_number(s) for s in ("", " 4 ", "4.0", "4,0", "4.5", "fire", "nan")]
    [('blank', None), ('int', 4), ('int', 4), ('int', 4), ('fraction', 4.5), ('text', None), ('text', None)]
    """
    s = text.strip()
    if not s:
        return "blank", None
    if _INT.fullmatch(s):
        return "int", int(s)
    if len(s) <= 64 and _DECIMAL.fullmatch(s):
        number = float(s.replace(",", "."))
        if math.isfinite(number) and number.is_integer() and abs(number) < 2**62:
            return "int", int(number)
        return "fraction", number
    if re.fullmatch(r"[+-]?\d+", s):  # too many digits for any scale
        return "fraction", math.inf
    return "text", None


@dataclass
class ItemColumn:
    """One item's parsed answers: ``values`` (int64 or object), ``blank`` mask; ``numeric``."""

    item_id: str
    numeric: bool
    values: np.ndarray
    blank: np.ndarray


@dataclass
class Validated:
    """Typed, checked rows. ``reasons[i]`` lists why row ``i`` (a position) is quarantined."""

    instrument: object
    unit: str                                   # "respondent" or "region": what one row is about
    respondent: np.ndarray                      # pseudonyms (None where blank)
    region: np.ndarray                          # canonical region ids (None where unknown)
    wave: np.ndarray
    role: np.ndarray
    items: list[ItemColumn]
    row_numbers: np.ndarray
    reasons: dict[int, list[Reason]] = field(default_factory=dict)
    warnings: list[Reason] = field(default_factory=list)
    cells: pd.DataFrame | None = None           # the text cells checked (for the quarantine's values)

    def __len__(self) -> int:
        return len(self.row_numbers)

    @property
    def good(self) -> np.ndarray:
        """Positions of rows without a reason, in file order."""
        bad = np.zeros(len(self), dtype=bool)
        if self.reasons:
            bad[np.fromiter(self.reasons, dtype=np.int64)] = True
        return np.flatnonzero(~bad)

    def key(self) -> np.ndarray:
        """The unit column (respondent pseudonyms, or regions for region-level instruments)."""
        return self.respondent if self.unit == "respondent" else self.region

    def conflict_reason(self, pos: int, column: str, value, detail: str) -> Reason:
        """The ``conflict`` reason for row ``pos``, whose answers differ from those stored.

        The store finds conflicts (they need the stored answers); the wording stays here,
        with the other reasons.
        """
        return reason("conflict", column, value, unit=self.unit, wave=self.wave[pos], detail=detail)


# ---------------------------------------------------------------- helpers
def _texts(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = frame[column].to_numpy(dtype=object)
    return values


def _factorize(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = ["" if (u is None or (isinstance(u, float) and math.isnan(u))) else str(u) for u in uniques]
    if (codes < 0).any():  # NaN or None from an API caller: a blank
        texts.append("")
        codes = np.where(codes < 0, len(texts) - 1, codes)
    return codes, texts


def _lookup_table(entries) -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, aliases in entries:
        for alias in aliases:
            if alias:
                table.setdefault(str(alias).strip().casefold(), canonical)
    return table


def _map_column(values, table: dict[str, str], choices, code: str, column: str, add):
    """Map cells to canonical ids; rows whose cell is unknown get ``code`` (did-you-mean)."""
    codes, texts = _factorize(values)
    mapped = [table.get(t.strip().casefold()) for t in texts]
    result = np.array(mapped + [None], dtype=object)[codes]
    unknown = np.array([m is None for m in mapped] + [False], dtype=bool)
    bad_rows = np.flatnonzero(unknown[codes])
    cache: dict[int, Reason] = {}
    for row in bad_rows:
        k = int(codes[row])
        if k not in cache:
            text = texts[k].strip()
            hint = did_you_mean(text, choices) if text else " (the cell is blank)"
            cache[k] = reason(code, column, text, hint=hint)
        add(int(row), cache[k])
    return result


def _allowed(scale) -> str:
    values = f"{scale.min}–{scale.max}" if scale.values else "no values"
    if scale.missing:
        values += ", missing code(s) " + ", ".join(str(c) for c in sorted(scale.missing))
    return values


def _parse_item(item, values: np.ndarray, add) -> ItemColumn:
    codes, texts = _factorize(values)
    scale = item.scale
    if not scale.is_numeric:
        stripped = [t.strip() for t in texts]
        cells = np.array([s if s else None for s in stripped] + [None], dtype=object)[codes]
        blank = np.array([not s for s in stripped] + [True], dtype=bool)[codes]
        return ItemColumn(item.id, False, cells, blank)
    valid = set(scale.values) | set(scale.missing)
    number_lut = np.zeros(len(texts) + 1, dtype=np.int64)
    blank_lut = np.zeros(len(texts) + 1, dtype=bool)
    bad: dict[int, Reason] = {}
    for k, text in enumerate(texts):
        kind, number = parse_number(text)
        if kind == "blank":
            blank_lut[k] = True
        elif kind == "int" and number in valid:
            number_lut[k] = number
        elif kind == "text":
            bad[k] = reason("not-a-number", item.id, text.strip(), scale=scale.id, allowed=_allowed(scale))
        else:
            bad[k] = reason("out-of-range", item.id, text.strip(), scale=scale.id, allowed=_allowed(scale))
    blank_lut[-1] = True
    if bad:
        bad_lut = np.zeros(len(texts) + 1, dtype=bool)
        bad_lut[list(bad)] = True
        for row in np.flatnonzero(bad_lut[codes]):
            add(int(row), bad[int(codes[row])])
    return ItemColumn(item.id, True, number_lut[codes], blank_lut[codes])


def _label_warnings(instrument, labels) -> list[Reason]:
    """One warning per column whose value labels (SPSS, Stata) disagree with its scale."""
    found = []
    for item in instrument.items:
        file_labels = (labels or {}).get(item.id)
        if not file_labels or not item.scale.is_numeric:
            continue
        scale = item.scale
        for code_text, label in file_labels.items():
            kind, number = parse_number(str(code_text))
            if kind != "int" or (number not in scale.values and number not in scale.missing):
                found.append(reason("label-mismatch", item.id, code_text, label=label, scale=scale.id,
                                    expected="has no such value"))
                break
            expected = ({t.casefold() for t in scale.missing[number].values()} if number in scale.missing
                        else {labs[scale.values.index(number)].casefold()
                              for labs in scale.labels.values() if len(labs) == len(scale.values)})
            if expected and str(label).strip().casefold() not in expected:
                shown = scale.label(number, "nb")
                found.append(reason("label-mismatch", item.id, code_text, label=label, scale=scale.id,
                                    expected=f"calls it {shown!r}"))
                break
    return found


# ---------------------------------------------------------------- the checks
def _required_columns(frame, instrument, wave, has_respondent: bool) -> None:
    needed = ["region"]
    if instrument.level == "respondent":
        needed = ["respondent", "region", "role"]
    if wave is None:
        needed.append("wave")
    present = set(frame.columns) | ({"respondent"} if has_respondent else set())
    missing = [c for c in needed if c not in present]
    if missing:
        shown = ", ".join(map(str, list(frame.columns)[:12]))
        extra = " (or give --wave)" if "wave" in missing else ""
        raise InputError(f"the file lacks the column(s) {', '.join(missing)}{extra}; "
                         f"its columns are: {shown}")


def validate(study, instrument, frame: pd.DataFrame, wave: str | None = None, respondent=None,
             row_numbers=None, row_reasons=None, labels=None) -> Validated:
    """Check a frame of text cells against ``study`` and ``instrument``.

    Parameters
    ----------
    study, instrument
        The loaded :class:`folge.definitions.Study` and the :class:`~folge.definitions.Instrument`
        the file answers.
    frame
        Text cells with canonical column names; a ``respondent`` column, if any, is ignored:
        the pseudonyms come in ``respondent``.
    wave
        The wave given on the command line (fills blank or absent wave cells), or ``None``.
    respondent
        Pseudonyms, one per row (``None`` where the id was blank), or ``None`` for no column.
    row_numbers
        Source row of each row (default: 2, 3, … as in a spreadsheet with a header row).
    row_reasons
        Problems already found per row position while reading (wrong number of fields).
    labels
        Value labels by column, as read from SPSS or Stata; checked against the scales.

    Returns
    -------
    Validated
        Typed columns, each bad row's reasons (codes from :data:`folge.ingest.CODES`),
        and warnings about the file as a whole.
    """
    n = len(frame)
    _required_columns(frame, instrument, wave, respondent is not None)
    if wave is not None and wave not in {w.id for w in study.waves}:
        raise InputError(f"unknown wave '{wave}'{did_you_mean(wave, [w.id for w in study.waves])}; "
                         f"the study's waves are {', '.join(w.id for w in study.waves)}")
    rows = np.arange(2, n + 2, dtype=np.int64) if row_numbers is None else np.asarray(row_numbers, dtype=np.int64)
    if len(rows) != n:
        raise ValueError(f"'row_numbers' must have one entry per row ({n}), got {len(rows)}")
    reasons: dict[int, list[Reason]] = defaultdict(list)
    for pos, found in (row_reasons or {}).items():
        reasons[int(pos)].extend(found)

    def add(pos: int, why: Reason) -> None:
        reasons[pos].append(why)

    warnings: list[Reason] = []
    known = set(KEY_COLUMNS) | set(instrument.item_ids)
    for column in frame.columns:
        if column not in known:
            warnings.append(reason("unknown-column", str(column), "", instrument=instrument.id,
                                   hint=did_you_mean(column, instrument.item_ids)))
    absent = [item_id for item_id in instrument.item_ids if item_id not in frame.columns]
    if absent:  # one warning naming them all: a short form can leave out dozens
        warnings.append(reason("missing-item-column", ", ".join(absent), count=len(absent)))
    level = instrument.level
    if level == "region" and "role" in frame.columns:
        warnings.append(reason("role-ignored", "role", instrument=instrument.id))
    warnings += _label_warnings(instrument, labels)

    # respondent
    if respondent is None:
        pseudonyms = np.full(n, None, dtype=object)
    else:
        pseudonyms = np.asarray(respondent, dtype=object)
        if len(pseudonyms) != n:
            raise ValueError(f"'respondent' must have one pseudonym per row ({n}), got {len(pseudonyms)}")
    if level == "respondent":
        why = reason("missing-respondent", "respondent")
        for row in np.flatnonzero(pd.isna(pseudonyms)):
            add(int(row), why)

    # region, role, wave
    region_ids = [r.id for r in study.regions]
    region = _map_column(_texts(frame, "region"),
                         _lookup_table((r.id, (r.id, r.name)) for r in study.regions),
                         region_ids, "unknown-region", "region", add)
    if level == "respondent":
        role_table = _lookup_table((r.id, (r.id, *r.title.values())) for r in study.roles)
        role = _map_column(_texts(frame, "role"), role_table, [r.id for r in study.roles],
                           "unknown-role", "role", add)
    else:
        role = np.full(n, None, dtype=object)
    wave_ids = [w.id for w in study.waves]
    if "wave" in frame.columns:
        cells = _texts(frame, "wave")
        if wave is not None:
            codes, texts = _factorize(cells)
            cells = np.array([t if t.strip() else wave for t in texts] + [wave], dtype=object)[codes]
        waves = _map_column(cells, _lookup_table((w, (w,)) for w in wave_ids), wave_ids,
                            "unknown-wave", "wave", add)
        if wave is not None:
            mismatch = np.flatnonzero(pd.notna(waves) & (waves != wave))
            for row in mismatch:
                add(int(row), reason("wave-mismatch", "wave", waves[row], expected=wave))
    else:
        waves = np.full(n, wave, dtype=object)
    for wave_id in pd.unique(waves[pd.notna(waves)]) if n else ():
        if instrument.id not in study.wave(wave_id).instruments:
            warnings.append(reason("instrument-not-in-wave", "wave", wave_id, instrument=instrument.id))

    # items
    items: list[ItemColumn] = []
    answered = np.zeros(n, dtype=bool)
    for item in instrument.items:
        if item.id in frame.columns:
            column = _parse_item(item, _texts(frame, item.id), add)
        elif item.scale.is_numeric:
            column = ItemColumn(item.id, True, np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))
        else:
            column = ItemColumn(item.id, False, np.full(n, None, dtype=object), np.ones(n, dtype=bool))
        answered |= ~column.blank  # a cell that failed to parse is an answer, quarantined for itself
        items.append(column)
    why = reason("no-answers")
    for row in np.flatnonzero(~answered):
        add(int(row), why)

    unit = "respondent" if level == "respondent" else "region"
    _duplicates(pseudonyms if unit == "respondent" else region, waves, rows, unit, add)
    return Validated(instrument, unit, pseudonyms, region, waves, role, items, rows,
                     dict(sorted(reasons.items())), warnings, frame)


def _duplicates(unit_values, waves, rows, unit: str, add) -> None:
    """Every copy of a (unit, wave) that occurs more than once is quarantined, identical or not."""
    if not len(rows):
        return
    keys = pd.DataFrame({"unit": unit_values, "wave": waves})
    present = keys["unit"].notna().to_numpy() & keys["wave"].notna().to_numpy()
    dup = np.zeros(len(keys), dtype=bool)
    dup[present] = keys.loc[present].duplicated(keep=False).to_numpy()
    positions = np.flatnonzero(dup)
    if not len(positions):
        return
    groups = keys.iloc[positions].groupby(["unit", "wave"], sort=False).indices
    for (value, wave_id), members in groups.items():
        where = positions[members]
        shown = ", ".join(str(int(rows[p])) for p in where[:10]) + (" …" if len(where) > 10 else "")
        why = reason("duplicate-in-file", unit, value, unit=unit, count=len(where), wave=wave_id, rows=shown)
        for pos in where:
            add(int(pos), why)
