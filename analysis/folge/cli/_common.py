"""Pieces every command shares: the --study option, the console, error reporting."""

from __future__ import annotations

import functools
from pathlib import Path

import click
from rich.console import Console

from .._errors import DefinitionError, FolgeError

__all__ = ["console", "err_console", "study_option", "reports_errors", "load_study_or_fail"]

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

study_option = click.option(
    "--study",
    "study_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default="the current folder",
    help="The study folder (with research/study.yaml).",
)


def reports_errors(func):
    """Turn a :class:`FolgeError` into a clear message on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except DefinitionError as exc:
            for p in exc.problems:
                click.echo(p.format(), err=True)
            raise click.exceptions.Exit(1) from None
        except FolgeError as exc:
            click.echo(f"folge: {exc}", err=True)
            raise click.exceptions.Exit(1) from None

    return wrapper


def load_study_or_fail(study_dir: Path):
    """Load the study at ``study_dir``; a DefinitionError propagates to :func:`reports_errors`."""
    from ..definitions import load_study

    return load_study(study_dir)
