"""``synthscan history``: list the scans recorded in a history store."""

from __future__ import annotations

import json
from enum import Enum
from typing import TYPE_CHECKING

import typer

from ._console import State, handle_errors
from ._options import quiet_option, verbose_option

if TYPE_CHECKING:
    from ..history import HistoryRecord
    from ..result import ScanResult

HELP = """List the scans recorded in a history store, oldest first.

'synthscan scan --history STORE' appends one compact record per scan: when, the inputs'
SHA-256 fingerprints and row counts, the synthetic file's name, the verdict, the certified and
confirmed bounds, every risk component's estimate, bounds and status, the synthscan version,
seed and preset. Never a value from a data record. STORE is an SQLite file (plain tables,
readable with any SQLite client) or an SQLAlchemy database URL (needs 'pip install sqlalchemy').
"""

EXAMPLES = """
Examples:

  synthscan scan train.csv synthetic.csv --holdout holdout.csv --history scans.sqlite

  synthscan history scans.sqlite

  synthscan history scans.sqlite --limit 5 --components

  synthscan history postgresql://ci@db/privacy --format json > history.json

  sqlite3 scans.sqlite "SELECT id, verdict, certified_upper FROM synthscan_scans"

Exit codes: 0 listed; 2 the store does not exist, is not a history store, or needs SQLAlchemy;
3 the store cannot be read.
"""

class Format(str, Enum):
    text = "text"
    json = "json"


def _pct(x: float | None) -> str:
    from ..fmt import pct

    return pct(x)


def format_history(records: list[HistoryRecord], components: bool = False) -> str:
    """The records as a plain-text table, one line per scan (and per component if asked)."""
    if not records:
        return "The history store holds no scan yet."
    lines = [f"{'scan':>5}  {'recorded (UTC)':<16}  {'synthetic':<24} {'verdict':<12} "
             f"{'certified ≤':>11} {'confirmed ≥':>11}  {'binding':<20} {'train':<8} "
             f"{'seed':>5}  version"]
    for r in records:
        name = (r.synthetic_name or "")[:24]
        lines.append(f"{'#' + str(r.id):>5}  {r.recorded_at.replace('T', ' ')[:16]:<16}  "
                     f"{name:<24} {r.verdict:<12} {_pct(r.certified_upper):>11} "
                     f"{_pct(r.confirmed_lower):>11}  {(r.binding or '')[:20]:<20} "
                     f"{(r.train_sha256 or 'n/a')[:8]:<8} {r.seed:>5}  "
                     f"{r.synthscan_version or ''}")
        for c in r.components if components else ():
            lines.append(f"{'':>5}  {c.component:<26} {c.status:<8} estimate "
                         f"{_pct(c.estimate):>7}  confirmed ≥ {_pct(c.confirmed_lower):>7}  "
                         f"certified ≤ {_pct(c.certified_upper):>7}  θ {_pct(c.threshold)}")
    return "\n".join(lines)


@handle_errors
def history(
    store: str = typer.Argument(..., help="An SQLite file, or an SQLAlchemy database URL.",
                                metavar="STORE"),
    limit: int | None = typer.Option(None, "--limit", "-n", metavar="N",
                                     help="Show only the last N scans."),
    components: bool = typer.Option(False, "--components", metavar="",
                                    help="Also list each scan's risk components."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", metavar="FORMAT",
                               help="text (a table) or json (every field, components "
                               "included)."),
    verbose: bool = verbose_option(),
    quiet: bool = quiet_option(),
) -> None:
    State.add(verbose, quiet)
    from ..history import read_history

    records = read_history(store, limit=limit)
    if fmt is Format.json:
        typer.echo(json.dumps([r.to_dict() for r in records], indent=2, ensure_ascii=False))
    else:
        typer.echo(format_history(records, components))


def record_scan(store: str, result: ScanResult) -> list[HistoryRecord]:
    """``scan --history``: append the result's record to ``store``; the last records (this
    one included) for the HTML report's trend."""
    from ..history import append_scan, read_history
    from ..reports.trend import LAST

    append_scan(store, result)
    return read_history(store, limit=LAST)


def recorded_line(store: str | None, records: list[HistoryRecord]) -> str:
    """What ``scan --history`` says once the record is stored (a URL without its password)."""
    from ..history.sql import hide_password

    return f"recorded scan #{records[-1].id} in {hide_password(str(store))}"


def check_history(store: str | None) -> None:
    """``scan --history``: an unusable store stops the scan before any work (exit 2)."""
    if store is not None:
        from ..history import check_store

        check_store(store)
