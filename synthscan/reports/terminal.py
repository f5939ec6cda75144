"""Compact plain-text summary of a result, for the terminal (stderr).

The verdict box (what was confirmed or certified, in people; the policy outcome), one table row
per risk component with the bounds its status was decided on and both thresholds (a component
fails when its confirmed lower bound exceeds the threshold it fails at, passes when its certified
upper bound is below the one it must pass), the supporting tests' findings, the next steps, and
what each ``--fail-on`` level does. The command line closes with ``closing_line``: whether the
policy failed, and why.
"""

from __future__ import annotations

from ..model import CheckResult
from ..result import ScanResult
from . import text
from .format import decision_cells, figure, threshold_cells
from .next_steps import EXPOSED_ROWS_FILE, next_steps, rows_text
from .verdict_box import verdict_box
from .view import normalised

_STATUS = {"pass": "pass (certified)", "warn": "warn (undecided)", "fail": "fail (leak confirmed)"}

FAIL_ON_LINE = ("Fail-on levels: high exits 1 on a confirmed leak; inconclusive also exits 1 "
                "when a check is not certified below its threshold; never always exits 0 "
                "(report only).")

_WHY_FAILED = {
    "high": "a leak is confirmed; the next steps above list the exposed records",
    "inconclusive": "not every check is certified below its threshold; the next steps above "
                    "say what would decide them",
}


def closing_line(verdict: str, fail_on: str, option: str, failed: bool) -> str:
    """The last line of a scan: whether the policy failed (the exit code) and why, in one
    line that cannot contradict the verdict."""
    head = f"verdict {verdict!r} and {option} {fail_on}"
    by_verdict = verdict == "high" or (verdict == "inconclusive" and fail_on == "inconclusive")
    if failed:
        return (f"Policy failed: {head} — exit code 1: "
                + (_WHY_FAILED.get(verdict, "see the report") if by_verdict else
                   "the verdict alone does not fail it, another policy rule does (a refuted "
                   "differential-privacy claim); see the report"))
    if verdict == "low":
        return f"Policy passed: {head} — exit code 0: every check is certified below its threshold"
    if verdict == "high":
        why = f"a leak IS confirmed, but {option} never only reports"
    elif fail_on == "never":
        why = f"no confirmed leak, but no certification either; {option} never only reports"
    else:
        why = (f"no confirmed leak, but no certification either; {option} inconclusive would "
               "fail it")
    return f"Policy not failed: {head} — exit code 0: {why}"


def _box_lines(result: ScanResult) -> list[str]:
    box = verdict_box(result)
    lines = [f"Verdict: {box.word} — {box.meaning}"]
    for title, statements in (("Confirmed", box.confirmed), ("Certified", box.certified)):
        if statements:
            lines.append(f"{title}:")
            lines += [f"  {s.name}: {s.text} ({s.level})" for s in statements]
    if box.more_certified:
        lines.append(f"  and {box.more_certified} more certified below their thresholds")
    if box.not_certified:
        lines.append("Not certified:")
        lines += [f"  {s.name}: {s.text}" for s in box.not_certified]
    lines.append(f"Policy: {box.policy}")
    lines.append(f"Evidence: {result.evidence}")
    return lines


def _table(comps: list[CheckResult]) -> list[str]:
    if not comps:
        return []
    lines = [f"{'component':<22} {'estimate':>9} {'confirmed ≥ (level)':>21} "
             f"{'certified ≤ (level)':>21} {'passes below':>13} {'fails above':>12}  status"]
    for c in comps:
        lo, hi = decision_cells(c)
        below, above = threshold_cells(c)
        above = above.replace(" (any)", "")
        est = "" if c.estimate is None else figure(c, c.estimate)
        status = _STATUS.get(c.status, c.status)
        lines.append(f"{c.id:<22} {est:>9} {lo:>21} {hi:>21} {below:>13} {above:>12}  {status}")
        if c.status in ("skipped", "error") and c.reason:
            lines.append(f"{'':<22} ({c.reason})")
    return lines


def _supporting(result: ScanResult) -> list[str]:
    support = [c for c in result.checks if not c.component]
    if not support:
        return []
    lines = ["", "supporting tests (reported, never certify):"]
    for c in support:
        if c.status in ("skipped", "error"):
            lines.append(f"  {c.id}: {c.status} ({c.reason})")
            continue
        est = "" if c.estimate is None else figure(c, c.estimate)
        lines.append(f"  {c.id}: {est} — {text.finding(c)[0]}")
    return lines


def _steps(result: ScanResult) -> list[str]:
    lines = ["", "Next steps:"]
    for i, s in enumerate(next_steps(result), 1):
        lines.append(f"  {i}. {s.title}. {s.text}")
        lines += [f"     - {item}" for item in s.items]
        if s.exposure is not None:
            lines.append(f"     row positions, {rows_text(s.exposure)} (all in "
                         f"{EXPOSED_ROWS_FILE} beside the reports)")
    return lines


def render_summary(result: ScanResult) -> str:
    """The verdict box, the components with the bounds they were decided on, the supporting
    tests, the next steps and what each fail-on level does."""
    result = normalised(result)
    comps = [c for _, group in text.group_by_criterion(result.checks) for c in group
             if c.component]
    lines = [*_box_lines(result), "", *_table(comps), *_supporting(result), *_steps(result),
             "", FAIL_ON_LINE + f" This scan's fail-on level: {result.policy.fail_on}."]
    return "\n".join(lines)
