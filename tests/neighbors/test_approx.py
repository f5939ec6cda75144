"""The certified inverted-file search against exact search (the engine, itself checked against
scikit-learn): never closer than the truth, exact where copies sit, and an honest certificate."""

from __future__ import annotations

import numpy as np
import pytest

from synthscan.neighbors.approx import (
    ExactOnDemand,
    IVFIndex,
    certified_kneighbors,
    certified_tie_nearest,
    certify,
)
from synthscan.neighbors.engine import NeighborEngine
from synthscan.neighbors.ties import TieIndex


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 4, size=(40, 12))
    ref = (centres[rng.integers(0, 40, 6000)] + rng.normal(0, 1, (6000, 12))).astype(np.float32)
    q = (centres[rng.integers(0, 40, 3000)] + rng.normal(0, 1, (3000, 12))).astype(np.float32)
    q[:30] = ref[rng.choice(6000, 30, replace=False)]  # planted copies: distance 0
    return ref, q


@pytest.mark.parametrize("metric", ["l1", "l2"])
def test_certified_search_is_never_closer_than_exact_and_exact_on_copies(metric):
    ref, q = _data()
    d, i, cert = certified_kneighbors(ref, q, 5, metric=metric, threads=1, seed=3)
    de, _ = NeighborEngine(ref, metric, 1).kneighbors(q, 5)
    assert d.shape == de.shape == (3000, 5) and i.shape == (3000, 5)
    tol = 1e-4 * (1 + np.abs(de))
    assert (d >= de - tol).all()  # an approximate neighbour is never closer than the true one
    assert (d[:30, 0] == 0).all()  # every planted copy found at distance 0
    # the returned indices are real neighbours at the returned distances
    recomputed = (np.abs(q[:, None, :] - ref[i]).sum(axis=2) if metric == "l1"
                  else ((q[:, None, :] - ref[i]) ** 2).sum(axis=2))
    np.testing.assert_allclose(recomputed, d, rtol=1e-4, atol=1e-3)
    # the certificate: the close sampled queries meet the target, counts are consistent
    assert cert.sample == 2000 and cert.close == 100
    assert cert.close_recall >= cert.target or cert.nprobe == cert.nlist
    assert 0 <= cert.close_recall_lower <= cert.close_recall <= 1 and 0 <= cert.recall <= 1
    assert cert.refined >= 2000


def test_the_certificate_measures_recall_honestly():
    ref, q = _data(1)
    de, _ = NeighborEngine(ref, "l1", 1).kneighbors(q, 1)
    _, _, cert = certified_kneighbors(ref, q, 1, metric="l1", threads=1, seed=0)
    # the recall the index really has at the chosen nprobe, on every query, before refinement
    index = IVFIndex(metric="l1", threads=1, seed=0).fit(ref)
    d, _, _ = index.search(q, 1, cert.nprobe)
    true_recall = float(np.mean(d[:, 0] <= de[:, 0]))
    assert abs(true_recall - cert.recall) < 0.03  # a 2,000-query sample of 3,000
    # fewer probed cells miss more neighbours: the search is approximate, not exact in disguise
    d1, _, _ = index.search(q, 1, 1)
    assert float(np.mean(d1[:, 0] <= de[:, 0])) < true_recall <= 1.0


def _same_rows(a, b, rows_a, rows_b):
    for ra, rb in zip(rows_a, rows_b, strict=True):
        assert a.distance[ra] == b.distance[rb] and a.second[ra] == b.second[rb]
        assert (a.counts[ra] == b.counts[rb]).all()
        pa = a.tie_points[a.tie_ptr[ra]:a.tie_ptr[ra + 1]]
        pb = b.tie_points[b.tie_ptr[rb]:b.tie_ptr[rb + 1]]
        assert sorted(pa.tolist()) == sorted(pb.tolist())


def test_replace_rows_splices_answers_like_a_fresh_search():
    rng = np.random.default_rng(5)
    ref = rng.integers(0, 3, size=(300, 4)).astype(np.float32)  # many ties
    labels = rng.integers(0, 2, 300)
    q = rng.integers(0, 3, size=(50, 4)).astype(np.float32)
    index = TieIndex(ref, labels, 2, "l1", 1)
    full = index.nearest(q, per_label=(0,))
    rows = np.array([3, 7, 8, 40])
    part = index.nearest(q[rows], per_label=(0,))
    # splicing a search's own answers back in changes nothing
    spliced = full.replace_rows(rows, part)
    _same_rows(spliced, full, range(50), range(50))
    np.testing.assert_array_equal(spliced.label_distance, full.label_distance)
    # splicing another result's answers puts them exactly where asked
    other = index.nearest(q[::-1][rows], per_label=(0,))
    spliced = full.replace_rows(rows, other)
    _same_rows(spliced, other, rows, range(len(rows)))
    keep = np.setdiff1d(np.arange(50), rows)
    _same_rows(spliced, full, keep, keep)


