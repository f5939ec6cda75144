"""Per-check status, weakest-link overall risk and the three-way verdict.

* A component *fails* when its lower bound exceeds its threshold θ (a confident leak), *passes*
  when its upper bound is below θ, and is a *warning* (inconclusive) otherwise.
* Overall risk is the weakest link: the maximum of the components' estimates, with the maximum of
  their upper bounds; never an average, which would let a good score hide a failure.
* Verdict: ``high`` if any component fails, ``low`` if all pass and no supporting test warns,
  ``inconclusive`` otherwise. Bounds used for decisions are Bonferroni-adjusted across the
  components that ran.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..attacks.base import CheckResult
from .policy import Policy

VERDICTS = ("low", "inconclusive", "high")


@dataclass
class Verdict:
    verdict: str
    estimate: float | None
    lower: float | None
    upper: float | None
    driver: str | None  # the component that sets the overall risk
    n_components: int

    def risk_dict(self) -> dict:
        return {"estimate": self.estimate, "lower": self.lower, "upper": self.upper,
                "driver": self.driver, "components": self.n_components,
                "aggregation": "weakest link (max over components; Bonferroni-adjusted bounds)"}


def decision_bounds(check: CheckResult) -> tuple[float, float]:
    """The (lower, upper) bounds used to decide: family-adjusted when available."""
    adj = check.details.get("adjusted_interval") if check.details else None
    if adj:
        return float(adj[0]), float(adj[1])
    return float(check.lower), float(check.upper)


def apply_policy(checks: list[CheckResult], policy: Policy) -> Verdict:
    """Set each component's threshold and status; return the overall verdict."""
    components = [c for c in checks if c.component and c.status not in ("skipped", "error")
                  and c.estimate is not None]
    for c in components:
        theta = policy.threshold(c.id)
        c.threshold = theta
        lo, hi = decision_bounds(c)
        c.status = "fail" if lo > theta else "pass" if hi < theta else "warn"
    if not components:
        return Verdict("inconclusive", None, None, None, None, 0)
    driver = max(components, key=lambda c: (c.estimate, decision_bounds(c)[1]))
    estimate = max(c.estimate for c in components)
    lower = max(decision_bounds(c)[0] for c in components)
    upper = max(decision_bounds(c)[1] for c in components)
    statuses = {c.status for c in components}
    supporting_warn = any(c.status == "warn" for c in checks if not c.component)
    verdict = ("high" if "fail" in statuses
               else "low" if statuses == {"pass"} and not supporting_warn else "inconclusive")
    return Verdict(verdict, estimate, lower, upper, driver.id, len(components))
