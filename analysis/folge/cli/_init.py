"""``folge init DIR``: a new study folder from the shipped defaults."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import console, reports_errors


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Write into a folder that already has a study (keeps its key).")
@reports_errors
def init(directory: Path, force: bool):
    """Create a new study folder DIRECTORY with the default instruments, design and templates.

    Also makes the pseudonym key (.folge/key, readable by you only). Keep the key apart
    from the data and never share it with the data.
    """
    from ..study_folder import create_study

    if (directory / "research" / "study.yaml").exists() and not force:
        raise click.ClickException(f"{directory} already holds a study (use --force to refresh its defaults)")
    created = create_study(directory)
    console.print(f"Ny studie / new study: {created}")
    console.print("  research/study.yaml     studiedesign / study design")
    console.print("  instruments/*.yaml      spørreskjema / questionnaires")
    console.print("  reports/                rapportmaler / report templates")
    console.print("  .folge/key              pseudonymnøkkel / pseudonym key (owner only)")
