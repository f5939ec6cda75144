"""Record-side neighbour searches shared by the checks, each computed once per scan.

* ``real_to_synthetic``: every real record (train, then holdout) against the synthetic rows, at
  the largest k any check reads (closeness reads k = 1, membership inference's kNN attacks
  k = 1, 5, 20). Exact.
* ``nearest_other_real``: every real record's distance to its nearest *other* real record in
  train ∪ holdout (the scale of the relative closeness score). Exact below
  ``APPROX_MIN_ROWS`` real records; above, an inverted-file index with seeded k-means cells.
  The approximation is safe for the statistics: the score is computed by the same rule for
  training and holdout records, so a test comparing the two stays calibrated; what it can cost
  is a little power, never a false alarm.

Distances are raw engine distances (L1 sums, or squared L2); ``ScanContext.encoder`` converts.
"""

from __future__ import annotations

import math

import numpy as np

from ..neighbors.engine import NeighborEngine, faiss_threads
from ..neighbors.kmeans import assign
from .base import ScanContext

#: largest k any check reads from the real -> synthetic search
KNN_MAX = 20
#: below this many real records the nearest-other search is exact
APPROX_MIN_ROWS = 20_000
#: inverted-file cells probed per query in the approximate nearest-other search
NPROBE = 16


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


def _exact_other(x: np.ndarray, metric: str, threads: int | None) -> np.ndarray:
    eng = NeighborEngine(x, metric, threads)
    d, i = eng.kneighbors(x, 2)
    own = np.arange(len(x))
    # the nearest other record: the second hit when the first is the record itself; otherwise
    # the first (a duplicate of the record sits at distance 0 ahead of it)
    return np.where(i[:, 0] == own, d[:, 1], d[:, 0])


def _cells(x: np.ndarray, nlist: int, seed: int, threads: int | None,
           iterations: int = 3) -> np.ndarray:
    """Seeded cell centres for the inverted file: distinct random rows, then a few Lloyd steps
    on a sample (k-means++ seeding costs k passes over the data, far more than the search it
    serves; any centres keep the search correct, better ones make it faster)."""
    rng = np.random.default_rng(seed)
    sample = x[np.sort(rng.choice(len(x), min(len(x), 40 * nlist), replace=False))]
    sample = np.asarray(sample, dtype=np.float64)
    c = sample[rng.choice(len(sample), nlist, replace=False)]
    for _ in range(iterations):
        label = assign(c, sample, threads)
        count = np.bincount(label, minlength=len(c))
        sums = np.stack([np.bincount(label, weights=sample[:, j], minlength=len(c))
                         for j in range(sample.shape[1])], axis=1)
        filled = count > 0
        c[filled] = sums[filled] / count[filled, None]
    return c.astype(np.float32)


def _approximate_other(x: np.ndarray, metric: str, threads: int | None,
                       seed: int) -> np.ndarray:
    import faiss

    n, dim = x.shape
    nlist = int(min(4096, max(16, 4 * math.sqrt(n))))
    centroids = _cells(x, nlist, seed, threads)
    faiss_metric = {"l1": faiss.METRIC_L1, "l2": faiss.METRIC_L2}[metric]
    quantizer = faiss.IndexFlat(dim, faiss_metric)
    quantizer.add(np.ascontiguousarray(centroids, dtype=np.float32))
    index = faiss.IndexIVFFlat(quantizer, dim, len(centroids), faiss_metric)
    index.is_trained = True
    xs = np.ascontiguousarray(x, dtype=np.float32)
    with faiss_threads(threads):
        index.add(xs)
        index.nprobe = min(NPROBE, len(centroids))
        d, i = index.search(xs, 2)
    own = np.arange(n)
    other = np.where(i[:, 0] == own, d[:, 1], d[:, 0])
    # a record alone in every probed cell gets no other hit: fall back to exact search for it
    lost = (i[:, 1] < 0) | ~np.isfinite(other)
    if lost.any():
        eng = NeighborEngine(xs, metric, threads)
        dl, il = eng.kneighbors(xs[lost], 2)
        own_l = np.flatnonzero(lost)
        other[lost] = np.where(il[:, 0] == own_l, dl[:, 1], dl[:, 0])
    if metric == "l2":
        np.maximum(other, 0, out=other)
    return other.astype(np.float32)


def nearest_other_real(ctx: ScanContext) -> np.ndarray:
    """(n_train + n_holdout,) engine distance of each real record to its nearest other real
    record (0 when it has an exact duplicate)."""
    def compute() -> np.ndarray:
        x = real_rows(ctx)
        if len(x) < 2:
            return np.full(len(x), np.inf, dtype=np.float32)
        if len(x) < APPROX_MIN_ROWS:
            return _exact_other(x, ctx.config.metric, ctx.config.threads)
        seed = int(ctx.rng("closeness:cells").integers(2**31 - 1))
        return _approximate_other(x, ctx.config.metric, ctx.config.threads, seed)
    return ctx.memo("knn:real->real-other", compute)


def nearest_other_is_exact(ctx: ScanContext) -> bool:
    return ctx.n("train") + ctx.n("holdout") < APPROX_MIN_ROWS
