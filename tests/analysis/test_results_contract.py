"""The typed results contract: declared dtypes on read, byte-identical files on write."""

import numpy as np
import pandas as pd

from folge.analysis import Results, column_kind, write_results


def _folder(tmp_path):
    invariance = pd.DataFrame({"construct": ["c", "c", "c"], "model": ["configural", "metric", "scalar"],
                               "chi2": [1.5, 2.25, np.nan], "holds": [np.nan, True, False], "n": [10, 10, 10]})
    change = pd.DataFrame({"construct": ["c"], "region": ["0301"], "from_wave": ["2015-2"], "to_wave": ["2016-1"],
                           "diff": [0.5]})
    write_results({"invariance": invariance, "change": change},
                  {"waves": ["2015-2", "2016-1"]}, tmp_path)
    return tmp_path


def test_read_declares_every_dtype(tmp_path):
    results = Results.read(_folder(tmp_path), waves=["2015-1", "2015-2", "2016-1"])
    change = results.table("change")
    assert isinstance(change["to_wave"].dtype, pd.CategoricalDtype)
    assert change["to_wave"].dtype.ordered
    assert list(change["to_wave"].cat.categories) == ["2015-1", "2015-2", "2016-1"]
    assert change["region"].iloc[0] == "0301"  # a numeric-looking id keeps its form
    inv = results.table("invariance")
    assert str(inv["holds"].dtype) == "boolean"
    assert inv["holds"].isna().tolist() == [True, False, False]
    assert inv["holds"].iloc[1] is np.True_ or inv["holds"].iloc[1] == True  # noqa: E712
    assert inv["holds"].iloc[2] == False  # noqa: E712
    assert inv["n"].dtype == np.float64 and np.isnan(inv["chi2"].iloc[2])
    assert results.table("trend").empty


def test_waves_default_to_the_manifest_and_unknown_ids_are_kept(tmp_path):
    results = Results.read(_folder(tmp_path), waves=["2016-1"])
    assert list(results.table("change")["from_wave"].cat.categories) == ["2016-1", "2015-2"]
    assert list(Results.read(tmp_path).waves) == ["2015-2", "2016-1"]


def test_write_then_read_keeps_every_value_and_dtype(tmp_path):
    first = Results.read(_folder(tmp_path / "a"))
    first.write(tmp_path / "b")
    second = Results.read(tmp_path / "b")
    for name in ("invariance", "change"):
        pd.testing.assert_frame_equal(first.table(name), second.table(name))


def test_column_kinds():
    assert [column_kind(c) for c in ("wave", "holds", "region", "alpha")] == ["wave", "bool", "text", "number"]
    assert [column_kind(c) for c in ("estimator", "model", "p_diff", "df_diff")] == ["text", "text", "number", "number"]
