"""Approximate k-nearest-neighbour search whose accuracy is certified in the same run.

An inverted-file index (cells: seeded random rows refined by a few Lloyd steps) searched with
``nprobe`` cells per query. Before the full search, ``nprobe`` is chosen on a seeded sample of
the queries checked against exact search: it doubles until the nearest distance is exact for at
least ``target`` of the sample's *close* queries — the 5% whose exact nearest distance is the
smallest, where copies sit. After the full search the queries with the smallest approximate
distances (the candidates for copies: as many as the sample, 2,000) are searched again
exactly, so the closest answers are exact whatever the index missed. A query whose probed cells
hold fewer than ``k`` rows falls back to exact search too.

The exact answers of the sample and of the refined queries come through the index's own cells
(``IVFIndex.exact_knn``, ``neighbors.pruned``): the cells the triangle inequality cannot rule
out given an approximate answer, which is exact at a fraction of a flat pass over the reference
(about a quarter of its time at 200,000 rows).

Why this is safe for the statistics: an approximate nearest distance can only be too large,
and the same index answers training and holdout records alike, so a test comparing the two stays
calibrated; what a miss can cost is a little power, which the certificate measures.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..stats.bounds import cp_lower
from .engine import _REMOTE, NeighborEngine, faiss_threads, tie_tolerance
from .kmeans import assign, cell_sums
from .pruned import CellBounds
from .ties import TieIndex, TieResult

#: close-query recall the chosen nprobe must reach on the sample
TARGET_RECALL = 0.995
#: queries checked against exact search
SAMPLE = 2000
#: the share of sampled queries, closest first, whose recall is certified
CLOSE_SHARE = 0.05
#: nprobe tried first
FIRST_NPROBE = 8


@dataclass(frozen=True)
class Certificate:
    """How well the approximate search did, measured against exact search in this run."""

    nlist: int
    nprobe: int
    sample: int  # sampled queries checked exactly
    close: int  # of them, the closest (where recall is certified)
    recall: float  # share of sampled queries whose nearest distance is exact
    close_recall: float  # the same over the close ones
    close_recall_lower: float  # one-sided 95% Clopper–Pearson lower bound of close_recall
    target: float
    refined: int  # queries with the smallest approximate distances searched again exactly
    fallback: int  # queries whose probed cells held too few rows (searched exactly)

    def to_dict(self) -> dict[str, Any]:
        return {"search": "approximate (inverted file), certified", **asdict(self)}


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
        sums = cell_sums(sample, label, len(c))
        filled = count > 0
        c[filled] = sums[filled] / count[filled, None]
    return c.astype(np.float32)


#: one exact L1 comparison in a probed cell costs about this many of the squared-Euclidean
#: comparisons that file the rows into cells (a BLAS product), measured on 2 cores
SCAN_COST = 10
#: cells a query probes, for the cost model (certification starts at FIRST_NPROBE and rarely
#: needs more than twice that)
TYPICAL_NPROBE = 16


def cell_count(n: int, n_queries: int | None = None) -> int:
    """Cells of an inverted file over ``n`` rows: ``4 sqrt(n)`` (at most 4,096), or fewer when
    ``n_queries`` queries cannot pay for them. The cost in comparisons of ``c`` cells is about
    ``120 c^2`` (the centres' Lloyd steps on a sample of 40 rows per cell, three passes)
    ``+ n c`` (filing every row) ``+ SCAN_COST * n_queries * TYPICAL_NPROBE * n / c`` (the
    search); the cheapest ``c`` on a grid up to the default is taken. Measured on the scale
    benchmark's linkability sides (10,000 queries, 200,000 rows): 1,789 cells 11.3 s, 800 cells
    5.7 s (and, by chance, closer to the exact attack)."""
    default = int(min(4096, max(16, 4 * math.sqrt(n))))
    if n_queries is None:
        return default
    grid = np.unique(np.geomspace(16, max(16, default), 24).astype(int))
    cost = (120.0 * grid**2 + float(n) * grid
            + SCAN_COST * float(n_queries) * TYPICAL_NPROBE * n / grid)
    return int(grid[int(np.argmin(cost))])


class ExactOnDemand:
    """The exact engine over a reference, built at its first search and dropped by
    ``release``: an inverted file needs exact answers only for a few queries (its certificate's
    sample, the refined and fallback queries), so it does not keep a flat copy of its
    reference beside its own cells for the whole of its life (at a million rows each copy is
    hundreds of MB). The reference array is held as given (no copy when it is float32 and
    C-contiguous); answers are those of ``NeighborEngine`` over it."""

    def __init__(self, reference: np.ndarray, metric: str, threads: int | None) -> None:
        self.reference, self.metric, self.threads = reference, metric, threads
        self._engine: NeighborEngine | None = None

    def kneighbors(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if self._engine is None:
            self._engine = NeighborEngine(self.reference, self.metric, self.threads)
        return self._engine.kneighbors(queries, k)

    def release(self) -> None:
        """Drop the flat index (built again by the next search). Inside ``remote_search`` the
        engine is kept: it holds no local copy there, and dropping it would send the reference
        to the backend again at the next search."""
        if _REMOTE.get() is None:
            self._engine = None


class IVFIndex:
    """An inverted-file index with the engine's contract: ``fit`` then ``kneighbors``;
    ``exact`` searches the same reference exactly (built when needed, see ``ExactOnDemand``)."""

    def __init__(self, *, metric: str = "l1", threads: int | None = None, seed: int = 0,
                 nlist: int | None = None, n_queries: int | None = None) -> None:
        self.metric, self.threads, self.seed, self.nlist = metric, threads, seed, nlist
        #: queries the index is built for: a few queries do not pay for many cells
        self.n_queries = n_queries

    def fit(self, reference: np.ndarray) -> IVFIndex:
        import faiss

        ref = np.ascontiguousarray(reference, dtype=np.float32)
        n, dim = ref.shape
        nlist = self.nlist or cell_count(n, self.n_queries)
        centroids = cells(ref, min(nlist, n), self.seed, self.threads)
        metric = {"l1": faiss.METRIC_L1, "l2": faiss.METRIC_L2}[self.metric]
        # cells are found by squared Euclidean distance to their centres, as the centres were
        # fitted (cells()): a BLAS product, where an L1 quantizer costs an L1 pass per row over
        # every centre (most of an index's build at a million rows); the rows in the probed
        # cells are still compared in the scan's metric
        self._quantizer = faiss.IndexFlat(dim, faiss.METRIC_L2)
        self._quantizer.add(np.ascontiguousarray(centroids, dtype=np.float32))
        self._index = faiss.IndexIVFFlat(self._quantizer, dim, len(centroids), metric)
        self._index.is_trained = True
        with faiss_threads(self.threads):
            self._index.add(ref)
        self.n_reference, self.nlist_ = n, len(centroids)
        self.nprobe = min(FIRST_NPROBE, self.nlist_)
        self.fallbacks = 0  # queries answered exactly because their cells held too few rows
        self.exact = ExactOnDemand(ref, self.metric, self.threads)
        self._centroids = centroids
        self._bounds: CellBounds | None = None
        return self

    def exact_knn(self, queries: np.ndarray, k: int, upper: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
        """Exact k nearest reference rows (``NeighborEngine``'s answers) through the cells
        that can hold them (``pruned.CellBounds``). ``upper``: at least each query's k-th
        nearest distance, e.g. the k-th answer of an approximate search; None: found by a
        search at the index's ``nprobe`` first."""
        q = np.ascontiguousarray(queries, dtype=np.float32)
        k = int(min(k, self.n_reference))
        if upper is None:
            counted = self.fallbacks  # (this search is not the index's own: not counted)
            upper = self.search(q, k, max(self.nprobe, FIRST_NPROBE))[0][:, -1]
            self.fallbacks = counted
        return self._cell_bounds().search(q, k, upper, self.exact.kneighbors)

    def ball(self, queries: np.ndarray, radius: np.ndarray
             ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Every reference row within ``radius`` of each query, exactly, in blocks of queries
        (``pruned.CellBounds.within``)."""
        return self._cell_bounds().within(queries, radius)

    def _cell_bounds(self) -> CellBounds:
        if self._bounds is None:
            self._bounds = CellBounds(self._index, self._centroids, self.exact.reference,
                                      self.metric, self.threads)
        return self._bounds

    def kneighbors(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The engine's contract, at the index's ``nprobe`` (set by ``certify``)."""
        d, i, _ = self.search(queries, k, self.nprobe)
        return d, i

    def search(self, queries: np.ndarray, k: int, nprobe: int
               ) -> tuple[np.ndarray, np.ndarray, int]:
        """(distances, indices, fallbacks): k nearest reference rows per query, sorted; a query
        whose probed cells hold fewer than k rows is searched exactly."""
        q = np.ascontiguousarray(queries, dtype=np.float32)
        k = int(min(k, self.n_reference))
        with faiss_threads(self.threads):
            self._index.nprobe = int(min(nprobe, self.nlist_))
            d, i = self._index.search(q, k)
        short = (i < 0).any(axis=1)
        self.fallbacks += int(short.sum())
        if short.any():
            d[short], i[short] = self.exact.kneighbors(q[short], k)
        if self.metric == "l2":
            np.maximum(d, 0, out=d)
        return d, i.astype(np.int64), int(short.sum())


def certify(index: IVFIndex, queries: np.ndarray, *, metric: str, seed: int,
            target: float = TARGET_RECALL, sample: int = SAMPLE) -> dict[str, Any]:
    """Set ``index.nprobe`` to the smallest doubling that reaches ``target`` close-query
    recall on a seeded sample of ``queries`` checked against exact search; the figures of the
    certificate (but the refinement counts)."""
    rng = np.random.default_rng(seed)
    nq = len(queries)
    probe = np.sort(rng.choice(nq, min(sample, nq), replace=False))
    searched: dict[int, np.ndarray] = {}

    def nearest(nprobe: int) -> np.ndarray:
        if nprobe not in searched:
            searched[nprobe] = index.search(queries[probe], 1, nprobe)[0][:, 0]
        return searched[nprobe]

    # the first nprobe the loop tries also bounds the exact search: searched once for both
    first = nearest(min(FIRST_NPROBE, index.nlist_))
    exact = index.exact_knn(queries[probe], 1, upper=first)[0][:, 0].astype(np.float64)
    figures = choose_nprobe(exact, nearest, index.nlist_, metric=metric, target=target)
    index.nprobe = figures["nprobe"]
    return figures


def choose_nprobe(exact: np.ndarray, nearest: Callable[[int], np.ndarray], nlist: int, *,
                  metric: str, target: float = TARGET_RECALL, first: int = FIRST_NPROBE
                  ) -> dict[str, Any]:
    """The certification loop: ``nearest(nprobe)`` is the approximate nearest distance of each
    sampled query, ``exact`` the true one; ``nprobe`` doubles from ``first`` until the close
    queries (the ``CLOSE_SHARE`` with the smallest exact distance) reach ``target`` recall, or
    every cell is probed. The certificate's figures (but the refinement counts)."""
    n_close = max(1, math.ceil(CLOSE_SHARE * len(exact)))
    close = np.argsort(exact, kind="stable")[:n_close]
    nprobe = min(first, nlist)
    while True:
        hit = nearest(nprobe) <= exact + tie_tolerance(exact, metric)
        if hit[close].mean() >= target or nprobe >= nlist:
            break
        nprobe = min(nlist, 2 * nprobe)
    k_close = int(hit[close].sum())
    return {"nlist": nlist, "nprobe": nprobe, "sample": len(exact), "close": n_close,
            "recall": float(hit.mean()), "close_recall": k_close / n_close,
            "close_recall_lower": cp_lower(k_close, n_close, 0.05), "target": target}


#: queries refined exactly at most beyond the sample: each costs an exact pass over the
#: reference (5,000 at a million rows is 5 x 10^9 pairs)
#: refined queries at most. Each is an exact search over the whole reference: at a million rows
#: the three certified searches' 5,000 refined queries each cost 1.5·10¹⁰ exact pairs, about a
#: minute on 2 cores, for answers ranked 2,001st to 5,000th smallest (the certificate's recall
#: covers them; an approximate distance can only be too large, alike for train and holdout).
#: Below 200,000 queries the cap does not bind (1% of the queries is under the sample).
REFINE_CAP = 2000


def to_refine(nearest: np.ndarray, sample: int) -> np.ndarray:
    """The queries to search again exactly: the smallest approximate nearest distances (the
    likeliest copies), as many as the sample, or 1% of the queries up to ``REFINE_CAP`` when
    that is more."""
    n = max(sample, min(math.ceil(0.01 * len(nearest)), REFINE_CAP))
    return np.argsort(nearest, kind="stable")[:n]


def certified_kneighbors(reference: np.ndarray, queries: np.ndarray, k: int, *, metric: str,
                         threads: int | None, seed: int, target: float = TARGET_RECALL,
                         sample: int = SAMPLE) -> tuple[np.ndarray, np.ndarray, Certificate]:
    """k nearest reference rows of every query through a certified inverted file (see the
    module docstring): (distances, indices, certificate)."""
    index = IVFIndex(metric=metric, threads=threads, seed=seed,
                     n_queries=len(queries)).fit(reference)
    figures = certify(index, queries, metric=metric, seed=seed, target=target, sample=sample)
    dist, idx, fallback = index.search(queries, k, index.nprobe)
    refine = to_refine(dist[:, 0], figures["sample"])
    dist[refine], idx[refine] = index.exact_knn(queries[refine], k, upper=dist[refine, -1])
    return dist, idx, Certificate(**figures, refined=len(refine), fallback=fallback)


@dataclass(frozen=True)
class _ThroughCells:
    """An inverted file's exact answers (``IVFIndex.exact_knn``) as a ``Searcher``."""

    ivf: IVFIndex

    def kneighbors(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        return self.ivf.exact_knn(queries, k)


def certified_tie_nearest(reference: np.ndarray, labels: np.ndarray, n_labels: int,
                          queries: np.ndarray, *, metric: str, threads: int | None, seed: int,
                          per_label: tuple[int, ...] = ()
                          ) -> tuple[TieIndex, TieResult, Certificate]:
    """Tie-aware nearest records of every query (``TieIndex.nearest``) through a certified
    inverted file over the unique reference points; the likeliest copies are answered again
    exactly. Returns the index (its point counts serve the permutation tests), the answers and
    the certificate. The returned index has dropped its inverted file: any later search on it
    is exact (``ExactOnDemand`` over its points), so a scan that keeps it for its counts does
    not keep two more copies of the reference with it."""
    built: list[IVFIndex] = []

    def make(points: np.ndarray) -> IVFIndex:
        built.append(IVFIndex(metric=metric, threads=threads, seed=seed,
                              n_queries=len(queries)).fit(points))
        return built[0]

    index = TieIndex(reference, labels, n_labels, metric, threads, engine=make)
    ivf = built[0]
    figures = certify(ivf, queries, metric=metric, seed=seed)
    ivf.fallbacks = 0
    approx = index.nearest(queries, per_label=per_label)
    fallback = ivf.fallbacks
    refine = to_refine(approx.distance, figures["sample"])
    index.engine = _ThroughCells(ivf)  # the same unique points, exactly
    answers = approx.replace_rows(refine, index.nearest(queries[refine], per_label=per_label))
    index.engine = ivf.exact  # later searches: exact, without the inverted file
    ivf.exact.release()
    return index, answers, Certificate(**figures, refined=len(refine), fallback=fallback)
