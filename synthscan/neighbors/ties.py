"""Tie-aware nearest records: ``TieIndex.nearest``.

The reference is deduplicated into unique points carrying per-label multiplicities (e.g. how
many train and how many holdout records sit on that point); for each query it returns the
nearest distance, how many records of each label are tied at it, which unique points those
are, and the distance to the second-nearest record. Ties are decided by exact equality under L1
(the L1 encoding is exact in float32, see ``encoding``) and by ``tie_tolerance`` under L2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .engine import NeighborEngine, Searcher, tie_tolerance
from .unique import unique_rows


@dataclass
class TieResult:
    """Tie-aware nearest-record answers for a batch of queries.

    ``distance`` and ``second`` are raw engine distances (L1 sums, or squared L2).
    ``counts[q, l]`` is the number of label-``l`` records tied at the nearest distance of query q;
    ``tie_points[tie_ptr[q]:tie_ptr[q+1]]`` are the unique reference points making up that tie.
    """

    distance: np.ndarray
    second: np.ndarray
    counts: np.ndarray
    tie_ptr: np.ndarray
    tie_points: np.ndarray
    #: (nq, n_labels) distance to the nearest record of each label (when asked for)
    label_distance: np.ndarray | None = None

    @property
    def n_tied(self) -> np.ndarray:
        return self.counts.sum(axis=1)

    def replace_rows(self, rows: np.ndarray, other: TieResult) -> TieResult:
        """These answers with those of ``rows`` taken from ``other`` (answers to exactly the
        queries ``rows``, in that order)."""
        rows = np.asarray(rows, dtype=np.int64)
        nq = len(self.distance)
        lengths = np.diff(self.tie_ptr)
        lengths[rows] = np.diff(other.tie_ptr)
        ptr = np.zeros(nq + 1, dtype=np.int64)
        np.cumsum(lengths, out=ptr[1:])
        source = np.zeros(nq, dtype=np.int64)  # 0: this result, 1: other
        source[rows] = 1
        start = self.tie_ptr[:-1].copy()
        start[rows] = other.tie_ptr[:-1]
        pos = np.repeat(start - ptr[:-1], lengths) + np.arange(ptr[-1])
        from_other = np.repeat(source, lengths) == 1
        points = np.empty(int(ptr[-1]), dtype=np.int64)
        points[~from_other] = self.tie_points[pos[~from_other]]
        points[from_other] = other.tie_points[pos[from_other]]
        out = {f: getattr(self, f).copy() for f in ("distance", "second", "counts")}
        for f, arr in out.items():
            arr[rows] = getattr(other, f)
        labels = None
        if self.label_distance is not None and other.label_distance is not None:
            labels = self.label_distance.copy()
            labels[rows] = other.label_distance
        return TieResult(out["distance"], out["second"], out["counts"], ptr, points, labels)


class TieIndex:
    """A reference set of labelled records, deduplicated, answering tie-aware nearest queries.

    Parameters
    ----------
    reference : (n, d) encoded records.
    labels : (n,) integer label of each record in [0, n_labels), e.g. 0 = train, 1 = holdout.
    engine : builds the search over the unique points (default: the exact ``NeighborEngine``;
        ``neighbors.approx`` passes a certified inverted file for very large searches).
    """

    def __init__(self, reference: np.ndarray, labels: np.ndarray, n_labels: int = 2,
                 metric: str = "l1", threads: int | None = None,
                 memory_budget: int | None = None,
                 engine: Callable[[np.ndarray], Searcher] | None = None) -> None:
        ref = np.ascontiguousarray(reference, dtype=np.float32)
        labels = np.asarray(labels, dtype=np.int64)
        if len(labels) != len(ref):
            raise ValueError("one label per reference row is needed")
        self.n_labels = int(n_labels)
        self.metric = metric
        points, inverse = unique_rows(ref)
        self.point_of_record = inverse
        self.point_counts = np.zeros((len(points), self.n_labels), dtype=np.int64)
        np.add.at(self.point_counts, (inverse, labels), 1)
        self.record_labels = labels
        self.points = points
        self.engine: Searcher = (engine(points) if engine is not None else NeighborEngine(
            points, metric=metric, threads=threads, memory_budget=memory_budget))
        self.n_points = len(points)

    def _tol(self, d: np.ndarray) -> np.ndarray:
        return tie_tolerance(d, self.metric)

    def nearest(self, queries: np.ndarray, exclude_records: np.ndarray | None = None,
                k0: int = 8, per_label: bool | tuple[int, ...] = False) -> TieResult:
        """Nearest records of each query, with exact tie counts per label.

        exclude_records : optional (nq,) record index to leave out for each query (-1: none);
            gives leave-one-out answers when the queries are reference records.
        per_label : also find the distance to the nearest record of every label (True) or of
            the labels listed (one search serves e.g. synthetic->train and
            synthetic->train∪holdout). Labels not listed get NaN. Ask only for what is used:
            a rare label is often absent from the first k neighbours, and finding it costs a
            wider search (with labels 80/20, a fifth of the queries).
        """
        if per_label is True:
            wanted = list(range(self.n_labels))
        else:
            wanted = sorted({int(x) for x in (per_label or ())})
        per_label = bool(wanted)
        q = np.ascontiguousarray(queries, dtype=np.float32)
        nq = len(q)
        excl_point, excl_label = self._exclusions(exclude_records, nq)
        distance = np.full(nq, np.inf)
        second = np.full(nq, np.inf)
        counts = np.zeros((nq, self.n_labels), dtype=np.int64)
        # (only filled and returned when per-label distances were asked for)
        label_distance = np.full((nq, self.n_labels if per_label else 0), np.inf)
        tie_lists: list[tuple[np.ndarray, np.ndarray]] = []
        todo = np.arange(nq)
        k = min(max(k0, 2), self.n_points)
        while len(todo):
            d, i = self.engine.kneighbors(q[todo], k)
            cnt = self.point_counts[i]  # (b, k, L)
            ep = excl_point[todo]
            hit = (i == ep[:, None]) & (ep[:, None] >= 0)
            if hit.any():
                rows, cols = np.nonzero(hit)
                cnt = cnt.copy()
                cnt[rows, cols, excl_label[todo][rows]] -= 1
            tot = cnt.sum(axis=2)
            valid = tot > 0
            dm = np.where(valid, d.astype(np.float64), np.inf)
            best = dm.min(axis=1)
            tie = valid & (dm <= (best + self._tol(best))[:, None])
            tie_tot = (tot * tie).sum(axis=1)
            rest = np.where(tie, np.inf, dm).min(axis=1)
            sec = np.where(tie_tot >= 2, best, rest)
            exhausted = k >= self.n_points
            # unresolved: the tie may continue past the k-th neighbour, or no second record yet
            unresolved = tie[:, -1] | ~np.isfinite(sec) | ~np.isfinite(best)
            if per_label:
                lab_d = np.where(cnt > 0, dm[:, :, None], np.inf).min(axis=1)  # (b, L)
                unresolved |= ~np.isfinite(lab_d[:, wanted]).all(axis=1)
            unresolved &= not exhausted
            done = ~unresolved
            idx_done = todo[done]
            distance[idx_done] = best[done]
            second[idx_done] = sec[done]
            if per_label:
                label_distance[idx_done] = lab_d[done]
            counts[idx_done] = (cnt * tie[:, :, None]).sum(axis=1)[done]
            rr, cc = np.nonzero(tie & done[:, None])
            tie_lists.append((todo[rr], i[rr, cc]))
            todo = todo[unresolved]
            k = min(k * 4, self.n_points)
        if per_label:
            unwanted = np.setdiff1d(np.arange(self.n_labels), wanted)
            label_distance[:, unwanted] = np.nan
        ptr, ps = _pointers(tie_lists, nq)
        return TieResult(distance, second, counts, ptr, ps,
                         label_distance if per_label else None)

    def _exclusions(self, exclude_records: np.ndarray | None, nq: int
                    ) -> tuple[np.ndarray, np.ndarray]:
        """The point (-1: none) and label each query must not count (leave-one-out)."""
        excl_point = np.full(nq, -1, dtype=np.int64)
        excl_label = np.zeros(nq, dtype=np.int64)
        if exclude_records is not None:
            er = np.asarray(exclude_records, dtype=np.int64)
            has = er >= 0
            excl_point[has] = self.point_of_record[er[has]]
            excl_label[has] = self.record_labels[er[has]]
        return excl_point, excl_label


def _pointers(tie_lists: list[tuple[np.ndarray, np.ndarray]], nq: int
              ) -> tuple[np.ndarray, np.ndarray]:
    """(query, point) pairs to CSR form: ``ptr`` (nq + 1,) and the points, sorted per query."""
    if tie_lists:
        qs = np.concatenate([t[0] for t in tie_lists])
        ps = np.concatenate([t[1] for t in tie_lists])
        order = np.lexsort((ps, qs))
        qs, ps = qs[order], ps[order]
    else:
        qs = ps = np.zeros(0, dtype=np.int64)
    ptr = np.zeros(nq + 1, dtype=np.int64)
    np.cumsum(np.bincount(qs, minlength=nq), out=ptr[1:])
    return ptr, ps.astype(np.int64)
