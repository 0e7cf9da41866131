"""Who answered: the invited frame, raking weights, weighted levels with EB, attrition.

The tables ``weights``, ``levels`` and ``attrition`` of the result contract
(``analysis/ARCHITECTURE.md``, "Who answered"), and Kish's ``n_eff`` for
``response_rates``. The formulas are :mod:`folge.statistics` (``rake_waves``,
``levels``, ``attrition``, ``effective_sample_size``); this module decides what is raked
to what.

The invited frame of one instrument and wave comes from the first source that has rows
for it: ``research/frame.csv``, else the ``invited`` counts of ``research/study.yaml``
(which count every mode), else the web invitations in the store (the same order as
``response_rates``). frame.csv and the invitations give region and role margins;
study.yaml gives region totals only, so its raking is region-only post-stratification. A wave without any frame is left unweighted (weight 1, and
``weighted`` false in ``levels``), and the manifest says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._errors import AnalysisError
from ..definitions import FRAME_FILE, Study
from ..statistics import attrition, effective_sample_size, levels, rake_waves
from ._inputs import AnalysisInput

__all__ = ["Weights", "frame_instrument", "invited_frame", "compute_weights", "levels_table", "attrition_table",
           "with_effective_sizes"]

_KEYS = ["instrument", "respondent", "region", "wave", "role"]
#: where an instrument x wave's invited counts came from, most trusted first (as ``response_rates``:
#: study.yaml's counts cover every mode, the web invitations only those invited through the web)
SOURCES = ("frame.csv", "study.yaml", "invitations")


def frame_instrument(study: Study) -> str | None:
    """The instrument a frame without an ``instrument`` column describes.

    The participant survey (``participant-survey``) where the study has it, else the
    first respondent-level instrument a wave lists.
    """
    respondent_level = [i for i, inst in study.instruments.items() if inst.level == "respondent"]
    if "participant-survey" in respondent_level:
        return "participant-survey"
    listed = [i for w in study.waves for i in w.instruments if i in respondent_level]
    return listed[0] if listed else (respondent_level[0] if respondent_level else None)


def _file_rows(data: AnalysisInput) -> pd.DataFrame:
    frame = data.frame
    if frame is None or frame.empty:
        return pd.DataFrame(columns=["instrument", "wave", "region", "role", "invited"])
    frame = frame.copy()
    if "instrument" not in frame:
        frame["instrument"] = frame_instrument(data.study)
    return frame[["instrument", "wave", "region", "role", "invited"]]


def _invitation_rows(data: AnalysisInput) -> pd.DataFrame:
    tokens = data.invitations
    if tokens is None or tokens.empty:
        return pd.DataFrame(columns=["instrument", "wave", "region", "role", "invited"])
    tokens = tokens.astype({"region": str, "wave": str, "role": str})
    listed = tokens["instruments"].astype(str).str.split(",") if "instruments" in tokens else None
    if listed is None:
        tokens = tokens.assign(instrument=frame_instrument(data.study))
    else:
        tokens = tokens.assign(instrument=listed).explode("instrument")
        tokens["instrument"] = tokens["instrument"].str.strip()
    return tokens.groupby(["instrument", "wave", "region", "role"]).size().rename("invited").reset_index()


def _study_rows(data: AnalysisInput) -> pd.DataFrame:
    rows = []
    instrument = frame_instrument(data.study)
    for wave in data.study.waves:
        for region, planned in wave.invited.items():
            count = sum(int(c) for c in planned.values()) if isinstance(planned, dict) else int(planned)
            rows.append((instrument, wave.id, str(region), pd.NA, count))
    return pd.DataFrame(rows, columns=["instrument", "wave", "region", "role", "invited"])


def invited_frame(data: AnalysisInput) -> pd.DataFrame:
    """The invited frame per instrument and wave: ``instrument, wave, region, role, invited, source``.

    Each instrument x wave takes its rows from the first of :data:`SOURCES` that has any;
    ``role`` is missing for study.yaml rows (region totals only).
    """
    taken, parts = set(), []
    for source, rows in zip(SOURCES, (_file_rows(data), _study_rows(data), _invitation_rows(data))):
        if rows.empty:
            continue
        rows = rows.assign(source=source)
        key = rows["instrument"].astype(str) + "\x1f" + rows["wave"].astype(str)
        parts.append(rows[~key.isin(taken).to_numpy()])
        taken |= set(key.unique())
    if not parts:
        return pd.DataFrame(columns=["instrument", "wave", "region", "role", "invited", "source"])
    frame = pd.concat(parts, ignore_index=True)
    return frame[frame["wave"].isin(data.waves)].reset_index(drop=True)


@dataclass
class Weights:
    """The raked weights of every respondent-level instrument.

    ``table`` is ``weights.csv`` (one row per instrument, respondent and wave, in the
    order of the store's answers); ``weighted`` the (instrument, wave) pairs raked to a
    frame; ``manifest`` what the manifest records (method, sources, convergence).
    """

    table: pd.DataFrame
    weighted: set = field(default_factory=set)
    manifest: dict = field(default_factory=dict)

    def of(self, instrument: str) -> np.ndarray:
        """The weights of ``instrument``'s answers, in the order of its rows in the store's answers."""
        rows = self.table["instrument"] == instrument
        return self.table.loc[rows, "weight"].to_numpy(dtype=float)


def _check_invited_at_least_answered(instrument: str, people: pd.DataFrame, rows: pd.DataFrame) -> None:
    """Raise when a frame.csv cell counts fewer invited than answered."""
    answered = people.groupby(["wave", "region", "role"], observed=True).size().rename("answered").reset_index()
    answered = answered.astype({"wave": str, "region": str, "role": str})
    both = answered.merge(rows[["wave", "region", "role", "invited"]], on=["wave", "region", "role"], how="left")
    both["invited"] = both["invited"].fillna(0)
    short = both[both["invited"] < both["answered"]]
    if not short.empty:
        row = short.iloc[0]
        raise AnalysisError(
            f"{FRAME_FILE}: wave {row['wave']}, region {row['region']}, role {row['role']}: "
            f"{int(row['invited'])} invited but {int(row['answered'])} answered {instrument}; "
            f"correct the invited count ({len(short)} cell(s) in all)")


def _rake_groups(study: Study, rows: pd.DataFrame):
    """The frame's rows in groups raked alike: (margins, empty-cell rule, rows).

    study.yaml rows (no role) give region margins only. A frame cell with invited people
    but no respondents is an error in a closed wave (unless ``settings.weight_empty:
    collapse``); in a wave still open (collecting) it is expected, so its total is spread
    over the margin's other categories, and the manifest's note says so.
    """
    open_waves = {w.id for w in study.waves if w.is_open}
    closed_rule = "spread" if study.settings.weight_empty == "collapse" else "error"
    for margins, by_role in (("region", rows["role"].isna()), ("region+role", rows["role"].notna())):
        for is_open, rule in ((False, closed_rule), (True, "spread")):
            chosen = rows[by_role & (rows["wave"].isin(open_waves) == is_open)]
            if not chosen.empty:
                yield margins, rule, chosen


def _rake_instrument(study: Study, instrument: str, people: pd.DataFrame, rows: pd.DataFrame):
    """Weights of one instrument's answers (1 where its wave has no frame) and diagnostics per wave."""
    weights = np.ones(len(people))
    diagnostics = []
    listed = rows[rows["source"] == "frame.csv"]
    if not listed.empty:
        _check_invited_at_least_answered(instrument, people, listed)
    for margins, rule, chosen in _rake_groups(study, rows):
        in_waves = people["wave"].isin(set(chosen["wave"])).to_numpy()
        if not in_waves.any():
            continue
        try:
            raked = rake_waves(people.loc[in_waves, ["wave", "region", "role"]], chosen.astype({"invited": float}),
                               margins=("region", "role") if margins == "region+role" else ("region",),
                               weight_trim=study.settings.weight_trim, empty=rule)
        except ValueError as error:
            raise AnalysisError(
                f"weights for {instrument}: {error}. Correct the invited frame ({FRAME_FILE}), or set "
                "'weight_empty: collapse' (spread the empty cell's total, reported) or 'weighting: none' "
                "under settings in research/study.yaml") from None
        weights[in_waves] = raked.weights["weight"].to_numpy()
        sources = chosen.groupby("wave")["source"].first()
        for record in raked.diagnostics.to_dict("records"):
            diagnostics.append({"instrument": instrument, **record, "margins": margins,
                                "source": sources.get(str(record["wave"]), "")})
    diagnostics.sort(key=lambda d: [w.id for w in study.waves].index(str(d["wave"])))
    return weights, diagnostics


def compute_weights(data: AnalysisInput) -> Weights:
    """Raking weights for every respondent-level instrument's answers, wave by wave.

    ``settings.weighting: none`` gives weight 1 everywhere and no weighted pairs; so does
    a wave without any invited frame. ``settings.weight_trim`` trims, and
    ``settings.weight_empty: collapse`` spreads the total of a frame cell nobody answered
    in over the other cells of its margin (reported in the manifest); by default such a
    cell is an :class:`AnalysisError` naming it.
    """
    study = data.study
    method = study.settings.weighting
    frame = invited_frame(data) if method != "none" else invited_frame(data).iloc[:0]
    parts, weighted, diagnostics = [], set(), []
    for instrument, answers in data.responses.items():
        if study.instruments[instrument].level != "respondent" or answers.empty:
            continue
        people = answers[["respondent", "region", "wave", "role"]]
        rows = frame[frame["instrument"] == instrument]
        weights, found = _rake_instrument(study, instrument, people, rows)
        diagnostics += found
        weighted |= {(instrument, str(d["wave"])) for d in found}
        part = people.copy()
        part.insert(0, "instrument", instrument)
        part["weight"] = weights
        parts.append(part)
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[*_KEYS, "weight"])
    if parts:
        table["instrument"] = pd.Categorical(table["instrument"])
    pairs = table[["instrument", "wave"]].drop_duplicates() if parts else table.iloc[:0]
    unweighted = sorted({(str(i), str(w)) for i, w in zip(pairs["instrument"], pairs["wave"])} - weighted)
    manifest = {
        "method": method if method == "none" else "raking (survey::rake, epsilon 1e-10, maxit 1000)",
        "weight_trim": study.settings.weight_trim, "weight_empty": study.settings.weight_empty,
        "raked": diagnostics,
        "unweighted": [{"instrument": i, "wave": w,
                        "reason": "weighting: none" if method == "none" else "no invited frame for this wave"}
                       for i, w in unweighted],
    }
    return Weights(table, weighted, manifest)


