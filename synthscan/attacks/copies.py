"""Exact copies, counted two ways.

* ``verbatim`` (a risk component): records unique in the real data (train ∪ holdout) that some
  synthetic row reproduces on every compared column — every unique training record against
  every unique holdout record. Under no leak each unique real record has the same chance to be
  matched, so the excess share of unique training records reproduced needs no equal-size
  thinning; a reproduced unique record singles a person out.
* ``exact_copies`` (reported, never gating the verdict): the share of *synthetic rows* equal to
  a training record, calibrated against the holdout as below — the figure vendors are asked for.

Always runs on every row (hashing is O(n log n)). With a holdout, the share of synthetic rows
equal to a train record is compared with the share equal to a holdout record, at equal size
n_eq = min(n_T, n_H). Chance matches — common value combinations in discrete data — hit train and
holdout alike and cancel out; only memorisation leaves an excess.

Equal size is reached without random subsampling: a synthetic row equal to m records of a set of
n hits a uniform random n_eq-subset with probability 1 - C(n - m, n_eq) / C(n, n_eq); the sums of
these are the exact expected counts. (Extrapolating the holdout *up* to train's size instead is
biased: no unbiased estimator of a match probability over n_T records exists from n_H < n_T.)

Subsampling train thins true copies by n_eq / n_T, so the excess is scaled back by n_T / n_eq:
with a share f of synthetic rows copying train records and chance-match rate c,
r_eq = f a + (1 - f a) c with a = n_eq / n_T, hence (r_eq - c) / a = f (1 - c): on the one
absolute scale of every figure, the copies that chance alone would not have produced.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..encoding.hashing import CanonicalTables, CopyMatches, duplicate_counts, find_copies
from ..fmt import level, pct
from ..model import CheckResult
from ..stats import wilson
from ..stats.bounds import SubTest, excess_lower, excess_upper
from .base import Attack
from .context import ScanContext

if TYPE_CHECKING:  # the cluster join needs dask: imported only when a scan has a client
    from ..dask_backend.copies import CopyCounts


def hit_probability(multiplicity: np.ndarray, n: int, n_eq: int) -> np.ndarray:
    """P(a uniform random n_eq-subset of n records contains one of m given records), per row."""
    m = np.asarray(multiplicity, dtype=np.int64)
    out = np.zeros(len(m), dtype=np.float64)
    if n_eq >= n:
        out[m > 0] = 1.0
        return out
    for mv in np.unique(m[m > 0]):
        if n - int(mv) < n_eq:
            p = 1.0
        else:
            log_ratio = (math.lgamma(n - mv + 1) - math.lgamma(n - mv - n_eq + 1)
                         - math.lgamma(n + 1) + math.lgamma(n - n_eq + 1))
            p = 1.0 - math.exp(log_ratio)
        out[m == mv] = p
    return out


def _cluster_counts(ctx: ScanContext, canon: CanonicalTables) -> CopyCounts | None:
    """The cluster's hash join of every table of ``canon`` (``dask_backend.copies``), computed
    once per scan; None for a local scan."""
    client = ctx.client
    if client is None:
        return None
    from ..dask_backend.copies import copy_counts

    # keyed by the compared columns, not the object: the same columns give the same join
    key = "dask-copy-counts:" + "\x1f".join(canon.columns)
    return ctx.memo(key, lambda: copy_counts(client, canon))


def copy_matches(ctx: ScanContext, canon: CanonicalTables, query: str,
                 reference: str) -> CopyMatches:
    """``find_copies``, as a distributed hash join when the scan runs on a cluster."""
    counts = _cluster_counts(ctx, canon)
    if counts is None:
        return find_copies(canon, query, reference)
    return counts.matches(query, reference)


def pooled_duplicates(ctx: ScanContext, canon: CanonicalTables,
                      roles: tuple[str, ...]) -> np.ndarray:
    """``duplicate_counts`` of the concatenated ``roles``' rows, on the cluster if any."""
    counts = _cluster_counts(ctx, canon)
    if counts is None:
        return duplicate_counts(canon, roles)
    return counts.pooled_duplicates(roles)


