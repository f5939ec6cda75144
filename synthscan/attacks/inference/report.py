"""Attribute inference's numbers as a result: one table row per (secret, attacker) pair, the
details that explain the rules, and the sentence ``summarize`` builds from a decided result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...fmt import level
from ...model import CheckResult
from ...stats import newcombe_diff, wilson
from ...stats.bounds import SubTest, excess_lower, excess_upper, null_upper
from ...stats.tests import two_proportion_p

#: targets per side in Anonymeter mode: InferenceEvaluator's default n_attacks
ANONYMETER_N_ATTACKS = 500


@dataclass
class Pair:
    """Counts of one (secret, attacker) attack."""

    secret: str
    attacker: str
    k_t: float
    n_t: int
    k_h: float
    n_h: int
    k_b: float
    n_b: int
    excluded_t: int = 0
    excluded_h: int = 0

    @property
    def test(self) -> SubTest:
        return SubTest(f"{self.secret} / {self.attacker}", min(self.k_t, self.n_t), self.n_t,
                       min(self.k_h, self.n_h), self.n_h)


def table_row(p: Pair, numeric: bool, alpha: float) -> dict[str, Any]:
    """One pair's accuracies, excess, bounds (at ``alpha``) and population baseline."""
    t = p.test
    row: dict[str, Any] = {
        "secret": p.secret, "attacker": p.attacker, "label": t.label,
        "kind": "numeric" if numeric else "categorical",
        "accuracy_train": t.rate_t, "accuracy_holdout": t.rate_h,
        "successes_train": round(p.k_t, 6), "targets_train": p.n_t,
        "successes_holdout": round(p.k_h, 6), "targets_holdout": p.n_h,
        "excess": t.estimate,
        "interval": [excess_lower(t, alpha / 2), excess_upper(t, alpha / 2)],
        "upper_bound": excess_upper(t, alpha), "certifiable": null_upper(t, alpha),
        "room": 1.0 - t.rate_h,
        "p_value": two_proportion_p(p.k_t, p.n_t, p.k_h, p.n_h),
    }
    if p.n_b:
        # tie credits make fractional counts; the score intervals take them
        b_lo, b_hi = wilson(p.k_b, p.n_b, alpha)
        _, d_lo, _ = newcombe_diff(p.k_b, p.n_b, p.k_h, p.n_h, alpha)
        row.update({"baseline": p.k_b / p.n_b, "baseline_interval": [b_lo, b_hi],
                    "baseline_successes": round(p.k_b, 6), "baseline_targets": p.n_b,
                    "less_informative_than_population": bool(d_lo > 0)})
    else:
        row.update({"baseline": None, "baseline_interval": None, "baseline_successes": 0,
                    "baseline_targets": 0, "less_informative_than_population": False})
    if p.excluded_t or p.excluded_h:
        row["missing_truth_excluded"] = {"train": p.excluded_t, "holdout": p.excluded_h}
    return row


def table(pairs: list[Pair], numeric: Mapping[str, bool], alpha: float) -> list[dict[str, Any]]:
    """Rows of every pair, largest excess first (then by secret and attacker)."""
    order = sorted(pairs, key=lambda p: (-p.test.estimate, p.secret, p.attacker))
    return [table_row(p, numeric[p.secret], alpha) for p in order]


def rules(alpha: float) -> dict[str, str]:
    """The scale, interval, tie and missing-value rules, in words."""
    conf = level(1 - alpha)
    return {
        "scale": ("absolute excess A_T - A_H per (secret, attacker): the share of training "
                  "targets guessed correctly minus the share of holdout targets; 'room' "
                  "(1 - A_H) is context only"),
        "intervals": (f"'interval': two-sided {conf} (one-sided Clopper–Pearson MOVER "
                      f"limits at alpha / 2); 'upper_bound': one-sided {conf}, what the "
                      "verdict reads; 'certifiable': the upper bound these target counts "
                      "would give with no leak; 'p_value': one-sided pooled z-test of "
                      "A_T > A_H, unadjusted and descriptive only"),
        "tie_rule": "1-NN ties credited fractionally (expected success of a random "
                    "tie-break among the tied nearest synthetic rows)",
        "missing_values": "a missing categorical value is a class of its own; targets "
                          "whose numeric secret is missing are not scored",
    }


def anonymeter_note(tau: float) -> str:
    """How the Anonymeter-comparable mode differs from Anonymeter's evaluator."""
    return (
        f"Anonymeter-comparable: 1-NN attacker only, {ANONYMETER_N_ATTACKS} targets "
        "from each of train and holdout (InferenceEvaluator's default n_attacks). "
        f"Numeric secrets keep synthscan's rule |guess - truth| <= {tau} x IQR of the "
        "real column (Anonymeter's rule, within 5% relative to the guess, counts every "
        "negative guess as correct), train and holdout targets are compared at "
        "equal size, and the excess is A_T - A_H, not (A_T - A_H) / (1 - A_H).")


def summary(result: CheckResult) -> str:
    """The sentence of a decided result: the worst pair with its interval, the largest upper
    bound, the population baseline and the pairs without room, every level from the result."""
    d = result.decision
    assert d is not None and result.lower is not None and result.upper is not None
    rows = {r["label"]: r for r in result.details["table"]}
    w, b = rows[d.worst], rows[d.binding]
    conf = level(d.upper_level)
    text = (
        f"Attribute inference, the worst of {d.sub_tests} secret/attacker pairs: the "
        f"{w['attacker']} attacker trained on the synthetic data guesses "
        f"'{w['secret']}' correctly for {w['accuracy_train']:.1%} of {w['targets_train']} "
        f"training records ({w['successes_train']:.1f}) against {w['accuracy_holdout']:.1%} of "
        f"{w['targets_holdout']} holdout records ({w['successes_holdout']:.1f}): an excess of "
        f"{100 * d.estimate + 0.0:.1f} percentage points ({conf} interval "
        f"{100 * result.lower + 0.0:.1f} to {100 * result.upper + 0.0:.1f} percentage "
        f"points). Over all pairs the largest one-sided {conf} upper bound is "
        f"{100 * d.upper:.1f} percentage points ('{b['secret']}', {b['attacker']})."
    )
    if w["baseline_targets"]:
        text += (f" An attacker trained on half of the holdout (population data) is correct for "
                 f"{w['baseline']:.1%} of {w['baseline_targets']} other holdout records on this "
                 "secret.")
    poorer = sum(r["less_informative_than_population"] for r in rows.values())
    if poorer:
        text += (f" For {poorer} pair(s) the synthetic data is less informative than population "
                 "data (the attacker does worse on holdout records than the population "
                 "baseline).")
    if no_room := result.details["secrets_without_room"]:
        text += (f" {len(no_room)} secret(s) are guessed for every holdout record (no room for "
                 "an excess; reported, excess near 0).")
    return text