def _same_rows(scored: pd.Series, answered: pd.Series, k: int) -> bool:
    """Whether ``scored`` is ``answered`` repeated ``k`` times (compared on codes when both are categorical)."""
    if isinstance(scored.dtype, pd.CategoricalDtype) and scored.dtype == answered.dtype:
        return bool(np.array_equal(scored.cat.codes.to_numpy(), np.tile(answered.cat.codes.to_numpy(), k)))
    return bool(np.array_equal(scored.astype(str).to_numpy(), np.tile(answered.astype(str).to_numpy(), k)))


def _scores_with_weights(data: AnalysisInput, weights: Weights) -> pd.DataFrame:
    """Scores of respondent-level instruments with their respondent's weight.

    The scores of one instrument are its constructs' blocks, each in the order of the
    instrument's answers (:func:`folge.scoring.score_instrument`), so its weights are
    tiled; where that order does not hold, the weights are joined by respondent and wave.
    Key columns stay as they are (categorical), so :func:`folge.statistics.levels` reads codes.
    """
    scores = data.scores
    if scores.empty or weights.table.empty:
        return pd.DataFrame(columns=["construct", "wave", "region", "score", "weight"])
    weight = np.full(len(scores), np.nan)
    instrument = scores["instrument"]
    for name in weights.table["instrument"].unique():
        name = str(name)
        rows = np.flatnonzero((instrument == name).to_numpy())
        answers = data.responses[name]
        own = weights.of(name)
        k, extra = divmod(len(rows), max(len(answers), 1))
        if extra == 0 and k > 0 and _same_rows(scores["respondent"].iloc[rows], answers["respondent"], k):
            weight[rows] = np.tile(own, k)
        else:
            keyed = pd.DataFrame({"respondent": answers["respondent"].astype(str),
                                  "wave": answers["wave"].astype(str), "weight": own})
            part = scores.iloc[rows][["respondent", "wave"]].astype(str)
            weight[rows] = part.merge(keyed, on=["respondent", "wave"], how="left")["weight"].to_numpy()
    long = pd.DataFrame({c: scores[c] for c in ("construct", "wave", "region", "score")})
    long["weight"] = weight
    keep = ~np.isnan(weight)
    return long if keep.all() else long[keep]


