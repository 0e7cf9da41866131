"""Three-way rule verdicts: ``rules.csv``, one row per rule × scope × wave.

Each applicable rule gives an estimate with its uncertainty, compared with the rule's
``bar`` (a level rule's threshold, ``min_change``, ``min_slope`` per year; 0 by default)
through one-sided confidence bounds (:func:`folge.statistics.decide`,
:func:`folge.statistics.decide_shares`), adjusted within the rule's *family*: one rule at
one wave over the regions, the national rule a family of its own (BH for p, FCR bounds):

- level, construct: the mean with its SE (``levels.csv``'s ``mean``/``se`` where the analysis
  wrote it, df = n - 1, nationally n_regions - 1; otherwise the unweighted mean, SE = s/√n,
  df = n - 1); item: the share with exact Clopper–Pearson bounds;
- change, construct: the mixed-model row of ``change.csv`` (estimate, se, Satterthwaite df),
  computed the same way where the table lacks the comparison; item: difference of shares
  with its normal SE;
- trend, construct or item: the mixed-model slope per year (``trend.csv`` at its last wave,
  the same model on the waves so far before);
- funnel: its intersection-union test, ``met`` when every step clears the bar, ``not-met``
  when some step's upper bound lies below it;
- association: ``descriptive`` (Spearman's ρ with its CI) below
  ``settings.association_min_regions`` regions with data, otherwise judged by its CI;
- facts (status reports) describe every region, so they are compared, not tested.

A closed gate, a rule that does not apply, a statistic that could not be estimated or
constant answers give ``insufficient-data`` with a reason: never ``met`` or ``not-met``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
from scipy import stats

from ..definitions import Criterion, Rule
from ..statistics import change_mixed_scopes, decide, decide_shares, trend_mixed_scopes
from ._evidence import ALL, Evidence
from ._reasons import Reason
from ._rules import RuleScreen, resolve_wave

__all__ = ["RULES_COLUMNS", "RuleRow", "decide_rules", "reason_text", "rule_inputs", "rule_record", "rules_frame", "verdict_reason"]

#: Columns of ``rules.csv`` (the result contract's), then the English reason.
RULES_COLUMNS = ("criterion", "rule", "kind", "region", "wave", "indicator", "estimate", "ci_low", "ci_high", "bar",
                 "p", "p_adj", "family", "mde", "n", "verdict", "reason", "reason_en")
_SMALL_CELL = ("gate-n", "gate-funnel-n", "gate-no-data")


@dataclass
class RuleRow:
    """One rule × scope × wave on its way to a verdict."""

    criterion: str
    position: int
    rule: Rule
    scope: str
    wave: str
    screen: RuleScreen
    mode: str = "none"  # t, share, fixed, funnel, association, none
    estimate: float = math.nan
    se: float = math.nan
    df: float = math.nan
    k: float = math.nan
    n: float = math.nan
    bar: float = 0.0
    extra: dict = field(default_factory=dict)
    decision: dict = field(default_factory=dict)
    texts: dict = field(default_factory=dict)  # reason text per language, made once after the decision

    @property
    def family(self) -> str:
        return f"{self.criterion}#{self.position}@{self.wave}:{'all' if self.scope == ALL else 'regions'}"


# ---------------------------------------------------------------------------- inputs per kind
def _years(ev: Evidence) -> dict[str, float]:
    waves = ev.study.waves
    if waves and all(w.date is not None for w in waves):
        return {w.id: (w.date - waves[0].date).days / 365.25 for w in waves}
    return {w.id: float(i) for i, w in enumerate(waves)}


def _scores_frame(ev: Evidence, construct: str) -> pd.DataFrame | None:
    scores = ev.tables.get("scores")
    if scores is None or scores.empty or "respondent" not in scores:
        return None
    key = ("model-scores", construct)
    if key not in ev.memo:
        frame = scores[scores["construct"].astype(str) == construct]
        frame = frame[pd.to_numeric(frame["score"], errors="coerce").notna()].copy()
        frame["score"] = frame["score"].astype(float)
        frame["wave"] = frame["wave"].astype(str)
        frame["region"] = frame["region"].astype(str)
        frame["years"] = frame["wave"].map(_years(ev)).astype(float)
        ev.memo[key] = frame
    return ev.memo[key]


def _adjust(ev: Evidence, frame: pd.DataFrame) -> tuple[str, ...]:
    return tuple(c for c in ev.study.settings.adjust_for if c in frame and frame[c].notna().any())


def _levels_index(ev: Evidence) -> dict[tuple[str, str, str], tuple[float, float, float]]:
    """``levels.csv`` by (construct, scope, wave) → (n, mean, se), and by (construct, wave) the
    number of regions with a row (memoised: one pass over the table, not one per rule row)."""
    key = ("levels-index",)
    if key not in ev.memo:
        levels = ev.tables.get("levels")
        index: dict = {}
        if levels is not None and not levels.empty and {"mean", "se"} <= set(levels):
            for construct, region, wave, n, mean, se in zip(
                    levels["construct"].astype(str), levels["region"].astype(str), levels["wave"].astype(str),
                    levels["n"], levels["mean"], levels["se"], strict=True):
                index[(construct, region, wave)] = (float(n), float(mean), float(se))
                if region != ALL:
                    index[(construct, wave)] = index.get((construct, wave), 0) + 1
        ev.memo[key] = index
    return ev.memo[key]


def _level_input(ev: Evidence, row: RuleRow, ind) -> None:
    if ind.kind == "construct":
        index = _levels_index(ev)
        hit = index.get((ind.ref, row.scope, row.wave))
        if hit is not None:
            n, mean, se = hit
            # a region's weighted mean: n - 1 df; the national one, clustered by region: regions - 1
            df = index.get((ind.ref, row.wave), 0) - 1 if row.scope == ALL else n - 1
            row.mode, row.estimate, row.se, row.df, row.n = "t", mean, se, float(df), n
            return
    if ind.kind == "construct":
        x = ev.scores(ind, row.scope, row.wave)["score"].to_numpy(dtype=float)
        n = x.size
        row.mode, row.n, row.df = "t", float(n), float(n - 1)
        row.estimate = float(x.mean()) if n else math.nan
        row.se = float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
        return
    values = ev.answers(ind, row.scope, row.wave)["value"].to_numpy(dtype=float)
    row.mode, row.k, row.n = "share", float((values >= ind.at_least).sum()), float(values.size)


def _change_table_row(ev: Evidence, construct: str, scope: str, ref: str, wave: str):
    table = ev.tables.get("change")
    if table is not None and not table.empty and "se" in table:
        key = ("mixed-change-index",)
        if key not in ev.memo:
            mixed = table[table["method"].astype(str).str.startswith("REML")]
            ev.memo[key] = {(str(r.construct), str(r.region), str(r.from_wave), str(r.to_wave)): r
                            for r in mixed.itertuples(index=False)}
        hit = ev.memo[key].get((construct, scope, ref, wave))
        if hit is not None:
            return float(hit.diff), float(hit.se), float(hit.df)
    key = ("mixed-change", construct, ref, wave)
    if key not in ev.memo:
        frame = _scores_frame(ev, construct)
        ev.memo[key] = None if frame is None else change_mixed_scopes(
            frame, [(ref, wave)], adjust_for=_adjust(ev, frame)).set_index("region")
    fitted = ev.memo[key]
    if fitted is None or scope not in fitted.index:
        return math.nan, math.nan, math.nan
    hit = fitted.loc[scope]
    return float(hit["diff"]), float(hit["se"]), float(hit["df"])


def _change_input(ev: Evidence, row: RuleRow, ind) -> None:
    ref = resolve_wave(row.rule.reference or "first", row.wave, ev.waves)
    row.bar = row.rule.minimum
    if ind.kind == "construct":
        row.mode = "t"
        row.estimate, row.se, row.df = _change_table_row(ev, ind.ref, row.scope, ref, row.wave)
        row.n = float(row.screen.n)
        return
    a = (ev.answers(ind, row.scope, ref)["value"].to_numpy(dtype=float) >= ind.at_least).astype(float)
    b = (ev.answers(ind, row.scope, row.wave)["value"].to_numpy(dtype=float) >= ind.at_least).astype(float)
    row.mode, row.df, row.n = "t", math.inf, float(b.size)
    if a.size and b.size:
        row.estimate = float(b.mean() - a.mean())
        row.se = math.sqrt(a.mean() * (1 - a.mean()) / a.size + b.mean() * (1 - b.mean()) / b.size)


def _last_wave(ev: Evidence) -> str | None:
    key = ("last-wave",)
    if key not in ev.memo:
        waves = ev.waves_with_data()
        ev.memo[key] = waves[-1] if waves else None
    return ev.memo[key]


def _trend_table_rows(ev: Evidence, construct: str) -> pd.DataFrame | None:
    """``trend.csv``'s rows of ``construct`` by region (the model over every wave), or ``None``."""
    table = ev.tables.get("trend")
    if table is None or table.empty or not {"construct", "region", "estimate", "se", "df", "n"} <= set(table):
        return None
    rows = table[table["construct"].astype(str) == construct]
    if rows.empty:
        return None
    rows = rows.assign(region=rows["region"].astype(str))
    return rows.drop_duplicates("region").set_index("region")


