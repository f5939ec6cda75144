"""A reference too large for one worker, in row shards: how it is split, and how the shards'
answers merge into the exact k nearest.

Each query batch is searched on every shard with k' = min(k, shard rows); the union of the
shards' k' nearest holds the k nearest overall, so ``merge_topk`` is exact, and a tie running
past the k-th neighbour still shows at the k-th distance (``TieIndex`` widens on it).
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ResourceError

#: a worker holds the scattered rows and the FAISS index's copy of them
INDEX_OVERHEAD = 2.0


def plan_shards(n_rows: int, row_bytes: int, workers: list[str], limit: float,
                count: int | None = None) -> list[tuple[int, int, str]]:
    """Contiguous row ranges [start, stop) and the worker each goes to, round-robin: ``count``
    shards (default one per worker, never more than rows). Refused with ``ResourceError`` when
    a worker's shards, with their indexes, exceed its memory ``limit`` in bytes."""
    count = int(min(n_rows, count or len(workers)))
    bounds = np.linspace(0, n_rows, count + 1).round().astype(np.int64)
    per_worker = math.ceil(count / len(workers))
    largest = int(np.diff(bounds).max())
    if INDEX_OVERHEAD * largest * row_bytes * per_worker > limit:
        gib = INDEX_OVERHEAD * n_rows * row_bytes / len(workers) / 2**30
        raise ResourceError(
            f"the neighbour search needs about {gib:.1f} GiB on each of the {len(workers)} "
            "Dask workers, more than their memory limit — add workers or give them more "
            "memory", key="scheduler")
    return [(int(bounds[s]), int(bounds[s + 1]), workers[s % len(workers)])
            for s in range(count)]


def merge_topk(dists: list[np.ndarray], ids: list[np.ndarray], k: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """Per query (row), the k smallest distances of several shards' answers with their global
    ids, ordered by (distance, id): exact float comparison, so L1 ties (exact in float32) and
    bit-equal L2 distances are broken by the smaller row id, whatever order the shards came in.
    L2 near-ties within ``tie_tolerance`` keep their distance order; callers compare them with
    the tolerance."""
    d = np.concatenate(dists, axis=1)
    i = np.concatenate(ids, axis=1)
    order = np.lexsort((i, d), axis=1)[:, :k]
    return np.take_along_axis(d, order, axis=1), np.take_along_axis(i, order, axis=1)