def levels_table(data: AnalysisInput, weights: Weights) -> pd.DataFrame:
    """``levels.csv``: the direct (weighted) level and the EB estimate per construct, region, wave.

    :func:`folge.statistics.levels` on the scores of respondent-level instruments with the
    raked weights (construct and region passed as categoricals, read from their codes).
    ``weighted`` is true for a construct x wave whose answers were raked to a frame.
    """
    long = _scores_with_weights(data, weights)
    if long.empty:
        return pd.DataFrame()
    table = levels(long, weight="weight")
    for column in ("construct", "region", "wave"):
        table[column] = table[column].astype(str)
    instrument_of = {c.id: c.instrument for c in data.study.constructs.values()}
    raked = {(i, str(w)) for i, w in weights.weighted}
    pairs = table[["construct", "wave"]].drop_duplicates()
    flags = {(c, w): (instrument_of.get(c), w) in raked for c, w in zip(pairs["construct"], pairs["wave"])}
    table["weighted"] = [flags[(c, w)] for c, w in zip(table["construct"], table["wave"])]
    return table


def attrition_table(data: AnalysisInput) -> pd.DataFrame:
    """``attrition.csv``: retention per region, consecutive wave pair and role, and whether
    stayers differed at baseline from leavers on each scale construct of the frame's instrument.
    """
    instrument = frame_instrument(data.study)
    answers = data.responses.get(instrument) if instrument else None
    if answers is None or answers.empty:
        return pd.DataFrame()
    people = answers[["respondent", "region", "wave", "role"]]
    present = {str(w) for w in pd.unique(people["wave"])}
    waves = [w for w in data.waves if w in present]
    pairs = list(zip(waves[:-1], waves[1:]))
    if not pairs:
        return pd.DataFrame()
    scales = [c.id for c in data.study.instruments[instrument].constructs if c.kind == "scale"]
    scores = data.scores[["respondent", "wave", "construct", "score"]]
    chosen = scores["construct"].isin(scales).to_numpy()
    if not chosen.all():  # categorical keys stay categorical, read from their codes
        scores = scores[chosen]
    table = attrition(people, scores, pairs=pairs)
    for column in ("region", "role", "construct", "from_wave", "to_wave"):
        table[column] = table[column].astype(str)
    return table


def with_effective_sizes(rates: pd.DataFrame, data: AnalysisInput, weights: Weights) -> pd.DataFrame:
    """``rates`` with Kish's ``n_eff`` of the frame's instrument's weights on each total row (role ``all``),
    per region and for the country (region ``all``)."""
    rates = rates.copy()
    instrument = frame_instrument(data.study)
    table = weights.table
    own = table[table["instrument"] == instrument] if instrument and not table.empty else table.iloc[:0]
    rates["n_eff"] = np.nan
    if own.empty or rates.empty:
        return rates
    ess = effective_sample_size(own, by=("region", "wave"))
    national = effective_sample_size(own, by=("wave",)).assign(region="all")
    ess = pd.concat([ess.assign(region=ess["region"].astype(str)), national], ignore_index=True)
    ess = ess.assign(wave=ess["wave"].astype(str), role="all")
    merged = rates[["region", "wave", "role"]].astype(str).merge(ess[["region", "wave", "role", "n_eff"]],
                                                                  on=["region", "wave", "role"], how="left")
    rates["n_eff"] = merged["n_eff"].to_numpy()
    return rates
