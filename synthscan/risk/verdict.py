"""The verdict: per-component status from one-sided bounds, then high / low / inconclusive.

Every risk component reports sub-tests (an event counted over training and over holdout
targets); its estimand is the excess share ``e = r_T - r_H`` of training data subjects. With
``K`` the number of planned components and ``m_k`` a component's sub-tests:

* ``fail``  when the lower bound at ``alpha / (K m_k)`` exceeds the component's ``high``
  threshold (Bonferroni: P(any false fail) <= alpha when every true excess is at most θ);
* ``pass``  when the upper bound at ``alpha`` (no adjustment) is below θ;
* ``warn``  otherwise.

``high`` if some component fails; ``low`` only if *every planned* component passes — one that
was skipped for lack of rows, or errored, blocks ``low`` (P(false low) <= alpha by the
intersection–union argument: a false ``low`` needs the bound of the leaking component to fall
below θ); ``inconclusive`` otherwise, naming the undecided and the missing components.
Supporting tests (data copying, NNDR, the exact-copy share) are reported and never gate
``low``: a zero-difference test certifies nothing. A *detection-only* check (the nearest-record
share) joins the Bonferroni family and fails the release when its own lower bound at
``alpha / K`` exceeds its threshold, but never gates ``low``. A failed *precondition* (holdout
validity: train and holdout do not look like one random split) keeps the verdict from ``low``
and never makes it ``high``; a *material* one (status ``fail``: the holdout is another
population) keeps it from ``high`` too.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from ..model import CheckResult, Guidance, Missing, People, Precondition, Risk
from ..stats.bounds import (
    Decision,
    decide,
    more_data_factor,
    reporting_interval,
    worst_test,
)
from ..types import Status, VerdictName
from .policy import DATA_DRIVING, Policy

#: beyond this factor more data is not a realistic way to decide
MAX_FACTOR = 100.0


def in_units(bound: float, total: int, upper: bool = True) -> int:
    """A share bound said as a count of ``total`` units: an upper bound rounds up, a lower
    bound down (the tolerance keeps an exact share like 0.28 x 100 from rounding past 28)."""
    b = max(bound, 0.0) * total
    return min(total, math.ceil(b - 1e-9) if upper else math.floor(b + 1e-9))


@dataclass(frozen=True)
class Verdict:
    """The scan's verdict and the figures behind it."""

    verdict: VerdictName
    risk: Risk


def _people(decided: Sequence[CheckResult], driver: str | None, lower: float | None,
            train_rows: int) -> People:
    """The risk in people: only from components whose unit is a training person (not
    predicates or synthetic rows)."""
    units = {c.id: (c.decision.upper, c.unit, int(c.unit_total or train_rows))
             for c in decided if c.decision is not None and "training records" in c.unit}
    if not units:
        return People(train_rows=train_rows)
    worst = max(units, key=lambda k: in_units(units[k][0], units[k][2]))
    ub, unit, total = units[worst]
    at_least = None
    if lower is not None and train_rows and driver in units:
        at_least = in_units(lower, units[driver][2], upper=False)
    return People(train_rows=train_rows, at_most=in_units(ub, total), of=total, unit=unit,
                  component=worst, at_least=at_least)


def component_decision(check: CheckResult, alpha: float, family: int) -> Decision | None:
    tests = list(check.tests or [])
    return decide(tests, alpha, family) if tests else None


def _guidance(check: CheckResult, d: Decision, theta: float, alpha: float) -> Guidance:
    base: dict[str, Any] = {"component": check.id, "certifiable": d.certifiable, "threshold": theta,
            "binding_sub_test": d.binding,
            "data": DATA_DRIVING.get(check.id, "real and synthetic rows")}
    if d.estimate >= theta:
        return Guidance(**base, if_estimate_holds="high",
                        note="the estimate is at or above the threshold: more data would more "
                             "likely confirm a leak than rule one out")
    factor = more_data_factor(check.tests, theta, alpha, MAX_FACTOR)
    if factor is None or factor > MAX_FACTOR:
        return Guidance(**base, if_estimate_holds="low",
                        note=f"more than {MAX_FACTOR:.0f}x the data would be needed")
    counts = check.counts or {}
    rows = {k: math.ceil(float(counts[k]) * factor) for k in ("train_rows", "holdout_rows")
            if isinstance(counts.get(k), (int, float))}
    return Guidance(**base, if_estimate_holds="low", factor=round(factor, 1), rows_needed=rows)


