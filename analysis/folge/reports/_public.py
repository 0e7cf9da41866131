"""From the result folder to the public tables: read, cut to a wave, disclose.

This module is the only way from ``folge analyze``'s results to anything published:
:func:`public_tables` reads every result table, keeps what may be published (no
respondent-level rows, no free text), and passes each table through
:func:`~folge.reports._disclosure.disclose` with its parts and totals. Tables, figures and
the open data are drawn from its output only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from .._errors import AnalysisError
from ..analysis import Results
from ..vocabulary import labels
from ._disclosure import TOTAL, disclose

__all__ = ["Results", "PublicTable", "holds", "read_results", "public_tables", "INTERNAL_COLUMNS"]

@dataclass(frozen=True)
class PublicTable:
    """One disclosed table: what it is, its rows, and how its columns read."""

    name: str
    frame: pd.DataFrame
    title: Mapping[str, str]
    fields: Mapping[str, str] = field(default_factory=dict)


def read_results(folder: str | Path, study=None) -> Results:
    """The typed results in ``folder`` (waves in the order of ``study`` when given).

    Raises :class:`folge.AnalysisError` when the folder or its manifest is missing.
    """
    waves = [w.id for w in study.waves] if study is not None else None
    return Results.read(folder, waves=waves)


# ----------------------------------------------------------------------------------------
# cutting to a wave


def waves_upto(study, results: Results, wave: str | None) -> list[str]:
    """The study's waves up to and including ``wave`` (all waves the results hold when None)."""
    order = [w.id for w in study.waves]
    if wave is not None and wave not in order:
        raise AnalysisError(f"unknown wave '{wave}' (the study has {', '.join(order)})")
    present = {str(w) for w in results.manifest.get("waves", order)}
    return [w for w in study.waves_upto(wave) if w in present]


def _cut(frame: pd.DataFrame, waves: list[str]) -> pd.DataFrame:
    if frame.empty:
        return frame
    keep = pd.Series(True, index=frame.index)
    for col in ("wave", "from_wave", "to_wave"):
        if col in frame.columns:
            keep &= frame[col].isin(waves)
    return frame[keep].reset_index(drop=True)


# ----------------------------------------------------------------------------------------
# derived tables


def _t_ci(mean, sd, n):
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * np.asarray(sd, dtype=float) / np.sqrt(n)
    half = np.where(n > 1, half, np.nan)
    return mean - half, mean + half


def construct_means(results: Results, study) -> pd.DataFrame:
    """Mean construct score with a t confidence interval per region, role and wave.

    From ``scores.csv`` (every respondent's score) where present: national and regional
    totals (``role = all``) and role breakdowns; else pooled exactly from
    ``agreement.csv``'s region means and SDs (totals only).
    """
    scale_ids = {c.id for c in study.constructs.values() if c.kind == "scale"}
    scores = results.table("scores")
    cols = ["construct", "region", "role", "wave", "n", "mean", "sd"]
    if not scores.empty:
        scores = scores[scores["construct"].isin(scale_ids) & scores["score"].notna()]
        parts = []
        for keys, region, role in ((["construct", "wave"], TOTAL, TOTAL),
                                   (["construct", "wave", "region"], None, TOTAL),
                                   (["construct", "wave", "role"], TOTAL, None),
                                   (["construct", "wave", "region", "role"], None, None)):
            g = scores.groupby(keys, sort=False)["score"].agg(n="count", mean="mean", sd="std").reset_index()
            if region is not None:
                g["region"] = region
            if role is not None:
                g["role"] = role
            parts.append(g[cols])
        out = pd.concat(parts, ignore_index=True)
    else:
        agreement = results.table("agreement")
        if agreement.empty:
            return pd.DataFrame(columns=cols + ["ci_low", "ci_high"])
        a = agreement[agreement["construct"].isin(scale_ids)].copy()
        a["role"] = TOTAL
        a["ss"] = (a["n"] - 1) * a["sd"] ** 2 + a["n"] * a["mean"] ** 2
        a["sum"] = a["n"] * a["mean"]
        nat = a.groupby(["construct", "wave"], as_index=False)[["n", "sum", "ss"]].sum()
        nat["mean"] = nat["sum"] / nat["n"]
        nat["sd"] = np.sqrt((nat["ss"] - nat["n"] * nat["mean"] ** 2) / (nat["n"] - 1))
        nat["region"], nat["role"] = TOTAL, TOTAL
        out = pd.concat([nat[cols], a[cols]], ignore_index=True)
    out["ci_low"], out["ci_high"] = _t_ci(out["mean"].to_numpy(), out["sd"].to_numpy(), out["n"].to_numpy())
    return out


