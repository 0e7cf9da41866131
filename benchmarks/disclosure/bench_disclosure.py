"""Time the disclosure audit and the secondary suppression on a realistic study.

A synthetic study (seeded, no real people): 8 regions (one of 3 respondents), 4 roles,
4 waves, 60 five-point items in 12 constructs. Published: answers per item × value ×
region × role × wave with every margin, respondents per construct × region × role × wave,
responses per region × role × wave, and a panel (retained ≤ n_from, n_from = the
responses of the earlier wave). Prints cells, suppressed cells, time of the suppression
and of a full audit, as medians of ``--repeat`` runs.

    python benchmarks/disclosure/bench_disclosure.py --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from folge.disclosure import Protection, TableSpec, audit, protect_tables, with_margins

REGIONS = [f"r{i}" for i in range(8)]
SIZES = [3, 14, 22, 27, 31, 38, 44, 52]
ROLES = ["admin", "business", "politics", "research"]
WAVES = ["2015-1", "2015-2", "2016-1", "2016-2"]


def _respondents(rng, n_items: int) -> pd.DataFrame:
    rows = []
    for wave in WAVES:
        for region, size in zip(REGIONS, SIZES):
            n = max(1, size + int(rng.integers(-2, 3))) if size > 3 else 3
            roles = rng.choice(ROLES, size=n, p=[0.4, 0.3, 0.2, 0.1])
            answers = rng.integers(1, 6, size=(n, n_items)).astype(float)
            answers[rng.random((n, n_items)) < 0.07] = np.nan
            frame = pd.DataFrame(answers, columns=[f"i{j:02d}" for j in range(n_items)])
            frame.insert(0, "role", roles)
            frame.insert(0, "region", region)
            frame.insert(0, "wave", wave)
            rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def study_specs(n_items: int = 60, seed: int = 1, item_roles: bool = True) -> list[TableSpec]:
    """The published tables of the synthetic study, as :class:`TableSpec`."""
    rng = np.random.default_rng(seed)
    people = _respondents(rng, n_items)
    items = [c for c in people.columns if c.startswith("i")]
    long = people.melt(id_vars=["wave", "region", "role"], value_vars=items, var_name="item",
                       value_name="value").dropna()
    finest = long.groupby(["item", "wave", "region", "role", "value"]).size().rename("n").reset_index()
    grid = pd.MultiIndex.from_product([items, WAVES, REGIONS, ROLES, [1.0, 2.0, 3.0, 4.0, 5.0]],
                                      names=["item", "wave", "region", "role", "value"])
    finest = finest.set_index(["item", "wave", "region", "role", "value"]).reindex(grid, fill_value=0).reset_index()
    dims = ["item", "wave", "region", "role", "value"]
    if not item_roles:  # answers by region only, as the site publishes item shares today
        finest = finest.groupby(["item", "wave", "region", "value"], as_index=False)["n"].sum().assign(role="all")
    answers = with_margins(finest, dims, {"region": "all", "role": "all", "value": "all"} if item_roles
                           else {"region": "all", "value": "all"})
    answers["sensitive"] = answers["value"].astype(str) == "all"
    constructs = {f"c{k}": items[5 * k:5 * k + 5] for k in range(len(items) // 5)}
    scored = pd.concat([people[["wave", "region", "role"]].assign(construct=c, scored=people[cols].notna().any(axis=1))
                        for c, cols in constructs.items()])
    n_construct = scored[scored["scored"]].groupby(["construct", "wave", "region", "role"]).size().rename("n")
    n_construct = with_margins(n_construct.reset_index(), ["construct", "wave", "region", "role"],
                               {"region": "all", "role": "all"})
    responded = people.groupby(["wave", "region", "role"]).size().rename("n").reset_index()
    responded = with_margins(responded, ["wave", "region", "role"], {"region": "all", "role": "all"})
    change = _change(n_construct)
    return [
        TableSpec("item_shares", answers, dims=dims,
                  margins={"region": "all", "role": "all", "value": "all"} if item_roles else
                  {"region": "all", "value": "all"},
                  fixed={"kind": "answers"}, sensitive="sensitive", blocks=("value",), ties={"role": "region"}),
        TableSpec("construct_means", n_construct, dims=["construct", "wave", "region", "role"],
                  margins={"region": "all", "role": "all"}, fixed={"kind": "respondents"}, ties={"role": "region"}),
        TableSpec("change n_from", change, dims=["construct", "from_wave", "region"], count="n_from",
                  rename={"from_wave": "wave"}, fixed={"kind": "respondents", "role": "all"}),
        TableSpec("change n_to", change, dims=["construct", "to_wave", "region"], count="n_to",
                  rename={"to_wave": "wave"}, fixed={"kind": "respondents", "role": "all"}),
        TableSpec("response_rates", responded, dims=["wave", "region", "role"], margins={"region": "all", "role": "all"},
                  fixed={"kind": "responded"}, ties={"role": "region"}),
    ]


def _change(n_construct: pd.DataFrame) -> pd.DataFrame:
    totals = n_construct[n_construct["role"] == "all"]
    wide = totals.pivot_table(index=["construct", "region"], columns="wave", values="n").reset_index()
    rows = [wide[["construct", "region"]].assign(from_wave=a, to_wave=b, n_from=wide[a], n_to=wide[b])
            for a, b in zip(WAVES, WAVES[1:])]
    return pd.concat(rows, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--no-item-roles", action="store_true", help="answers per item by region only")
    args = parser.parse_args()
    specs = study_specs(args.items, item_roles=not args.no_item_roles)
    protection = Protection(min_n=5)
    times, audits, cpus = [], [], []
    for _ in range(args.repeat):
        start, cpu = time.perf_counter(), time.process_time()
        frames, result = protect_tables(specs, protection)
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        start = time.perf_counter()
        final = audit(result.model, protection, suppressed=result.suppressed())
        audits.append(time.perf_counter() - start)
    loss = result.loss()
    print(f"cells {final.cells}, suppressed {final.suppressed} (primary {loss['primary']}, "
          f"secondary {loss['secondary']}; share hidden {loss['share_primary']:.1%} -> {loss['share_hidden']:.1%}, "
          f"of respondent counts {loss['sensitive_share_primary']:.1%} -> {loss['sensitive_share_hidden']:.1%}), "
          f"attacked {final.attacked}, smallest interval {final.smallest_interval:g}, breaches {len(final.breaches)}")
    print(f"suppression (model + greedy + prune + final audit): median {statistics.median(times):.2f} s wall, "
          f"{statistics.median(cpus):.2f} s CPU "
          f"({result.rounds} rounds); audit alone: median {statistics.median(audits):.2f} s, {final.lps} LPs")


if __name__ == "__main__":
    main()
