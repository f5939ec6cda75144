"""Synthetic-side distance tests: the holdout-calibrated nearest-record share (a detection-only
route to ``high``) and the clearly weaker fallback when there is no holdout.

All neighbour work goes through ``synthscan.neighbors`` on the symmetric Gower encoding (the
shared searches are in ``searches``). The real reference set is never subsampled; synthetic
query rows may be (``ScanContext.query_rows``). Distance tests detect copying; passing them
does not show privacy.
"""

from __future__ import annotations

import numpy as np

from ..fmt import level, pct
from ..model import CheckResult
from ..stats import normal_quantile
from ..stats.bounds import SubTest
from ..stats.resampling import (
    group_credits,
    mann_whitney_less,
    min_detectable_shift,
    percentile_interval,
    permutation_null,
    permutation_p_value,
    poisson_bootstrap,
)
from .base import Attack
from .context import ScanContext
from .searches import (
    distance_to_train,
    nearest_real,
    real_index,
    sampling_details,
    synthetic_to_real_search,
    train_index,
)

NOT_PRIVACY_PROOF = ("Passing a distance test does not prove privacy; failing one is strong "
                     "evidence of copying.")


# ------------------------------------------------------------------------ nearest-record share


class NearestRecordShare(Attack):
    """For each synthetic row, the share of its nearest real records (ties credited
    fractionally) that are training records. Without leakage its mean is pi0 = n_T / (n_T + n_H);
    Delta = (p - pi0) / (1 - pi0) estimates the share of synthetic rows that are copies or
    near-copies of training records. A detection-only route to ``high``: a share of synthetic
    rows has whole-table variance, so it never gates ``low`` (the record-side ``closeness``
    component does), but a confirmed excess above its threshold still fails the release — it
    catches leaks the record-side components can miss at small sizes (a secret column copied
    from the nearest training record, other columns clean)."""

    id = "nearest_record_share"
    name = "Nearest-record share (DCR test, holdout-calibrated)"
    criterion = "distance"
    detection_only = True
    thresholds = {"public-release": 0.01, "controlled-access": 0.05}

    def run(self, ctx: ScanContext) -> CheckResult:
        if skip := self.too_small(ctx, ("train", "holdout", "synthetic")):
            return skip
        cfg = ctx.config
        ties = nearest_real(ctx)
        index = real_index(ctx)
        n_t, n_h = ctx.n("train"), ctx.n("holdout")
        pi0 = n_t / (n_t + n_h)
        n_tied = ties.n_tied.astype(np.float64)
        credit = ties.counts[:, 0] / n_tied
        n_q = len(credit)
        p_hat = float(credit.mean())
        delta = (p_hat - pi0) / (1 - pi0)

        # credit attached to each real point: 1/|tie set| per record, per synthetic row
        per_query = np.repeat(1.0 / n_tied, np.diff(ties.tie_ptr))
        point_weight = np.bincount(ties.tie_points, weights=per_query,
                                   minlength=index.n_points)
        groups = group_credits(point_weight, index.point_counts[:, 0], index.point_counts[:, 1],
                               n_t, n_h)
        null = permutation_null(groups, cfg.permutations, ctx.rng("nrs:permutation"))
        p_value = permutation_p_value(groups.statistic(), null)
        share_b, pi0_b = poisson_bootstrap(groups, cfg.bootstrap, ctx.rng("nrs:bootstrap"))
        delta_b = (share_b - pi0_b) / (1 - pi0_b)
        lo, hi = percentile_interval(delta_b, cfg.alpha)
        # never narrower than the permutation null's spread: at small sizes the bootstrap,
        # conditional on this synthetic sample, is too narrow (validation: 85% coverage at
        # n_train = 1,000), while the null's spread matched the spread of delta across seeds
        null_sd = float(np.std(null)) / (1 - pi0)
        z = normal_quantile(1 - cfg.alpha / 2)
        lo, hi = min(lo, delta - z * null_sd), max(hi, delta + z * null_sd)
        est = delta  # unclipped, as every estimate on the excess scale
        lo, hi = min(lo, est), max(hi, est)
        mde = min_detectable_shift(null_sd, cfg.alpha / 2)
        multi = float(np.mean(ties.n_tied > 1))
        return self.result(
            estimate=est, lower=lo, upper=hi, level=1 - cfg.alpha, p_value=p_value,
            unit="synthetic rows", unit_total=n_q,
            standard_error=max(null_sd, float(np.std(delta_b))),
            counts={"query_rows": n_q, "train_rows": n_t, "holdout_rows": n_h,
                    "credit_to_train": round(float(credit.sum()), 6)},
            details={
                "p_hat": p_hat, "pi0": pi0,
                "permutations": cfg.permutations, "bootstrap": cfg.bootstrap,
                "interval_method": "cluster bootstrap over real records (Poisson weights), "
                                   "widened where needed to the permutation null's spread",
                "test": "label permutation over train ∪ holdout (one-sided)",
                "min_detectable_delta": mde,
                "null_sd": null_sd,
                "share_of_queries_with_ties": multi,
                "synthetic_to_real_search": synthetic_to_real_search(ctx),
                "mean_tie_size": float(n_tied.mean()),
                **sampling_details(ctx),
            },
        )

    def summarize(self, result: CheckResult) -> str:
        if result.status in ("skipped", "error"):
            return super().summarize(result)
        d, n_q = result.details, result.counts["query_rows"]
        return (f"Of the nearest real records of {n_q} synthetic rows, a share "
                f"{d['p_hat']:.4f} are training records, against {d['pi0']:.4f} expected if the "
                f"generator had not seen them (the training share of all real records). "
                f"Estimated share of synthetic rows that copy or nearly copy a training record: "
                f"{pct(result.estimate)} ({level(result.level)} interval "
                f"{pct(result.lower)}–{pct(result.upper)}; permutation p = "
                f"{result.p_value:.3g}). {NOT_PRIVACY_PROOF}")


