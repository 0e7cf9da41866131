"""change.csv and trend.csv: has a construct moved between waves, and over all of them?

Change rows are computed from group summaries: counts, means and variances of the
scores per construct, scope (national or region) and wave, and of the paired
differences per construct, scope and pair of waves. Each summary is one pass of
``numpy.bincount`` over the scores, and the rows of all comparisons then come from
:func:`~folge.statistics.change.welch_change_summary` and
:func:`~folge.statistics.change.paired_change_summary` in one call each, so the
cost grows with the number of scores plus the number of rows, not their product.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..statistics.change import paired_change_summary, welch_change_summary
from ._inputs import AnalysisInput
from ._mixed_tables import mixed_change_rows_started, trend_table

__all__ = ["comparisons", "change_table", "trend_table"]

#: Order of a comparison's rows: the descriptive Welch and paired rows, then the model's.
_METHOD_ORDER = {"welch": 0, "paired-t": 1}
#: Columns a mixed-model change row takes from the Welch row of the same comparison.
_DESCRIPTIVE = ("n_from", "n_to", "mean_from", "mean_to", "hedges_g", "g_ci_low", "g_ci_high")

#: A group variance this small relative to its squared mean is rounding noise of
#: equal scores (an exact variance of scores on a response scale is far larger).
_ROUNDING_VARIANCE = 1e-24


def comparisons(waves: list[str]) -> list[tuple[str, str, str]]:
    """(from, to, kind) pairs: consecutive waves, and from the first wave to each later one.

    >>> comparisons(["a", "b", "c"])
    [('a', 'b', 'consecutive'), ('b', 'c', 'consecutive'), ('a', 'c', 'from-first')]
    """
    pairs = [(waves[i - 1], waves[i], "consecutive") for i in range(1, len(waves))]
    pairs += [(waves[0], waves[i], "from-first") for i in range(2, len(waves))]
    return pairs


def _moments(key: np.ndarray, values: np.ndarray, size: int):
    """Count, mean and variance (n - 1) of ``values`` per ``key`` in ``range(size)``, two-pass."""
    n = np.bincount(key, minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(key, weights=values, minlength=size) / n
        dev = values - mean[key]
        var = np.bincount(key, weights=dev * dev, minlength=size) / (n - 1)
    var[n < 2] = np.nan
    var[var <= _ROUNDING_VARIANCE * np.maximum(1.0, mean * mean)] = 0.0
    return n, mean, var


def _codes(values: pd.Series, sort: bool = False):
    """Integer codes (-1 for missing) and labels of ``values``; free for a categorical."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        categories = values.cat.categories
        if sort and not categories.is_monotonic_increasing:
            return pd.factorize(values.astype(object), sort=True)
        return codes.astype(np.int64), categories
    return pd.factorize(values, sort=sort)


def _wave_index(waves: pd.Series, rank: dict[str, int]) -> np.ndarray:
    """Position of each row's wave in ``rank`` as float (NaN for a wave not in it)."""
    codes, labels = _codes(waves)
    lookup = np.array([rank.get(str(label), np.nan) for label in labels] + [np.nan], dtype=float)
    return lookup[codes]  # code -1 (missing) picks the trailing NaN


def _paired_summaries(score, resp, wave, region, n_regions, n_waves, wave_pairs):
    """Summaries of paired differences for one construct: national and per region.

    Returns one tuple per pair of waves: its index, then arrays of scope code, n,
    mean_d, var_d, mean_from and mean_to (scopes with two pairs or more; scope
    ``n_regions`` is national). A pair counts in a region when the
    respondent answered there in both waves.
    """
    codes, uniques = pd.factorize(resp)
    n_resp = len(uniques)
    matrix = np.full((n_resp, n_waves), np.nan)
    matrix[codes, wave] = score
    where = np.full((n_resp, n_waves), -1, dtype=np.int64)
    where[codes, wave] = region
    parts = []
    for index, (a, b) in enumerate(wave_pairs):
        x1, x2 = matrix[:, a], matrix[:, b]
        both = ~np.isnan(x1) & ~np.isnan(x2)
        x1, x2 = x1[both], x2[both]
        ra, rb = where[both, a], where[both, b]
        same = (ra == rb) & (ra >= 0)
        scope = np.concatenate([np.full(x1.size, n_regions), ra[same]])
        before = np.concatenate([x1, x1[same]])
        after = np.concatenate([x2, x2[same]])
        size = n_regions + 1
        n, mean_d, var_d = _moments(scope, after - before, size)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_from = np.bincount(scope, weights=before, minlength=size) / n
            mean_to = np.bincount(scope, weights=after, minlength=size) / n
        keep = np.flatnonzero(n >= 2)
        parts.append((index, keep, n[keep], mean_d[keep], var_d[keep], mean_from[keep], mean_to[keep]))
    return parts


def change_table(data: AnalysisInput) -> pd.DataFrame:
    """change.csv: per construct, scope and comparison the Welch, paired and mixed-model rows.

    The mixed-model row (``method`` names the model fitted) carries ``se``, ``df``, the
    one-sided ``p`` and the ``p_adj`` the verdicts use
    (:func:`~folge.analysis._mixed_tables.mixed_change_rows`); its counts, means and
    Hedges' g are those of the comparison's Welch row. The Welch and paired rows are
    descriptive: their ``p`` is their own test's, ``p_adj`` is empty (one adjusted p per
    comparison). Region-level instruments get national rows only. With enough scores the
    models are fitted in forked workers while the descriptive rows are computed here.
    """
    with mixed_change_rows_started(data, comparisons(data.waves)) as mixed_rows:  # fitted meanwhile, with enough scores
        table = _descriptive_change_table(data)
        if table.empty:
            return table
        mixed = mixed_rows()
    if mixed.empty:
        return table
    keys = ["construct", "region", "from_wave", "to_wave"]
    welch = table.loc[table["method"] == "welch", [*keys, *_DESCRIPTIVE]]
    mixed = mixed.merge(welch, on=keys, how="left")
    both = pd.concat([table, mixed], ignore_index=True)
    pair_rank = {(a, b): i for i, (a, b, _) in enumerate(comparisons(data.waves))}
    order = np.lexsort((
        both["method"].map(_METHOD_ORDER).fillna(2).to_numpy(),
        [pair_rank[(a, b)] for a, b in zip(both["from_wave"], both["to_wave"], strict=True)],
        both["region"].astype(str).to_numpy(),
        (both["region"] != "all").to_numpy(),
        pd.factorize(both["construct"])[0],
    ))
    return both.iloc[order].reset_index(drop=True)


