"""The invited frame (``research/frame.csv``): how many people were invited, per wave, region and role.

The frame is what the weights are raked to (``analysis/ARCHITECTURE.md``, "Who
answered"). One row per wave x region x role (x instrument, when the optional
``instrument`` column is there) with the number of people ``invited``. Checked like every
other definition file: every problem at once, as ``FILE:LINE: CODE: message`` with the
header as line 1. Whether fewer were invited than answered can only be told against the
store, so :mod:`folge.analysis` checks that when it rakes.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable

import pandas as pd

from .._errors import DefinitionError
from ._problems import Problem, did_you_mean, problem

__all__ = ["FRAME_FILE", "FRAME_COLUMNS", "check_frame", "read_frame", "load_frame"]

FRAME_FILE = Path("research") / "frame.csv"
#: Required columns of the frame, in the order written; ``instrument`` may follow.
FRAME_COLUMNS = ("wave", "region", "role", "invited")
_OPTIONAL = ("instrument",)
#: column → the code of a value the study does not know
_UNKNOWN = {"wave": "unknown-wave", "region": "unknown-region", "role": "unknown-role",
            "instrument": "frame-unknown-instrument"}


def _rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[Problem]]:
    """The header and the data rows (with their line numbers) of ``path``, or a read problem."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return [], [], [problem(path, 1, "frame-unreadable", detail=str(error))]
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        rows.append((reader.line_num, {h: (values[i].strip() if i < len(values) else "")
                                       for i, h in enumerate(header)}))
    return header, rows, []


def _count_problem(path: Path, line: int, value: str) -> Problem | None:
    """A problem when ``value`` is not a whole number of people (0 or more)."""
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or number != number or number < 0 or number != int(number):
        return problem(path, line, "bad-count", value=value)
    return None


def check_frame(path: str | Path, region_ids: Iterable[str] | None, role_ids: Iterable[str] | None,
                wave_ids: Iterable[str] | None, instrument_ids: Iterable[str] | None = ()) -> list[Problem]:
    """Every problem in the invited frame at ``path``; never raises.

    The id lists are the study's; None skips that column's check (a study file that
    cannot be read reports its own problems).

    Checks: the columns ``wave, region, role, invited`` are there (``instrument``
    optional, nothing else); every wave, region, role (and instrument) is one of the
    study's; ``invited`` is a whole number ≥ 0; no wave x region x role (x instrument)
    appears twice.
    """
    path = Path(path)
    header, rows, problems = _rows(path)
    if problems:
        return problems
    missing = [c for c in FRAME_COLUMNS if c not in header]
    if missing:
        return [problem(path, 1, "frame-columns", missing=", ".join(missing), got=", ".join(header) or "nothing")]
    problems += [problem(path, 1, "unknown-key", where="the frame's header", key=c,
                         hint=did_you_mean(c, (*FRAME_COLUMNS, *_OPTIONAL)))
                 for c in header if c not in FRAME_COLUMNS and c not in _OPTIONAL]
    given = {"wave": wave_ids, "region": region_ids, "role": role_ids, "instrument": instrument_ids}
    keys = [c for c in ("wave", "region", "role", "instrument") if c in header]
    known = {c: set(map(str, given[c])) for c in keys if given[c] is not None}
    seen: dict[tuple, int] = {}
    for line, row in rows:
        for column in known:
            if row[column] not in known[column]:
                problems.append(problem(path, line, _UNKNOWN[column], where="the frame", value=row[column],
                                        hint=did_you_mean(row[column], known[column])))
        bad = _count_problem(path, line, row["invited"])
        if bad:
            problems.append(bad)
        key = tuple(row[c] for c in keys)
        if key in seen:
            problems.append(problem(path, line, "duplicate-row", what=", ".join(f"{c} {v}" for c, v in zip(keys, key)),
                                    first=seen[key]))
        else:
            seen[key] = line
    return problems


def read_frame(path: str | Path) -> pd.DataFrame:
    """The frame at ``path`` as a DataFrame (``wave, region, role, invited`` as int, [instrument]).

    Reads without checking; :func:`load_frame` checks first.
    """
    header, rows, problems = _rows(Path(path))
    if problems:
        raise DefinitionError(problems)
    columns = [c for c in (*FRAME_COLUMNS, *_OPTIONAL) if c in header]
    frame = pd.DataFrame([[row[c] for c in columns] for _, row in rows], columns=columns, dtype=object)
    frame = frame.astype({c: str for c in columns if c != "invited"})
    frame["invited"] = pd.to_numeric(frame["invited"]).astype("int64") if len(frame) else \
        pd.Series([], dtype="int64")
    return frame


def load_frame(study) -> pd.DataFrame | None:
    """The study's checked invited frame, or None when ``research/frame.csv`` is absent.

    Parameters
    ----------
    study : Study
        The loaded study (its regions, roles, waves and instruments are what the frame
        may name).

    Raises
    ------
    folge.DefinitionError
        With every problem of the file, as ``folge instruments check`` reports them.
    """
    path = Path(study.root) / FRAME_FILE
    if not path.exists():
        return None
    problems = check_frame(path, [r.id for r in study.regions], [r.id for r in study.roles],
                           [w.id for w in study.waves], study.instruments)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise DefinitionError(errors)
    return read_frame(path)
