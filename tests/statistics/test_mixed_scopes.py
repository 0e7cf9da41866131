"""Every region and the nation at once (``mixed_scopes``) equals the single-scope engine.

The single-scope functions (``trend_mixed``, ``regional_trend_mixed``, ``change_mixed``)
are checked against lmerTest in ``test_mixed.py``; here the batched fits must give the
same numbers, notes and methods, and the role adjustment must keep a shift in who answers
from reading as change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from folge.statistics import (
    change_mixed,
    change_mixed_scopes,
    regional_trend_mixed,
    trend_mixed,
    trend_mixed_scopes,
)


def _panel(seed: int = 5) -> pd.DataFrame:
    """Six regions, three unequally spaced waves, a panel with drop-outs and movers, three roles
    (one region with one role only, one region with four answers a wave)."""
    rng = np.random.default_rng(seed)
    rows, next_id = [], 0
    for r in range(6):
        ids = list(range(next_id, next_id + 30))
        next_id += 30
        for w, years in enumerate([0.0, 0.7, 1.9]):
            if w:
                ids = [i if rng.random() < 0.6 else (next_id := next_id + 1) for i in ids]
            for i in ids[: 30 if r else 4]:
                role = "a" if r == 2 else str(rng.choice(["a", "b", "c"]))
                rows.append((f"r{r}", i, f"w{w}", years, role))
    frame = pd.DataFrame(rows, columns=["region", "respondent", "wave", "years", "role"])
    region_effect = frame["region"].map({f"r{r}": rng.normal(0, 0.3) for r in range(6)})
    person_effect = frame["respondent"].map(dict(enumerate(rng.normal(0, 0.4, next_id + 1))))
    frame["score"] = (3 + 0.2 * frame["years"] + region_effect + person_effect + 0.3 * (frame["role"] == "b")
                      + rng.normal(0, 0.5, len(frame)))
    return frame


COLUMNS = ("estimate", "se", "df")


def test_trend_scopes_equal_the_single_scope_fits():
    frame = _panel()
    got = trend_mixed_scopes(frame)
    regions = sorted(frame["region"].unique())
    assert got["region"].tolist() == ["all", *regions]
    expected = pd.concat([trend_mixed(frame)] + [regional_trend_mixed(frame[frame["region"] == r]) for r in regions],
                         ignore_index=True)
    for column in COLUMNS:
        np.testing.assert_allclose(got[column], expected[column], rtol=1e-6, err_msg=column)
    assert got["method"].tolist() == expected["method"].tolist()
    assert got["n"].tolist() == expected["n"].tolist()
    assert got["note"].tolist() == expected["note"].tolist()


def test_change_scopes_equal_the_single_scope_fits():
    frame = _panel()
    pairs = [("w0", "w1"), ("w1", "w2"), ("w0", "w2")]
    got = change_mixed_scopes(frame, pairs)
    expected = []
    for a, b in pairs:
        expected.append(change_mixed(frame, a, b, region="region"))
        expected += [change_mixed(frame[frame["region"] == r], a, b) for r in sorted(frame["region"].unique())]
    expected = pd.concat(expected, ignore_index=True)
    assert list(zip(got["from_wave"], got["to_wave"])) == [p for p in pairs for _ in range(7)]
    for column in ("diff", "se", "df"):
        np.testing.assert_allclose(got[column], expected[column], rtol=1e-5, err_msg=column)
    for column in ("method", "note", "n", "n_panel", "singular"):
        assert got[column].tolist() == expected[column].tolist(), column


def test_degenerate_scopes_give_nan_with_the_engine_reason():
    frame = _panel()
    frame.loc[frame["region"] == "r3", "score"] = 3.0  # constant answers
    frame = frame[~((frame["region"] == "r4") & (frame["wave"] != "w0"))]  # one wave only
    got = trend_mixed_scopes(frame).set_index("region")
    assert np.isnan(got.loc["r3", "estimate"]) and got.loc["r3", "note"] == "constant answers (SD = 0)"
    assert np.isnan(got.loc["r4", "estimate"]) and got.loc["r4", "note"] == "only one wave has answers"
    assert regional_trend_mixed(frame[frame["region"] == "r3"]).iloc[0]["note"] == got.loc["r3", "note"]
    assert np.isfinite(got.loc["all", "estimate"])
    one_region = trend_mixed_scopes(frame[frame["region"] == "r0"]).set_index("region")
    assert np.isnan(one_region.loc["all", "estimate"]) and "one region" in one_region.loc["all", "note"]
    assert np.isfinite(one_region.loc["r0", "estimate"])


def _composition_shift(seed: int) -> pd.DataFrame:
    """No true change; politicians answer 1 point higher and make up 20 % of wave 1, 75 % of wave 2."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(10):
        for w, share in enumerate([0.2, 0.75]):
            for i in range(40):
                role = "politician" if rng.random() < share else "business"
                rows.append((f"r{r}", f"r{r}-w{w}-{i}", f"w{w}", role))
    frame = pd.DataFrame(rows, columns=["region", "respondent", "wave", "role"])
    region_effect = frame["region"].map({f"r{r}": rng.normal(0, 0.2) for r in range(10)})
    frame["score"] = 3 + region_effect + 1.0 * (frame["role"] == "politician") + rng.normal(0, 0.6, len(frame))
    return frame


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_shift_in_who_answers_is_not_change_once_roles_are_adjusted_for(seed):
    frame = _composition_shift(seed)
    adjusted = change_mixed_scopes(frame, [("w0", "w1")]).iloc[0]
    unadjusted = change_mixed_scopes(frame, [("w0", "w1")], adjust_for=()).iloc[0]
    assert adjusted["region"] == "all" and "role" in adjusted["method"] and "role" not in unadjusted["method"]
    assert unadjusted["diff"] > 0.3 and unadjusted["p"] < 0.001  # the shift reads as a rise
    assert adjusted["p"] > 0.05 and abs(adjusted["diff"]) < 0.15
