"""Holdout validity: are train and holdout one random split of one population?

Every calibrated figure compares training records with holdout records, and is only sound
when the holdout was split off at random from the same data before the generator saw any of
it. This precondition (not a privacy component) tests two consequences of that assumption:

* **Same distribution** — a classifier two-sample test with an honest split: ``m`` rows of
  each table (``m = min(n_train, n_holdout, max_rows)``, a seeded sample) are halved; gradient
  boosting learns to tell holdout from train on one half and scores the other. Under a random
  split the held-out labels are exchangeable given the scores, so the AUC's null distribution
  is the Mann–Whitney one: one-sided p-value from its tie-corrected normal approximation
  (exact in the limit, no permutations). The AUC's reporting interval uses DeLong's variance.
  With ``h = m // 2`` held-out rows per table, the null standard error is
  ``sqrt((2h + 1) / (12 h^2))``: 0.0082 at the default cap (h = 2,500), so a classifier AUC
  of about 0.53 is detected at the default level with probability about one half.
* **No shared records** — holdout rows equal to a training row on the compared columns
  (identifiers excluded, as for a copy: a holdout of training rows under new ids is caught).
  Duplicates in the real data land on both sides of a random split by chance, so the count is
  compared with its distribution under a random assignment of the pooled rows:
  a group of ``g`` equal rows contributes ``X = H 1(H < g)`` holdout rows with a training
  match, ``H ~ Bin(g, q)``, q = the holdout's share; the sum's mean and variance are exact
  (``E X = g q (1 - q^(g-1))``), its upper tail normal with a continuity correction. A holdout
  copied from the training rows is flagged at once.

The precondition fails (status ``warn``) when either test rejects at ``level / 2``; the
verdict then cannot be ``low`` (see ``risk.verdict``) and the failure never makes it
``high``. A *material* shift — the classifier AUC's lower bound at least ``MATERIAL_AUC``, a
different population rather than a chance imbalance — fails it with status ``fail``: then the
verdict cannot be ``high`` either (an excess over another population is no evidence of
memorisation). Under a random split it fails in at most about ``level`` of scans (measured in
``benchmarks/validation/holdout_validity.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from ..model import CheckResult
from ..stats.ranks import average_ranks, tie_term
from . import background
from .base import Attack
from .context import ScanContext
from .copies import copy_matches, pooled_duplicates
from .membership_scores import Classifier, FoldFit, classifier_features

#: rows of each table below which the classifier test says nothing useful
MIN_ROWS_EACH = 40
#: a classifier AUC whose lower bound reaches this tells a different population, not chance:
#: the comparisons with the holdout mean nothing either way, and the verdict cannot be high
MATERIAL_AUC = 0.6


@dataclass(frozen=True)
class AucTest:
    """A held-out AUC and its tests: one-sided p-value against 0.5 (Mann–Whitney null, tie
    corrected), DeLong's standard error for the interval."""

    auc: float
    null_se: float
    p_value: float
    se: float
    n_pos: int
    n_neg: int


def auc_test(pos: np.ndarray, neg: np.ndarray) -> AucTest:
    """The Mann–Whitney AUC of ``pos`` over ``neg`` (ties count one half) and its tests."""
    from scipy.special import ndtr

    n1, n2 = len(pos), len(neg)
    both = np.concatenate([pos, neg])
    ranks = average_ranks(both)
    u = float(ranks[:n1].sum() - n1 * (n1 + 1) / 2)
    auc = u / (n1 * n2)
    n = n1 + n2
    var_u = n1 * n2 / 12 * ((n + 1) - tie_term(both) / (n * (n - 1)))
    if var_u <= 0:  # every score tied: the classifier found nothing
        return AucTest(auc, 0.0, 1.0, 0.0, n1, n2)
    z = (u - n1 * n2 / 2 - 0.5) / math.sqrt(var_u)  # continuity-corrected, upper tail
    # DeLong: placements of each positive among the negatives and vice versa
    v10 = (ranks[:n1] - average_ranks(pos)) / n2
    v01 = 1 - (ranks[n1:] - average_ranks(neg)) / n1
    se = math.sqrt(float(np.var(v10, ddof=1)) / n1 + float(np.var(v01, ddof=1)) / n2)
    return AucTest(auc, math.sqrt(var_u) / (n1 * n2), float(1 - ndtr(z)), se, n1, n2)


@dataclass(frozen=True)
class SharedTest:
    """Holdout rows equal to a training row: observed, expected under a random split, and the
    one-sided p-value of the excess."""

    observed: int
    expected: float
    sd: float
    p_value: float


