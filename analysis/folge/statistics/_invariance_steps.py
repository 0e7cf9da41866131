"""The WLSMV invariance steps, one driver for the multi-group and the longitudinal model.

:func:`invariance_rows` runs the same sequence for
:func:`~folge.statistics.ordinal_invariance` (waves as independent groups) and
:func:`~folge.statistics.longitudinal_invariance` (one factor per wave, wide data); each
passes its own pieces in a :class:`StepModel`: how to fit a model with given equalities
and freed items, how to make a row of :data:`~folge.statistics.wlsmv.WLSMV_COLUMNS` from
a fit and the fit it is tested against, and which item the score test frees next.

The steps, in order, and what each row is tested against:

1. ``configural``, ``metric`` (loadings equal), ``scalar`` (loadings and thresholds
   equal): each against the previous model, as ``lavTestLRT`` compares them (the
   configural row has no comparison).
2. ``scalar-vs-configural``, the gate's row: the scalar fit against the configural one.
   The scalar model is nested in the configural model, and this test does not depend
   on how the steps in between are identified (Wu & Estabrook 2016).
3. ``scalar-partial``, only where the gate's row fails (``holds`` False) and
   ``max_freed`` ≥ 1: the scalar model with one item's thresholds (or loading) at a time
   free across groups or waves, chosen by its score test (modification index), each fit
   against the configural model, until it holds or ``max_freed`` items are free (Byrne,
   Shavelson & Muthén 1989; Yoon & Millsap 2007). An item once freed is not a candidate
   again. The row is the last model fitted, its ``note`` naming the freed items and the
   score tests that chose them.

``holds`` is the model's own verdict on a row (:func:`~folge.statistics.wlsmv.invariance_holds`:
not (p < .05 and (ΔCFI < −.01 or ΔRMSEA > .015))).

References
----------
Byrne, B. M., Shavelson, R. J. & Muthén, B. (1989). Testing for the equivalence of factor
covariance and mean structures: the issue of partial measurement invariance.
Psychological Bulletin, 105, 456–466.
Wu, H. & Estabrook, R. (2016). Identification of confirmatory factor analysis models of
different levels of invariance for ordered categorical outcomes. Psychometrika, 81,
1014–1045.
Yoon, M. & Millsap, R. E. (2007). Detecting violations of factorial invariance using
data-based specification searches: a Monte Carlo study. Structural Equation Modeling,
14, 435–463.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from folge.statistics.wlsmv import INVARIANCE_STEPS, WLSMV_COLUMNS, _join

#: ``model`` of the row of the scalar model tested against the configural model (the gate's).
GATE_MODEL = "scalar-vs-configural"
#: ``model`` of the row of the scalar model with some item parameters free across groups.
PARTIAL_MODEL = "scalar-partial"

_SCALAR = dict(INVARIANCE_STEPS)["scalar"]
_HOLDS = WLSMV_COLUMNS.index("holds")
_NO_SCORE_TEST = "partial invariance: no score test could be computed"


@dataclass(frozen=True)
class StepModel:
    """The pieces of one model that the invariance steps need.

    Attributes
    ----------
    fit : callable
        ``fit(equal, partial=())``: the model fitted with the parameter sets ``equal``
        (from :data:`~folge.statistics.wlsmv.INVARIANCE_STEPS`) held equal, except the
        ``partial`` pairs ``(parameter, item)`` (``"thresholds"`` or ``"loading"``).
    row : callable
        ``row(name, fit, previous)``: the row of ``fit`` named ``name`` with its
        difference test against ``previous`` (``None``: no comparison), a tuple in the
        order of :data:`~folge.statistics.wlsmv.WLSMV_COLUMNS`.
    next_release : callable
        ``next_release(fit, exclude)``: the dict of :func:`strongest_release` for ``fit``,
        skipping the items in ``exclude``, or ``None``.
    empty_row : callable
        ``empty_row(name, reason)``: a row named ``name`` with no fit, ``reason`` in its note.
    across : str
        What the parameters are freed across, for the note: ``"groups"`` or ``"waves"``.
    """

    fit: Callable
    row: Callable
    next_release: Callable
    empty_row: Callable
    across: str


def check_max_freed(max_freed) -> None:
    """Raise ``ValueError`` unless ``max_freed`` is a whole number ≥ 0 (not a bool)."""
    if isinstance(max_freed, bool) or not isinstance(max_freed, (int, np.integer)) or max_freed < 0:
        raise ValueError(f"'max_freed' must be a whole number ≥ 0 (got {max_freed!r})")


def invariance_rows(model: StepModel, max_freed: int) -> list[tuple]:
    """The rows of the invariance steps, in order (see the module docstring).

    Parameters
    ----------
    model : StepModel
        The model's fit, row, score-test and empty-row pieces.
    max_freed : int
        Most items whose thresholds (or loading) may be freed; 0 gives no
        ``scalar-partial`` row.

    Returns
    -------
    list of tuple
        ``configural``, ``metric``, ``scalar`` (each against the previous model),
        ``scalar-vs-configural`` (scalar against configural) and, where that fails and
        ``max_freed`` ≥ 1, ``scalar-partial`` (against configural).
    """
    rows, fits = _nested_rows(model)
    gate = model.row(GATE_MODEL, fits["scalar"], fits["configural"])
    rows.append(gate)
    if gate[_HOLDS] is False and max_freed > 0:
        rows.append(_partial_row(model, fits["configural"], fits["scalar"], int(max_freed)))
    return rows


def _nested_rows(model: StepModel) -> tuple[list[tuple], dict]:
    """The configural, metric and scalar rows, each against the previous fit, and the fits."""
    rows, fits, previous = [], {}, None
    for name, equal in INVARIANCE_STEPS:
        fit = model.fit(equal)
        rows.append(model.row(name, fit, previous))
        fits[name] = previous = fit
    return rows, fits


def _partial_row(model: StepModel, configural, scalar, max_freed: int) -> tuple:
    """The ``scalar-partial`` row: free one item at a time until the model holds."""
    chosen, fit, row = [], scalar, None
    while len(chosen) < max_freed:
        release = model.next_release(fit, [c["item"] for c in chosen])
        if release is None:
            break
        chosen.append(release)
        fit = model.fit(_SCALAR, partial=[(c["parameter"], c["item"]) for c in chosen])
        row = model.row(PARTIAL_MODEL, fit, configural)
        if row[_HOLDS] is not False:
            break
    if row is None:
        return model.empty_row(PARTIAL_MODEL, _NO_SCORE_TEST)
    return row[:_HOLDS + 1] + (_join(_freed_note(chosen, model.across), row[_HOLDS + 1]),)


def strongest_release(scores: pd.DataFrame, exclude: Collection[str] = ()) -> dict | None:
    """The item parameter set whose release the score test favours most.

    Parameters
    ----------
    scores : pandas.DataFrame
        One score test per item and parameter set, with columns ``parameter``,
        ``item``, ``x2``, ``df``, ``p``.
    exclude : collection of str
        Items already freed, not candidates again.

    Returns
    -------
    dict or None
        ``{"parameter", "item", "x2", "df", "p"}`` of the set with the smallest p-value
        (ties: the larger X², first listed after that); ``None`` when no finite test is left.

    Notes
    -----
    A threshold set and a loading have different df, so sets are compared by p, not by
    X² (Yoon & Millsap 2007 free by the largest modification index).
    """
    scores = scores[~scores["item"].isin(list(exclude)) & np.isfinite(scores["x2"].astype(float))]
    if scores.empty:
        return None
    best = scores.sort_values(["p", "x2"], ascending=[True, False], kind="stable").iloc[0]
    return {"parameter": str(best["parameter"]), "item": str(best["item"]), "x2": float(best["x2"]),
            "df": int(best["df"]), "p": float(best["p"])}


def _freed_note(chosen: list[dict], across: str) -> str:
    """``<parameter> of <item> free across <across> (score test X²(df) = …, p …)``, joined by "; "."""
    parts = []
    for c in chosen:
        p = "p < .001" if c["p"] < 0.001 else f"p = {c['p']:.3f}"
        parts.append(f"{c['parameter']} of {c['item']} free across {across} "
                     f"(score test X²({c['df']}) = {c['x2']:.1f}, {p})")
    return "; ".join(parts)


def steps_frame(rows: list[tuple]) -> pd.DataFrame:
    """The rows as a frame with columns :data:`~folge.statistics.wlsmv.WLSMV_COLUMNS`."""
    return pd.DataFrame(rows, columns=list(WLSMV_COLUMNS)).astype(
        {"df": "Int64", "df_diff": "Int64", "holds": "boolean"})
