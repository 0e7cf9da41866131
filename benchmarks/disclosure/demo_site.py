"""The disclosure engine on the demo study: the old site attacked, then protected.

Reads a demo study folder (``folge demo`` output with ``results/`` and a built
``reports/_site/data/``) and registers the counts the site publishes as cells:

- ``item_shares``: answers per item × value × region × wave, the item's ``n`` (value
  "all") sensitive, the per-value counts not (shown at any size when ``n`` is), blocks;
- ``construct_means``: respondents with a score per construct × region × role × wave;
- ``change``: ``n_from`` / ``n_to`` of the Welch rows are those same cells; paired rows
  have their own cells;
- ``response_rates``, ``panel`` (retained ≤ n_from), ``trust_matrix`` (from_sector is a
  role: tied inside a region), ``learning_chain``, ``agreement``.

Part 1 audits the published open data as an outsider would (shown counts, suppressed
rows blank, the per-table suppression of today). Part 2 protects the true counts with
:func:`folge.disclosure.suppress` and reports loss and time. This is a measurement, not the
wiring: the report builder will build the same specs from its own frames.

    python benchmarks/disclosure/demo_site.py /tmp/demo-base
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from folge.disclosure import CellModel, Protection, TableSpec, add_table, audit, suppress, with_margins

STR = {c: str for c in ("wave", "from_wave", "to_wave", "region", "role", "value")}


def _read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=STR)


def _item_counts(dist: pd.DataFrame) -> pd.DataFrame:
    dist = dist.copy()
    dist["n"] = pd.to_numeric(dist["n"])
    keys = ["instrument", "construct", "item", "region", "wave"]
    total = dist.groupby(keys, as_index=False)["n"].sum().assign(value="all")
    out = pd.concat([dist, total], ignore_index=True)
    out["sensitive"] = out["value"] == "all"
    return out


def true_specs(results: Path) -> list[TableSpec]:
    """The site's counts from the analysis results (true values of every cell)."""
    scores = _read(results, "scores")
    scores = scores[pd.to_numeric(scores["score"], errors="coerce").notna()]
    finest = scores.groupby(["construct", "wave", "region", "role"]).size().rename("n").reset_index()
    means = with_margins(finest, ["construct", "wave", "region", "role"], {"region": "all", "role": "all"})
    return _specs(items=_item_counts(_read(results, "item_distribution")), means=means,
                  change=_read(results, "change"), rates=_read(results, "response_rates"),
                  panel=_read(results, "panel"), trust=_read(results, "trust_matrix"),
                  chain=_read(results, "learning_chain"), agreement=_read(results, "agreement"))


def site_specs(data: Path) -> list[TableSpec]:
    """The counts an outsider reads in the published open data (suppressed rows blank)."""
    items = _read(data, "item_shares")
    items["count"] = (pd.to_numeric(items["share"]) * pd.to_numeric(items["n"])).round()
    keys = ["instrument", "construct", "item", "region", "wave"]
    # the item's n is printed on every shown value row: it is hidden only when all its rows are
    items["hidden"] = items["suppressed"].astype(str).str.lower() == "true"
    totals = items.groupby(keys, as_index=False).agg(n=("n", "max"), hidden=("hidden", "all"),
                                                     suppression=("suppression", "first"))
    totals["suppression"] = totals["suppression"].where(totals["hidden"], "")
    items = pd.concat([items.drop(columns=["n"]).rename(columns={"count": "n"}), totals.assign(value="all")],
                      ignore_index=True)
    items["sensitive"] = items["value"] == "all"
    rates = _read(data, "response_rates")
    return _specs(items=items, means=_read(data, "construct_means"), change=_read(data, "change"), rates=rates,
                  panel=_read(data, "panel"), trust=_read(data, "trust_matrix"), chain=_read(data, "learning_chain"),
                  agreement=_read(data, "agreement"), suppressed="suppression")


