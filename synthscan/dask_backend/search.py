"""Exact neighbour search on a Dask cluster: the reference goes to the workers once, each worker
builds its FAISS flat index once, and query batches are searched where the index lives.

``DaskSearch`` is a ``neighbors.engine.RemoteSearch``: inside ``remote_search(DaskSearch(...))``
a large exact ``NeighborEngine`` search (and so every ``TieIndex`` / ``SideIndex`` over it) runs
here, with the local engine's results contract.

Two modes, chosen when a reference is attached:

* replicated: the reference fits a worker's memory budget, so it is scattered once with
  ``broadcast=True``; a task searches one query batch against the whole reference.
* sharded: it does not fit, so its rows are split into contiguous shards (one per worker by
  default, ``shards.plan_shards``), each scattered to one worker; every query batch is searched
  on every shard with k' = min(k, shard rows) and the answers merged on the client
  (``shards.merge_topk``): per query the k smallest distances over all shards, with global row
  ids, ordered by (distance, row id), in shard order, whichever shard answers first.

Tasks receive the reference and the query batch as scattered futures, never arrays in their
arguments; the index is cached per worker process in ``_INDEXES`` under the attachment's token
(and shard), so the index is built once per worker however many searches run. ``release``
drops those caches and the scattered data. Memory: a worker holds the scattered rows and its
index's own copy of them (``INDEX_OVERHEAD``); at most ``window`` query batches are in flight.
"""

from __future__ import annotations

import math
import threading
import uuid
from concurrent.futures import CancelledError
from dataclasses import dataclass
from typing import Any

import numpy as np
from distributed import Client, Future, as_completed

from ..errors import ClusterError
from .cluster import workers
from .shards import INDEX_OVERHEAD, merge_topk, plan_shards

#: a reference is replicated while it needs at most this fraction of a worker's memory budget
WORKER_FRACTION = 0.5
#: results of one task (and the merge buffers of one batch) stay below this many bytes
TASK_RESULT_BYTES = 64 * 1024 * 1024
#: a task searches at least this many query x reference pairs (amortises the task overhead)
MIN_TASK_PAIRS = 2e7
#: query batches per worker a search is cut into, at least (balances the workers)
TASKS_PER_WORKER = 4
#: default size of a search worth sending to the cluster (query x reference pairs)
DEFAULT_MIN_PAIRS = 1e8

# ------------------------------------------------------------------ worker side

#: per worker process: (token, shard) -> FAISS index, and how often each was built
_INDEXES: dict[tuple[str, int], Any] = {}
_BUILDS: dict[tuple[str, int], int] = {}
_LOCK = threading.Lock()


def _index(token: str, shard: int, metric: str, rows: np.ndarray) -> Any:
    """This worker's flat index of a shard (the whole reference: shard 0), built once."""
    key = (token, shard)
    with _LOCK:
        index = _INDEXES.get(key)
        if index is None:
            import faiss

            index = faiss.IndexFlat(rows.shape[1],
                                    faiss.METRIC_L1 if metric == "l1" else faiss.METRIC_L2)
            index.add(np.ascontiguousarray(rows, dtype=np.float32))
            _INDEXES[key] = index
            _BUILDS[key] = _BUILDS.get(key, 0) + 1
    return index


