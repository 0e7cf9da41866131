"""Secondary suppression chosen to pass the audit: a greedy loop, re-audited until it passes."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from .._errors import FolgeError
from ._auditor import Auditor
from ._protection import AuditResult, Protection, as_protection, breach_positions
from ._model import CellKey, CellModel, key_dict

__all__ = ["DisclosureError", "Suppression", "suppress", "primary_cells"]


class DisclosureError(FolgeError):
    """The published tables cannot be protected: some breakdown must be coarsened.

    ``cells`` holds the unprotectable cells (as dicts of their dimensions), ``tables`` the
    tables showing them and ``relations`` the relations that pin them.
    """

    def __init__(self, message: str, *, cells=(), tables=(), relations=()):
        super().__init__(message)
        self.cells, self.tables, self.relations = list(cells), list(tables), list(relations)


@dataclass
class Suppression:
    """The chosen suppression: ``reasons`` per cell (``primary``, ``secondary`` or empty).

    ``audit`` is the final full audit (it passed); ``rounds`` the greedy rounds taken.
    """

    model: CellModel
    reasons: np.ndarray
    audit: AuditResult
    rounds: int
    seconds: float

    @property
    def hidden(self) -> np.ndarray:
        return self.reasons != ""

    def suppressed(self) -> dict[CellKey, str]:
        """Key → reason of every suppressed cell (feed to :func:`audit` as ``suppressed``)."""
        return {self.model.keys[i]: str(self.reasons[i]) for i in np.flatnonzero(self.hidden)}

    def loss(self) -> dict[str, float]:
        """Cells lost: primary only (what the threshold alone hides) and after secondary suppression.

        ``share_*`` count every cell; ``sensitive_share_*`` only counts of respondents (not
        the per-value answer counts that blocks hide with their item's ``n``).
        """
        shown = ~self.model.exempt()
        sensitive = shown & self.model.sensitive()
        primary = self.reasons == "primary"
        n, n_sens = int(shown.sum()), int(sensitive.sum())
        return {"cells": n, "primary": int((primary & shown).sum()),
                "secondary": int((self.hidden & ~primary & shown).sum()),
                "share_primary": (primary & shown).sum() / n if n else 0.0,
                "share_hidden": (self.hidden & shown).sum() / n if n else 0.0,
                "sensitive_cells": n_sens,
                "sensitive_share_primary": (primary & sensitive).sum() / n_sens if n_sens else 0.0,
                "sensitive_share_hidden": (self.hidden & sensitive).sum() / n_sens if n_sens else 0.0}

    def frame(self) -> pd.DataFrame:
        """One row per cell: its dimensions, ``tables``, ``count``, ``suppressed`` and ``suppression``."""
        rows = [dict(key) for key in self.model.keys]
        out = pd.DataFrame(rows)
        out["tables"] = [";".join(self.model.tables(i)) for i in range(self.model.n_cells)]
        out["count"] = self.model.values()
        out["suppressed"] = self.hidden
        out["suppression"] = self.reasons
        return out


def primary_cells(model: CellModel, protection: Protection | int) -> np.ndarray:
    """Sensitive, non-exempt cells with ``0 < n < min_n`` (``0 <= n`` when zeros are suppressed).

    A sensitive cell of unknown count is primary too.
    """
    p = as_protection(protection)
    values = model.values()
    small = (values < p.min_n) & ((values > 0) if p.zeros == "publish" else (values >= 0))
    return model.sensitive() & ~model.exempt() & (small | np.isnan(values))


def _incidence(model: CellModel) -> tuple[sparse.csr_matrix, sparse.csc_matrix]:
    a = model.matrix()[0]
    pattern = (a != 0).astype(np.int8)
    return pattern.tocsr(), pattern.tocsc()


def _linked(pattern_csr, pattern_csc, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Relations containing any of ``cells``, and every cell in those relations."""
    rows = np.unique(pattern_csc[:, cells].indices)
    members = np.unique(pattern_csr[rows].indices) if rows.size else np.zeros(0, dtype=int)
    return rows, members


def _component_of(pattern_csr, pattern_csc, start: int, hidden: np.ndarray) -> np.ndarray:
    """Hidden cells reachable from ``start`` through relations (its attack component)."""
    seen = np.zeros(hidden.size, dtype=bool)
    seen[start] = True
    frontier = np.asarray([start])
    while frontier.size:
        _, members = _linked(pattern_csr, pattern_csc, frontier)
        new = members[hidden[members] & ~seen[members]]
        seen[new] = True
        frontier = new
    return np.flatnonzero(seen)


def _costs(values: np.ndarray, candidates: np.ndarray, hits: np.ndarray, protection: float,
           grouped: np.ndarray) -> np.ndarray:
    """Loss of suppressing each candidate: its count, much more when it is too small to give
    room, less when it sits in several exposed relations (closing a rectangle) or in a block
    or tie already partly hidden (whole rows over scattered cells)."""
    v = values[candidates]
    cost = v + np.where(v - 1 < protection, 10.0 * protection, 0.0)
    return cost / (1.0 + hits[candidates]) * np.where(grouped[candidates], 0.75, 1.0)


def _near(csr, csc, cell: int, lone: np.ndarray) -> np.ndarray:
    """Cells in the relations that pin ``cell`` alone (it is their only hidden cell), else in all its relations."""
    rows = csc[:, [cell]].indices
    pinning = rows[lone[rows]]
    rows = pinning if pinning.size else rows
    return np.unique(csr[rows].indices) if rows.size else np.zeros(0, dtype=int)


def _choose(model, hidden, usable, breaches, incidence, protection) -> tuple[np.ndarray, list[int]]:
    """One complement per breached cell; returns the chosen cells and the breaches with none.

    A relation whose only hidden cell is the breached one pins it exactly, so candidates
    come from such relations first; ``hits`` counts how many of them a candidate sits in.
    """
    csr, csc = incidence
    values = model.values()
    lone = np.asarray(csr @ hidden.astype(np.int64)).ravel() == 1
    rows = np.unique(csc[:, breaches].indices)
    rows = rows[lone[rows]]
    hits = np.asarray(csr[rows].sum(axis=0)).ravel() if rows.size else np.zeros(model.n_cells)
    grouped = model.grouped()
    chosen: set[int] = set()
    stuck: list[int] = []
    for cell in breaches:
        near = _near(csr, csc, int(cell), lone)
        candidates = near[usable[near]]
        if candidates.size == 0:
            _, near = _linked(csr, csc, _component_of(csr, csc, int(cell), hidden))
            candidates = near[usable[near]]
        if candidates.size == 0:
            stuck.append(int(cell))
            continue
        if chosen.intersection(candidates.tolist()):
            continue
        cost = _costs(values, candidates, hits, protection, grouped)
        chosen.add(int(candidates[np.argmin(cost)]))
    return np.asarray(sorted(chosen), dtype=int), stuck


def _stuck_error(model: CellModel, stuck: list[int]) -> DisclosureError:
    a, _, _, labels = model.matrix()
    csc = a.tocsc()
    relations = sorted({labels[r] for c in stuck for r in csc[:, c].indices if labels[r]})
    tables = sorted({t for c in stuck for t in model.tables(c)})
    first = model.describe(stuck[0])
    return DisclosureError(
        f"cannot protect {len(stuck)} suppressed cell(s), e.g. {first}: every cell linked to them is already "
        f"hidden, exempt or zero. Coarsen the breakdown in {', '.join(tables)} "
        f"(merge small regions or roles, or drop the breakdown{'; relations: ' + ', '.join(relations) if relations else ''})",
        cells=[key_dict(model.keys[c]) for c in stuck], tables=tables, relations=relations)


def suppress(model: CellModel, protection: Protection | int, *, published=None, max_rounds: int = 200,
             prune: int = 200) -> Suppression:
    """Choose primary and secondary suppressions so that :func:`audit` finds no breach.

    Parameters
    ----------
    model
        Everything to be published (true counts of every cell).
    protection
        A :class:`Protection` (or ``min_n``).
    published
        Cells an earlier edition published (key → value): known to the attacker, useless
        as complements.
    max_rounds
        Greedy rounds before giving up.
    prune
        After passing, try to show again up to this many secondary cells (largest first),
        keeping each only if the audit still passes.

    Returns
    -------
    Suppression

    Raises
    ------
    DisclosureError
        When a breached cell has no cell left to hide with it; the message names the
        tables (and relations) whose breakdown must be coarsened.

    Notes
    -----
    Primary cells are the sensitive counts with ``0 < n < min_n``. Then, until the audit
    passes: for each breached cell pick one published cell sharing a relation with it (or
    with its attack component) of least cost — its count (small cells lose least), much
    more when its count leaves less room than the protection level, divided by one plus
    the number of exposed relations it closes (so rectangles close in one step) and
    lowered for members of blocks and ties (whole rows over scattered cells); spread the
    suppression along ties and blocks; re-audit the touched components only. This is the
    greedy heuristic family of the hypercube and GHMITER methods (Hundepool et al. 2012,
    section 5.3; Fischetti & Salazar-González 2001 give the exact MILP; Castro 2006
    the LP-based alternatives). A last pass shows secondary cells again where the audit
    still passes without them.
    """
    start = time.perf_counter()
    p = as_protection(protection)
    problems = model.check()
    if problems:
        raise ValueError(f"the counts contradict their relations ({len(problems)}), e.g. {problems[0]}: "
                         "register a total whose parts may not cover it with partial=")
    reasons = np.full(model.n_cells, "", dtype=object)
    primary = primary_cells(model, p)
    reasons[primary] = "primary"
    hidden = model.close(primary)
    reasons[hidden & ~primary] = "secondary"
    incidence = _incidence(model)
    auditor = Auditor(model, p, published=published)
    usable = _usable(model, p, published)
    hidden, rounds = _greedy(model, auditor, hidden, reasons, usable, incidence, max_rounds)
    hidden, reasons = _prune(model, auditor, hidden, reasons, incidence, prune)
    final = auditor.run(hidden)
    if not final.passed:  # pragma: no cover - the loop and the pruning re-audit every change
        raise DisclosureError(f"the chosen suppression fails the final audit: {final.breaches[0]}")
    return Suppression(model, reasons, final, rounds, time.perf_counter() - start)


def _greedy(model, auditor, hidden, reasons, usable, incidence, max_rounds):
    """Add complements until the audit passes; ``reasons`` is updated in place.

    Round one audits everything; later rounds audit the components holding the new cells
    and the last breaches (nothing else changed).
    """
    focus = None
    for rounds in range(1, max_rounds + 1):
        result = auditor.run(hidden, focus=focus)
        if result.passed:
            return hidden, rounds
        breaches = breach_positions(result)
        chosen, stuck = _choose(model, hidden, usable & ~hidden, breaches, incidence,
                                auditor.protection.protection)
        if stuck and chosen.size == 0:
            raise _stuck_error(model, stuck)
        new = model.close(hidden | _mask(model.n_cells, chosen))
        reasons[new & ~hidden] = "secondary"
        focus = (new & ~hidden) | _mask(model.n_cells, breaches)
        hidden = new
    raise DisclosureError(f"no suppression passed the audit in {max_rounds} rounds "
                          f"({len(result.breaches)} breaches left, e.g. {result.breaches[0]['cell']})")


def _mask(n: int, positions) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[np.asarray(positions, dtype=int)] = True
    return out


def _usable(model: CellModel, p: Protection, published) -> np.ndarray:
    """Cells that may serve as complements: not exempt, known, not zero, not already public."""
    values = model.values()
    usable = ~model.exempt() & ~np.isnan(values)
    if p.zeros == "publish":
        usable &= values > 0
    for source in ([published] if isinstance(published, dict) else list(published or [])):
        for key in source:
            if key in model:
                usable[model.index(key)] = False
    return usable


def _prune(model, auditor, hidden, reasons, incidence, budget):
    """Show secondary cells again, largest first, where the audit still passes without them.

    The candidates are decided in batches (see :func:`_batch`) whose decisions do not depend
    on one another, and each batch's focused audits share one stacked system
    (:meth:`Auditor.passes`): the same cells are shown again as when deciding one by one.
    """
    values = model.values()
    order = np.flatnonzero(reasons == "secondary")
    order = order[np.argsort(-values[order], kind="stable")][:budget]
    ties, heads, blocks = model._groups()
    groups = (ties.tocsr(), ties.tocsc(), heads, blocks.tocsc())
    start = 0
    while start < order.size:
        batch, start = _batch(model, auditor, hidden, order, start, incidence, groups)
        verdicts = iter(auditor.passes([(trial, focus) for _, trial, focus in batch if focus is not None]))
        for cell, _, focus in batch:
            if focus is None or next(verdicts):
                hidden = hidden.copy()
                hidden[cell] = False
                reasons[cell] = ""
    return hidden, reasons


#: Pruning candidates decided together (their audits stacked in one system).
BATCH = 32


def _batch(model, auditor, hidden, order, start, incidence, groups):
    """The next candidates from ``order[start]`` on whose decisions do not depend on one another.

    Returns ``(cell, trial, focus)`` for each candidate to show again unless its audit fails
    (``focus`` None: nothing hidden is left near it, it is shown without an audit), and
    where the next batch starts. Candidates a tie or block keeps hidden are passed over. A
    decision reads the candidate's group mates (tie members, heads of blocks holding it),
    and every cell sharing a relation or tie with the candidate or with the hidden
    component its focus reaches; the batch ends before the first candidate that reads a
    cell an earlier member may show.
    """
    csr, csc = incidence
    ties, ties_csc, heads, blocks_csc = groups
    taken = np.zeros(model.n_cells, dtype=bool)
    batch = []
    k = start
    while k < order.size and len(batch) < BATCH:
        cell = int(order[k])
        mates = np.concatenate([ties[ties_csc[:, [cell]].indices].indices, heads[blocks_csc[:, [cell]].indices]])
        if taken[mates.astype(int)].any():
            break
        trial = hidden.copy()
        trial[cell] = False
        if model.close(trial)[cell]:
            k += 1
            continue  # a tie or block keeps it hidden
        _, near = _linked(csr, csc, np.asarray([cell]))
        focus = _mask(model.n_cells, near) & trial
        if focus.any():
            reached = auditor.reach(trial & ~auditor.revealed(trial), focus)
            if taken[auditor.neighbours(np.concatenate([[cell], near, reached]))].any():
                break
        elif taken[near].any():
            break
        taken[cell] = True
        batch.append((cell, trial, focus if focus.any() else None))
        k += 1
    return batch, k