def item_shares(results: Results, study) -> pd.DataFrame:
    """Share of answers per scale value for every ordinal item; ``n`` counts the item's answers."""
    dist = results.table("item_distribution")
    cols = ["instrument", "construct", "item", "region", "wave", "value", "share", "n"]
    if dist.empty:
        return pd.DataFrame(columns=cols)
    items = study.items
    keep = dist["item"].map(lambda i: i in items and items[i].scale.is_ordinal
                            and study.constructs[items[i].construct].kind == "scale")
    dist = dist[keep.astype(bool)].copy()
    dist["value"] = dist["value"].astype(int)
    valid = dist.apply(lambda r: r["value"] in items[r["item"]].scale.values, axis=1) if len(dist) else []
    dist = dist[np.asarray(valid, dtype=bool)]
    total = dist.groupby(["item", "region", "wave"], sort=False)["n"].transform("sum")
    dist = dist.rename(columns={"n": "count"})
    dist["n"] = total
    dist["share"] = dist["count"] / total.where(total > 0)
    return dist[cols].reset_index(drop=True)


def criteria_definitions(study) -> dict:
    """The study's loaded success criteria: criterion id → :class:`folge.criteria.Criterion`.

    Empty when ``research/criteria.yaml`` is missing or does not pass its checks.
    """
    from .._errors import FolgeError
    from ..criteria import load_criteria

    try:
        found = load_criteria(study.root, instruments=study.instruments, wave_ids=[w.id for w in study.waves])
    except (FolgeError, OSError, KeyError, ValueError, TypeError):
        return {}
    return {c.id: c for c in found}


def _region_level_indicators(study) -> set[tuple[str, str]]:
    """(criterion, indicator) pairs measured by a region-level instrument (facts, not respondents)."""
    region_items = {i.id for inst in study.instruments.values() if inst.level == "region" for i in inst.items}
    region_constructs = {c.id for inst in study.instruments.values() if inst.level == "region"
                         for c in inst.constructs}
    found = {(cid, ind.id) for cid, criterion in criteria_definitions(study).items()
             for ind in criterion.indicators.values() if ind.kind == "milestone" or ind.is_fact}
    for token in region_items | region_constructs:
        found.add(("*", token))
    return found


def _exempt_criteria(study, frame: pd.DataFrame) -> pd.Series:
    """Rows not subject to ``min_n``: region-level facts, and verdicts with no figure at all."""
    region_level = _region_level_indicators(study)
    fact = [(str(c), str(i)) in region_level or ("*", str(i)) in region_level
            for c, i in zip(frame["criterion"], frame["indicator"])]
    no_figure = frame["value"].isna() & frame["verdict"].eq("insufficient-data")
    if "gate" in frame.columns:
        # a figure withheld because too few answered is still a small cell: it is suppressed
        # (primary), so that secondary suppression protects it from the national total
        too_few = frame["gate"].fillna("").str.split(";").map(lambda gates: "n" in gates)
        no_figure &= ~too_few.astype(bool)
    return pd.Series(fact, index=frame.index) | no_figure


# ----------------------------------------------------------------------------------------
# the public tables


#: table name → {lang: title}, from :mod:`folge.vocabulary`'s ``reports.yaml`` (``table.*``).
_TITLES = labels("reports", "table")

#: name → (key columns kept on suppressed rows besides ``by`` and ``parts``, disclose keyword arguments).
#: Every other column but ``n`` is a value: blanked where a row is suppressed.
_SPECS: dict[str, tuple[tuple[str, ...], dict]] = {
    "criteria": (("indicator", "threshold", "exempt"),
                 dict(by=("criterion", "wave"), parts=("region",), exempt="exempt")),
    "construct_means": ((), dict(by=("construct", "wave"), parts=("region", "role"), role="role")),
    "change": ((), dict(by=("construct", "from_wave", "to_wave", "method"), parts=("region",))),
    "trend": (("construct", "method"), {}),
    "reliability": (("construct", "wave"), {}),
    "items": (("construct", "wave", "item"), {}),
    "icc": (("construct", "wave"), {}),
    "invariance": (("construct", "estimator", "model"), {}),
    "agreement": ((), dict(by=("construct", "wave"), parts=("region",))),
    "response_rates": (("invited", "source"), dict(by=("wave",), parts=("region", "role"), role="role")),
    "panel": ((), dict(by=("from_wave", "to_wave"), parts=("region",))),
    "trust_matrix": ((), dict(by=("construct", "wave", "to_sector"), parts=("region", "from_sector"),
                              role="from_sector")),
    "learning_chain": ((), dict(by=("construct", "wave", "stage"), parts=("region",))),
    "item_shares": ((), dict(by=("instrument", "construct", "item", "wave", "value"), parts=("region",))),
}
#: Internal columns of result tables that are never published.
_DROP = {"score", "respondent", "opted_out"}  # opted_out: people who asked for no mail, for the coordinator only
#: Columns kept (and disclosed) for the reports' own wording but left out of the open data:
#: ``rules`` is criteria.csv's rule-by-rule JSON, which the reports turn into sentences.
INTERNAL_COLUMNS = ("rules",)