def shared_test(observed: int, group_sizes: np.ndarray, q: float) -> SharedTest:
    """Compare ``observed`` holdout rows with a training match with its distribution when the
    pooled groups of equal rows (sizes ``group_sizes``, each at least 2) are split at random,
    every row to the holdout with probability ``q`` (see the module docstring)."""
    from scipy.special import ndtr

    g = np.asarray(group_sizes, dtype=np.float64)
    qg = np.power(q, g)
    mean = g * q - g * qg
    second = g * q * (1 - q) + (g * q) ** 2 - g**2 * qg
    expected = float(mean.sum())
    var = float((second - mean**2).sum())
    if var <= 0:
        p = 1.0 if observed <= expected else 0.0
    else:
        p = float(1 - ndtr((observed - 0.5 - expected) / math.sqrt(var)))
    return SharedTest(observed, expected, math.sqrt(max(var, 0.0)), p)


class HoldoutValidity(Attack):
    """Precondition: train and holdout look like one random split (see the module
    docstring)."""

    id = "holdout_validity"
    name = "Holdout validity: train and holdout are one random split"
    criterion = "precondition"
    precondition = True

    def __init__(self, *, max_rows: int = 5000, level: float = 0.01, rounds: int = 60) -> None:
        key = f"checks.{self.id}"
        if not (isinstance(max_rows, int) and max_rows >= MIN_ROWS_EACH):
            raise ConfigError(f"{key}.max_rows: must be a whole number of at least "
                              f"{MIN_ROWS_EACH} — e.g. 5000", key=f"{key}.max_rows")
        if not (isinstance(level, (int, float)) and 0 < level < 0.5):
            raise ConfigError(f"{key}.level: must be between 0 and 0.5 — e.g. 0.01",
                              key=f"{key}.level")
        if not (isinstance(rounds, int) and rounds >= 1):
            raise ConfigError(f"{key}.rounds: must be a whole number of at least 1 — e.g. 60",
                              key=f"{key}.rounds")
        #: rows of each table the classifier sees at most (half to fit, half to test)
        self.max_rows = max_rows
        #: the precondition fails when a test rejects at level / 2 (its false-fail rate)
        self.level = level
        #: boosting rounds of the classifier
        self.rounds = rounds

    def prefetch(self, ctx: ScanContext) -> None:
        if self.too_small(ctx, ("train", "holdout"), MIN_ROWS_EACH) is None:
            self._classifier(ctx)

    def _classifier(self, ctx: ScanContext) -> background.Pending:
        """The classifier's fit and scores, submitted to the scan's worker process (once per
        scan: ``prefetch`` may have done it before the first check)."""
        def compute() -> background.Pending:
            tables = ("train", "holdout")
            feats, is_cat = classifier_features(ctx.frames, ctx.coded,
                                                ctx.schema.distance_columns, tables)
            rng = ctx.rng("holdout_validity")
            m = min(ctx.n("train"), ctx.n("holdout"), self.max_rows)
            half = m // 2
            fit, test = [], []
            for t in tables:
                rows = rng.permutation(ctx.n(t))[:m]
                fit.append(feats[t][rows[:half]])
                test.append(feats[t][rows[half:]])
            # the same job as a membership fold: label 1 = holdout, no offset; it scores the
            # held-out train rows, then the held-out holdout rows
            job = FoldFit(np.vstack(fit), np.concatenate([np.zeros(half), np.ones(half)]),
                          is_cat, np.vstack(test), 0.0,
                          Classifier(m, self.rounds, 0.1, 15, 20),
                          int(rng.integers(2**31 - 1)), ctx.config.threads)
            return background.submit(ctx, [job])
        return ctx.memo(self.prefetch_key(), compute)

    @staticmethod
    def _shared(ctx: ScanContext) -> SharedTest:
        canon = ctx.canon_data
        observed = int(copy_matches(ctx, canon, "holdout", "train").matched.sum())
        # the pooled groups of equal rows (by value): a group of s rows counts s times there
        pooled = pooled_duplicates(ctx, canon, ("train", "holdout"))
        sizes, rows = np.unique(pooled[pooled > 1], return_counts=True)
        n_t, n_h = ctx.n("train"), ctx.n("holdout")
        return shared_test(observed, np.repeat(sizes, rows // sizes), n_h / (n_t + n_h))

    def run(self, ctx: ScanContext) -> CheckResult:
        if skip := self.too_small(ctx, ("train", "holdout"), MIN_ROWS_EACH):
            return skip
        from scipy.special import ndtri

        alpha = ctx.config.alpha
        pending = self._classifier(ctx)
        s = self._shared(ctx)
        (scores,) = pending.collect()
        # as many held-out train rows as holdout rows, in that order
        neg, pos = np.split(scores, 2)
        ctx.forget(self.prefetch_key())
        a = auc_test(pos, neg)
        bad_auc, bad_shared = a.p_value < self.level / 2, s.p_value < self.level / 2
        z = float(ndtri(1 - alpha / 2))
        lo, hi = max(0.0, a.auc - z * a.se), min(1.0, a.auc + z * a.se)
        reasons = []
        if bad_auc:
            reasons.append(f"a classifier tells holdout from train records (AUC {a.auc:.3f}, "
                           f"one-sided p {_p(a.p_value)} against 0.5)")
        if bad_shared:
            reasons.append(f"{s.observed} holdout records equal a training record where a "
                           f"random split gives {s.expected:.1f} ± {s.sd:.1f}")
        failed = bool(reasons)
        # a material shift: the holdout is another population (e.g. another age range), so an
        # excess of training over holdout records says nothing about memorisation
        material = bool(bad_auc and lo >= MATERIAL_AUC)
        finding = ("FAILED: " + "; ".join(reasons) + (
            " — the holdout is another population: the verdict can be neither low nor high"
            if material else " — the verdict cannot be low")
            if failed else "consistent with one random split")
        details = {
            "finding": finding,
            "classifier_auc": a.auc, "classifier_auc_interval": [lo, hi],
            "classifier_p_value": a.p_value, "classifier_auc_null_standard_error": a.null_se,
            "shared_records_expected": round(s.expected, 4),
            "shared_records_sd": round(s.sd, 4), "shared_records_p_value": s.p_value,
            "test_level": self.level,
            "method": "gradient boosting fitted on half of m rows per table, AUC on the other "
                      "half: Mann-Whitney null (tie-corrected, one-sided) for the p-value, "
                      "DeLong variance for the interval; shared records against a random "
                      "assignment of the pooled equal rows; each test at level / 2",
        }
        if ctx.split_verification is not None:
            details["split_manifest"] = ctx.split_verification.summary
        return self.result(
            status="fail" if material else "warn" if failed else "pass", estimate=a.auc,
            lower=lo, upper=hi,
            p_value=min(1.0, 2 * min(a.p_value, s.p_value)), scale="probability",
            level=1 - alpha, evidence="train vs holdout",
            reason=_reason(reasons, material) if failed else "",
            counts={"train_rows": ctx.n("train"), "holdout_rows": ctx.n("holdout"),
                    "classifier_rows_each": min(ctx.n("train"), ctx.n("holdout"),
                                                self.max_rows),
                    "classifier_test_rows_each": a.n_pos,
                    "holdout_rows_equal_to_a_train_row": s.observed},
            details=details, unit="train and holdout rows")

    def summarize(self, result: CheckResult) -> str:
        if result.status in ("skipped", "error"):
            return super().summarize(result)
        c, d = result.counts, result.details
        text = (f"A classifier trained to tell holdout from train records reaches AUC "
                f"{d['classifier_auc']:.3f} on {c['classifier_test_rows_each']:,} held-out rows "
                f"of each ({result.level:.0%} interval {result.lower:.3f}–{result.upper:.3f}; "
                f"one-sided p {_p(d['classifier_p_value'])} against 0.5), and "
                f"{c['holdout_rows_equal_to_a_train_row']} holdout records equal a training "
                f"record ({d['shared_records_expected']:.1f} expected by chance).")
        if result.status == "fail":
            return (text + " The holdout is another population (the AUC's lower bound is at "
                    f"least {MATERIAL_AUC}); calibrated checks compare training with holdout "
                    "records, so the verdict can be neither low nor high.")
        if result.status == "warn":
            return (text + " The holdout does not look like a random split of the training "
                    "data; calibrated checks compare training with holdout records, so the "
                    "verdict cannot be low.")
        return text + " Consistent with one random split."


def _reason(reasons: list[str], material: bool) -> str:
    head = ("the holdout does not look like a random split of the training data: "
            + "; ".join(reasons) + ". Calibrated checks compare training with holdout records, ")
    if material:
        return head + (f"and a classifier AUC above {MATERIAL_AUC} tells another population: "
                       "neither a low nor a high verdict can rest on this holdout — split the "
                       "real data at random (synthscan split) and scan again")
    return head + ("so a low verdict cannot be certified, and a confirmed excess may come from "
                   "the difference between the two populations rather than from memorisation")


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.2g}"
