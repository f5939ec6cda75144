"""The check of a vendor's differential-privacy claim: its settings (``[dp_claim]`` /
``--claimed-epsilon``), and the typed ``dp_claim`` section of the result.

A claim "the release is (ε, δ)-DP" is tested, never certified: a one-run audit
(``stats.dp_audit``) turns membership guesses — on real records split at random into train
and holdout, and on planted canaries — into a lower bound on ε. The claim is ``refuted`` when
that bound exceeds it. ``not refuted`` is weak evidence: the bound is limited by the number of
guesses (the section says the largest ε these sizes could ever refute), and an attack that
finds nothing says nothing about attacks it does not try. A refuted claim is its own outcome:
it does not change the verdict (which is about leaks of people, not about the vendor's
arithmetic), and it fails the policy when a claim was given (exit 1).

This module is light (the result model imports it); the computation is in ``evaluate``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from ..types import Json

DPStatus = Literal["refuted", "not refuted", "not tested", "no claim"]
#: the settings a ``[dp_claim]`` table takes: numbers, then the checklist answers (text)
NUMBER_KEYS = ("epsilon", "delta", "q")
ANSWER_KEYS = ("unit_of_privacy", "trust_model", "domain", "composition", "implementation")
KEYS = NUMBER_KEYS + ANSWER_KEYS
NOT_STATED = "not stated — ask the vendor"


@dataclass(frozen=True)
class EpsilonBound:
    """One audit's ε lower bound: its guesses, counted among candidates included in training
    independently with probability ``q``."""

    source: Annotated[str, Json("'membership' (real records, guesses chosen on a selection "
                                "half and counted on the other) or 'canaries'.")]
    epsilon: Annotated[float, Json("ε lower bound at `confidence`: every smaller ε is refuted.",
                                   minimum=0)]
    confidence: Annotated[float, Json(exclusiveMinimum=0, exclusiveMaximum=1)]
    candidates: Annotated[int, Json("Records whose inclusion was guessed at or abstained on.",
                                    minimum=0)]
    q: Annotated[float, Json("Inclusion probability of each candidate.", exclusiveMinimum=0,
                             exclusiveMaximum=1)]
    guesses_in: Annotated[int, Json(minimum=0)]
    right_in: Annotated[int, Json(minimum=0)]
    guesses_out: Annotated[int, Json(minimum=0)]
    right_out: Annotated[int, Json(minimum=0)]
    max_refutable: Annotated[float, Json("The bound had every one of these guesses been right: "
                                         "the largest ε this audit could refute.", minimum=0)]
    ceiling: Annotated[float, Json("The bound had every candidate been guessed right: no audit "
                                   "of these candidates could refute more.", minimum=0)]
    p_value_at_claim: Annotated[float | None, Json(
        "Probability of this many right guesses or more if the claim held.", minimum=0,
        maximum=1)] = None
    method: str = ""


@dataclass(frozen=True)
class ChecklistItem:
    """A question a DP claim must answer to mean something (NIST SP 800-226), with the
    answer stated in the scan's settings or computed from the sizes."""

    topic: str
    question: str
    answer: str
    concern: Annotated[bool, Json("True when the answer (or its absence) weakens the claim.")]


@dataclass(frozen=True)
class DPClaim:
    """The differential-privacy section of a result: the claim, the ε lower bounds, the
    outcome, and the questions the claim must answer."""

    status: Annotated[DPStatus, Json(
        "refuted: an ε lower bound exceeds the claimed ε; not refuted: none does (weak "
        "evidence, see largest_refutable); not tested: no bound could be computed; no claim: "
        "bounds reported without a claim.")]
    claimed_epsilon: Annotated[float | None, Json(exclusiveMinimum=0)] = None
    claimed_delta: Annotated[float | None, Json(minimum=0, exclusiveMaximum=1)] = None
    epsilon_lower: Annotated[float | None, Json(
        "The largest ε lower bound over the audits (each at its confidence).", minimum=0)] = None
    confidence: Annotated[float | None, Json(
        "Joint confidence of the bounds (Bonferroni over the audits).", exclusiveMinimum=0,
        exclusiveMaximum=1)] = None
    largest_refutable: Annotated[float | None, Json(
        "The largest ε any of these audits could have refuted with every guess right.",
        minimum=0)] = None
    q: Annotated[float | None, Json("Inclusion probability of a real record in training.",
                                    exclusiveMinimum=0, exclusiveMaximum=1)] = None
    q_source: Annotated[str, Json("Where q came from: a setting, the split manifest, or the "
                                  "sizes (with an assumption).")] = ""
    bounds: tuple[EpsilonBound, ...] = ()
    checklist: tuple[ChecklistItem, ...] = ()
    assumptions: tuple[str, ...] = ()
    summary: Annotated[str, Json("One plain sentence for reports.")] = ""

    @property
    def refuted(self) -> bool:
        return self.status == "refuted"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> DPClaim:
        names = {f.name for f in dataclasses.fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        kw["bounds"] = tuple(EpsilonBound(**b) for b in d.get("bounds") or ())
        kw["checklist"] = tuple(ChecklistItem(**c) for c in d.get("checklist") or ())
        kw["assumptions"] = tuple(d.get("assumptions") or ())
        return cls(**kw)


# ------------------------------------------------------------------------------ settings


def _number_problem(key: str, v: Any) -> str | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        return "must be a number"
    if key == "epsilon" and not v > 0:
        return "must be above 0 — e.g. 1.0"
    if key == "delta" and not 0 <= v < 1:
        return "must be at least 0 and below 1 — e.g. 1e-6"
    if key == "q" and not 0 < v < 1:
        return "must be between 0 and 1 (the probability that a real record went into " \
               "training) — e.g. 0.5"
    return None


def settings_problem(key: str, value: Any) -> tuple[str, str] | None:
    """Validator of the ``dp_claim`` setting: (key, what is wrong — what to do) or None."""
    if not isinstance(value, Mapping):
        return key, "must be a table — e.g. [dp_claim] with epsilon = 1.0"
    for k, v in value.items():
        if k not in KEYS:
            return f"{key}.{str(k)[:40]}", f"is not a dp_claim setting — known: {', '.join(KEYS)}"
        if k in NUMBER_KEYS and v is not None:
            why = _number_problem(k, v)
            if why:
                return f"{key}.{k}", why
        if k in ANSWER_KEYS and not isinstance(v, str):
            return f"{key}.{k}", "must be text — e.g. \"one row per person\""
    if value.get("delta") is not None and value.get("epsilon") is None:
        return f"{key}.epsilon", "must be given with delta — e.g. epsilon = 1.0"
    return None


# ------------------------------------------------------------------------------ lines


def claim_line(d: DPClaim) -> str:
    """The section in one line for a terminal or a Markdown summary."""
    return f"Differential-privacy claim ({d.status}): {d.summary}"


def failed_line(d: DPClaim) -> str:
    """Why the policy failed when a claim was refuted (printed even with -q: it explains the
    exit code)."""
    return (f"Policy failed: the differential-privacy claim ε = {d.claimed_epsilon:g} is "
            f"refuted (ε ≥ {d.epsilon_lower or 0:.2f} at {d.confidence or 0:.0%} confidence) — "
            "exit code 1: a refuted claim fails the policy; the verdict is about leaks of "
            "people and is reported apart")
