"""CLI plumbing shared by the commands: error handling, exit codes, stderr output."""

from __future__ import annotations

import functools
import os
import re
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from ..errors import EXIT_CANNOT_RUN, SynthscanError

F = TypeVar("F", bound=Callable[..., Any])


class State:
    verbose: bool = False
    quiet: bool = False


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` with control characters (terminal escape sequences, carriage returns, ...)
    shown as ``\\x1b``-style escapes: a file or column name must not drive the terminal.
    Line feeds and tabs are kept."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(text))


def err(msg: str) -> None:
    """Human output goes to stderr; stdout is reserved for machine documents. Control
    characters in it (e.g. from a file name) are escaped."""
    typer.echo(printable(msg), err=True)


def progress(msg: str) -> None:
    if State.quiet or not sys.stderr.isatty():
        return
    sys.stderr.write(f"\r\033[Ksynthscan: {printable(msg)}…")
    sys.stderr.flush()


def end_progress() -> None:
    if not State.quiet and sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()


#: exit code after Ctrl-C (128 + SIGINT), as shells report it
EXIT_INTERRUPTED = 130


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass


def one_line(text: str) -> str:
    """One line: every run of whitespace (line breaks included) becomes one space."""
    return " ".join(printable(text).split())


def handle_errors(fn: F) -> F:
    """Turn synthscan errors into one stderr line and their exit code; never a traceback
    unless -v was given."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SynthscanError as exc:
            end_progress()
            if State.verbose:
                traceback.print_exc()
            err(f"synthscan: error: {one_line(exc)}")
            raise typer.Exit(exc.exit_code) from None
        except MemoryError:
            end_progress()
            err("synthscan: error: out of memory — scan fewer rows or columns, or use a larger "
                "machine")
            raise typer.Exit(EXIT_CANNOT_RUN) from None
        except KeyboardInterrupt:
            # click would print "Aborted!" and exit 1, which reads as "policy failed"
            end_progress()
            err("synthscan: interrupted")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            # the reader of stdout went away (e.g. `... --out - | head`): nothing to report,
            # and Python must not complain while flushing the closed stream at exit
            _silence_stdout()
            raise typer.Exit(EXIT_CANNOT_RUN) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback by default
            end_progress()
            if State.verbose:
                traceback.print_exc()
            err(f"synthscan: internal error ({type(exc).__name__}) — re-run with -v for details "
                "and report it")
            raise typer.Exit(EXIT_CANNOT_RUN) from None

    return wrapper  # type: ignore[return-value]
