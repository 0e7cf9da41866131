"""Property-based: malformed cells and files never give a traceback, only a clear error
(:class:`folge.InputError`) or quarantine reasons from the catalogue, and the counts add up."""

from __future__ import annotations

import hashlib
import itertools
import json
import re

import pandas as pd
import pytest
from folge import InputError
from folge.ingest import CODES, ingest_file, ingest_frame
from folge.store import Store
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

COLUMNS = ["respondent", "region", "wave", "role", "t1", "t2", "t3", "y1", "y2", "y3", "comment"]
NASTY = ["", " ", "9", "4.0", "4,0", " 3 ", "nan", "NaN", "-1", "1e3", "1e999", "0x10", "½", "٣", "1_0",
         "9" * 40, "\x00", "\ufeff1", "kongsberg", "Grenland", "politician", "2015-1", "æøå", "NULL", "None"]
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
counter = itertools.count()

cells = st.one_of(st.sampled_from(NASTY), st.text(max_size=12), st.integers(-20, 20).map(str))


@st.composite
def frames(draw):
    n = draw(st.integers(0, 8))
    rows = [[draw(cells) for _ in COLUMNS] for _ in range(n)]
    frame = pd.DataFrame(rows, columns=COLUMNS, dtype=object)
    # sometimes draw plausible respondents and regions so that some rows get stored
    if n and draw(st.booleans()):
        frame["respondent"] = [f"R{draw(st.integers(0, 5))}" for _ in range(n)]
        frame["region"] = draw(st.sampled_from(["kongsberg", "rana"]))
        frame["role"] = "business"
        frame["wave"] = ""
    return frame


@pytest.fixture(scope="module")
def shared(tmp_path_factory, tiny):
    from folge.definitions import load_study

    mp = pytest.MonkeyPatch()
    mp.setenv("FOLGE_KEY", "test-key-not-secret")
    root = tiny.make_study(tmp_path_factory.mktemp("prop") / "study")
    study = load_study(root)
    store = Store.open(root, create=True)
    yield study, store
    store.close()
    mp.undo()


@SETTINGS
@given(frame=frames())
def test_malformed_cells_are_quarantined_with_reasons(shared, frame):
    study, store = shared
    sha = hashlib.sha256(f"cells-{next(counter)}".encode()).hexdigest()
    result = ingest_frame(store, study, study.instruments["survey"], frame, "2015-1", "prop.csv", sha)
    assert result.read == len(frame) == result.stored + result.skipped + result.quarantined
    q = store.quarantine()
    mine = q[q["import_id"] == result.import_id]
    assert len(mine) == result.quarantined
    for codes in mine["codes"]:
        assert codes and set(codes.split()) <= set(CODES)
    for values in mine["values"]:
        respondent = json.loads(values)["respondent"]
        assert respondent == "" or re.fullmatch(r"[0-9a-f]{64}", respondent)


@SETTINGS
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".txt", ".tsv", ".xlsx", ".sav", ".dta", ""]))
def test_random_bytes_never_give_a_traceback(shared, tmp_path, data, suffix):
    study, store = shared
    path = tmp_path / f"file{next(counter)}{suffix}"
    path.write_bytes(data)
    try:
        result = ingest_file(study, path, "2015-1", store=store)
    except InputError as exc:
        assert str(exc)
    else:
        assert result.read == result.stored + result.skipped + result.quarantined


@SETTINGS
@given(
    header=st.lists(st.sampled_from(COLUMNS + ["x", "", "T1", "Respondent"]), min_size=1, max_size=12),
    rows=st.lists(st.lists(cells, max_size=14), max_size=8),
    sep=st.sampled_from([",", ";", "\t"]),
    quote=st.booleans(),
)
def test_ragged_text_files_never_give_a_traceback(shared, tmp_path, header, rows, sep, quote):
    study, store = shared

    def line(values):
        values = [v.replace("\n", " ").replace("\r", " ") for v in values]
        if quote:
            values = ['"' + v.replace('"', '""') + '"' for v in values]
        return sep.join(values)

    path = tmp_path / f"ragged{next(counter)}.csv"
    path.write_text("\n".join([line(header), *(line(r) for r in rows)]) + "\n", encoding="utf-8")
    try:
        result = ingest_file(study, path, "2015-1", store=store)
    except InputError as exc:
        assert str(exc)
    else:
        assert result.read == result.stored + result.skipped + result.quarantined
