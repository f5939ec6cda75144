"""Record-side neighbour searches shared by the checks, each computed once per scan.

* ``real_to_synthetic``: every real record (train, then holdout) against the synthetic rows, at
  the largest k any check reads (closeness reads k = 1, membership inference's kNN attacks
  k = 1, 5, 20). Exact.
* ``nearest_real`` / ``distance_to_train``: synthetic queries (``ScanContext.query_rows``)
  against train ∪ holdout, tie-aware (``TieIndex``), for the synthetic-side distance tests.
* ``nearest_other_real``: every real record's distance to its nearest *other* real record in
  train ∪ holdout (the scale of the relative closeness score). Exact below
  ``APPROX_MIN_ROWS`` real records; above, an inverted-file index with seeded k-means cells.
  The approximation is safe for the statistics: the score is computed by the same rule for
  training and holdout records, so a test comparing the two stays calibrated; what it can cost
  is a little power, never a false alarm.

Distances are raw engine distances (L1 sums, or squared L2); ``ScanContext.encoder`` converts.
"""

from __future__ import annotations

import numpy as np

from ..neighbors.engine import NeighborEngine, TieIndex, TieResult
from ..neighbors.other import approximate_other, exact_other
from .context import ScanContext

#: largest k any check reads from the real -> synthetic search
KNN_MAX = 20
#: below this many real records the nearest-other search is exact
APPROX_MIN_ROWS = 20_000


def real_rows(ctx: ScanContext) -> np.ndarray:
    """Encoded train rows followed by encoded holdout rows (one array, built once)."""
    return ctx.memo("rows:real", lambda: np.vstack(
        [ctx.encoded[r] for r in ("train", "holdout") if r in ctx.encoded]))


def real_to_synthetic(ctx: ScanContext) -> tuple[np.ndarray, np.ndarray]:
    """(distances, synthetic row indices), each (n_train + n_holdout, k) with
    k = min(KNN_MAX, n_synthetic), sorted by distance."""
    def compute() -> tuple[np.ndarray, np.ndarray]:
        eng = NeighborEngine(ctx.encoded["synthetic"], ctx.config.metric, ctx.config.threads)
        return eng.kneighbors(real_rows(ctx), KNN_MAX)
    return ctx.memo("knn:real->synthetic", compute)


def nearest_other_real(ctx: ScanContext) -> np.ndarray:
    """(n_train + n_holdout,) engine distance of each real record to its nearest other real
    record (0 when it has an exact duplicate)."""
    def compute() -> np.ndarray:
        x = real_rows(ctx)
        if len(x) < 2:
            return np.full(len(x), np.inf, dtype=np.float32)
        if len(x) < APPROX_MIN_ROWS:
            return exact_other(x, ctx.config.metric, ctx.config.threads)
        seed = int(ctx.rng("closeness:cells").integers(2**31 - 1))
        return approximate_other(x, ctx.config.metric, ctx.config.threads, seed)
    return ctx.memo("knn:real->real-other", compute)


def nearest_other_is_exact(ctx: ScanContext) -> bool:
    return ctx.n("train") + ctx.n("holdout") < APPROX_MIN_ROWS


# ------------------------------------------------------------- synthetic queries -> real


def _tie_index(ctx: ScanContext, key: str, rows: np.ndarray, labels: np.ndarray,
           n_labels: int) -> TieIndex:
    return ctx.memo(f"index:{key}", lambda: TieIndex(
        rows, labels, n_labels, ctx.config.metric, ctx.config.threads))


def real_index(ctx: ScanContext) -> TieIndex:
    """Train ∪ holdout, labelled 0 (train) and 1 (holdout)."""
    t, h = ctx.encoded["train"], ctx.encoded["holdout"]
    labels = np.concatenate([np.zeros(len(t), np.int64), np.ones(len(h), np.int64)])
    return _tie_index(ctx, "real", np.vstack([t, h]), labels, 2)


def train_index(ctx: ScanContext) -> TieIndex:
    t = ctx.encoded["train"]
    return _tie_index(ctx, "train", t, np.zeros(len(t), np.int64), 1)


def synthetic_queries(ctx: ScanContext) -> np.ndarray:
    return ctx.encoded["synthetic"][ctx.query_rows]


def nearest_real(ctx: ScanContext) -> TieResult:
    """Synthetic queries against train ∪ holdout, with the distance to the nearest training
    record (``label_distance[:, 0]``)."""
    return ctx.memo("ties:synthetic->real",
                    lambda: real_index(ctx).nearest(synthetic_queries(ctx), per_label=(0,)))


def distance_to_train(ctx: ScanContext) -> np.ndarray:
    """Engine distance of each synthetic query to its nearest training record."""
    if ctx.has_holdout:
        to_train = nearest_real(ctx).label_distance
        assert to_train is not None  # asked for with per_label=(0,)
        return to_train[:, 0]
    return ctx.memo("ties:synthetic->train",
                    lambda: train_index(ctx).nearest(synthetic_queries(ctx))).distance


def holdout_distance_to_train(ctx: ScanContext, rows: np.ndarray) -> np.ndarray:
    """Engine distance of holdout records ``rows`` to their nearest training record."""
    return train_index(ctx).nearest(ctx.encoded["holdout"][rows]).distance


def sampling_details(ctx: ScanContext) -> dict[str, object]:
    """How the synthetic queries were chosen (for a result's details)."""
    return {"query_rows": int(len(ctx.query_rows)), "synthetic_rows": ctx.n("synthetic"),
            "queries_sampled": ctx.queries_sampled,
            "reference": "all real records (never subsampled)"}
