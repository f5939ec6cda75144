"""What attribute inference attacks: the (secret, known columns) pairs and the target rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import ConfigError
from ..context import ScanContext


def attack_plan(ctx: ScanContext, max_secrets: int) -> list[tuple[str, list[str]]]:
    """(secret, known columns) pairs to attack, from ``config.secret`` / ``config.known``.

    Default: every attackable (distance) column in turn as the secret, all others known (a
    seeded sample of ``max_secrets`` secrets when there are more columns). Names are validated
    against the attackable columns; an unknown one raises ``ConfigError``.
    """
    attackable = [c.name for c in ctx.schema.distance_columns]
    cfg = ctx.config
    for key in ("secret", "known"):
        for name in getattr(cfg, key):
            if name not in attackable:
                raise ConfigError(
                    f"{key}: column {name!r} is not an attackable column — use one of: "
                    f"{', '.join(attackable)} (identifier and ignored columns are never "
                    "attacked)", key=key, column=name)
    known = list(cfg.known)
    secrets = list(cfg.secret) or [c for c in attackable if c not in known]
    if not cfg.secret:  # very wide data: a seeded sample
        secrets = [secrets[i] for i in ctx.subset("inference:secrets", len(secrets),
                                                  max_secrets)]
    return [(s, [c for c in (known or attackable) if c != s]) for s in secrets]


@dataclass(frozen=True)
class TargetRows:
    """Row indices (sorted) of every sample the attack uses."""

    train: np.ndarray  # training targets
    holdout: np.ndarray  # holdout targets, as many as training targets
    base_fit: np.ndarray  # holdout rows the population baseline is trained on
    base_eval: np.ndarray  # the other holdout rows, attacked by the baseline
    learner_synthetic: np.ndarray  # synthetic rows the learner is trained on
    learner_base: np.ndarray  # baseline rows the learner is trained on (within base_fit)

    @property
    def per_side(self) -> int:
        return len(self.train)


def target_rows(ctx: ScanContext, cap: int, learner_rows: int) -> TargetRows:
    """Equal numbers of training and holdout targets (at most ``cap`` per side, seeded
    samples); the population baseline's random halves of the holdout; the learner's training
    rows (at most ``learner_rows``)."""
    n_t, n_h, n_s = ctx.n("train"), ctx.n("holdout"), ctx.n("synthetic")
    n_eq = min(n_t, n_h, cap)
    perm = ctx.rng("inference:baseline-split").permutation(n_h)
    base_fit = np.sort(perm[: n_h // 2])
    return TargetRows(
        train=ctx.subset("inference:targets:train", n_t, n_eq),
        holdout=ctx.subset("inference:targets:holdout", n_h, n_eq),
        base_fit=base_fit,
        base_eval=np.sort(perm[n_h // 2:][:cap]),
        learner_synthetic=ctx.subset("inference:learner-rows", n_s, learner_rows),
        learner_base=base_fit[ctx.subset("inference:baseline-learner-rows", len(base_fit),
                                         learner_rows)],
    )