def _trend_input(ev: Evidence, row: RuleRow, ind) -> None:
    row.mode, row.bar = "t", row.rule.minimum
    if ind.kind != "construct":
        key = ("item-trend", ind.id, ind.ref, ind.at_least, row.wave)
        if key not in ev.memo:
            frames = [ev.answers(ind, ALL, w).assign(wave=w) for w in ev.waves[: ev.index(row.wave) + 1]]
            frame = pd.concat(frames, ignore_index=True)
            frame["score"] = (frame["value"].astype(float) >= ind.at_least).astype(float)
            frame["years"] = frame["wave"].map(_years(ev)).astype(float)
            ev.memo[key] = trend_mixed_scopes(frame, adjust_for=()).set_index("region")
        fitted = ev.memo[key]
    else:
        key = ("mixed-trend", ind.ref, row.wave)
        if key not in ev.memo and row.wave == _last_wave(ev):
            ev.memo[key] = _trend_table_rows(ev, ind.ref)  # the same model on the same rows: trend.csv
        if key not in ev.memo or ev.memo[key] is None:
            frame = _scores_frame(ev, ind.ref)
            if frame is None:
                ev.memo[key] = None
            else:
                frame = frame[frame["wave"].map(ev.index) <= ev.index(row.wave)]
                ev.memo[key] = trend_mixed_scopes(frame, adjust_for=_adjust(ev, frame)).set_index("region")
        fitted = ev.memo[key]
    if fitted is None or row.scope not in fitted.index:
        return
    hit = fitted.loc[row.scope]
    row.estimate, row.se, row.df, row.n = float(hit["estimate"]), float(hit["se"]), float(hit["df"]), float(hit["n"])


