"""The rules an audit applies (:class:`Protection`) and what it finds (:class:`AuditResult`)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._model import CellModel, key_dict

__all__ = ["Protection", "AuditResult", "as_protection", "breach_positions", "result_of"]

ZEROS = ("publish", "suppress")
MARKERS = ("hidden", "primary")


@dataclass(frozen=True)
class Protection:
    """The disclosure rules of a study.

    Parameters
    ----------
    min_n
        Counts of respondents from 1 to ``min_n - 1`` are sensitive (primary suppression).
    level
        The protection level: the least width ``max - min`` of the interval an attacker
        may derive for a suppressed cell. Defaults to ``min_n``.
    zeros
        ``"publish"`` (default): a zero count is shown (nobody is disclosed by it) and never
        suppressed on its own, so a cell suppressed on its own is known to be at least 1;
        only members of a suppressed tie or block may be zero. ``"suppress"``: zeros are
        sensitive like any count below ``min_n``, and a suppressed cell may be 0.
    marker
        What the published marker tells: ``"hidden"`` (default: only that the cell is
        suppressed) or ``"primary"`` (it also tells primary from secondary, so a primary
        cell is known to lie in ``1 .. min_n - 1``; the old open data did this).
    """

    min_n: int
    level: float | None = None
    zeros: str = "publish"
    marker: str = "hidden"

    def __post_init__(self):
        if not isinstance(self.min_n, (int, np.integer)) or isinstance(self.min_n, bool) or self.min_n < 1:
            raise ValueError(f"'min_n' must be a whole number >= 1 (got {self.min_n!r})")
        if self.level is not None and not (isinstance(self.level, (int, float, np.number)) and self.level > 0):
            raise ValueError(f"'level' must be a positive number or None (got {self.level!r})")
        if self.zeros not in ZEROS:
            raise ValueError(f"'zeros' must be one of {ZEROS} (got {self.zeros!r})")
        if self.marker not in MARKERS:
            raise ValueError(f"'marker' must be one of {MARKERS} (got {self.marker!r})")

    @property
    def protection(self) -> float:
        return float(self.level if self.level is not None else self.min_n)


def as_protection(protection: Protection | int) -> Protection:
    """A :class:`Protection` from itself or from ``min_n``."""
    if isinstance(protection, Protection):
        return protection
    return Protection(min_n=protection)


@dataclass
class AuditResult:
    """The outcome of :func:`audit`.

    Attributes
    ----------
    cells, suppressed, attacked
        Cells in the model, suppressed cells, suppressed cells whose interval was derived.
    smallest_interval
        The narrowest attacker interval over attacked cells (``inf`` when none). Where a
        cell was proven safe by screening (see :func:`audit`), its width is a lower bound.
    breaches
        Suppressed sensitive cells whose interval is narrower than the protection level
        (key, tables, low, high, width), narrowest first.
    seconds, lps
        Time taken and linear programs solved.
    intervals
        One row per attacked cell: ``position``, ``low``, ``high``, ``width``, ``exact``,
        ``breach``, ``value`` (the true count where known: internal, never published).
    """

    cells: int
    suppressed: int
    attacked: int
    smallest_interval: float
    breaches: list[dict]
    seconds: float
    lps: int
    protection: float
    intervals: pd.DataFrame = field(repr=False)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.breaches

    def to_dict(self) -> dict:
        """The ``disclosure-audit.json`` content (no true values of hidden cells)."""
        smallest = self.smallest_interval
        return {
            "cells": self.cells, "suppressed": self.suppressed, "attacked": self.attacked,
            "protection": self.protection,
            "smallest_interval": None if math.isinf(smallest) else round(smallest, 6),
            "breaches": self.breaches, "passed": self.passed, "seconds": round(self.seconds, 3),
            "linear_programs": self.lps, "notes": list(self.notes),
        }

    def write_json(self, path: str | Path) -> Path:
        """Write :meth:`to_dict` as UTF-8 JSON to ``path``; returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path


def result_of(model: CellModel, frame: pd.DataFrame, hidden: np.ndarray, p: Protection, seconds: float, lps: int,
              notes: list[str]) -> AuditResult:
    """The :class:`AuditResult` of an intervals frame (see :class:`AuditResult`), breaches narrowest first."""
    breaches = [{"cell": key_dict(model.keys[pos]), "tables": list(model.tables(pos)), "low": round(float(lo), 6),
                 "high": round(float(hi), 6), "width": round(float(hi - lo), 6)}
                for pos, lo, hi in frame.loc[frame["breach"], ["position", "low", "high"]].itertuples(index=False)]
    smallest = float(frame["width"].min()) if len(frame) else math.inf
    return AuditResult(cells=model.n_cells, suppressed=int(hidden.sum()), attacked=len(frame),
                       smallest_interval=smallest, breaches=breaches, seconds=seconds, lps=lps,
                       protection=p.protection, intervals=frame, notes=notes)


def breach_positions(result: AuditResult) -> np.ndarray:
    """Positions of the breached cells."""
    return result.intervals.loc[result.intervals["breach"], "position"].to_numpy(dtype=int)
