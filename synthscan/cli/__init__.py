"""The ``synthscan`` command line (typer): the app, its commands (one module each) and
``main``, which maps every outcome to an ``ExitCode``. No business logic here: the commands
call the library."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from .._version import __version__
from ..errors import ExitCode
from . import report as _report
from . import scan as _scan
from . import split as _split
from ._console import State, err
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
        typer.echo(f"synthscan {__version__}")
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


def _click_exceptions() -> ModuleType:
    """The exceptions of the click that typer runs on (recent typer vendors its own copy)."""
    try:
        from typer import _click  # type: ignore[attr-defined]

        return _click.exceptions  # type: ignore[no-any-return]
    except ImportError:
        import click.exceptions

        return click.exceptions


def main() -> None:
    """Console entry point: every outcome is an ``ExitCode``; usage errors are one stderr line
    (exit 2), Ctrl-C is ``INTERRUPTED``."""
    cx = _click_exceptions()
    try:
        code = app(prog_name="synthscan", standalone_mode=False)
    except cx.NoArgsIsHelpError:  # bare 'synthscan': typer has printed the help
        code = ExitCode.OK
    except cx.UsageError as exc:
        where = f"synthscan {exc.ctx.info_name}" if exc.ctx and exc.ctx.parent else "synthscan"
        err(f"synthscan: error: {' '.join(exc.format_message().split())} — see '{where} "
            "--help'")
        code = ExitCode.USAGE
    except (typer.Abort, KeyboardInterrupt):
        err("synthscan: error: interrupted")
        code = ExitCode.INTERRUPTED
    sys.exit(code if isinstance(code, int) else ExitCode.OK)


__all__ = ["app", "main"]
