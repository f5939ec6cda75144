"""The shared interface of every check: a pre-computed context in, a ``CheckResult`` out."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ..config import ScanConfig
from ..data.schema import Schema
from ..encoding.encoder import MixedEncoder
from ..encoding.hashing import CanonicalTables, canonicalize
from ..stats.bounds import Decision, SubTest

STATUSES = ("pass", "warn", "fail", "skipped", "error", "info")


@dataclass
class CheckResult:
    """One check's outcome.

    A risk *component* (``component`` true) reports ``tests``: its sub-tests, each an event
    counted over training and over holdout targets. The verdict turns them into ``decision``
    (the one-sided bounds the status is decided on, with their levels) and fills ``estimate``
    (the worst sub-test's excess ``r_T - r_H``, unclipped) with its two-sided reporting interval
    ``lower``/``upper`` at ``1 - alpha``. ``unit`` names what the excess is a share of (training
    records, unique training records, predicates) and ``unit_total`` how many there are, so that
    a bound can be said in people. Supporting tests keep their own statistic in ``estimate``.
    """

    id: str
    name: str
    criterion: str
    status: str = "info"
    estimate: float | None = None
    lower: float | None = None
    upper: float | None = None
    p_value: float | None = None
    component: bool = False
    threshold: float | None = None
    evidence: str = "holdout-calibrated"
    summary: str = ""
    reason: str = ""
    counts: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    tests: list[SubTest] = field(default_factory=list)
    decision: Decision | None = None
    high_threshold: float | None = None
    unit: str = "training records"
    unit_total: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "criterion": self.criterion,
            "status": self.status,
            "component": self.component,
            "estimate": _num(self.estimate),
            "lower": _num(self.lower),
            "upper": _num(self.upper),
            "p_value": _num(self.p_value),
            "threshold": _num(self.threshold),
            "high_threshold": _num(self.high_threshold),
            "decision": None if self.decision is None else to_jsonable(self.decision.to_dict()),
            "unit": self.unit,
            "unit_total": self.unit_total,
            "tests": [to_jsonable(t.to_dict()) for t in self.tests],
            "evidence": self.evidence,
            "summary": self.summary,
            "reason": self.reason,
            "counts": to_jsonable(self.counts),
            "details": to_jsonable(self.details),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CheckResult:
        fields = {k: d.get(k) for k in cls.__dataclass_fields__ if k in d}
        fields["tests"] = [SubTest.from_dict(t) for t in d.get("tests") or []]
        fields["decision"] = (None if d.get("decision") is None
                              else Decision.from_dict(d["decision"]))
        if fields.get("unit") is None:
            fields.pop("unit", None)
        return cls(**fields)

    @classmethod
    def skipped(cls, id: str, name: str, criterion: str, reason: str,
                component: bool = True) -> CheckResult:
        return cls(id=id, name=name, criterion=criterion, status="skipped",
                   component=component, reason=reason, summary=f"Not run: {reason}")


def _num(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    if math.isnan(x):
        return None
    return round(x, 10) if math.isfinite(x) else None


def to_jsonable(obj: Any) -> Any:
    """Plain JSON types from numpy scalars/arrays, tuples and nested containers."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return _num(float(obj))
    return obj


@dataclass
class ScanContext:
    """Everything checks share, computed once: aligned tables, encodings, neighbour indexes."""

    config: ScanConfig
    schema: Schema
    frames: dict[str, pd.DataFrame]
    names: dict[str, str]
    encoder: MixedEncoder
    encoded: dict[str, np.ndarray]

    @property
    def has_holdout(self) -> bool:
        return "holdout" in self.frames

    def n(self, role: str) -> int:
        return len(self.frames[role]) if role in self.frames else 0

    def rng(self, name: str) -> np.random.Generator:
        """A generator private to one named use, derived from the scan seed: adding or
        reordering checks never changes another check's random draws."""
        digest = hashlib.sha256(f"{self.config.seed}:{name}".encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:8], "little"))

    @cached_property
    def query_rows(self) -> np.ndarray:
        """Synthetic rows used as queries by distance statistics: all of them, or a uniform
        sample of ``config.max_query_rows`` when the release is larger. The real reference set is
        never sampled."""
        n = self.n("synthetic")
        if n <= self.config.max_query_rows:
            return np.arange(n)
        return np.sort(self.rng("query-rows").choice(n, self.config.max_query_rows,
                                                     replace=False))

    @property
    def queries_sampled(self) -> bool:
        return len(self.query_rows) < self.n("synthetic")

    def memo(self, key: str, compute: Any) -> Any:
        """Compute a shared intermediate (e.g. neighbour results) once per scan."""
        cache = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    @cached_property
    def canon_data(self) -> CanonicalTables:
        """Canonical values over the non-identifier columns (what a copy of a person is)."""
        cols = [c.name for c in self.schema.distance_columns]
        numeric = {c.name for c in self.schema.columns if c.is_numeric}
        return canonicalize(self.frames, cols, numeric)

    @cached_property
    def canon_all(self) -> CanonicalTables:
        """Canonical values over every column, identifiers included."""
        numeric = {c.name for c in self.schema.columns if c.is_numeric}
        return canonicalize(self.frames, self.schema.names, numeric)


class Check(Protocol):
    """What every check provides. Adding a check = one module + one registry line."""

    id: str
    name: str
    criterion: str

    def run(self, ctx: ScanContext) -> list[CheckResult]: ...
