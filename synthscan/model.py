"""The result model: what one check found (``CheckResult``) and what the verdict concluded
(``Risk``). Plain frozen dataclasses, a leaf of the package (it imports only the bounds'
types), serialised to JSON at the edge by ``to_dict`` / ``from_dict``.

A ``CheckResult`` is immutable once a check returns it: the verdict returns decided copies.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

import numpy as np

from .stats.bounds import Decision, SubTest
from .types import Json, Scale, Status


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome.

    A risk *component* (``component`` true) reports ``tests``: its sub-tests, each an event
    counted over training and over holdout targets. The verdict turns them into ``decision``
    (the one-sided bounds the status is decided on, with their levels) and fills ``estimate``
    (the worst sub-test's excess ``r_T - r_H``, unclipped) with its two-sided reporting interval
    ``lower``/``upper`` at ``level`` (``1 - alpha``). ``unit`` names what the excess is a share
    of (training records, unique training records, predicates) and ``unit_total`` how many there
    are, so that a bound can be said in people. Supporting tests keep their own statistic in
    ``estimate``; a detection-only check gives its unclipped ``estimate`` with its
    ``standard_error``.
    ``summary`` is the plain-language sentence the pipeline writes from these fields.
    """

    id: Annotated[str, Json("Stable identifier; also the policy threshold key and the SARIF "
                            "rule id.", minLength=1)]
    name: str
    criterion: Annotated[str, Json("Group of the check: copies, distance, membership, "
                                   "singling_out, linkability, inference (others may be added).")]
    status: Status = "info"
    estimate: Annotated[float | None, Json(
        "Components: the worst sub-test's excess r_T - r_H (unclipped, -1..1). Supporting "
        "checks: their own statistic.")] = None
    lower: Annotated[float | None, Json("Two-sided reporting interval at `level` (components: "
                                        "of the worst sub-test).")] = None
    upper: Annotated[float | None, Json("Two-sided reporting interval at `level` (components: "
                                        "of the worst sub-test).")] = None
    p_value: Annotated[float | None, Json(minimum=0, maximum=1)] = None
    scale: Annotated[Scale, Json("What the estimate is: a share (of the unit), printed as a "
                                 "percentage, or a probability such as an AUC.")] = "share"
    level: Annotated[float | None, Json("Confidence level of [lower, upper] (1 - alpha).",
                                        exclusiveMinimum=0, exclusiveMaximum=1)] = None
    component: Annotated[bool, Json(
        "True for a risk component: decided against a policy threshold from its sub-tests; "
        "false for supporting figures, which never decide the verdict.")] = False
    threshold: Annotated[float | None, Json("The policy's threshold θ: the certified upper bound "
                                            "must be below it to pass.", exclusiveMinimum=0,
                                            exclusiveMaximum=1)] = None
    evidence: str = "holdout-calibrated"
    summary: Annotated[str, Json("One plain sentence written from the fields.")] = ""
    reason: Annotated[str, Json("Why the check was skipped or could not be computed.")] = ""
    counts: Mapping[str, Any] = field(default_factory=dict)
    details: Annotated[Mapping[str, Any], Json(
        "Check-specific descriptive figures; nothing decides on them; no values from individual "
        "records.")] = field(default_factory=dict)
    tests: Annotated[tuple[SubTest, ...], Json(
        "Sub-tests: an event counted over training targets (k_t of n_t) and holdout targets "
        "(k_h of n_h); counts may be fractional (tie credit).")] = ()
    decision: Annotated[Decision | None, Json("The bounds the status was decided on.")] = None
    high_threshold: Annotated[float | None, Json(
        "The confirmed lower bound must exceed it to fail.", minimum=0,
        exclusiveMaximum=1)] = None
    unit: Annotated[str, Json("What the component's excess is a share of: training records, "
                              "unique training records, predicates, synthetic rows.")] = (
        "training records")
    unit_total: Annotated[int | None, Json(minimum=0)] = None
    standard_error: Annotated[float | None, Json(
        "Detection-only checks: the standard error of the unclipped estimate.", minimum=0)] = None
    vacuous: Annotated[bool, Json(
        "The component has nothing to attack on these data (no unique record, no isolatable "
        "row): skipped, and it passes with its reason.")] = False

    def __post_init__(self) -> None:
        if not isinstance(self.tests, tuple):
            object.__setattr__(self, "tests", tuple(self.tests))

    def replace(self, **changes: Any) -> CheckResult:
        """A copy with ``changes`` applied (results are immutable)."""
        return dataclasses.replace(self, **changes)

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
            "scale": self.scale,
            "level": _num(self.level),
            "threshold": _num(self.threshold),
            "high_threshold": _num(self.high_threshold),
            "decision": None if self.decision is None else to_jsonable(self.decision.to_dict()),
            "unit": self.unit,
            "unit_total": self.unit_total,
            "standard_error": _num(self.standard_error),
            "vacuous": self.vacuous,
            "tests": [to_jsonable(t.to_dict()) for t in self.tests],
            "evidence": self.evidence,
            "summary": self.summary,
            "reason": self.reason,
            "counts": to_jsonable(self.counts),
            "details": to_jsonable(self.details),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CheckResult:
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in d.items() if k in names and v is not None}
        kwargs["tests"] = tuple(SubTest.from_dict(t) for t in d.get("tests") or [])
        kwargs["decision"] = (None if d.get("decision") is None
                              else Decision.from_dict(d["decision"]))
        for key in ("estimate", "lower", "upper", "p_value", "level", "threshold",
                    "high_threshold", "standard_error"):
            kwargs[key] = d.get(key)
        return cls(**kwargs)


