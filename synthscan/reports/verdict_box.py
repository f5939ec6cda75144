"""The verdict box every report opens with: the verdict, one sentence of what it means, what was
confirmed or certified in people (with the confidence level), what could not be certified, the
policy outcome in words that cannot contradict the verdict, and what ``low`` covers and does not.
Plain text; each renderer escapes and lays it out."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..fmt import level
from ..model import CheckResult
from ..result import ScanResult
from . import people

MEANINGS = {
    "high": "A leak is confirmed: at least one check shows, beyond chance and after adjusting for "
            "the number of checks, that the synthetic data exposes people in the training data "
            "more than the policy allows. Do not release it as it is.",
    "inconclusive": "No leak is confirmed, but not every check could be certified below its "
                    "policy threshold with these data: the release is neither cleared nor "
                    "convicted.",
    "low": "Every planned check is certified below its policy threshold: leakage above the "
           "thresholds is ruled out for these attacks at the stated confidence. Low risk, not "
           "anonymity.",
}
INVALID_HOLDOUT = ("The holdout does not look like a random split of the training data, and "
                   "every calibrated check compares training with holdout records: nothing can "
                   "be certified, and an excess over this holdout is no evidence of a leak "
                   "either. Fix the holdout and scan again.")
NO_COMPONENT = ("No risk check could be computed on these inputs, so the scan gives no evidence "
                "either way; the reasons are listed with each check.")

COVERS = ("verbatim copies of unique records, near copies closer than the holdout's closest 1%, "
          "and this attack battery (membership inference, singling out, linkability, attribute "
          "inference) on training records beyond holdout records")
NOT_COVERED = ("near copies farther away, aggregate leakage (statistics that reveal a group), "
               "attacks that retrain the generator or reconstruct records, and linkage with "
               "outside data; it assumes the holdout was split off at random before training")


def _searched(key: str) -> bool:
    """Whether a details key records how an attack step searched (``searches``, or a
    ``*_search`` such as membership's ``reference_search`` and ``synthetic_search``)."""
    return key == "searches" or key.endswith("_search")


APPROXIMATE_NOTE = ("; {names} searched neighbours approximately (certified, see each "
                    "check's search details): a slightly weaker attack than the exact one, so "
                    "scan with --exact to certify the exact attacks")


def approximate_attacks(result: ScanResult) -> list[str]:
    """Names of the risk checks whose attack steps used an approximate neighbour search."""
    out = []
    for c in result.checks:
        how = [v for key, v in c.details.items() if _searched(key)] if c.component else []
        if any(isinstance(h, dict) and h.get("search", "exact") != "exact" for h in how):
            out.append(short_name(c))
    return out


#: components named first in the certified statement: the copies a reader asks about first
_FIRST = ("verbatim", "closeness")
#: at most this many certified statements; the table lists the rest
MAX_CERTIFIED = 3


@dataclass(frozen=True)
class Statement:
    """One figure in people: the check's name, the sentence and its confidence level."""

    check: str
    name: str
    text: str
    level: str


@dataclass(frozen=True)
class VerdictBox:
    verdict: str
    word: str
    meaning: str
    confirmed: list[Statement] = field(default_factory=list)
    certified: list[Statement] = field(default_factory=list)
    more_certified: int = 0
    not_certified: list[Statement] = field(default_factory=list)
    policy: str = ""
    policy_failed: bool = False
    covers: str = COVERS
    not_covered: str = NOT_COVERED
    covers_label: str = "Low covers"


def short_name(check: CheckResult) -> str:
    """A check's name without its parenthesised method: ``Membership inference``."""
    name = check.name or check.id.replace("_", " ")
    return name.split(" (")[0].split(":")[0].strip()


def policy_outcome(result: ScanResult) -> tuple[bool, str]:
    """(failed, words) for the policy: never "passed" for a verdict that is not ``low``."""
    p = result.policy
    failed = not result.passed
    v = result.verdict
    claim = getattr(result, "dp_claim", None)
    if failed and getattr(claim, "refuted", False):
        said = "; a leak is confirmed too" if v == "high" else f" (the verdict is {v})"
        return True, ("FAILED — the differential-privacy claim is refuted by the audit" + said)
    if failed and v == "high":
        return True, (f"FAILED — a leak is confirmed ({p.preset} fails on a high verdict)")
    if failed:
        return True, (f"FAILED — no leak is confirmed, but {p.preset} requires every check to be "
                      "certified below its threshold")
    if p.fail_on == "never":
        said = {"high": "a leak is confirmed", "low": "every check is certified below its "
                "threshold"}.get(v, "no confirmed leak, but no certification either")
        return False, f"report only ({p.preset} never fails) — the verdict is {v}: {said}"
    if v == "low":
        return False, "passed — every check is certified below its threshold"
    return False, (f"not failed — no confirmed leak, but no certification either ({p.preset} "
                   "fails only on a high verdict)")


def _statement(c: CheckResult, confirmed: bool) -> Statement:
    if confirmed:
        return Statement(c.id, short_name(c), people.confirmed(c), people.confirmed_level(c))
    return Statement(c.id, short_name(c), people.certified(c), people.certified_level(c))


def _certified(result: ScanResult) -> tuple[list[Statement], int]:
    passed = [c for c in result.checks
              if c.component and c.status == "pass" and c.decision is not None]
    weakest = result.risk.people.component or result.risk.binding
    order = [c for cid in _FIRST for c in passed if c.id == cid]
    order += [c for c in passed if c.id == weakest and c not in order]
    order += [c for c in passed if c not in order and people.is_people(c)]
    order += [c for c in passed if c not in order]
    shown = order[:MAX_CERTIFIED]
    return [_statement(c, False) for c in shown], len(passed) - len(shown)


def verdict_box(result: ScanResult) -> VerdictBox:
    """The verdict box of a (normalised) result."""
    v = result.verdict
    meaning = MEANINGS.get(v, "") if result.risk.components else NO_COMPONENT
    confirmed = [_statement(c, True) for c in result.checks
                 if c.status == "fail" and c.decision is not None]
    certified, more = _certified(result)
    undecided = [Statement(c.id, short_name(c), people.not_certified(c),
                           level(c.decision.upper_level) if c.decision else "")
                 for c in result.checks if c.component and c.status == "warn"]
    names = {c.id: short_name(c) for c in result.checks}
    missing = [Statement(m.component, names.get(m.component, m.component),
                         f"did not run: {m.reason}", "") for m in result.risk.missing]
    blocked = [Statement(p.check, names.get(p.check, p.check), p.reason, "")
               for p in result.risk.preconditions_failed]
    if any(c.status == "fail" for c in result.checks if c.id in
           {p.check for p in result.risk.preconditions_failed}):
        # a material failure: the holdout is another population, and no bound on it stands
        meaning, certified, more, undecided = INVALID_HOLDOUT, [], 0, []
    failed, policy = policy_outcome(result)
    approximate = approximate_attacks(result)
    listed = ", ".join(approximate[:-1]) + (" and " if len(approximate) > 1 else "") + (
        approximate[-1] if approximate else "")
    covers = COVERS + (APPROXIMATE_NOTE.format(names=listed) if approximate else "")
    return VerdictBox(verdict=v, word=v.upper(), meaning=meaning, confirmed=confirmed,
                      certified=certified, more_certified=more,
                      not_certified=blocked + undecided + missing, policy=policy,
                      policy_failed=failed, covers=covers,
                      covers_label="Low covers" if v == "low" else "Low would cover")
