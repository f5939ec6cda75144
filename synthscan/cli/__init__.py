"""The ``synthscan`` command line: ``main``, which maps every outcome to an ``ExitCode``, and
the typer ``app`` (``_app``; one module per command). No business logic here: the commands call
the library.

Start-up is kept short: ``synthscan --version`` is answered before typer is imported, and the
scan stack (pandas, FAISS, ...) is imported only by the command that runs a scan.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..errors import ExitCode
from ..openmp import wait_passively

if TYPE_CHECKING:
    from ._app import app


def __getattr__(name: str) -> Any:
    """``app`` is imported on first use (PEP 562): ``--version`` does not need typer."""
    if name == "app":
        from ._app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _click_exceptions() -> ModuleType:
    """The exceptions of the click that typer runs on (recent typer vendors its own copy)."""
    try:
        from typer import _click  # type: ignore[attr-defined]

        return _click.exceptions  # type: ignore[no-any-return]
    except ImportError:
        import click.exceptions

        return click.exceptions


def version_line() -> str:
    """What ``synthscan --version`` prints."""
    return f"synthscan {__version__}"


def main() -> None:
    """Console entry point: every outcome is an ``ExitCode``; usage errors are one stderr line
    (exit 2), Ctrl-C is ``INTERRUPTED``."""
    if sys.argv[1:] == ["--version"]:  # the common case, answered without typer (same line)
        print(version_line())
        sys.exit(ExitCode.OK)
    wait_passively(os.environ)  # before FAISS starts its OpenMP runtime
    sys.exit(_run())


def _run() -> int:
    import typer

    from ._app import app
    from ._console import err

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
    return code if isinstance(code, int) else ExitCode.OK


__all__ = ["app", "main"]
