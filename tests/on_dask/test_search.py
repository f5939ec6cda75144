"""The distributed neighbour search (``dask_backend.search``) against the local engine as oracle.

Data are integer-valued (categorical-like) encodings, so most distances tie exactly under L1
and L2; ids are compared up to ties: every returned id must truly sit at its returned distance,
and the ids strictly inside the k-th distance must be the local engine's.
"""

from __future__ import annotations

import gc
import pickle
import time
from typing import Any

import numpy as np
import pytest
from distributed import Future

from synthscan.dask_backend import search as remote
from synthscan.dask_backend.search import DaskSearch
from synthscan.dask_backend.shards import merge_topk
from synthscan.errors import ResourceError
from synthscan.neighbors import engine as engine_module
from synthscan.neighbors.engine import (
    NeighborEngine,
    batch_progress,
    remote_search,
    tie_tolerance,
)
from synthscan.neighbors.ties import TieIndex

#: replicated; sharded in two (one per worker); sharded in five (three on one worker)
MODES = {"replicated": {}, "sharded": {"worker_budget": 1},
         "five_shards": {"worker_budget": 1, "shards": 5}}


def tied(rng: np.random.Generator, n: int, d: int = 6, levels: int = 3) -> np.ndarray:
    """Rows of small integers: few distinct points, many exact distance ties."""
    return rng.integers(0, levels, (n, d)).astype(np.float32)


def exact(queries: np.ndarray, ref: np.ndarray, metric: str) -> np.ndarray:
    """All query x reference distances in float64 (the small tests' brute-force truth)."""
    diff = queries[:, None, :].astype(np.float64) - ref[None, :, :]
    return np.abs(diff).sum(axis=2) if metric == "l1" else (diff ** 2).sum(axis=2)


def assert_same_up_to_ties(got: tuple[np.ndarray, np.ndarray],
                           want: tuple[np.ndarray, np.ndarray],
                           queries: np.ndarray, ref: np.ndarray, metric: str) -> None:
    (dg, ig), (dw, iw) = got, want
    assert dg.dtype == np.float32 and ig.dtype == np.int64
    assert dg.shape == dw.shape and ig.shape == iw.shape
    np.testing.assert_allclose(dg, dw, rtol=1e-5, atol=1e-5)
    if not dg.size:
        return
    assert (np.diff(dg, axis=1) >= 0).all()
    truth = exact(queries, ref, metric)
    np.testing.assert_allclose(np.take_along_axis(truth, ig, axis=1), dg, rtol=1e-5, atol=1e-5)
    kth = dw[:, -1].astype(np.float64)
    inside = dw < (kth - tie_tolerance(kth, metric))[:, None]
    for row in range(len(dg)):
        assert len(set(ig[row])) == ig.shape[1]
        assert set(ig[row][inside[row]]) == set(iw[row][inside[row]])


