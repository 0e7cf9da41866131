"""Build the benchmark study for ``bench_analyze.py``: a study folder and its answers as CSV.

The study: one respondent-level instrument of 60 five-point items (``agree5`` with the
missing code 9 for "don't know") in 12 reflective scales of 5 items, two of them reverse
keyed; 400 regions; 10 waves; 7 roles. Answers: 250 respondents per region and wave,
1,000,000 respondent-waves in all, as one CSV per wave in the canonical wide form
(``respondent, region, wave, role`` and one column per item). Respondents form a panel:
in region *r* wave *w* holds persons ``w*75 … w*75+249``, so 70 % stay from one wave to
the next and nobody is left after five waves. Scores have a region effect, a small
trend over waves and a person effect; 3 % of answers are "don't know" (9), 1 % blank.

Usage: ``python benchmarks/analysis/make_study.py OUT_DIR [--regions 400 --waves 10
--per-cell 250 --seed 1]``. Re-running with the same arguments reuses what is there.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

N_CONSTRUCTS, N_ITEMS = 12, 5
REVERSED = (3, 4)  # items 4 and 5 of every construct are reverse keyed
ROLES = [("politician", "municipality"), ("administration", "municipality"), ("project-leader", "municipality"),
         ("county", "county"), ("business", "business"), ("research-education", "research-education"),
         ("civil-society", "civil-society")]


def item_ids() -> list[str]:
    return [f"c{c + 1:02d}_{i + 1}" for c in range(N_CONSTRUCTS) for i in range(N_ITEMS)]


def wave_ids(n_waves: int) -> list[str]:
    return [f"{2015 + w // 2}-{w % 2 + 1}" for w in range(n_waves)]


def region_ids(n_regions: int) -> list[str]:
    return [f"r{r:03d}" for r in range(n_regions)]


def _study_yaml(n_regions: int, n_waves: int, per_cell: int) -> str:
    lines = ["programme: Benchmark study", "min_n: 5", "languages: [nb, nn, en]",
             "settings:", "  score_min_share: 0.667", "regions:"]
    for r in region_ids(n_regions):
        lines.append(f"  - {{id: {r}, name: Region {r}, language: nb, municipalities: [Kommune {r}]}}")
    lines.append("roles:")
    for role, sector in ROLES:
        lines.append(f"  - {{id: {role}, sector: {sector}, title: {{nb: {role}, nn: {role}, en: {role}}}}}")
    lines.append("waves:")
    invited = ", ".join(f"{r}: {per_cell + 50}" for r in region_ids(n_regions))
    for w, wave in enumerate(wave_ids(n_waves)):
        lines += [f'  - id: "{wave}"', f"    date: {2015 + w // 2}-{3 if w % 2 == 0 else 11:02d}-01",
                  "    instruments: [bench-survey]", "    closed: true", f"    invited: {{{invited}}}"]
    return "\n".join(lines) + "\n"


def _instrument_yaml() -> str:
    lines = ["id: bench-survey", "version: 1", "level: respondent",
             "title: {nb: Benchmark, nn: Benchmark, en: Benchmark}", "constructs:"]
    for c in range(N_CONSTRUCTS):
        cid = f"scale-{c + 1:02d}"
        lines += [f"  - id: {cid}", "    kind: scale", f"    title: {{nb: {cid}, nn: {cid}, en: {cid}}}",
                  "    items:"]
        for i in range(N_ITEMS):
            reverse = "true" if i in REVERSED else "false"
            lines.append(f"      - {{id: c{c + 1:02d}_{i + 1}, scale: agree5, reverse: {reverse}, "
                         f"text: {{nb: Utsagn {c + 1}.{i + 1}, nn: Utsegn {c + 1}.{i + 1}, en: Item {c + 1}.{i + 1}}}}}")
    return "\n".join(lines) + "\n"


_SCALES = """scales:
  agree5:
    type: ordinal
    points: 5
    labels:
      nb: [Helt uenig, Delvis uenig, Verken enig eller uenig, Delvis enig, Helt enig]
      nn: [Heilt usamd, Delvis usamd, Verken samd eller usamd, Delvis samd, Heilt samd]
      en: [Strongly disagree, Partly disagree, Neither agree nor disagree, Partly agree, Strongly agree]
    missing:
      9: {nb: Vet ikke, nn: Veit ikkje, en: Don't know}
"""


def _wave_answers(rng, w: int, wave: str, n_regions: int, per_cell: int) -> pd.DataFrame:
    regions = np.repeat(np.arange(n_regions), per_cell)
    person = np.tile(np.arange(per_cell), n_regions) + w * 75
    n = regions.size
    # a stable person effect (a hash of region, person and construct), so panel members
    # keep their level across waves
    person_key = regions.astype(np.float64) * 1000.0 + person
    person_effect = (np.sin(person_key[:, None] * 12.9898 + np.arange(N_CONSTRUCTS) * 78.233) * 43758.5453) % 1.0
    person_effect = (person_effect - 0.5) * 1.2
    region_effect = np.random.default_rng(7).normal(0.0, 0.25, (n_regions, N_CONSTRUCTS))
    eta = (region_effect[regions] + person_effect + 0.03 * w + rng.normal(0.0, 0.7, (n, N_CONSTRUCTS)))
    loadings = np.array([1.0, 0.9, 0.8, 0.85, 0.7])
    raw = 3.0 + eta[:, :, None] * loadings + rng.normal(0.0, 0.7, (n, N_CONSTRUCTS, N_ITEMS))
    values = np.clip(np.rint(raw), 1, 5).astype(np.int8)
    values[:, :, list(REVERSED)] = 6 - values[:, :, list(REVERSED)]
    values = values.reshape(n, N_CONSTRUCTS * N_ITEMS)
    draw = rng.random(values.shape)
    values[draw < 0.03] = 9
    frame = pd.DataFrame(values, columns=item_ids()).astype("Int8")
    frame = frame.mask(draw >= 0.99)
    ids = region_ids(n_regions)
    front = pd.DataFrame({
        "respondent": [f"{ids[r]}-p{p:05d}" for r, p in zip(regions, person)],
        "region": np.array(ids, dtype=object)[regions],
        "wave": wave,
        "role": np.array([r for r, _ in ROLES], dtype=object)[rng.integers(0, len(ROLES), n)],
    })
    return pd.concat([front, frame], axis=1)


#: share of those invited who answer, per role (as ROLES): the invited frame is the answers over these
RESPONSE_RATES = (0.45, 0.6, 0.85, 0.55, 0.35, 0.5, 0.4)


def _frame_rows(answers: pd.DataFrame, wave: str) -> pd.DataFrame:
    """Invited per region and role of one wave: those who answered over the role's response rate."""
    rates = dict(zip([r for r, _ in ROLES], RESPONSE_RATES))
    counts = answers.groupby(["region", "role"]).size().rename("answered").reset_index()
    counts["invited"] = np.ceil(counts["answered"] / counts["role"].map(rates)).astype(int)
    return counts.assign(wave=wave)[["wave", "region", "role", "invited"]]


def make_study(out: str | Path, n_regions: int = 400, n_waves: int = 10, per_cell: int = 250,
               seed: int = 1) -> dict:
    """Write the study folder to ``out`` (``research/``, ``instruments/``, ``answers/*.csv``).

    ``research/frame.csv`` is the invited frame: per wave, region and role, those who
    answered over the role's response rate (:data:`RESPONSE_RATES`), so weights vary by role.
    """
    out = Path(out)
    meta = {"regions": n_regions, "waves": n_waves, "per_cell": per_cell, "seed": seed, "frame": 1}
    stamp = out / "study-meta.json"
    if stamp.exists() and json.loads(stamp.read_text()) == meta:
        return meta
    (out / "research").mkdir(parents=True, exist_ok=True)
    (out / "instruments").mkdir(parents=True, exist_ok=True)
    (out / "answers").mkdir(parents=True, exist_ok=True)
    (out / "research" / "study.yaml").write_text(_study_yaml(n_regions, n_waves, per_cell), encoding="utf-8")
    (out / "instruments" / "scales.yaml").write_text(_SCALES, encoding="utf-8")
    (out / "instruments" / "bench-survey.yaml").write_text(_instrument_yaml(), encoding="utf-8")
    rng = np.random.default_rng(seed)
    invited = []
    for w, wave in enumerate(wave_ids(n_waves)):
        frame = _wave_answers(rng, w, wave, n_regions, per_cell)
        frame.to_csv(out / "answers" / f"wave-{wave}.csv", index=False, lineterminator="\n")
        invited.append(_frame_rows(frame, wave))
    pd.concat(invited, ignore_index=True).to_csv(out / "research" / "frame.csv", index=False, lineterminator="\n")
    stamp.write_text(json.dumps(meta) + "\n")
    return meta


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--regions", type=int, default=400)
    parser.add_argument("--waves", type=int, default=10)
    parser.add_argument("--per-cell", type=int, default=250)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    make_study(args.out, args.regions, args.waves, args.per_cell, args.seed)


if __name__ == "__main__":
    main()
