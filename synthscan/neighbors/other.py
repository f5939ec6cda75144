"""Every record's distance to its nearest *other* record of the same set.

Exact (a flat index, k = 2) for small sets; above, an inverted-file index whose cells are seeded
random rows refined by a few Lloyd steps. A record whose probed cells hold no other record falls
back to the exact search, so every record gets an answer. Distances are raw engine distances.
"""

from __future__ import annotations

import math

import numpy as np

from .engine import NeighborEngine, faiss_threads
from .kmeans import assign

#: inverted-file cells probed per query in the approximate search
NPROBE = 16


def exact_other(x: np.ndarray, metric: str, threads: int | None) -> np.ndarray:
    eng = NeighborEngine(x, metric, threads)
    d, i = eng.kneighbors(x, 2)
    own = np.arange(len(x))
    # the nearest other record: the second hit when the first is the record itself; otherwise
    # the first (a duplicate of the record sits at distance 0 ahead of it)
    return np.where(i[:, 0] == own, d[:, 1], d[:, 0])


def cells(x: np.ndarray, nlist: int, seed: int, threads: int | None,
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


def approximate_other(x: np.ndarray, metric: str, threads: int | None,
                       seed: int) -> np.ndarray:
    import faiss

    n, dim = x.shape
    nlist = int(min(4096, max(16, 4 * math.sqrt(n))))
    centroids = cells(x, nlist, seed, threads)
    faiss_metric = {"l1": faiss.METRIC_L1, "l2": faiss.METRIC_L2}[metric]
    quantizer = faiss.IndexFlat(dim, faiss.METRIC_L2)  # as the centres were fitted
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
