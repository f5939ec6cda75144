"""A component's bounds said for people: "at most 28 of 10,000 training records have a
synthetic copy or near copy beyond chance". Counts come from the typed fields (``decision``,
``unit``, ``unit_total``, the sub-tests), rounded the safe way (an upper bound up, a lower bound
down, as the verdict rounds ``risk.people``). Plain text; each renderer escapes it."""

from __future__ import annotations

from ..fmt import level, pct
from ..model import CheckResult
from ..risk.verdict import in_units
from ..stats.bounds import SubTest
from .format import TOO_WIDE, count, count_of

#: what a component's event is, said of its units ("... training records <event> beyond chance")
EVENTS = {
    "verbatim": "are reproduced verbatim by a synthetic row",
    "closeness": "have a synthetic copy or near copy",
    "membership_inference": "can be recognised as training records by a membership attack",
    "attribute_inference": "have a sensitive attribute guessed correctly from the synthetic data",
    "linkability": "can be linked across two datasets through the synthetic data",
    "singling_out": "single out exactly one training record",
    "nearest_record_share": "copy or nearly copy a training record",
    "exact_copies": "copy a training record",
    "distance_no_holdout": "copy or nearly copy a training record",
    "identifier_replay": "have an identifier value (id, e-mail, name…) replayed in the "
                         "synthetic data",
}

#: units that are not people, in words
UNIT_WORDS = {"predicates": "rules written from the synthetic data"}

#: what a reader is told when the unit is not a person
NOT_PEOPLE = {"predicates": " — a share of rules, not of people"}


def event(check: CheckResult) -> str:
    return EVENTS.get(check.id, "are exposed by this check")


def unit_words(check: CheckResult) -> str:
    return UNIT_WORDS.get(check.unit, check.unit)


def is_people(check: CheckResult) -> bool:
    """Whether the component's unit is a training person (not a rule or a synthetic row)."""
    return "training records" in check.unit and bool(check.unit_total)


def worst_test(check: CheckResult) -> SubTest | None:
    """The sub-test whose excess is the component's estimate."""
    d = check.decision
    tests = list(check.tests or ())
    if d is not None:
        for t in tests:
            if t.label == d.worst:
                return t
    return tests[0] if len(tests) == 1 else None


def observed(check: CheckResult) -> str:
    """The worst sub-test's counts: ``200 of 4,000 training vs 0 of 2,500 holdout``."""
    t = worst_test(check)
    if t is None:
        return ""
    text = f"{count_of(t.k_t, t.n_t)} training"
    if t.n_h > 0:
        text += f" vs {count_of(t.k_h, t.n_h)} holdout"
    return text


def _observed_whole(check: CheckResult) -> SubTest | None:
    """The worst sub-test when its training count can be said of every unit as it is: it
    counts every unit, and no holdout record has the event (so none of it is chance at the
    holdout's rate); else None."""
    t = worst_test(check)
    if (t is None or not check.unit_total or t.n_t != check.unit_total or t.n_h <= 0
            or t.k_h != 0):
        return None
    return t


def bound_in_units(check: CheckResult, upper: bool) -> int | None:
    d = check.decision
    if d is None or not check.unit_total:
        return None
    return in_units(d.upper if upper else d.lower, int(check.unit_total), upper)


def certified(check: CheckResult) -> str:
    """The certified (upper) bound in people, without its level."""
    return _bound(check, upper=True)


def confirmed(check: CheckResult) -> str:
    """The confirmed (lower) bound in people, without its level."""
    return _bound(check, upper=False)


def _bound(check: CheckResult, upper: bool) -> str:
    """One bound in people: "at most" the upper one ("too little data to tell" when it spans
    half the scale or more), "at least" the lower one, after the observed count when whole."""
    d = check.decision
    n = check.unit_total
    if d is None:
        return ""
    word = "at most" if upper else "at least"
    if not n:
        return f"{word} {pct(d.upper if upper else max(d.lower, 0.0))} {event(check)} beyond chance"
    units = f"{count(n)} {unit_words(check)}"
    bound = bound_in_units(check, upper=upper) or 0
    if upper and d.upper >= TOO_WIDE:
        return (f"too little data to tell: the bound allows up to {bound:,} of {units} that "
                f"{event(check)}")
    t = _observed_whole(check)
    tail = NOT_PEOPLE.get(check.unit, "")
    if t is not None:
        return f"{count(t.k_t)} of {units} {event(check)}; {word} {bound:,} beyond chance" + tail
    return f"{word} {bound:,} of {units} {event(check)} beyond chance" + tail


def certified_level(check: CheckResult) -> str:
    d = check.decision
    return "" if d is None else f"{level(d.upper_level)} confidence, one-sided"


def confirmed_level(check: CheckResult) -> str:
    d = check.decision
    return "" if d is None else (f"{level(d.lower_level)} confidence, adjusted for the number "
                                 "of checks")


def not_certified(check: CheckResult) -> str:
    """Why an undecided component is not certified, in people: what its bound still allows
    against its threshold."""
    d = check.decision
    if d is None or check.threshold is None:
        return check.reason or "not decided"
    allows = (f"up to {bound_in_units(check, upper=True) or 0:,} of {count(check.unit_total)} "
              f"{unit_words(check)}" if check.unit_total else f"up to {pct(d.upper)}")
    if d.upper >= TOO_WIDE:
        return f"too little data to tell: the bound allows {allows} ({pct(d.upper)})"
    return (f"the {level(d.upper_level)} bound still allows {allows} ({pct(d.upper)}), above "
            f"the threshold of {pct(check.threshold)}; no leak is confirmed either")