#: below this many synthetic rows' worth of room above the chance rate, the excess is undefined
MIN_ROOM_ROWS = 10


class ExactCopies(Attack):
    """The share of synthetic rows that copy a training record (reported; the verdict reads
    the record-side ``verbatim`` and ``closeness`` components)."""

    id = "exact_copies"
    name = "Exact copies of real records (share of synthetic rows)"
    criterion = "copies"
    needs_holdout = None

    def run(self, ctx: ScanContext) -> CheckResult:
        alpha = ctx.config.alpha
        canon = ctx.canon_data
        n_s, n_t, n_h = ctx.n("synthetic"), ctx.n("train"), ctx.n("holdout")
        in_t = copy_matches(ctx, canon, "synthetic", "train")
        k_t = int(in_t.matched.sum())
        k_t_all = int(copy_matches(ctx, ctx.canon_all, "synthetic", "train").matched.sum())
        counts: dict[str, float] = {"synthetic_rows": n_s, "train_rows": n_t,
                                    "copies_of_train": k_t,
                                    "copies_of_train_all_columns": k_t_all}
        share_t = k_t / n_s
        lo_t, hi_t = wilson(k_t, n_s, alpha)
        details = {
            "share_copies_of_train": share_t,
            "share_copies_of_train_interval": [lo_t, hi_t],
            "columns_compared": len(canon.columns),
            "identifiers_excluded": ctx.schema.identifiers,
        }
        if not ctx.has_holdout:
            return self.result(estimate=share_t, lower=lo_t, upper=hi_t, level=1 - alpha,
                               evidence="no-holdout", counts=counts, details=details,
                               unit="synthetic rows", unit_total=n_s)
        in_h = copy_matches(ctx, canon, "synthetic", "holdout")
        k_h = int(in_h.matched.sum())
        n_eq = min(n_t, n_h)
        e_t = float(hit_probability(in_t.multiplicity, n_t, n_eq).sum())
        e_h = float(hit_probability(in_h.multiplicity, n_h, n_eq).sum())
        counts.update({"holdout_rows": n_h, "copies_of_holdout": k_h, "equal_size": n_eq,
                       "copies_of_train_at_equal_size": round(e_t, 4),
                       "copies_of_holdout_at_equal_size": round(e_h, 4)})
        chance = e_h / n_s
        if n_s < MIN_ROOM_ROWS:
            return self.skip(f"needs at least {MIN_ROOM_ROWS} synthetic rows to compare copy "
                             f"rates ({n_s} given); the counts are still reported",
                             counts=counts, details=details)
        if (1 - chance) * n_s < MIN_ROOM_ROWS:
            return self.skip(
                f"the compared columns are so coarse that {chance:.1%} of synthetic rows equal a "
                "real record by chance; exact copies carry no evidence here (see the distance "
                "and attack checks)", counts=counts, details=details)
        thinning = n_t / n_eq

        pair = SubTest("copies at equal size", e_t, n_s, e_h, n_s)
        est, lo, hi = (max(-1.0, min(1.0, v * thinning)) for v in (
            pair.estimate, excess_lower(pair, alpha / 2), excess_upper(pair, alpha / 2)))
        details.update({
            "share_copies_of_holdout": k_h / n_s,
            "share_copies_of_holdout_interval": list(wilson(k_h, n_s, alpha)),
            "chance_share_at_equal_size": chance,
            "estimate_definition": "share of synthetic rows copying a training record beyond "
                                   "chance: r_train - r_holdout at equal size, times "
                                   "n_train / n_equal (unclipped)",
        })
        return self.result(estimate=est, lower=lo, upper=hi, level=1 - alpha, counts=counts,
                           details=details, unit="synthetic rows", unit_total=n_s)

    def summarize(self, result: CheckResult) -> str:
        if result.status in ("skipped", "error"):
            return super().summarize(result)
        c = result.counts
        k_t, n_s = c["copies_of_train"], c["synthetic_rows"]
        text = (f"{k_t} of {n_s} synthetic rows ({pct(k_t / n_s)}) are exact copies of a "
                "training record")
        if result.evidence == "no-holdout":
            return (text + ". Without a holdout, chance matches of common value combinations "
                    "cannot be told apart from memorised records.")
        k_h = c["copies_of_holdout"]
        return (text + f" and {k_h} ({pct(k_h / n_s)}) of a holdout record. Compared at equal "
                f"size, an estimated {pct(result.estimate)} of the synthetic rows copy training "
                f"records beyond chance ({level(result.level)} interval {pct(result.lower)}–"
                f"{pct(result.upper)}).")


