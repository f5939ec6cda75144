"""The history's record of one scan, and the two tables that hold it.

The tables are plain SQL, the same in an SQLite file and in any database SQLAlchemy reaches::

    synthscan_meta        key TEXT PRIMARY KEY, value TEXT   ('store_version', '1')
    synthscan_scans       one row per scan (SCAN_COLUMNS; ``id`` the integer primary key)
    synthscan_components  one row per (scan_id, component) (COMPONENT_COLUMNS)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..data.io import TableSource
from ..errors import UsageError
from ..model import to_jsonable
from ..result import ScanResult

STORE_VERSION = 1
#: (column, SQL type, meaning) of each table, in order
SCAN_COLUMNS = (
    ("id", "INTEGER", "the record's number, in the order appended"),
    ("recorded_at", "TEXT", "when the record was appended (UTC, ISO 8601)"),
    ("started_at", "TEXT", "when the scan started (UTC, ISO 8601)"),
    ("synthscan_version", "TEXT", "the synthscan version that scanned"),
    ("result_schema", "TEXT", "the result's schema_version"),
    ("preset", "TEXT", "policy preset"),
    ("fail_on", "TEXT", "the verdict from which the policy fails"),
    ("alpha", "REAL", "the scan's error rate"),
    ("seed", "INTEGER", "the scan's seed"),
    ("verdict", "TEXT", "low, inconclusive or high"),
    ("passed", "INTEGER", "1 when the policy passed, else 0"),
    ("certified_upper", "REAL", "certified upper bound (risk.upper)"),
    ("upper_level", "REAL", "its one-sided confidence level"),
    ("confirmed_lower", "REAL", "confirmed lower bound (risk.lower)"),
    ("binding", "TEXT", "the component whose upper bound is the certified one"),
    ("driver", "TEXT", "the component with the largest lower bound"),
    ("synthetic_name", "TEXT", "the synthetic table's file name (no directory)"),
    ("train_sha256", "TEXT", "SHA-256 of the training file"),
    ("holdout_sha256", "TEXT", "SHA-256 of the holdout file"),
    ("synthetic_sha256", "TEXT", "SHA-256 of the synthetic file"),
    ("train_rows", "INTEGER", "rows of the training table"),
    ("holdout_rows", "INTEGER", "rows of the holdout table"),
    ("synthetic_rows", "INTEGER", "rows of the synthetic table"))
COMPONENT_COLUMNS = (
    ("scan_id", "INTEGER", "synthscan_scans.id"),
    ("component", "TEXT", "the component's id"),
    ("status", "TEXT", "pass, warn, fail, skipped or error"),
    ("estimate", "REAL", "the worst sub-test's excess r_T - r_H"),
    ("confirmed_lower", "REAL", "family-adjusted one-sided lower bound"),
    ("certified_upper", "REAL", "one-sided upper bound"),
    ("threshold", "REAL", "the policy's threshold"))
SCAN_NAMES = tuple(c for c, _, _ in SCAN_COLUMNS)
COMPONENT_NAMES = tuple(c for c, _, _ in COMPONENT_COLUMNS)


@dataclass(frozen=True)
class ComponentRecord:
    component: str
    status: str
    estimate: float | None
    confirmed_lower: float | None
    certified_upper: float | None
    threshold: float | None


@dataclass(frozen=True)
class HistoryRecord:
    """One scan as the store keeps it (``id`` is None until it is stored)."""

    id: int | None
    recorded_at: str
    started_at: str | None
    synthscan_version: str | None
    result_schema: str
    preset: str
    fail_on: str
    alpha: float
    seed: int
    verdict: str
    passed: bool
    certified_upper: float | None
    upper_level: float
    confirmed_lower: float | None
    binding: str | None
    driver: str | None
    synthetic_name: str | None
    train_sha256: str | None
    holdout_sha256: str | None
    synthetic_sha256: str | None
    train_rows: int | None
    holdout_rows: int | None
    synthetic_rows: int | None
    components: tuple[ComponentRecord, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def row(self) -> dict[str, Any]:
        """The ``synthscan_scans`` row, without ``id`` (the store numbers it)."""
        d = self.to_dict()
        d["passed"] = int(self.passed)
        return {c: d[c] for c in SCAN_NAMES[1:]}

    def component_rows(self, scan_id: int) -> list[dict[str, Any]]:
        return [{"scan_id": scan_id, **asdict(c)} for c in self.components]

    def with_id(self, scan_id: int) -> HistoryRecord:
        return HistoryRecord(**{**self.__dict__, "id": scan_id})


def record_of(result: ScanResult, now: datetime | None = None) -> HistoryRecord:
    """The compact record of a result: aggregate figures, fingerprints and the synthetic
    file's name — nothing from a data record."""
    inputs: dict[str, TableSource] = {str(i.table): i for i in result.inputs}
    r = result.risk

    def of(table: str, attr: str) -> Any:
        source = inputs.get(table)
        return None if source is None else getattr(source, attr)

    comps = tuple(ComponentRecord(c.id, c.status, *to_jsonable((
        c.estimate, None if c.decision is None else c.decision.lower,
        None if c.decision is None else c.decision.upper, c.threshold)))
        for c in result.checks if c.component)
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    # figures rounded as result.json stores them: the history and the file agree
    certified_upper, confirmed_lower, upper_level = to_jsonable((r.upper, r.lower,
                                                                 r.upper_level))
    return HistoryRecord(
        id=None, recorded_at=stamp.isoformat(timespec="seconds"),
        started_at=result.run.get("started"),
        synthscan_version=result.environment.get("synthscan"),
        result_schema=result.schema_version, preset=result.policy.preset,
        fail_on=result.policy.fail_on, alpha=result.config.alpha, seed=result.seed,
        verdict=result.verdict, passed=result.passed, certified_upper=certified_upper,
        upper_level=upper_level, confirmed_lower=confirmed_lower, binding=r.binding,
        driver=r.driver, synthetic_name=of("synthetic", "name"),
        train_sha256=of("train", "sha256"), holdout_sha256=of("holdout", "sha256"),
        synthetic_sha256=of("synthetic", "sha256"), train_rows=of("train", "n_rows"),
        holdout_rows=of("holdout", "n_rows"), synthetic_rows=of("synthetic", "n_rows"),
        components=comps)


def from_rows(row: Mapping[str, Any], comps: Sequence[Mapping[str, Any]]) -> HistoryRecord:
    """A record from its stored rows (columns a later format added are left out)."""
    d = {c: row[c] for c in SCAN_NAMES}
    d["passed"] = bool(d["passed"])
    return HistoryRecord(**d, components=tuple(
        ComponentRecord(**{c: r[c] for c in COMPONENT_NAMES[1:]}) for r in comps))


def check_version(store: str, version: str | None) -> None:
    """Refuse a store written in a later format."""
    if version is not None and version.isdigit() and int(version) > STORE_VERSION:
        raise UsageError(f"{store}: history store format {version} was written by a newer "
                         f"synthscan (this one reads format {STORE_VERSION}) — upgrade synthscan",
                         source=store)


def not_a_store(store: str, why: str) -> UsageError:
    return UsageError(f"{store}: not a synthscan history store ({why}) — pass a store written "
                      "by 'synthscan scan --history', or a new file name", source=store)
