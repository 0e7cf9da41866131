"""Evidence for a DESIGN question: under attrition at random given earlier answers (MAR), is
national change from the first wave unbiased when the model sees only the two waves' rows?

For each replication of a scenario (``folge.simulate``'s own generator and seeds), the
construct score (mean of the items) is modelled as ``score ~ C(wave) + role + C(region)``
with a person random intercept (statsmodels ``MixedLM``, REML), once on the first and last
waves' rows (as DESIGN's change model) and once on every wave's rows; the printed bias is
the mean of (estimated change first → last) − (true change of the population mean score).
Regions enter as fixed effects here (a bias check, not the SEs DESIGN asks for).

Usage::

    python benchmarks/simulate/attrition_change_rows.py [--scenario attrition-mar] [--replications 25]

Measured (25 replications of attrition-mar, seed 7, 2026-12-03): climate (MAR) bias
+0.068 ± 0.016 with two waves' rows, −0.007 ± 0.016 with every wave's; steady (MNAR through
the shared general level) +0.056 ± 0.015 and +0.042 ± 0.015.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "analysis"))

from folge.simulate import CONSTRUCTS, SimulationDesign, draw_study, item_ids, population_truth, scenario  # noqa: E402
from folge.simulate._run import replication_seed  # noqa: E402


def main(argv=None) -> int:
    import statsmodels.formula.api as smf

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="attrition-mar")
    parser.add_argument("--replications", type=int, default=25)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    design = SimulationDesign()
    first, last = "w1", f"w{design.waves}"
    out = []
    warnings.simplefilter("ignore")
    for i in range(args.replications):
        study = draw_study(scenario(args.scenario), design,
                           np.random.default_rng(replication_seed(args.seed, args.scenario, i)))
        truth = population_truth(study)
        answers = study.answers.copy()
        for c in CONSTRUCTS:
            answers[c] = answers[list(item_ids(c, design.items))].mean(axis=1)
        for c in CONSTRUCTS:
            national = truth[(truth["construct"] == c) & (truth["region"] == "all")].set_index("wave")
            for rows_used, rows in (("two waves", answers[answers["wave"].isin([first, last])]),
                                    ("every wave", answers)):
                fit = smf.mixedlm(f"{c} ~ C(wave) + role + C(region)", rows, groups=rows["respondent"]).fit(reml=True)
                out.append({"construct": c, "rows": rows_used,
                            "error": fit.params[f"C(wave)[T.{last}]"] - national.loc[last, "score_change"]})
    frame = pd.DataFrame(out)
    groups = frame.groupby(["construct", "rows"])["error"]
    print(pd.DataFrame({"replications": groups.size(), "bias": groups.mean(),
                        "mc_se": groups.std() / np.sqrt(groups.size())}).round(4).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
