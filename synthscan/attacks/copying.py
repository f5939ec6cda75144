"""Supporting distance tests, reported and never deciding the verdict: the data-copying test
(synthetic rows closer to training records than holdout records are) and the nearest-neighbour
distance ratio (synthetic rows next to isolated records). Distances are in the encoder's units
(``MixedEncoder.to_units``). Passing them does not show privacy.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..fmt import level, pct
from ..model import CheckResult
from ..neighbors.kmeans import assign, kmeans
from ..neighbors.ties import TieIndex, TieResult
from ..stats import normal_quantile
from ..stats.bounds import SubTest, excess_lower, excess_upper
from ..stats.resampling import clustered_auc_less, z_to_p_less
from .base import Attack
from .context import ScanContext, subset
from .distance import NOT_PRIVACY_PROOF
from .searches import (
    attack_engines,
    described,
    distance_to_train,
    holdout_distance_to_train,
    nearest_real,
    sampling_details,
    summarized,
    synthetic_queries,
)


def equal_size(ctx: ScanContext, key: str, n_a: int, n_b: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """Uniform subsamples (sorted indices) making two groups the same size (one stream)."""
    n = min(n_a, n_b)
    rng = ctx.rng(key)
    return subset(rng, n_a, n), subset(rng, n_b, n)


def _histogram(x: np.ndarray, y: np.ndarray, units: str, bins: int = 30) -> dict[str, object]:
    pooled = np.concatenate([x, y])
    hi = float(np.quantile(pooled, 0.99)) if len(pooled) else 1.0
    edges = np.linspace(0.0, hi if hi > 0 else 1.0, bins + 1)
    cx, _ = np.histogram(np.minimum(x, edges[-1]), edges)
    cy, _ = np.histogram(np.minimum(y, edges[-1]), edges)
    return {"edges": edges.tolist(), "synthetic": (cx / max(len(x), 1)).tolist(),
            "holdout": (cy / max(len(y), 1)).tolist(),
            "note": f"share of rows per distance bin ({units}); the last bin includes "
                    "everything beyond the 99th percentile"}


class DataCopying(Attack):
    """Synthetic rows closer to their nearest training record than fresh real records (the
    holdout) are: Mann–Whitney test at equal sizes, globally and within k-means cells of the
    training data, since local copying can hide under global underfitting."""

    id = "data_copying"
    name = "Data-copying test (synthetic vs holdout distance to train)"
    criterion = "distance"

    def run(self, ctx: ScanContext) -> CheckResult:
        if skip := self.too_small(ctx, ("train", "holdout", "synthetic")):
            return skip
        d_s = ctx.encoder.to_units(distance_to_train(ctx))
        ia, ib = equal_size(ctx, "copying:equal-size", len(d_s), ctx.n("holdout"))
        xs = d_s[ia]
        d_h, cert = holdout_distance_to_train(ctx, ib)  # only the rows compared
        xh = ctx.encoder.to_units(d_h)
        # synthetic rows sharing a nearest real record are clustered evidence
        ties = nearest_real(ctx)
        clusters = ties.tie_points[ties.tie_ptr[:-1]][ia]
        glob = clustered_auc_less(xs, xh, clusters)
        cells = self._cells(ctx, ia, ib, xs, xh, clusters)
        z_cells = cells.pop("z_aggregate")
        p_cells = z_to_p_less(-z_cells) if math.isfinite(z_cells) else math.nan
        ps = [p for p in (glob.p_value, p_cells) if math.isfinite(p)]
        p_value = min(1.0, len(ps) * min(ps)) if ps else math.nan  # Bonferroni over the two
        alpha = ctx.config.alpha
        copying = bool(p_value < alpha)
        se = glob.se
        z = normal_quantile(1 - alpha / 2)
        return self.result(
            estimate=glob.auc, lower=max(0.0, glob.auc - z * se),
            upper=min(1.0, glob.auc + z * se), level=1 - alpha, p_value=p_value,
            scale="probability", unit="pairs of a synthetic and a holdout row",
            counts={"synthetic_rows_compared": len(xs), "holdout_rows_compared": len(xh)},
            details={
                "estimate_meaning": "P(synthetic row closer to train than a holdout row)",
                "finding": "evidence of copying" if copying else "no evidence of copying",
                "global": {"z": glob.z, "p_value": glob.p_value, "auc": glob.auc,
                           "clusters": glob.clusters},
                "test": "Mann–Whitney AUC with a cluster-robust (DeLong sandwich) variance; "
                        "synthetic rows clustered by their nearest real record; z > 0 means "
                        "synthetic rows are closer to train than holdout rows",
                "cells": cells,
                "cell_z_aggregate": z_cells,
                "distance_histogram": _histogram(xs, xh, ctx.encoder.units),
                "median_distance_synthetic": float(np.median(xs)),
                "median_distance_holdout": float(np.median(xh)),
                **sampling_details(ctx),
                "holdout_to_train_search": described(cert),
            },
        )

    @staticmethod
    def _cells(ctx: ScanContext, ia: np.ndarray, ib: np.ndarray, xs: np.ndarray,
               xh: np.ndarray, clusters: np.ndarray) -> dict:
        t = ctx.encoded["train"]
        k_wanted = int(np.clip(min(len(xs), len(t)) // 200, 2, 20))
        seed = int(ctx.rng("copying:kmeans").integers(2**31 - 1))
        threads = ctx.config.threads
        centroids = kmeans(t, k_wanted, seed, threads=threads)
        k = len(centroids)  # fewer when train has fewer distinct rows
        cell_s = assign(centroids, synthetic_queries(ctx)[ia], threads)
        cell_h = assign(centroids, ctx.encoded["holdout"][ib], threads)
        cell_t = np.bincount(assign(centroids, t, threads), minlength=k) / len(t)
        rows, num, den = [], 0.0, 0.0
        for c in range(k):
            s_c, h_c = xs[cell_s == c], xh[cell_h == c]
            if len(s_c) < 20 or len(h_c) < 5:
                continue
            mw = clustered_auc_less(s_c, h_c, clusters[cell_s == c])
            rows.append({"cell": c, "synthetic_rows": len(s_c), "holdout_rows": len(h_c),
                         "train_share": float(cell_t[c]), "z": mw.z, "auc": mw.auc})
            num += cell_t[c] * mw.z
            den += cell_t[c] ** 2
        z_agg = num / math.sqrt(den) if den > 0 else math.nan
        worst = sorted(rows, key=lambda r: -r["z"])[:3]
        return {"k": k, "cells_tested": len(rows), "worst_cells": worst, "z_aggregate": z_agg,
                "rule": "cells with >= 20 synthetic rows, z weighted by train mass"}

    def summarize(self, result: CheckResult) -> str:
        if result.status in ("skipped", "error"):
            return super().summarize(result)
        d = result.details
        copying = d["finding"] == "evidence of copying"
        return (f"Synthetic rows are closer to their nearest training record than holdout "
                f"records are with probability {result.estimate:.3f} (0.5 = no difference; "
                f"{result.counts['synthetic_rows_compared']} rows each); cluster-robust z = "
                f"{d['global']['z']:.2f} globally and {d['cell_z_aggregate']:.2f} within cells, "
                f"p = {result.p_value:.3g}. "
                + ("Synthetic rows sit unusually close to training records." if copying
                   else "No sign of data copying.") + f" {NOT_PRIVACY_PROOF}")


# -------------------------------------------------------------------------------------- NNDR


def _nndr(res: TieResult) -> np.ndarray:
    d1, d2 = res.distance, res.second
    out = np.ones_like(d1)
    ok = d2 > 0
    out[ok] = d1[ok] / d2[ok]
    return out


class NearestNeighbourDistanceRatio(Attack):
    """Nearest / second-nearest real distance. A low ratio means a synthetic row sits next to
    one isolated real record. The low tail (< 0.5) against train is compared with the same tail
    against the holdout at equal size. Descriptive (status "info"): its interval treats the
    equal-size reference subset as fixed, so it is not a calibrated test; it points at the most
    exposed records. At most ``max_queries`` synthetic rows are used."""

    id = "nndr"
    name = "Nearest-neighbour distance ratio (isolated records)"
    criterion = "distance"

    def __init__(self, *, cutoff: float = 0.5, n_exposed: int = 20,
                 max_queries: int = 10_000) -> None:
        #: a ratio below this marks a synthetic row next to an isolated record
        self.cutoff = cutoff
        #: most exposed records listed (row indices only)
        self.n_exposed = n_exposed
        #: synthetic query rows used at most
        self.max_queries = max_queries

    def run(self, ctx: ScanContext) -> CheckResult:
        if skip := self.too_small(ctx, ("train", "holdout", "synthetic")):
            return skip
        n_t, n_h = ctx.n("train"), ctx.n("holdout")
        it, ih = equal_size(ctx, "nndr:equal-size", n_t, n_h)
        q_rows = ctx.subset("nndr:queries", len(ctx.query_rows), self.max_queries)
        q = synthetic_queries(ctx)[q_rows]
        searched: list[dict[str, Any]] = []

        def index(table: str, rows: np.ndarray) -> TieIndex:
            return TieIndex(ctx.encoded[table][rows], np.zeros(len(rows), np.int64), 1,
                            ctx.config.metric, ctx.config.threads,
                            engine=attack_engines(ctx, q, f"nndr:{table}", searched))

        # equal sizes, built alike: above the approximate size both go approximate together
        idx_t, idx_h = index("train", it), index("holdout", ih)
        res_t = idx_t.nearest(q)
        r_t, r_h = _nndr(res_t), _nndr(idx_h.nearest(q))
        n_q = len(q)
        k_t, k_h = int((r_t < self.cutoff).sum()), int((r_h < self.cutoff).sum())
        pair = SubTest("low ratio", k_t, n_q, k_h, n_q)
        alpha = ctx.config.alpha
        est, lo, hi = pair.estimate, excess_lower(pair, alpha / 2), excess_upper(pair, alpha / 2)
        # most exposed: synthetic rows with the lowest ratio against train, and the train row
        # each points at (row indices only)
        order = np.argsort(r_t, kind="stable")
        order = order[r_t[order] < self.cutoff][: self.n_exposed]
        exposed = []
        for qi in order:
            point = res_t.tie_points[res_t.tie_ptr[qi]]
            rec = int(np.flatnonzero(idx_t.point_of_record == point)[0])
            exposed.append({"synthetic_row": int(ctx.query_rows[q_rows[qi]]),
                            "train_row": int(it[rec]), "nndr": float(r_t[qi])})
        return self.result(
            estimate=est, lower=lo, upper=hi, level=1 - alpha, unit="synthetic rows",
            unit_total=n_q,
            counts={"query_rows": n_q, "low_ratio_train": k_t, "low_ratio_holdout": k_h,
                    "equal_size": int(len(it))},
            details={"cutoff": self.cutoff, "most_exposed": exposed,
                     "median_nndr_train": float(np.median(r_t)),
                     "median_nndr_holdout": float(np.median(r_h)),
                     "nndr_query_rows": n_q, **sampling_details(ctx),
                     "searches": summarized(searched)},
        )

    def summarize(self, result: CheckResult) -> str:
        if result.status in ("skipped", "error"):
            return super().summarize(result)
        c = result.counts
        k_t, k_h, n_q = c["low_ratio_train"], c["low_ratio_holdout"], c["query_rows"]
        return (f"{k_t} of {n_q} synthetic rows ({pct(k_t / n_q)}) sit next to an isolated "
                f"training record (distance ratio < {result.details['cutoff']}), against {k_h} "
                f"({pct(k_h / n_q)}) for holdout records at equal size ({c['equal_size']} "
                f"records each); excess {result.estimate:+.2%} ({level(result.level)} interval "
                f"{pct(result.lower)}–{pct(result.upper)}).")
