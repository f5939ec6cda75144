"""The reports' wording: verdicts, criteria and statuses in plain words, and the sentences
built from them. Plain text; each renderer escapes it for its own format."""

from __future__ import annotations

from ..fmt import level, pct
from ..model import CheckResult
from ..result import ScanResult

#: the criteria in the order reports present them; unknown criteria follow in order of appearance
CRITERIA_ORDER = ("copies", "distance", "membership", "singling_out", "linkability", "inference")

CRITERION_TITLES = {
    "copies": "Copies of real records",
    "distance": "Closeness to real records",
    "membership": "Membership inference",
    "singling_out": "Singling out",
    "linkability": "Linkability",
    "inference": "Attribute inference",
}

CRITERION_QUESTIONS = {
    "copies": "Does the synthetic data contain real training records verbatim? A copied record "
              "discloses everything recorded about that person.",
    "distance": "Are synthetic records closer to the training records than to comparable real "
                "records the generator never saw? Closeness beyond what the holdout shows points "
                "to near-copies (memorised records).",
    "membership": "Can someone holding the synthetic data tell whether a given person's record "
                  "was used for training? Being in the training data can itself be sensitive "
                  "(for example, a patient registry).",
    "singling_out": "Can the synthetic data be used to isolate one real person by a combination "
                    "of attributes?",
    "linkability": "Can the synthetic data be used to link records about the same person held "
                   "in different datasets?",
    "inference": "Can someone who knows some of a person's attributes use the synthetic data to "
                 "infer another, sensitive attribute more accurately for people in the training "
                 "data than for others?",
}

VERDICT_HEADLINES = {
    "low": "Low risk: every risk component is certified below its policy threshold",
    "inconclusive": "Inconclusive: leakage above the policy thresholds can neither be confirmed "
                    "nor ruled out",
    "high": "High risk: the synthetic data leaks information about people in the training data",
}

VERDICT_EXPLANATIONS = {
    "low": "Every planned risk component ran, and each one's one-sided upper bound is below its "
           "policy threshold: leakage above the thresholds is ruled out at the stated "
           "confidence, for these estimands. This is not proof that the data are anonymous: "
           "only the attacks listed in this report were tried, at the sample sizes available.",
    "inconclusive": "No component confirms leakage above its threshold, but at least one "
                    "could not be certified below it (or could not run). The data neither "
                    "convict nor acquit this release; the undecided components and the data "
                    "that would decide them are listed.",
    "high": "At least one component's confirmed lower bound (family-adjusted over every "
            "component and sub-test) exceeds the policy's threshold. The release should not "
            "go ahead as it is.",
}

NO_COMPONENT_EXPLANATION = (
    "No risk check could be computed on these inputs, so the scan gives no evidence either way. "
    "See the reasons given for each check."
)

STATUS_WORDS = {
    "pass": "within threshold",
    "warn": "inconclusive",
    "fail": "above threshold",
    "skipped": "not run",
    "error": "could not compute",
    "info": "for information",
}

#: what a status means for a check decided without a threshold of its own
_NO_THRESHOLD_WORDS = {"pass": "no signal", "warn": "unclear", "fail": "signal found"}

#: the verdict that makes the policy fail, in words
FAIL_ON_WORDS = {
    "high": "fails on a high verdict",
    "inconclusive": "fails on an inconclusive or high verdict",
    "never": "never fails (report only)",
}


def criterion_title(criterion: str) -> str:
    """A criterion's title; an unknown criterion's id made readable."""
    return CRITERION_TITLES.get(criterion, criterion.replace("_", " ").capitalize())


def group_by_criterion(checks: list[CheckResult]) -> list[tuple[str, list[CheckResult]]]:
    """Checks grouped by criterion: known criteria in their fixed order, then the others in
    order of first appearance; checks keep their order within a group."""
    groups: dict[str, list[CheckResult]] = {}
    for c in checks:
        groups.setdefault(c.criterion or "other", []).append(c)
    known = [k for k in CRITERIA_ORDER if k in groups]
    rest = [k for k in groups if k not in CRITERIA_ORDER]
    return [(k, groups[k]) for k in known + rest]


def verdict_headline(result: ScanResult) -> str:
    return VERDICT_HEADLINES.get(result.verdict, result.verdict)


def verdict_explanation(result: ScanResult) -> str:
    if not result.risk.components:
        return NO_COMPONENT_EXPLANATION
    return VERDICT_EXPLANATIONS.get(result.verdict, "")


def policy_outcome(result: ScanResult) -> str:
    """The policy, what fails it, and whether this result passed, e.g. ``public-release (fails
    on a high verdict): passed``."""
    p = result.policy
    outcome = "passed" if result.passed else "FAILED"
    return f"{p.preset} ({FAIL_ON_WORDS.get(p.fail_on, p.fail_on)}): {outcome}"


def status_words(check: CheckResult) -> str:
    """What a status means for this check: against the threshold for checks that have one."""
    if check.threshold is None and check.status in _NO_THRESHOLD_WORDS:
        return _NO_THRESHOLD_WORDS[check.status]
    return STATUS_WORDS.get(check.status, check.status)


def overall_risk_sentence(result: ScanResult) -> str:
    """The certified and confirmed bounds of the whole release in one sentence."""
    r = result.risk
    if r.upper is None:
        return "Overall risk: not available (no risk component could be decided)."
    binding = f", weakest component {r.binding}" if r.binding else ""
    return (f"Certified upper bound ({level(r.upper_level)} one-sided): {pct(r.upper)}{binding}; "
            f"confirmed lower bound: {pct(r.lower)}.")


def decision_text(check: CheckResult) -> str | None:
    """The bounds a component's status was decided on, with their levels, in words."""
    d = check.decision
    if d is None:
        return None
    return (f"confirmed at least {pct(max(d.lower, 0.0))} ({level(d.lower_level)} one-sided, "
            f"family-adjusted); certified at most {pct(d.upper)} ({level(d.upper_level)} "
            f"one-sided); worst of {d.sub_tests} sub-test(s)")
