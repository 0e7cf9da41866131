"""The gate scenario's data through folge and through lavaan/semTools: the same p-values?

Writes ``--reps`` invariant data sets of ``folge simulate --scenario invariance-gate``
(:func:`folge.simulate.draw_gate_study`, seeds 0, 1, …) to ``--out`` with folge's
p-values of lavaan's metric step, its scalar step and the gate's scalar-vs-configural
test (``folge.csv``), then runs ``gate_vs_lavaan.R`` on them when ``Rscript`` is found:
lavaan's same three tests and Wu & Estabrook's (2016) steps, thresholds first and then
loadings (``semTools::measEq.syntax(ID.cat = "Wu.Estabrook.2016")``), into ``lavaan.csv``,
and prints both rejection rates at .05 on the data sets lavaan can fit (it refuses a
category nobody chose in some wave, which folge collapses).

Run from the repository root:
    nice python benchmarks/invariance/gate_vs_lavaan.py --n 100 --reps 40
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from folge.simulate import draw_gate_study
from folge.statistics import GATE_MODEL, ordinal_invariance

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="answers per wave")
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--truth", default="invariant")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/_data/gate_vs_lavaan"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    warnings.simplefilter("ignore", RuntimeWarning)
    for seed in range(args.reps):
        items, wave = draw_gate_study(np.random.default_rng(seed), args.n, args.truth)
        path = args.out / f"data_{seed:04d}.csv"
        items.assign(wave=wave).to_csv(path, index=False)
        res = ordinal_invariance(items, wave, max_freed=0).set_index("model")["p_diff"]
        rows.append({"file": path.name, "metric": res["metric"], "scalar": res["scalar"], "gate": res[GATE_MODEL]})
    folge = pd.DataFrame(rows)
    folge.to_csv(args.out / "folge.csv", index=False)
    print("folge  p < .05:", (folge[["metric", "scalar", "gate"]] < 0.05).mean().round(3).to_dict())
    if shutil.which("Rscript") is None:
        print("Rscript not found: lavaan not run")
        return
    subprocess.run(["Rscript", str(HERE / "gate_vs_lavaan.R"), str(args.out)], check=True)
    lavaan = pd.read_csv(args.out / "lavaan.csv").dropna()
    both = folge.merge(lavaan, on="file", suffixes=("", "_lavaan"))
    print(f"{len(both)} of {len(folge)} data sets without an empty category (lavaan refuses the others)")
    print("folge  p < .05 on them:", (both[["metric", "scalar", "gate"]] < 0.05).mean().round(3).to_dict())
    print("lavaan p < .05 on them:", (both.filter(like="_lavaan").join(both[["we_thresholds", "we_loadings"]])
                                      < 0.05).mean().round(3).to_dict())
    print("largest |p folge − p lavaan|:",
          {k: float((both[k] - both[f"{k}_lavaan"]).abs().max()) for k in ("metric", "scalar", "gate")})


if __name__ == "__main__":
    main()
