"""Panel attrition: who stayed from one wave to the next, and were they different at baseline?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ._codes import codes_in

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


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (missing -1) and the sorted distinct values of one key column."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        raw = values.cat.codes.to_numpy().astype(np.intp)
        labels = np.asarray(values.cat.categories, dtype=object)
        used = np.flatnonzero(np.bincount(raw[raw >= 0], minlength=len(labels)) > 0)
        order = used[np.argsort(labels[used], kind="stable")]
        rank = np.full(len(labels), -1, dtype=np.intp)
        rank[order] = np.arange(len(order))
        return np.where(raw >= 0, rank[np.maximum(raw, 0)], -1), labels[order]
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.intp), np.asarray(uniques, dtype=object)


@dataclass(frozen=True)
class _Coded:
    """The respondents and scores as integer codes, made once for every wave pair."""

    person: np.ndarray          # per respondent row: respondent code
    region: np.ndarray
    role: np.ndarray
    wave: np.ndarray
    regions: np.ndarray         # labels of the codes
    roles: np.ndarray
    waves: np.ndarray
    n_people: int
    score_person: np.ndarray | None = None   # per score row (wave, respondent known, score present)
    score_wave: np.ndarray | None = None
    score_construct: np.ndarray | None = None
    score: np.ndarray | None = None
    constructs: np.ndarray | None = None


def _coded(people: pd.DataFrame, scores: pd.DataFrame | None) -> _Coded:
    person, persons = _codes(people["respondent"])
    region, regions = _codes(people["region"])
    role, roles = _codes(people["role"])
    wave, waves = _codes(people["wave"])
    if scores is None:
        return _Coded(person, region, role, wave, regions, roles, waves, len(persons))
    # codes of the whole columns, then one mask (categorical columns are recoded without hashing)
    score = scores["score"].to_numpy(dtype=float, na_value=np.nan)
    who = codes_in(scores["respondent"], persons)
    when = codes_in(scores["wave"], waves)
    construct, constructs = _codes(scores["construct"])
    keep = (who >= 0) & (when >= 0) & (construct >= 0) & ~np.isnan(score)
    return _Coded(person, region, role, wave, regions, roles, waves, len(persons), who[keep], when[keep],
                  construct[keep], score[keep], constructs)


def _scopes(region: np.ndarray, role: np.ndarray, n_regions: int, n_roles: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row four times, as (group key, row index): by region and role, all roles, all regions, everyone.

    A group key is ``region * (n_roles + 1) + role`` with ``n_regions`` / ``n_roles`` for "all".
    """
    rows = np.arange(len(region))
    keys = [region * (n_roles + 1) + role, region * (n_roles + 1) + n_roles,
            n_regions * (n_roles + 1) + role, np.full(len(region), n_regions * (n_roles + 1) + n_roles)]
    return np.concatenate(keys), np.tile(rows, 4)


