"""The k nearest synthetic rows of each target on one column side, ties at the k-th kept whole.

Linkability searches the synthetic rows restricted to a subset of the columns (a "side"). On a
coarse side thousands of rows sit at the same distance, so "the k nearest" is only defined up
to a tie: the search returns every row strictly closer than the k-th row's distance and every
row tied at it, and how many of the tied rows a uniform draw would take. Rows are deduplicated
into distinct points with multiplicities, searched exactly with the project's engine (or with
the search an ``engine`` factory builds over the points, e.g. a certified inverted file).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .engine import NeighborEngine, Searcher, tie_tolerance
from .unique import unique_rows


@dataclass
class SideNeighbours:
    """The k nearest synthetic rows of each target on one column side, as distinct synthetic
    points: those strictly closer than the k-th row (all taken) and those tied at its distance
    (``need`` of their ``tie_rows`` rows are drawn at random)."""

    target: np.ndarray  # entry -> target
    point: np.ndarray  # entry -> distinct synthetic point
    tie: np.ndarray  # entry is in the boundary tie (else strictly inside)
    need: np.ndarray  # (n_targets,)
    tie_rows: np.ndarray  # (n_targets,)


#: a search's answer for some queries: (query ids, distances, point ids) of their neighbours
_Found = tuple[np.ndarray, np.ndarray, np.ndarray]


class SideIndex:
    """The synthetic rows restricted to one column side, deduplicated into distinct points with
    multiplicities (``mult``; ``point_of_row`` maps a row to its point)."""

    def __init__(self, synthetic: np.ndarray, metric: str, threads: int | None,
                 engine: Callable[[np.ndarray], Searcher] | None = None) -> None:
        points, self.point_of_row = unique_rows(np.ascontiguousarray(synthetic))
        self.mult = np.bincount(self.point_of_row, minlength=len(points)).astype(np.int64)
        self.n_points = len(points)
        self.metric = metric
        #: how the points are searched (exact, or a certificate), for a result's details
        self.described: dict[str, Any] = {"search": "exact"}
        self.engine: Searcher = (engine(points) if engine is not None
                                 else NeighborEngine(points, metric=metric, threads=threads))

    def search(self, queries: np.ndarray, ks: list[int]) -> dict[int, SideNeighbours]:
        """Per k, each query's nearest points up to and including every point tied at the
        k-th row's distance (searched wider until that tie is complete). Equal queries (common
        on a coarse side: on Adult's sides up to half the targets repeat another) are searched
        once: they have the same neighbours."""
        distinct, inverse = unique_rows(np.ascontiguousarray(queries))
        if len(distinct) < len(queries):
            once = self._search_each(distinct, ks)
            return {k: _per_query(found, inverse) for k, found in once.items()}
        return self._search_each(queries, ks)

    def _search_each(self, queries: np.ndarray, ks: list[int]) -> dict[int, SideNeighbours]:
        found = self._search(queries, max(ks))
        nq = len(queries)
        out = {}
        for k in ks:
            parts = [self._classify(q, d, i, k) for q, d, i in found]
            need = np.zeros(nq, np.int64)
            tie_rows = np.zeros(nq, np.int64)
            for (q, _, _), part in zip(found, parts, strict=True):
                need[q] = part[3]
                tie_rows[q] = part[4]
            out[k] = SideNeighbours(
                np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
                np.concatenate([p[2] for p in parts]), need, tie_rows)
        return out

    def _search(self, queries: np.ndarray, k_max: int) -> list[_Found]:
        """Neighbour lists long enough that at least ``k_max`` rows lie strictly before the
        last distance of each (or the whole table), widened fourfold until they are."""
        found: list[_Found] = []
        todo = np.arange(len(queries))
        kk = int(min(self.n_points, max(2 * k_max, 16)))
        while len(todo):
            d, i = self.engine.kneighbors(queries[todo], kk)
            d = d.astype(np.float64)
            last = d[:, -1]
            below = d < (last - tie_tolerance(last, self.metric))[:, None]
            done = (self.mult[i] * below).sum(axis=1) >= k_max
            if kk >= self.n_points:
                done[:] = True
            found.append((todo[done], d[done], i[done]))
            todo = todo[~done]
            kk = int(min(self.n_points, kk * 4))
        return found

    def _classify(self, q: np.ndarray, d: np.ndarray, i: np.ndarray, k: int
                  ) -> tuple[np.ndarray, ...]:
        """(target, point, tie) of every neighbour inside or tied at the k-th row's distance,
        and per query how many tied rows a draw takes (``need``) out of how many (``tie_rows``)."""
        m = self.mult[i]
        reached = np.cumsum(m, axis=1) >= k
        has = np.asarray(reached.any(axis=1))  # False only when the table has fewer than k rows
        j = np.argmax(reached, axis=1)
        dk = np.where(has, d[np.arange(len(d)), j], np.inf)
        tol = tie_tolerance(np.where(has, dk, 0.0), self.metric)
        tie = (np.abs(d - dk[:, None]) <= tol[:, None]) & has[:, None]
        inside = (d < (dk - tol)[:, None]) | ~has[:, None]
        need = np.where(has, k - (m * inside).sum(axis=1), 0)
        tie_rows = (m * tie).sum(axis=1)
        rr, cc = np.nonzero(tie | inside)
        return q[rr], i[rr, cc], tie[rr, cc], need, tie_rows


def _per_query(found: SideNeighbours, inverse: np.ndarray) -> SideNeighbours:
    """The neighbours of distinct queries handed to every query equal to one (``inverse``:
    query -> its distinct query), entries grouped by query."""
    order = np.argsort(found.target, kind="stable")
    per = np.bincount(found.target, minlength=len(found.need))
    start = np.cumsum(per) - per
    count = per[inverse]
    target = np.repeat(np.arange(len(inverse)), count)
    entry = order[np.repeat(start[inverse], count)
                  + np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)]
    return SideNeighbours(target, found.point[entry], found.tie[entry], found.need[inverse],
                          found.tie_rows[inverse])
