"""Across editions: the cells one edition showed are public knowledge for the next audit."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ._audit import hidden_mask
from ._model import CellKey, CellModel, cell_key, key_dict

__all__ = ["published_cells", "write_published", "read_published"]


def published_cells(model: CellModel, suppressed=None) -> dict[CellKey, float]:
    """Key → count of every cell shown (not suppressed), for ``audit(..., published=...)``.

    Examples
    --------
    >>> m = CellModel()
    >>> _ = m.add_cell(cell_key(region="a"), 3, table="t")
    >>> _ = m.add_cell(cell_key(region="b"), 9, table="t")
    >>> published_cells(m, [cell_key(region="a")])
    {(('region', 'b'),): 9.0}
    """
    hidden, _ = hidden_mask(model, suppressed)
    values = model.values()
    return {model.keys[i]: float(values[i]) for i in np.flatnonzero(~hidden & ~np.isnan(values))}


def write_published(cells: dict[CellKey, float], path: str | Path) -> Path:
    """Save published cells as JSON (a list of ``{"cell": {...}, "value": n}``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # one cell a line; json's C encoder (no ``indent``) writes the tens of thousands of
    # cells of a large study in a fraction of the time the indenting encoder takes
    lines = [json.dumps({"cell": key_dict(k), "value": v}, ensure_ascii=False) for k, v in cells.items()]
    path.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")
    return path


def read_published(path: str | Path) -> dict[CellKey, float]:
    """Read what :func:`write_published` wrote; raises ``ValueError`` on another shape."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "cell" in r and "value" in r for r in rows):
        raise ValueError(f"'{path}' is not a published-cells file (expected a list of {{cell, value}})")
    return {cell_key(r["cell"]): float(r["value"]) for r in rows}