def test_certified_tie_search_answers_copies_exactly_and_never_closer():
    ref, q = _data(2)
    labels = np.random.default_rng(0).integers(0, 2, len(ref))
    exact = TieIndex(ref, labels, 2, "l1", 1).nearest(q, per_label=(0,))
    index, approx, cert = certified_tie_nearest(ref, labels, 2, q, metric="l1", threads=1,
                                                seed=4, per_label=(0,))
    assert index.n_points == len(np.unique(ref, axis=0))
    assert (approx.distance >= exact.distance - 1e-4).all()
    assert (approx.distance[:30] == 0).all()  # the planted copies
    refined = np.argsort(approx.distance, kind="stable")[:cert.refined]
    _same_rows(approx, exact, refined, refined)
    # where the approximate search found the true nearest distance, it found the whole tie
    same = np.flatnonzero(approx.distance == exact.distance)
    assert len(same) >= 0.9 * len(q)
    assert (approx.counts[same] == exact.counts[same]).all()


def test_the_exact_copy_is_built_only_for_the_exact_queries():
    ref, q = _data(3)
    index = IVFIndex(metric="l1", threads=1, seed=0).fit(ref)
    assert index.exact._engine is None  # no flat copy beside the cells after fit
    certify(index, q, metric="l1", seed=0, sample=200)
    assert index.exact._engine is None  # released once the sample is answered
    d, i = index.exact.kneighbors(q[:40], 3)  # built again on demand, the engine's answers
    de, ie = NeighborEngine(ref, "l1", 1).kneighbors(q[:40], 3)
    np.testing.assert_array_equal(d, de)
    np.testing.assert_array_equal(i, ie)
    index.exact.release()
    assert index.exact._engine is None


def test_the_certified_tie_index_keeps_no_inverted_file_and_answers_exactly_after():
    ref, q = _data(4)
    labels = np.random.default_rng(1).integers(0, 2, len(ref))
    index, _, _ = certified_tie_nearest(ref, labels, 2, q, metric="l1", threads=1, seed=4)
    assert isinstance(index.engine, ExactOnDemand) and index.engine._engine is None
    later = index.nearest(q[:200], per_label=(0,))
    exact = TieIndex(ref, labels, 2, "l1", 1).nearest(q[:200], per_label=(0,))
    _same_rows(later, exact, range(200), range(200))


def test_refined_queries_are_the_smallest_answers_as_many_as_the_sample():
    from synthscan.neighbors.approx import REFINE_CAP, to_refine

    rng = np.random.default_rng(3)
    for n in (50_000, 1_000_000):  # 1% below and above the cap
        d = rng.permutation(n).astype(np.float32)
        picked = to_refine(d, 2000)
        assert len(picked) == 2000 == REFINE_CAP
        assert set(d[picked].astype(int)) == set(range(2000))  # the 2,000 smallest
    assert len(to_refine(np.zeros(100), 2000)) == 100  # never more than there are queries


def test_cell_count_trades_building_cells_against_probing_them():
    from synthscan.neighbors.approx import SCAN_COST, TYPICAL_NPROBE, cell_count

    assert cell_count(1_000_000) == 4000 and cell_count(100) == 40 and cell_count(4) == 16
    assert cell_count(10**8) == 4096  # the cap
    # as many queries as rows: the default; few queries: fewer cells, never more
    assert cell_count(1_000_000, 1_250_000) == 4000
    counts = [cell_count(200_000, q) for q in (100, 1_000, 10_000, 100_000, 1_000_000)]
    assert counts == sorted(counts) and counts[0] < counts[-1] == cell_count(200_000)

    def cost(c: int, n: int, q: int) -> float:
        return 120.0 * c * c + n * c + SCAN_COST * q * TYPICAL_NPROBE * n / c

    # the chosen count is within a few percent of the best whole number of cells
    for n, q in ((200_000, 10_000), (1_000_000, 10_000), (39_000, 10_000)):
        best = min(cost(c, n, q) for c in range(16, cell_count(n) + 1))
        assert cost(cell_count(n, q), n, q) <= 1.1 * best
