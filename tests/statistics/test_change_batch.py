"""The batch change functions against the per-row ones.

:func:`welch_change` and :func:`paired_change` are checked against R in
``test_change.py``; here :func:`welch_change_summary` and
:func:`paired_change_summary` must give the same rows (to 1e-9) from the group
summaries of many random samples, degenerate ones included.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from folge.statistics.change import (
    ALTERNATIVES,
    CHANGE_COLUMNS,
    paired_change,
    paired_change_summary,
    welch_change,
    welch_change_summary,
)

TOL = 1e-9
FLOATS = ("mean_from", "mean_to", "diff", "ci_low", "ci_high", "hedges_g", "g_ci_low", "g_ci_high", "p")


def _mean(x):
    return x.mean() if x.size else np.nan


def _var(x):
    return x.var(ddof=1) if x.size >= 2 else np.nan


def _samples(seed: int, count: int):
    """Random pairs of waves: sizes 0-80, small and large shifts, rounded (ties) or not."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        n1, n2 = rng.integers(0, 80, size=2)
        digits = int(rng.choice([0, 1, 6]))
        shift = rng.normal(0.0, rng.choice([0.05, 0.5, 3.0]))
        a = rng.normal(3.0, rng.choice([0.3, 1.0]), n1).round(digits)
        b = rng.normal(3.0 + shift, rng.choice([0.3, 1.0]), n2).round(digits)
        out.append((a, b))
    # degenerate: empty, one answer, constant waves, one constant wave
    out += [
        (np.array([]), np.array([1.0, 2.0])),
        (np.array([3.0]), np.array([1.0, 2.0, 4.0])),
        (np.array([2.0, 3.0]), np.array([5.0])),
        (np.array([4.0, 4.0, 4.0]), np.array([2.0, 2.0])),
        (np.array([4.0, 4.0, 4.0]), np.array([2.0, 3.0])),
        (np.array([1.0, 5.0]), np.array([5.0, 1.0])),
        (np.array([1.0, 2.0, 3.0]), np.array([200.0, 210.0, 190.0])),  # a huge t
    ]
    return out


def _assert_same(batch: pd.DataFrame, rows: list[pd.DataFrame]) -> None:
    expected = pd.concat(rows, ignore_index=True)
    assert tuple(batch.columns) == CHANGE_COLUMNS
    assert len(batch) == len(expected)
    for col in ("n_from", "n_to"):
        assert batch[col].dtype == "int64"
        np.testing.assert_array_equal(batch[col].to_numpy(), expected[col].to_numpy())
    assert batch["method"].tolist() == expected["method"].tolist()
    assert batch["note"].tolist() == expected["note"].tolist()
    for col in FLOATS:
        assert batch[col].dtype == "float64"
        np.testing.assert_allclose(batch[col].to_numpy(), expected[col].to_numpy(), rtol=0, atol=TOL,
                                   equal_nan=True, err_msg=col)


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_welch_summary_equals_per_row(alternative):
    samples = _samples(11, 150)
    batch = welch_change_summary(
        [a.size for a, _ in samples], [_mean(a) for a, _ in samples], [_var(a) for a, _ in samples],
        [b.size for _, b in samples], [_mean(b) for _, b in samples], [_var(b) for _, b in samples],
        alternative=alternative,
    )
    _assert_same(batch, [welch_change(a, b, alternative=alternative) for a, b in samples])


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_paired_summary_equals_per_row(alternative):
    samples = []
    for a, b in _samples(23, 150):
        k = min(a.size, b.size)
        samples.append((a[:k], b[:k]))
    samples += [(np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 4.0]))]  # all differences equal
    d = [b - a for a, b in samples]
    batch = paired_change_summary(
        [x.size for x in d], [_mean(x) for x in d], [_var(x) for x in d],
        mean_from=[_mean(a) for a, _ in samples], mean_to=[_mean(b) for _, b in samples],
        alternative=alternative,
    )
    _assert_same(batch, [paired_change(a, b, alternative=alternative) for a, b in samples])


def test_confidence_level_is_used():
    rng = np.random.default_rng(3)
    a, b = rng.normal(0, 1, 40), rng.normal(0.4, 1, 35)
    batch = welch_change_summary([40], [a.mean()], [a.var(ddof=1)], [35], [b.mean()], [b.var(ddof=1)],
                                 confidence=0.9)
    _assert_same(batch, [welch_change(a, b, confidence=0.9)])


def test_large_groups_and_many_rows():
    # national comparisons: thousands of answers per wave, t far from zero
    rng = np.random.default_rng(8)
    n1 = rng.integers(2_000, 200_000, 40)
    n2 = rng.integers(2_000, 200_000, 40)
    m1, m2 = rng.normal(3, 0.05, 40), rng.normal(3.02, 0.05, 40)
    v1, v2 = rng.uniform(0.3, 1.2, 40), rng.uniform(0.3, 1.2, 40)
    batch = welch_change_summary(n1, m1, v1, n2, m2, v2)
    # per row from data with exactly these summaries: standardise and rescale a sample
    rows = []
    for i in range(0, 40, 8):
        x = rng.normal(size=n1[i])
        y = rng.normal(size=n2[i])
        x = m1[i] + (x - x.mean()) / x.std(ddof=1) * np.sqrt(v1[i])
        y = m2[i] + (y - y.mean()) / y.std(ddof=1) * np.sqrt(v2[i])
        rows.append(welch_change(x, y))
    _assert_same(batch.iloc[::8].reset_index(drop=True), rows)


def test_empty_input_gives_empty_table():
    out = welch_change_summary([], [], [], [], [], [])
    assert tuple(out.columns) == CHANGE_COLUMNS and out.empty
    assert paired_change_summary([], [], []).empty


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="'n_b' must have one value per comparison"):
        welch_change_summary([3, 4], [1.0, 2.0], [1.0, 1.0], [3], [1.0], [1.0])
    with pytest.raises(ValueError, match="'n' must hold counts"):
        paired_change_summary([2.5], [0.1], [1.0])
    with pytest.raises(TypeError, match="'mean_d' must be numeric"):
        paired_change_summary([3], ["a"], [1.0])
    with pytest.raises(ValueError, match="'alternative'"):
        paired_change_summary([3], [0.1], [1.0], alternative="both")