def detection_decision(check: CheckResult, alpha: float, family: int) -> Decision | None:
    """Normal-approximation bounds of a detection-only check from its unclipped estimate and
    standard error: the lower bound at alpha / K decides a fail."""
    from scipy.special import ndtri

    est, se = check.estimate, check.standard_error
    if est is None or se is None or not se >= 0:
        return None
    a_high = alpha / max(family, 1)
    return Decision(estimate=float(est), lower=float(est - ndtri(1 - a_high) * se),
                    upper=float(est + ndtri(1 - alpha) * se), lower_level=1 - a_high,
                    upper_level=1 - alpha, sub_tests=1, worst=check.id, binding=check.id,
                    certifiable=float(ndtri(1 - alpha) * se), standard_error=float(se))


def component_status(lower: float, upper: float, theta: float, theta_high: float) -> Status:
    """``fail`` if the confirmed bound exceeds the high threshold, ``pass`` if the certified
    bound is below θ, ``warn`` otherwise."""
    return "fail" if lower > theta_high else "pass" if upper < theta else "warn"


def verdict_of(statuses: Collection[str], detector_failed: bool,
               missing: bool) -> VerdictName:
    """``high`` if a decided component or a detection-only check fails; ``low`` only if
    components were decided, every one passes and no planned one is missing; else
    ``inconclusive``."""
    if "fail" in statuses or detector_failed:
        return "high"
    if statuses and set(statuses) == {"pass"} and not missing:
        return "low"
    return "inconclusive"


def _missing(planned: Sequence[str], by_id: dict[str, CheckResult]) -> list[Missing]:
    """Planned components that did not run, were skipped (unless vacuous) or errored."""
    missing = []
    for cid in planned:
        got = by_id.get(cid)
        if got is None:
            missing.append(Missing(cid, "did not run"))
        elif got.status == "skipped" and got.vacuous:
            continue  # the data gives this attack nothing to work on; the result says why
        elif got.status in ("skipped", "error"):
            missing.append(Missing(cid, got.reason or got.status))
    return missing


def failed_preconditions(checks: Sequence[CheckResult],
                         preconditions: Collection[str]) -> tuple[Precondition, ...]:
    """The precondition checks that ran and did not pass (``warn``: the data contradict the
    precondition; ``error``: it could not be verified). A skipped one (too few rows: the
    components are missing then too) does not count."""
    return tuple(Precondition(c.id, c.reason or c.status) for c in checks
                 if c.id in preconditions and c.status in ("warn", "fail", "error"))


VOID_REASON = ("compared with a holdout from another population: neither an excess nor a bound "
               "says anything about memorisation (see holdout validity)")


def _void_decisions(checks: list[CheckResult]) -> list[CheckResult]:
    """After a material precondition failure (the holdout is another population) no decision
    stands: a decided component becomes undecided, a failing detector is reported only."""
    out = []
    for c in checks:
        if c.component and c.status in ("pass", "fail"):
            c = c.replace(status="warn", reason=c.reason or VOID_REASON)
        elif c.status == "fail" and c.decision is not None:
            c = c.replace(status="info", reason=c.reason or VOID_REASON)
        out.append(c)
    return out


