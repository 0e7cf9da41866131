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
from ..definitions import Indicator

__all__ = ["ALL", "Evidence"]

#: The national scope.
ALL = "all"


#: Id columns the rules compare with text (wave and region ids, construct ids, pseudonyms).
_TEXT_COLUMNS = ("wave", "region", "construct", "from_wave", "to_wave", "respondent")


def _text(values: pd.Series) -> pd.Series:
    """A column as Python strings (CSV may read wave ids as numbers), missing as ``pd.NA``."""
    return values.astype("string").astype(object)


def _normalised(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """``frame`` with the id columns as text.

    Categorical id columns (the runner's tables and responses) stay categorical with their
    categories as text: converting a million-row column means converting a few hundred
    categories, and the rows reach the rules as plain text through :func:`_as_text` when a
    scope is sliced. Other columns (tables read from CSV) become strings here.
    """
    if frame is None:
        return None
    frame = frame.copy(deep=False)
    for column in _TEXT_COLUMNS:
        if column not in frame.columns:
            continue
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            text = pd.Index(_text(pd.Series(values.cat.categories)), dtype=object)
            if text.is_unique and not text.hasnans:
                frame[column] = values.cat.rename_categories(text)
                continue
        frame[column] = _text(values)
    return frame


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its categorical id columns as plain strings: what the rules see."""
    columns = [c for c in _TEXT_COLUMNS
               if c in frame.columns and isinstance(frame[c].dtype, pd.CategoricalDtype)]
    if not columns:
        return frame
    frame = frame.copy(deep=False)
    for column in columns:
        values = frame[column]
        # the categories as text, then one lookup by code (-1, missing, reads the pd.NA at the end)
        lookup = np.append(_text(pd.Series(values.cat.categories)).to_numpy(dtype=object), pd.NA)
        frame[column] = pd.Series(lookup[values.cat.codes.to_numpy()], index=frame.index, dtype=object)
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
        # the scores table has a row per respondent and construct (12 million at scale):
        # keep it whole and take a construct's rows only when a rule asks for them
        scores = self.tables.get("scores")
        self._score_table = None
        self._score_rows: dict[str, np.ndarray] = {}
        self._score_frames: dict[str, pd.DataFrame] = {}
        self._score_waves: set = set()
        if scores is not None and not scores.empty:
            score = pd.to_numeric(scores["score"], errors="coerce")
            scores = scores.assign(score=score)
            keep = np.flatnonzero(score.notna().to_numpy() & scores["construct"].notna().to_numpy())
            construct = scores["construct"].take(keep)
            self._score_table = scores
            self._score_rows = {key: keep[rows] for key, rows in
                                construct.groupby(construct, sort=False, observed=True).indices.items()}
            self._score_waves = set(scores["wave"].take(keep).dropna().unique())
        self._computed_scores: dict[str, pd.DataFrame] = {}
        self._slices: dict[tuple, pd.DataFrame] = {}
        self._alpha = self._index("reliability", "alpha", ("construct", "wave"))
        self._rwg = self._index("agreement", "rwg_j", ("construct", "region", "wave"))
        self._change = self._change_rows()
        self.memo: dict[tuple, object] = {}  # results the rules reuse across rows

    def _change_rows(self) -> dict[tuple, tuple[int, int]]:
        """``change.csv``'s independent-samples rows (those with ``diff`` and ``p``; the first row of
        each comparison): (construct, region, from, to) → (n_from, n_to), a missing count as 0."""
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
            rows.setdefault(key, (int(n_from) if pd.notna(n_from) else 0, int(n_to) if pd.notna(n_to) else 0))
        return rows

    def change_counts(self, construct: str, region: str, from_wave: str, to_wave: str) -> tuple[int, int] | None:
        """(n_from, n_to) of a comparison in ``change.csv``, or ``None``."""
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

    def _construct_scores(self, construct: str) -> pd.DataFrame | None:
        """The rows of ``scores`` of one construct with a score (cached), or ``None``."""
        if construct not in self._score_frames:
            rows = self._score_rows.get(construct)
            if rows is None:
                return None
            self._score_frames[construct] = self._score_table.take(rows)
        return self._score_frames[construct]

    def _slice(self, key: str, frame: pd.DataFrame, scope: str, wave: str | None) -> pd.DataFrame:
        """Rows of ``frame`` in ``scope`` and ``wave`` (cached by ``key``: frames are read-only here)."""
        cache_key = (key, scope, wave)
        if cache_key not in self._slices:
            groups_key = (key, "groups")
            if groups_key not in self._slices:
                # row positions per group (observed categories only); frames are taken per slice
                self._slices[groups_key] = {
                    "text": _as_text(frame),  # converted once; slices are taken from it
                    "wave": frame.groupby("wave", sort=False, observed=True).indices,
                    "both": frame.groupby(["wave", "region"], sort=False, observed=True).indices,
                    "region": frame.groupby("region", sort=False, observed=True).indices,
                }
            groups = self._slices[groups_key]
            if scope == ALL and wave is None:
                rows = None
            elif scope == ALL:
                rows = groups["wave"].get(wave)
            elif wave is None:
                rows = groups["region"].get(scope)
            else:
                rows = groups["both"].get((wave, scope))
            text = groups["text"]
            if scope == ALL and wave is None:
                part = text
            else:
                part = text.iloc[0:0] if rows is None else text.take(rows)
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
        seen: set[str] = set(self._score_waves)
        for frame in self.responses.values():
            if frame is not None and "wave" in frame.columns:
                seen |= set(frame["wave"].dropna().unique())
        return [w for w in self.waves if w in seen]

    def title(self, indicator: Indicator) -> Text:
        """The construct's title (the reader's name for what is measured)."""
        construct = self.constructs.get(indicator.construct)
        return construct.title if construct is not None else Text({"nb": indicator.ref, "en": indicator.ref})

    # ------------------------------------------------------------------ respondent data
    def scores(self, indicator: Indicator, scope: str, wave: str | None = None) -> pd.DataFrame:
        """Rows ``region, wave, score`` of a construct (one per respondent)."""
        frame = self._construct_scores(indicator.ref)
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
        raw = _as_text(raw[raw["wave"] == wave]).drop_duplicates("region", keep="last").set_index("region")
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
