"""The invariance rows' note on respondents who answered in more than one wave."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from folge.analysis._psychometrics import _repeated_note


def test_the_repeated_share_counts_distinct_waves_of_complete_answers():
    rng = np.random.default_rng(8)
    n = 600
    keyed = pd.DataFrame({
        "respondent": pd.Categorical(rng.integers(0, 250, n).astype(str)),
        "wave": pd.Categorical(rng.choice(["2015-1", "2016-1", "2017-1"], n)),
        "a": rng.integers(1, 6, n).astype(float), "b": rng.integers(1, 6, n).astype(float),
    })
    keyed.loc[rng.random(n) < 0.2, "b"] = np.nan
    complete = keyed.dropna(subset=["a", "b"])
    waves = complete.groupby("respondent", observed=True)["wave"].nunique()
    note = _repeated_note(keyed, ["a", "b"])
    found = re.search(r"\((\d+) of (\d+)\)", note)
    assert found is not None, note
    assert (int(found.group(1)), int(found.group(2))) == (int((waves > 1).sum()), len(waves))


def test_no_note_when_nobody_answered_twice():
    keyed = pd.DataFrame({"respondent": ["x", "y", "z"], "wave": ["1", "1", "2"], "a": [1.0, 2.0, 3.0]})
    assert _repeated_note(keyed, ["a"]) == ""
    keyed.loc[2, "respondent"] = "x"
    assert "(1 of 2)" in _repeated_note(keyed, ["a"])
