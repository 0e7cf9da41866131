"""The ``folge`` command line.

Commands live in small modules of this package and are imported only when used, so a
slow or broken part never delays ``folge --help``. Add a command by naming it in
``COMMANDS`` as ``"module:function"``.
"""

from __future__ import annotations

import importlib
import os
import sys

# Many small matrix operations (factor models of a few items): BLAS threads only cost
# time there. Set before numpy is first imported by a command; the user can override.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import click

from .._version import __version__

__all__ = ["main", "COMMANDS"]

#: command name → "module:attribute" inside folge.cli (imported lazily)
COMMANDS: dict[str, str] = {
    "init": "_init:init",
    "demo": "_demo:demo",
    "instruments": "_instruments:instruments",
    "ingest": "_ingest:ingest",
    "status": "_store_cmds:status",
    "quarantine": "_store_cmds:quarantine",
    "erase": "_store_cmds:erase",
    "export": "_export:export",
    "analyze": "_analyze:analyze",
    "criteria": "_criteria:criteria",
    "report": "_report:report",
    "disclosure": "_disclosure:disclosure",
    "simulate": "_simulate:simulate",
    "serve": "_web:serve",
    "invite": "_web:invite",
    "remind": "_web:remind",
    "contacts": "_mail:contacts",
    "mail": "_mail:mail",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(f".{module_name}", __name__), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="folge")
def cli():
    """folge: følgeforskning på regionale utviklingsprogram.

    Instruments → responses → scores → statistics → criteria → reports. Every command
    takes --study DIR (default: the current folder) and has --help.
    """


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``folge`` console script."""
    try:
        # without standalone mode click returns (not raises) the code of a command's Exit
        code = cli.main(args=argv, prog_name="folge", standalone_mode=False)
        if isinstance(code, int):
            return code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("Avbrutt / aborted.", err=True)
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