def public_tables(results: Results, study, wave: str | None = None) -> dict[str, PublicTable]:
    """Every table the reports publish, cut to ``wave`` and disclosed.

    Returns a dict name → :class:`PublicTable`; every frame carries ``n`` and
    ``suppressed``. Multi-wave fits (``trend``, ``invariance``) are kept only when the
    analysis covered exactly the waves up to ``wave``; otherwise they are left out, since
    they would describe later waves.
    """
    waves = waves_upto(study, results, wave)
    analysed = [str(w) for w in results.manifest.get("waves", waves)]
    scale_ids = {c.id for c in study.constructs.values() if c.kind == "scale"}
    raw: dict[str, pd.DataFrame] = {}
    raw["construct_means"] = construct_means(results, study)
    raw["item_shares"] = item_shares(results, study)
    for name in ("criteria", "change", "reliability", "items", "icc", "agreement", "response_rates", "panel",
                 "trust_matrix", "learning_chain"):
        raw[name] = results.table(name).copy()
    if analysed == waves:
        raw["trend"] = results.table("trend").copy()
        raw["invariance"] = results.table("invariance").copy()
    for name in ("change", "reliability", "items", "icc", "agreement", "trend", "invariance", "construct_means"):
        frame = raw.get(name)
        if frame is not None and not frame.empty and "construct" in frame.columns:
            raw[name] = frame[frame["construct"].isin(scale_ids)]
    # a row count for every table
    if not raw["criteria"].empty:
        crit = raw["criteria"]
        crit["exempt"] = _exempt_criteria(study, crit)
        no_figure = crit["value"].isna() & crit["exempt"]
        crit["n"] = crit["n"].astype(float).where(~no_figure)
    if not raw["change"].empty:
        raw["change"]["n"] = raw["change"][["n_from", "n_to"]].min(axis=1)
    if not raw["response_rates"].empty:
        raw["response_rates"]["n"] = raw["response_rates"]["responded"]
    if not raw["panel"].empty:
        raw["panel"]["n"] = raw["panel"]["n_from"]
    if "invariance" in raw and not raw["invariance"].empty:
        rel = _cut(results.table("reliability"), waves)
        smallest = rel.groupby("construct")["n"].min() if not rel.empty else pd.Series(dtype=float)
        raw["invariance"]["n"] = raw["invariance"]["construct"].map(smallest)
        # published as the words True/False (open data has always read so); see holds()
        raw["invariance"]["holds"] = raw["invariance"]["holds"].astype(object)
    out: dict[str, PublicTable] = {}
    for name, frame in raw.items():
        if frame is None or frame.empty:
            continue
        frame = _cut(frame.reset_index(drop=True), waves)
        frame = frame.drop(columns=[c for c in _DROP if c in frame.columns])
        extra_keys, kwargs = _SPECS[name]
        kwargs = dict(kwargs)
        kwargs["by"] = tuple(c for c in kwargs.get("by", ()) if c in frame.columns)
        keys = set(extra_keys) | set(kwargs["by"]) | set(kwargs.get("parts", ()))
        values = tuple(c for c in frame.columns if c not in keys and c != "n")
        disclosed = disclose(frame, min_n=study.min_n, values=values, **kwargs)
        out[name] = PublicTable(name, disclosed, _TITLES[name])
    return out


def holds(frame: pd.DataFrame) -> pd.Series:
    """``frame["holds"]`` of a disclosed invariance table as ``boolean`` (NA where blanked)."""
    return frame["holds"].astype("boolean")


def latest(frame: pd.DataFrame, waves: list[str]) -> str | None:
    """The last of ``waves`` that ``frame`` has rows for."""
    if frame.empty or "wave" not in frame.columns:
        return None
    present = set(frame["wave"].dropna())
    found = [w for w in waves if w in present]
    return found[-1] if found else None


def is_number(x) -> bool:
    try:
        return x is not None and not (isinstance(x, float) and math.isnan(x)) and x == x
    except TypeError:
        return False
