"""Time the ordinal (WLSMV) invariance step: 15 constructs x 7 waves x ~300 answers a wave.

Writes the generated answers to benchmarks/_data/wlsmv_bench.csv (seeded) so that
bench_wlsmv.R can time lavaan on exactly the same data, and prints the median wall time
of ``--repeat`` runs of configural + metric + scalar for every construct.

Run from the repository root:
    python benchmarks/invariance/bench_wlsmv.py --repeat 3
    Rscript benchmarks/invariance/bench_wlsmv.R
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from folge.statistics import wlsmv_invariance

OUT = Path(__file__).resolve().parents[1] / "_data" / "wlsmv_bench.csv"
N_CONSTRUCTS, N_WAVES, N_PER_WAVE = 15, 7, 300


def make_data(seed: int = 17) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Ordinal answers from a one-factor model: odd constructs 5-point with 5 items,
    even constructs 6-point with 4 items; latent means drift over the waves."""
    rng = np.random.default_rng(seed)
    wave = np.repeat([f"w{w + 1}" for w in range(N_WAVES)], N_PER_WAVE)
    frame = {"wave": wave}
    constructs = {}
    for c in range(N_CONSTRUCTS):
        n_items, n_cat = (5, 5) if c % 2 == 0 else (4, 6)
        cuts = np.linspace(-1.6, 1.6, n_cat - 1)
        eta = rng.normal(np.repeat(np.linspace(0, 0.4, N_WAVES), N_PER_WAVE), 1.0)
        names = [f"c{c + 1:02d}_{j + 1}" for j in range(n_items)]
        for name in names:
            lam = rng.uniform(0.55, 0.8)
            ystar = lam * eta + rng.normal(scale=np.sqrt(1 - lam**2), size=eta.size)
            frame[name] = np.digitize(ystar, cuts + rng.normal(scale=0.1, size=cuts.size)) + 1
        constructs[f"c{c + 1:02d}"] = names
    return pd.DataFrame(frame), constructs


def run(data: pd.DataFrame, constructs: dict[str, list[str]]) -> pd.DataFrame:
    rows = [wlsmv_invariance(data[items], data["wave"]).assign(construct=name)
            for name, items in constructs.items()]
    return pd.concat(rows, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data, constructs = make_data()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    data.to_csv(OUT, index=False)
    wall, cpu = [], []
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run(data, constructs)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    # CPU time beside wall time: the benchmark machine is shared, so wall time is noisy
    print(f"folge WLSMV invariance, {N_CONSTRUCTS} constructs x {N_WAVES} waves x "
          f"{N_PER_WAVE}: median wall {statistics.median(wall):.2f} s, CPU "
          f"{statistics.median(cpu):.2f} s over {args.repeat} runs")
    print(result.groupby("model")[["chi2_scaled", "cfi", "rmsea"]].median().round(3))


if __name__ == "__main__":
    main()
