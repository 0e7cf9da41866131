"""The README's "Working with a real study" steps, run as written in a fresh ``folge init`` folder.

The wave file is synthetic (seeded): every respondent-level item of the participant survey
answered on its own scale, free text left empty. Each step is the README's command line,
run with the study folder as the working directory and no ``--study`` or absolute ``--out``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_steps() -> list[str]:
    """The commands of the README's first block under "Working with a real study"."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Working with a real study", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.split("#", 1)[0].strip()]


def _wave_file(study_root: Path, path: Path, wave: str, per_region: int = 8) -> Path:
    """A synthetic answer file for ``participant-survey``: ``per_region`` people in every region."""
    from folge.definitions import load_study

    study = load_study(study_root)
    survey = study.instruments["participant-survey"]
    rng = np.random.default_rng(19)
    roles = [r.id for r in study.roles]
    rows = []
    for region in study.regions:
        for k in range(per_region):
            row = {"respondent": f"P-{region.id}-{k}", "region": region.id, "wave": wave, "role": roles[k % len(roles)]}
            for item in survey.items:
                values = list(item.scale.values)
                row[item.id] = str(rng.choice(values)) if values else ""
            rows.append(row)
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _run(command: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    args = command.split()
    assert args[0] == "folge", command
    entry = "import sys; from folge.cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", entry, *args[1:]], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)


def test_readme_steps_run_as_written(tmp_path):
    steps = _readme_steps()
    assert steps[0].startswith("folge init") and steps[1].startswith("cd ")
    assert any(s.startswith("folge report") for s in steps)
    env = {**os.environ, "FOLGE_KEY": "readme-test-key", "OPENBLAS_NUM_THREADS": "1",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "analysis")}
    cwd = tmp_path
    for step in steps:
        if step.startswith("cd "):
            cwd = cwd / step.split()[1]
            continue
        if step.startswith("folge ingest"):
            _wave_file(cwd, cwd / step.split()[2], step.split("--wave")[1].split()[0])
        done = _run(step, cwd, env)
        assert done.returncode == 0, f"{step}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    site = cwd / "reports" / "_site"
    assert (site / "index.html").exists()
    assert (site / "national.pdf").exists() and (site / "regions" / "kongsberg.pdf").exists()
    assert not (tmp_path / "reports").exists()  # nothing written outside the study folder
