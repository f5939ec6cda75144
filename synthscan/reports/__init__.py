"""Renderers: a result in, a document out (pure functions), plus writing them to disk."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import UsageError
from ..result import ScanResult

FORMATS = {"json": "result.json"}


def render(result: ScanResult, fmt: str) -> str:
    if fmt == "json":
        return result.to_json()
    raise UsageError(f"unknown report format {fmt!r}")


def write_reports(result: ScanResult, out: str | Path, formats: list[str]) -> list[Path]:
    """Write each format into directory ``out`` (``-``: the JSON to stdout)."""
    if str(out) == "-":
        sys.stdout.write(render(result, "json"))
        sys.stdout.flush()
        return []
    d = Path(out)
    if d.exists() and not d.is_dir():
        raise UsageError(f"--out {d}: exists and is not a directory — pass a directory")
    try:
        d.mkdir(parents=True, exist_ok=True)
        paths = []
        for fmt in formats:
            p = d / FORMATS[fmt]
            p.write_text(render(result, fmt), encoding="utf-8")
            paths.append(p)
    except OSError as exc:
        raise UsageError(f"--out {d}: cannot write there ({exc.strerror}) — choose another "
                         "directory") from None
    return paths