# ----------------------------------------------------------------------------- no holdout


class DistanceNoHoldout(Attack):
    """Without a holdout: are synthetic rows closer to training records than training records
    are to each other (leave-one-out)? Weaker evidence: it cannot separate memorisation from a
    generator that learned the population well."""

    id = "distance_no_holdout"
    name = "Distance to training records vs leave-one-out (no holdout: weaker evidence)"
    criterion = "distance"
    needs_holdout = False
    thresholds = {"public-release": 0.01, "controlled-access": 0.02}
    data_driving = "a holdout: real records the generator never saw"

    def __init__(self, *, quantile: float = 0.05) -> None:
        #: the leave-one-out quantile of training records that sets the closeness cut-off
        self.quantile = quantile

    def run(self, ctx: ScanContext) -> CheckResult:
        if skip := self.too_small(ctx, ("train", "synthetic")):
            return skip
        d_s = ctx.encoder.to_units(distance_to_train(ctx))
        n_t = ctx.n("train")
        rows = ctx.subset("nohold:loo", n_t, min(n_t, len(d_s)))
        loo = ctx.encoder.to_units(train_index(ctx).nearest(
            ctx.encoded["train"][rows], exclude_records=rows).distance)
        q = float(np.quantile(loo, self.quantile))
        k_s, k_r = int((d_s <= q).sum()), int((loo <= q).sum())
        n_s = len(d_s)
        test = SubTest("synthetic rows closer than the closest training records are to each "
                       "other", k_s, n_s, k_r, len(loo))
        mw = mann_whitney_less(d_s, loo)
        return self.result(
            p_value=mw.p_value, evidence="no-holdout", tests=[test], unit="synthetic rows",
            unit_total=n_s,
            counts={"query_rows": n_s, "close_synthetic": k_s, "loo_rows": len(loo),
                    "close_loo": k_r},
            details={"distance_cutoff": q, "quantile": self.quantile,
                     "mann_whitney": {"z": mw.z, "p_value": mw.p_value, "auc": mw.auc},
                     **sampling_details(ctx)},
        )

    def summarize(self, result: CheckResult) -> str:
        if result.status in ("skipped", "error"):
            return super().summarize(result)
        c = result.counts
        k_s, n_s, k_r, n_r = (c["close_synthetic"], c["query_rows"], c["close_loo"],
                              c["loo_rows"])
        return (f"No holdout: {k_s} of {n_s} synthetic rows ({pct(k_s / n_s)}) are at least as "
                f"close to a training record as the closest {result.details['quantile']:.0%} of "
                f"training records are to each other ({pct(k_r / n_r)} of them); excess "
                f"{result.estimate:+.2%} ({level(result.level)} interval {pct(result.lower)}–"
                f"{pct(result.upper)}). Weaker evidence: without a holdout this cannot separate "
                f"memorisation from learning the population. {NOT_PRIVACY_PROOF}")
