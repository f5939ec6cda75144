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
``alpha / K`` exceeds its threshold, but never gates ``low``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..attacks.base import CheckResult
from ..stats.bounds import (
    Decision,
    decide,
    more_data_factor,
    reporting_interval,
    worst_test,
)
from .policy import Policy

VERDICTS = ("low", "inconclusive", "high")

#: which rows drive each component's precision (what "more data" means for it)
DATA_DRIVING = {
    "verbatim": "unique records: more training and holdout rows (each unique training record "
                "is a target)",
    "closeness": "holdout rows (they set the 1% closeness threshold) and training rows",
    "distance_no_holdout": "a holdout: real records the generator never saw",
    "membership_inference": "holdout rows (non-member targets and the attacker's reference)",
    "singling_out": "holdout rows and predicates (predicates are compared at the holdout's "
                    "size)",
    "linkability": "holdout rows (targets, up to the cap) and synthetic rows",
    "attribute_inference": "holdout rows (targets: up to 5,000 training and 5,000 holdout "
                           "records)",
}

#: beyond this factor more data is not a realistic way to decide
MAX_FACTOR = 100.0


def in_units(bound: float, total: int, upper: bool = True) -> int:
    """A share bound said as a count of ``total`` units: an upper bound rounds up, a lower
    bound down (the tolerance keeps an exact share like 0.28 x 100 from rounding past 28)."""
    b = max(bound, 0.0) * total
    return min(total, math.ceil(b - 1e-9) if upper else math.floor(b + 1e-9))


@dataclass
class Verdict:
    verdict: str
    alpha: float
    components: list[str]  # planned components (the Bonferroni family for `high`)
    estimate: float | None  # max of point estimates: biased upwards
    lower: float | None  # confirmed: max of the family-adjusted lower bounds, at least 0
    upper: float | None  # certified: max of the unadjusted upper bounds
    binding: str | None  # the component whose upper bound is the certified one
    driver: str | None  # the component with the largest lower bound
    train_rows: int = 0
    #: per component deciding the risk line: (upper bound, unit, unit total)
    units: dict[str, tuple[float, str, int]] = field(default_factory=dict)
    undecided: list[str] = field(default_factory=list)
    missing: list[dict[str, str]] = field(default_factory=list)
    guidance: list[dict[str, Any]] = field(default_factory=list)

    def risk_dict(self) -> dict[str, Any]:
        level = 1 - self.alpha
        people: dict[str, Any] = {"train_rows": self.train_rows}
        # people: the components whose unit is a training person (not predicates or rows)
        personal = {k: v for k, v in self.units.items() if "training records" in v[1]}
        if personal:
            worst = max(personal, key=lambda k: in_units(personal[k][0], personal[k][2]))
            ub, unit, total = personal[worst]
            people.update({"at_most": in_units(ub, total), "of": total, "unit": unit,
                           "component": worst})
        if self.lower is not None and self.train_rows and self.driver in self.units \
                and "training records" in self.units[self.driver][1]:
            _, unit, total = self.units[self.driver]
            people["at_least"] = in_units(self.lower, total, upper=False)
        return {
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
            "components": len(self.components),
            "planned": list(self.components),
            "people": people,
            "undecided": list(self.undecided),
            "missing": list(self.missing),
            "aggregation": "weakest link: high if any component's family-adjusted lower bound "
                           "exceeds its threshold; low only if every planned component's "
                           "unadjusted upper bound is below its threshold",
            "decision_guidance": list(self.guidance),
        }


def component_decision(check: CheckResult, alpha: float, family: int) -> Decision | None:
    tests = list(check.tests or [])
    return decide(tests, alpha, family) if tests else None


def _guidance(check: CheckResult, d: Decision, theta: float, alpha: float) -> dict[str, Any]:
    g: dict[str, Any] = {"component": check.id, "certifiable": d.certifiable,
                         "threshold": theta, "binding_sub_test": d.binding,
                         "data": DATA_DRIVING.get(check.id, "real and synthetic rows")}
    factor = more_data_factor(check.tests, theta, alpha, MAX_FACTOR)
    if d.estimate >= theta:
        g["if_estimate_holds"] = "high"
        g["note"] = ("the estimate is at or above the threshold: more data would more likely "
                     "confirm a leak than rule one out")
    elif factor is None or factor > MAX_FACTOR:
        g["if_estimate_holds"] = "low"
        g["factor"] = None
        g["note"] = f"more than {MAX_FACTOR:.0f}x the data would be needed"
    else:
        g["if_estimate_holds"] = "low"
        g["factor"] = round(factor, 1)
        counts = check.counts or {}
        g["rows_needed"] = {k: math.ceil(float(counts[k]) * factor)
                            for k in ("train_rows", "holdout_rows")
                            if isinstance(counts.get(k), (int, float))}
    return g