@dataclass(frozen=True)
class People:
    """The risk said in people: at most ``at_most`` of ``of`` ``unit`` (the certified bound of
    ``component``); at least ``at_least`` (the confirmed bound) when a leak is confirmed."""

    train_rows: Annotated[int, Json(minimum=0)] = 0
    at_most: Annotated[int | None, Json(minimum=0)] = None
    of: Annotated[int | None, Json(minimum=0)] = None
    unit: str | None = None
    component: str | None = None
    at_least: Annotated[int | None, Json(minimum=0)] = None

    #: written only when known (the JSON omits null figures)
    __json_optional__: ClassVar = ("at_most", "of", "unit", "component", "at_least")


@dataclass(frozen=True)
class Missing:
    """A planned component that was not decided, and why."""

    component: str
    reason: str


@dataclass(frozen=True)
class Precondition:
    """A precondition of the calibrated checks that failed (e.g. the holdout is not a random
    split of the training population), and why: it keeps the verdict from ``low``."""

    check: str
    reason: str


@dataclass(frozen=True)
class SplitVerification:
    """The split manifest the train and holdout files were verified against (``scan
    --split-manifest``): the split's facts, and how each file matched (its whole-file digest,
    or the salted hashes of its rows)."""

    manifest: str
    method: str
    seed: int
    holdout_fraction: Annotated[float, Json(exclusiveMinimum=0, exclusiveMaximum=1)]
    split_at: Annotated[str, Json("When the split was made (UTC, from the manifest).")]
    train_rows: Annotated[int, Json(minimum=0)]
    holdout_rows: Annotated[int, Json(minimum=0)]
    train_matched_by: Annotated[str, Json("'file digest' or 'row hashes'.")]
    holdout_matched_by: Annotated[str, Json("'file digest' or 'row hashes'.")]
    summary: Annotated[str, Json("One plain sentence for reports.")] = ""


