"""Membership guesses on the real records for the one-run ε audit.

The candidates are train ∪ holdout: under the split's assumption every real record entered
training independently with probability q. Each record is assigned at random (seeded,
independently of whether it was trained on) to one of three parts:

* the *reference* (a quarter): its holdout records are the attacker's sample of the population;
  its training records are not used;
* the *selection half* (a quarter): bits known; the attack and the number of guesses are
  chosen here (``stats.dp_audit.choose_fraction``);
* the *evaluation half* (the other half): the candidates of the audit. The chosen attack's
  highest-scoring share of them is guessed "in" (the rest abstained on), and the right guesses
  are counted. Nothing about these candidates' bits was used, so the bound is honest.

Scores (larger = "member") compare each record's distance to the synthetic rows with its
distance to the reference: the calibrated distance ``d(reference) - d(synthetic)`` (nearest
record) and the 1-NN and 5-NN log ratios. Both use the scan's shared real -> synthetic search.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..attacks.context import ScanContext
from ..stats.dp_audit import AuditCounts, audit_top, choose_fraction

#: the parts' shares: reference, selection, evaluation
PARTS = (0.25, 0.25, 0.5)
#: fewest records in each part for an audit
MIN_PART = 50
K = 5
#: distances below this (``encoder.to_units``) count as equal in the log ratio
FLOOR = 1e-3


@dataclass(frozen=True)
class MembershipAudit:
    """The evaluation half's counts, and how the guesses were chosen."""

    counts: AuditCounts
    attack: str
    fraction: float
    selection_bound: float
    members: int  # training records among the candidates


def _scores(ctx: ScanContext, rows: np.ndarray, reference: np.ndarray) -> dict[str, np.ndarray]:
    """Both scores of the real records ``rows`` (train rows first, then holdout rows, as in
    the real -> synthetic search) against the holdout records ``reference``."""
    from ..attacks.searches import real_rows, real_to_synthetic
    from ..neighbors.engine import NeighborEngine

    real = real_rows(ctx)
    d_syn = ctx.encoder.to_units(real_to_synthetic(ctx)[0][rows, :K])
    eng = NeighborEngine(real[reference], ctx.config.metric, ctx.config.threads)
    k = min(K, len(reference))
    d_ref = ctx.encoder.to_units(eng.kneighbors(real[rows], k)[0])
    return {"distance": d_ref[:, 0] - d_syn[:, 0],
            "knn1": np.log(d_ref[:, 0] + FLOOR) - np.log(d_syn[:, 0] + FLOOR),
            "knn5": np.log(d_ref[:, k - 1] + FLOOR) - np.log(d_syn[:, k - 1] + FLOOR)}


def membership_audit(ctx: ScanContext, q: float, alpha: float, delta: float = 0.0,
                     exclude_train: np.ndarray | None = None) -> MembershipAudit | str:
    """The audit's counts, or why it could not run. ``exclude_train``: training rows that are
    not candidates (planted canaries found in the training file)."""
    n_t, n_h = ctx.n("train"), ctx.n("holdout")
    if n_h == 0:
        return "needs a holdout: the candidates are train and holdout records"
    member = np.concatenate([np.ones(n_t, bool), np.zeros(n_h, bool)])
    usable = np.ones(n_t + n_h, bool)
    if exclude_train is not None:
        usable[:n_t] &= ~np.asarray(exclude_train, bool)
    rng = ctx.rng("dp-claim:membership")
    part = rng.choice(3, n_t + n_h, p=PARTS)
    reference = np.flatnonzero((part == 0) & ~member & usable)
    sel = np.flatnonzero((part == 1) & usable)
    ev = np.flatnonzero((part == 2) & usable)
    if min(len(reference), len(sel), len(ev)) < MIN_PART:
        return (f"too few real records: {len(reference)} reference, {len(sel)} selection and "
                f"{len(ev)} evaluation records (at least {MIN_PART} each)")
    scores = _scores(ctx, np.concatenate([sel, ev]), reference)
    n_sel = len(sel)
    chosen = {attack: choose_fraction(s[:n_sel], member[sel], q, alpha, rng, delta)
              for attack, s in scores.items()}
    attack = max(chosen, key=lambda a: chosen[a][1])  # the larger bound; ties: the first
    f, bound = chosen[attack]
    counts = audit_top(scores[attack][n_sel:], member[ev], q, f, rng)
    return MembershipAudit(counts, attack, f, bound, int(member[ev].sum()))
