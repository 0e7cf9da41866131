"""Set each rule verdict of a simulated study beside the truth it speaks about.

A rule row (``rules.csv``: criterion, rule, kind, region, wave, …, bar, verdict) is about
one construct (the simulated criteria are named after their construct), one scope and
one wave. Its truth comes from :func:`folge.simulate.population_truth`:

- ``level``: the population mean score at that wave, against the rule's bar (a truth
  within 1e-6 of the bar, the precision the bar is written with, counts as at the bar);
- ``change`` (from the first wave) and ``trend`` (over the waves up to that one): the
  score-scale change or slope is recorded, and whether the truth lies above the bar is
  decided by the planted latent change b·years (b per year for a trend) when the bar is 0,
  as in the simulated criteria: the expected score is a strictly increasing function of
  the latent value for every person, so its sign is the truth's sign in a region; for the
  national population it is what "no change" means (the regions' slopes drawn around 0),
  whereas the marginal mean score drifts by about 0.001 as the regions' slopes spread.
  Other bars use the score-scale value.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from ._design import CONSTRUCTS
from ._truth import NATIONAL

__all__ = ["AT_BAR_TOLERANCE", "VERDICT_COLUMNS", "judge_rules", "rules_from_criteria"]

#: A level truth this close to the bar counts as at the bar (bars are written with 6 decimals).
AT_BAR_TOLERANCE = 1e-6

#: Columns of a judged verdict row.
VERDICT_COLUMNS = ("construct", "kind", "scope", "region", "wave", "verdict", "estimate", "ci_low", "ci_high",
                   "bar", "truth", "above", "planted", "reason")

_STATUS = {"pass": "met", "fail": "not-met", "insufficient": "insufficient-data"}


def rules_from_criteria(criteria: pd.DataFrame) -> pd.DataFrame:
    """Rule rows read from ``criteria.csv``'s ``rules`` column, for a pipeline without ``rules.csv``.

    Maps the two-way statuses of that column to verdicts (pass → met, fail → not-met,
    insufficient → insufficient-data) and drops rules that did not apply. Kept so the
    harness can measure a pipeline that judges rules without confidence bounds.
    """
    rows = []
    for rec in criteria.to_dict("records"):
        for k, rule in enumerate(json.loads(rec.get("rules") or "[]"), start=1):
            if rule.get("status") not in _STATUS:
                continue
            rows.append({"criterion": rec["criterion"], "rule": k, "kind": rule["kind"], "region": rec["region"],
                         "wave": rec["wave"], "indicator": rule["indicator"], "estimate": rule.get("value"),
                         "ci_low": np.nan, "ci_high": np.nan, "bar": rule.get("threshold"),
                         "verdict": _STATUS[rule["status"]], "reason": " ".join(rule.get("reasons") or ())})
    return pd.DataFrame(rows)


def _finite(x) -> float:
    try:
        value = float(x)
    except (TypeError, ValueError):
        return math.nan
    return value


def _truth_of(kind: str, truth_row: pd.Series, bar: float) -> tuple[float, bool]:
    """(score-scale truth, whether it lies above the bar) of one rule row."""
    if kind == "level":
        value = float(truth_row["level"])
        return value, value > bar + AT_BAR_TOLERANCE
    if kind == "change":
        value, latent = float(truth_row["score_change"]), float(truth_row["latent_change"])
    elif kind == "trend":
        value, latent = float(truth_row["score_slope"]), float(truth_row["latent_slope"])
    else:
        raise ValueError(f"'kind' must be level, change or trend (got {kind!r})")
    return value, (latent > 0.0) if bar == 0.0 else (value > bar)


def judge_rules(rules: pd.DataFrame, truth: pd.DataFrame, bars: dict[str, float], planted: bool) -> pd.DataFrame:
    """Each verdict beside its truth.

    Parameters
    ----------
    rules : DataFrame
        Rule rows of one study (``rules.csv``); rows of kinds other than level, change and
        trend, and rows whose criterion is no simulated construct, are left out.
    truth : DataFrame
        :func:`folge.simulate.population_truth` of the study.
    bars : dict of str to float
        The level rules' thresholds as written (used where a row has no ``bar``).
    planted : bool
        Whether the scenario plants an effect (on the constructs that carry it).

    Returns
    -------
    DataFrame
        :data:`VERDICT_COLUMNS`: ``scope`` is ``national`` or ``regional``, ``truth`` the
        score-scale truth, ``above`` whether it lies above the bar, ``planted`` whether the
        row's construct carries a planted effect, ``reason`` the rule's reason. A trend
        row without a wave is about the last wave; change and trend rows of the first wave
        (nothing to compare with yet, so they do not apply) are left out.
    """
    by_key = truth.set_index(["construct", "region", "wave"])
    first_wave, last_wave = truth["wave"].iloc[0], truth["wave"].iloc[-1]
    out = []
    for rec in rules.to_dict("records"):
        construct, kind = str(rec["criterion"]), str(rec["kind"])
        if construct not in CONSTRUCTS or kind not in ("level", "change", "trend"):
            continue
        wave = rec.get("wave")
        wave = last_wave if wave is None or (isinstance(wave, float) and math.isnan(wave)) or wave == "" else str(wave)
        if kind != "level" and wave == first_wave:
            continue  # nothing to compare with yet: the rule does not apply
        region = str(rec["region"])
        bar = _finite(rec.get("bar"))
        if math.isnan(bar):
            bar = bars[construct] if kind == "level" else 0.0
        value, above = _truth_of(kind, by_key.loc[(construct, region, wave)], bar)
        out.append({"construct": construct, "kind": kind, "scope": "national" if region == NATIONAL else "regional",
                    "region": region, "wave": wave, "verdict": str(rec["verdict"]),
                    "estimate": _finite(rec.get("estimate")), "ci_low": _finite(rec.get("ci_low")),
                    "ci_high": _finite(rec.get("ci_high")), "bar": bar, "truth": value, "above": bool(above),
                    "planted": bool(planted and CONSTRUCTS[construct]),
                    "reason": "" if pd.isna(rec.get("reason")) else str(rec.get("reason"))})
    return pd.DataFrame(out, columns=list(VERDICT_COLUMNS))
