"""Iterative proportional fitting (raking) on the cells of the margins' cross-classification.

Every respondent in one cell of the cross-classification of the margin variables (for
example region x role) is multiplied by the same factor in every post-stratification
step, so raking can run on the table of weighted cell totals, however many respondents
there are: the per-respondent work is one ``bincount`` before and one gather after.
The public face is :func:`folge.statistics.survey.rake`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Margin", "fit_cells", "margin_from_totals", "trim_weights"]


@dataclass(frozen=True)
class Margin:
    """One raking margin: the respondents' category codes and the population totals.

    ``codes`` index ``categories`` (one code per respondent); ``totals`` holds the
    population total of every category, in the same order.
    """

    name: str
    categories: tuple
    codes: np.ndarray
    totals: np.ndarray


def margin_from_totals(name: str, labels: pd.Series, totals, empty: str) -> tuple[Margin, list[str]]:
    """Build a :class:`Margin` from the sample's labels and a mapping of population totals.

    Returns the margin and a list of notes on categories whose total was spread
    (``empty='spread'``). Raises ``ValueError`` naming the category for a missing label,
    a sample category without a population total, a negative total, or (with
    ``empty='error'``) a category with a population total but no respondents.
    """
    if labels.isna().any():
        row = labels.index[labels.isna().to_numpy()][0]
        raise ValueError(f"margin {name!r} has a missing value (row {row!r}); every respondent needs a category")
    pop = _totals_series(name, totals)
    present = pd.Index(pd.unique(labels))
    pop.index = [c.item() if isinstance(c, np.generic) else c for c in pop.index]
    unknown = [c.item() if isinstance(c, np.generic) else c for c in present if c not in pop.index or pop[c] == 0]
    if unknown:
        raise ValueError(
            f"margin {name!r}: category {unknown[0]!r} has respondents but no population total "
            f"(got categories {list(pop.index)!r})"
        )
    notes: list[str] = []
    absent = [c for c in pop.index if pop[c] > 0 and c not in present]
    if absent and empty == "error":
        c = absent[0]
        raise ValueError(
            f"margin {name!r}: category {c!r} has {pop[c]:g} in the population (invited) but no respondents; "
            "collapse it in the frame or pass empty='spread' to spread its total over the other categories"
        )
    if absent:
        kept = pop.drop(absent)
        kept = kept[kept > 0]
        if kept.empty:
            raise ValueError(f"margin {name!r}: no category has respondents")
        spread = float(pop[absent].sum())
        notes.append(
            f"margin {name!r}: {', '.join(map(repr, absent))} had {spread:g} invited but no respondents; "
            "their total was spread over the other categories in proportion to their totals"
        )
        pop = kept * (float(pop.sum()) / float(kept.sum()))
    pop = pop[pop > 0]
    categories = tuple(pop.index)
    codes = pd.Index(categories).get_indexer(labels)
    return Margin(name, categories, codes.astype(np.intp), pop.to_numpy(dtype=float)), notes


def _totals_series(name: str, totals) -> pd.Series:
    """Population totals as a float Series indexed by category, checked."""
    if isinstance(totals, pd.DataFrame):
        raise TypeError(f"population totals of margin {name!r} must be a mapping or Series (got a DataFrame)")
    pop = totals if isinstance(totals, pd.Series) else pd.Series(dict(totals), dtype=float)
    if not pd.api.types.is_numeric_dtype(pop.dtype):
        raise TypeError(f"population totals of margin {name!r} must be numeric (got dtype {pop.dtype})")
    pop = pop.astype(float)
    if pop.index.has_duplicates:
        raise ValueError(f"population totals of margin {name!r} repeat a category")
    bad = pop[~(pop >= 0) | ~np.isfinite(pop)]
    if len(bad):
        raise ValueError(
            f"population totals of margin {name!r} must be finite and non-negative "
            f"(got {bad.iloc[0]!r} for {bad.index[0]!r})"
        )
    return pop


@dataclass(frozen=True)
class CellFit:
    """Result of :func:`fit_cells`: one multiplicative factor per cell and diagnostics."""

    factors: np.ndarray
    iterations: int
    converged: bool
    max_change: float


def fit_cells(cell_of_unit: np.ndarray, start: np.ndarray, margins: list[Margin], tolerance: float,
              maxit: int) -> CellFit:
    """Rake the cell totals to the margins as ``survey::rake`` does.

    One iteration post-stratifies to every margin in turn; the loop stops when no cell
    of the joint table of the margin variables changed by ``tolerance`` or more
    during the iteration, or after ``maxit`` iterations.
    """
    n_cells = int(cell_of_unit.max()) + 1
    base = np.bincount(cell_of_unit, weights=start, minlength=n_cells)
    cat_of_cell = []
    for m in margins:
        cat = np.zeros(n_cells, dtype=np.intp)
        cat[cell_of_unit] = m.codes
        cat_of_cell.append(cat)
    factors = np.ones(n_cells)
    old = base.copy()
    delta = np.inf
    for iteration in range(1, maxit + 1):
        for m, cat in zip(margins, cat_of_cell):
            current = np.bincount(cat, weights=base * factors, minlength=len(m.totals))
            factors = factors * (m.totals / current)[cat]
        new = base * factors
        delta = float(np.max(np.abs(new - old)))
        if delta < tolerance:
            return CellFit(factors, iteration, True, delta)
        old = new
    return CellFit(factors, maxit, False, delta)


def trim_weights(weights: np.ndarray, lower: float, upper: float, max_rounds: int = 1000) -> tuple[np.ndarray, int]:
    """Trim weights to ``[lower, upper]`` as ``survey::trimWeights(strict = TRUE)``.

    Each round clips the weights outside the bounds and adds the trimmed amount, in
    equal parts, to the weights that were inside; rounds repeat until none is outside.
    Returns the trimmed weights and the number of rounds.
    """
    w = weights.astype(float).copy()
    for rounds in range(max_rounds + 1):
        outside = (w < lower) | (w > upper)
        if not outside.any():
            return w, rounds
        clipped = np.clip(w, lower, upper)
        if outside.all():
            return clipped, rounds + 1
        clipped[~outside] += float(np.sum(w - clipped)) / int(np.sum(~outside))
        w = clipped
    return w, max_rounds
