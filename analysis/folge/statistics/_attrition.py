"""Panel attrition: who stayed from one wave to the next, and were they different at baseline?"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["ATTRITION_COLUMNS", "attrition"]

#: Columns of :func:`attrition` (``attrition.csv`` plus construct, the Welch test and note).
ATTRITION_COLUMNS = (
    "region", "from_wave", "to_wave", "role", "construct", "n_from", "retained", "retention",
    "baseline_mean_stayers", "baseline_mean_leavers", "baseline_diff", "p", "note",
)
_KEYS = ["region", "role"]


def _wave_pairs(waves: list, pairs) -> list[tuple]:
    """The (from, to) wave pairs: consecutive, from the first wave, or given."""
    if pairs == "consecutive":
        return list(zip(waves[:-1], waves[1:]))
    if pairs == "baseline":
        return [(waves[0], w) for w in waves[1:]]
    try:
        chosen = [(a, b) for a, b in pairs]
    except (TypeError, ValueError):
        raise ValueError(f"'pairs' must be 'consecutive', 'baseline' or a list of (from, to) waves (got {pairs!r})") from None
    unknown = [w for pair in chosen for w in pair if w not in waves]
    if unknown:
        raise ValueError(f"'pairs' names wave {unknown[0]!r}, which has no respondents (got waves {waves!r})")
    return chosen


def _with_totals(frame: pd.DataFrame, national: str) -> pd.DataFrame:
    """``frame`` four times: by region and role, all roles, all regions, everyone."""
    parts = [frame]
    for cols in (["role"], ["region"], ["region", "role"]):
        copy = frame.copy()
        copy[cols] = national
        parts.append(copy)
    return pd.concat(parts, ignore_index=True)


def _welch(ms, vs, ns, ml, vl, nl) -> tuple[np.ndarray, np.ndarray]:
    """Welch's two-sided t-test p-values for stayers vs leavers (NaN with fewer than 2 each)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        a, b = vs / ns, vl / nl
        se = np.sqrt(a + b)
        df = (a + b) ** 2 / (a**2 / (ns - 1) + b**2 / (nl - 1))
        t = (ms - ml) / se
        p = 2.0 * stats.t.sf(np.abs(t), df)
    ok = (ns >= 2) & (nl >= 2) & (se > 0)
    return ms - ml, np.where(ok, p, np.nan)


def _baseline(base: pd.DataFrame, scores: pd.DataFrame, from_wave) -> pd.DataFrame:
    """Baseline score rows of the from-wave respondents, with their stayer flag."""
    s = scores.loc[scores["wave"] == from_wave, ["respondent", "construct", "score"]]
    s = s[s["score"].notna()]
    return base.merge(s, on="respondent", how="inner")


def _pair_rows(respondents, scores, from_wave, to_wave, national) -> pd.DataFrame:
    """Attrition rows of one wave pair."""
    base = respondents.loc[respondents["wave"] == from_wave, ["respondent", *_KEYS]]
    later = set(respondents.loc[respondents["wave"] == to_wave, "respondent"])
    base = base.assign(stayed=base["respondent"].isin(later))
    counts = _with_totals(base, national).groupby(_KEYS, observed=True)["stayed"].agg(n_from="size", retained="sum")
    counts = counts.reset_index()
    counts["retention"] = counts["retained"] / counts["n_from"]
    if scores is None:
        out = counts.assign(construct="")
        for col in ("baseline_mean_stayers", "baseline_mean_leavers", "baseline_diff", "p"):
            out[col] = np.nan
        out["note"] = "no scores given"
    else:
        out = counts.merge(_baseline_tests(_baseline(base, scores, from_wave), national), on=_KEYS, how="left")
        out["construct"] = out["construct"].fillna("")
    out["from_wave"], out["to_wave"] = from_wave, to_wave
    return out


