"""Renderers: a result in, a document out (pure functions), plus writing them to disk.

=======  ================  ====================================================
format   file              for
=======  ================  ====================================================
json     ``result.json``   the full result (``ScanResult.to_json``); the record
html     ``report.html``   data protection officers, DPIA archives (prints to PDF)
md       ``report.md``     pull-request comments, CI step summaries
sarif    ``results.sarif`` code-scanning dashboards (SARIF 2.1.0)
junit    ``junit.xml``     CI test tabs (JUnit XML)
=======  ================  ====================================================
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError, OutputError, SynthscanError, UsageError
from ..result import ScanResult

FORMATS = {
    "json": "result.json",
    "html": "report.html",
    "md": "report.md",
    "sarif": "results.sarif",
    "junit": "junit.xml",
}


def _renderer(fmt: str) -> Callable[[ScanResult], str]:
    if fmt == "json":
        return ScanResult.to_json
    if fmt == "html":
        from .html import render_html
        return render_html
    if fmt == "md":
        from .markdown import render_markdown
        return render_markdown
    if fmt == "sarif":
        from .sarif import render_sarif
        return render_sarif
    if fmt == "junit":
        from .junit import render_junit
        return render_junit
    raise UsageError(f"unknown report format {fmt!r} — use one of {', '.join(FORMATS)}",
                     key="formats")


def render(result: ScanResult, fmt: str, history: Sequence[Any] | None = None) -> str:
    """The document of one format (a key of ``FORMATS``) for a result; ``history`` (records
    of a history store, oldest first) adds the HTML report's trend section."""
    if fmt == "html" and history:
        from .html import render_html
        return render_html(result, history=history)
    return _renderer(fmt)(result)


def parse_formats(text: str) -> list[str]:
    """A comma-separated list of formats, validated, in the given order, without repeats.
    Errors carry ``key="formats"``."""
    formats: list[str] = []
    for f in (part.strip().lower() for part in text.split(",")):
        if not f:
            continue
        if f not in FORMATS:
            raise UsageError(f"unknown report format {f!r} — use one or more of "
                             f"{', '.join(FORMATS)} (comma-separated)", key="formats")
        if f not in formats:
            formats.append(f)
    if not formats:
        raise UsageError(f"no report format given — use one or more of {', '.join(FORMATS)}",
                         key="formats")
    return formats


def _stdout(text: str) -> None:
    try:
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is not None:
            buffer.write(text.encode("utf-8"))
            buffer.flush()
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        _drop_stdout()
        raise OutputError(f"the report could not be written to stdout "
                          f"({exc.strerror or type(exc).__name__}) — free space where stdout "
                          "goes, or write the reports to a directory", key="out",
                          source="-") from None


