"""``folge disclosure audit``: attack the built site's open data as an outsider would."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import console, load_study_or_fail, reports_errors, study_option

__all__ = ["disclosure"]


@click.group(name="disclosure")
def disclosure():
    """Prikking / disclosure control of what the site publishes."""


@disclosure.command(name="audit")
@study_option
@click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The built site (default: STUDY/reports/_site).")
@click.option("--published", "published_dir", type=click.Path(exists=True, path_type=Path), default=None,
              help="An earlier edition's site (or its disclosure-published.json): counts already public.")
@reports_errors
def audit(study_dir: Path, site_dir, published_dir):
    """Revider prikkingen / audit the published tables by linear programming.

    For every hidden count, the interval an attacker can derive from all published tables
    (and the earlier edition's, with --published) must be at least the protection level
    wide. Writes SITE/disclosure-audit.json; exit 1 on any breach.
    """
    from .._paths import SITE_DIR
    from ..reports import audit_site, read_published_dir

    study = load_study_or_fail(study_dir)
    site = Path(site_dir) if site_dir else Path(study_dir) / SITE_DIR
    try:
        published = read_published_dir(published_dir) if published_dir else None
        result = audit_site(site, study, published=published)
    except FileNotFoundError as exc:
        click.echo(f"folge: {exc}", err=True)
        raise click.exceptions.Exit(1) from None
    smallest = "none" if result.smallest_interval == float("inf") else f"{result.smallest_interval:g}"
    console.print(f"cells {result.cells}, suppressed {result.suppressed}, attacked {result.attacked}, "
                  f"smallest interval {smallest} (protection {result.protection:g}), "
                  f"breaches {len(result.breaches)}, {result.seconds:.1f} s", markup=False, soft_wrap=True)
    console.print(f"audit: {site / 'disclosure-audit.json'}", markup=False, soft_wrap=True)
    for breach in result.breaches[:10]:
        console.print(f"  breach: {breach['cell']} in {', '.join(breach['tables'])}: "
                      f"[{breach['low']:g}, {breach['high']:g}]", markup=False, soft_wrap=True)
    if result.breaches:
        raise click.exceptions.Exit(1)
