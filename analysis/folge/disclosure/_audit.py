"""The audit: what an attacker derives for every suppressed cell from everything published."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy import sparse

from ._lp import attack
from ._model import CellModel, key_dict

__all__ = ["Protection", "AuditResult", "audit", "as_protection", "hidden_mask", "breach_positions"]

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


def hidden_mask(model: CellModel, suppressed) -> tuple[np.ndarray, np.ndarray]:
    """The suppressed cells as a mask and their reasons, from the many forms callers use.

    ``suppressed`` is None (the cells marked in the model), a boolean array over cells, a
    mapping key/position → reason, or an iterable of keys/positions.
    """
    n = model.n_cells
    reasons = np.full(n, "", dtype=object)
    if suppressed is None:
        suppressed = model.marked
    if isinstance(suppressed, np.ndarray) and suppressed.dtype == bool:
        if suppressed.shape != (n,):
            raise ValueError(f"'suppressed' as a mask must have one entry per cell ({n}, got {suppressed.shape})")
        reasons[suppressed] = "suppressed"
    elif isinstance(suppressed, Mapping):
        for key, why in suppressed.items():
            reasons[model.index(key)] = str(why or "suppressed")
    else:
        for key in suppressed:
            reasons[model.index(key)] = "suppressed"
    return reasons != "", reasons


def _revealed(model: CellModel, hidden: np.ndarray, values: np.ndarray, published) -> tuple[np.ndarray, list[str]]:
    """Hidden cells an earlier edition published (same key); their values filled in."""
    revealed = np.zeros(model.n_cells, dtype=bool)
    notes: list[str] = []
    sources: Iterable[Mapping] = [published] if isinstance(published, Mapping) else list(published or [])
    for source in sources:
        for key, old in source.items():
            if key not in model:
                continue
            pos = model.index(key)
            if not hidden[pos]:
                continue
            if math.isnan(values[pos]) or abs(values[pos] - float(old)) < 1e-9:
                revealed[pos], values[pos] = True, float(old)
            else:
                notes.append(f"cell {model.describe(pos)} was published as {float(old):g} in an earlier edition "
                             "and has changed since; the old value is not used")
    return revealed, notes


def _bounds(model: CellModel, p: Protection, unknown: np.ndarray, reasons: np.ndarray, cap: float):
    """What the marker and the publication rules tell about each unknown cell."""
    grouped = model.grouped()
    floor = 1.0 if p.zeros == "publish" else 0.0
    lower = np.where(grouped, 0.0, floor)[unknown]
    upper = np.full(lower.size, cap)
    if p.marker == "primary":
        primary = (reasons == "primary")[unknown]
        upper[primary] = p.min_n - 1
        lower[primary] = floor
    return lower, upper


def _tie_rows(model: CellModel, p: Protection, unknown: np.ndarray) -> sparse.csr_matrix:
    """``-sum(tie) <= -1`` for every hidden tie: a tie is hidden only when one member is nonzero.

    Not for ties with block members: a block may hide a tie of zeros.
    """
    cols = np.cumsum(unknown) - 1
    rows: list[int] = []
    columns: list[int] = []
    n_rows = 0
    if p.zeros == "publish":
        in_block = np.zeros(model.n_cells, dtype=bool)
        for _, members in model.blocks:
            in_block[list(members)] = True
        for group in model.ties:
            idx = np.asarray(group)
            if unknown[idx].all() and not in_block[idx].any():
                rows.extend([n_rows] * idx.size)
                columns.extend(cols[idx].tolist())
                n_rows += 1
    return sparse.csr_matrix((-np.ones(len(rows)), (rows, columns)), shape=(n_rows, int(unknown.sum())))


def _system(model: CellModel, p: Protection, values: np.ndarray, unknown: np.ndarray):
    """The relations with published cells moved to the right-hand side, plus the tie rows."""
    a, is_eq, rhs, _ = model.matrix()
    known = ~unknown
    known_values = np.nan_to_num(values[known])
    b = rhs - a[:, known] @ known_values
    ties = _tie_rows(model, p, unknown)
    a_hidden = sparse.vstack([a[:, unknown], ties], format="csr")
    b = np.concatenate([b, -np.ones(ties.shape[0])])
    is_eq = np.concatenate([is_eq, np.zeros(ties.shape[0], dtype=bool)])
    return a_hidden, b, is_eq


def _check_known(model: CellModel, values: np.ndarray, hidden: np.ndarray) -> None:
    missing = np.flatnonzero(~hidden & np.isnan(values))
    if missing.size:
        raise ValueError(f"{missing.size} published cell(s) have no value, e.g. {model.describe(int(missing[0]))}: "
                         "a shown cell needs its count")


def audit(model: CellModel, protection: Protection | int, *, suppressed=None, published=None,
          exact: bool = False, focus: np.ndarray | None = None) -> AuditResult:
    """Attack every suppressed cell by linear programming; report intervals narrower than protection.

    Parameters
    ----------
    model
        Everything published, as a :class:`CellModel`.
    protection
        A :class:`Protection` (or ``min_n``).
    suppressed
        The suppressed cells (see :func:`hidden_mask`); default: those marked in the model.
    published
        Cells an earlier edition published, as a mapping key → value (or a list of them),
        e.g. from :func:`folge.disclosure.read_published`: the attacker knows them.
    exact
        Solve the minimum and maximum of every attacked cell (slower); by default a cell is
        left once feasible tables at least ``protection`` apart have been seen.
    focus
        Optional boolean mask of cells: attack only the components holding them.

    Returns
    -------
    AuditResult

    Notes
    -----
    For each suppressed sensitive cell :math:`x_k` the attacker solves

    .. math:: \\min / \\max\\ x_k \\quad \\text{s.t.}\\quad A_H x_H \\;(=, \\le)\\; b - A_P v_P,
              \\quad \\ell \\le x_H \\le u

    where :math:`A` holds the relations, :math:`P` the published cells with values
    :math:`v_P`, :math:`H` the hidden ones, and :math:`\\ell, u` what the marker reveals
    (see :class:`Protection`). Integrality is relaxed (the LP interval contains the integer
    one; for two-way tables with margins the constraint matrix is totally unimodular and the
    two coincide). A breach is a suppressed sensitive cell with :math:`\\max - \\min <`
    protection (Hundepool et al. 2012, *Statistical Disclosure Control*, Wiley, ch. 5;
    Fischetti & Salazar-González 2001, *Math. Programming* 91, 283–304; Castro 2006,
    *Eur. J. Oper. Res.* 171, 1067–1089, for the LP attacker and controlled alternatives).

    Examples
    --------
    >>> from folge.disclosure import CellModel, cell_key
    >>> m = CellModel()
    >>> _ = m.add_cell(cell_key(region="all"), 20, table="t")
    >>> for r, v in zip("abc", (3, 8, 9)):
    ...     _ = m.add_cell(cell_key(region=r), v, table="t")
    >>> _ = m.add_sum(cell_key(region="all"), [cell_key(region=r) for r in "abc"])
    >>> audit(m, 5, suppressed=[cell_key(region="a")]).breaches[0]["width"]
    0.0
    >>> audit(m, 5, suppressed=[cell_key(region="a"), cell_key(region="b")]).passed
    True
    """
    start = time.perf_counter()
    p = as_protection(protection)
    hidden, reasons = hidden_mask(model, suppressed)
    values = model.values()
    _check_known(model, values, hidden)
    revealed, notes = _revealed(model, hidden, values, published)
    unknown = hidden & ~revealed
    cap = 10.0 * (float(np.nansum(values)) + p.protection) + 1000.0
    lower, upper = _bounds(model, p, unknown, reasons, cap)
    a, b, is_eq = _system(model, p, values, unknown)
    sensitive = (model.sensitive() & ~model.exempt())[unknown]
    bounds = attack(a, b, is_eq, lower, upper, sensitive | exact, protection=p.protection, exact=exact,
                    focus=None if focus is None else np.asarray(focus, bool)[unknown])
    frame = _intervals(model, values, unknown, revealed, hidden, bounds, p, cap, focus)
    return _result(model, frame, hidden, p, time.perf_counter() - start, bounds.lps, notes)


def _intervals(model, values, unknown, revealed, hidden, bounds, p, cap, focus) -> pd.DataFrame:
    pos_unknown = np.flatnonzero(unknown)
    attacked = bounds.attacked
    # a bounded cell of a system of unit-coefficient count relations stays below the sum of
    # the known counts, a tenth of the cap: anything near the cap is "not bounded above"
    high = np.where(bounds.high >= cap / 2, np.inf, bounds.high)
    parts = [pd.DataFrame({"position": pos_unknown[attacked], "low": bounds.low[attacked],
                           "high": high[attacked], "exact": bounds.solved[attacked]})]
    pos_revealed = np.flatnonzero(revealed & model.sensitive() & ~model.exempt())
    if focus is not None:
        pos_revealed = pos_revealed[np.asarray(focus, bool)[pos_revealed]]
    parts.append(pd.DataFrame({"position": pos_revealed, "low": values[pos_revealed],
                               "high": values[pos_revealed], "exact": True}))
    frame = pd.concat(parts, ignore_index=True)
    frame["position"] = frame["position"].astype(int)
    frame["width"] = frame["high"] - frame["low"]
    sensitive = model.sensitive() & ~model.exempt()
    frame["breach"] = sensitive[frame["position"].to_numpy()] & (frame["width"] < p.protection - 1e-6)
    frame["value"] = values[frame["position"].to_numpy()] if len(frame) else []
    return frame.sort_values(["breach", "width"], ascending=[False, True]).reset_index(drop=True)


def _result(model, frame, hidden, p, seconds, lps, notes) -> AuditResult:
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