def _descriptive_change_table(data: AnalysisInput) -> pd.DataFrame:
    """Welch and paired change per construct, nationally and per region (``p_adj`` empty).

    Region-level instruments (one answer per region) get national rows only: a region's
    own change would rest on one answer per wave. A paired row is given where at least
    two respondents answered in both waves (in the region, for a region's row).
    """
    pairs = comparisons(data.waves)
    if not pairs:
        return pd.DataFrame()
    scores = data.scores[data.scores["score"].notna()]
    if scores.empty:
        return pd.DataFrame()
    rank = data.wave_rank()
    wave = _wave_index(scores["wave"], rank)
    scores = scores[~np.isnan(wave)]
    wave = wave[~np.isnan(wave)].astype(np.int64)
    y = scores["score"].to_numpy(dtype=float)
    region_codes, regions = _codes(scores["region"], sort=True)
    regions = [str(r) for r in regions]
    n_regions, n_waves = len(regions), len(data.waves)
    construct_codes, constructs = _codes(scores["construct"])
    instrument_codes, instruments = _codes(scores["instrument"])
    respondent_codes = _codes(scores["respondent"])[0]
    group, first = pd.factorize(construct_codes * len(instruments) + instrument_codes)
    group_construct = [str(constructs[c // len(instruments)]) for c in first]
    group_level = [data.study.instruments[instruments[c % len(instruments)]].level for c in first]
    n_groups, scopes = len(first), n_regions + 1  # scope n_regions = national

    # Welch: count, mean and variance per construct, scope and wave
    cell = (group * scopes + region_codes) * n_waves + wave
    national = (group * scopes + n_regions) * n_waves + wave
    keys = np.concatenate([national, cell[region_codes >= 0]])
    values = np.concatenate([y, y[region_codes >= 0]])
    n, mean, var = _moments(keys, values, n_groups * scopes * n_waves)
    n, mean, var = (x.reshape(n_groups, scopes, n_waves) for x in (n, mean, var))
    wave_pairs = [(rank[a], rank[b]) for a, b, _ in pairs]
    respondent_level = np.array([level == "respondent" for level in group_level])
    frames, meta = [], []
    g_idx, s_idx = np.meshgrid(np.arange(n_groups), np.arange(scopes), indexing="ij")
    allowed = respondent_level[:, None] | (s_idx == n_regions)  # region-level: national only
    for index, (a, b) in enumerate(wave_pairs):
        present = allowed & (n[:, :, a] > 0) & (n[:, :, b] > 0)
        gi, si = g_idx[present], s_idx[present]
        frames.append(welch_change_summary(n[gi, si, a], mean[gi, si, a], var[gi, si, a],
                                           n[gi, si, b], mean[gi, si, b], var[gi, si, b]))
        meta.append((gi, si, np.full(gi.size, index), np.zeros(gi.size, dtype=np.int64)))

    # paired: differences per respondent present in both waves
    paired_parts = []
    for g in np.flatnonzero(respondent_level):
        rows = np.flatnonzero(group == g)
        for index, si, count, mean_d, var_d, m_from, m_to in _paired_summaries(
                y[rows], respondent_codes[rows], wave[rows], region_codes[rows], n_regions, n_waves, wave_pairs):
            # a scope with a pair has scores in both waves, so it has its Welch row too
            paired_parts.append((np.full(si.size, g), si, np.full(si.size, index), count, mean_d, var_d,
                                 m_from, m_to))
    if paired_parts:
        gi, si, pi, count, mean_d, var_d, m_from, m_to = (np.concatenate(x) for x in zip(*paired_parts))
        frames.append(paired_change_summary(count, mean_d, var_d, mean_from=m_from, mean_to=m_to))
        meta.append((gi, si, pi, np.ones(gi.size, dtype=np.int64)))

    table = pd.concat(frames, ignore_index=True)
    if table.empty:
        return pd.DataFrame()
    gi, si, pi, method = (np.concatenate(x) for x in zip(*meta))
    # the order of the per-row runner: construct, national then regions, comparison, welch then paired
    order = np.lexsort((method, pi, si, si < n_regions, gi))
    table = table.iloc[order].reset_index(drop=True)
    gi, si, pi, method = gi[order], si[order], pi[order], method[order]
    labels = np.array(regions + ["all"], dtype=object)
    table["construct"] = np.array(group_construct, dtype=object)[gi]
    table["region"] = labels[si]
    table["from_wave"] = np.array([p[0] for p in pairs], dtype=object)[pi]
    table["to_wave"] = np.array([p[1] for p in pairs], dtype=object)[pi]
    table["comparison"] = np.array([p[2] for p in pairs], dtype=object)[pi]
    table["method"] = np.where(method == 0, "welch", "paired-t")
    table["p_adj"] = np.nan  # descriptive rows: the comparison's adjusted p is the mixed row's
    return table
