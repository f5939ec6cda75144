"""A small, seeded k-means (k-means++ start, Lloyd iterations) on the FAISS engine.

Used to cut the training data into cells for local tests. It needs no scikit-learn, whose
import alone costs more than a second, and its result depends only on the data and the seed:
assignments go through the exact flat L2 engine and centroid updates are sums in float64.
"""

from __future__ import annotations

import numpy as np

from .engine import NeighborEngine


def kmeans(x: np.ndarray, k: int, seed: int, iterations: int = 25, sample: int = 20_000,
           threads: int | None = None) -> np.ndarray:
    """Centroids (at most ``k``, float32) of the rows of ``x``.

    Fitted on a uniform sample of at most ``sample`` rows (cells only need the shape of the
    data). Fewer than ``k`` centroids come back when the data has fewer distinct rows.
    """
    rng = np.random.default_rng(seed)
    if len(x) == 0:
        raise ValueError("k-means needs at least one row")
    if len(x) > sample:  # sample before converting: the input may be millions of rows
        x = x[np.sort(rng.choice(len(x), sample, replace=False))]
    x = np.asarray(x, dtype=np.float64)
    first = int(rng.integers(len(x)))
    centers = [x[first]]
    d2 = ((x - x[first]) ** 2).sum(axis=1)
    while len(centers) < k:
        total = d2.sum()
        if not total > 0:  # every row already sits on a centre
            break
        nxt = int(rng.choice(len(x), p=d2 / total))
        centers.append(x[nxt])
        d2 = np.minimum(d2, ((x - x[nxt]) ** 2).sum(axis=1))
    c = np.array(centers)
    for _ in range(iterations):
        label = assign(c, x, threads)
        count = np.bincount(label, minlength=len(c))
        sums = cell_sums(x, label, len(c))
        new = c.copy()
        filled = count > 0
        new[filled] = sums[filled] / count[filled, None]
        if np.array_equal(new, c):
            break
        c = new
    return c.astype(np.float32)


def cell_sums(x: np.ndarray, label: np.ndarray, k: int) -> np.ndarray:
    """Sum of the rows of ``x`` in each of ``k`` cells (float64), every cell's rows added in
    row order: the sums ``np.add.at`` gives, bit for bit, one weighted count per column
    (several times faster than ``np.add.at`` over rows)."""
    sums = np.zeros((k, x.shape[1]))
    for j in range(x.shape[1]):
        sums[:, j] = np.bincount(label, weights=x[:, j], minlength=k)
    return sums


def assign(centroids: np.ndarray, x: np.ndarray, threads: int | None = None) -> np.ndarray:
    """Index of the nearest centroid (squared Euclidean) of every row of ``x``."""
    eng = NeighborEngine(np.asarray(centroids, dtype=np.float32), "l2", threads)
    return eng.kneighbors(np.asarray(x, dtype=np.float32), 1)[1][:, 0]