@dataclass(frozen=True)
class Guidance:
    """What would decide an undecided component: the threshold these sizes can certify, and
    how much more data (a factor on the rows, and the rows) if the estimate holds."""

    component: str
    certifiable: float
    threshold: float
    binding_sub_test: str
    data: str
    if_estimate_holds: str
    note: str | None = None
    factor: float | None = None
    rows_needed: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Risk:
    """The verdict's figures over the decided components.

    ``upper`` is certified (the largest unadjusted one-sided upper bound, at ``upper_level``),
    ``lower`` confirmed (the largest family-adjusted lower bound, at least 0); ``estimate`` is
    the largest point estimate, biased upwards. ``binding`` names the component whose upper
    bound is the certified one, ``driver`` the one with the largest lower bound.
    """

    upper_level: Annotated[float, Json(exclusiveMinimum=0, exclusiveMaximum=1)]
    estimate: Annotated[float | None, Json(
        "Largest point estimate over components: a maximum of noisy estimates, biased "
        "upwards. The verdict reads the bounds.")] = None
    lower: Annotated[float | None, Json(
        "Confirmed: the largest family-adjusted one-sided lower bound, at least 0.")] = None
    upper: Annotated[float | None, Json(
        "Certified: the largest unadjusted one-sided upper bound (level upper_level).")] = None
    binding: Annotated[str | None, Json(
        "Id of the component whose upper bound is the certified one.")] = None
    driver: Annotated[str | None, Json("Id of the component with the largest lower bound.")] = (
        None)
    planned: Annotated[tuple[str, ...], Json("The risk components the scan set out to "
                                             "decide.")] = ()
    people: Annotated[People, Json("The bounds said in people.")] = field(
        default_factory=People)
    undecided: Annotated[tuple[str, ...], Json(
        "Components whose bounds straddle their threshold.")] = ()
    missing: Annotated[tuple[Missing, ...], Json(
        "Planned components that did not run, were skipped or errored: each keeps the verdict "
        "from low.")] = ()
    guidance: Annotated[tuple[Guidance, ...], Json(
        "What would decide each undecided component.")] = ()
    preconditions_failed: Annotated[tuple[Precondition, ...], Json(
        "Preconditions of the calibrated checks that failed (e.g. holdout validity): each "
        "keeps the verdict from low, none makes it high.")] = ()

    #: JSON names that differ from the field's, and figures written beside the fields
    __json_names__: ClassVar = {"guidance": "decision_guidance"}
    __json_extra__: ClassVar = {
        "components": {"type": "integer", "minimum": 0,
                       "description": "Number of planned risk components."},
        "estimate_note": {"type": "string"}, "upper_meaning": {"type": "string"},
        "lower_meaning": {"type": "string"}, "aggregation": {"type": "string"},
    }

    @property
    def components(self) -> int:
        return len(self.planned)

    def to_dict(self) -> dict[str, Any]:
        level = self.upper_level
        people = {k: v for k, v in dataclasses.asdict(self.people).items() if v is not None}
        return to_jsonable({
            "estimate": self.estimate,
            "estimate_note": "largest point estimate over components: a maximum of noisy "
                             "estimates, biased upwards; the verdict reads the bounds",
            "lower": self.lower,
            "upper": self.upper,
            "upper_level": level,
            "upper_meaning": f"certified: every component's excess is below its one-sided "
                             f"{level:.0%} upper bound; this is the largest",
            "lower_meaning": "confirmed: the largest family-adjusted one-sided lower bound "
                             "(0 when nothing is confirmed)",
            "binding": self.binding,
            "driver": self.driver,
            "components": self.components,
            "planned": list(self.planned),
            "people": people,
            "undecided": list(self.undecided),
            "missing": [dataclasses.asdict(m) for m in self.missing],
            "aggregation": "weakest link: high if any component's family-adjusted lower bound "
                           "exceeds its threshold; low only if every planned component's "
                           "unadjusted upper bound is below its threshold",
            "decision_guidance": [dataclasses.asdict(g) for g in self.guidance],
            "preconditions_failed": [dataclasses.asdict(p) for p in self.preconditions_failed],
        })

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Risk:
        people = {k: v for k, v in (d.get("people") or {}).items()
                  if k in {f.name for f in dataclasses.fields(People)}}
        return cls(
            upper_level=float(d.get("upper_level", 0.95)), estimate=d.get("estimate"),
            lower=d.get("lower"), upper=d.get("upper"), binding=d.get("binding"),
            driver=d.get("driver"), planned=tuple(d.get("planned") or ()),
            people=People(**people), undecided=tuple(d.get("undecided") or ()),
            missing=tuple(Missing(str(m["component"]), str(m["reason"]))
                          for m in d.get("missing") or []),
            guidance=tuple(Guidance(**g) for g in d.get("decision_guidance") or []),
            preconditions_failed=tuple(Precondition(str(p["check"]), str(p["reason"]))
                                       for p in d.get("preconditions_failed") or []),
        )


def _num(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    if math.isnan(x):
        return None
    return round(x, 10) if math.isfinite(x) else None


def to_jsonable(obj: Any) -> Any:
    """Plain JSON types from numpy scalars/arrays, tuples and nested containers."""
    if isinstance(obj, Mapping):
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