def _drop_stdout() -> None:
    """Point stdout at /dev/null so that Python's final flush does not fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no file descriptor
        pass


def _render_all(result: ScanResult, formats: list[str], source: str | None,
                history: Sequence[Any] | None = None) -> list[tuple[str, str]]:
    """(format, document) for each format. A result read from a file (``source``) that
    cannot be rendered has a field of the wrong type: one error naming the file."""
    try:
        return [(fmt, render(result, fmt, history)) for fmt in formats]
    except SynthscanError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, OverflowError):
        if source is None:
            raise
        raise InputError(f"{source}: a field has a missing value or a value of the wrong type, "
                         "so the report cannot be rendered — pass a result.json written by "
                         "'synthscan scan', unchanged (or scan again)") from None


def _write_file(path: Path, data: bytes) -> None:
    """Write ``path`` through a new temporary file renamed over it: a symlink (or any other
    file) already at ``path`` is replaced, never followed."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    if tmp.exists() or tmp.is_symlink():  # left behind by a killed run of this process id
        tmp.unlink()
    fd = os.open(tmp, flags, 0o644)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if path.is_dir() and not path.is_symlink():
            raise IsADirectoryError(21, "Is a directory")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_reports(result: ScanResult, out: str | Path, formats: list[str],
                  source: str | None = None, history: Sequence[Any] | None = None
                  ) -> list[Path]:
    """Write each format into directory ``out`` under its ``FORMATS`` file name. With ``out``
    ``-`` the one format asked for (JSON when none) goes to stdout. ``history`` (records of a
    history store, ``synthscan.history.read_history``) adds the HTML report's trend section.

    The directory is created when missing; a report file already in it is replaced (a
    symlink at a report's name is replaced by a regular file, never followed). When a failing
    check lists exposed records, their row positions (never values) are written beside the
    reports as ``exposed-rows.csv``; otherwise an earlier ``exposed-rows.csv`` there is removed.
    Nothing else in the directory is touched. ``source`` names the result file a loaded
    result came from, for messages. Errors about ``out`` carry ``key="out"`` (the CLI names
    its flag)."""
    for fmt in formats:
        _renderer(fmt)  # unknown formats fail before anything is written
    if str(out) == "-":
        if len(formats) > 1:
            raise UsageError("only one report format can go to stdout — write to a directory "
                             "for several", key="out", source="-")
        _stdout(_render_all(result, formats[:1] or ["json"], source, history)[0][1])
        return []
    d = Path(out)
    if d.exists() and not d.is_dir():
        raise UsageError(f"{d}: exists and is not a directory — write the reports to a "
                         "directory", key="out", source=str(d))
    documents = [(d / FORMATS[fmt], text)
                 for fmt, text in _render_all(result, formats, source, history)]
    from .next_steps import EXPOSED_ROWS_FILE, exposed_rows_csv

    rows_csv = exposed_rows_csv(result)
    if rows_csv is not None:
        documents.append((d / EXPOSED_ROWS_FILE, rows_csv))
    try:
        d.mkdir(parents=True, exist_ok=True)
        stale = d / EXPOSED_ROWS_FILE
        if rows_csv is None and (stale.is_symlink() or stale.is_file()):
            stale.unlink()  # an earlier scan's list must not sit beside this scan's reports
        paths = []
        for p, text in documents:
            _write_file(p, text.encode("utf-8"))
            paths.append(p)
    except OSError as exc:
        raise OutputError(f"{d}: the reports cannot be written there "
                          f"({exc.strerror or type(exc).__name__}) — choose another directory, "
                          "or free space there", key="out", source=str(d)) from None
    return paths


def load_result(path: Path) -> ScanResult:
    """A saved result.json, with errors that name the file and say what to do: a missing file
    is a usage error (exit 2) as for every other input; an unreadable or malformed one cannot
    be used (exit 3)."""
    if not path.exists() and not path.is_symlink():
        raise UsageError(f"{path}: no such result file — check the path (a result.json written "
                         "by 'synthscan scan')")
    if path.is_dir():
        raise UsageError(f"{path}: is a directory — pass the result.json inside it")
    try:
        return ScanResult.load(path)
    except InputError as exc:
        msg = str(exc)
        if "no schema_version" in msg:
            raise InputError(f"{path.name}: not a synthscan result (no schema_version field) — "
                             "pass a result.json written by 'synthscan scan'") from None
        if "missing or bad field" in msg:
            raise InputError(f"{path.name}: not a synthscan result (a field is missing or has "
                             "the wrong type) — pass a result.json written by 'synthscan scan',"
                             " unchanged (or scan again)") from None
        raise
    except RecursionError:
        raise InputError(f"{path.name}: nested too deeply to be a synthscan result — pass a "
                         "result.json written by 'synthscan scan'") from None
    except (TypeError, ValueError, KeyError, AttributeError, IndexError):
        raise InputError(f"{path.name}: not a synthscan result (a field is missing or has the "
                         "wrong type) — pass a result.json written by 'synthscan scan', "
                         "unchanged (or scan again)") from None
    except OSError as exc:
        raise InputError(f"{path.name}: cannot be read ({exc.strerror or type(exc).__name__}) "
                         "— check the file's permissions") from None
