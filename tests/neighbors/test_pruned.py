"""Exact answers from an inverted file by the triangle inequality (``neighbors.pruned``):
equal to the flat engine's whatever the upper bound (tight, loose, approximate, infinite), with
duplicates and ties, in both metrics; the radii are the hand-computed ones; and the pruning
does prune."""

from __future__ import annotations

import numpy as np
import pytest

from synthscan.neighbors import pruned
from synthscan.neighbors.approx import IVFIndex
from synthscan.neighbors.engine import NeighborEngine
from synthscan.neighbors.pruned import CellBounds


def _data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 5, size=(30, 10))
    ref = (centres[rng.integers(0, 30, 5000)] + rng.normal(0, 1, (5000, 10))).astype(np.float32)
    ref[:400] = np.round(ref[:400])  # duplicates and ties on a grid
    ref[400:600] = ref[:200]
    q = (centres[rng.integers(0, 30, 600)] + rng.normal(0, 1, (600, 10))).astype(np.float32)
    q[:50] = ref[rng.choice(600, 50, replace=False)]  # copies of duplicated rows
    q[50:100] = np.round(q[50:100])  # on the grid: ties at the k-th
    return ref, q


def _same(got: tuple[np.ndarray, np.ndarray], want: tuple[np.ndarray, np.ndarray],
          ref: np.ndarray, q: np.ndarray, metric: str) -> None:
    """Equal distances; ids equal up to ties (each returned id is at its stated distance)."""
    (d, i), (de, _) = got, want
    np.testing.assert_allclose(d, de, rtol=1e-5, atol=1e-5)
    diff = ref[i] - q[:, None, :]
    actual = (np.abs(diff).sum(axis=2) if metric == "l1" else (diff ** 2).sum(axis=2))
    np.testing.assert_allclose(actual, d, rtol=1e-4, atol=1e-4)
    assert all(len(set(row)) == len(row) for row in i)  # no row twice


@pytest.mark.parametrize("metric", ["l1", "l2"])
@pytest.mark.parametrize("k", [1, 2, 7])
def test_pruned_answers_equal_the_flat_engine(metric, k):
    ref, q = _data(k)
    index = IVFIndex(metric=metric, threads=1, seed=k).fit(ref)
    flat = NeighborEngine(ref, metric, 1).kneighbors(q, k)
    _same(index.exact_knn(q, k), flat, ref, q, metric)  # bound from its own probe
    _same(index.exact_knn(q, k, upper=flat[0][:, -1]), flat, ref, q, metric)  # tight
    loose = flat[0][:, -1] * 3 + 1
    _same(index.exact_knn(q, k, upper=loose), flat, ref, q, metric)
    approx = index.search(q, k, 1)[0][:, -1]  # one cell: a poor but valid bound
    _same(index.exact_knn(q, k, upper=approx), flat, ref, q, metric)
    _same(index.exact_knn(q, k, upper=np.full(len(q), np.inf)), flat, ref, q, metric)


def _bounds(seed: int) -> tuple[np.ndarray, np.ndarray, IVFIndex, CellBounds]:
    """Data, an L1 inverted file over it and its cell bounds (built by a first exact search)."""
    ref, q = _data(seed)
    index = IVFIndex(metric="l1", threads=1, seed=seed).fit(ref)
    index.exact_knn(q[:3], 1)
    assert index._bounds is not None
    return ref, q, index, index._bounds


def test_radii_are_the_farthest_row_of_each_cell():
    ref, _, _, bounds = _bounds(5)
    cent = bounds.centroids
    # each row's cell by the index's own rule (nearest centre, squared Euclidean)
    cell = NeighborEngine(cent, "l2", 1).kneighbors(ref, 1)[1][:, 0]
    for c in range(len(cent)):
        rows = ref[cell == c]
        want = np.abs(rows - cent[c]).sum(axis=1).max() if len(rows) else -np.inf
        assert bounds.radius[c] == pytest.approx(want, rel=1e-5)


def test_a_bound_below_the_truth_cannot_give_a_wrong_answer_silently():
    """A wrong (too small) bound may drop the true neighbours' cells; rows the kept cells
    cannot fill are searched flat, so at least the answer is never short."""
    ref, q = _data(6)
    index = IVFIndex(metric="l1", threads=1, seed=6).fit(ref)
    d, i = index.exact_knn(q, 3, upper=np.zeros(len(q)))
    assert (i >= 0).all() and np.isfinite(d).all()


def test_pruning_keeps_a_minority_of_the_rows_for_the_nearest_neighbour():
    ref, q, index, bounds = _bounds(7)
    flat = NeighborEngine(ref, "l1", 1).kneighbors(q, 1)[0][:, 0]
    cells = bounds._kept_cells(q, flat.astype(np.float64))
    # the cells' sizes as the index itself files them (CellBounds.sizes is checked against it)
    sizes = np.array([index._index.invlists.list_size(c) for c in range(index.nlist_)])
    np.testing.assert_array_equal(bounds.sizes, sizes)
    kept = np.array([sizes[c].sum() for c in cells]) / len(ref)
    assert kept.mean() < 0.5  # clustered data: most cells are provably too far


@pytest.mark.parametrize("metric", ["l1", "l2"])
def test_rows_within_a_radius_are_every_row_brute_force_finds(metric, monkeypatch):
    ref, q = _data(8)
    index = IVFIndex(metric=metric, threads=1, seed=8).fit(ref)
    index.exact_knn(q[:3], 1)  # builds the cell bounds
    bounds = index._bounds
    assert bounds is not None
    diff = ref[None, :, :].astype(np.float64) - q[:, None, :]
    full = np.abs(diff).sum(axis=2) if metric == "l1" else (diff ** 2).sum(axis=2)
    # radii at a row's exact distance (ties on the grid), between rows, and none at all
    radius = np.sort(full, axis=1)[:, 40].copy()
    radius[::3] += 0.37
    radius[1::7] = -1.0
    monkeypatch.setattr(pruned, "RANGE_ROWS", 2000)  # many blocks, some of one query
    found: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    blocks = 0
    for queries, lims, dist, idx in bounds.within(q, radius):
        blocks += 1
        for j, qi in enumerate(queries):
            assert qi not in found  # each query in one block
            found[int(qi)] = (idx[lims[j]:lims[j + 1]], dist[lims[j]:lims[j + 1]])
    assert sorted(found) == list(range(len(q))) and blocks > len(q) // pruned.BLOCK
    for j in range(len(q)):
        got, d = found[j]
        want = np.flatnonzero(full[j] <= radius[j] + 1e-4)
        assert set(got) >= set(want)  # every row within the radius (some just beyond allowed)
        assert len(set(got)) == len(got)
        assert (full[j][got] <= radius[j] * (1 + 1e-3) + 1e-3).all()
        np.testing.assert_allclose(d, full[j][got], rtol=1e-4, atol=1e-4)
    assert all(len(found[j][0]) == 0 for j in range(1, len(q), 7))  # a negative radius: none
