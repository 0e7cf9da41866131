"""A second, independent cross-check of the everyday statistics against pingouin.

R is the reference (see the other test files); pingouin, part of the project's chosen stack,
is a second implementation. It rounds its confidence limits to 2–3 decimals, so those are
compared at that precision; statistics and p-values are compared tightly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from folge.statistics import cronbach_alpha, paired_change, welch_change


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(20141)


@pytest.mark.parametrize("k", [3, 5, 8])
def test_alpha_and_feldt_ci(rng, k):
    common = rng.normal(size=(120, 1))
    items = pd.DataFrame(common + rng.normal(scale=1.2, size=(120, k)), columns=[f"x{i}" for i in range(k)])
    ours = cronbach_alpha(items).iloc[0]
    alpha, (low, high) = pg.cronbach_alpha(data=items)
    assert ours["alpha"] == pytest.approx(alpha, abs=1e-12)
    assert ours["alpha_ci_low"] == pytest.approx(low, abs=5e-4)
    assert ours["alpha_ci_high"] == pytest.approx(high, abs=5e-4)


def test_welch_change(rng):
    before, after = rng.normal(3.0, 0.8, size=35), rng.normal(3.4, 1.0, size=42)
    ours = welch_change(before, after).iloc[0]
    theirs = pg.ttest(after, before, correction=True).iloc[0]
    assert ours["p"] == pytest.approx(theirs["p_val"], rel=1e-9)
    low, high = theirs["CI95"]
    assert (ours["ci_low"], ours["ci_high"]) == pytest.approx((low, high), abs=5e-3)


def test_paired_change(rng):
    before = rng.normal(3.0, 0.8, size=30)
    after = before + rng.normal(0.3, 0.6, size=30)
    ours = paired_change(before, after).iloc[0]
    theirs = pg.ttest(after, before, paired=True).iloc[0]
    assert ours["p"] == pytest.approx(theirs["p_val"], rel=1e-9)
    assert ours["diff"] == pytest.approx(np.mean(after - before), abs=1e-12)