def _moments(key: np.ndarray, x: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count, mean and sample variance (ddof 1, two-pass) of ``x`` per ``key``."""
    n = np.bincount(key, minlength=size).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(key, weights=x, minlength=size) / n
        ss = np.bincount(key, weights=(x - mean[key]) ** 2, minlength=size)
        var = np.where(n > 1, ss / (n - 1), np.nan)
    return n, mean, var


def _pair_rows(c: _Coded, a: int, b: int, national, rank: int) -> pd.DataFrame:
    """Attrition rows of one wave pair (wave codes ``a`` -> ``b``)."""
    n_regions, n_roles = len(c.regions), len(c.roles)
    size = (n_regions + 1) * (n_roles + 1)
    base = np.flatnonzero(c.wave == a)
    later = np.zeros(c.n_people, dtype=bool)
    later[c.person[c.wave == b]] = True
    stayed = later[c.person[base]]
    key, row = _scopes(c.region[base], c.role[base], n_regions, n_roles)
    n_from = np.bincount(key, minlength=size)
    retained = np.bincount(key, weights=stayed[row], minlength=size).astype(np.int64)
    groups = np.flatnonzero(n_from > 0)
    counts = pd.DataFrame({"_group": groups, "n_from": n_from[groups], "retained": retained[groups]})
    counts["retention"] = counts["retained"] / counts["n_from"]
    if c.score is None:
        out = counts.assign(construct="", baseline_mean_stayers=np.nan, baseline_mean_leavers=np.nan,
                            baseline_diff=np.nan, p=np.nan, note="no scores given")
    else:
        out = counts.merge(_baseline_tests(c, base, stayed, a, size), on="_group", how="left")
        out["construct"] = out["construct"].fillna("")
        out["note"] = out["note"].fillna("no baseline scores")
    region_code, role_code = np.divmod(out["_group"].to_numpy(), n_roles + 1)
    out["region"] = np.append(c.regions, national).astype(object)[region_code]
    out["role"] = np.append(c.roles, national).astype(object)[role_code]
    out["_region_all"], out["_role_all"] = region_code == n_regions, role_code == n_roles
    out["from_wave"], out["to_wave"], out["_pair"] = c.waves[a], c.waves[b], rank
    return out


def _baseline_tests(c: _Coded, base: np.ndarray, stayed: np.ndarray, a: int, size: int) -> pd.DataFrame:
    """Per group x construct: stayers' and leavers' baseline means and Welch p."""
    group_of = np.full(c.n_people, -1, dtype=np.intp)
    region_of, role_of, stayed_of = group_of.copy(), group_of.copy(), np.zeros(c.n_people, dtype=bool)
    region_of[c.person[base]], role_of[c.person[base]] = c.region[base], c.role[base]
    stayed_of[c.person[base]] = stayed
    rows = np.flatnonzero((c.score_wave == a) & (region_of[c.score_person] >= 0))
    who = c.score_person[rows]
    key, at = _scopes(region_of[who], role_of[who], len(c.regions), len(c.roles))
    n_constructs = len(c.constructs)
    cell = key * n_constructs + c.score_construct[rows][at]
    x = c.score[rows][at]
    stay = stayed_of[who][at]
    n_s, m_s, v_s = _moments(cell[stay], x[stay], size * n_constructs)
    n_l, m_l, v_l = _moments(cell[~stay], x[~stay], size * n_constructs)
    present = np.flatnonzero((n_s > 0) | (n_l > 0))
    m_s, v_s, m_l, v_l = (np.where(n > 0, v, np.nan)[present] for n, v in ((n_s, m_s), (n_s, v_s), (n_l, m_l),
                                                                          (n_l, v_l)))
    n_s, n_l = n_s[present], n_l[present]
    diff, p = _welch(m_s, v_s, n_s, m_l, v_l, n_l)
    group, construct = np.divmod(present, n_constructs)
    few = (n_s < 2) | (n_l < 2)
    return pd.DataFrame({
        "_group": group, "construct": c.constructs.astype(object)[construct],
        "baseline_mean_stayers": m_s, "baseline_mean_leavers": m_l, "baseline_diff": diff, "p": p,
        "note": np.where(few, "fewer than two stayers or leavers with a score: no test", ""),
    })


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
    chosen = _wave_pairs(waves, pairs)
    if not chosen:
        return pd.DataFrame(columns=list(ATTRITION_COLUMNS))
    coded = _coded(people, scores)
    wave_code = {w: i for i, w in enumerate(coded.waves)}
    rank = {pair: i for i, pair in enumerate(sorted(set(chosen)))}
    frames = [_pair_rows(coded, wave_code[a], wave_code[b], national, rank[(a, b)]) for a, b in chosen]
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["_pair", "_region_all", "region", "_role_all", "role", "construct"], kind="stable")
    return out[list(ATTRITION_COLUMNS)].reset_index(drop=True)
