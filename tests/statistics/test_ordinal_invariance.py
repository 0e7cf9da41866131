"""The ordinal invariance rows the gate reads, and partial invariance, against lavaan 0.6-14.

Fixture: ``tests/reference/data/wlsmv_synthetic.csv`` (construct A: a1-a5, invariant;
construct B: b1-b4 with b2's thresholds shifted up by 0.6 in w4), written by
``tests/reference/wlsmv_fixtures.R``. The numbers were printed by
``tests/reference/wlsmv_gate.R``: ``lavTestLRT(configural, model)[2, c("Chisq diff",
"Df diff", "Pr(>Chisq)")]`` and the differences of ``fitMeasures(…, c("cfi.scaled",
"rmsea.scaled"))`` (model − configural).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from folge.statistics import GATE_MODEL, PARTIAL_MODEL, WLSMV_COLUMNS, gate_estimator, ordinal_invariance

DATA = Path(__file__).resolve().parents[1] / "reference" / "data"
ITEMS = {"A": ["a1", "a2", "a3", "a4", "a5"], "B": ["b1", "b2", "b3", "b4"]}

# R: tests/reference/wlsmv_gate.R, gate_block(); columns chi2_diff, df_diff, p_diff,
# delta_cfi, delta_rmsea
A_SCALAR_VS_CONFIGURAL = [59.4693608284, 54, 0.28325955786, -0.000531650588213, -0.0269629878637]
B_SCALAR_VS_CONFIGURAL = [162.355370071, 54, 8.88941241416e-13, -0.059489889615, 0.0419078347508]
# R: cfa(..., group.equal = c("loadings", "thresholds"), group.partial = paste0("b2|t", 1:5))
B_PARTIAL_VS_CONFIGURAL = [45.8750967682, 39, 0.208558636215, -0.00292696757358, -0.0199236966225]
# R: fitMeasures(partial, c("chisq", "df", "chisq.scaled", "cfi.scaled", "rmsea.scaled", "srmr"))
# (tests/reference/wlsmv.R, partial_block(), B_PARTIAL_B2)
B_PARTIAL_FIT = [40.9409899855, 47, 56.9882493213, 0.994646351234, 0.0315313595322, 0.0272198818892]


def _data(name, file="wlsmv_synthetic.csv"):
    d = pd.read_csv(DATA / file)
    return d[ITEMS[name]], d["wave"]


@pytest.fixture(scope="module")
def construct_a():
    return ordinal_invariance(*_data("A"))


@pytest.fixture(scope="module")
def construct_b():
    return ordinal_invariance(*_data("B"))


def _check_comparison(row, ref):
    assert row["chi2_diff"] == pytest.approx(ref[0], rel=1e-4)
    assert row["df_diff"] == int(ref[1])
    assert row["p_diff"] == pytest.approx(ref[2], abs=1e-4, rel=1e-3)
    assert (row["delta_cfi"], row["delta_rmsea"]) == pytest.approx(ref[3:5], abs=1e-5)


def test_invariant_construct_holds_against_configural(construct_a):
    assert list(construct_a.columns) == list(WLSMV_COLUMNS)
    assert construct_a["model"].tolist() == ["configural", "metric", "scalar", GATE_MODEL]
    gate = construct_a.set_index("model").loc[GATE_MODEL]
    _check_comparison(gate, A_SCALAR_VS_CONFIGURAL)
    assert gate["holds"] is True or bool(gate["holds"])
    assert construct_a["holds"].dtype == "boolean"
    # the gate row is the scalar fit, compared with the configural one
    scalar = construct_a.set_index("model").loc["scalar"]
    assert (gate["chi2"], gate["df"], gate["cfi"]) == (scalar["chi2"], scalar["df"], scalar["cfi"])


def test_partial_invariance_frees_the_planted_item(construct_b):
    rows = construct_b.set_index("model")
    assert list(rows.index) == ["configural", "metric", "scalar", GATE_MODEL, PARTIAL_MODEL]
    _check_comparison(rows.loc[GATE_MODEL], B_SCALAR_VS_CONFIGURAL)
    assert not rows.loc[GATE_MODEL, "holds"]
    partial = rows.loc[PARTIAL_MODEL]
    # b2's thresholds were shifted in w4: the score test frees them first
    assert partial["note"].startswith("thresholds of b2 free across groups (score test X²(15) = 97.2")
    assert partial["df"] == B_PARTIAL_FIT[1]
    assert partial["chi2"] == pytest.approx(B_PARTIAL_FIT[0], rel=1e-5)
    assert partial["chi2_scaled"] == pytest.approx(B_PARTIAL_FIT[2], rel=1e-5)
    assert (partial["cfi"], partial["rmsea"], partial["srmr"]) == pytest.approx(B_PARTIAL_FIT[3:6], abs=1e-5)
    _check_comparison(partial, B_PARTIAL_VS_CONFIGURAL)
    assert partial["holds"]


def test_max_freed_zero_turns_partial_invariance_off():
    res = ordinal_invariance(*_data("B"), max_freed=0)
    assert PARTIAL_MODEL not in set(res["model"])
    assert not res.set_index("model").loc[GATE_MODEL, "holds"]


def test_max_freed_stops_once_the_model_holds():
    res = ordinal_invariance(*_data("B"), max_freed=3)
    partial = res.set_index("model").loc[PARTIAL_MODEL]
    assert partial["holds"] and partial["note"].count("free across groups") == 1


@pytest.mark.parametrize("bad", [-1, 1.5, True, "1"])
def test_max_freed_must_be_a_whole_number(bad):
    with pytest.raises(ValueError, match="'max_freed' must be a whole number"):
        ordinal_invariance(*_data("A"), max_freed=bad)


def test_empty_category_note_reaches_every_row():
    res = ordinal_invariance(*_data("B", "wlsmv_empty_category.csv"))
    assert res["note"].str.contains("b3: 1 into 2 (empty in w3)", regex=False).all()
    assert res["chi2"].notna().all()


def test_degenerate_data_give_nan_rows_never_an_exception():
    one_wave = pd.DataFrame({"x": [1, 2, 3, 1], "y": [2, 3, 1, 1], "z": [3, 3, 1, 2]})
    res = ordinal_invariance(one_wave, pd.Series(["w1"] * 4))
    assert res["chi2"].isna().all() and res["holds"].isna().all()
    assert (res["note"] != "").all()
    rng = np.random.default_rng(8)
    tiny = pd.DataFrame(rng.integers(1, 6, size=(24, 4)), columns=list("abcd"))
    res = ordinal_invariance(tiny, pd.Series(np.repeat(["w1", "w2", "w3"], 8)))
    assert set(res["model"]) >= {"configural", "metric", "scalar"}
    assert ((res["chi2"].notna()) | (res["note"] != "")).all()


def test_gate_estimator_by_scale_length():
    assert [gate_estimator(k) for k in (2, 5, 6, 7, 8, 11)] == ["WLSMV"] * 4 + ["ML"] * 2
