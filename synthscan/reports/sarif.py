"""SARIF 2.1.0 log for code-scanning dashboards (e.g. GitHub code scanning).

Rule ids are the check ids verbatim (``exact_copies``, ``unique_reproduction``, ...): stable
across runs and versions, and the same names the policy's thresholds use. Every check in the
result is a rule; each check whose status is ``fail`` becomes a result of level ``error`` and
each ``warn`` (inconclusive) a result of level ``warning``; a differential-privacy claim the
scan tested is the rule ``dp_claim``, with a result of level ``error`` when refuted. Results
point at the synthetic input file (its path as given to the scan); an in-memory table gets a
logical location instead.

``<``, ``>`` and ``&`` are written as JSON ``\\u`` escapes, so data-derived strings can never
appear as markup in the file, while any JSON parser reads back the same text.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from ..dp_claim import DPClaim
from ..fmt import pct
from ..model import CheckResult, to_jsonable
from ..result import ScanResult
from .details import describe
from .format import figure, figure_interval
from .text import CRITERION_QUESTIONS, criterion_title, decision_text
from .view import normalised, synthetic_input

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
_LEVELS = {"fail": "error", "warn": "warning"}


_RISK_HELP = ("The estimate is the excess share of training records for whom the attack or "
              "match succeeds beyond comparable records the generator never saw (r_T - r_H). "
              "The component fails when its confirmed lower bound, adjusted for the number of "
              "components and sub-tests, exceeds the policy threshold, and warns when it cannot "
              "be certified below the threshold.")
_INFO_HELP = ("An informational check: its figures are on a scale of its own (see the result "
              "message) and do not enter the overall risk.")


def rule_id(check: CheckResult) -> str:
    """The SARIF rule id of a check: its id, unchanged."""
    return check.id


def _pascal(ident: str) -> str:
    words = [w for w in "".join(ch if ch.isalnum() else " " for ch in ident).split() if w]
    return "".join(w[:1].upper() + w[1:] for w in words) or "Check"


def _uri(path: str) -> str:
    """A relative or absolute path as a URI reference (forward slashes, percent-encoded)."""
    return quote(path.replace("\\", "/"), safe="/-._~")


def _rule(check: CheckResult, result: ScanResult) -> dict[str, Any]:
    question = CRITERION_QUESTIONS.get(check.criterion, "")
    threshold = check.threshold
    full = f"{criterion_title(check.criterion)}. {question}".strip()
    if threshold is not None:
        full += (f" Fails when the interval of the excess risk lies above {pct(threshold)} "
                 f"(policy {result.policy.preset}).")
    rule: dict[str, Any] = {
        "id": rule_id(check),
        "name": _pascal(check.id),
        "shortDescription": {"text": check.name or check.id},
        "fullDescription": {"text": full},
        "defaultConfiguration": {"level": "error" if check.component else "warning"},
        "help": {"text": _RISK_HELP if check.component else _INFO_HELP},
        "properties": {"criterion": check.criterion, "component": bool(check.component),
                       "tags": ["privacy", "synthetic-data", check.criterion]},
    }
    return rule


def _message(check: CheckResult) -> str:
    words = {"fail": "above the policy threshold", "warn": "inconclusive against the policy "
             "threshold"}.get(check.status, check.status)
    text = (f"{check.name or check.id}: {words}. Estimate {figure(check, check.estimate)} "
            f"(interval {figure_interval(check)})")
    text += (f", threshold {pct(check.threshold)}." if check.threshold is not None
             else " (for information; not part of the overall risk).")
    decided = decision_text(check)
    if decided:
        text += f" Bounds decided on: {decided}."
    if check.summary:
        text += " " + " ".join(check.summary.split())
    return text


def _location(result: ScanResult) -> tuple[dict[str, Any], str]:
    """The location of every result and a stable key naming it."""
    syn = synthetic_input(result)
    if syn and syn.path:
        uri = _uri(syn.path)
        return {"physicalLocation": {"artifactLocation": {"uri": uri, "index": 0}}}, uri
    name = syn.name if syn and syn.name else "synthetic"
    return {"logicalLocations": [{"name": "synthetic", "fullyQualifiedName": name,
                                  "kind": "parameter"}]}, name


def _artifacts(result: ScanResult) -> list[dict[str, Any]]:
    syn = synthetic_input(result)
    if not syn or not syn.path:
        return []
    art: dict[str, Any] = {"location": {"uri": _uri(syn.path)}, "roles": ["analysisTarget"]}
    if syn.sha256:
        art["hashes"] = {"sha-256": syn.sha256}
    return [art]


def sarif_log(result: ScanResult) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict."""
    result = normalised(result)
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for check in result.checks:
        rid = rule_id(check)
        if rid not in index:
            index[rid] = len(rules)
            rules.append(_rule(check, result))
    location, where = _location(result)
    results = []
    for check in result.checks:
        level = _LEVELS.get(check.status)
        if level is None:
            continue
        rid = rule_id(check)
        fingerprint = hashlib.sha256(f"{rid}\0{where}".encode()).hexdigest()
        results.append({
            "ruleId": rid,
            "ruleIndex": index[rid],
            "level": level,
            "message": {"text": _message(check)},
            "locations": [location],
            "partialFingerprints": {"synthscanCheck/v1": fingerprint},
            "properties": {
                "status": check.status,
                "estimate": check.estimate, "lower": check.lower, "upper": check.upper,
                "threshold": check.threshold, "evidence": check.evidence,
                "counts": to_jsonable(check.counts),
                "details": {str(k): describe(str(k), v)
                            for k, v in (check.details or {}).items()},
            },
        })
    if result.dp_claim is not None:
        _add_claim(result.dp_claim, rules, results, location, where)
    version = str(result.environment.get("synthscan", "unknown"))
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "synthscan", "version": version, "rules": rules}},
        "invocations": [{"executionSuccessful": True}],
        "results": results,
        "properties": {
            "verdict": result.verdict,
            "risk": {"estimate": result.risk.estimate, "lower": result.risk.lower,
                     "upper": result.risk.upper, "driver": result.risk.driver},
            "evidence": result.evidence,
            "policy": {"preset": result.policy.preset,
                       "fail_on": result.policy.fail_on,
                       "passed": result.passed},
            "seed": result.seed,
            "resultSchema": result.schema_version,
        },
    }
    artifacts = _artifacts(result)
    if artifacts:
        run["artifacts"] = artifacts
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _add_claim(claim: DPClaim, rules: list[dict[str, Any]], results: list[dict[str, Any]],
               location: dict[str, Any], where: str) -> None:
    """The differential-privacy claim as a rule, and as a result of level ``error`` when the
    audit refutes it (the policy fails then)."""
    rules.append({
        "id": "dp_claim", "name": "DpClaim",
        "shortDescription": {"text": "Differential-privacy claim"},
        "fullDescription": {"text": "Is the vendor's claim that the release is (epsilon, "
                                    "delta)-differentially private consistent with a one-run "
                                    "audit? Fails when an epsilon lower bound exceeds the "
                                    "claim."},
        "defaultConfiguration": {"level": "error"},
        "help": {"text": "A refuted claim is false for this release; not refuted is weak "
                         "evidence (the audit is limited by the number of guesses)."},
        "properties": {"criterion": "dp_claim", "component": False,
                       "tags": ["privacy", "synthetic-data", "differential-privacy"]},
    })
    if not claim.refuted:
        return
    fingerprint = hashlib.sha256(f"dp_claim\0{where}".encode()).hexdigest()
    results.append({
        "ruleId": "dp_claim", "ruleIndex": len(rules) - 1, "level": "error",
        "message": {"text": f"Differential-privacy claim refuted: {claim.summary}"},
        "locations": [location],
        "partialFingerprints": {"synthscanCheck/v1": fingerprint},
        "properties": {"status": claim.status, "claimed_epsilon": claim.claimed_epsilon,
                       "claimed_delta": claim.claimed_delta,
                       "epsilon_lower": claim.epsilon_lower, "confidence": claim.confidence},
    })


def render_sarif(result: ScanResult) -> str:
    """The SARIF log as JSON text."""
    text = json.dumps(sarif_log(result), indent=2, ensure_ascii=False, allow_nan=False)
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return text + "\n"