def detection_decision(check: CheckResult, alpha: float, family: int) -> Decision | None:
    """Normal-approximation bounds of a detection-only check from its unclipped estimate and
    standard error (``details``): the lower bound at alpha / K decides a fail."""
    from scipy.special import ndtri

    d = check.details or {}
    est, se = d.get("delta_unclipped"), d.get("standard_error")
    if not isinstance(est, (int, float)) or not isinstance(se, (int, float)) or se < 0:
        return None
    a_high = alpha / max(family, 1)
    return Decision(estimate=float(est), lower=float(est - ndtri(1 - a_high) * se),
                    upper=float(est + ndtri(1 - alpha) * se), lower_level=1 - a_high,
                    upper_level=1 - alpha, sub_tests=1, worst=check.id, binding=check.id,
                    certifiable=float(ndtri(1 - alpha) * se), standard_error=float(se))


def apply_policy(checks: list[CheckResult], policy: Policy, alpha: float,
                 planned: Sequence[str], detectors: Sequence[str] = ()
                 ) -> tuple[list[CheckResult], Verdict]:
    """Decide every component; return the checks with their decisions and the verdict.

    ``planned`` lists the component ids this scan set out to decide; a planned component that
    is absent, skipped or errored blocks ``low``. ``detectors`` lists detection-only checks,
    which can fail the release but never gate ``low``. K, the Bonferroni family for ``high``,
    counts both. The checks given are not modified: decided copies are returned.
    """
    planned = list(planned)
    family = max(len(planned) + len(detectors), 1)
    by_id = {c.id: c for c in checks}
    out: list[CheckResult] = []
    decided: list[CheckResult] = []
    detected: list[CheckResult] = []
    for c in checks:
        if c.id in detectors and c.status not in ("skipped", "error"):
            d = detection_decision(c, alpha, family)
            if d is not None:
                theta = policy.threshold(c.id)
                c = dataclasses.replace(c, decision=d, threshold=theta, high_threshold=theta,
                                        status="fail" if d.lower > theta else "info")
                detected.append(c)
            out.append(c)
            continue
        if not c.component or c.status in ("skipped", "error"):
            out.append(c)
            continue
        d = component_decision(c, alpha, family)
        if d is None:  # a component that ran but produced no sub-test cannot be decided
            c = dataclasses.replace(c, status="error",
                                    reason=c.reason or "produced no comparable counts")
            out.append(c)
            continue
        theta = policy.threshold(c.id)
        theta_high = policy.high_threshold(c.id)
        status = "fail" if d.lower > theta_high else "pass" if d.upper < theta else "warn"
        lo, hi = reporting_interval(worst_test(c.tests, alpha), alpha)
        c = dataclasses.replace(c, decision=d, status=status, threshold=theta,
                                high_threshold=theta_high, estimate=d.estimate, lower=lo,
                                upper=hi)
        out.append(c)
        decided.append(c)

    missing = []
    for cid in planned:
        got = by_id.get(cid)
        if got is None:
            missing.append({"component": cid, "reason": "did not run"})
        elif got.status == "skipped" and (got.details or {}).get("vacuous"):
            continue  # the data gives this attack nothing to work on; the result says why
        elif got.status in ("skipped", "error"):
            missing.append({"component": cid, "reason": got.reason or got.status})
    undecided = [c.id for c in decided if c.status == "warn"]
    statuses = {c.status for c in decided}
    if "fail" in statuses or any(c.status == "fail" for c in detected):
        verdict = "high"
    elif decided and statuses == {"pass"} and not missing:
        verdict = "low"
    else:
        verdict = "inconclusive"
    train_rows = max((int(c.counts.get("train_rows", 0) or 0) for c in checks), default=0)
    if not decided:
        driver = next((c.id for c in detected if c.status == "fail"), None)
        lower = max((c.decision.lower for c in detected  # type: ignore[union-attr]
                     if c.status == "fail"), default=None)
        return out, Verdict(verdict=verdict, alpha=alpha, components=planned, estimate=None,
                            lower=lower, upper=None, binding=None, driver=driver,
                            train_rows=train_rows, undecided=undecided, missing=missing)
    ds = {c.id: c.decision for c in decided}
    binding = max(ds, key=lambda k: (ds[k].upper, ds[k].estimate))  # type: ignore[union-attr]
    # the confirmed bound: components, and detection-only checks that failed the release
    lows = {**ds, **{c.id: c.decision for c in detected if c.status == "fail"}}
    driver = max(lows, key=lambda k: (lows[k].lower, lows[k].estimate))  # type: ignore[union-attr]
    guidance = [_guidance(c, c.decision, c.threshold, alpha)  # type: ignore[arg-type]
                for c in decided if c.status == "warn"]
    return out, Verdict(
        verdict=verdict, alpha=alpha, components=planned,
        estimate=max(d.estimate for d in ds.values() if d is not None),
        lower=max(0.0, max(d.lower for d in lows.values() if d is not None)),
        upper=max(d.upper for d in ds.values() if d is not None),
        binding=binding, driver=driver, train_rows=train_rows,
        units={c.id: (c.decision.upper, c.unit, int(c.unit_total or train_rows))  # type: ignore[union-attr]
               for c in decided},
        undecided=undecided, missing=missing, guidance=guidance,
    )
