"""Time the survey engine (raking weights, weighted levels, EB) at the benchmark study's size.

1,000,000 respondent-waves (400 regions, 10 waves, 100,000 respondents a wave, 5 roles
answering at different rates) and 20 constructs, i.e. 20 million scores, generated in
memory. Reports the median of ``--repeat`` runs of :func:`folge.statistics.rake_waves`
and :func:`folge.statistics.levels` (direct weighted levels with linearised SEs and the
EB region estimates), the latter once with string key columns (as read from CSV) and
once with categorical construct and region columns (read from their codes, no hashing).

    cd <repo> && PYTHONPATH=analysis OPENBLAS_NUM_THREADS=1 python benchmarks/analysis/bench_survey.py
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from folge.statistics import levels, rake_waves

ROLES = np.array(["lead", "business", "politics", "administration", "civil"])
RESPONSE = np.array([0.7, 0.4, 0.25, 0.5, 0.35])


def make_study(n_regions: int, n_waves: int, per_wave: int, n_constructs: int, seed: int = 1):
    """Respondents, the invited frame and long scores of a synthetic study."""
    rng = np.random.default_rng(seed)
    regions = np.array([f"R{i:03d}" for i in range(n_regions)])
    people, frames = [], []
    for wave in range(1, n_waves + 1):
        reg = rng.integers(0, n_regions, per_wave)
        role = rng.choice(len(ROLES), per_wave, p=RESPONSE / RESPONSE.sum())
        people.append(pd.DataFrame({"respondent": [f"w{wave}p{i}" for i in range(per_wave)],
                                    "region": regions[reg], "wave": wave, "role": ROLES[role]}))
        counts = np.zeros((n_regions, len(ROLES)))
        np.add.at(counts, (reg, role), 1)
        invited = np.ceil(counts / RESPONSE[None, :]) + rng.integers(0, 3, counts.shape)
        frames.append(pd.DataFrame({"wave": wave, "region": np.repeat(regions, len(ROLES)),
                                    "role": np.tile(ROLES, n_regions), "invited": invited.reshape(-1)}))
    people = pd.concat(people, ignore_index=True)
    frame = pd.concat(frames, ignore_index=True)
    n = len(people)
    region_effect = rng.normal(0, 0.3, n_regions)
    reg_code = pd.factorize(people["region"], sort=True)[0]
    scores = pd.DataFrame({
        "construct": np.repeat([f"c{k:02d}" for k in range(n_constructs)], n),
        "wave": np.tile(people["wave"].to_numpy(), n_constructs),
        "region": np.tile(people["region"].to_numpy(), n_constructs),
        "respondent": np.tile(people["respondent"].to_numpy(), n_constructs),
        "score": np.tile(3 + region_effect[reg_code], n_constructs) + rng.normal(0, 0.8, n * n_constructs),
    })
    return people, frame, scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=400)
    parser.add_argument("--waves", type=int, default=10)
    parser.add_argument("--per-wave", type=int, default=100_000)
    parser.add_argument("--constructs", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    t0 = time.perf_counter()
    people, frame, scores = make_study(args.regions, args.waves, args.per_wave, args.constructs)
    print(f"generated {len(people):,} respondent-waves, {len(scores):,} scores in {time.perf_counter() - t0:.1f} s")
    rake_times, level_times, categorical_times, yardstick_times = [], [], [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        weighted = rake_waves(people, frame)
        rake_times.append(time.perf_counter() - t0)
        data = scores.assign(weight=np.tile(weighted.weights["weight"].to_numpy(), args.constructs))
        t0 = time.perf_counter()
        table = levels(data)
        level_times.append(time.perf_counter() - t0)
        categorical = data.astype({"construct": "category", "region": "category"})
        t0 = time.perf_counter()
        levels(categorical)
        categorical_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        categorical.groupby(["construct", "wave", "region"], observed=True)["score"].mean()
        yardstick_times.append(time.perf_counter() - t0)
    print(f"rake_waves: median {statistics.median(rake_times):.2f} s "
          f"(cycles per wave {weighted.diagnostics['iterations'].tolist()})")
    print(f"levels (direct + EB, {len(table):,} rows), string keys: median {statistics.median(level_times):.2f} s")
    print(f"levels, categorical construct and region: median {statistics.median(categorical_times):.2f} s")
    print(f"yardstick: pandas groupby(construct, wave, region).score.mean(), same data: "
          f"median {statistics.median(yardstick_times):.2f} s")


if __name__ == "__main__":
    main()
