"""The cell model, the table builder, the audit's rules and its JSON, editions and errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from folge import FolgeError
from folge.disclosure import (
    CellModel,
    DisclosureError,
    Protection,
    TableSpec,
    add_table,
    audit,
    audit_tables,
    cell_key,
    complete_grid,
    protect_tables,
    published_cells,
    read_published,
    suppress,
    with_margins,
    write_published,
)


def _regions(counts: dict, total: int | None = None) -> CellModel:
    m = CellModel()
    m.add_cell(cell_key(region="all"), sum(counts.values()) if total is None else total, table="t")
    for r, v in counts.items():
        m.add_cell(cell_key(region=r), v, table="t")
    m.add_sum(cell_key(region="all"), [cell_key(region=r) for r in counts], label="t: total over region")
    return m


def test_one_key_one_cell_across_tables():
    m = CellModel()
    a = m.add_cell(cell_key(region="a", wave=1), 3, table="construct_means")
    b = m.add_cell(cell_key(wave="1", region="a"), 3.0, table="criteria")
    assert a == b and m.n_cells == 1 and m.tables(a) == ("construct_means", "criteria")
    with pytest.raises(ValueError, match="one count, one value"):
        m.add_cell(cell_key(region="a", wave=1), 4, table="change")


def test_relations_are_checked_against_the_counts():
    m = _regions({"a": 3, "b": 9}, total=13)
    assert m.check() and "t: total over region" in m.check()[0]
    with pytest.raises(ValueError, match="'sense'"):
        m.add_relation({0: 1.0}, "<")
    with pytest.raises(KeyError, match="no cell"):
        m.add_sum(cell_key(region="all"), [cell_key(region="zz")])


def test_zeros_published_make_a_hidden_cell_at_least_one():
    # 6 = a + b with both hidden: a in [1, 5] when zeros are shown (width 4), [0, 6] when not
    m = _regions({"a": 1, "b": 5})
    hidden = [cell_key(region="a"), cell_key(region="b")]
    shown_zeros = audit(m, Protection(min_n=5), suppressed=hidden, exact=True)
    assert not shown_zeros.passed and shown_zeros.smallest_interval == 4
    hidden_zeros = audit(m, Protection(min_n=5, zeros="suppress"), suppressed=hidden, exact=True)
    assert hidden_zeros.passed and hidden_zeros.smallest_interval == 6


def test_zero_counts_are_never_chosen_as_complements():
    m = _regions({"a": 2, "b": 0, "c": 0, "d": 30})
    chosen = suppress(m, 5).suppressed()
    assert cell_key(region="b") not in chosen and cell_key(region="c") not in chosen
    assert cell_key(region="d") in chosen


def test_a_table_that_cannot_be_protected_names_what_to_coarsen():
    m = CellModel()
    m.add_cell(cell_key(region="all"), 3, table="status", exempt=True)
    m.add_cell(cell_key(region="a"), 3, table="item_shares")
    m.add_sum(cell_key(region="all"), [cell_key(region="a")], label="item_shares: total over region")
    with pytest.raises(DisclosureError, match="item_shares") as caught:
        suppress(m, 5)
    assert isinstance(caught.value, FolgeError)
    assert caught.value.tables == ["item_shares"] and caught.value.cells == [{"region": "a"}]


def test_earlier_edition_counts_are_known_to_the_attacker():
    first = _regions({"a": 3, "b": 9, "c": 30})  # edition 1 hid a and b, showed c
    edition1 = published_cells(first, [cell_key(region="a"), cell_key(region="b")])
    second = _regions({"a": 3, "b": 9, "c": 30})  # edition 2 hides a and c
    hidden = [cell_key(region="a"), cell_key(region="c")]
    assert audit(second, 5, suppressed=hidden).passed
    attacked = audit(second, 5, suppressed=hidden, published=edition1)
    assert [b["cell"] for b in attacked.breaches] == [{"region": "a"}, {"region": "c"}]
    chosen = suppress(second, 5, published=edition1)
    assert chosen.audit.passed and audit(second, 5, suppressed=chosen.suppressed(), published=edition1).passed


def test_published_cells_round_trip(tmp_path):
    m = _regions({"a": 3, "b": 9})
    cells = published_cells(m, [cell_key(region="a")])
    path = write_published(cells, tmp_path / "published.json")
    assert read_published(path) == cells
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="published-cells"):
        read_published(tmp_path / "bad.json")


def test_audit_json_has_the_agreed_shape_and_no_hidden_values(tmp_path):
    m = _regions({"a": 3, "b": 9, "c": 30})
    result = audit(m, 5, suppressed=[cell_key(region="a")])
    data = json.loads(result.write_json(tmp_path / "disclosure-audit.json").read_text(encoding="utf-8"))
    assert {"cells", "suppressed", "attacked", "smallest_interval", "breaches", "seconds"} <= set(data)
    assert data["cells"] == 4 and data["suppressed"] == 1 and data["smallest_interval"] == 0
    assert data["breaches"][0]["cell"] == {"region": "a"} and "value" not in data["breaches"][0]


def test_markers_of_one_table_and_unknown_counts_as_an_outsider_sees_them():
    published = pd.DataFrame({"region": ["all", "a", "b", "c"], "n": [40, None, None, 20],
                              "suppressed": [False, True, True, False]})
    spec = TableSpec("t", published, dims=["region"], margins={"region": "all"}, suppressed="suppressed")
    result = audit_tables([spec], 5, exact=True)
    assert result.passed and result.attacked == 2 and result.smallest_interval == 18  # a in [1, 19]
    leaky = published.assign(n=[40, None, 17, 20], suppressed=[False, True, False, False])
    result = audit_tables([TableSpec("t", leaky, dims=["region"], margins={"region": "all"},
                                     suppressed="suppressed")], 5)
    assert result.breaches[0]["cell"] == {"region": "a"} and result.breaches[0]["low"] == 3


def test_protect_tables_flags_rows_and_blocks_an_items_values():
    finest = pd.DataFrame({"region": np.repeat(["a", "b", "c"], 3), "value": [1, 2, 3] * 3,
                           "n": [1, 1, 1, 4, 5, 6, 7, 2, 9]})
    frame = with_margins(finest, ["region", "value"], {"region": "all", "value": "all"})
    frame["sensitive"] = frame["value"].astype(str) == "all"
    spec = TableSpec("item_shares", frame, dims=["region", "value"], margins={"region": "all", "value": "all"},
                     sensitive="sensitive", blocks=("value",))
    (out,), result = protect_tables([spec], 5)
    assert result.audit.passed
    hidden_a = out[(out["region"] == "a")]
    assert hidden_a["suppressed"].all()  # n = 3 < 5, and its value rows go with it
    assert set(out.loc[out["suppressed"], "suppression"]) <= {"primary", "secondary"}


def test_role_breakdowns_inside_a_region_are_all_or_nothing():
    finest = pd.DataFrame({"region": ["a", "a", "a", "b", "b", "b"], "role": ["x", "y", "z"] * 2,
                           "n": [20, 2, 30, 12, 13, 14]})
    frame = with_margins(finest, ["region", "role"], {"region": "all", "role": "all"})
    spec = TableSpec("construct_means", frame, dims=["region", "role"], margins={"region": "all", "role": "all"},
                     ties={"role": "region"})
    (out,), result = protect_tables([spec], 5)
    inside_a = out[(out["region"] == "a") & (out["role"] != "all")]
    assert inside_a["suppressed"].all() and result.audit.passed
    national = out[(out["region"] == "all") & (out["role"] != "all")]
    assert not national["suppressed"].all()  # the national role breakdown is not tied


def test_complete_grid_adds_zero_rows_for_values_nobody_chose():
    frame = pd.DataFrame({"region": ["a", "a", "b"], "value": [1, 3, 2], "n": [2, 1, 5]})
    out = complete_grid(frame, within=["region"], domain={"value": [1, 2, 3]})
    assert len(out) == 6 and out.loc[(out["region"] == "a") & (out["value"] == 2), "n"].item() == 0


def test_table_spec_names_missing_columns_and_dims():
    frame = pd.DataFrame({"region": ["a"], "n": [3]})
    with pytest.raises(ValueError, match="lacks the column"):
        TableSpec("t", frame, dims=["region", "wave"])
    with pytest.raises(ValueError, match="must name dims"):
        TableSpec("t", frame, dims=["region"], margins={"role": "all"})
    with pytest.raises(TypeError, match="DataFrame"):
        TableSpec("t", [1, 2], dims=["region"])
    with pytest.raises(ValueError, match="min_n"):
        Protection(min_n=0)
    with pytest.raises(ValueError, match="zeros"):
        Protection(min_n=5, zeros="maybe")


def test_rows_without_a_count_carry_no_cell():
    frame = pd.DataFrame({"region": ["all", "a", "b"], "n": [10, np.nan, 10]})
    m = CellModel()
    positions = add_table(m, TableSpec("t", frame, dims=["region"]))
    assert positions.tolist() == [0, -1, 1] and "without a count" in m.notes[0]
    with pytest.raises(ValueError, match="no value"):
        m2 = CellModel()
        m2.add_cell(cell_key(region="a"), None, table="t")
        audit(m2, 5, suppressed=[])