def _funnel_input(ev: Evidence, row: RuleRow) -> None:
    row.mode, row.bar = "funnel", float(row.rule.threshold)
    row.estimate, row.n = float(row.screen.value), float(row.screen.n)
    row.extra["steps"] = row.screen.extra.get("steps", [])


def _association_input(ev: Evidence, row: RuleRow) -> None:
    row.mode, row.n = "association", float(row.screen.n)
    row.estimate = float(row.screen.value)
    row.extra.update(ci_low=row.screen.extra.get("ci_low", math.nan), ci_high=row.screen.extra.get("ci_high", math.nan))


def rule_inputs(ev: Evidence, crit: Criterion, row: RuleRow) -> RuleRow:
    """Fill ``row`` with what its verdict is decided from (nothing when the rule did not apply)."""
    screen, rule = row.screen, row.rule
    row.n = float(screen.n) if not (isinstance(screen.n, float) and math.isnan(screen.n)) else math.nan
    row.bar = float(rule.threshold) if rule.kind in ("level", "funnel") and rule.threshold is not None else rule.minimum
    if screen.status == "not-applicable":
        return row
    # a gated row of a level, change or trend rule still belongs to its family (the region was
    # measured; the same family as change.csv's), but decide_rules makes its verdict insufficient-data
    if screen.status == "insufficient" and rule.kind in ("funnel", "association"):
        return row
    if rule.kind == "funnel":
        _funnel_input(ev, row)
        return row
    if rule.kind == "association":
        _association_input(ev, row)
        return row
    ind = crit.indicators[rule.indicator]
    if ind.is_fact:
        row.mode, row.estimate, row.bar = "fixed", float(screen.value), float(screen.threshold)
        return row
    if rule.kind == "level":
        row.bar = float(rule.threshold)
        _level_input(ev, row, ind)
    elif rule.kind == "change":
        _change_input(ev, row, ind)
    else:
        _trend_input(ev, row, ind)
    return row


# ---------------------------------------------------------------------------- decisions
def _decide_t(rows: list[RuleRow], alpha: float) -> None:
    if not rows:
        return
    frame = decide([r.estimate for r in rows], [r.se for r in rows], [r.df for r in rows], [r.bar for r in rows],
                   family=[r.family for r in rows], alpha=alpha)
    for row, decision in zip(rows, frame.to_dict("records"), strict=True):
        row.decision = decision


