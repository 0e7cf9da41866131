"""Spearman association across regions: against R's exact test and scipy."""

from __future__ import annotations

import numpy as np
import pytest
from folge.statistics.association import ASSOCIATION_COLUMNS, spearman_association
from scipy import stats

# tests/reference/association.R
X8 = [1, 3, 2, 5, 4, 7, 6, 8]
Y8 = [2, 1, 4, 3, 6, 5, 8, 7]
X9 = [3.1, 2.4, 4.0, 3.3, 2.9, 3.8, 4.4, 2.2, 3.6]
Y9 = [0.40, 0.10, 0.70, 0.55, 0.20, 0.35, 0.90, 0.15, 0.60]


def test_columns_and_one_row():
    row = spearman_association(X8, Y8, seed=1)
    assert tuple(row.columns) == ASSOCIATION_COLUMNS
    assert len(row) == 1
    assert row.loc[0, "method"] == "exact permutation"


@pytest.mark.parametrize("x, y, alternative, rho, p", [
    # R: cor.test(x8, y8, method = "spearman")
    (X8, Y8, "two-sided", 0.690476190476191, 0.0693948412698413),
    # R: cor.test(x8, y8, method = "spearman", alternative = "greater")
    (X8, Y8, "greater", 0.690476190476191, 0.0346974206349206),
    # R: cor.test(x9, y9, method = "spearman")
    (X9, Y9, "two-sided", 0.883333333333333, 0.00307539682539683),
    # R: cor.test(x9, y9, method = "spearman", alternative = "greater")
    (X9, Y9, "greater", 0.883333333333333, 0.00153769841269841),
    # R: cor.test(x9, y9, method = "spearman", alternative = "less")
    (X9, Y9, "less", 0.883333333333333, 0.998985890652557),
])
def test_exact_p_matches_r(x, y, alternative, rho, p):
    row = spearman_association(x, y, alternative=alternative, seed=3).iloc[0]
    assert row["rho"] == pytest.approx(rho, abs=1e-12)
    assert row["p"] == pytest.approx(p, abs=1e-12)


def test_rho_and_asymptotic_p_match_scipy_with_ties():
    rng = np.random.default_rng(7)
    x = rng.integers(1, 6, size=25).astype(float)
    y = x + rng.integers(-2, 3, size=25)
    row = spearman_association(x, y, seed=1).iloc[0]
    expected = stats.spearmanr(x, y)
    assert row["rho"] == pytest.approx(expected.statistic, abs=1e-12)
    assert row["p_asymptotic"] == pytest.approx(expected.pvalue, abs=1e-12)
    assert row["method"] == "Monte Carlo permutation"
    # Monte Carlo p and the t approximation agree at this size
    assert row["p"] == pytest.approx(expected.pvalue, abs=0.01)


def test_bootstrap_interval_brackets_rho_and_is_reproducible():
    a = spearman_association(X9, Y9, seed=11).iloc[0]
    b = spearman_association(X9, Y9, seed=11).iloc[0]
    assert a["ci_low"] <= a["rho"] <= a["ci_high"] <= 1
    assert (a["ci_low"], a["ci_high"]) == (b["ci_low"], b["ci_high"])


def test_missing_pairs_are_dropped():
    row = spearman_association([*X8, np.nan], [*Y8, 3.0], seed=1).iloc[0]
    assert row["n"] == 8
    assert row["rho"] == pytest.approx(0.690476190476191)


@pytest.mark.parametrize("x, y, note", [
    ([1, 2], [2, 1], "fewer than 3"),
    ([1, 1, 1, 1], [1, 2, 3, 4], "no variation in x"),
])
def test_degenerate_data_give_nan_with_a_note(x, y, note):
    row = spearman_association(x, y).iloc[0]
    assert np.isnan(row["rho"]) and np.isnan(row["p"])
    assert note in row["note"]


@pytest.mark.parametrize("kwargs, message", [
    ({"alternative": "bigger"}, "'alternative'"),
    ({"confidence": 1.5}, "'confidence'"),
    ({"n_permutations": 0}, "'n_permutations'"),
])
def test_bad_arguments_raise_naming_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        spearman_association(X8, Y8, **kwargs)


def test_unequal_lengths_and_text_raise():
    with pytest.raises(ValueError, match="same length"):
        spearman_association([1, 2, 3], [1, 2])
    with pytest.raises(TypeError, match="'x' must be numeric"):
        spearman_association(np.array(["a", "b", "c"]), [1, 2, 3])
