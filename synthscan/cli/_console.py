"""The terminal side of the commands: -v/-q state, stderr output, and turning errors into one
stderr line and their exit code (the scan's progress display is ``_progress``)."""

from __future__ import annotations

import functools
import os
import re
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from ..errors import ExitCode, SynthscanError
from ._options import phrase

F = TypeVar("F", bound=Callable[..., Any])


class State:
    """-v / -q, given before or after the command name."""

    verbose: bool = False
    quiet: bool = False

    @classmethod
    def add(cls, verbose: bool, quiet: bool) -> None:
        """-v/-q given after the command name count as much as before it."""
        cls.verbose = cls.verbose or verbose
        cls.quiet = cls.quiet or quiet


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


def one_line(text: str) -> str:
    """One line: every run of whitespace (line breaks included) becomes one space."""
    return " ".join(printable(text).split())


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass


def _fail(line: str, code: ExitCode, trace: bool = True) -> typer.Exit:
    """Print one error line (a traceback first with -v); the exit to raise."""
    if trace and State.verbose:
        traceback.print_exc()
    err(line)
    return typer.Exit(code)


def handle_errors(fn: F) -> F:
    """Turn synthscan errors into one stderr line (in the command line's words) and their exit
    code; never a traceback unless -v was given."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SynthscanError as exc:
            raise _fail(f"synthscan: error: {one_line(phrase(exc))}", exc.exit_code) from None
        except MemoryError:
            raise _fail("synthscan: error: out of memory — scan fewer rows or columns, or use "
                        "a larger machine", ExitCode.CANNOT_RUN, trace=False) from None
        except KeyboardInterrupt:
            # click would print "Aborted!" and exit 1, which reads as "policy failed"
            raise _fail("synthscan: interrupted", ExitCode.INTERRUPTED, trace=False) from None
        except BrokenPipeError:
            # the reader of stdout went away (e.g. `... --out - | head`): nothing to report,
            # and Python must not complain while flushing the closed stream at exit
            _silence_stdout()
            raise typer.Exit(ExitCode.CANNOT_RUN) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:  # last line of defence: no traceback by default
            raise _fail(f"synthscan: internal error ({type(exc).__name__}) — re-run with -v "
                        "for details and report it", ExitCode.CANNOT_RUN) from None

    return wrapper  # type: ignore[return-value]
