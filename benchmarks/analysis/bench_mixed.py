"""Time the nested REML engine (folge.statistics.mixed) on a synthetic panel.

Usage: python benchmarks/analysis/bench_mixed.py [--rows 100000] [--regions 400] [--repeat 3]

The panel: ``regions`` regions, 10 unequally spaced waves, the same number of answers
per region and wave, 70 % of a wave's respondents answering again, three roles, a random
intercept and slope per region. Prints the median wall time of ``trend_mixed`` (national,
random slope), ``change_mixed`` (national, first to last wave) and, separately, of the
one pass that builds the sums, the REML optimisation and the Satterthwaite df.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from folge.statistics import change_mixed, fit_nested_lmm, satterthwaite_df, trend_mixed

YEARS = np.array([0.0, 0.6, 1.1, 2.0, 2.4, 3.1, 4.0, 4.3, 5.2, 6.0])


def make_panel(rows: int, regions: int, seed: int = 1) -> pd.DataFrame:
    """A panel of about ``rows`` answers (see the module docstring)."""
    rng = np.random.default_rng(seed)
    per_wave = max(2, rows // (regions * YEARS.size))
    ids = np.arange(regions * per_wave).reshape(regions, per_wave)
    next_id = ids.size
    frames = []
    b0, b1 = rng.normal(0, 0.3, regions), rng.normal(0, 0.1, regions)
    for wave, t in enumerate(YEARS, start=1):
        if wave > 1:
            leave = rng.random(ids.shape) > 0.7
            ids = np.where(leave, next_id + np.arange(ids.size).reshape(ids.shape), ids)
            next_id += ids.size
        frames.append(pd.DataFrame({"region": np.repeat(np.arange(regions), per_wave), "respondent": ids.ravel(),
                                    "wave": wave, "years": t}))
    d = pd.concat(frames, ignore_index=True)
    d["role"] = rng.choice(["admin", "business", "politician"], len(d))
    u = rng.normal(0, 0.45, next_id)
    level = d["role"].map({"admin": 0.0, "business": -0.2, "politician": 0.4}).to_numpy()
    d["score"] = (3 + 0.12 * d["years"] + b0[d["region"]] + b1[d["region"]] * d["years"] + level
                  + u[d["respondent"]] + rng.normal(0, 0.6, len(d)))
    return d


def _median_time(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--regions", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    d = make_panel(args.rows, args.regions)
    print(f"{len(d)} rows, {d['region'].nunique()} regions, {d['respondent'].nunique()} respondents")
    row = trend_mixed(d).iloc[0]
    print(f"trend_mixed: slope {row['estimate']:.4f} se {row['se']:.4f} df {row['df']:.1f} ({row['method']})")
    print(f"trend_mixed median {_median_time(lambda: trend_mixed(d), args.repeat):.2f} s")
    print(f"change_mixed (1 -> 10) median {_median_time(lambda: change_mixed(d, 1, 10, region='region'), args.repeat):.2f} s")
    x = np.column_stack([np.ones(len(d)), d["years"], d["role"] == "business", d["role"] == "politician"]).astype(float)
    z = x[:, :2]
    person = pd.factorize(d["respondent"])[0]
    fit = fit_nested_lmm(d["score"].to_numpy(), x, z, d["region"].to_numpy(), person)
    y, region = d["score"].to_numpy(), d["region"].to_numpy()
    engine = _median_time(lambda: fit_nested_lmm(y, x, z, region, person), args.repeat)
    print(f"engine fit (sums + REML) median {engine:.2f} s")
    print(f"satterthwaite_df median {_median_time(lambda: satterthwaite_df(fit, np.eye(4)[1]), args.repeat):.2f} s")


if __name__ == "__main__":
    main()
