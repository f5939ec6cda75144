"""The ``dp_claim`` section as plain text for the HTML report's partial
(``reports/templates/_dp_claim.html.j2``): every value a string, escaped by the template."""

from __future__ import annotations

from typing import Any

from . import DPClaim

STATUS_WORDS = {"refuted": "Refuted.", "not refuted": "Not refuted.",
                "not tested": "Not tested.", "no claim": "No claim given."}
NOT_REFUTED = ("Not refuted is weak evidence: the bound can only reach the largest ε these "
               "guesses could refute, and an attack that finds nothing says nothing about "
               "attacks it does not try. Only the vendor's proof and implementation can support "
               "the claim; this audit can only refute it.")
BOUND_HEADERS = ("Audit", "Candidates", "q", "Guesses in / out", "Right", "ε lower bound",
                 "Largest refutable (these guesses)", "Ceiling (these candidates)",
                 "p-value at the claim")


def _num(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _p(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.2g}" if x >= 1e-4 else "< 0.0001"


def dp_claim_view(d: DPClaim | None) -> dict[str, Any] | None:
    """The template's figures (None without a DP section)."""
    if d is None:
        return None
    claim = "none" if d.claimed_epsilon is None else (
        f"ε = {d.claimed_epsilon:g}" + (f", δ = {d.claimed_delta:g}"
                                        if d.claimed_delta is not None else " (δ = 0)"))
    rows = [(b.source, f"{b.candidates:,}", f"{b.q:.3f}", f"{b.guesses_in:,} / {b.guesses_out:,}",
             f"{b.right_in + b.right_out:,}", f"{b.epsilon:.2f} ({b.confidence:.1%})",
             _num(b.max_refutable), _num(b.ceiling), _p(b.p_value_at_claim))
            for b in d.bounds]
    return {
        "status": d.status, "status_word": STATUS_WORDS.get(d.status, d.status),
        "summary": d.summary, "claim": claim,
        "facts": [("Claim", claim), ("ε lower bound", _num(d.epsilon_lower)),
                  ("Joint confidence", "n/a" if d.confidence is None else f"{d.confidence:.0%}"),
                  ("Largest ε these audits could refute", _num(d.largest_refutable)),
                  ("Inclusion probability q", "n/a" if d.q is None else
                   f"{d.q:.3f} — {d.q_source}")],
        "headers": BOUND_HEADERS, "rows": rows,
        "methods": [f"{b.source}: {b.method}" for b in d.bounds],
        "checklist": [(c.topic, c.question, c.answer, "concern" if c.concern else "")
                      for c in d.checklist],
        "assumptions": list(d.assumptions),
        "weak_evidence": NOT_REFUTED if d.status == "not refuted" else "",
    }
