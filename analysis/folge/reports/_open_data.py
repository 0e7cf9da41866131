"""Open data: every published aggregate as UTF-8 CSV plus a Frictionless data package.

Each CSV holds the rows of one public table as protected (keys, ``n``, values,
``suppressed``); suppressed rows keep their keys with empty numbers. The flag does not tell
a row hidden for too few answers from one hidden to protect another (that would narrow what
an attacker must consider). ``datapackage.json``
describes every file (fields and types) under the study's open licence.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from ._disclosure import require_disclosed
from ._public import INTERNAL_COLUMNS, PublicTable

__all__ = ["write_open_data", "LICENCES"]

LICENCES = {
    "NLOD-2.0": {"name": "NLOD-2.0", "title": "Norsk lisens for offentlige data (NLOD) 2.0",
                 "path": "https://data.norge.no/nlod/no/2.0"},
    "CC-BY-4.0": {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                  "path": "https://creativecommons.org/licenses/by/4.0/"},
}
#: Columns that count people or items: written as whole numbers.
INTEGER_COLUMNS = {"n", "n_from", "n_to", "invited", "responded", "retained", "k", "df", "n_regions", "value",
                   "n_items"}


def _field_type(series: pd.Series, name: str) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_numeric_dtype(series):
        values = series.dropna()
        if name in INTEGER_COLUMNS and (values.empty or np.allclose(values, values.round())):
            return "integer"
        return "number"
    return "string"


def _public_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    require_disclosed(frame, "open-data table")
    drop = [c for c in (*INTERNAL_COLUMNS, "suppression") if c in frame.columns]
    frame = frame.drop(columns=drop).copy()
    # keys first, then n, values, the flag last
    columns = [c for c in frame.columns if c not in ("n", "suppressed")] + ["n", "suppressed"]
    frame = frame[columns]
    fields = []
    for name in frame.columns:
        kind = _field_type(frame[name], name)
        if kind == "integer":
            frame[name] = frame[name].round().astype("Int64")
        elif kind == "boolean":
            frame[name] = frame[name].map({True: "true", False: "false"})
        elif kind == "string":
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
        fields.append({"name": name, "type": kind})
    return frame, fields


def _weighting_sentence(provenance: Mapping) -> str:
    """Whether the means are weighted, for the data package's description."""
    margins = provenance.get("weighting_margins", "")
    if not margins:
        return "The means are not weighted: every answer counts the same."
    to = "region and role" if margins == "region+role" else "region"
    return (f"Means where weighted = true (levels.csv, and construct_means.csv for all roles) are weighted: "
            f"each wave's answers are raked to the number invited per {to}; results by role are unweighted. "
            "levels.csv also carries each region's empirical-Bayes estimate (eb, eb_se) beside the direct one.")


def write_open_data(tables: Mapping[str, PublicTable], folder: Path, *, study, provenance: Mapping) -> list[str]:
    """Write ``folder/*.csv`` and ``folder/datapackage.json``; returns the CSV file names."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    resources, names = [], []
    for name in sorted(tables):
        table = tables[name]
        frame, fields = _public_frame(table.frame)
        path = folder / f"{name}.csv"
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.6g")
        names.append(path.name)
        resources.append({
            "name": name.replace("_", "-"), "path": path.name, "title": table.title.get("en", name),
            "description": f"{table.title.get('nb', name)} / {table.title.get('en', name)}. "
                           f"Rows with suppressed = true carry no numbers: they rest on fewer than {study.min_n} "
                           "respondents, or could reveal such a row together with the other published tables; rows with exempt = true are facts about a "
                           "region (status reports) or verdicts without a figure, to which the threshold does not apply.",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "profile": "tabular-data-resource",
            "schema": {"fields": fields, "missingValues": [""]},
        })
    licence = LICENCES.get(study.licence, LICENCES["NLOD-2.0"])
    package = {
        "profile": "tabular-data-package",
        "name": (study.short_name or "folge").lower().replace(" ", "-") + "-open-data",
        "title": f"{study.programme}: open aggregated data",
        "description": "Aggregated results of the follow-up research, after disclosure control. "
                       f"Data snapshot {provenance.get('snapshot', '')}, toolkit folge {provenance.get('toolkit', '')}. "
                       + _weighting_sentence(provenance),
        "version": str(provenance.get("edition", "")) or "1",
        "created": str(provenance.get("analysed_iso", "")) or None,
        "licenses": [licence],
        "resources": resources,
    }
    package = {k: v for k, v in package.items() if v is not None}
    (folder / "datapackage.json").write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
    return names
