"""The audit: what an attacker derives for every suppressed cell from everything published."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from ._auditor import Auditor
from ._model import CellModel
from ._protection import AuditResult, Protection, as_protection, breach_positions

__all__ = ["Protection", "AuditResult", "audit", "as_protection", "hidden_mask", "breach_positions"]


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
        Optional boolean mask of cells: attack only the hidden components holding them
        (cells connected to them through relations and hidden ties); cells elsewhere are
        neither attacked nor reported (see :class:`~folge.disclosure._auditor.Auditor`).

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
    p = as_protection(protection)
    hidden, reasons = hidden_mask(model, suppressed)
    return Auditor(model, p, published=published).run(hidden, reasons, exact=exact, focus=focus)
