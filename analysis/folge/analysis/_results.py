"""The result tables of ``folge analyze``: their names, their columns, reading and writing.

Every table is a tidy CSV (UTF-8, comma-separated) in the results folder, with the
columns of the result contract (``analysis/ARCHITECTURE.md``) first, in order, and any extra columns after them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from .._errors import AnalysisError

__all__ = ["TABLE_COLUMNS", "MANIFEST", "Results", "column_kind", "typed", "wave_dtype", "write_results",
           "read_results", "read_manifest", "conform"]

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
               "note"),
    "trend": ("construct", "estimate", "se", "ci_low", "ci_high", "p", "n", "n_regions", "method", "note"),
    "invariance": ("construct", "estimator", "model", "chi2", "chi2_scaled", "df", "cfi", "rmsea", "srmr",
                   "delta_cfi", "delta_rmsea", "chi2_diff", "df_diff", "p_diff", "holds", "note", "n", "n_groups"),
    "criteria": ("criterion", "region", "wave", "indicator", "value", "n", "threshold", "p", "verdict", "reason"),
    "response_rates": ("region", "wave", "role", "invited", "responded", "rate", "source"),
    "panel": ("region", "from_wave", "to_wave", "n_from", "retained", "retention"),
    "trust_matrix": ("region", "wave", "from_sector", "to_sector", "n", "mean", "construct"),
    "learning_chain": ("region", "wave", "stage", "n", "share", "construct"),
    "item_distribution": ("instrument", "construct", "item", "region", "wave", "value", "n"),
    "quality": ("respondent", "region", "wave", "role", "instrument", "flag", "unit", "value", "threshold"),
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
    folder = Path(results_dir)
    path = folder / MANIFEST
    if not folder.is_dir() or not path.exists():
        raise AnalysisError(f"no analysis results in '{folder}': run 'folge analyze' first "
                            "(or pass --results DIR)")
    return json.loads(path.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------------------
# the typed contract

#: Columns holding a wave id: an ordered categorical in study order.
WAVE_COLUMNS: frozenset[str] = frozenset({"wave", "from_wave", "to_wave"})
#: Columns holding true/false: pandas' nullable ``boolean``.
BOOL_COLUMNS: frozenset[str] = frozenset({"holds"})
#: Columns holding text: pandas' ``str`` (missing is NaN), so ids such as ``0301`` keep their form.
TEXT_COLUMNS: frozenset[str] = frozenset({
    "region", "respondent", "role", "construct", "item", "criterion", "indicator", "verdict", "reason",
    "reason_en", "method", "note", "stage", "from_sector", "to_sector", "instrument", "comparison", "model",
    "estimator",
    "source", "gate", "rules", "flag", "unit"})


def column_kind(column: str) -> str:
    """``wave``, ``bool``, ``text`` or ``number``: how a result column is typed (every other column is a number)."""
    if column in WAVE_COLUMNS:
        return "wave"
    if column in BOOL_COLUMNS:
        return "bool"
    if column in TEXT_COLUMNS:
        return "text"
    return "number"


def wave_dtype(order) -> pd.CategoricalDtype:
    """The ordered categorical of wave ids in ``order`` (study order)."""
    return pd.CategoricalDtype([str(w) for w in order], ordered=True)


def _as_bool(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip().str.lower()
    mapped = text.map({"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False})
    return mapped.astype("boolean")


def typed(frame: pd.DataFrame, waves) -> pd.DataFrame:
    """``frame`` with every column in its declared dtype (see :func:`column_kind`).

    Waves become an ordered categorical over ``waves`` (ids the study does not list are
    appended after them, so nothing is lost); booleans become ``boolean``; text ``str``;
    numbers ``float64`` with NaN for missing.
    """
    frame = frame.copy()
    for column in frame.columns:
        kind = column_kind(column)
        values = frame[column]
        if kind == "wave":
            text = values.astype(str).where(values.notna())
            order = [str(w) for w in waves]
            order += [w for w in dict.fromkeys(text.dropna()) if w not in order]
            frame[column] = text.astype(wave_dtype(order))
        elif kind == "bool":
            frame[column] = _as_bool(values)
        elif kind == "text":
            frame[column] = values.astype(str).where(values.notna())
        else:
            frame[column] = pd.to_numeric(values, errors="coerce").astype(float)
    return frame


def _read_table(path: Path, waves) -> pd.DataFrame:
    header = pd.read_csv(path, nrows=0).columns
    text = {c: str for c in header if column_kind(c) != "number"}
    return typed(pd.read_csv(path, dtype=text, keep_default_na=True), waves)


@dataclass(frozen=True)
class Results:
    """The result folder of one analysis: its typed tables and its manifest.

    The one way to read (:meth:`read`) and write (:meth:`write`) the tables of
    ``folge analyze``. Every column has a declared dtype (:func:`column_kind`): wave
    columns are an ordered categorical in study order, ``holds`` is ``boolean``, text is
    ``str``, every number ``float64`` with NaN for missing. A table the folder lacks is
    an empty frame.

    >>> import pandas as pd
    >>> r = Results.from_tables({"panel": pd.DataFrame({"region": ["a"], "from_wave": ["w1"], "to_wave": ["w2"],
    ...                          "n_from": [3], "retained": [2], "retention": [2 / 3]})}, {"waves": ["w1", "w2"]})
    >>> r.table("panel")["to_wave"].cat.categories.tolist(), r.table("panel")["n_from"].dtype
    (['w1', 'w2'], dtype('float64'))
    """

    folder: Path | None
    tables: Mapping[str, pd.DataFrame]
    manifest: Mapping[str, object]
    waves: tuple[str, ...] = ()

    @classmethod
    def read(cls, folder: str | Path, names=None, *, waves=None) -> "Results":
        """Read the tables (all, or ``names``) and the manifest of ``folder``.

        ``waves`` is the study's wave order (default: the manifest's ``waves``).
        Raises :class:`folge.AnalysisError` when the folder or its manifest is missing.
        """
        folder = Path(folder)
        manifest = read_manifest(folder)
        order = tuple(str(w) for w in (waves if waves is not None else manifest.get("waves", ())))
        tables = {}
        for name in names or TABLE_COLUMNS:
            path = folder / f"{name}.csv"
            if path.exists() and path.stat().st_size > 0:
                tables[name] = _read_table(path, order)
        return cls(folder, tables, manifest, order)

    @classmethod
    def from_tables(cls, tables: Mapping[str, pd.DataFrame], manifest: Mapping[str, object], *,
                    waves=None) -> "Results":
        """Typed results from frames in memory (as the analysis produced them)."""
        order = tuple(str(w) for w in (waves if waves is not None else manifest.get("waves", ())))
        return cls(None, {n: typed(f, order) for n, f in tables.items()}, manifest, order)

    def table(self, name: str) -> pd.DataFrame:
        """The table ``name`` (an empty frame when the analysis did not write it)."""
        return self.tables.get(name, pd.DataFrame())

    def write(self, folder: str | Path) -> list[Path]:
        """Write every table and the manifest to ``folder`` (see :func:`write_results`).

        Values and dtypes survive a write and a read; numbers are written as the floats
        they are (``folge analyze`` itself writes its frames with :func:`write_results`).
        """
        return write_results(self.tables, dict(self.manifest), folder)


def read_results(results_dir: str | Path, names=None) -> dict[str, pd.DataFrame]:
    """The typed tables of ``results_dir`` (all, or ``names``): ``Results.read(...).tables``."""
    return dict(Results.read(results_dir, names).tables)
