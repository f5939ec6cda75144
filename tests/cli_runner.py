"""The command line run for tests: in this process through ``main()`` (fast), or as a real
``python -m synthscan`` subprocess (the contract tests)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Completed:
    """What a CLI run left: exit code, stdout and stderr (like ``subprocess.CompletedProcess``)."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path, cwd: Path | None = None) -> Completed:
    """``synthscan ARGS`` in this process, through the console entry point ``main()``: exit code
    and captured stdout/stderr. Warnings raised during the run are appended to stderr, as a
    real process would print them (``test_subprocess_contract`` checks one real process)."""
    from synthscan.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_argv, old_cwd = sys.argv, os.getcwd()
    sys.argv = ["synthscan", *map(str, args)]
    code: int | str | None = 0
    try:
        if cwd is not None:
            os.chdir(cwd)
        with warnings.catch_warnings(record=True) as caught, \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            warnings.simplefilter("always")
            try:
                main()
            except SystemExit as exc:
                code = exc.code
        for w in caught:
            err.write(warnings.formatwarning(w.message, w.category, w.filename, w.lineno))
    finally:
        sys.argv = old_argv
        os.chdir(old_cwd)
    return Completed(code if isinstance(code, int) else (0 if code is None else 1),
                     out.getvalue(), err.getvalue())


def run_process(*args: str | Path, cwd: Path | None = None) -> Completed:
    """``python -m synthscan ARGS`` in a real subprocess (no timeout: a slow machine is not a
    failure)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["PYTHONWARNINGS"] = "default"  # a stray warning on stderr must show up in the tests
    env.pop("COLUMNS", None)
    proc = subprocess.run([sys.executable, "-m", "synthscan", *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, encoding="utf-8",
                          errors="replace")
    return Completed(proc.returncode, proc.stdout, proc.stderr)
