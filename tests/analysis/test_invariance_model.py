"""``settings.invariance_model`` on the demo study: the WLSMV rows of invariance.csv from the
multi-group or the longitudinal model, the ML rows and the gate's logic the same."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from folge.analysis import build_input
from folge.analysis._psychometrics import invariance_table
from folge.criteria._gates import invariance_gate
from folge.definitions import load_study
from folge.statistics import GATE_MODEL, LONGITUDINAL_NOTE
from folge.store import Store

REPEATED = "answered in more than one wave; the multi-group model treats the waves as independent groups"


@pytest.fixture(scope="module")
def tables(demo_study):
    study = load_study(demo_study)
    with Store.open(study.root) as store:
        responses = {inst_id: store.responses(inst_id) for inst_id in study.instruments}
    out = {}
    for model in ("multi-group", "longitudinal"):
        settings = dataclasses.replace(study.settings, invariance_model=model)
        data = build_input(dataclasses.replace(study, settings=settings), responses)
        out[model] = (data, invariance_table(data))
    return out


def test_multi_group_rows_say_that_respondents_repeat(tables):
    _, table = tables["multi-group"]
    wlsmv = table[table["estimator"] == "WLSMV"]
    assert len(wlsmv) > 0
    # the demo's panel: many answer again, and every multi-group row says so
    assert table["note"].str.contains(REPEATED).all()
    assert not table["note"].str.contains(LONGITUDINAL_NOTE).any()


def test_longitudinal_rows_count_respondents_and_say_which_model(tables):
    data, table = tables["longitudinal"]
    wlsmv = table[table["estimator"] == "WLSMV"]
    assert len(wlsmv) > 0
    # a scalar-partial row's note names the item freed first
    assert wlsmv["note"].str.contains(LONGITUDINAL_NOTE).all()
    assert wlsmv.loc[wlsmv["model"] != "scalar-partial", "note"].str.startswith(LONGITUDINAL_NOTE).all()
    assert not wlsmv["note"].str.contains(REPEATED).any()
    for construct_id, rows in wlsmv.groupby("construct"):
        construct = next(c for c in data.scored_constructs(("scale",)) if c.id == construct_id)
        keyed = data.keyed(construct)
        answered = keyed[list(construct.item_ids)].notna().any(axis=1)
        people = keyed.loc[answered, "respondent"].nunique()
        assert (rows["n"] == people).all(), construct_id
        assert (rows["n_groups"] == keyed.loc[answered, "wave"].nunique()).all()  # waves it was asked in
        assert {"configural", "metric", "scalar", GATE_MODEL} <= set(rows["model"])
    fitted = wlsmv[wlsmv["model"] == "configural"]
    assert fitted["chi2"].notna().all() and (fitted["df"] > 0).all()


def test_ml_rows_do_not_depend_on_the_setting(tables):
    ml = {model: t[t["estimator"] == "ML"].reset_index(drop=True) for model, (_, t) in tables.items()}
    pd.testing.assert_frame_equal(ml["multi-group"], ml["longitudinal"])


def test_the_gate_reads_the_longitudinal_rows_as_it_reads_the_multi_group_ones(tables):
    _, table = tables["longitudinal"]
    wlsmv = table[table["estimator"] == "WLSMV"]
    for construct_id, rows in wlsmv.groupby("construct"):
        holds = rows.set_index("model").loc[GATE_MODEL, "holds"]
        partial = rows.set_index("model")["holds"].get("scalar-partial", pd.NA)
        reason = invariance_gate(table, construct_id, construct_id, "WLSMV")
        opens = (holds is True or bool(holds)) if not pd.isna(holds) else False
        opens = opens or (not pd.isna(partial) and bool(partial))
        assert (reason is None) == opens, construct_id
