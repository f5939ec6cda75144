"""The reports' wording: verdicts, criteria and statuses in plain words, and the sentences
built from them. Plain text; each renderer escapes it for its own format."""

from __future__ import annotations

from ..fmt import level, pct
from ..model import CheckResult

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

STATUS_WORDS = {
    "pass": "certified",
    "warn": "undecided",
    "fail": "leak confirmed",
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


def finding(check: CheckResult) -> tuple[str, str]:
    """What a supporting test (not a risk component) found, and how strongly to mark it:
    (``no evidence of copying`` or ``evidence of copying``, ``none`` / ``evidence`` / ``fail``).
    A supporting test never certifies, so it never reads as a pass."""
    what = "copying" if check.criterion in ("copies", "distance") else "leakage"
    own = (check.details or {}).get("finding") if isinstance(check.details, dict) else None
    d = check.decision
    if check.status == "fail" and isinstance(own, str) and own.startswith("FAILED"):
        return own, "fail"  # a failed precondition says what failed
    if check.status == "fail":
        return f"evidence of {what}: fails the release", "fail"
    if isinstance(own, str) and own:
        flagged = check.status == "warn" or own.lower().startswith(("evidence", "failed"))
        return own, "evidence" if flagged else "none"
    if d is not None:
        signal = d.lower > 0
    elif check.lower is not None:
        signal = check.lower > (0.5 if check.scale == "probability" else 0.0)
    else:
        return STATUS_WORDS.get(check.status, check.status), "none"
    return (f"evidence of {what}", "evidence") if signal else (f"no evidence of {what}", "none")


def status_words(check: CheckResult) -> str:
    """What a status means for this check: against the threshold for risk components, the
    finding for supporting tests."""
    if not check.component and check.status not in ("skipped", "error"):
        return finding(check)[0]
    if check.threshold is None and check.status in _NO_THRESHOLD_WORDS:
        return _NO_THRESHOLD_WORDS[check.status]
    return STATUS_WORDS.get(check.status, check.status)


def decision_text(check: CheckResult) -> str | None:
    """The bounds a component's status was decided on, with their levels, in words."""
    d = check.decision
    if d is None:
        return None
    return (f"confirmed at least {pct(max(d.lower, 0.0))} ({level(d.lower_level)} one-sided, "
            f"family-adjusted); certified at most {pct(d.upper)} ({level(d.upper_level)} "
            f"one-sided); worst of {_sub_tests(d.sub_tests)}")


def _sub_tests(n: int) -> str:
    return "one sub-test" if n == 1 else f"{n} sub-tests"
