"""The codebook of an instrument: one row per item in questionnaire order."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..definitions import Instrument

__all__ = ["CODEBOOK_COLUMNS", "codebook", "write_codebook"]

CODEBOOK_COLUMNS = (
    "instrument", "version", "construct", "item", "position", "scale", "min", "max",
    "reverse", "missing_codes", "text_nb", "text_nn", "text_en",
)


def codebook(instrument: Instrument) -> pd.DataFrame:
    """One row per item of ``instrument``, columns :data:`CODEBOOK_COLUMNS`.

    ``min``/``max`` are empty for free-text items; ``reverse`` is ``true``/``false``;
    ``missing_codes`` joins the scale's missing codes with ``;``.
    """
    rows = []
    for item in instrument.items:
        scale = item.scale
        rows.append({
            "instrument": instrument.id,
            "version": instrument.version,
            "construct": item.construct,
            "item": item.id,
            "position": item.position,
            "scale": scale.id,
            "min": "" if not scale.is_numeric else str(scale.min),
            "max": "" if not scale.is_numeric else str(scale.max),
            "reverse": "true" if item.reverse else "false",
            "missing_codes": ";".join(str(code) for code in sorted(scale.missing)),
            "text_nb": item.text.get("nb", ""),
            "text_nn": item.text.get("nn", ""),
            "text_en": item.text.get("en", ""),
        })
    return pd.DataFrame(rows, columns=list(CODEBOOK_COLUMNS))


def write_codebook(instrument: Instrument, path: str | Path) -> Path:
    """Write :func:`codebook` as UTF-8, comma-separated CSV to ``path``."""
    path = Path(path)
    codebook(instrument).to_csv(path, index=False, encoding="utf-8")
    return path
