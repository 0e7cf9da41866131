"""From a tidy frame to the arrays of the nested REML engine, with reasons for degenerate data."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from folge.statistics._checks import numeric_vector

__all__ = ["Design", "DesignProblem", "build_design"]


class DesignProblem(Exception):
    """Degenerate data: the caller turns the reason into a NaN row with a ``note``."""


@dataclass
class Design:
    """Arrays for the engine plus what the result row reports about them."""

    y: np.ndarray
    x: np.ndarray
    columns: list[str]
    time: np.ndarray
    region: np.ndarray
    person: np.ndarray
    n_regions: int
    n_persons: int
    n_repeated: int
    notes: list[str] = field(default_factory=list)


def _check_columns(frame: pd.DataFrame, names: list[str]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"'frame' must be a pandas DataFrame (got {type(frame).__name__})")
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise ValueError(f"'frame' lacks the column(s) {missing} (has {list(frame.columns)})")


def _adjustment_columns(frame: pd.DataFrame, adjust_for: tuple[str, ...]) -> tuple[list[np.ndarray], list[str]]:
    """Treatment-coded dummies (first sorted level as reference, like R) or numeric covariates."""
    arrays, names = [], []
    for column in adjust_for:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
            arrays.append(values.to_numpy(dtype=float))
            names.append(column)
            continue
        codes, levels = pd.factorize(values)
        order = sorted(range(len(levels)), key=lambda i: str(levels[i]))
        for i in order[1:]:
            arrays.append((codes == i).astype(float))
            names.append(f"{column}{levels[i]}")
    return arrays, names


def _full_rank(x: np.ndarray, names: list[str], notes: list[str]) -> tuple[np.ndarray, list[str]]:
    """Keep columns left to right while they add to the rank (as lm/lmer drop aliased ones)."""
    cross = x.T @ x
    keep: list[int] = []
    for j in range(x.shape[1]):
        trial = keep + [j]
        if np.linalg.matrix_rank(cross[np.ix_(trial, trial)]) == len(trial):
            keep.append(j)
    dropped = [names[j] for j in range(x.shape[1]) if j not in keep]
    if dropped:
        notes.append(f"adjustment term(s) {', '.join(dropped)} dropped: no variation or aliased with the others")
    return x[:, keep], [names[j] for j in keep]


def _codes(frame: pd.DataFrame, region: str | None, respondent: str, notes: list[str]):
    """Region codes and person codes; a respondent seen in two regions is two persons."""
    region_codes = pd.factorize(frame[region])[0] if region else np.zeros(len(frame), dtype=np.int64)
    respondent_codes = pd.factorize(frame[respondent])[0].astype(np.int64)
    pair = respondent_codes * (int(region_codes.max()) + 1) + region_codes
    person = pd.factorize(pair)[0].astype(np.int64)
    moved = person.max() - respondent_codes.max()
    if moved > 0:
        notes.append(f"{moved} respondent(s) answered in more than one region: counted as a separate person in each")
    return region_codes.astype(np.int64), person


def build_design(frame, *, score, time, region, respondent, adjust_for) -> Design:
    """Rows with every needed value; design matrix [1, time, adjustments]; degenerate data raise DesignProblem."""
    adjust_for = tuple(adjust_for)
    names = [score, time, respondent] + ([region] if region else []) + list(adjust_for)
    _check_columns(frame, names)
    numeric_vector(frame[score], score)
    numeric_vector(frame[time], time)
    rows = frame.loc[frame[names].notna().all(axis=1), names]
    y = rows[score].to_numpy(dtype=float)
    t = rows[time].to_numpy(dtype=float)
    finite = np.isfinite(y) & np.isfinite(t)
    rows, y, t = rows.loc[finite], y[finite], t[finite]
    if len(rows) < 3:
        raise DesignProblem(f"too few answers ({len(rows)})")
    if np.unique(t).size < 2:
        raise DesignProblem("only one wave has answers")
    if np.ptp(y) == 0:
        raise DesignProblem("constant answers (SD = 0)")
    notes: list[str] = []
    region_codes, person = _codes(rows, region, respondent, notes)
    extra, extra_names = _adjustment_columns(rows, adjust_for)
    design = np.column_stack([np.ones(len(rows)), t, *extra])
    x, columns = _full_rank(design, ["(Intercept)", time, *extra_names], notes)
    if columns[:2] != ["(Intercept)", time]:
        raise DesignProblem(f"'{time}' is aliased with the adjustment terms")
    counts = np.bincount(person)
    return Design(y=y, x=x, columns=columns, time=t, region=region_codes, person=person,
                  n_regions=int(region_codes.max()) + 1, n_persons=counts.size,
                  n_repeated=int((counts > 1).sum()), notes=notes)