def _decide_shares(rows: list[RuleRow], alpha: float) -> None:
    if not rows:
        return
    frame = decide_shares([r.k for r in rows], [r.n for r in rows], [r.bar for r in rows],
                          family=[r.family for r in rows], alpha=alpha)
    for row, decision in zip(rows, frame.to_dict("records"), strict=True):
        row.decision = decision
        row.estimate = row.k / row.n if row.n else math.nan


def _decide_funnel(row: RuleRow, alpha: float) -> None:
    """Intersection-union: the chain holds when every step's lower bound clears the bar; its
    estimate and bounds are the weakest step's (the smallest share, lower and upper bound)."""
    steps = row.extra.get("steps") or []
    if not steps:
        row.decision = {"verdict": "insufficient-data", "reason": "not-estimable"}
        return
    k = [round(step["share"] * step["n"]) for step in steps]
    n = [step["n"] for step in steps]
    lower = min(0.0 if x <= 0 else float(stats.beta.ppf(alpha, x, m - x + 1)) for x, m in zip(k, n, strict=True))
    upper = min(1.0 if x >= m else float(stats.beta.isf(alpha, x + 1, m - x)) for x, m in zip(k, n, strict=True))
    row.estimate = min(step["share"] for step in steps)
    p_up = max(step["p"] for step in steps)
    verdict = "met" if lower > row.bar else ("not-met" if upper < row.bar else "inconclusive")
    weakest = n[min(range(len(steps)), key=lambda i: steps[i]["share"])]
    mde = (stats.norm.isf(alpha) + stats.norm.ppf(0.8)) * math.sqrt(row.bar * (1 - row.bar) / weakest)
    row.decision = {"verdict": verdict, "p": p_up, "p_adj": p_up, "reason": "", "ci_low": lower, "ci_high": upper,
                    "mde": mde}


def _decide_association(row: RuleRow, ev: Evidence, alpha: float) -> None:
    low, high = row.extra.get("ci_low", math.nan), row.extra.get("ci_high", math.nan)
    minimum = ev.study.settings.association_min_regions
    base = {"p": row.screen.p, "p_adj": row.screen.p, "ci_low": low, "ci_high": high, "mde": math.nan, "reason": ""}
    row.extra["minimum"] = minimum
    if row.n < minimum:
        row.decision = {**base, "verdict": "descriptive", "reason": "few-regions"}
    elif not (math.isfinite(low) and math.isfinite(high)):
        row.decision = {**base, "verdict": "insufficient-data", "reason": "not-estimable"}
    else:
        row.decision = {**base, "verdict": "met" if low > row.bar else ("not-met" if high < row.bar else "inconclusive")}


def decide_rules(ev: Evidence, rows: list[RuleRow]) -> None:
    """Decide every row in place (families over the regions, the nation on its own)."""
    alpha = ev.significance
    _decide_t([r for r in rows if r.mode == "t"], alpha)
    _decide_shares([r for r in rows if r.mode == "share"], alpha)
    for row in rows:
        if row.mode == "funnel":
            _decide_funnel(row, alpha)
        elif row.mode == "association":
            _decide_association(row, ev, alpha)
        elif row.mode == "fixed":
            met = row.screen.status == "pass"
            row.decision = {"verdict": "met" if met else "not-met", "reason": "", "p": math.nan, "p_adj": math.nan,
                            "ci_low": row.estimate, "ci_high": row.estimate, "mde": math.nan}
        elif row.mode == "none":
            row.decision = {"verdict": "insufficient-data", "reason": "gate" if row.screen.status == "insufficient"
                            else "not-applicable"}
        gated = row.screen.status == "insufficient"
        if gated:
            row.decision = {**row.decision, "verdict": "insufficient-data", "reason": "gate"}
        if gated and any(g.code in _SMALL_CELL for g in row.screen.reasons):
            row.estimate = math.nan
            row.decision = {**row.decision, "ci_low": math.nan, "ci_high": math.nan, "p": math.nan, "mde": math.nan}


