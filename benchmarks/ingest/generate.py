"""Generate a large synthetic study for the ingest benchmark.

Default: 400 regions, 10 waves, 100,000 respondents per wave (1,000,000 respondent-waves),
60 items on a 5-point scale with blanks and the don't-know code 9, one CSV file per wave
(``;``-separated, cp1252 in odd waves, UTF-8 in even ones, as files from the field arrive).
Respondents stay in the panel from wave to wave with 80 % retention.

    python benchmarks/ingest/generate.py                  # → benchmarks/_data/large-study
    python benchmarks/ingest/generate.py --respondents 1000 --out /tmp/small

The study folder holds ``research/study.yaml``, ``instruments/`` and a pseudonym key, so
``folge ingest --study DIR FILE`` works on it directly. ``benchmarks/_data/`` is git-ignored.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "_data" / "large-study"
ROLES = [("politician", "municipality"), ("administration", "municipality"), ("county", "county"),
         ("business", "business"), ("research", "research-education"), ("civil-society", "civil-society")]


def _study_yaml(regions: int, waves: list[str]) -> str:
    lines = ["programme: Benchmark programme", "min_n: 5", "regions:"]
    lines += [f"  - {{id: r{i:03d}, name: Region {i}, language: {'nn' if i % 4 == 0 else 'nb'}}}"
              for i in range(regions)]
    lines.append("roles:")
    lines += [f"  - {{id: {role}, sector: {sector}}}" for role, sector in ROLES]
    lines.append("waves:")
    lines += [f'  - {{id: "{w}", date: {2015 + i // 2}-{3 if i % 2 == 0 else 9:02d}-01, instruments: [bench]}}'
              for i, w in enumerate(waves)]
    return "\n".join(lines) + "\n"


def _instrument_yaml(items: int) -> str:
    lines = ["id: bench", "version: 1", "level: respondent",
             "title: {nb: Ytelsestest, nn: Yteevnetest, en: Benchmark}", "constructs:"]
    per = 5
    for c in range(0, items, per):
        lines += [f"  - id: c{c // per:02d}", "    kind: scale",
                  f"    title: {{nb: Konstrukt {c // per}, nn: Konstrukt {c // per}, en: Construct {c // per}}}",
                  "    items:"]
        lines += [f"      - {{id: b{k:02d}, scale: agree5, text: {{nb: Påstand {k}, nn: Påstand {k}, en: Item {k}}}}}"
                  for k in range(c, min(c + per, items))]
    return "\n".join(lines) + "\n"


SCALES = """scales:
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


def generate(out: Path, respondents: int, waves: int, regions: int, items: int, seed: int) -> list[Path]:
    from folge.pseudonym import create_key

    rng = np.random.default_rng(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "research").mkdir(parents=True)
    (out / "instruments").mkdir()
    (out / "files").mkdir()
    wave_ids = [f"{2015 + i // 2}-{i % 2 + 1}" for i in range(waves)]
    (out / "research" / "study.yaml").write_text(_study_yaml(regions, wave_ids), encoding="utf-8")
    (out / "instruments" / "scales.yaml").write_text(SCALES, encoding="utf-8")
    (out / "instruments" / "bench.yaml").write_text(_instrument_yaml(items), encoding="utf-8")
    (out / ".gitignore").write_text("data/\n.folge/\n", encoding="utf-8")
    create_key(out)

    ids = np.arange(respondents)
    next_id = respondents
    home = rng.integers(0, regions, size=respondents * 3)  # region and role follow the person
    role = rng.integers(0, len(ROLES), size=respondents * 3)
    cells = np.array(["", "1", "2", "3", "4", "5", "9"], dtype=object)
    region_names = np.array([f"r{i:03d}" for i in range(regions)], dtype=object)
    role_names = np.array([r for r, _ in ROLES], dtype=object)
    header = ";".join(["respondent", "region", "wave", "role"] + [f"b{k:02d}" for k in range(items)])
    paths = []
    for w, wave in enumerate(wave_ids):
        if w:
            stay = rng.random(respondents) < 0.8
            fresh = np.arange(next_id, next_id + int((~stay).sum()))
            next_id += len(fresh)
            ids = np.concatenate([ids[stay], fresh])
        answers = rng.choice(len(cells), size=(respondents, items), p=[0.05, 0.1, 0.15, 0.25, 0.25, 0.17, 0.03])
        text = cells[answers]
        lines = [header]
        person_region = region_names[home[ids % len(home)]]
        person_role = role_names[role[ids % len(role)]]
        for i in range(respondents):
            lines.append(f"P{ids[i]:08d};{person_region[i]};{wave};{person_role[i]};" + ";".join(text[i]))
        encoding = "cp1252" if w % 2 == 0 else "utf-8"
        path = out / "files" / f"wave-{w + 1:02d}.csv"
        path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
        paths.append(path)
    return paths


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--respondents", type=int, default=100_000, help="respondents per wave")
    parser.add_argument("--waves", type=int, default=10)
    parser.add_argument("--regions", type=int, default=400)
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2015)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = generate(args.out, args.respondents, args.waves, args.regions, args.items, args.seed)
    size = sum(p.stat().st_size for p in paths) / 1e6
    print(f"wrote {len(paths)} files, {args.respondents * args.waves:,} respondent-waves × {args.items} items, "
          f"{size:.0f} MB, to {args.out} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
