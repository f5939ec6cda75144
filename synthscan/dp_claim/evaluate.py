"""Computing the ``dp_claim`` section and the canary test of a scan (see ``dp_claim``).

``extras`` runs the canary test (a detection-only check, so it joins the verdict like every
check); ``section`` then builds the DP section from the membership audit on the real records
and the canaries' guesses. The api calls both only when a claim or a canary manifest is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..attacks.context import ScanContext
from ..canaries.check import CanaryTest, canary_rows
from ..canaries.manifest import CanaryManifest
from ..model import CheckResult
from ..stats.dp_audit import AuditCounts, epsilon_lower_bound, max_refutable_epsilon, p_value
from . import NOT_STATED, ChecklistItem, DPClaim, DPStatus, EpsilonBound
from .membership import MembershipAudit, membership_audit

MEMBERSHIP_METHOD = ("real records split in three at random: holdout records of a quarter are "
                     "the attacker's population sample; the attack and the number of 'in' "
                     "guesses are chosen on another quarter; the highest-scoring share of the "
                     "other half is guessed 'in' and counted")
CANARY_METHOD = ("every canary guessed: 'in' when a synthetic row reproduces it or comes within "
                 "the closeness distance, 'out' otherwise")


def wanted(ctx: ScanContext, manifest: CanaryManifest | None) -> bool:
    return manifest is not None or bool(ctx.config.dp_claim)


def extras(ctx: ScanContext, manifest: CanaryManifest | None,
           say: Callable[[str], None] = lambda _m: None) -> list[CheckResult]:
    """The canary test's result (none without a manifest)."""
    if manifest is None:
        return []
    test = CanaryTest(manifest=manifest)
    say(f"check: {test.name}")
    try:
        return [test.run(ctx)]
    except (MemoryError, ValueError, FloatingPointError) as exc:
        return [test.error(f"could not compute: {type(exc).__name__}")]


def summarized(checks: Sequence[CheckResult]) -> list[CheckResult]:
    """The checks with the canary test's sentence written from its decided result."""
    return [c.replace(summary=CanaryTest().summarize(c)) if c.id == CanaryTest.id else c
            for c in checks]


def inclusion(ctx: ScanContext) -> tuple[float | None, str, str]:
    """(q, where it came from, the assumption it rests on) for the real records."""
    stated = ctx.config.dp_claim.get("q")
    if stated is not None:
        return float(stated), "setting dp_claim.q", (
            "Each real record entered training independently with probability q, as stated "
            "in the settings.")
    sv = ctx.split_verification
    if sv is not None:
        q = 1.0 - sv.holdout_fraction
        if sv.method == "bernoulli":
            return q, "split manifest, Bernoulli split", (
                "Each real record entered training independently with probability q: the "
                "verified split manifest records a per-row Bernoulli split.")
        return q, f"split manifest, {sv.method} split", (
            "The verified split fixed the holdout's size; the audit treats inclusion as "
            "independent with probability q, which a fixed-size split only approximates "
            "(use 'synthscan split --method bernoulli' for an exact audit).")
    n_t, n_h = ctx.n("train"), ctx.n("holdout")
    if n_h == 0:
        return None, "", ""
    return n_t / (n_t + n_h), "train and holdout sizes, assumed", (
        "Assumed, not verified: every real record went into training independently with "
        "probability q = train rows / (train + holdout rows), i.e. train and holdout come from "
        "one random per-row split of the same data made before generation (give "
        "--split-manifest to verify the split).")


def _bound(source: str, c: AuditCounts, members: int, claim: float | None, delta: float,
           alpha: float, method: str) -> EpsilonBound:
    """One audit's bound, with what these guesses (``max_refutable``) and these candidates
    (``ceiling``: every member guessed "in", every other record "out") could refute at most."""
    return EpsilonBound(
        source=source, epsilon=round(epsilon_lower_bound(c, delta, alpha), 4),
        confidence=1 - alpha, candidates=c.m, q=c.q, guesses_in=c.r_in, right_in=c.v_in,
        guesses_out=c.r_out, right_out=c.v_out,
        max_refutable=round(max_refutable_epsilon(c.r_in, c.r_out, q=c.q, m=c.m, delta=delta,
                                                  alpha=alpha), 4),
        ceiling=round(max_refutable_epsilon(members, c.m - members, q=c.q, m=c.m, delta=delta,
                                            alpha=alpha), 4),
        p_value_at_claim=None if claim is None else p_value(c, claim, delta), method=method)


def _canary_counts(checks: Sequence[CheckResult], q: float) -> tuple[AuditCounts, int] | None:
    """The canaries' guesses (from the canary test's result) and how many were included."""
    c = next((c for c in checks if c.id == CanaryTest.id and c.status not in
              ("skipped", "error")), None)
    if c is None:
        return None
    g = c.details["guesses"]
    return AuditCounts(int(c.counts["canaries"]), q, int(g["in"]), int(g["in_right"]),
                       int(g["out"]), int(g["out_right"])), int(c.counts["included"])


def _status(claim: float | None, bounds: Sequence[EpsilonBound]) -> DPStatus:
    if not bounds:
        return "not tested"
    if claim is None:
        return "no claim"
    return "refuted" if max(b.epsilon for b in bounds) > claim else "not refuted"


