"""Synthetic panel fixtures for the nested REML engine (folge.statistics.mixed).

Run from the repository root:  python tests/reference/mixed_models_fixtures.py
Writes tests/reference/data/mixed_panel.csv and mixed_panel_singular.csv; the reference
numbers come from tests/reference/mixed_models.R on these files.

What is planted (seeded, no real people):
- four waves at unequal spacing; ``years`` = (date - first date) / 365.25;
- ten regions of 6 to 45 respondents a wave, with a random intercept and slope
  (``mixed_panel``) or a random intercept only and no slope variance
  (``mixed_panel_singular``, where lme4's random-slope fit is singular);
- three roles that differ in level (politicians answer higher), with a role mix that
  shifts over the waves;
- a panel: about 70 % of a wave's respondents answer again in the next wave, the rest
  are replaced by new respondents; a respondent intercept (SD 0.45) and residual SD 0.6.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

DATES = [date(2021, 3, 1), date(2021, 11, 15), date(2023, 1, 20), date(2024, 6, 10)]
ROLES = ("administration", "business", "politician")
ROLE_LEVEL = {"administration": 0.0, "business": -0.25, "politician": 0.4}
SIZES = (6, 9, 12, 15, 18, 22, 26, 30, 38, 45)


def _years() -> list[float]:
    return [round((d - DATES[0]).days / 365.25, 6) for d in DATES]


def _region_rows(rng, region: str, size: int, effects: tuple[float, float], start_id: int) -> tuple[list[dict], int]:
    """Respondents of one region across the waves, 70 % of each wave answering again."""
    rows, next_id, current = [], start_id, []
    years = _years()
    for wave, t in enumerate(years, start=1):
        keep = [person for person in current if rng.random() < 0.7]
        while len(keep) < size:
            role_p = [0.5 - 0.07 * wave, 0.3, 0.2 + 0.07 * wave]
            keep.append({"id": f"r{next_id:04d}", "role": rng.choice(ROLES, p=role_p), "u": rng.normal(0, 0.45)})
            next_id += 1
        current = keep
        for person in current:
            mean = 3.2 + 0.12 * t + effects[0] + effects[1] * t + ROLE_LEVEL[person["role"]] + person["u"]
            rows.append({
                "region": region, "respondent": person["id"], "role": person["role"],
                "wave": wave, "years": t, "score": round(mean + rng.normal(0, 0.6), 4),
            })
    return rows, next_id


def panel(seed: int, slope_sd: float, intercept_sd: float) -> pd.DataFrame:
    """One synthetic study: ten regions, four waves, roles and a panel."""
    rng = np.random.default_rng(seed)
    rows, next_id = [], 1
    for index, size in enumerate(SIZES):
        effects = (rng.normal(0, intercept_sd), rng.normal(0, slope_sd))
        region_rows, next_id = _region_rows(rng, f"region{index + 1:02d}", size, effects, next_id)
        rows.extend(region_rows)
    return pd.DataFrame(rows)


def main() -> None:
    out = Path(__file__).resolve().parent / "data"
    panel(seed=20261202, slope_sd=0.12, intercept_sd=0.3).to_csv(out / "mixed_panel.csv", index=False)
    panel(seed=7, slope_sd=0.0, intercept_sd=0.25).to_csv(out / "mixed_panel_singular.csv", index=False)


if __name__ == "__main__":
    main()
