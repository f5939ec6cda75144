"""JUnit XML for the test tabs of CI systems (GitLab, Jenkins, Azure Pipelines, ...).

One ``<testsuite name="synthscan">`` inside ``<testsuites>``, one ``<testcase>`` per check
(``classname`` = criterion, ``name`` = check id). A check with status ``fail`` gets a
``<failure>``; so does ``warn`` when the policy fails on inconclusive verdicts; ``error`` gets
an ``<error>`` and ``skipped`` a ``<skipped>``, each with the check's reason as message. Pass,
info and (under other policies) warn are passing test cases. A differential-privacy claim, when
the scan tested one, is one more test case (``dp_claim``): a ``<failure>`` when refuted.
ElementTree escapes the text; characters XML 1.0 cannot hold at all are replaced by U+FFFD.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from ..dp_claim import DPClaim
from ..fmt import pct
from ..model import CheckResult
from ..result import ScanResult
from .details import counts_rows, details_rows
from .format import figure, figure_interval, interval
from .text import decision_text, status_words
from .view import normalised

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(text: Any) -> str:
    """Text that XML 1.0 can carry."""
    return _NOT_XML.sub("\ufffd", str(text))


def outcome(check: CheckResult, fail_on: str) -> str:
    """``failure``, ``error``, ``skipped`` or ``passed`` for one check under a policy."""
    if check.status == "fail" or (check.status == "warn" and fail_on == "inconclusive"):
        return "failure"
    if check.status == "error":
        return "error"
    if check.status == "skipped":
        return "skipped"
    return "passed"


def _figures(check: CheckResult) -> str:
    if check.estimate is None:
        return ""
    text = f"estimate {figure(check, check.estimate)}, interval {figure_interval(check)}"
    decided = decision_text(check)
    if decided:
        text += f"; bounds decided on: {decided}"
    if check.threshold is not None:
        text += f", threshold {pct(check.threshold)}"
    return text


def _seconds(result: ScanResult, key: str) -> str | None:
    timings = result.run.get("timings_seconds") if isinstance(result.run, dict) else None
    v = timings.get(key) if isinstance(timings, dict) else None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{float(v):.3f}"
    return None


def junit_tree(result: ScanResult) -> ET.Element:
    """The JUnit document as an ElementTree element (``<testsuites>``)."""
    result = normalised(result)
    fail_on = result.policy.fail_on
    outcomes = [outcome(ch, fail_on) for ch in result.checks]
    claim = result.dp_claim
    claim_outcome = None if claim is None else (
        "failure" if claim.refuted else "skipped" if claim.status == "not tested" else "passed")
    every = [*outcomes, *([claim_outcome] if claim_outcome else [])]
    totals = {k: str(every.count(k)) for k in ("failure", "error", "skipped")}
    attrs = {"name": "synthscan", "tests": str(len(every)),
             "failures": totals["failure"], "errors": totals["error"],
             "skipped": totals["skipped"]}
    total_time = _seconds(result, "total")
    if total_time is not None:
        attrs["time"] = total_time
    root = ET.Element("testsuites", {k: v for k, v in attrs.items() if k != "skipped"})
    suite = ET.SubElement(root, "testsuite", attrs)
    if result.run.get("started"):
        suite.set("timestamp", _x(result.run["started"]))
    props = ET.SubElement(suite, "properties")
    for name, value in (("verdict", result.verdict),
                        ("risk", pct(result.risk.estimate)),
                        ("risk_interval", interval(result.risk.lower, result.risk.upper)),
                        ("evidence", result.evidence),
                        ("policy", result.policy.preset),
                        ("fail_on", fail_on),
                        ("policy_passed", "true" if result.passed else "false"),
                        ("seed", result.seed),
                        ("synthscan", result.environment.get("synthscan", ""))):
        ET.SubElement(props, "property", {"name": name, "value": _x(value)})
    for check, result_kind in zip(result.checks, outcomes, strict=True):
        case = ET.SubElement(suite, "testcase", {"name": _x(check.id),
                                                 "classname": _x(check.criterion)})
        t = _seconds(result, f"check:{check.id}")
        if t is not None:
            case.set("time", t)
        figures = _figures(check)
        if result_kind == "failure":
            words = "above threshold" if check.status == "fail" else "inconclusive"
            el = ET.SubElement(case, "failure", {
                "message": _x(f"{check.name or check.id}: {words} ({figures})"),
                "type": _x(check.status)})
            el.text = _x(check.summary)
        elif result_kind == "error":
            el = ET.SubElement(case, "error", {"message": _x(check.reason or "could not compute"),
                                               "type": "error"})
            el.text = _x(check.summary or check.reason)
        elif result_kind == "skipped":
            ET.SubElement(case, "skipped", {"message": _x(check.reason or "not run")})
        lines = [f"{check.name or check.id} [{check.status}: "
                 f"{status_words(check)}]"]
        if figures:
            lines.append(figures)
        if check.summary:
            lines.append(check.summary)
        lines += [f"{k}: {v}" for k, v in counts_rows(check.counts)]
        lines += [f"{k}: {v}" for k, v in details_rows(check.details)]
        ET.SubElement(case, "system-out").text = _x("\n".join(lines))
    if claim is not None and claim_outcome is not None:
        _claim_case(suite, claim, claim_outcome)
    return root


def _claim_case(suite: ET.Element, claim: DPClaim, outcome: str) -> None:
    """The differential-privacy claim's test case with its ``outcome``: a failure when the
    audit refutes it (the policy fails then), skipped when no bound could be computed, else
    passing."""
    case = ET.SubElement(suite, "testcase", {"name": "dp_claim", "classname": "dp_claim"})
    if outcome == "failure":
        el = ET.SubElement(case, "failure", {
            "message": _x(f"differential-privacy claim refuted: {claim.summary}"),
            "type": "refuted"})
        el.text = _x(claim.summary)
    elif outcome == "skipped":
        ET.SubElement(case, "skipped", {"message": _x(claim.summary or "not tested")})
    lines = [f"differential-privacy claim [{claim.status}]", claim.summary]
    for name, value in (("claimed epsilon", claim.claimed_epsilon),
                        ("claimed delta", claim.claimed_delta),
                        ("epsilon lower bound", claim.epsilon_lower),
                        ("confidence", claim.confidence),
                        ("largest refutable epsilon", claim.largest_refutable)):
        if value is not None:
            lines.append(f"{name}: {value:g}")
    ET.SubElement(case, "system-out").text = _x("\n".join(line for line in lines if line))


def render_junit(result: ScanResult) -> str:
    """The JUnit XML text."""
    root = junit_tree(result)
    ET.indent(root, space="  ")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode") + "\n")
