"""The result tables of ``folge analyze``: their names, their columns, reading and writing.

Every table is a tidy CSV (UTF-8, comma-separated) in the results folder, with the
columns of the result contract (``analysis/ARCHITECTURE.md``) first, in order, and any extra columns after them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from .._errors import AnalysisError

__all__ = ["TABLE_COLUMNS", "MANIFEST", "write_results", "read_results", "read_manifest", "conform"]

#: table name → its columns, the contract's first (``analysis/ARCHITECTURE.md``).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "scores": ("respondent", "region", "wave", "role", "construct", "score", "n_items", "instrument"),
    "reliability": ("construct", "wave", "n", "k", "alpha", "alpha_ci_low", "alpha_ci_high", "omega", "note"),
    "items": ("construct", "wave", "item", "n", "mean", "sd", "r_drop", "alpha_if_dropped", "missing_share",
              "note"),
    "icc": ("construct", "wave", "n_regions", "n", "icc1", "icc2", "note"),
    "agreement": ("construct", "wave", "region", "n", "mean", "sd", "rwg_j", "ad", "note"),
    "change": ("construct", "region", "from_wave", "to_wave", "n_from", "n_to", "mean_from", "mean_to", "diff",
               "ci_low", "ci_high", "hedges_g", "p", "p_adj", "method", "g_ci_low", "g_ci_high", "comparison",
               "note", "se", "df"),
    "trend": ("construct", "region", "estimate", "se", "df", "ci_low", "ci_high", "p", "n", "n_regions", "method",
              "note"),
    "invariance": ("construct", "model", "chi2", "df", "cfi", "rmsea", "srmr", "holds", "n", "n_groups",
                   "delta_cfi", "note"),
    "criteria": ("criterion", "region", "wave", "indicator", "value", "n", "threshold", "p", "verdict", "reason"),
    "response_rates": ("region", "wave", "role", "invited", "responded", "rate", "source"),
    "panel": ("region", "from_wave", "to_wave", "n_from", "retained", "retention"),
    "trust_matrix": ("region", "wave", "from_sector", "to_sector", "n", "mean", "construct"),
    "learning_chain": ("region", "wave", "stage", "n", "share", "construct"),
    "item_distribution": ("instrument", "construct", "item", "region", "wave", "value", "n"),
}

MANIFEST = "manifest.json"


def conform(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the table's columns first, in order (missing ones added empty)."""
    columns = list(TABLE_COLUMNS[name])
    frame = frame.copy()
    for column in columns:
        if column not in frame:
            frame[column] = pd.NA
    extras = [c for c in frame.columns if c not in columns]
    return frame.loc[:, columns + extras].reset_index(drop=True)


#: Tables at least this long are written by :func:`_write_csv_fast`.
_FAST_ROWS = 100_000


def _csv_field(text: str) -> str:
    """``text`` quoted as the csv module's QUOTE_MINIMAL quotes it (pandas' default)."""
    if any(ch in text for ch in (",", '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


def _fast_csv_supported(frame: pd.DataFrame) -> bool:
    for dtype in frame.dtypes:
        if isinstance(dtype, pd.CategoricalDtype):
            if not all(isinstance(c, str) for c in dtype.categories):
                return False
        elif not (dtype.kind in "fiu" and isinstance(dtype, np.dtype)) and not pd.api.types.is_string_dtype(dtype):
            return False
    return True


def _column_text(values: pd.Series):
    """(codes, text of each code) of one column, text as ``DataFrame.to_csv`` writes it.

    Distinct values are formatted once: categories as they are, numbers with numpy's
    ``astype(str)`` (what pandas does for floats without ``float_format``), missing as
    an empty field.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        labels = [str(c) for c in values.cat.categories]
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        uniques = np.asarray(uniques)
        labels = [str(u) for u in uniques] if uniques.dtype.kind in "OUS" or uniques.dtype == object else \
            list(uniques.astype(str))
    labels = np.array([_csv_field(t) for t in labels] + [""], dtype=object)  # code -1 → blank
    return codes, labels


def _write_csv_fast(frame: pd.DataFrame, path: Path, chunk: int = 500_000) -> None:
    """Write ``frame`` as ``frame.to_csv(path, index=False)`` would, text built per distinct value."""
    columns = [_column_text(frame[c]) for c in frame.columns]
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(_csv_field(str(c)) for c in frame.columns) + "\n")
        for start in range(0, len(frame), chunk):
            pieces = [labels[codes[start:start + chunk]].tolist() for codes, labels in columns]
            out.write("\n".join(map(",".join, zip(*pieces))))
            out.write("\n")


def write_results(tables: Mapping[str, pd.DataFrame], manifest: dict, out_dir: str | Path) -> list[Path]:
    """Write every table as ``NAME.csv`` and the manifest; returns the paths written.

    Files are written to a temporary name and renamed, so a reader never sees half a table.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = out_dir / f"{name}.csv"
        tmp = path.with_suffix(".csv.tmp")
        if len(frame) >= _FAST_ROWS and _fast_csv_supported(frame):
            _write_csv_fast(frame, tmp)
        else:
            frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
        tmp.replace(path)
        written.append(path)
    path = out_dir / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    written.append(path)
    return written


def read_manifest(results_dir: str | Path) -> dict:
    """The manifest of the analysis in ``results_dir``; :class:`AnalysisError` if there is none."""
    path = Path(results_dir) / MANIFEST
    if not path.exists():
        raise AnalysisError(f"no analysis in {results_dir}: run 'folge analyze' first")
    return json.loads(path.read_text(encoding="utf-8"))


def read_results(results_dir: str | Path, names=None) -> dict[str, pd.DataFrame]:
    """Read the result tables of ``results_dir`` (all, or ``names``) as DataFrames.

    Region, wave and id columns are read as text, so a wave id such as ``2015-1`` or a
    numeric-looking region id keeps its form.
    """
    read_manifest(results_dir)
    text_columns = {"region", "wave", "from_wave", "to_wave", "respondent", "role", "construct", "item",
                    "criterion", "indicator", "verdict", "reason", "method", "note", "stage", "from_sector",
                    "to_sector", "instrument", "comparison", "model", "source"}
    tables = {}
    for name in names or TABLE_COLUMNS:
        path = Path(results_dir) / f"{name}.csv"
        if not path.exists():
            continue
        header = pd.read_csv(path, nrows=0).columns
        tables[name] = pd.read_csv(path, dtype={c: "string" for c in header if c in text_columns},
                                   keep_default_na=True)
    return tables