def _baseline_tests(rows: pd.DataFrame, national: str) -> pd.DataFrame:
    """Per region x role x construct: stayers' and leavers' baseline means and Welch p."""
    keys = [*_KEYS, "construct"]
    expanded = _with_totals(rows, national)
    parts = []
    for flag, name in ((True, "stayers"), (False, "leavers")):
        chosen = expanded.loc[expanded["stayed"] == flag]
        parts.append(chosen.groupby(keys, observed=True)["score"].agg(**{
            f"mean_{name}": "mean", f"var_{name}": "var", f"n_{name}": "size"}))
    out = parts[0].join(parts[1], how="outer")
    sizes = {k: out[f"n_{k}"].fillna(0).to_numpy(float) for k in ("stayers", "leavers")}
    diff, p = _welch(out["mean_stayers"].to_numpy(float), out["var_stayers"].to_numpy(float), sizes["stayers"],
                     out["mean_leavers"].to_numpy(float), out["var_leavers"].to_numpy(float), sizes["leavers"])
    result = pd.DataFrame({
        "baseline_mean_stayers": out["mean_stayers"], "baseline_mean_leavers": out["mean_leavers"],
        "baseline_diff": diff, "p": p,
    }, index=out.index).reset_index()
    few = (sizes["stayers"] < 2) | (sizes["leavers"] < 2)
    result["note"] = np.where(few, "fewer than two stayers or leavers with a score: no test", "")
    return result


def attrition(respondents: pd.DataFrame, scores: pd.DataFrame | None = None, *, pairs="consecutive",
              national: str = "all") -> pd.DataFrame:
    """Retention between waves per region and role, and stayers vs leavers at baseline.

    Parameters
    ----------
    respondents : pandas.DataFrame
        One row per respondent and wave: ``respondent``, ``region``, ``wave``, ``role``
        (the pseudonym is the same across waves).
    scores : pandas.DataFrame, optional
        Long scores ``respondent``, ``wave``, ``construct``, ``score``; with them, one row
        per construct compares the baseline (from-wave) scores of stayers and leavers.
    pairs : {'consecutive', 'baseline'} or list of (from, to)
        Wave pairs: consecutive waves (default), the first wave to each later one, or given.
    national : str
        Label of the all-regions / all-roles rows (default ``"all"``).

    Returns
    -------
    pandas.DataFrame
        :data:`ATTRITION_COLUMNS`, one row per region (and ``all``) x wave pair x role
        (and ``all``) x construct: ``n_from`` respondents in the from-wave (region and
        role as they were then), ``retained`` of them answering again in the to-wave,
        ``retention`` = retained / n_from, the baseline means of stayers and leavers with
        a score, ``baseline_diff`` = stayers - leavers and Welch's two-sided ``p``.

    Notes
    -----
    Welch's test: :math:`t = (\\bar y_s - \\bar y_l)/\\sqrt{s_s^2/n_s + s_l^2/n_l}` on
    Welch-Satterthwaite df (Welch 1947). A baseline difference means the panel is
    selective in a way raking to region and role margins does not correct: weights
    restore the composition of the invited frame, not the score distribution of
    those who left.

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several
    different population variances are involved. *Biometrika* 34, 28-35.
    Lynn, P. (ed.) (2009). *Methodology of Longitudinal Surveys*. Wiley.
    """
    need = ["respondent", "region", "wave", "role"]
    lacking = [c for c in need if c not in respondents.columns]
    if lacking:
        raise ValueError(f"'respondents' lacks column {lacking[0]!r} (got {list(respondents.columns)!r})")
    if scores is not None:
        lacking = [c for c in ("respondent", "wave", "construct", "score") if c not in scores.columns]
        if lacking:
            raise ValueError(f"'scores' lacks column {lacking[0]!r} (got {list(scores.columns)!r})")
    people = respondents[need].drop_duplicates(["respondent", "wave"])
    waves = sorted(pd.unique(people["wave"]))
    frames = [_pair_rows(people, scores, a, b, national) for a, b in _wave_pairs(waves, pairs)]
    if not frames:
        return pd.DataFrame(columns=list(ATTRITION_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    out["note"] = out["note"].fillna("no baseline scores")
    out["region_all"] = out["region"] == national
    out["role_all"] = out["role"] == national
    out = out.sort_values(["from_wave", "to_wave", "region_all", "region", "role_all", "role", "construct"],
                          kind="stable")
    return out[list(ATTRITION_COLUMNS)].reset_index(drop=True)
