"""The driver of the WLSMV invariance steps, on a stand-in model whose fits are labels.

The stand-in's fit is ``(equal, partial)``; its row says in ``note`` which fit it is and
which fit it was tested against, and fails (``holds`` False) where the test says so.
The real models' rows are checked against lavaan in ``test_ordinal_invariance.py`` and
``test_longitudinal_invariance.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from folge.statistics._invariance_steps import (
    GATE_MODEL,
    PARTIAL_MODEL,
    StepModel,
    check_max_freed,
    invariance_rows,
    steps_frame,
    strongest_release,
)
from folge.statistics.wlsmv import INVARIANCE_STEPS, WLSMV_COLUMNS

HOLDS, NOTE = WLSMV_COLUMNS.index("holds"), WLSMV_COLUMNS.index("note")
SCALAR = dict(INVARIANCE_STEPS)["scalar"]
# score tests of the scalar model: b is the strongest, then a (a loading), c is weak
SCORES = pd.DataFrame({"parameter": ["thresholds", "loading", "thresholds"], "item": ["c", "a", "b"],
                       "x2": [3.0, 9.0, 30.0], "df": [6, 2, 6], "p": [0.8, 0.011, 0.00004]})


class StandIn:
    """A model that fails the gate until the items in ``needed`` are free; records calls."""

    def __init__(self, needed=("b",), scores=SCORES):
        self.needed, self.scores, self.excluded = set(needed), scores, []

    def fit(self, equal, partial=()):
        return (tuple(equal), tuple(partial))

    def row(self, name, fit, previous):
        equal, partial = fit
        freed = {item for _, item in partial}
        holds = pd.NA if previous is None else not (equal == SCALAR and not self.needed <= freed)
        return (name, 10, 2) + (np.nan,) * 11 + (holds, f"fit {fit} against {previous}")

    def next_release(self, fit, exclude):
        self.excluded.append(list(exclude))
        return strongest_release(self.scores, exclude)

    def empty_row(self, name, reason):
        return (name, 10, 2) + (np.nan,) * 11 + (pd.NA, reason)

    def model(self, across="groups"):
        return StepModel(self.fit, self.row, self.next_release, self.empty_row, across)


def _note(rows, name):
    return {row[0]: row[NOTE] for row in rows}[name]


def test_each_step_is_tested_against_the_previous_and_the_gate_against_configural():
    rows = invariance_rows(StandIn(needed=()).model(), max_freed=1)
    assert [row[0] for row in rows] == ["configural", "metric", "scalar", GATE_MODEL]
    configural, metric, scalar = (str(fit) for fit in [((), ()), (("loadings",), ()), (SCALAR, ())])
    assert _note(rows, "configural") == f"fit {configural} against None"
    assert _note(rows, "metric") == f"fit {metric} against {configural}"
    assert _note(rows, "scalar") == f"fit {scalar} against {metric}"
    assert _note(rows, GATE_MODEL) == f"fit {scalar} against {configural}"


def test_a_failed_gate_frees_the_strongest_item_and_tests_against_configural():
    stand_in = StandIn(needed=("b",))
    rows = invariance_rows(stand_in.model(), max_freed=3)
    assert [row[0] for row in rows][-2:] == [GATE_MODEL, PARTIAL_MODEL]
    partial = rows[-1]
    assert partial[HOLDS] is True and stand_in.excluded == [[]]
    freed, fitted = partial[NOTE].split("; ", 1)
    assert freed == "thresholds of b free across groups (score test X²(6) = 30.0, p < .001)"
    assert fitted == f"fit {(SCALAR, (('thresholds', 'b'),))} against {((), ())}"


def test_the_search_stops_at_max_freed_and_skips_items_already_freed():
    stand_in = StandIn(needed=("b", "a"))
    one = invariance_rows(stand_in.model(), max_freed=1)[-1]
    assert one[HOLDS] is False and one[NOTE].count("free across") == 1
    stand_in.excluded.clear()
    two = invariance_rows(stand_in.model(across="waves"), max_freed=2)[-1]
    assert two[HOLDS] is True and stand_in.excluded == [[], ["b"]]
    assert two[NOTE].startswith("thresholds of b free across waves (score test X²(6) = 30.0, p < .001); "
                                "loading of a free across waves (score test X²(2) = 9.0, p = 0.011); fit ")


def test_the_search_ends_when_no_candidate_is_left():
    stand_in = StandIn(needed=("b", "x"))
    row = invariance_rows(stand_in.model(), max_freed=5)[-1]
    assert row[HOLDS] is False and stand_in.excluded == [[], ["b"], ["b", "a"], ["b", "a", "c"]]
    assert row[NOTE].count("free across") == 3


def test_no_score_test_gives_a_row_without_a_fit():
    stand_in = StandIn(scores=SCORES.assign(x2=np.nan))
    row = invariance_rows(stand_in.model(), max_freed=1)[-1]
    assert row[0] == PARTIAL_MODEL and row[HOLDS] is pd.NA
    assert row[NOTE] == "partial invariance: no score test could be computed"


@pytest.mark.parametrize("needed, max_freed", [((), 1), (("b",), 0)])
def test_no_partial_row_when_the_gate_holds_or_max_freed_is_0(needed, max_freed):
    rows = invariance_rows(StandIn(needed=needed).model(), max_freed=max_freed)
    assert [row[0] for row in rows][-1] == GATE_MODEL


def test_strongest_release_compares_p_then_the_larger_x2():
    tied = pd.DataFrame({"parameter": ["loading", "thresholds", "thresholds"], "item": ["a", "b", "c"],
                         "x2": [50.0, 80.0, np.inf], "df": [2, 6, 6], "p": [0.0, 0.0, 0.0]})
    assert strongest_release(tied)["item"] == "b"
    assert strongest_release(tied, exclude=["b"]) == {"parameter": "loading", "item": "a", "x2": 50.0,
                                                      "df": 2, "p": 0.0}
    assert strongest_release(tied, exclude=["a", "b"]) is None


@pytest.mark.parametrize("bad", [-1, 1.5, True, "1", None])
def test_max_freed_must_be_a_whole_number(bad):
    with pytest.raises(ValueError, match="'max_freed' must be a whole number"):
        check_max_freed(bad)


def test_max_freed_accepts_numpy_integers_and_steps_frame_types_the_columns():
    check_max_freed(np.int64(2))
    check_max_freed(0)
    frame = steps_frame(invariance_rows(StandIn().model(), max_freed=1))
    assert list(frame.columns) == list(WLSMV_COLUMNS)
    assert str(frame["holds"].dtype) == "boolean" and str(frame["df"].dtype) == "Int64"
