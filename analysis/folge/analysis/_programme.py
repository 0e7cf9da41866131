"""The programme's own tables: response rates, panel retention, who trusts whom, the
learning chain, and answer distributions for the reports' stacked bars."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..scoring import numeric_answers
from ._inputs import AnalysisInput

__all__ = [
    "respondents",
    "response_rates_table",
    "panel_table",
    "trust_matrix_table",
    "learning_chain_table",
    "item_distribution_table",
]


def respondents(data: AnalysisInput) -> pd.DataFrame:
    """Distinct respondents of respondent-level instruments: ``respondent, region, wave, role``."""
    parts = [frame[["respondent", "region", "wave", "role"]] for inst_id, frame in data.responses.items()
             if data.study.instruments[inst_id].level == "respondent" and not frame.empty]
    if not parts:
        return pd.DataFrame(columns=["respondent", "region", "wave", "role"])
    people = pd.concat(parts, ignore_index=True).astype({"region": str, "wave": str, "role": str})
    return people.drop_duplicates(["respondent", "wave"])


def _planned_invitations(data: AnalysisInput) -> pd.DataFrame:
    rows = []
    for wave in data.study.waves:
        for region, planned in wave.invited.items():
            if isinstance(planned, dict):
                for role, count in planned.items():
                    rows.append((region, wave.id, str(role), int(count)))
                rows.append((region, wave.id, "all", sum(int(c) for c in planned.values())))
            else:
                rows.append((region, wave.id, "all", int(planned)))
    return pd.DataFrame(rows, columns=["region", "wave", "role", "invited"])


def response_rates_table(data: AnalysisInput) -> pd.DataFrame:
    """Invited, responded and rate per region, wave and role (``all`` for the total).

    Invitations come from the ``invited`` counts of ``research/study.yaml`` where a wave
    has them (they count every mode), else from the web questionnaire's tokens; ``source``
    says which.
    ``opted_out`` (after the contract's columns) counts the invited whose e-mail contact
    opted out of mail: counted apart, they stay among the invited.
    """
    people = respondents(data)
    answered = people.groupby(["region", "wave", "role"]).size().rename("responded").reset_index()
    totals = people.groupby(["region", "wave"]).size().rename("responded").reset_index()
    totals["role"] = "all"
    answered = pd.concat([answered, totals], ignore_index=True)
    invited = _planned_invitations(data)
    invited["source"] = "study.yaml"
    if data.invitations is not None and not data.invitations.empty:
        tokens = data.invitations.astype({"region": str, "wave": str, "role": str})
        if "opted_out" not in tokens:
            tokens["opted_out"] = False
        count = {"invited": ("opted_out", "size"), "opted_out": ("opted_out", "sum")}
        by_role = tokens.groupby(["region", "wave", "role"]).agg(**count).reset_index()
        total = tokens.groupby(["region", "wave"]).agg(**count).reset_index()
        total["role"] = "all"
        web = pd.concat([by_role, total], ignore_index=True)
        web["source"] = "invitations"
        # the planned numbers of study.yaml count the whole wave (web and other modes) where
        # given; the web invitations serve the waves without them; opt-outs come from the web
        planned = set(invited["wave"])
        invited = pd.concat([invited, web[~web["wave"].isin(planned)].drop(columns="opted_out")], ignore_index=True)
        invited = invited.merge(web[["region", "wave", "role", "opted_out"]], on=["region", "wave", "role"],
                                how="left")
    table = answered.merge(invited, on=["region", "wave", "role"], how="outer")
    table = table[table["wave"].isin(data.waves)].copy()
    table["responded"] = table["responded"].fillna(0).astype(int)
    table["rate"] = np.where(table["invited"] > 0, table["responded"] / table["invited"], np.nan)
    return table.sort_values(["wave", "region", "role"]).reset_index(drop=True)


def panel_table(data: AnalysisInput) -> pd.DataFrame:
    """Panel retention between consecutive waves, per region and nationally (``all``)."""
    people = respondents(data)
    rows = []
    waves = data.waves
    for scope, part in [("all", people), *people.groupby("region", sort=True)]:
        ids = {w: set(g["respondent"]) for w, g in part.groupby("wave")}
        for a, b in zip(waves, waves[1:]):
            before, after = ids.get(a, set()), ids.get(b, set())
            retained = len(before & after)
            rows.append({"region": str(scope), "from_wave": a, "to_wave": b, "n_from": len(before),
                         "retained": retained, "retention": retained / len(before) if before else np.nan})
    return pd.DataFrame(rows)


def _with_scopes(frame: pd.DataFrame) -> pd.DataFrame:
    national = frame.copy()
    national["region"] = "all"
    return pd.concat([frame, national], ignore_index=True)


def trust_matrix_table(data: AnalysisInput) -> pd.DataFrame:
    """Mean trust from the respondent's sector to the partner each item asks about.

    Trust items carry a ``target``; the respondent's role maps to a sector in the study.
    """
    sectors = {role.id: role.sector for role in data.study.roles}
    parts = []
    for construct in data.scored_constructs(("scale",)):
        targeted = [item for item in construct.items if item.target]
        if not targeted:
            continue
        keyed = data.keyed(construct)
        for item in targeted:
            part = pd.DataFrame({"region": keyed["region"].astype(str), "wave": keyed["wave"].astype(str),
                                 "from_sector": keyed["role"].astype(str).map(sectors),
                                 "to_sector": item.target, "value": keyed[item.id],
                                 "respondent": keyed["respondent"], "construct": construct.id})
            parts.append(part.dropna(subset=["value", "from_sector"]))
    if not parts:
        return pd.DataFrame()
    long = _with_scopes(pd.concat(parts, ignore_index=True))
    table = long.groupby(["region", "wave", "from_sector", "to_sector", "construct"]).agg(
        n=("respondent", "nunique"), mean=("value", "mean")).reset_index()
    return table


def learning_chain_table(data: AnalysisInput) -> pd.DataFrame:
    """Shares answering yes at each stage (learned → shared → used), per region, wave and nationally."""
    parts = []
    for construct in data.scored_constructs(("index",)):
        staged = [item for item in construct.items if item.stage]
        if not staged:
            continue
        answers = data.responses.get(construct.instrument)
        if answers is None or answers.empty:
            continue
        values = numeric_answers(construct, answers)
        for item in staged:
            positive = values[item.id] >= (item.scale.max if item.scale.type == "binary"
                                           else (item.scale.min + item.scale.max) / 2 + 0.5)
            part = pd.DataFrame({"region": answers["region"].astype(str), "wave": answers["wave"].astype(str),
                                 "stage": item.stage, "yes": positive.where(values[item.id].notna()),
                                 "construct": construct.id})
            parts.append(part.dropna(subset=["yes"]))
    if not parts:
        return pd.DataFrame()
    long = _with_scopes(pd.concat(parts, ignore_index=True))
    long["yes"] = long["yes"].astype(float)
    table = long.groupby(["region", "wave", "stage", "construct"]).agg(n=("yes", "size"), share=("yes", "mean"))
    table = table.reset_index()
    order = {"learned": 0, "shared": 1, "used": 2}
    table["_o"] = table["stage"].map(order)
    return table.sort_values(["construct", "region", "wave", "_o"]).drop(columns="_o").reset_index(drop=True)


def _sorted_codes(values: pd.Series):
    """Codes of ``values`` as text, labels sorted (-1 for missing); free for a categorical of text."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        labels = [str(c) for c in values.cat.categories]
        if labels == sorted(labels):
            return values.cat.codes.to_numpy().astype(np.int64), labels
    codes, labels = pd.factorize(values.astype(str), sort=True)
    return codes.astype(np.int64), [str(x) for x in labels]


def item_distribution_table(data: AnalysisInput) -> pd.DataFrame:
    """Counts of each answer value per item, region and wave (and ``all``), for stacked bars.

    Missing codes are counted under their code; free-text items are never included.
    Rows are sorted by region (``all`` among them), wave and value, as a group-by would.
    """
    parts = []
    for instrument_id, answers in data.responses.items():
        if answers.empty:
            continue
        instrument = data.study.instruments[instrument_id]
        region, regions = _sorted_codes(answers["region"])
        wave, waves = _sorted_codes(answers["wave"])
        scopes = sorted(set(regions) | {"all"})
        scope_of = np.array([scopes.index(r) for r in regions], dtype=np.int64)
        national = scopes.index("all")
        placed = (region >= 0) & (wave >= 0)
        for construct in instrument.constructs:
            if construct.kind == "text":
                continue
            for item in construct.items:
                if item.id not in answers or not item.scale.is_numeric:
                    continue
                column = answers[item.id]
                if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
                    values = column.to_numpy(dtype=float, na_value=np.nan)
                else:
                    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                keep = placed & ~np.isnan(values)
                distinct, value_code = np.unique(values[keep], return_inverse=True)
                size = len(scopes) * len(waves) * len(distinct)
                cell = wave[keep] * len(distinct) + value_code
                counts = np.bincount(scope_of[region[keep]] * (len(waves) * len(distinct)) + cell, minlength=size)
                counts += np.bincount(national * (len(waves) * len(distinct)) + cell, minlength=size)
                key = np.flatnonzero(counts)
                scope_index, rest = np.divmod(key, len(waves) * len(distinct))
                wave_index, value_index = np.divmod(rest, len(distinct))
                parts.append(pd.DataFrame({
                    "instrument": instrument_id, "construct": construct.id, "item": item.id,
                    "region": np.array(scopes, dtype=object)[scope_index],
                    "wave": np.array(waves, dtype=object)[wave_index],
                    "value": distinct[value_index].astype(int), "n": counts[key].astype("int64")}))
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True)
