"""The invariance gate: the scale's estimator decides, partial invariance lets change
through with a note, and a missing or NaN row never opens it."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from folge.criteria._gates import invariance_gate, invariance_partial_note

from .test_engine import HIGH, LOW, _run, _scores

CHANGE = """\
indicators:
  - {id: trust, construct: trust}
rules:
  - {kind: change, indicator: trust, from: first}
"""
FREED = "thresholds of tr2 free across groups (score test X²(4) = 30.1, p < .001)"


def _table(wlsmv: dict, ml: dict | None = None, note: str = "") -> pd.DataFrame:
    """An invariance table for ``trust``: model → holds per estimator."""
    rows = []
    for estimator, holds in (("WLSMV", wlsmv), ("ML", ml or {})):
        for model, value in holds.items():
            rows.append({"construct": "trust", "estimator": estimator, "model": model, "holds": value,
                         "note": note if model == "scalar-partial" else ""})
    frame = pd.DataFrame(rows)
    frame["holds"] = frame["holds"].astype("boolean")
    return frame


HOLDS = {"configural": pd.NA, "metric": True, "scalar": True, "scalar-vs-configural": True}
ML_HOLDS = {"configural": pd.NA, "metric": True, "scalar": True}


def test_open_when_the_gate_row_holds():
    assert invariance_gate(_table(HOLDS, ML_HOLDS), "trust", "Tillit") is None


def test_the_scale_estimator_decides():
    ml_broken = dict(ML_HOLDS, scalar=False)
    assert invariance_gate(_table(HOLDS, ml_broken), "trust", "Tillit", "WLSMV") is None
    closed = invariance_gate(_table(HOLDS, ml_broken), "trust", "Tillit", "ML")
    assert closed.code == "gate-invariance" and closed.fields["model"] == "scalar"


def test_wlsmv_decides_by_scalar_against_configural_not_the_metric_step():
    # lavaan's ordinal metric step can fail on a latent variance change alone
    table = _table(dict(HOLDS, metric=False))
    assert invariance_gate(table, "trust", "Tillit") is None
    closed = invariance_gate(_table(dict(HOLDS, **{"scalar-vs-configural": False})), "trust", "Tillit")
    assert closed.code == "gate-invariance" and closed.fields["model"] == "scalar"


@pytest.mark.parametrize("holds", [
    dict(HOLDS, **{"scalar-vs-configural": pd.NA}),   # no fit
    {"configural": pd.NA},                            # the row is missing
    {},                                               # no row for the construct at all
])
def test_missing_or_nan_invariance_never_opens_the_gate(holds):
    table = _table(holds, ML_HOLDS) if holds else _table({}, ML_HOLDS)
    closed = invariance_gate(table, "trust", "Tillit")
    assert closed is not None and closed.code == "gate-invariance-untested"
    empty = pd.DataFrame(columns=["construct", "estimator", "model", "holds"])
    assert invariance_gate(empty, "trust", "Tillit").code == "gate-invariance-untested"


def test_no_table_at_all_leaves_the_gate_out():
    assert invariance_gate(None, "trust", "Tillit") is None


def test_partial_model_opens_the_gate_with_a_note_naming_the_item():
    table = _table(dict(HOLDS, **{"scalar-vs-configural": False, "scalar-partial": True}), note=FREED)
    assert invariance_gate(table, "trust", "Tillit") is None
    note = invariance_partial_note(table, "trust", "Tillit")
    assert note.code == "note-invariance-partial" and note.fields["items"] == "tr2"
    failed = _table(dict(HOLDS, **{"scalar-vs-configural": False, "scalar-partial": False}), note=FREED)
    assert invariance_gate(failed, "trust", "Tillit").code == "gate-invariance"
    assert invariance_partial_note(failed, "trust", "Tillit") is None
    assert invariance_partial_note(_table(HOLDS), "trust", "Tillit") is None


def test_partial_note_of_the_longitudinal_model_names_the_item_too():
    freed = "thresholds of tr3 free across waves (score test X²(8) = 91.2, p < .001); longitudinal model, pairwise-present"
    table = _table(dict(HOLDS, **{"scalar-vs-configural": False, "scalar-partial": True}), note=freed)
    assert invariance_gate(table, "trust", "Tillit") is None
    assert invariance_partial_note(table, "trust", "Tillit").fields["items"] == "tr3"


def test_nan_invariance_closes_change_with_its_reason(tmp_path):
    scores = _scores({("r1", "w1"): LOW, ("r1", "w2"): HIGH})
    untested = _table(dict(HOLDS, **{"scalar-vs-configural": pd.NA}))
    out = _run(tmp_path, CHANGE, {"scores": scores, "invariance": untested})
    row = out.loc[("c1", "r1", "w2")]
    assert row["verdict"] == "insufficient-data" and row["gate"] == "invariance"
    assert "could not be tested" in row["reason_en"] and "kunne ikke testes" in row["reason"]


def test_partial_invariance_lets_change_through_with_the_note(tmp_path):
    scores = _scores({("r1", "w1"): LOW, ("r1", "w2"): HIGH})
    table = _table(dict(HOLDS, **{"scalar-vs-configural": False, "scalar-partial": True}), note=FREED)
    out = _run(tmp_path, CHANGE, {"scores": scores, "invariance": table})
    row = out.loc[("c1", "r1", "w2")]
    assert row["verdict"] != "insufficient-data"
    assert "partially invariant model: item tr2" in row["reason_en"]
    assert "note-invariance-partial" in json.loads(row["rules"])[0]["reasons"]
