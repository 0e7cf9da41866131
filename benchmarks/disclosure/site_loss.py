"""Loss and audit time of a built site, read as an outsider: what share of published cells is hidden.

Reads a study folder whose site is built (``reports/_site/data``), registers every count of
the open data with :func:`folge.reports.audit_site`'s model, and prints the cells, the share
hidden (all cells, and the counts of respondents alone), the breaches and the audit time.
Run it on a site built by main before the wiring and on one built after to compare.

    python benchmarks/disclosure/site_loss.py /tmp/demo-before /tmp/demo-after
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from folge.definitions import load_study
from folge.reports import audit_site
from folge.reports._disclosure import count_specs, read_site_tables, site_model
from folge.reports._public import indicator_keys


def measure(study_dir: Path) -> str:
    study = load_study(study_dir)
    site = study_dir / "reports" / "_site"
    model, _ = site_model(count_specs(read_site_tables(site / "data"), indicator_keys(study)))
    hidden = np.zeros(model.n_cells, dtype=bool)
    hidden[list(model.marked)] = True
    people = model.sensitive() & ~model.exempt()
    with tempfile.TemporaryDirectory() as tmp:
        result = audit_site(site, study, out=Path(tmp) / "audit.json")
    return (f"{study_dir}: {model.n_cells} cells, {hidden.sum()} hidden ({hidden.mean():.1%}); "
            f"{people.sum()} respondent counts, {(hidden & people).sum()} hidden "
            f"({(hidden & people).sum() / max(people.sum(), 1):.1%}); {len(result.breaches)} breaches "
            f"({sum(b['width'] == 0 for b in result.breaches)} pinned exactly); audit {result.seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("studies", type=Path, nargs="+")
    for study_dir in parser.parse_args().studies:
        print(measure(study_dir))


if __name__ == "__main__":
    main()