def verdict_reason(row: RuleRow) -> Reason:
    """Why the row has its verdict, as a reason of the catalogue."""
    d = row.decision
    verdict = d.get("verdict", "insufficient-data")
    figures = dict(indicator=row.rule.indicator, value=row.estimate, ci_low=d.get("ci_low", math.nan),
                   ci_high=d.get("ci_high", math.nan), bar=row.bar, mde=d.get("mde", math.nan))
    if verdict == "insufficient-data":
        if d.get("reason") in ("gate", "not-applicable"):
            return Reason("rule-insufficient", why=list(row.screen.reasons))
        if d.get("reason") == "no-variation":
            return Reason("rule-no-variation", indicator=row.rule.indicator)
        return Reason("rule-not-estimable", indicator=row.rule.indicator)
    if row.mode == "fixed":  # facts of status reports: compared, not estimated
        return Reason(f"rule-fact-{verdict}", indicator=row.rule.indicator, value=row.estimate, bar=row.bar)
    if verdict == "descriptive":
        return Reason("rule-descriptive", n=int(row.n), minimum=row.extra.get("minimum"), **figures)
    return Reason(f"rule-{verdict}", **figures)


def reason_text(row: RuleRow, lang: str) -> str:
    """The verdict's reason in ``lang``, followed by any notes the rule carries (such as the item a
    partial invariance model let free) when the rule was judged. Made once per language and
    kept on the row: ``rules.csv`` and ``criteria.csv`` both print it."""
    if lang not in row.texts:
        text = verdict_reason(row).text(lang)
        if row.decision.get("verdict", "insufficient-data") != "insufficient-data":
            notes = [r.text(lang) for r in row.screen.reasons if r.code.startswith("note-")]
            text = "; ".join([text, *notes])
        row.texts[lang] = text
    return row.texts[lang]


def _small_cell(row: RuleRow) -> bool:
    """Whether a gate closed on too few answers, so the row's ``n`` must not be shown either."""
    return row.screen.status == "insufficient" and any(g.code in _SMALL_CELL for g in row.screen.reasons)


def _json_number(x) -> float | None:
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return round(value, 6) if math.isfinite(value) else None


def rule_record(row: RuleRow) -> dict:
    """One decided rule as a JSON-friendly dict: the ``rules`` column of ``criteria.csv``.

    It carries the same figures as the rule's ``rules.csv`` row (``estimate``, ``ci_low``,
    ``ci_high``, ``bar``, ``p_adj``, ``mde``, ``n`` and ``verdict``), so the reports word each
    rule from its published verdict and bounds. ``applies`` is false for a rule that does not
    apply to this scope or wave; ``reasons`` are the codes of its gates and notes
    (:mod:`folge.criteria._reasons`); ``minimum`` is the number of regions an association
    needs before it is judged rather than described.
    """
    d = row.decision
    return {
        "kind": row.rule.kind, "indicator": row.rule.indicator,
        "verdict": d.get("verdict", "insufficient-data"), "applies": row.screen.status != "not-applicable",
        "estimate": _json_number(row.estimate), "ci_low": _json_number(d.get("ci_low")),
        "ci_high": _json_number(d.get("ci_high")), "bar": _json_number(row.bar),
        "p_adj": _json_number(d.get("p_adj")), "mde": _json_number(d.get("mde")),
        "n": None if _small_cell(row) else _json_number(row.n),
        "fact": row.mode == "fixed", "minimum": row.extra.get("minimum"),
        "reasons": [r.code for r in row.screen.reasons],
    }


def rules_frame(rows: list[RuleRow], ev: Evidence) -> pd.DataFrame:
    """The rows of ``rules.csv``."""
    records = []
    for row in rows:
        d = row.decision
        hidden = _small_cell(row)
        records.append({
            "criterion": row.criterion, "rule": row.position, "kind": row.rule.kind, "region": row.scope,
            "wave": row.wave, "indicator": row.rule.indicator, "estimate": row.estimate,
            "ci_low": d.get("ci_low", math.nan), "ci_high": d.get("ci_high", math.nan), "bar": row.bar,
            "p": d.get("p", math.nan), "p_adj": d.get("p_adj", math.nan), "family": row.family,
            "mde": d.get("mde", math.nan), "n": math.nan if hidden else row.n,
            "verdict": d.get("verdict", "insufficient-data"), "reason": reason_text(row, "nb"),
            "reason_en": reason_text(row, "en"),
        })
    frame = pd.DataFrame(records, columns=list(RULES_COLUMNS))
    for column in ("estimate", "ci_low", "ci_high", "bar", "p", "p_adj", "mde", "n"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame

