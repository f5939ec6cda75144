"""Nearest neighbours on column subsets, with exact ties credited fairly.

An attribute-inference attacker knows some columns Q of a target and guesses a secret from the
nearest reference rows on Q. Two pieces serve it:

* ``nn_credit``: one exact tie-aware search; per query, the share of its tied nearest reference
  rows whose label lies within a tolerance of the query's truth (the expected success of a
  uniformly random tie-break: deterministic and independent of row order).
* ``CandidateNN``: the same answers for many column subsets from ONE k-nearest search on the
  union of the columns, with a certificate per query; a second, wider search for the few
  queries at risk of failing it (``widen``); and an exact search where it still fails.
"""

from __future__ import annotations

import threading
from typing import Protocol

import numpy as np

from .approx import IVFIndex
from .engine import NeighborEngine, faiss_threads, tie_tolerance
from .ties import TieIndex

#: nearest reference rows per query searched once for all column subsets
CANDIDATES = 256
#: reference rows from which the candidate search goes through an inverted file's cells
#: (``IVFIndex.exact_knn``: exact, pruned by the triangle inequality) instead of a flat pass.
#: Measured (the scale benchmark's data, 2,000 queries, k = 256, under load): 1,000,000 rows,
#: 18% of the rows kept, 6.1 s vs 15.9 s flat (plus 17 s to build the index for all the
#: queries); 200,000 rows, 31% kept, no faster than flat
PRUNED_MIN_REFERENCE = 500_000
#: queries whose candidate pairs ``CandidateNN.credit`` holds at once (about 30 MB at
#: k = 256): several secrets are credited in threads at once
CREDIT_BLOCK = 2048
#: queries from which ``nn_credit`` deduplicates the reference and searches it
#: (``TieIndex``); fewer are compared with every reference row (``_credit_by_rows``, L1):
#: on Adult, the fallbacks left after the wider search were up to 7 queries against 39,040
#: rows, where deduplicating the rows cost about 45 ms a call
FEW_QUERIES = 64
#: distances ``_credit_by_rows`` holds at once (16 MB)
BLOCK_PAIRS = 1 << 22
#: candidates of the second, wider search (``CandidateNN.widen``) for the few queries whose
#: first candidates may not certify their answer. Measured on Adult (10,000 queries, 39,040
#: synthetic rows, one thread): 1,043 queries at risk after 256 candidates; 1,024 more
#: candidates for them took 0.76 s and left 7 at risk, where the exact searches per secret
#: (4,513 queries over 15 secrets) took 1.9 s
WIDE_CANDIDATES = 1024
#: (query, candidate) pairs the wider search holds at most (16 bytes each); queries beyond it
#: keep the exact fallback
WIDE_BUDGET = 1 << 22


class ColumnDims(Protocol):
    """What ``CandidateNN`` needs of an encoder: the encoded dimensions of named columns."""

    def dims_of(self, names: list[str]) -> np.ndarray: ...


def within(guess: np.ndarray, truth: np.ndarray, tolerance: float) -> np.ndarray:
    """``truth - tolerance <= guess <= truth + tolerance``: the same comparisons as the window
    search of ``nn_credit``, so every caller judges a guess alike."""
    return (guess >= truth - tolerance) & (guess <= truth + tolerance)


def nn_credit(reference: np.ndarray, ref_y: np.ndarray, queries: list[np.ndarray],
              truths: list[np.ndarray], tolerance: float, metric: str = "l1",
              threads: int | None = None) -> list[np.ndarray]:
    """Success credit of the 1-NN guess for each query row of each batch, in [0, 1].

    The guess is the label of the nearest reference row; with exact ties, the credit is the
    share of the tied rows whose label lies within ``tolerance`` of the truth (0: exact match).
    Reference labels may be +inf (missing): they never match a finite truth.
    """
    sizes = [len(q) for q in queries]
    nq = sum(sizes)
    if nq == 0:
        return [np.zeros(0) for _ in queries]
    if metric == "l1" and nq <= FEW_QUERIES and len(reference):
        credit = _credit_by_rows(reference, ref_y, np.vstack(queries),
                                 np.concatenate([np.asarray(t, np.float64) for t in truths]),
                                 tolerance, threads)
        return list(np.split(credit, np.cumsum(sizes)[:-1]))
    index = TieIndex(reference, np.zeros(len(reference), np.int64), 1, metric, threads)
    res = index.nearest(np.vstack(queries))
    truth = np.concatenate([np.asarray(t, dtype=np.float64) for t in truths])
    # records sorted by (point, rank of y): a composite integer key, searchable per point
    uniq = np.unique(ref_y)
    width = len(uniq) + 1
    keys = np.sort(index.point_of_record * width + np.searchsorted(uniq, ref_y))
    q_of_pair = np.repeat(np.arange(nq), np.diff(res.tie_ptr))
    t = truth[q_of_pair]
    r_lo = np.searchsorted(uniq, t - tolerance, side="left")
    r_hi = np.searchsorted(uniq, t + tolerance, side="right")
    base = res.tie_points * width
    hits = (np.searchsorted(keys, base + r_hi, side="left")
            - np.searchsorted(keys, base + r_lo, side="left"))
    good = np.bincount(q_of_pair, weights=hits.astype(np.float64), minlength=nq)
    credit = good / res.n_tied.astype(np.float64)
    return list(np.split(credit, np.cumsum(sizes)[:-1]))


def _credit_by_rows(reference: np.ndarray, ref_y: np.ndarray, queries: np.ndarray,
                    truth: np.ndarray, tolerance: float, threads: int | None) -> np.ndarray:
    """``nn_credit`` under L1 for a few queries: every query's distance to every reference
    row (FAISS's pairwise L1, exact on the encoder's grid like the search), the rows at the
    least distance tied, in blocks of about ``BLOCK_PAIRS`` distances; no deduplication of
    the reference, which is what a few queries would mostly pay for."""
    import faiss

    ref = np.ascontiguousarray(reference, dtype=np.float32)
    q = np.ascontiguousarray(queries, dtype=np.float32)
    out = np.empty(len(q))
    step = max(1, BLOCK_PAIRS // max(1, len(ref)))
    for a in range(0, len(q), step):
        block = q[a:a + step]
        with faiss_threads(threads, pairs=float(len(block)) * len(ref)):
            d = faiss.pairwise_distances(block, ref, faiss.METRIC_L1)
        tie = d <= d.min(axis=1, keepdims=True)  # exact: tie_tolerance is 0 under L1
        hit = tie & within(ref_y[None, :], truth[a:a + step, None], tolerance)
        out[a:a + step] = hit.sum(axis=1) / tie.sum(axis=1)
    return out


class CandidateNN:
    """``nn_credit`` answers for many column subsets from one k-nearest search.

    The reference rows' k nearest neighbours of every query are found once on the union U of
    the columns. The distance is a sum over columns, so on a subset Q it is ``d_Q = d_U - d_R``
    with R = U minus Q, and ``0 <= d_R <= dmax`` where dmax is the most the dropped columns can
    add for this query (1 per categorical column; per numeric dimension, the distance to the
    farther end of the reference rows' extent). If the k-th candidate's ``d_U`` exceeds the best
    candidate ``d_Q`` by more than dmax, no row outside the candidates can reach or tie the best
    ``d_Q``: the exact tie set is among the candidates. Queries where this does not hold are
    answered by an exact search on Q (``nn_credit``). Results equal per-subset exact searches.
    The k-nearest search itself is exact: flat, or above ``PRUNED_MIN_REFERENCE`` reference rows
    through an inverted file's cells that the triangle inequality cannot rule out.

    Parameters
    ----------
    reference, queries : encoded rows.
    encoder : gives each column's encoded dimensions.
    columns : the union U.
    codes : categorical columns -> (reference codes, query codes); equal codes <=> distance 0.
    k : candidates per query (at most the reference size).
    """

    def __init__(self, reference: np.ndarray, queries: np.ndarray, encoder: ColumnDims,
                 columns: list[str], codes: dict[str, tuple[np.ndarray, np.ndarray]],
                 metric: str = "l1", threads: int | None = None,
                 k: int = CANDIDATES) -> None:
        self.reference, self.queries = reference, queries
        self.codes = codes
        self.encoder, self.columns = encoder, columns
        # per-dimension extent of the reference rows: bounds what a numeric column can add
        self.ref_min, self.ref_max = reference.min(axis=0), reference.max(axis=0)
        self.metric, self.threads = metric, threads
        dims = encoder.dims_of(columns)
        k = min(k, len(reference))
        self.complete = k >= len(reference)  # every reference row is a candidate
        ref_u = np.ascontiguousarray(reference[:, dims], dtype=np.float32)
        #: the inverted file over U (above PRUNED_MIN_REFERENCE): the exact fallbacks search
        #: its cells too (``_ball_credit``)
        self._cells: IVFIndex | None = None
        if len(reference) >= PRUNED_MIN_REFERENCE and not self.complete:
            # exact all the same: the cells the triangle inequality cannot rule out
            # (the default cell count, not one sized for the queries: the finer the cells,
            # the more of them the bound rules out)
            self._cells = IVFIndex(metric=metric, threads=threads, seed=0).fit(ref_u)
            dist, self.idx = self._cells.exact_knn(queries[:, dims], k)
        else:
            dist, self.idx = NeighborEngine(ref_u, metric, threads).kneighbors(
                queries[:, dims], k)
        self.dist = dist.astype(np.float64)
        #: the wider search (``widen``): per query its row in ``_wide_dist``/``_wide_idx``
        #: (-1: not widened)
        self._wide_row = np.full(len(queries), -1, np.int64)
        self._wide_dist = np.zeros((0, 0))
        self._wide_idx = np.zeros((0, 0), np.int64)
        self._wide_complete = False
        self.fallback_queries = 0
        self._count = threading.Lock()  # ``credit`` may run in several threads at once

    @property
    def threads_safe(self) -> bool:
        """Whether ``credit`` may run in several threads at once with bounded memory: without
        the inverted file (whose radius searches hold up to 2^24 rows per call)."""
        return self._cells is None

    def widen(self, knowns: list[list[str]], k: int | None = None) -> int:
        """Search again, with ``k`` candidates (default ``WIDE_CANDIDATES``), the queries
        whose first candidates may leave a guess uncertified for one of ``knowns`` (the known
        columns of the coming ``credit`` calls): those where the last candidate's ``d_U``
        minus the most the columns left out can add is within the first candidate's ``d_U``
        (plus the tie tolerance), which bounds the best ``d_Q`` from above. ``credit`` then
        certifies them from the wider candidates where it can, and searches exactly only what
        remains (at most ``WIDE_BUDGET`` pairs are widened). The answers are the same; only
        the work changes. Not with the inverted file (its fallbacks search balls of its cells
        instead). Returns the queries widened."""
        width = self.idx.shape[1]
        k = WIDE_CANDIDATES if k is None else k
        if self.complete or self._cells is not None or k <= width or not knowns:
            return 0
        k = min(k, len(self.reference))
        every = np.arange(len(self.queries))
        reach = np.max([self._dropped_bound(every, self._dropped(q)) for q in knowns], axis=0)
        first = self.dist[:, 0]
        slack = tie_tolerance(first, self.metric) * 2 + 1e-9 * (1.0 + first)
        risky = np.flatnonzero(self.dist[:, -1] - reach <= first + slack)
        risky = risky[:max(0, WIDE_BUDGET // k)]
        if not len(risky):
            return 0
        dims = self.encoder.dims_of(self.columns)
        ref_u = np.ascontiguousarray(self.reference[:, dims], dtype=np.float32)
        dist, self._wide_idx = NeighborEngine(ref_u, self.metric, self.threads).kneighbors(
            self.queries[risky][:, dims], k)
        self._wide_dist = dist.astype(np.float64)
        self._wide_complete = k >= len(self.reference)
        self._wide_row[risky] = np.arange(len(risky))
        return len(risky)

    def credit(self, known: list[str], ref_y: np.ndarray, rows: np.ndarray,
               truth: np.ndarray, tolerance: float) -> np.ndarray:
        """Tie-credited 1-NN success (see ``nn_credit``) of query ``rows`` guessing a label
        ``ref_y`` (per reference row) from the ``known`` columns. Reads the search's answers
        only: calls for different subsets may run in threads at once (``threads_safe``); each
        holds the pairs of ``CREDIT_BLOCK`` queries at a time."""
        n = len(rows)
        if n == 0:
            return np.zeros(0)
        dropped = self._dropped(known)
        truth = np.asarray(truth, np.float64)
        out, certified, radius = np.empty(n), np.empty(n, bool), np.empty(n)

        def answer(positions: np.ndarray, at: np.ndarray, dist: np.ndarray, idx: np.ndarray,
                   complete: bool) -> None:
            """The queries at ``positions`` from their candidates ``dist``/``idx`` at rows
            ``at[positions]``, holding about as many pairs at once as CREDIT_BLOCK queries
            of the first search."""
            step = max(1, CREDIT_BLOCK * self.idx.shape[1] // max(1, idx.shape[1]))
            for a in range(0, len(positions), step):
                part = positions[a:a + step]
                out[part], certified[part], radius[part] = self._from_candidates(
                    rows[part], dist[at[part]], idx[at[part]], complete, dropped, ref_y,
                    truth[part], tolerance)

        answer(np.arange(n), rows, self.dist, self.idx, self.complete)
        todo = np.flatnonzero(~certified)
        wide = todo[self._wide_row[rows[todo]] >= 0]
        if len(wide):
            answer(wide, self._wide_row[rows], self._wide_dist, self._wide_idx,
                   self._wide_complete)
            todo = np.flatnonzero(~certified)
        if len(todo):
            with self._count:
                self.fallback_queries += len(todo)
            if self._cells is not None:
                out[todo] = self._ball_credit(rows[todo], radius[todo], dropped, ref_y,
                                              truth[todo], tolerance)
            else:
                out[todo] = self._exact_credit(known, rows[todo], ref_y, truth[todo], tolerance)
        return out

    def _dropped(self, known: list[str]) -> list[str]:
        """The columns of the candidate search a guess from ``known`` leaves out."""
        known_set = set(known)
        return [c for c in self.columns if c not in known_set]

    def _exact_credit(self, known: list[str], rows: np.ndarray, ref_y: np.ndarray,
                      truth: np.ndarray, tolerance: float) -> np.ndarray:
        """``nn_credit`` of query ``rows`` by an exact search on the ``known`` columns."""
        dims_q = self.encoder.dims_of(known)
        (out,) = nn_credit(self.reference[:, dims_q], ref_y, [self.queries[rows][:, dims_q]],
                           [truth], tolerance, self.metric, self.threads)
        return out

    def _from_candidates(self, rows: np.ndarray, d_u: np.ndarray, idx: np.ndarray,
                         complete: bool, dropped: list[str], ref_y: np.ndarray,
                         truth: np.ndarray, tolerance: float
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For query ``rows`` with candidates ``idx`` at distances ``d_u`` on all columns
        (sorted; ``complete``: every reference row): the credit from the candidates, whether
        it is certified (the exact tie set on the known columns lies among the candidates),
        and the radius on all columns within which every row tied with the best must lie
        (``_ball_credit``)."""
        n = len(rows)
        dmax = self._dropped_bound(rows, dropped) if dropped else np.zeros(n)
        # only candidates with d_U - dmax <= d_U of the first can reach or tie the best d_Q
        # (d_Q <= d_U, so best <= the first's d_U; the tolerance only grows with distance)
        first = d_u[:, 0]
        reach = first + tie_tolerance(first, self.metric) + 1e-9 * (1.0 + first)
        rr, jj = np.nonzero(d_u - dmax[:, None] <= reach[:, None])  # row-major: rr sorted
        cand = idx[rr, jj]
        d_q = d_u[rr, jj]
        if dropped:
            d_q = d_q - self._dropped_distance(rows[rr], cand, dropped)
        starts = np.searchsorted(rr, np.arange(n))  # every row keeps its first candidate
        best = np.minimum.reduceat(d_q, starts)
        tol = tie_tolerance(best, self.metric)
        tie = d_q <= (best + tol)[rr]
        certified = (np.full(n, True) if complete
                     else d_u[:, -1] - dmax > best + 2 * tol)
        hit = within(ref_y[cand], truth[rr], tolerance)
        out = (np.bincount(rr, weights=hit & tie, minlength=n)
               / np.bincount(rr, weights=tie, minlength=n))
        return out, certified, best + tol + dmax

    def release(self) -> None:
        """Free the inverted file (its copy of the reference rows): no more ``credit``."""
        self._cells = None

    def _ball_credit(self, rows: np.ndarray, radius: np.ndarray, dropped: list[str],
                     ref_y: np.ndarray, truth: np.ndarray, tolerance: float) -> np.ndarray:
        """``nn_credit``'s answers for query ``rows`` without a search on Q: every reference
        row tied with a query's exact best on Q has ``d_Q <= best + tol`` (best: the
        candidates' best on Q, at least the exact one) and so ``d_U = d_Q + d_R <=
        best + tol + dmax`` = ``radius``; the rows within it in U come from the inverted
        file's cells (``CellBounds.within``: exact), and their ``d_Q = d_U - d_R`` decide."""
        assert self._cells is not None
        dims = self.encoder.dims_of(self.columns)
        out = np.empty(len(rows))
        truth = np.asarray(truth, np.float64)
        for block, lims, d_u, cand in self._cells.ball(self.queries[rows][:, dims], radius):
            r = rows[block]
            q_of = np.repeat(np.arange(len(r)), np.diff(lims))
            d_q = d_u.astype(np.float64)
            if dropped:
                d_q = d_q - self._dropped_distance(r[q_of], cand, dropped)
            best = np.full(len(r), np.inf)
            np.minimum.at(best, q_of, d_q)
            tie = d_q <= (best + tie_tolerance(best, self.metric))[q_of]
            hit = within(ref_y[cand], truth[block][q_of], tolerance)
            ties = np.bincount(q_of, weights=tie, minlength=len(r))
            with np.errstate(invalid="ignore", divide="ignore"):
                out[block] = np.bincount(q_of, weights=hit & tie, minlength=len(r)) / ties
        # a ball always holds the best candidate; should a defect leave one empty, the answer
        # comes from an exact search on Q rather than being wrong
        empty = np.flatnonzero(np.isnan(out))
        if len(empty):
            known = [c for c in self.columns if c not in dropped]
            out[empty] = self._exact_credit(known, rows[empty], ref_y, truth[empty], tolerance)
        return out

    def _dropped_bound(self, rows: np.ndarray, dropped: list[str]) -> np.ndarray:
        """Most the ``dropped`` columns can add between each query and any reference row:
        1 per categorical column (a mismatch); per numeric dimension the farther end of the
        reference rows' extent from the query's coordinate (squared for L2)."""
        bound = np.full(len(rows), float(sum(c in self.codes for c in dropped)))
        numeric = [c for c in dropped if c not in self.codes]
        if numeric:
            dims = self.encoder.dims_of(numeric)
            q = self.queries[rows][:, dims].astype(np.float64)
            far = np.maximum(np.maximum(q - self.ref_min[dims], self.ref_max[dims] - q), 0.0)
            bound += (far if self.metric == "l1" else far * far).sum(axis=1)
        return bound

    def _dropped_distance(self, queries: np.ndarray, cand: np.ndarray,
                          dropped: list[str]) -> np.ndarray:
        """Distance on the ``dropped`` columns between query row ``queries[i]`` and reference
        row ``cand[i]``, pair by pair."""
        out = np.zeros(len(cand), dtype=np.float64)
        numeric = [c for c in dropped if c not in self.codes]
        for c in dropped:
            if c in self.codes:
                ref_codes, qry_codes = self.codes[c]
                out += ref_codes[cand] != qry_codes[queries]
        if not numeric:
            return out
        dims = self.encoder.dims_of(numeric)
        step = max(1, 4_000_000 // len(dims))
        for a in range(0, len(cand), step):
            diff = (self.reference[np.ix_(cand[a:a + step], dims)]
                    - self.queries[np.ix_(queries[a:a + step], dims)])
            part = np.abs(diff) if self.metric == "l1" else diff * diff
            out[a:a + step] += part.sum(axis=1, dtype=np.float64)
        return out
