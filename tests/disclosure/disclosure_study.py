"""A small synthetic study for scripted attacks (hand-made counts, no real people).

Five regions, one of them (``a``) with 3 respondents; roles with cells of 1–2; two waves;
a panel. Every table is given as a :class:`~folge.disclosure.TableSpec` whose frame holds
the true counts, and :func:`naive` suppresses each table on its own the way the old
per-table rule did (primary cells, then the next-smallest part of the same total in the
same table), which is what the attacks break.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from folge.disclosure import CellModel, TableSpec, add_table, cell_key, with_margins

REGIONS = ("a", "b", "c", "d", "e")
MIN_N = 5

#: item n per region at wave w1: the national 92 = 3 + 23 + 19 + 23 + 24
ITEM_N = {"a": 3, "b": 23, "c": 19, "d": 23, "e": 24}
#: answers per value (1..5) of item q1 at w1
ITEM_VALUES = {"a": [0, 1, 2, 0, 0], "b": [2, 5, 8, 6, 2], "c": [1, 4, 7, 5, 2], "d": [3, 6, 6, 5, 3],
               "e": [2, 6, 9, 5, 2]}
#: respondents per construct, wave, region, role (x, y, z)
ROLES = {("w1", "a"): (2, 1, 0), ("w1", "b"): (20, 2, 1), ("w1", "c"): (12, 5, 4), ("w1", "d"): (15, 5, 6),
         ("w1", "e"): (14, 6, 5),
         ("w2", "a"): (1, 1, 1), ("w2", "b"): (14, 6, 5), ("w2", "c"): (11, 6, 5), ("w2", "d"): (13, 5, 5),
         ("w2", "e"): (12, 6, 6)}


def item_frame() -> pd.DataFrame:
    rows = [{"item": "q1", "wave": "w1", "region": r, "value": v + 1, "n": c}
            for r, counts in ITEM_VALUES.items() for v, c in enumerate(counts)]
    frame = with_margins(pd.DataFrame(rows), ["item", "wave", "region", "value"], {"region": "all", "value": "all"})
    frame["sensitive"] = frame["value"].astype(str) == "all"
    return frame


def construct_frame() -> pd.DataFrame:
    rows = [{"construct": "k", "wave": w, "region": r, "role": role, "n": n}
            for (w, r), counts in ROLES.items() for role, n in zip("xyz", counts)]
    return with_margins(pd.DataFrame(rows), ["construct", "wave", "region", "role"], {"region": "all", "role": "all"})


def specs() -> list[TableSpec]:
    """Every published table of the study."""
    items = item_frame()
    constructs = construct_frame()
    totals = constructs[constructs["role"] == "all"]
    criteria = totals[["construct", "wave", "region", "n"]]
    w1 = totals[totals["wave"] == "w1"].set_index("region")["n"]
    w2 = totals[totals["wave"] == "w2"].set_index("region")["n"]
    change = pd.DataFrame({"construct": "k", "region": w1.index, "from_wave": "w1", "to_wave": "w2",
                           "n_from": w1.to_numpy(), "n_to": w2.loc[w1.index].to_numpy()})
    responded = constructs[["wave", "region", "role", "n"]].copy()  # everyone who responded has a score
    retained = pd.DataFrame({"region": list(REGIONS), "n": [2, 15, 14, 16, 17]})
    retained = pd.concat([retained, pd.DataFrame({"region": ["all"], "n": [retained["n"].sum()]})])
    panel_from = responded[(responded["wave"] == "w1") & (responded["role"] == "all")][["region", "n"]]
    return [
        TableSpec("item_shares", items, dims=["item", "wave", "region", "value"],
                  margins={"region": "all", "value": "all"}, fixed={"kind": "answers"}, sensitive="sensitive",
                  blocks=("value",)),
        TableSpec("construct_means", constructs, dims=["construct", "wave", "region", "role"],
                  margins={"region": "all", "role": "all"}, fixed={"kind": "respondents"}, ties={"role": "region"}),
        TableSpec("criteria", criteria, dims=["construct", "wave", "region"], margins={"region": "all"},
                  fixed={"kind": "respondents", "role": "all"}),
        TableSpec("change n_from", change, dims=["construct", "from_wave", "region"], count="n_from",
                  rename={"from_wave": "wave"}, fixed={"kind": "respondents", "role": "all"}),
        TableSpec("change n_to", change, dims=["construct", "to_wave", "region"], count="n_to",
                  rename={"to_wave": "wave"}, fixed={"kind": "respondents", "role": "all"}),
        TableSpec("response_rates", responded, dims=["wave", "region", "role"], margins={"region": "all", "role": "all"},
                  fixed={"kind": "responded"}, ties={"role": "region"}),
        TableSpec("panel n_from", panel_from, dims=["region"], fixed={"kind": "responded", "wave": "w1", "role": "all"}),
        TableSpec("panel retained", retained, dims=["region"], margins={"region": "all"},
                  fixed={"kind": "retained", "from_wave": "w1", "to_wave": "w2"}),
    ]


def build() -> tuple[CellModel, dict[str, np.ndarray]]:
    """The study's cell model, and each table's cell positions per row."""
    model = CellModel()
    positions = {spec.name: add_table(model, spec) for spec in specs()}
    for region in (*REGIONS, "all"):
        model.add_leq(cell_key(kind="retained", from_wave="w1", to_wave="w2", region=region),
                      cell_key(kind="responded", wave="w1", role="all", region=region), label="panel: retained <= n_from")
    assert not model.check()
    return model, positions


def key(**dims) -> tuple:
    return cell_key(dims)


def naive(model: CellModel, hidden_per_table: dict[str, set]) -> dict:
    """The old outcome: primary cells hidden everywhere; any other cell hidden only where
    every table showing it hid it (each table chose its secondary cells on its own)."""
    out = {}
    values, sensitive = model.values(), model.sensitive()
    for pos, k in enumerate(model.keys):
        primary = sensitive[pos] and 0 < values[pos] < MIN_N
        if primary or all(k in hidden_per_table.get(t, set()) for t in model.tables(pos)):
            out[k] = "primary" if primary else "secondary"
    return out


def shown(model: CellModel, suppressed: dict, k) -> float | None:
    """What an outsider reads for a cell: its count, or None when hidden."""
    return None if k in suppressed else float(model.values()[model.index(k)])
