"""Re-decide cached scans under the current policy, without re-scanning.

A component's bounds are a function of its sub-test counts, the scan's alpha and the family
size, none of which a policy changes; the policy only sets the thresholds the bounds are
compared with. So a cached row's statuses and verdict can be brought up to date when a
threshold changes: ``fail`` if the confirmed lower bound exceeds the (new) high threshold,
``pass`` if the certified upper bound is below θ, ``warn`` otherwise; the verdict is ``high``
if any component or detection-only check fails, else ``low`` only if every planned component
passes with none missing, else ``inconclusive``.
"""

from __future__ import annotations

from typing import Any

from synthscan.risk.policy import Policy
from synthscan.risk.verdict import component_status, verdict_of


def redecide(row: dict[str, Any], policy: Policy | None = None) -> dict[str, Any]:
    """A copy of a cached scan row with statuses and verdict under ``policy`` (default: the
    default policy). Rows of checks without decision bounds keep their status."""
    policy = policy or Policy()
    checks = []
    for c in row["checks"]:
        d = c.get("decision")
        if c.get("component") and d and c.get("status") in ("pass", "warn", "fail"):
            theta, high = policy.threshold(c["id"]), policy.high_threshold(c["id"])
            status = component_status(d["lower"], d["upper"], theta, high)
            c = {**c, "status": status, "threshold": theta, "high_threshold": high}
        checks.append(c)
    risk = dict(row.get("risk") or {})
    planned = set(risk.get("planned") or [c["id"] for c in checks if c.get("component")])
    missing = {m.get("component") for m in risk.get("missing") or []}
    decided = [c for c in checks if c["id"] in planned and c.get("status") in
               ("pass", "warn", "fail")]
    verdict = verdict_of([c["status"] for c in decided],
                         any(c.get("status") == "fail" for c in checks if c not in decided),
                         bool(missing))
    risk["undecided"] = [c["id"] for c in decided if c["status"] == "warn"]
    return {**row, "checks": checks, "risk": risk, "verdict": verdict}
