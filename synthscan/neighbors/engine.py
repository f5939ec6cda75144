"""The one place where nearest-neighbour search happens: exact FAISS flat indexes, batched.

``NeighborEngine.kneighbors``: plain k nearest reference rows (distances and row indices);
``Searcher`` is what other indexes need of it, ``tie_tolerance`` the one tie rule. The
tie-aware view of a reference set (``TieIndex``) is in ``neighbors.ties``.

Memory stays bounded: queries go in batches sized from ``memory_budget``; no query x reference
matrix is ever built.

Inside ``remote_search(backend)`` (e.g. a Dask cluster, ``dask_backend.search``), an exact search
of at least ``backend.min_pairs`` query x reference pairs runs on the backend instead, with the
same results contract; smaller ones stay local.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import os
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

DEFAULT_MEMORY_BUDGET = 256 * 1024 * 1024  # bytes for per-batch results
#: below this many query x reference pairs a search runs on one thread (``faiss_threads``):
#: faster than the OpenMP start-up of several (measured: 200 centroids x 20,000 rows, L2: 8 ms
#: on 1 thread, 38 ms on 2); the answer is the same
SMALL_SEARCH_PAIRS = 10_000_000
_BUDGET: contextvars.ContextVar[int] = contextvars.ContextVar("budget",
                                                              default=DEFAULT_MEMORY_BUDGET)
#: from this many query x reference pairs a search reports its batches (``batch_progress``)
LONG_SEARCH_PAIRS = 1e9
_BATCHES: contextvars.ContextVar[Callable[[int, int], None] | None] = contextvars.ContextVar(
    "search_batches", default=None)


def tie_tolerance(d: np.ndarray, metric: str) -> np.ndarray:
    """How far two engine distances may differ and still count as a tie: 0 under L1 (the L1
    encoding is exact in float32), a relative 1e-5 under squared L2 (FAISS computes it with
    rounding). The one rule every tie-aware search uses."""
    d = np.asarray(d)
    if metric == "l1":
        return np.zeros_like(d)
    return 1e-5 * (1.0 + np.abs(d))


class RemoteSearch(Protocol):
    """A backend running large exact searches elsewhere (``dask_backend.search.DaskSearch``).

    ``attach`` sends a reference (C-contiguous float32) once and returns a handle;
    ``kneighbors(handle, queries, k)`` has ``NeighborEngine.kneighbors``' contract (float32
    distances sorted ascending, int64 row ids, squared L2 clipped at 0, k <= reference rows);
    ``release`` frees what ``attach`` took (best effort: it may be called after the backend
    went away). Searches of fewer than ``min_pairs`` query x reference pairs stay local."""

    min_pairs: float

    def attach(self, reference: np.ndarray, metric: str) -> Any: ...

    def kneighbors(self, handle: Any, queries: np.ndarray, k: int
                   ) -> tuple[np.ndarray, np.ndarray]: ...

    def release(self, handle: Any) -> None: ...


@dataclass(eq=False)
class _Remote:
    """One ``remote_search`` block: its backend and the releases of what was attached in it."""

    backend: RemoteSearch
    releases: list[weakref.finalize] = field(default_factory=list)


_REMOTE: contextvars.ContextVar[_Remote | None] = contextvars.ContextVar("remote_search",
                                                                          default=None)


@contextlib.contextmanager
def remote_search(backend: RemoteSearch) -> Iterator[None]:
    """Within the block, large exact ``NeighborEngine`` searches run on ``backend``. An engine
    attaches its reference at its first large search, once, and releases it when it is
    garbage-collected or when the block ends, whichever comes first. Engines fitted inside the
    block keep their float32 reference instead of a local index (built only if a small search
    needs it), so the client never holds two full copies of a large reference."""
    active = _Remote(backend)
    token = _REMOTE.set(active)
    try:
        yield
    finally:
        _REMOTE.reset(token)
        for release in active.releases:
            release()


def _release(backend: RemoteSearch, handle: Any) -> None:
    """Release a remote reference, best effort: a cluster already gone took its memory along,
    and a failed release must not hide the error that ended the block."""
    with contextlib.suppress(Exception):
        backend.release(handle)


@contextlib.contextmanager
def batch_memory(budget: int) -> Iterator[None]:
    """Engines created inside this block size their query batches from ``budget`` bytes (a scan
    under ``--max-memory`` uses it to take smaller batches)."""
    token = _BUDGET.set(int(budget))
    try:
        yield
    finally:
        _BUDGET.reset(token)


@contextlib.contextmanager
def batch_progress(tell: Callable[[int, int], None]) -> Iterator[None]:
    """Within the block, an exact search of at least ``LONG_SEARCH_PAIRS`` pairs calls
    ``tell(queries done, queries in all)`` after each batch."""
    token = _BATCHES.set(tell)
    try:
        yield
    finally:
        _BATCHES.reset(token)


def _faiss():
    import faiss  # imported lazily: it is heavy and not needed to load or render results

    return faiss


class _CoresElsewhere:
    """Cores that other work of this process's scan is using now: the model-fit worker process
    while it has a batch (``attacks.background`` counts them). A search started meanwhile
    leaves them free: with more threads than cores, OpenMP threads wait on each other, and two
    search threads beside a busy worker ran no faster than one while taking CPU from the fits
    (this and passive waiting, ``openmp``, took about 3 CPU-seconds off Adult's full scan)."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    def change(self, cores: int) -> None:
        """Count ``cores`` taken (positive) or given back (negative)."""
        with self._lock:
            self._count = max(0, self._count + cores)

    @property
    def count(self) -> int:
        return self._count


CORES_ELSEWHERE = _CoresElsewhere()


_SHARE = threading.local()


@contextlib.contextmanager
def thread_share(cores: int) -> Iterator[None]:
    """Within the block, searches this thread starts use at most ``cores`` OpenMP threads: a
    thread of a pool that divides the scan's cores (no pool thread starting every core's worth
    of search threads)."""
    old = getattr(_SHARE, "cores", None)
    _SHARE.cores = max(1, int(cores))
    try:
        yield
    finally:
        _SHARE.cores = old


def search_threads(threads: int | None) -> int:
    """OpenMP threads for a search: ``threads`` (None: every core), less the cores in use
    elsewhere (``CORES_ELSEWHERE``), within this thread's share (``thread_share``), at least
    one. ``--threads`` caps the scan's cores, its worker's included."""
    wanted = int(threads) if threads else (os.cpu_count() or 1)
    n = max(1, wanted - CORES_ELSEWHERE.count)
    share = getattr(_SHARE, "cores", None)
    return n if share is None else min(n, share)


@contextlib.contextmanager
def faiss_threads(threads: int | None, pairs: float | None = None) -> Iterator[None]:
    """Run FAISS with ``search_threads(threads)`` OpenMP threads (None: all cores less those
    in use elsewhere), or one for a search of fewer than ``SMALL_SEARCH_PAIRS`` ``pairs``
    (faster on one thread than the OpenMP start-up of several; the answer is the same),
    restoring the old setting."""
    faiss = _faiss()
    old = faiss.omp_get_max_threads()
    small = pairs is not None and pairs < SMALL_SEARCH_PAIRS
    faiss.omp_set_num_threads(1 if small else search_threads(threads))
    try:
        yield
    finally:
        faiss.omp_set_num_threads(old)


class NeighborEngine:
    """Exact k-nearest-neighbour search against a reference matrix, with scikit-learn's
    contract: ``NeighborEngine(metric=...).fit(X)`` then ``kneighbors(Q, n_neighbors)``
    (``sklearn.neighbors.NearestNeighbors`` is the tests' oracle). ``NeighborEngine(X, ...)``
    is a shorthand that fits at once.

    Parameters
    ----------
    reference : optional (n, d) array to fit on; converted to C-contiguous float32.
    metric : "l1" (distances are L1 sums) or "l2" (squared Euclidean distances).
    threads : FAISS threads; None means all cores.
    memory_budget : bytes allowed for one batch of results (default: the budget of the
        enclosing ``batch_memory`` block, else 256 MiB).
    """

    def __init__(self, reference: np.ndarray | None = None, metric: str = "l1",
                 threads: int | None = None, memory_budget: int | None = None) -> None:
        if metric not in ("l1", "l2"):
            raise ValueError("metric must be 'l1' or 'l2'")
        self.metric = metric
        self.threads = threads
        self.memory_budget = int(memory_budget if memory_budget is not None else _BUDGET.get())
        if reference is not None:
            self.fit(reference)

    def fit(self, reference: np.ndarray) -> NeighborEngine:
        """Index ``reference`` (learned: ``n_reference``, ``dim``); returns self. Inside
        ``remote_search`` the float32 reference is kept as given and indexed locally only when
        a small search needs it."""
        ref = np.ascontiguousarray(reference, dtype=np.float32)
        if ref.ndim != 2 or len(ref) == 0:
            raise ValueError("reference must be a non-empty 2-D array")
        self.n_reference, self.dim = ref.shape
        self._index: Any = None
        self._reference: np.ndarray | None = ref
        self._remote: tuple[_Remote, Any, weakref.finalize] | None = None
        if _REMOTE.get() is None:
            self._local_index()
        return self

    def _local_index(self) -> Any:
        """The local FAISS flat index, built at the first local search; the engine then drops
        its own reference (the index holds the vectors)."""
        if self._index is None:
            faiss = _faiss()
            faiss_metric = {"l1": faiss.METRIC_L1, "l2": faiss.METRIC_L2}[self.metric]
            self._index = faiss.IndexFlat(self.dim, faiss_metric)
            self._index.add(self._reference)
            self._reference = None
        return self._index

    def _vectors(self) -> np.ndarray:
        """The reference rows without a copy: as fitted, or a view of the flat index's storage
        (valid while the index lives)."""
        if self._reference is not None:
            return self._reference
        faiss = _faiss()
        n = self.n_reference * self.dim
        return faiss.rev_swig_ptr(self._index.get_xb(), n).reshape(self.n_reference, self.dim)

    def _remote_kneighbors(self, remote: _Remote, q: np.ndarray, k: int
                           ) -> tuple[np.ndarray, np.ndarray]:
        """A large search on the active backend, attaching the reference at the first one."""
        if self._remote is None or self._remote[0] is not remote or not self._remote[2].alive:
            handle = remote.backend.attach(self._vectors(), self.metric)
            release = weakref.finalize(self, _release, remote.backend, handle)
            release.atexit = False
            remote.releases.append(release)
            self._remote = (remote, handle, release)
        handle = self._remote[1]
        n = len(q)
        tell = _BATCHES.get() if float(n) * self.n_reference >= LONG_SEARCH_PAIRS else None
        if tell is None:
            d, i = remote.backend.kneighbors(handle, q, k)
            dist = np.asarray(d, dtype=np.float32)
            idx = np.asarray(i, dtype=np.int64)
        else:  # in ten parts, reporting each
            step = max(1, math.ceil(n / 10))
            dist = np.empty((n, k), dtype=np.float32)
            idx = np.empty((n, k), dtype=np.int64)
            for start in range(0, n, step):
                d, i = remote.backend.kneighbors(handle, q[start:start + step], k)
                dist[start:start + step] = d
                idx[start:start + step] = i
                tell(min(start + step, n), n)
        if self.metric == "l2":
            np.maximum(dist, 0, out=dist)
        return dist, idx

    def batch_rows(self, k: int) -> int:
        per_row = k * (4 + 8) * 3 + self.dim * 4  # results plus the derived arrays callers build
        return int(max(64, min(65536, self.memory_budget // max(per_row, 1))))

    def kneighbors(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """k nearest reference rows of every query: (distances float32, indices int64), sorted."""
        if not hasattr(self, "n_reference"):
            raise RuntimeError("call fit(reference) before kneighbors")
        q = np.ascontiguousarray(queries, dtype=np.float32)
        k = int(min(k, self.n_reference))
        n = len(q)
        remote = _REMOTE.get()
        if remote is not None and float(n) * self.n_reference >= remote.backend.min_pairs:
            return self._remote_kneighbors(remote, q, k)
        index = self._local_index()
        dist = np.empty((n, k), dtype=np.float32)
        idx = np.empty((n, k), dtype=np.int64)
        step = self.batch_rows(k)
        tell = _BATCHES.get() if float(n) * self.n_reference >= LONG_SEARCH_PAIRS else None
        with faiss_threads(self.threads, pairs=float(n) * self.n_reference):
            for start in range(0, n, step):
                # written in place: no batch-sized result arrays to allocate and copy
                rows = slice(start, start + step)
                index.search(q[rows], k, D=dist[rows], I=idx[rows])
                if tell is not None:
                    tell(min(start + step, n), n)
        if self.metric == "l2":
            np.maximum(dist, 0, out=dist)
        return dist, idx


class Searcher(Protocol):
    """What a tie-aware index needs of a search: k nearest reference rows per query."""

    def kneighbors(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]: ...