def _search(rows: np.ndarray, queries: np.ndarray, token: str, shard: int, metric: str,
            k: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """A worker task: the k nearest rows of a shard for a query batch, with global row ids.
    FAISS runs on the worker's OpenMP setting (Dask workers pin it to one thread)."""
    d, i = _index(token, shard, metric, rows).search(queries, k)
    if metric == "l2":
        np.maximum(d, 0, out=d)
    if offset:
        i += offset
    return d, i


def _forget(token: str) -> int:
    """Drop this worker's indexes of an attachment; returns how many were dropped."""
    with _LOCK:
        keys = [key for key in _INDEXES if key[0] == token]
        for key in keys:
            del _INDEXES[key]
    return len(keys)


def _builds() -> dict[tuple[str, int], int]:
    """This worker's build counts per (token, shard) (for tests and diagnostics)."""
    with _LOCK:
        return dict(_BUILDS)


def _cached() -> list[tuple[str, int]]:
    """The (token, shard) indexes this worker holds."""
    with _LOCK:
        return list(_INDEXES)


# ------------------------------------------------------------------ client side


@dataclass
class Shard:
    """Reference rows [offset, offset + rows) scattered to ``worker`` (None: to every worker)."""

    data: Future
    offset: int
    rows: int
    worker: str | None


@dataclass
class Attachment:
    """A reference on the cluster: what ``DaskSearch.attach`` returns."""

    token: str
    metric: str
    n_reference: int
    dim: int
    shards: list[Shard]
    n_workers: int

    @property
    def sharded(self) -> bool:
        return any(shard.worker is not None for shard in self.shards)


def _answer(fut: Future, result: Any) -> tuple[np.ndarray, np.ndarray]:
    """A finished task's answer; a task whose reference rows were lost with their worker (its
    future cancelled) ends the search with ``ClusterError``, a failed task with its error."""
    if fut.status == "finished":
        return result
    if fut.status == "cancelled" or isinstance(result, CancelledError):
        raise ClusterError("a Dask worker holding part of the neighbour-search reference was "
                           "lost, so the search cannot finish — rerun the scan",
                           key="scheduler")
    fut.result()  # raises the task's error
    raise ClusterError(f"a neighbour-search task ended as {fut.status!r} — rerun the scan",
                       key="scheduler")


class DaskSearch:
    """Exact k-nearest-neighbour searches on a Dask cluster (a ``RemoteSearch``).

    Parameters
    ----------
    client : a ``distributed.Client``.
    min_pairs : searches of fewer query x reference pairs stay local (see ``remote_search``).
    worker_budget : bytes of memory one worker may give a reference; above ``WORKER_FRACTION``
        of it the reference is sharded. Default: the smallest ``memory_limit`` the scheduler
        reports (no limit: always replicated). Shards beyond the workers' ``memory_limit``
        are refused with ``ResourceError``.
    shards : shard the reference in this many row ranges, round-robin over the workers, even
        when it would fit (default: one per worker, and only when it does not fit).
    batch_rows : query rows per task (default: from the result size and the task overhead).
    window : query batches in flight at once (default: two per worker).
    direct : scatter straight to the workers (True) or through the scheduler (False); None
        follows the client's ``direct_to_workers``.
    """

    def __init__(self, client: Client, min_pairs: float = DEFAULT_MIN_PAIRS,
                 worker_budget: int | None = None, shards: int | None = None,
                 batch_rows: int | None = None, window: int | None = None,
                 direct: bool | None = None) -> None:
        self.client = client
        self.min_pairs = float(min_pairs)
        self.worker_budget = worker_budget
        self.shards = shards
        self.batch_rows = batch_rows
        self.window = window
        self.direct = direct

    def _workers(self) -> dict[str, float]:
        """Worker address -> its memory limit in bytes (inf: none), sorted by address."""
        info = workers(self.client)
        if not info:
            raise ClusterError("the Dask cluster has no workers: start workers or check "
                               "--scheduler", key="scheduler")
        return {addr: float(info[addr].get("memory_limit") or 0) or math.inf
                for addr in sorted(info)}

    def attach(self, reference: np.ndarray, metric: str) -> Attachment:
        """Send ``reference`` to the workers: replicated when it fits ``WORKER_FRACTION`` of a
        worker's budget (with its index), else sharded. Raises ``ResourceError`` when even the
        shards do not fit the workers' memory limits."""
        if metric not in ("l1", "l2"):
            raise ValueError("metric must be 'l1' or 'l2'")
        ref = np.ascontiguousarray(reference, dtype=np.float32)
        if ref.ndim != 2 or len(ref) == 0:
            raise ValueError("reference must be a non-empty 2-D array")
        n, dim = ref.shape
        workers = self._workers()
        limit = min(workers.values())
        budget = float(self.worker_budget) if self.worker_budget is not None else limit
        need = INDEX_OVERHEAD * ref.nbytes
        token = uuid.uuid4().hex
        if self.shards is None and need <= WORKER_FRACTION * budget:
            data = self.client.scatter(ref, broadcast=True, hash=False, direct=self.direct)
            shards = [Shard(data, 0, n, None)]
        else:
            shards = self._scatter_shards(ref, list(workers), limit)
        return Attachment(token, metric, n, dim, shards, len(workers))

    def _scatter_shards(self, ref: np.ndarray, workers: list[str], limit: float
                        ) -> list[Shard]:
        """The reference in row shards (``shards.plan_shards``), each scattered to its worker
        only."""
        shards = []
        for a, b, worker in plan_shards(len(ref), ref.shape[1] * 4, workers, limit,
                                        self.shards):
            data = self.client.scatter(ref[a:b], workers=[worker], hash=False,
                                       direct=self.direct)
            shards.append(Shard(data, a, b - a, worker))
        return shards

    def _rows_per_task(self, n: int, k: int, handle: Attachment) -> int:
        """Query rows per batch: enough to spread over the workers and amortise a task, few
        enough that a batch's results (all shards') stay below ``TASK_RESULT_BYTES``."""
        if self.batch_rows:
            return int(self.batch_rows)
        per_row = 12 * k * len(handle.shards) + 4 * handle.dim
        cap = max(1, TASK_RESULT_BYTES // per_row)
        spread = math.ceil(n / (TASKS_PER_WORKER * handle.n_workers))
        shard_rows = handle.n_reference / len(handle.shards)
        least = math.ceil(MIN_TASK_PAIRS / shard_rows)
        return int(max(1, min(cap, max(spread, least))))

    def kneighbors(self, handle: Attachment, queries: np.ndarray, k: int
                   ) -> tuple[np.ndarray, np.ndarray]:
        """The k nearest reference rows of every query: (float32 distances sorted, int64 ids),
        as ``NeighborEngine.kneighbors`` (squared L2 clipped at 0, k capped at the rows)."""
        q = np.ascontiguousarray(queries, dtype=np.float32)
        k = int(min(k, handle.n_reference))
        n = len(q)
        dist = np.empty((n, k), dtype=np.float32)
        idx = np.empty((n, k), dtype=np.int64)
        if n == 0 or k <= 0:
            return dist, idx
        if q.ndim != 2 or q.shape[1] != handle.dim:
            raise ValueError("queries must have as many columns as the attached reference")
        rows = self._rows_per_task(n, k, handle)
        starts = list(range(0, n, rows))
        window = int(self.window or 2 * handle.n_workers)
        pending: dict[Future, tuple[int, int]] = {}
        parts: dict[int, list[tuple[np.ndarray, np.ndarray] | None]] = {}
        batches: dict[int, Future] = {}
        done = as_completed(with_results=True)
        nxt = 0

        def submit(b: int) -> None:
            start = starts[b]
            batch = self.client.scatter(q[start:start + rows], hash=False, direct=self.direct)
            batches[b] = batch
            parts[b] = [None] * len(handle.shards)
            for s, shard in enumerate(handle.shards):
                # a shard's task runs where the shard lives, and only there (a loose restriction
                # would let work stealing copy the shard and build its index on a second worker;
                # if its worker dies, the lost shard fails the task instead)
                where: dict[str, Any] = {} if shard.worker is None else {"workers": [shard.worker]}
                fut = self.client.submit(
                    _search, shard.data, batch, handle.token, s, handle.metric,
                    min(k, shard.rows), shard.offset, pure=False, **where)
                pending[fut] = (b, s)
                done.add(fut)

        try:
            while nxt < len(starts) and nxt < window:
                submit(nxt)
                nxt += 1
            for fut, result in done:
                b, s = pending.pop(fut)
                part = parts[b]
                part[s] = _answer(fut, result)
                fut.release()
                if any(p is None for p in part):
                    continue
                start = starts[b]
                got = [p for p in part if p is not None]
                if len(got) == 1:
                    d, i = got[0]
                else:
                    d, i = merge_topk([p[0] for p in got], [p[1] for p in got], k)
                dist[start:start + len(d)] = d
                idx[start:start + len(d)] = i
                del parts[b]
                batches.pop(b).release()
                if nxt < len(starts):
                    submit(nxt)
                    nxt += 1
        finally:
            for fut in list(pending) + list(batches.values()):
                fut.release()
        if handle.metric == "l2":
            np.maximum(dist, 0, out=dist)
        return dist, idx

    def release(self, handle: Attachment) -> None:
        """Drop the workers' indexes of ``handle`` and its scattered rows (best effort: does
        nothing more once the client is closed)."""
        futures = [shard.data for shard in handle.shards]
        handle.shards = []
        try:
            if self.client.status == "running":
                self.client.run(_forget, handle.token, on_error="ignore")
        finally:
            for fut in futures:
                fut.release()