def apply_policy(checks: list[CheckResult], policy: Policy, alpha: float,
                 planned: Sequence[str], detectors: Sequence[str] = (),
                 preconditions: Collection[str] = ()
                 ) -> tuple[list[CheckResult], Verdict]:
    """Decide every component; return the checks with their decisions and the verdict.

    ``planned`` lists the component ids this scan set out to decide; a planned component that
    is absent, skipped or errored blocks ``low``. ``detectors`` lists detection-only checks,
    which can fail the release but never gate ``low``. K, the Bonferroni family for ``high``,
    counts both (but vacuous components: nothing to attack, decided by the data's shape).
    ``preconditions`` lists checks of the calibration's assumptions (holdout validity): one
    that fails keeps the verdict from ``low`` (it is then ``inconclusive``, with the reason in
    ``risk.preconditions_failed``) and never makes it ``high``; a material failure (status
    ``fail``: the holdout is another population) voids every decision: nothing is confirmed or
    certified. It is not
    in the family. The checks given are not modified: decided copies are returned.
    """
    planned = list(planned)
    # a component with nothing to attack (no identifier column, no unique record) is decided
    # by the data's shape, not by an outcome: it does not widen the family
    vacuous = {c.id for c in checks if c.vacuous}
    family = max(len([p for p in planned if p not in vacuous]) + len(detectors), 1)
    by_id = {c.id: c for c in checks}
    out: list[CheckResult] = []
    decided: list[CheckResult] = []
    detected: list[CheckResult] = []
    for c in checks:
        if c.id in detectors and c.status not in ("skipped", "error"):
            # a detector with sub-tests (the canary test) is bounded like a component
            d = (component_decision(c, alpha, family) if c.tests
                 else detection_decision(c, alpha, family))
            if d is not None:
                theta, theta_high = policy.threshold(c.id), policy.high_threshold(c.id)
                c = c.replace(decision=d, threshold=theta, high_threshold=theta_high,
                              status="fail" if d.lower > theta_high else "info")
                detected.append(c)
            out.append(c)
            continue
        if not c.component or c.status in ("skipped", "error"):
            out.append(c)
            continue
        d = component_decision(c, alpha, family)
        if d is None:  # a component that ran but produced no sub-test cannot be decided
            c = c.replace(status="error", reason=c.reason or "produced no comparable counts")
            out.append(c)
            continue
        theta = policy.threshold(c.id)
        theta_high = policy.high_threshold(c.id)
        status = component_status(d.lower, d.upper, theta, theta_high)
        lo, hi = reporting_interval(worst_test(c.tests, alpha), alpha)
        c = c.replace(decision=d, status=status, threshold=theta, high_threshold=theta_high,
                      estimate=d.estimate, lower=lo, upper=hi, level=1 - alpha)
        out.append(c)
        decided.append(c)

    if any(c.id in preconditions and c.status == "fail" for c in checks):
        out, decided, detected = _void_decisions(out), _void_decisions(decided), \
            _void_decisions(detected)
    missing = _missing(planned, by_id)
    undecided = [c.id for c in decided if c.status == "warn"]
    statuses = {c.status for c in decided}
    train_rows = max((int(c.counts.get("train_rows", 0) or 0) for c in checks), default=0)
    level = 1 - alpha
    blocked = failed_preconditions(checks, preconditions)
    verdict = verdict_of(statuses, any(c.status == "fail" for c in detected),
                         bool(missing) or bool(blocked))

    fails = {c.id: c.decision for c in detected if c.status == "fail" and c.decision}
    if not decided:
        driver = next(iter(fails), None)
        lower = max((d.lower for d in fails.values()), default=None)
        return out, Verdict(verdict, Risk(
            upper_level=level, lower=lower, driver=driver, planned=tuple(planned),
            people=People(train_rows=train_rows), undecided=tuple(undecided),
            missing=tuple(missing), preconditions_failed=blocked))
    ds = {c.id: c.decision for c in decided if c.decision is not None}
    binding = max(ds, key=lambda k: (ds[k].upper, ds[k].estimate))
    # the confirmed bound: components, and detection-only checks that failed the release
    lows = {**ds, **fails}
    driver = max(lows, key=lambda k: (lows[k].lower, lows[k].estimate))
    lower = max(0.0, max(d.lower for d in lows.values()))
    guidance = tuple(_guidance(c, c.decision, c.threshold, alpha) for c in decided
                     if c.status == "warn" and c.decision is not None
                     and c.threshold is not None)
    return out, Verdict(verdict, Risk(
        upper_level=level, estimate=max(d.estimate for d in ds.values()), lower=lower,
        upper=max(d.upper for d in ds.values()), binding=binding, driver=driver,
        planned=tuple(planned), people=_people(decided, driver, lower, train_rows),
        undecided=tuple(undecided), missing=tuple(missing), guidance=guidance,
        preconditions_failed=blocked))
