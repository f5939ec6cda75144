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

import math
from dataclasses import dataclass

from ..attacks.base import CheckResult
from .policy import Policy

VERDICTS = ("low", "inconclusive", "high")

#: which rows drive each component's precision (what "more data" means for it)
DATA_DRIVING = {
    "exact_copies": "synthetic rows (and holdout rows, the smaller of train and holdout)",
    "unique_reproduction": "holdout rows",
    "nearest_record_share": "holdout and synthetic rows",
    "distance_no_holdout": "synthetic rows; better: a holdout",
    "membership_inference": "holdout rows (non-member targets and the attacker's reference)",
    "singling_out": "holdout rows (predicates are compared at the holdout's size)",
    "linkability": "holdout rows (targets, up to the cap) and synthetic rows",
    "attribute_inference": "holdout rows (targets: up to 5,000 training and 5,000 holdout "
                           "records)",
}


@dataclass
class Verdict:
    verdict: str
    estimate: float | None
    lower: float | None
    upper: float | None
    driver: str | None  # the component that sets the overall risk
    n_components: int
    guidance: list[dict] | None = None  # for undecided components: how much more data

    def risk_dict(self) -> dict:
        return {"estimate": self.estimate, "lower": self.lower, "upper": self.upper,
                "driver": self.driver, "components": self.n_components,
                "aggregation": "weakest link (max over components; Bonferroni-adjusted bounds)",
                "decision_guidance": self.guidance or []}


#: beyond this factor more data is not a realistic way to decide
MAX_FACTOR = 100.0


def more_data_needed(estimate: float, lower: float, upper: float, theta: float) -> dict:
    """How many times more data would decide an undecided component *if its current estimate
    were the truth* (a noisy estimate can sit on the wrong side of the threshold, so this is
    conditional, not a prediction of the outcome).

    Interval half-widths shrink like 1/sqrt(n). If the estimate is below the threshold, the
    upper bound must come down to it: factor ((upper - est) / (theta - est))^2; if above, the
    lower bound must rise past it: ((est - lower) / (est - theta))^2. At the threshold itself
    no amount of data decides.
    """
    if estimate < theta:
        side, gap_now, gap_needed = "below", upper - estimate, theta - estimate
    elif estimate > theta:
        side, gap_now, gap_needed = "above", estimate - lower, estimate - theta
    else:
        return {"if_estimate_holds": "undecidable", "factor": None}
    factor = (gap_now / gap_needed) ** 2 if gap_needed > 0 else math.inf
    outcome = "low" if side == "below" else "high"
    if not math.isfinite(factor) or factor > MAX_FACTOR:
        return {"if_estimate_holds": outcome, "factor": None,
                "note": f"more than {MAX_FACTOR:.0f}x the data would be needed"}
    return {"if_estimate_holds": outcome, "factor": round(max(factor, 1.0), 1)}


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
    guidance = []
    for c in components:
        if c.status != "warn":
            continue
        lo, hi = decision_bounds(c)
        g = {"component": c.id, **more_data_needed(float(c.estimate), lo, hi, c.threshold)}
        mde = (c.details or {}).get("min_detectable_delta")
        if mde is not None:
            g["min_detectable_effect"] = mde
        g["data"] = DATA_DRIVING.get(c.id, "real and synthetic rows")
        guidance.append(g)
    statuses = {c.status for c in components}
    supporting_warn = any(c.status == "warn" for c in checks if not c.component)
    verdict = ("high" if "fail" in statuses
               else "low" if statuses == {"pass"} and not supporting_warn else "inconclusive")
    return Verdict(verdict, estimate, lower, upper, driver.id, len(components), guidance)
