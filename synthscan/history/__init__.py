"""Scan history: one compact record per scan, appended to a store, for trends over releases.

>>> from synthscan.history import append_scan, read_history
>>> append_scan("history.sqlite", result)            # doctest: +SKIP
>>> [r.certified_upper for r in read_history("history.sqlite", limit=12)]  # doctest: +SKIP

A store is an SQLite file (the standard library's ``sqlite3``; the default) or any SQLAlchemy
database URL such as ``postgresql://user@host/db`` (SQLAlchemy is imported only then: ``pip
install sqlalchemy``). Both hold the same plain tables (``records``), readable with any SQL
client: ``synthscan_scans`` (one row per scan: when, the inputs' SHA-256 fingerprints and row
counts, the synthetic file's name, verdict, certified and confirmed bounds, synthscan version,
seed, preset), ``synthscan_components`` (one row per scan and risk component: status, estimate,
bounds, threshold) and ``synthscan_meta`` (the store's format version).

A record holds aggregate figures, fingerprints and a file name only: never a value from a data
record.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from ..result import ScanResult
from .records import (
    COMPONENT_COLUMNS,
    SCAN_COLUMNS,
    STORE_VERSION,
    ComponentRecord,
    HistoryRecord,
    from_rows,
    record_of,
)

__all__ = ["append_scan", "read_history", "check_store", "record_of", "is_url", "HistoryRecord",
           "ComponentRecord", "SCAN_COLUMNS", "COMPONENT_COLUMNS", "STORE_VERSION"]


def is_url(store: str | Path) -> bool:
    """Whether ``store`` is a database URL (``scheme://...``, for SQLAlchemy) rather than the
    path of an SQLite file."""
    text = str(store)
    scheme, sep, _ = text.partition("://")
    return isinstance(store, str) and bool(sep) and scheme[:1].isalpha() and all(
        ch.isalnum() or ch in "+.-" for ch in scheme)


def check_store(store: str | Path) -> None:
    """Fail early (before a scan) when ``store`` cannot take a record: a directory, a missing
    directory, a file that is not an SQLite database or is a newer store, a URL without
    SQLAlchemy. Nothing is written."""
    if is_url(store):
        from .sql import sqlalchemy_module

        sqlalchemy_module()
        return
    from .sqlite import check_writable

    check_writable(Path(store))


def append_scan(store: str | Path, result: ScanResult) -> HistoryRecord:
    """Append ``result``'s record to ``store`` (created when missing) in one transaction;
    returns the stored record, with its ``id``."""
    rec = record_of(result)
    if is_url(store):
        from .sql import append_sql

        scan_id = append_sql(str(store), rec.row(), rec.component_rows(0))
    else:
        from .sqlite import append

        scan_id = append(Path(store), rec.row(), rec.component_rows(0))
    return rec.with_id(scan_id)


def read_history(store: str | Path, limit: int | None = None) -> list[HistoryRecord]:
    """The records of ``store``, oldest first: the last ``limit`` ones when given."""
    if limit is not None and limit < 1:
        raise UsageError(f"--limit {limit}: must be at least 1 — e.g. --limit 20", key="limit")
    if is_url(store):
        from .sql import read_sql

        scans, comps = read_sql(str(store), limit)
    else:
        from .sqlite import read

        scans, comps = read(Path(store), limit)
    return [from_rows(s, comps.get(s["id"], [])) for s in scans]