class Verbatim(Attack):
    """Records unique in the real data (train ∪ holdout) that the synthetic data reproduces
    exactly: every unique training record against every unique holdout record. A reproduced
    unique record singles a person out; in a public release any confirmed excess fails."""

    id = "verbatim"
    name = "Verbatim reproduction of unique real records"
    criterion = "copies"

    def __init__(self, *, max_listed: int = 10_000) -> None:
        #: reproduced training rows listed in the exposure list at most (row indices only)
        self.max_listed = max_listed
    thresholds = {"public-release": 0.001, "controlled-access": 0.002}
    high_thresholds = {"public-release": 0.0}
    data_driving = ("unique records: more training and holdout rows (each unique training "
                    "record is a target)")

    def run(self, ctx: ScanContext) -> CheckResult:
        canon = ctx.canon_data
        pooled = pooled_duplicates(ctx, canon, ("train", "holdout"))
        uniq_t = pooled[: ctx.n("train")] == 1
        uniq_h = pooled[ctx.n("train"):] == 1
        rep_t = copy_matches(ctx, canon, "train", "synthetic").matched & uniq_t
        rep_h = copy_matches(ctx, canon, "holdout", "synthetic").matched & uniq_h
        n1, k1 = int(uniq_t.sum()), int(rep_t.sum())
        n2, k2 = int(uniq_h.sum()), int(rep_h.sum())
        counts = {"train_rows": ctx.n("train"), "holdout_rows": ctx.n("holdout"),
                  "unique_train_records": n1, "reproduced_train_uniques": k1,
                  "unique_holdout_records": n2, "reproduced_holdout_uniques": k2}
        if n1 == 0 or n2 == 0:
            return self.skip(
                "no record is unique in the real data on the compared columns, so no person "
                "can be singled out by a verbatim copy", vacuous=True, counts=counts)
        exposed = np.flatnonzero(rep_t)
        return self.result(
            tests=[SubTest("unique records reproduced verbatim", k1, n1, k2, n2)],
            unit="unique training records", unit_total=n1, counts=counts,
            details={"rate_train_uniques": k1 / n1, "rate_holdout_uniques": k2 / n2,
                     "columns_compared": len(canon.columns),
                     "identifiers_excluded": ctx.schema.identifiers,
                     "exposure": {"train_rows": exposed[: self.max_listed],
                                  "records": int(len(exposed)),
                                  "listed": int(min(len(exposed), self.max_listed)),
                                  "meaning": "unique training records reproduced verbatim; "
                                             "row indices only"}},
        )

    def summarize(self, result: CheckResult) -> str:
        if result.status in ("skipped", "error"):
            return super().summarize(result)
        c = result.counts
        k1, n1 = c["reproduced_train_uniques"], c["unique_train_records"]
        k2, n2 = c["reproduced_holdout_uniques"], c["unique_holdout_records"]
        return (f"{k1} of {n1} training records that are unique in the real data are "
                f"reproduced verbatim by a synthetic row ({pct(k1 / n1)}), against {k2} of {n2} "
                f"unique holdout records ({pct(k2 / n2)}).")
