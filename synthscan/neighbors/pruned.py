"""Exact k-nearest neighbours from an inverted file, by the triangle inequality.

A reference row x filed in cell c is at least ``d(q, c) - r_c`` from a query q, where ``r_c``
is the largest distance of a row of c to the cell's centre, in the search metric (L1, or the
Euclidean distance for l2 — the triangle inequality holds for any centre, whatever rule filed
the row there). Given an upper bound ``u`` on a query's k-th nearest distance — the k-th answer
of an approximate search can only be too large — a cell with ``d(q, c) - r_c > u`` holds no row
among the k nearest and none tied with the k-th. Probing every other cell therefore gives the
exact answer, usually at a fraction of a flat search's cost: measured on the scale benchmark's
data (100,000 reference rows, 54 dimensions, 1,264 cells), the cells kept for the nearest
neighbour held 11% of the rows on average.

Rounding only ever keeps more cells: the bound is widened by a relative and an absolute slack
before cells are dropped. A query whose kept cells would still come back short (which the
bound rules out, but a defect must not give a wrong answer) is searched flat.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .engine import faiss_threads

#: relative (to the distances compared) and absolute widening of the comparison before a cell
#: is dropped (float32 distances over a few hundred dimensions are far more accurate than this)
SLACK_REL, SLACK_ABS = 1e-4, 1e-5
#: queries searched per call, grouped by how many cells they keep (padding costs nothing to
#: search, but memory: queries x widest cell list)
BLOCK = 256
#: rows a block of ``CellBounds.within`` may return at most, through its kept cells' sizes
#: (about 12 bytes each: 200 MB)
RANGE_ROWS = 1 << 24


class CellBounds:
    """Each cell's radius over an inverted file's reference rows: what ``search`` prunes by.

    Parameters
    ----------
    ivf : the FAISS ``IndexIVFFlat`` holding ``reference`` (row ids = positions).
    centroids : (nlist, d) the cells' centres, in list order.
    reference : (n, d) float32, the rows the index holds.
    metric : "l1" or "l2" (the index's distances; l2 ones are squared).
    """

    def __init__(self, ivf: Any, centroids: np.ndarray, reference: np.ndarray, metric: str,
                 threads: int | None) -> None:
        self.ivf, self.metric, self.threads = ivf, metric, threads
        self.centroids = np.ascontiguousarray(centroids, dtype=np.float32)
        self.radius, self.sizes = _radii(ivf, self.centroids, reference, metric)
        #: query x reference-row pairs compared so far (the cells' rows; for benchmarks)
        self.pairs = 0

    def search(self, queries: np.ndarray, k: int, upper: np.ndarray,
               flat: Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]
               ) -> tuple[np.ndarray, np.ndarray]:
        """Exact k nearest reference rows of each query, given ``upper`` (nq,): at least its
        k-th nearest distance (raw engine distance: squared for l2). ``flat`` answers the
        queries the cells cannot (none, unless the bound was wrong)."""
        q = np.ascontiguousarray(queries, dtype=np.float32)
        nq = len(q)
        dist = np.empty((nq, k), dtype=np.float32)
        idx = np.empty((nq, k), dtype=np.int64)
        if nq == 0:
            return dist, idx
        upper = np.asarray(upper, dtype=np.float64)
        cells = [c for a in range(0, nq, 2048)  # (a block's distances to every centre)
                 for c in self._kept_cells(q[a:a + 2048], upper[a:a + 2048])]
        counts = np.array([len(c) for c in cells])
        self.pairs += int(sum(self.sizes[c].sum() for c in cells))
        order = np.argsort(counts, kind="stable")
        old = self.ivf.nprobe
        try:
            for a in range(0, nq, BLOCK):
                rows = order[a:a + BLOCK]
                width = max(1, int(counts[rows].max()))
                assign = np.full((len(rows), width), -1, dtype=np.int64)
                for j, r in enumerate(rows):
                    assign[j, :counts[r]] = cells[r]
                self.ivf.nprobe = width
                with faiss_threads(self.threads):
                    d, i = self.ivf.search_preassigned(q[rows], k, assign, None)
                dist[rows], idx[rows] = d, i
        finally:
            self.ivf.nprobe = old
        short = (idx < 0).any(axis=1)
        if short.any():
            dist[short], idx[short] = flat(q[short], k)
        if self.metric == "l2":
            np.maximum(dist, 0, out=dist)
        return dist, idx

    def within(self, queries: np.ndarray, radius: np.ndarray
               ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Every reference row within ``radius`` (nq,) of each query (raw engine distance:
        squared for l2; a row at exactly the radius included), through the cells that can
        hold one, in blocks of queries: ``(queries, lims, dist, idx)`` per block, the block's
        query positions, and query ``queries[j]``'s rows ``idx[lims[j]:lims[j + 1]]`` at
        ``dist[...]``, in no particular order. Rows a little beyond the radius may come too
        (the comparison is widened like the cells'). A block's kept cells hold at most
        ``RANGE_ROWS`` rows (or it is one query), which bounds what it returns."""
        q = np.ascontiguousarray(queries, dtype=np.float32)
        nq = len(q)
        radius = np.asarray(radius, dtype=np.float64)
        cells = [c for a in range(0, nq, 2048)
                 for c in self._kept_cells(q[a:a + 2048], radius[a:a + 2048])]
        kept = np.array([self.sizes[c].sum() for c in cells], dtype=np.int64)
        self.pairs += int(kept.sum())
        widened = radius * (1 + SLACK_REL) + SLACK_ABS  # FAISS keeps d < threshold
        order = np.argsort(widened, kind="stable")  # a block's radii alike: its threshold fits
        old = self.ivf.nprobe
        try:
            start = 0
            while start < nq:
                room = np.cumsum(kept[order[start:start + BLOCK]]) <= RANGE_ROWS
                rows = order[start:start + max(1, int(room.sum()))]
                start += len(rows)
                yield (rows, *self._range(q[rows], [cells[r] for r in rows], widened[rows]))
        finally:
            self.ivf.nprobe = old

    def _range(self, q: np.ndarray, cells: list[np.ndarray], widened: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One block of ``within``: each query's rows within its own ``widened`` radius."""
        counts = np.array([len(c) for c in cells], dtype=np.int64)
        assign = np.full((len(q), max(1, int(counts.max()))), -1, dtype=np.int64)
        for j, c in enumerate(cells):
            assign[j, :len(c)] = c
        self.ivf.nprobe = assign.shape[1]
        with faiss_threads(self.threads):
            lims, d, i = self.ivf.range_search_preassigned(q, float(widened.max()), assign,
                                                          None)
        q_of = np.repeat(np.arange(len(q)), np.diff(lims.astype(np.int64)))
        near = d <= widened[q_of]  # each query's own radius (the search used the largest)
        out_lims = np.zeros(len(q) + 1, dtype=np.int64)
        np.cumsum(np.bincount(q_of[near], minlength=len(q)), out=out_lims[1:])
        dist = d[near]
        if self.metric == "l2":
            np.maximum(dist, 0, out=dist)
        return out_lims, dist, i[near].astype(np.int64)

    def _kept_cells(self, q: np.ndarray, upper: np.ndarray) -> list[np.ndarray]:
        """Per query, the cells whose lower bound does not exceed its widened upper bound."""
        import faiss

        metric = faiss.METRIC_L1 if self.metric == "l1" else faiss.METRIC_L2
        with faiss_threads(self.threads):  # every centre: a full matrix, no selection
            d_centre = faiss.pairwise_distances(q, self.centroids, metric).astype(np.float64)
        bound = upper.copy()
        if self.metric == "l2":  # the inequality is on Euclidean distances, not squared ones
            d_centre = np.sqrt(np.maximum(d_centre, 0.0))
            bound = np.sqrt(np.maximum(bound, 0.0))
        # widened by the rounding both sides of the comparison may carry
        slack = SLACK_REL * (d_centre + bound[:, None]) + SLACK_ABS
        keep = d_centre - self.radius[None, :] <= bound[:, None] + slack
        keep[~np.isfinite(bound)] = True  # no bound: every cell
        return [np.flatnonzero(row) for row in keep]


def _radii(ivf: Any, centroids: np.ndarray, reference: np.ndarray, metric: str
           ) -> tuple[np.ndarray, np.ndarray]:
    """Largest distance (L1, or Euclidean for l2) of each cell's rows to its centre (-inf for
    an empty cell: never kept, its lower bound is +inf), and each cell's row count."""
    import faiss

    nlist = len(centroids)
    cell_of = np.full(len(reference), -1, dtype=np.int64)
    lists = ivf.invlists
    for c in range(nlist):
        size = lists.list_size(c)
        if size:
            ptr = lists.get_ids(c)
            cell_of[faiss.rev_swig_ptr(ptr, size).copy()] = c
            lists.release_ids(c, ptr)
    radius = np.full(nlist, -np.inf)
    step = 1 << 16
    for a in range(0, len(reference), step):
        x, cells = reference[a:a + step], cell_of[a:a + step]
        diff = x - centroids[cells]
        d = (np.abs(diff).sum(axis=1, dtype=np.float64) if metric == "l1"
             else np.sqrt((diff.astype(np.float64) ** 2).sum(axis=1)))
        np.maximum.at(radius, cells, d)
    return radius, np.bincount(cell_of, minlength=nlist).astype(np.int64)
