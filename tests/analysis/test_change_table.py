"""change.csv from group summaries equals change.csv from the per-row functions.

The reference below is the runner's earlier implementation: one
:func:`welch_change` / :func:`paired_change` call per construct, scope and pair of
waves (those functions are checked against R in ``tests/statistics/test_change.py``),
Holm within construct × scope × method until the mixed-model rows came; the Welch and
paired rows are now descriptive, with an empty ``p_adj`` (the comparison's one adjusted p is
the mixed-model row's, checked against :func:`change_mixed` per scope below).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from folge.analysis._change_tables import change_table, comparisons
from folge.statistics.change import holm_by_group
from folge.analysis._inputs import AnalysisInput
from folge.statistics import benjamini_hochberg, change_mixed, decide, holm, paired_change, welch_change

WAVES = ["2015-1", "2015-2", "2016-1", "2016-2"]
FLOATS = ("mean_from", "mean_to", "diff", "ci_low", "ci_high", "hedges_g", "g_ci_low", "g_ci_high", "p", "p_adj")


def _reference(data) -> pd.DataFrame:
    pairs = comparisons(data.waves)
    scores = data.scores[data.scores["score"].notna()]
    rows = []

    def scope_rows(construct_id, region, by_wave, paired):
        for from_wave, to_wave, kind in pairs:
            a, b = by_wave.get(from_wave), by_wave.get(to_wave)
            if a is None or b is None:
                continue
            row = welch_change(a.to_numpy(), b.to_numpy()).iloc[0].to_dict()
            row.update(construct=construct_id, region=region, from_wave=from_wave, to_wave=to_wave,
                       comparison=kind, method="welch")
            rows.append(row)
            if paired:
                both = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna()
                if len(both) >= 2:
                    row = paired_change(both["a"].to_numpy(), both["b"].to_numpy()).iloc[0].to_dict()
                    row.update(construct=construct_id, region=region, from_wave=from_wave, to_wave=to_wave,
                               comparison=kind, method="paired-t")
                    rows.append(row)

    for (construct_id, instrument_id), part in scores.groupby(["construct", "instrument"], sort=False):
        respondent_level = data.study.instruments[instrument_id].level == "respondent"
        indexed = part.set_index("respondent")
        scope_rows(construct_id, "all", {w: g["score"] for w, g in indexed.groupby("wave", sort=False)},
                   respondent_level)
        if respondent_level:
            for region, region_part in indexed.groupby("region", sort=True):
                scope_rows(construct_id, str(region),
                           {w: g["score"] for w, g in region_part.groupby("wave", sort=False)}, True)
    table = pd.DataFrame(rows)
    table["p_adj"] = np.nan  # descriptive rows carry no adjusted p
    return table


def _study_input(seed: int, constant: bool = False) -> AnalysisInput:
    """Two respondent-level constructs (panel with drop-outs, movers, tiny regions) and a
    region-level one; some scores missing; with ``constant``, one region's scores are
    all 3.4 in two waves."""
    rng = np.random.default_rng(seed)
    rows = []
    regions = ["oslo", "bergen", "rana", "vik"]
    people = [f"p{i:03d}" for i in range(90)]
    home = {p: regions[min(int(rng.integers(0, 4)), 3) if i > 2 else 3] for i, p in enumerate(people)}
    for w, wave in enumerate(WAVES):
        for i, person in enumerate(people):
            if rng.random() < 0.3 or (home[person] == "vik" and w == 2):
                continue
            region = home[person] if rng.random() > 0.05 else regions[int(rng.integers(0, 4))]
            for construct in ("trust", "learning"):
                score = float(np.round(rng.normal(3 + 0.2 * w, 0.8) * 5) / 5)
                if constant and region == "rana" and w in (0, 1) and construct == "trust":
                    score = 3.4  # constant within the region in two waves
                if rng.random() < 0.05:
                    score = np.nan
                rows.append((person, region, wave, "business", construct, score, 5, "survey"))
        for region in regions:
            rows.append((f"coord-{region}", region, wave, None, "milestones", float(rng.random()), 4, "status"))
    scores = pd.DataFrame(rows, columns=["respondent", "region", "wave", "role", "construct", "score", "n_items",
                                         "instrument"])
    study = SimpleNamespace(instruments={"survey": SimpleNamespace(level="respondent"),
                                         "status": SimpleNamespace(level="region")},
                            waves=[SimpleNamespace(id=w, date=dt.date(2015 + i // 2, 3 + 6 * (i % 2), 1))
                                   for i, w in enumerate(WAVES)],
                            settings=SimpleNamespace(adjust_for=("role",), significance=0.05))
    return AnalysisInput(study, {}, scores, list(WAVES))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_change_table_equals_per_row_runner(seed):
    data = _study_input(seed)
    got = change_table(data)
    got = got[got["method"].isin(["welch", "paired-t"])].reset_index(drop=True)
    expected = _reference(data)
    assert len(got) == len(expected)
    for col in ("construct", "region", "from_wave", "to_wave", "comparison", "method", "note", "n_from", "n_to"):
        assert got[col].tolist() == expected[col].tolist(), col
    for col in FLOATS:
        np.testing.assert_allclose(got[col].to_numpy(dtype=float), expected[col].to_numpy(dtype=float),
                                   rtol=0, atol=1e-9, equal_nan=True, err_msg=col)
    # region-level instrument: national Welch rows only
    status = got[got["construct"] == "milestones"]
    assert set(status["region"]) == {"all"} and set(status["method"]) == {"welch"}


@pytest.mark.parametrize("seed", [1, 2])
def test_mixed_rows_equal_the_per_scope_model_with_one_adjusted_p_per_comparison(seed):
    data = _study_input(seed)
    got = change_table(data)
    mixed = got[got["method"].str.startswith("REML")]
    scores = data.scores[data.scores["score"].notna()]
    for (construct, from_wave, to_wave), rows in mixed.groupby(["construct", "from_wave", "to_wave"]):
        part = scores[scores["construct"] == construct]
        for row in rows.itertuples(index=False):
            if construct == "milestones":  # region-level: national only, no role to adjust for
                assert row.region == "all" and "not adjusted for it" in row.note
                ref = change_mixed(part, from_wave, to_wave, region="region", adjust_for=())
            elif row.region == "all":
                ref = change_mixed(part, from_wave, to_wave, region="region")
            else:
                ref = change_mixed(part[part["region"] == row.region], from_wave, to_wave)
            ref = ref.iloc[0]
            for column in ("diff", "se", "df"):
                assert row._asdict()[column] == pytest.approx(ref[column], rel=1e-5, abs=1e-7, nan_ok=True), column
            assert row.method == ref["method"]
            # descriptive figures from the comparison's Welch row
            welch = got[(got["method"] == "welch") & (got["construct"] == construct) & (got["region"] == row.region)
                        & (got["from_wave"] == from_wave) & (got["to_wave"] == to_wave)].iloc[0]
            assert (row.n_from, row.n_to) == (welch["n_from"], welch["n_to"])
        regional = rows[rows["region"] != "all"]
        if len(regional):
            one_sided = decide(regional["diff"], regional["se"], regional["df"], 0.0)
            np.testing.assert_allclose(regional["p"], one_sided["p"], rtol=1e-12, equal_nan=True)
            np.testing.assert_allclose(regional["p_adj"], benjamini_hochberg(regional["p"].to_numpy(dtype=float)),
                                       rtol=1e-12, equal_nan=True)
    # one adjusted p per comparison: the descriptive rows carry none
    assert got.loc[got["method"].isin(["welch", "paired-t"]), "p_adj"].isna().all()


def test_equal_scores_in_both_waves_give_the_no_variance_note():
    # Equal scores such as 3.4 are not exact in binary, so np.var of them can be 1e-32
    # instead of 0, and the per-row welch_change then reports a huge t. From summaries
    # such rounding noise is read as zero variance: NaN with the note.
    data = _study_input(1, constant=True)
    got = change_table(data)
    row = got[(got["construct"] == "trust") & (got["region"] == "rana") & (got["from_wave"] == "2015-1")
              & (got["to_wave"] == "2015-2") & (got["method"] == "welch")].iloc[0]
    assert row["note"].startswith("no variance in either wave")
    assert np.isnan(row["p"]) and row["diff"] == pytest.approx(0.0)


def test_holm_by_group_equals_holm():
    rng = np.random.default_rng(4)
    p = rng.uniform(size=300)
    p[rng.random(300) < 0.1] = np.nan
    p[5] = p[6]  # a tie
    group = rng.integers(0, 17, 300)
    got = holm_by_group(p, group)
    for g in range(17):
        np.testing.assert_allclose(got[group == g], holm(p[group == g]), rtol=0, atol=1e-15)


def test_one_wave_gives_an_empty_table():
    data = _study_input(1)
    data.waves = ["2015-1"]
    assert change_table(data).empty
