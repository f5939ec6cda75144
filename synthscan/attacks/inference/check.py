"""The attribute-inference check: plan, code, attack every (secret, attacker) pair, report.

See the package docstring for the method; the knobs are ``AttributeInference``'s keyword-only
``__init__`` parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...model import CheckResult
from ...neighbors.engine import search_threads
from ...stats.bounds import reporting_interval, worst_test
from .. import background
from ..base import ATTACK_THRESHOLDS, Attack
from ..context import ScanContext
from . import report
from .attackers import BoostedAttacker, NearestAttacker, Scores, Truths
from .columns import Column, code_columns
from .learner import Boosting
from .plan import TargetRows, attack_plan, target_rows


@dataclass
class _Prepared:
    """What the attack needs before its 1-NN searches: targets, coded columns, truths, and
    the learner with its pending fits (None in anonymeter mode, which has no learner)."""

    rows: TargetRows
    cols: dict[str, Column]
    truths: dict[str, Truths]
    learner: BoostedAttacker | None
    fits: background.Pending | None


class AttributeInference(Attack):
    """Attribute inference from the synthetic data: per secret column, 1-NN and gradient-boosting
    attackers trained on the synthetic rows guess the secret of training and holdout records from
    their other columns; the risk is the excess accuracy on training records."""

    id = "attribute_inference"
    name = "Attribute inference (WP29 inference)"
    criterion = "inference"
    thresholds = ATTACK_THRESHOLDS
    data_driving = "holdout rows (targets: up to 5,000 training and 5,000 holdout records)"

    def __init__(self, *, max_secrets: int = 50, max_learner_features: int = 200,
                 tau: float = 0.05, target_cap: int = 5000, learner_rows: int = 10_000,
                 learner_iter: int = 12, learner_leaves: int = 15, learner_rate: float = 0.3,
                 learner_l2: float = 1.0, max_classes: int = 10, max_codes: int = 254,
                 candidates: int = 256, learner_threads: int | None = 1) -> None:
        #: columns tested as the secret at most (a seeded sample of wider data)
        self.max_secrets = max_secrets
        #: known columns the learner uses at most (a seeded sample; 1-NN uses all of them)
        self.max_learner_features = max_learner_features
        #: numeric secrets: a guess is correct within tau times the pooled real spread
        self.tau = tau
        #: training and holdout targets per side (equal numbers; a seeded sample beyond)
        self.target_cap = target_cap
        #: rows the learner is trained on at most (a seeded sample beyond)
        self.learner_rows = learner_rows
        #: boosting rounds, leaves, learning rate and leaf-value shrinkage (no early stopping;
        #: the shrinkage keeps Newton steps finite when classes separate perfectly)
        self.learner_iter = learner_iter
        self.learner_leaves = learner_leaves
        self.learner_rate = learner_rate
        self.learner_l2 = learner_l2
        #: classes the learner models per secret; rarer values share one pseudo-class
        self.max_classes = max_classes
        #: category codes per known column available to the learner (its max_bins - 1)
        self.max_codes = max_codes
        #: nearest synthetic candidates per target searched once for all secrets
        self.candidates = candidates
        #: OpenMP threads of one learner fit: fits of this size gain little from more, and
        #: spinning workers slow them down badly on shared cores (None: no limit)
        self.learner_threads = learner_threads

    def prefetch(self, ctx: ScanContext) -> None:
        if ctx.config.mode == "anonymeter" or self.too_small(
                ctx, ("train", "holdout", "synthetic")):
            return
        plan = [(s, q) for s, q in attack_plan(ctx, self.max_secrets) if q]
        if plan:
            self._prepare(ctx, plan, anonymeter=False)

    def _prepare(self, ctx: ScanContext, plan: list[tuple[str, list[str]]], *,
                 anonymeter: bool) -> _Prepared:
        """Targets, coded columns and truths, and the learner's fits submitted to the scan's
        worker process (once per scan: ``prefetch`` may have done it before the first check)."""
        def compute() -> _Prepared:
            rows = target_rows(ctx, report.ANONYMETER_N_ATTACKS if anonymeter
                               else self.target_cap, self.learner_rows)
            cols = code_columns(ctx, sorted({c for s, q in plan for c in [s, *q]}), self.tau,
                                self.max_codes)
            truths = {secret: Truths.of(cols[secret], rows) for secret, _ in plan}
            if anonymeter:
                return _Prepared(rows, cols, truths, None, None)
            learner = BoostedAttacker(ctx, cols, rows, self._boosting(),
                                      self.max_learner_features)
            jobs = [job for s, q in plan for job in learner.jobs(cols[s], q, truths[s])]
            return _Prepared(rows, cols, truths, learner, background.submit(ctx, jobs))
        return ctx.memo(self.prefetch_key(), compute)

    def run(self, ctx: ScanContext) -> CheckResult:
        plan = attack_plan(ctx, self.max_secrets)  # validates config.secret / config.known
        if skip := self.too_small(ctx, ("train", "holdout", "synthetic")):
            return skip
        plan = [(s, q) for s, q in plan if q]
        if not plan:
            return self.skip("needs at least two attackable columns (a secret and a known one)")
        anonymeter = ctx.config.mode == "anonymeter"
        prepared = self._prepare(ctx, plan, anonymeter=anonymeter)
        ctx.forget(self.prefetch_key())
        rows, cols, truths = prepared.rows, prepared.cols, prepared.truths
        # the learner's fits run in the worker process while the 1-NN attacker runs here
        nearest = NearestAttacker(ctx, cols, rows, self.candidates)
        # the secrets on every core not in use elsewhere (the worker's, while it still fits)
        scored = nearest.scores_all(cols, plan, truths, search_threads(ctx.config.threads))
        nearest.release()
        boosted: dict[str, Scores] = {}
        if prepared.learner is not None and prepared.fits is not None:
            guesses = prepared.fits.collect()
            boosted = {s: prepared.learner.finish(cols[s], truths[s], guesses[2 * i:2 * i + 2])
                       for i, (s, _) in enumerate(plan)}
        pairs: list[report.Pair] = []
        for secret, _ in plan:
            truth = truths[secret]
            named = [("1-NN", scored[secret])]
            if secret in boosted:
                named.append(("gradient boosting", boosted[secret]))
            for name, (s_t, s_h, s_b) in named:
                pairs.append(report.Pair(
                    secret, name, float(s_t.sum()), len(s_t), float(s_h.sum()), len(s_h),
                    float(s_b.sum()), len(s_b), len(truth.train) - len(s_t),
                    len(truth.holdout) - len(s_h)))
        pairs = [p for p in pairs if p.n_t > 0 and p.n_h > 0]
        if not pairs:
            return self.skip("no secret had a training and a holdout target with a known value")
        return self._result(ctx, pairs, cols, rows, anonymeter)

    def summarize(self, result: CheckResult) -> str:
        if result.status in ("skipped", "error") or result.decision is None:
            return super().summarize(result)
        return report.summary(result)

    def _boosting(self) -> Boosting:
        return Boosting(self.learner_iter, self.learner_leaves, self.learner_rate,
                        self.learner_l2, self.max_classes, self.learner_threads)

    def _result(self, ctx: ScanContext, pairs: list[report.Pair], cols: dict[str, Column],
                rows: TargetRows, anonymeter: bool) -> CheckResult:
        cfg = ctx.config
        tests = [p.test for p in pairs]
        w_test = worst_test(tests, cfg.alpha)
        worst = pairs[tests.index(w_test)]
        table = report.table(pairs, {c: cols[c].numeric for c in cols}, cfg.alpha)
        secrets = sorted({p.secret for p in pairs})
        words = report.rules(cfg.alpha)
        details: dict[str, Any] = {
            "worst": {"secret": worst.secret, "attacker": worst.attacker,
                      "label": w_test.label, "interval": list(reporting_interval(w_test,
                                                                                 cfg.alpha))},
            "table": table,
            "pairs_tested": len(pairs),
            "secrets": secrets,
            "secrets_without_room": sorted({r["secret"] for r in table if r["room"] <= 0}),
            "secrets_sampled": (not cfg.secret and len(secrets) == self.max_secrets
                                and len(ctx.schema.distance_columns) - len(cfg.known)
                                > self.max_secrets),
            "known": "all other attackable columns" if not cfg.known else list(cfg.known),
            "attackers": sorted({p.attacker for p in pairs}),
            "scale": words["scale"],
            "intervals": words["intervals"],
            "targets_per_side": rows.per_side,
            "target_cap": report.ANONYMETER_N_ATTACKS if anonymeter else self.target_cap,
            "train_rows": ctx.n("train"), "holdout_rows": ctx.n("holdout"),
            "synthetic_rows": ctx.n("synthetic"),
            "learner_training_rows": None if anonymeter else len(rows.learner_synthetic),
            "baseline": {"fit_rows": int(len(rows.base_fit)),
                         "eval_rows": int(len(rows.base_eval)),
                         "what": "the same attacker trained on a random half of the holdout, "
                                 "evaluated on the other half (context only)"},
            "numeric_success_rule": {c: {"tolerance": f"|guess - truth| <= {self.tau} x spread",
                                         "spread": cols[c].spread}
                                     for c in cols if cols[c].numeric and c in secrets},
            "tau": self.tau,
            "tie_rule": words["tie_rule"],
            "missing_values": words["missing_values"],
            "mode": cfg.mode,
        }
        if anonymeter:
            details["anonymeter_comparison"] = report.anonymeter_note(self.tau)
        else:
            details["learner"] = {
                "model": "HistGradientBoosting (native categorical support)",
                "rounds": self.learner_iter, "max_leaf_nodes": self.learner_leaves,
                "learning_rate": self.learner_rate, "max_classes": self.max_classes,
                "training_rows_cap": self.learner_rows, "early_stopping": False}
        return self.result(
            counts={"pairs": len(pairs), "targets_train": worst.n_t,
                    "targets_holdout": worst.n_h, "successes_train": round(worst.k_t, 6),
                    "successes_holdout": round(worst.k_h, 6), "secrets": len(secrets),
                    "train_rows": ctx.n("train")},
            details=details, tests=tests, unit="training records", unit_total=ctx.n("train"))
