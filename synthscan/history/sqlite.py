"""The history in an SQLite file, with the standard library's ``sqlite3`` (no dependency)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from ..errors import InputError, OutputError, UsageError
from .records import (
    COMPONENT_COLUMNS,
    COMPONENT_NAMES,
    SCAN_COLUMNS,
    STORE_VERSION,
    check_version,
    not_a_store,
)

DDL = (
    "CREATE TABLE IF NOT EXISTS synthscan_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS synthscan_scans (id INTEGER PRIMARY KEY, "
    + ", ".join(f"{c} {t}" for c, t, _ in SCAN_COLUMNS[1:]) + ")",
    "CREATE TABLE IF NOT EXISTS synthscan_components (scan_id INTEGER NOT NULL REFERENCES "
    "synthscan_scans (id), " + ", ".join(f"{c} {t}" for c, t, _ in COMPONENT_COLUMNS[1:])
    + ", PRIMARY KEY (scan_id, component))",
)
Rows = list[dict[str, Any]]


def _check_path(path: Path, must_exist: bool) -> None:
    if path.is_dir():
        raise UsageError(f"{path}: is a directory — pass a history file name, e.g. "
                         f"{path / 'history.sqlite'}", source=str(path))
    if must_exist and not path.is_file():
        raise UsageError(f"{path}: no such history store — check the path (a file written by "
                         "'synthscan scan --history')", source=str(path))
    if not path.parent.is_dir():
        raise UsageError(f"{path}: its directory does not exist — create it, or choose "
                         "another history file", source=str(path))


@contextmanager
def _connect(path: Path, read_only: bool) -> Iterator[sqlite3.Connection]:
    """A connection; SQLite's errors become one clear line naming the file."""
    _check_path(path, must_exist=read_only)
    uri = path.resolve().as_uri() + ("?mode=ro" if read_only else "")
    try:
        with closing(sqlite3.connect(uri, uri=True, timeout=30)) as con:
            con.row_factory = sqlite3.Row
            yield con
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "malformed" in str(exc):
            raise not_a_store(str(path), "not an SQLite database") from None
        error = InputError if read_only else OutputError
        raise error(f"{path}: the history store cannot be "
                    f"{'read' if read_only else 'written'} ({exc}) — check the file and its "
                    "permissions", source=str(path)) from None


def _version(con: sqlite3.Connection) -> str | None:
    found = con.execute("SELECT value FROM synthscan_meta WHERE key = 'store_version'").fetchone()
    return None if found is None else str(found[0])


def check_writable(path: Path) -> None:
    """Raise what ``append`` would about ``path`` itself, without writing."""
    _check_path(path, must_exist=False)
    if path.is_file() and path.stat().st_size > 0:
        with _connect(path, read_only=True) as con:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            if "synthscan_meta" in tables:
                check_version(str(path), _version(con))


def append(path: Path, row: dict[str, Any], components: Rows) -> int:
    """Insert one scan and its components in one transaction; the scan's id."""
    with _connect(path, read_only=False) as con, con:
        for statement in DDL:
            con.execute(statement)
        check_version(str(path), _version(con))
        con.execute("INSERT OR IGNORE INTO synthscan_meta VALUES ('store_version', ?)",
                    (str(STORE_VERSION),))
        cur = con.execute(f"INSERT INTO synthscan_scans ({', '.join(row)}) VALUES "
                          f"({', '.join(':' + k for k in row)})", row)
        scan_id = int(cur.lastrowid or 0)
        con.executemany(f"INSERT INTO synthscan_components ({', '.join(COMPONENT_NAMES)}) "
                        f"VALUES ({', '.join(':' + k for k in COMPONENT_NAMES)})",
                        [{**c, "scan_id": scan_id} for c in components])
    return scan_id


def read(path: Path, limit: int | None) -> tuple[Rows, dict[int, Rows]]:
    """The last ``limit`` scans (all when None), oldest first, and their components by id."""
    with _connect(path, read_only=True) as con:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = "
                                            "'table'")}
        if not {"synthscan_meta", "synthscan_scans", "synthscan_components"} <= tables:
            raise not_a_store(str(path), "it holds no synthscan tables")
        check_version(str(path), _version(con))
        scans = [dict(r) for r in con.execute(
            "SELECT * FROM (SELECT * FROM synthscan_scans ORDER BY id DESC LIMIT :n) "
            "ORDER BY id", {"n": -1 if limit is None else limit})]
        comps: dict[int, Rows] = {}
        first = scans[0]["id"] if scans else 0
        for r in con.execute("SELECT * FROM synthscan_components WHERE scan_id >= :first "
                             "ORDER BY scan_id, component", {"first": first}):
            comps.setdefault(r["scan_id"], []).append(dict(r))
    return scans, comps
