"""Rank-coded tables: the attackable columns of each table as int32 ranks with range lookups.

The ranks are the scan's one coding (``ctx.coded``): each column's values pooled over every
table and ranked on sorted levels, equal values equal ranks, missing = -1. A predicate on values
is then a range check on ranks, identical on every table, whatever the column's name or type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ...encoding.coded import MISSING, CodedColumn

if TYPE_CHECKING:
    from ..context import ScanContext
    from .predicates import Predicates

__all__ = ["MISSING", "PAIR_BUDGET", "TOP", "CodedColumns", "CodedTable"]

#: upper end of an open range ("at least v")
TOP = np.iinfo(np.int32).max
#: (predicate, record) matches held at once while evaluating: arrays of half a megabyte, which
#: the allocator reuses from chunk to chunk (measured on Adult's attack: at 2^22 pairs, arrays
#: of 32 MB fresh from the kernel each time, 3.1 CPU-s of which 1.3 s in the kernel; at 2^16,
#: 1.75 CPU-s, the same answers)
PAIR_BUDGET = 1 << 16


@dataclass
class CodedColumns:
    """The distance columns of train, holdout and synthetic as rank arrays, with what the
    predicate rules need to know about each column."""

    names: list[str]
    numeric: np.ndarray  # (p,) bool
    ranks: dict[str, np.ndarray]  # table -> (p, n) int32
    #: numeric columns: largest rank whose value is <= the synthetic median (else -1)
    median_rank: np.ndarray

    @classmethod
    def from_context(cls, ctx: ScanContext) -> CodedColumns:
        """The scan's coding (``ctx.coded``) restricted to the attackable columns."""
        names = [s.name for s in ctx.schema.distance_columns]
        tables = [t for t in ("synthetic", "train", "holdout") if t in ctx.frames]
        columns = [ctx.coded[name] for name in names]
        return cls(names, np.array([c.numeric for c in columns], dtype=bool),
                   {t: ctx.coded.ranks(names, t) for t in tables},
                   np.array([_median_rank(c) for c in columns], dtype=np.int64))


def _median_rank(column: CodedColumn) -> int:
    """Largest rank whose value is at most the median of the column's synthetic values (-1 for a
    categorical column or one with no synthetic value)."""
    if not column.numeric:
        return MISSING
    codes = column.codes["synthetic"]
    values = column.levels[codes[codes >= 0]]
    if not len(values):
        return MISSING
    return int(np.searchsorted(column.levels, float(np.median(values)), side="right")) - 1


class CodedTable:
    """One table's coded columns with per-column sorted orders for range lookups."""

    def __init__(self, ranks: np.ndarray) -> None:
        self.ranks = np.ascontiguousarray(ranks)
        self.p, self.n = self.ranks.shape
        self.flat = self.ranks.ravel()
        self.order = np.argsort(self.ranks, axis=1, kind="stable").astype(np.int32)
        self.sorted = np.take_along_axis(self.ranks, self.order, axis=1)

    def ranges(self, col: np.ndarray, lo: np.ndarray, hi: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
        """Start and end positions, in each column's sorted order, of the records with
        lo <= rank <= hi (one range per term)."""
        start = np.zeros(len(col), dtype=np.int64)
        end = np.zeros(len(col), dtype=np.int64)
        for j in np.unique(col):
            sel = col == j
            start[sel] = np.searchsorted(self.sorted[j], lo[sel], side="left")
            end[sel] = np.searchsorted(self.sorted[j], hi[sel], side="right")
        return start, end

    def first_term_sizes(self, preds: Predicates) -> np.ndarray:
        """How many records of this table each predicate's first term matches (what
        ``matches`` reads candidates from)."""
        col, lo, hi = _first_real(preds)
        start, end = self.ranges(col[:, 0], lo[:, 0], hi[:, 0])
        return end - start

    def matches(self, preds: Predicates, limit: int | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
        """Every (predicate, record) pair where the record satisfies the predicate; with
        ``limit``, only among the first ``limit`` records its first term matches.

        The first term (the most selective on the synthetic data) is read off the sorted
        order; the other terms filter those candidates. Memory stays within PAIR_BUDGET pairs.
        """
        col, lo, hi = _first_real(preds)
        start, end = self.ranges(col[:, 0], lo[:, 0], hi[:, 0])
        if limit is not None:
            end = np.minimum(end, start + limit)
        length = end - start
        out_p: list[np.ndarray] = []
        out_r: list[np.ndarray] = []
        # runs of predicates (consecutive: the cumulative count only grows) of about
        # PAIR_BUDGET pairs, a predicate with more pairs on its own
        chunk_of = np.cumsum(length) // PAIR_BUDGET
        bounds = [0, *(np.flatnonzero(np.diff(chunk_of)) + 1).tolist(), len(col)]
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            sel = np.arange(a, b)
            lens = length[sel]
            total = int(lens.sum())
            if total == 0:
                continue
            pred = np.repeat(sel, lens)
            offs = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
            rows = self.order[col[pred, 0], start[pred] + offs].astype(np.int64)
            for t in range(1, col.shape[1]):
                c_t = col[pred, t]
                real = c_t >= 0
                if not real.all():  # pairs of predicates without a t-th term are complete
                    out_p.append(pred[~real])
                    out_r.append(rows[~real])
                    pred, rows, c_t = pred[real], rows[real], c_t[real]
                v = self.flat[c_t * self.n + rows]
                keep = (v >= lo[:, t][pred]) & (v <= hi[:, t][pred])
                pred, rows = pred[keep], rows[keep]
            out_p.append(pred)
            out_r.append(rows)
        if not out_p:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(out_p), np.concatenate(out_r)

    def counts(self, preds: Predicates) -> np.ndarray:
        """How many records of this table each predicate matches."""
        pred, _ = self.matches(preds)
        return np.bincount(pred, minlength=len(preds))


def _first_real(preds: Predicates) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The predicates' (col, lo, hi) with unused slots last (stable: the first term stays
    first)."""
    col, lo, hi = preds.col, preds.lo, preds.hi
    if col.shape[1] > 1:
        slot = np.argsort(col < 0, axis=1, kind="stable")
        col, lo, hi = (np.take_along_axis(a, slot, axis=1) for a in (col, lo, hi))
    return col, lo, hi
