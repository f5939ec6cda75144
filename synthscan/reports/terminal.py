"""Compact plain-text summary of a result, for the terminal (stderr).

Every status printed is beside the bounds it was decided on: a component fails when its
confirmed (family-adjusted) lower bound exceeds its high threshold, passes when its certified
upper bound is below θ.
"""

from __future__ import annotations

from ..fmt import level, pct
from ..model import CheckResult
from ..result import ScanResult
from ..risk.verdict import in_units

_WORDS = {
    "low": "LOW — every component is certified below its threshold (low risk for these "
           "attacks; not proof of anonymity)",
    "inconclusive": "INCONCLUSIVE — the data can neither confirm nor rule out leakage above "
                    "the thresholds",
    "high": "HIGH — the synthetic data leaks training records",
}


def people(c: CheckResult, bound: float | None, upper: bool = True) -> str | None:
    """A bound said in people: "28 of 10,000 training records"."""
    if bound is None or not c.unit_total:
        return None
    n = int(c.unit_total)
    return f"{in_units(bound, n, upper):,} of {n:,} {c.unit}"


def risk_lines(result: ScanResult) -> list[str]:
    """The certified upper bound and the confirmed lower bound, in shares and in people."""
    r = result.risk
    by_id = {c.id: c for c in result.checks}
    lines = []
    binding = by_id.get(r.binding or "")
    if binding is not None and binding.decision is not None:
        d = binding.decision
        ppl = people(binding, d.upper)
        lines.append(
            f"Certified ({level(d.upper_level)} one-sided): every component's excess is at most "
            f"{pct(r.upper)}; the weakest is {binding.id}: at most {ppl} beyond chance")
    driver = by_id.get(r.driver or "")
    if driver is not None and driver.decision is not None and (r.lower or 0) > 0:
        d = driver.decision
        lines.append(
            f"Confirmed ({level(d.lower_level)} one-sided, family-adjusted): at least "
            f"{people(driver, d.lower, upper=False)} ({pct(d.lower)}) via {driver.id}")
    if r.estimate is not None:
        lines.append(f"Largest point estimate: {pct(r.estimate)} (a maximum of noisy "
                     "estimates, biased upwards)")
    return lines


def guidance_lines(result: ScanResult) -> list[str]:
    r = result.risk
    lines = []
    for m in r.missing:
        lines.append(f"not decided: {m.component} — {m.reason}")
    for g in r.guidance:
        text = (f"undecided: {g.component} — these sizes can certify about "
                f"{pct(g.certifiable)} (threshold {pct(g.threshold)})")
        if g.factor:
            text += f"; about {g.factor:g}x more {g.data} would decide it"
        elif g.note:
            text += f"; {g.note}"
        lines.append(text)
    return lines


def render_summary(result: ScanResult) -> str:
    """Verdict, certified and confirmed bounds, then one line per check."""
    lines = [f"Verdict: {_WORDS.get(result.verdict, result.verdict)}", *risk_lines(result),
             f"Evidence: {result.evidence}", ""]
    comps = [c for c in result.checks if c.component]
    stricter: list[str] = []
    if comps:
        lines.append(f"{'component':<22} {'estimate':>9} {'confirmed ≥':>18} {'certified ≤':>16} "
                     f"{'θ':>7}  status")
    for c in comps:
        d = c.decision
        if d is None:
            lines.append(f"{c.id:<22} {'':>9} {'':>18} {'':>16} {'':>7}  {c.status}")
        else:
            lo = (f"{pct(d.lower)} ({level(d.lower_level)})" if d.lower > 0
                  else f"none ({level(d.lower_level)})")
            hi = f"{pct(d.upper)} ({level(d.upper_level)})"
            theta = pct(c.threshold)
            if c.high_threshold is not None and c.high_threshold != c.threshold:
                theta += "*"
                stricter.append(f"* {c.id}: passes when certified below θ; "
                                + ("any confirmed excess fails" if c.high_threshold == 0 else
                                   f"fails above {pct(c.high_threshold)}"))
            lines.append(f"{c.id:<22} {pct(c.estimate):>9} {lo:>18} {hi:>16} {theta:>7}  "
                         f"{c.status}")
        if c.status in ("skipped", "error") and c.reason:
            lines.append(f"{'':<22} ({c.reason})")
    lines.extend(stricter)
    support = [c for c in result.checks if not c.component]
    if support:
        lines.append("")
        lines.append("supporting figures (reported; none certifies, and only the detection-only "
                     "nearest-record share can fail a release):")
    for c in support:
        if c.status in ("skipped", "error"):
            lines.append(f"  {c.id}: {c.status} ({c.reason})")
            continue
        finding = (c.details or {}).get("finding")
        est = "" if c.estimate is None else (f"{c.estimate:.3f}" if c.scale == "probability"
                                             else pct(c.estimate))
        if c.decision is not None:  # detection-only: can fail the release, never certifies
            finding = (f"FAILS the release: confirmed ≥ {pct(c.decision.lower)} "
                       f"({level(c.decision.lower_level)}) > θ {pct(c.threshold)}"
                       if c.status == "fail" else
                       f"detection-only, threshold {pct(c.threshold)}: no confirmed excess")
        lines.append(f"  {c.id}: {est}" + (f" — {finding}" if finding else ""))
    extra = guidance_lines(result) if result.verdict != "high" else []
    if extra:
        lines.append("")
        lines.extend(extra)
    return "\n".join(lines)