def _specs(*, items, means, change, rates, panel, trust, chain, agreement, suppressed=None) -> list[TableSpec]:
    s = dict(suppressed=suppressed)
    welch = change[change["method"] == "welch"]
    paired = change[change["method"] != "welch"]
    respondents = {"kind": "respondents"}
    return [
        TableSpec("item_shares", items, dims=["construct", "item", "region", "wave", "value"],
                  margins={"region": "all", "value": "all"}, fixed={"kind": "answers"}, sensitive="sensitive",
                  blocks=("value",), **s),
        TableSpec("construct_means", means, dims=["construct", "wave", "region", "role"],
                  margins={"region": "all", "role": "all"}, partial=("role",), fixed=respondents,
                  ties={"role": "region"}, **s),
        TableSpec("change n_from", welch, dims=["construct", "region", "from_wave"], count="n_from",
                  rename={"from_wave": "wave"}, fixed={**respondents, "role": "all"}, **s),
        TableSpec("change n_to", welch, dims=["construct", "region", "to_wave"], count="n_to",
                  rename={"to_wave": "wave"}, fixed={**respondents, "role": "all"}, **s),
        TableSpec("change paired", paired, dims=["construct", "region", "from_wave", "to_wave"], count="n_from",
                  fixed={"kind": "paired"}, margins={"region": "all"}, partial=("region",), **s),
        TableSpec("response_rates", rates, dims=["wave", "region", "role"], count="responded",
                  margins={"region": "all", "role": "all"}, fixed={"kind": "responded"}, ties={"role": "region"}, **s),
        TableSpec("panel", panel, dims=["region", "from_wave", "to_wave"], count="n_from",
                  margins={"region": "all"}, fixed={"kind": "panel"}, **s),
        TableSpec("trust_matrix", trust, dims=["construct", "wave", "from_sector", "to_sector", "region"],
                  margins={"region": "all"}, fixed={"kind": "trust"}, ties={"from_sector": "region"}, **s),
        TableSpec("learning_chain", chain, dims=["construct", "wave", "stage", "region"], margins={"region": "all"},
                  fixed={"kind": "chain"}, **s),
        TableSpec("agreement", agreement, dims=["construct", "wave", "region"], fixed={"kind": "agreement"}, **s),
    ]


def build(specs: list[TableSpec]) -> CellModel:
    model = CellModel()
    for spec in specs:
        add_table(model, spec)
    return model


def _loose(model: CellModel) -> None:
    """Say which relations the counts break (there should be none)."""
    bad = model.check()
    if bad:
        print(f"  {len(bad)} relations do not hold exactly on the counts, e.g. {bad[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("study", type=Path)
    parser.add_argument("--min-n", type=int, default=5)
    args = parser.parse_args()
    protection = Protection(min_n=args.min_n)

    start = time.perf_counter()
    outsider = build(site_specs(args.study / "reports" / "_site" / "data"))
    built = time.perf_counter() - start
    # today's rule also hid zero counts, so a hidden cell may be 0
    old = audit(outsider, Protection(min_n=args.min_n, zeros="suppress"))
    told = audit(outsider, Protection(min_n=args.min_n, zeros="suppress", marker="primary"))
    print(f"today's site, as an outsider: {old.cells} cells, {old.suppressed} suppressed, {old.attacked} attacked, "
          f"{len(old.breaches)} breaches (narrower than {protection.protection:g}), "
          f"{sum(b['width'] == 0 for b in old.breaches)} pinned exactly; model {built:.1f} s, audit {old.seconds:.1f} s "
          f"({old.lps} LPs)")
    print(f"  and reading the primary/secondary marker too: {len(told.breaches)} breaches, "
          f"{sum(b['width'] == 0 for b in told.breaches)} pinned exactly")

    start = time.perf_counter()
    model = build(true_specs(args.study / "results"))
    built = time.perf_counter() - start
    _loose(model)
    cpu = time.process_time()
    result = suppress(model, protection)
    cpu = time.process_time() - cpu
    loss = result.loss()
    final = audit(model, protection, suppressed=result.suppressed())
    print(f"protected: {final.cells} cells; hidden {loss['share_primary']:.2%} by the threshold alone "
          f"({loss['primary']}), {loss['share_hidden']:.2%} after secondary suppression "
          f"(+{loss['secondary']} cells; of the {loss['sensitive_cells']} respondent counts "
          f"{loss['sensitive_share_primary']:.2%} -> {loss['sensitive_share_hidden']:.2%}); model {built:.1f} s, suppression {result.seconds:.1f} s wall, {cpu:.1f} s CPU "
          f"({result.rounds} rounds); full audit {final.seconds:.1f} s ({final.lps} LPs), "
          f"breaches {len(final.breaches)}, smallest interval {final.smallest_interval:g}")


if __name__ == "__main__":
    main()