class Counting(DaskSearch):
    """A DaskSearch that counts its attachments and remote searches."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.attached = self.searched = 0

    def attach(self, reference: np.ndarray, metric: str) -> remote.Attachment:
        self.attached += 1
        return super().attach(reference, metric)

    def kneighbors(self, handle: remote.Attachment, queries: np.ndarray, k: int
                   ) -> tuple[np.ndarray, np.ndarray]:
        self.searched += 1
        return super().kneighbors(handle, queries, k)


def all_builds(client: Any) -> dict[str, dict[tuple[str, int], int]]:
    return client.run(remote._builds)


def new_builds(before: dict, after: dict) -> dict[str, dict[tuple[str, int], int]]:
    return {w: {key: n for key, n in after[w].items() if key not in before.get(w, {})}
            for w in after}


def test_merge_topk_orders_by_distance_then_global_id() -> None:
    # query 0: distance 1 tied on ids 7 (shard b) and 2 (shard a), then 3 on 9 and 4
    a = (np.array([[1.0, 3.0]], np.float32), np.array([[2, 4]]))
    b = (np.array([[1.0, 3.0, 5.0]], np.float32), np.array([[7, 9, 11]]))
    want_d = np.array([[1.0, 1.0, 3.0]], np.float32)
    for first, second in ((a, b), (b, a)):
        d, i = merge_topk([first[0], second[0]], [first[1], second[1]], 3)
        np.testing.assert_array_equal(d, want_d)
        np.testing.assert_array_equal(i, [[2, 7, 4]])


@pytest.mark.parametrize("metric", ["l1", "l2"])
@pytest.mark.parametrize("mode", list(MODES))
def test_search_equals_local_engine(dask_client: Any, metric: str, mode: str) -> None:
    rng = np.random.default_rng(1)
    ref, queries = tied(rng, 1500), tied(rng, 700)
    small = tied(rng, 13)  # five shards of two or three rows: fewer than k
    cases = [(ref, q, k) for q, k in ((queries, 10), (queries[:1], 4), (queries[:0], 5))]
    cases += [(small, queries, k) for k in (5, 20)]  # 20: capped at the 13 rows
    wants = [NeighborEngine(r, metric).kneighbors(q, k) for r, q, k in cases]
    backend = Counting(dask_client, min_pairs=0, batch_rows=200, **MODES[mode])
    with remote_search(backend):
        engines = {id(r): NeighborEngine(r, metric) for r in (ref, small)}
        gots = [engines[id(r)].kneighbors(q, k) for r, q, k in cases]
    assert backend.attached == 2 and backend.searched == 5
    for (r, q, _), got, want in zip(cases, gots, wants, strict=True):
        assert_same_up_to_ties(got, want, q, r, metric)


@pytest.mark.parametrize("metric", ["l1", "l2"])
@pytest.mark.parametrize("mode", ["replicated", "five_shards"])
def test_tie_index_same_answers_on_tied_data(dask_client: Any, metric: str, mode: str) -> None:
    rng = np.random.default_rng(2)
    ref = tied(rng, 900, d=4)  # 81 distinct points
    labels = rng.integers(0, 2, len(ref))
    # half-integer queries sit at one distance from up to 16 points: the search must widen
    queries = np.vstack([tied(rng, 300, d=4) + 0.5, ref[:50]])
    exclude = np.r_[np.full(300, -1), np.arange(50)]
    want = TieIndex(ref, labels, 2, metric).nearest(queries, exclude, k0=2, per_label=(0,))
    backend = Counting(dask_client, min_pairs=0, **MODES[mode])
    with remote_search(backend):
        got = TieIndex(ref, labels, 2, metric).nearest(queries, exclude, k0=2, per_label=(0,))
    assert backend.searched >= 2  # the ties made it widen, on the cluster
    np.testing.assert_allclose(got.distance, want.distance, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got.second, want.second, rtol=1e-5, atol=1e-5)
    assert got.label_distance is not None and want.label_distance is not None
    np.testing.assert_allclose(got.label_distance, want.label_distance, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(got.counts, want.counts)
    np.testing.assert_array_equal(got.tie_ptr, want.tie_ptr)
    np.testing.assert_array_equal(got.tie_points, want.tie_points)
    assert want.n_tied.max() > 5  # the data do tie


def test_index_built_once_per_worker_and_released(dask_client: Any) -> None:
    rng = np.random.default_rng(3)
    ref, queries = tied(rng, 2000), tied(rng, 400)
    workers = sorted(dask_client.scheduler_info(n_workers=-1)["workers"])
    before = all_builds(dask_client)
    with remote_search(DaskSearch(dask_client, min_pairs=0, batch_rows=50)):
        engine = NeighborEngine(ref, "l1")
        for k in (1, 5, 20):
            engine.kneighbors(queries, k)
        built = new_builds(before, all_builds(dask_client))
        (token,) = {key[0] for keys in built.values() for key in keys}
        assert built == {w: {(token, 0): 1} for w in workers}  # both workers, once each
        assert all((token, 0) in held for held in dask_client.run(remote._cached).values())
        del engine
        gc.collect()  # the engine's finalizer releases it before the block ends
        assert not any(key[0] == token for held in dask_client.run(remote._cached).values()
                       for key in held)

    before = all_builds(dask_client)
    with remote_search(DaskSearch(dask_client, min_pairs=0, worker_budget=1, shards=5)):
        engine = NeighborEngine(ref, "l2")
        for k in (1, 5, 20):
            engine.kneighbors(queries, k)
        built = new_builds(before, all_builds(dask_client))
        (token,) = {key[0] for keys in built.values() for key in keys}
        # shard s lives on worker s % 2 and is indexed there only, once
        assert built == {w: {(token, s): 1 for s in range(5) if s % 2 == j}
                         for j, w in enumerate(workers)}
    # the block's end released it: no worker holds its indexes
    assert not any(key[0] == token for held in dask_client.run(remote._cached).values()
                   for key in held)


def test_no_large_object_in_the_task_graph(dask_client: Any, monkeypatch: Any) -> None:
    rng = np.random.default_rng(4)
    ref = rng.standard_normal((40_000, 16)).astype(np.float32)  # 2.5 MB
    queries = ref[:300] + 0.01
    submitted: list[tuple[Any, tuple, dict]] = []
    scattered: list[tuple[Any, dict]] = []
    submit, scatter = dask_client.submit, dask_client.scatter

    def spy_submit(fn: Any, *args: Any, **kwargs: Any) -> Any:
        submitted.append((fn, args, kwargs))
        return submit(fn, *args, **kwargs)

    def spy_scatter(data: Any, **kwargs: Any) -> Any:
        scattered.append((data, kwargs))
        return scatter(data, **kwargs)

    monkeypatch.setattr(dask_client, "submit", spy_submit)
    monkeypatch.setattr(dask_client, "scatter", spy_scatter)
    want = NeighborEngine(ref, "l2").kneighbors(queries, 3)
    for mode in ("replicated", "sharded"):
        submitted.clear()
        scattered.clear()
        with remote_search(DaskSearch(dask_client, min_pairs=0, batch_rows=100,
                                      **MODES[mode])):
            got = NeighborEngine(ref, "l2").kneighbors(queries, 3)
        np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-5)
        assert len(submitted) == 3 * (1 if mode == "replicated" else 2)
        for fn, args, kwargs in submitted:
            futures = [a for a in args if isinstance(a, Future)]
            assert len(futures) == 2  # the reference (or shard) and the query batch
            rest = [a for a in args if not isinstance(a, Future)]
            assert len(pickle.dumps((fn, rest, kwargs))) < 2048
        big = [kw for data, kw in scattered if getattr(data, "nbytes", 0) >= ref.nbytes / 2]
        if mode == "replicated":
            assert len(big) == 1 and big[0].get("broadcast") is True
        else:
            assert len(big) == 2 and all(len(kw["workers"]) == 1 for kw in big)
            assert {kw["workers"][0] for kw in big} == set(
                dask_client.scheduler_info(n_workers=-1)["workers"])


def test_release_frees_worker_data(dask_client: Any) -> None:
    rng = np.random.default_rng(5)
    ref = tied(rng, 3000)
    backend = DaskSearch(dask_client, min_pairs=0)
    handle = backend.attach(ref, "l1")
    d, i = backend.kneighbors(handle, ref[:0], 3)  # an empty batch: no task
    assert d.shape == i.shape == (0, 3) and (d.dtype, i.dtype) == (np.float32, np.int64)
    backend.kneighbors(handle, ref[:10], 3)
    keys = {shard.data.key for shard in handle.shards}
    held = dask_client.run(lambda dask_worker: [k for k in dask_worker.data if k in keys])
    assert all(held.values())  # broadcast: every worker holds it
    backend.release(handle)
    backend.release(handle)  # twice is harmless
    assert not any(key[0] == handle.token for held in dask_client.run(remote._cached).values()
                   for key in held)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        held = dask_client.run(lambda dask_worker: [k for k in dask_worker.data if k in keys])
        if not any(held.values()):
            break
        time.sleep(0.05)
    assert not any(held.values())


def test_engine_stays_local_below_min_pairs_and_keeps_one_copy(dask_client: Any) -> None:
    rng = np.random.default_rng(6)
    ref, queries = tied(rng, 500), tied(rng, 40)
    want = NeighborEngine(ref, "l1").kneighbors(queries, 3)
    backend = Counting(dask_client, min_pairs=500 * 20)
    with remote_search(backend):
        engine = NeighborEngine(ref, "l1")
        assert engine._index is None  # no local index until a small search needs one
        assert_same_up_to_ties(engine.kneighbors(queries[:19], 3),
                               (want[0][:19], want[1][:19]), queries[:19], ref, "l1")
        assert backend.attached == 0 and engine._index is not None
        assert engine._reference is None  # the index holds the vectors: one copy
        # a large search sends the index's own vectors, attached once for both searches
        for _ in range(2):
            assert_same_up_to_ties(engine.kneighbors(queries, 3), want, queries, ref, "l1")
        assert backend.attached == 1 and backend.searched == 2
    assert_same_up_to_ties(engine.kneighbors(queries, 3), want, queries, ref, "l1")
    assert backend.searched == 2  # outside the block: local again


def test_shards_beyond_the_workers_memory_refused(dask_client: Any, monkeypatch: Any) -> None:
    backend = DaskSearch(dask_client, min_pairs=0)
    monkeypatch.setattr(backend, "_workers", lambda: {"a": 4000.0, "b": 4000.0})
    with pytest.raises(ResourceError, match="Dask workers") as err:
        backend.attach(np.zeros((1000, 4), np.float32), "l1")
    assert err.value.key == "scheduler"


def test_long_remote_search_reports_progress(dask_client: Any, monkeypatch: Any) -> None:
    rng = np.random.default_rng(7)
    ref, queries = tied(rng, 400), tied(rng, 95)
    want = NeighborEngine(ref, "l2").kneighbors(queries, 4)
    monkeypatch.setattr(engine_module, "LONG_SEARCH_PAIRS", 1.0)
    told: list[tuple[int, int]] = []
    with remote_search(DaskSearch(dask_client, min_pairs=0)), batch_progress(
            lambda done, total: told.append((done, total))):
        got = NeighborEngine(ref, "l2").kneighbors(queries, 4)
    assert told == [(min(10 * j, 95), 95) for j in range(1, 11)]
    assert_same_up_to_ties(got, want, queries, ref, "l2")
