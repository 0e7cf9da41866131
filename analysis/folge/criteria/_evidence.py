"""The data a criterion looks at: one scope (``all`` or a region) in one wave.

:class:`Evidence` wraps the analysis tables (``scores``, ``reliability``, ``agreement``,
``change``, ``trend``, ``invariance``) and the raw wide responses per instrument, and
answers the questions the rules ask: the construct scores of a scope in a wave, the valid
answers to an item, the status-report facts of every region, and whether an indicator
was asked in a wave at all.

Raw answers keep their missing codes (``9`` = don't know); anything that is not one of
the scale's values counts as missing here. Item shares use the answers as given on the
questionnaire (no reverse keying): ``at_least: 4`` means "answered 4 or 5".
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..definitions import Study, Text
from ..definitions._criteria import Indicator

__all__ = ["ALL", "Evidence"]

#: The national scope.
ALL = "all"


def _normalised(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """A copy with ``wave``, ``region``, ``construct`` as strings (CSV may read them as numbers)."""
    if frame is None:
        return None
    frame = frame.copy()
    for column in ("wave", "region", "construct", "from_wave", "to_wave", "respondent"):
        if column in frame.columns:
            frame[column] = frame[column].astype("string").astype(object)
    return frame


class Evidence:
    """Analysis tables and raw responses of one study, indexed for the rules."""

    def __init__(self, study: Study, tables: Mapping[str, pd.DataFrame],
                 responses: Mapping[str, pd.DataFrame]):
        self.study = study
        self.min_n = int(study.min_n)
        self.alpha_bar = float(study.settings.alpha_bar)
        self.rwg_bar = float(study.settings.rwg_bar)
        self.significance = float(study.settings.significance)
        self.waves = [w.id for w in study.waves]
        self.regions = [r.id for r in study.regions]
        self.tables = {name: _normalised(frame) for name, frame in tables.items()}
        self.responses = {name: _normalised(frame) for name, frame in responses.items()}
        self.constructs = study.constructs
        scores = self.tables.get("scores")
        self._scores = {}
        if scores is not None and not scores.empty:
            scores = scores.assign(score=pd.to_numeric(scores["score"], errors="coerce"))
            scores = scores[scores["score"].notna()]
            self._scores = {key: frame for key, frame in scores.groupby("construct", sort=False)}
        self._computed_scores: dict[str, pd.DataFrame] = {}
        self._slices: dict[tuple, pd.DataFrame] = {}
        self._alpha = self._index("reliability", "alpha", ("construct", "wave"))
        self._rwg = self._index("agreement", "rwg_j", ("construct", "region", "wave"))
        self._change = self._welch_rows()
        self.memo: dict[tuple, object] = {}  # results the rules reuse across rows

    def _welch_rows(self) -> dict[tuple, tuple[float, float, int, int]]:
        """``change.csv``'s independent-samples rows: (construct, region, from, to) → (diff, p, n_from, n_to)."""
        frame = self.tables.get("change")
        keys = ["construct", "region", "from_wave", "to_wave"]
        if frame is None or frame.empty or not {*keys, "diff", "p"} <= set(frame.columns):
            return {}
        if "method" in frame.columns:
            frame = frame[~frame["method"].astype(str).str.contains("paired", case=False)]
        rows = {}
        for row in frame.itertuples(index=False):
            key = tuple(str(getattr(row, k)) for k in keys)
            n_from = getattr(row, "n_from", 0)
            n_to = getattr(row, "n_to", 0)
            rows.setdefault(key, (float(row.diff), float(row.p),
                                  int(n_from) if pd.notna(n_from) else 0, int(n_to) if pd.notna(n_to) else 0))
        return rows

    def welch_row(self, construct: str, region: str, from_wave: str, to_wave: str):
        """(diff, two-sided p, n_from, n_to) from ``change.csv``, or ``None``."""
        return self._change.get((construct, region, from_wave, to_wave))

    def _index(self, table: str, column: str, keys: tuple[str, ...]) -> dict[tuple, float]:
        frame = self.tables.get(table)
        if frame is None or frame.empty or not {column, *keys} <= set(frame.columns):
            return {}
        values = pd.to_numeric(frame[column], errors="coerce")
        return {tuple(str(k) for k in key): float(v)
                for key, v in zip(frame[list(keys)].itertuples(index=False), values) if pd.notna(v)}

    def alpha(self, construct: str, wave: str) -> float:
        """Cronbach's alpha of ``construct`` in ``wave`` (NaN when not in ``reliability``)."""
        return self._alpha.get((construct, wave), np.nan)

    def rwg(self, construct: str, region: str, wave: str) -> float:
        """rwg(j) of ``construct`` in ``region`` and ``wave`` (NaN when not in ``agreement``)."""
        return self._rwg.get((construct, region, wave), np.nan)

    def _slice(self, key: str, frame: pd.DataFrame, scope: str, wave: str | None) -> pd.DataFrame:
        """Rows of ``frame`` in ``scope`` and ``wave`` (cached by ``key``: frames are read-only here)."""
        cache_key = (key, scope, wave)
        if cache_key not in self._slices:
            groups_key = (key, "groups")
            if groups_key not in self._slices:
                self._slices[groups_key] = {
                    "wave": dict(tuple(frame.groupby("wave", sort=False))),
                    "both": dict(tuple(frame.groupby(["wave", "region"], sort=False))),
                    "region": dict(tuple(frame.groupby("region", sort=False))),
                }
            groups = self._slices[groups_key]
            empty = frame.iloc[0:0]
            if scope == ALL and wave is None:
                part = frame
            elif scope == ALL:
                part = groups["wave"].get(wave, empty)
            elif wave is None:
                part = groups["region"].get(scope, empty)
            else:
                part = groups["both"].get((wave, scope), empty)
            self._slices[cache_key] = part
        return self._slices[cache_key]

    # ------------------------------------------------------------------ waves
    def index(self, wave: str) -> int:
        return self.waves.index(wave)

    def asked(self, indicator: Indicator, wave: str) -> bool:
        """Whether the indicator's instrument belongs to ``wave``."""
        try:
            return indicator.instrument in self.study.wave(wave).instruments
        except KeyError:
            return False

    def waves_with_data(self) -> list[str]:
        """Waves in study order with any score or any response stored."""
        seen: set[str] = set()
        for frame in [*self._scores.values(), *self.responses.values()]:
            if frame is not None and "wave" in frame.columns:
                seen |= set(frame["wave"].dropna())
        return [w for w in self.waves if w in seen]

    def title(self, indicator: Indicator) -> Text:
        """The construct's title (the reader's name for what is measured)."""
        construct = self.constructs.get(indicator.construct)
        return construct.title if construct is not None else Text({"nb": indicator.ref, "en": indicator.ref})

    # ------------------------------------------------------------------ respondent data
    def scores(self, indicator: Indicator, scope: str, wave: str | None = None) -> pd.DataFrame:
        """Rows ``region, wave, score`` of a construct (one per respondent)."""
        frame = self._scores.get(indicator.ref)
        if frame is None:
            frame = self._score_from_responses(indicator)
        return self._slice(("scores", indicator.ref), frame, scope, wave)

    def _score_from_responses(self, indicator: Indicator) -> pd.DataFrame:
        """Mean of a construct's valid answers, reverse keys applied, where ``score_min_share``
        of its items are answered: used only when ``scores`` lacks the construct."""
        if indicator.ref in self._computed_scores:
            return self._computed_scores[indicator.ref]
        construct = self.constructs[indicator.ref]
        raw = self.responses.get(construct.instrument)
        empty = pd.DataFrame({"region": pd.Series(dtype=object), "wave": pd.Series(dtype=object),
                              "score": pd.Series(dtype=float)})
        if raw is None or raw.empty:
            self._computed_scores[indicator.ref] = empty
            return empty
        columns = []
        for item in construct.items:
            values = self._valid(raw, item.id, item.scale.values)
            if item.reverse:
                values = item.scale.min + item.scale.max - values
            columns.append(values.rename(item.id))
        answers = pd.concat(columns, axis=1)
        enough = answers.notna().mean(axis=1) >= self.study.settings.score_min_share - 1e-9
        frame = pd.DataFrame({"region": raw["region"], "wave": raw["wave"],
                              "score": answers.mean(axis=1).where(enough)})
        frame = frame[frame["score"].notna()]
        self._computed_scores[indicator.ref] = frame
        return frame

    @staticmethod
    def _valid(raw: pd.DataFrame, column: str, values) -> pd.Series:
        if column not in raw.columns:
            return pd.Series(np.nan, index=raw.index, dtype=float)
        numbers = pd.to_numeric(raw[column], errors="coerce").astype(float)
        return numbers.where(numbers.isin([float(v) for v in values]))

    def answers(self, indicator: Indicator, scope: str, wave: str | None = None,
                item: str | None = None) -> pd.DataFrame:
        """Valid answers to an item (``item`` or the indicator's): rows ``region, wave, respondent, value``."""
        raw = self.responses.get(indicator.instrument)
        columns = {"region": pd.Series(dtype=object), "wave": pd.Series(dtype=object),
                   "respondent": pd.Series(dtype=object), "value": pd.Series(dtype=float)}
        if raw is None or raw.empty:
            return pd.DataFrame(columns)
        raw = self._slice(("responses", indicator.instrument), raw, scope, wave)
        value = self._valid(raw, item or indicator.ref, indicator.values)
        respondent = raw["respondent"] if "respondent" in raw.columns else pd.Series(raw.index, index=raw.index)
        frame = pd.DataFrame({"region": raw["region"], "wave": raw["wave"], "respondent": respondent,
                              "value": value})
        return frame[frame["value"].notna()]

    def wide(self, instrument: str, items, scope: str, wave: str) -> pd.DataFrame:
        """Valid answers to several items of one instrument, one row per respondent."""
        raw = self.responses.get(instrument)
        if raw is None or raw.empty:
            return pd.DataFrame(columns=list(items))
        raw = self._slice(("responses", instrument), raw, scope, wave)
        items_by_id = self.study.items
        return pd.DataFrame({i: self._valid(raw, i, items_by_id[i].scale.values) for i in items})

    # ------------------------------------------------------------------ region facts
    def facts(self, indicator: Indicator, wave: str) -> pd.Series:
        """One value per region in ``wave`` from its status report (NaN: no report or no answer).

        A milestone is 1 when reached and 0 when not; a construct of a region-level
        instrument is the share of its items answered yes (the mean of valid answers).
        A region that reported twice in a wave counts with its last report.
        """
        key = ("facts", indicator.kind, indicator.ref, wave)
        if key not in self.memo:
            self.memo[key] = self._facts(indicator, wave)
        return self.memo[key].copy()

    def _facts(self, indicator: Indicator, wave: str) -> pd.Series:
        raw = self.responses.get(indicator.instrument)
        result = pd.Series(np.nan, index=self.regions, dtype=float)
        if raw is None or raw.empty:
            return result
        raw = raw[raw["wave"] == wave].drop_duplicates("region", keep="last").set_index("region")
        if indicator.kind == "construct":
            construct = self.constructs[indicator.ref]
            answers = pd.concat([self._valid(raw, i.id, i.scale.values) for i in construct.items], axis=1)
            values = answers.mean(axis=1)
        else:
            values = self._valid(raw, indicator.ref, indicator.values)
        for region, value in values.items():
            if region in result.index:
                result[region] = value
        return result