def section(ctx: ScanContext, checks: Sequence[CheckResult],
            manifest: CanaryManifest | None) -> DPClaim:
    """The DP section: bounds from the membership audit and the canaries (Bonferroni over
    the two), the outcome against the claim, the checklist."""
    s = ctx.config.dp_claim
    claim, delta = s.get("epsilon"), float(s.get("delta") or 0.0)
    q, q_source, assumption = inclusion(ctx)
    canary = _canary_counts(checks, manifest.inclusion_probability) if manifest else None
    n_audits = int(q is not None) + int(canary is not None)
    alpha = ctx.config.alpha / max(n_audits, 1)
    assumptions = [assumption] if assumption else []
    exclude = None
    if manifest is not None:
        exclude = _canaries_in_train(ctx, manifest, assumptions)
    bounds = []
    if q is not None:
        audit = membership_audit(ctx, q, alpha, delta, exclude)
        if isinstance(audit, MembershipAudit):
            bounds.append(_bound("membership", audit.counts, audit.members, claim, delta, alpha,
                                 f"{MEMBERSHIP_METHOD} ({audit.attack} score, top "
                                 f"{audit.fraction:.1%})"))
        else:
            assumptions.append(f"No membership audit: {audit}.")
    if canary is not None:
        bounds.append(_bound("canaries", *canary, claim, delta, alpha, CANARY_METHOD))
    if claim is not None and s.get("delta") is None:
        assumptions.append("No δ was given: the claim was tested as pure ε-DP (δ = 0).")
    status = _status(claim, bounds)
    lower = max((b.epsilon for b in bounds), default=None)
    largest = max((b.max_refutable for b in bounds), default=None)
    result = DPClaim(
        status=status, claimed_epsilon=claim, claimed_delta=s.get("delta"),
        epsilon_lower=lower, confidence=1 - ctx.config.alpha if bounds else None,
        largest_refutable=largest, q=q, q_source=q_source, bounds=tuple(bounds),
        checklist=checklist(s, ctx.n("train")), assumptions=tuple(assumptions))
    return DPClaim(**{**result.__dict__, "summary": sentence(result)})


def _canaries_in_train(ctx: ScanContext, manifest: CanaryManifest,
                       notes: list[str]) -> np.ndarray | None:
    """Training rows that are planted canaries (the handed-over file was scanned)."""
    hit = canary_rows(ctx, manifest, "train")
    if not hit.any():
        return None
    notes.append(f"{int(hit.sum())} rows of the scanned training file are planted canaries: "
                 "scan with the original training file so that they are not counted as "
                 "people; they were left out of the membership audit.")
    return hit


def sentence(d: DPClaim) -> str:
    """One plain sentence on the section."""
    if not d.bounds:
        return ("The differential-privacy claim could not be tested: no membership audit "
                "(it needs a holdout) and no canaries. " + " ".join(d.assumptions)).strip()
    best = max(d.bounds, key=lambda b: b.epsilon)
    level = f"{d.confidence:.0%}" if d.confidence else ""
    head = (f"ε ≥ {best.epsilon:.2f} at {level} confidence ({best.source}: "
            f"{best.right_in + best.right_out} of {best.guesses_in + best.guesses_out} guesses "
            f"right)")
    limit = (f"; the largest ε these audits could refute is {d.largest_refutable:.2f}"
             if d.largest_refutable is not None else "")
    if d.status == "refuted":
        return (f"The claim ε = {d.claimed_epsilon:g} is refuted: {head}{limit}. The vendor's "
                "release does not satisfy its stated privacy guarantee.")
    if d.status == "not refuted":
        return (f"The claim ε = {d.claimed_epsilon:g} is not refuted: {head}{limit}. This is "
                "weak evidence: it does not show that the claim holds.")
    return f"No claim given: {head}{limit}."


_QUESTIONS: dict[str, tuple[str, str]] = {
    "unit_of_privacy": ("Unit of privacy", "What does one 'record' protect: a row, or a person "
                        "with all their rows? A claim per row protects less when people have "
                        "several rows."),
    "trust_model": ("Trust model", "Who sees the raw data and runs the code: a trusted curator "
                    "(central DP) or nobody (local DP)? Is the vendor that curator?"),
    "domain": ("Domain", "Were column bounds (min/max) and category lists read from the private "
               "data? If so they were released without protection and the claim does not "
               "cover them."),
    "composition": ("Composition", "Is ε the total over everything released from these data "
                    "(every synthetic dataset, preprocessing, tuning), or per release?"),
    "implementation": ("Implementation", "Which library and version computed the guarantee, "
                       "and is it reviewed (floating-point noise, sampling and accounting are "
                       "common flaws)?"),
}


def checklist(s: dict[str, Any], n_train: int) -> tuple[ChecklistItem, ...]:
    """The NIST SP 800-226 questions with the stated answers; δ is judged from the sizes."""
    items = [ChecklistItem(topic, question, str(s.get(key) or NOT_STATED), not s.get(key))
             for key, (topic, question) in _QUESTIONS.items()]
    delta = s.get("delta")
    q = "Is δ stated, and far below 1 / n (n = training records)?"
    if delta is None:
        items.insert(3, ChecklistItem("δ", q, f"{NOT_STATED} (tested as δ = 0)", True))
    else:
        ok = n_train > 0 and delta < 1 / n_train
        items.insert(3, ChecklistItem("δ", q, f"δ = {delta:g} against 1 / n = "
                                      f"{1 / max(n_train, 1):.2g}" + (
                                          "" if ok else ": not below 1 / n — a mechanism may "
                                          "publish some records outright and still meet it"),
                                      not ok))
    return tuple(items)
