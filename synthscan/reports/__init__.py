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

import sys
from collections.abc import Callable
from pathlib import Path

from ..errors import UsageError
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
    raise UsageError(f"unknown report format {fmt!r} — use one of {', '.join(FORMATS)}")


def render(result: ScanResult, fmt: str) -> str:
    """The document of one format (a key of ``FORMATS``) for a result."""
    return _renderer(fmt)(result)


def parse_formats(text: str, option: str = "--format") -> list[str]:
    """A comma-separated list of formats, validated, in the given order, without repeats."""
    formats: list[str] = []
    for f in (part.strip().lower() for part in text.split(",")):
        if not f:
            continue
        if f not in FORMATS:
            raise UsageError(f"{option}: unknown format {f!r} — use one or more of "
                             f"{', '.join(FORMATS)} (comma-separated)")
        if f not in formats:
            formats.append(f)
    if not formats:
        raise UsageError(f"{option}: no format given — use one or more of {', '.join(FORMATS)}")
    return formats


def _stdout(text: str) -> None:
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def write_reports(result: ScanResult, out: str | Path, formats: list[str]) -> list[Path]:
    """Write each format into directory ``out`` under its ``FORMATS`` file name. With ``out``
    ``-`` the one format asked for (JSON when none) goes to stdout."""
    for fmt in formats:
        _renderer(fmt)  # unknown formats fail before anything is written
    if str(out) == "-":
        if len(formats) > 1:
            raise UsageError("--out -: only one format can go to stdout — pass a directory to "
                             "write several")
        _stdout(render(result, formats[0] if formats else "json"))
        return []
    d = Path(out)
    if d.exists() and not d.is_dir():
        raise UsageError(f"--out {d}: exists and is not a directory — pass a directory")
    documents = [(d / FORMATS[fmt], render(result, fmt)) for fmt in formats]
    try:
        d.mkdir(parents=True, exist_ok=True)
        paths = []
        for p, text in documents:
            p.write_bytes(text.encode("utf-8"))
            paths.append(p)
    except OSError as exc:
        raise UsageError(f"--out {d}: cannot write there ({exc.strerror}) — choose another "
                         "directory") from None
    return paths
