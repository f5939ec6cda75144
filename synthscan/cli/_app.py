"""The typer app: the root options (-v, -q, --version) and the three commands, one module
each. Imported by ``main`` only when a command line needs more than ``--version``."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from . import canary as _canary
from . import compare as _compare
from . import history as _history
from . import report as _report
from . import scan as _scan
from . import split as _split
from . import version_line
from ._console import State
from ._options import paragraphs, quiet_option, verbose_option


class _Command(TyperCommand):
    """A command whose -h/--help option shows no type placeholder (no ``<bool>``)."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option


class _Group(TyperGroup):
    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option


app = typer.Typer(
    cls=_Group,
    name="synthscan",
    help="Privacy risk scanner for synthetic data: does a synthetic release leak the real "
    "records it was trained on?",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(version_line())
        raise typer.Exit()


@app.callback()
def _root(
    verbose: bool = verbose_option(),
    quiet: bool = quiet_option(),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit.", metavar=""),
) -> None:
    del version  # eager: its callback prints the version and exits
    State.verbose = verbose
    State.quiet = quiet


app.command(cls=_Command, epilog=paragraphs(_scan.EXAMPLES))(_scan.scan)
app.command(cls=_Command, help=paragraphs(_report.HELP),
            epilog=paragraphs(_report.EXAMPLES))(_report.report)
app.command(cls=_Command, help=paragraphs(_split.HELP),
            epilog=paragraphs(_split.EXAMPLES))(_split.split)
canary_app = typer.Typer(cls=_Group, name="canary", help=paragraphs(_canary.HELP),
                         no_args_is_help=True, context_settings={"help_option_names": ["-h",
                                                                                      "--help"]})
canary_app.command(cls=_Command, help=paragraphs(_canary.PLANT_HELP),
                   epilog=paragraphs(_canary.EXAMPLES))(_canary.plant)
app.add_typer(canary_app)
app.command(cls=_Command, help=paragraphs(_compare.HELP),
            epilog=paragraphs(_compare.EXAMPLES))(_compare.compare)
app.command(cls=_Command, help=paragraphs(_history.HELP),
            epilog=paragraphs(_history.EXAMPLES))(_history.history)
