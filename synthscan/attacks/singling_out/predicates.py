"""The predicate algebra: conjunctions of range terms on rank-coded columns.

A term ``lo <= rank(column) <= hi`` says equality (lo = hi = v), "at least v" (v, TOP), "at most
v" (0, v: a missing value never matches) or "is missing" (-1, -1). A predicate is up to W terms
on distinct columns; unused slots have column -1. Kept as three (P, W) arrays so that a whole
batch of predicates is built, compared and evaluated at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .tables import MISSING, TOP, CodedColumns, CodedTable


@dataclass
class Predicates:
    """Conjunctions of range terms ``lo <= rank(column) <= hi``; unused term slots have
    col = -1."""

    col: np.ndarray  # (P, W) int64
    lo: np.ndarray  # (P, W) int32
    hi: np.ndarray  # (P, W) int32

    def __len__(self) -> int:
        return len(self.col)

    @classmethod
    def empty(cls, width: int = 1) -> Predicates:
        return cls(np.zeros((0, width), np.int64), np.zeros((0, width), np.int32),
                   np.zeros((0, width), np.int32))

    def take(self, idx: np.ndarray) -> Predicates:
        return Predicates(self.col[idx], self.lo[idx], self.hi[idx])

    def widen(self, width: int) -> Predicates:
        """The same predicates with ``width`` term slots (unused ones appended)."""
        pad = width - self.col.shape[1]
        if pad <= 0:
            return self
        n = len(self)
        return Predicates(np.hstack([self.col, np.full((n, pad), -1, np.int64)]),
                          np.hstack([self.lo, np.zeros((n, pad), np.int32)]),
                          np.hstack([self.hi, np.zeros((n, pad), np.int32)]))

    def keys(self) -> list[bytes]:
        """Canonical identity of each predicate (terms sorted by column)."""
        if len(self) == 0:
            return []
        big = np.iinfo(np.int64).max
        order = np.argsort(np.where(self.col >= 0, self.col, big), axis=1, kind="stable")
        c = np.take_along_axis(self.col, order, axis=1)
        lo = np.take_along_axis(self.lo, order, axis=1).astype(np.int64)
        hi = np.take_along_axis(self.hi, order, axis=1).astype(np.int64)
        stacked = np.ascontiguousarray(np.stack([c, lo, hi], axis=2).reshape(len(self), -1))
        return [row.tobytes() for row in stacked]

    def ordered_by(self, table: CodedTable) -> Predicates:
        """Terms sorted by how many records of ``table`` each matches (fewest first), so the
        first term prunes most; unused slots last."""
        n, w = self.col.shape
        size = np.full((n, w), np.iinfo(np.int64).max, dtype=np.int64)
        real = self.col >= 0
        if real.any():
            s, e = table.ranges(self.col[real], self.lo[real], self.hi[real])
            size[real] = e - s
        order = np.argsort(size, axis=1, kind="stable")
        return Predicates(np.take_along_axis(self.col, order, axis=1),
                          np.take_along_axis(self.lo, order, axis=1),
                          np.take_along_axis(self.hi, order, axis=1))


def concat(parts: list[Predicates]) -> Predicates:
    """One batch of the predicates of ``parts``, in order (widened to the widest)."""
    width = max([p.col.shape[1] for p in parts] + [1])
    parts = [p.widen(width) for p in parts]
    return Predicates(np.vstack([p.col for p in parts]), np.vstack([p.lo for p in parts]),
                      np.vstack([p.hi for p in parts]))


def terms_for_values(coded: CodedColumns, col: np.ndarray, val: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) of the terms describing value ranks ``val`` of columns ``col``: categorical
    equality; numeric 'at least v' above the synthetic median, else 'at most v'; a missing
    value gives 'is missing'. Unused slots (col = -1) get (0, 0)."""
    used = col >= 0
    c = np.where(used, col, 0)
    num = coded.numeric[c] & used
    above = val > coded.median_rank[c]
    lo = np.where(num & ~above, 0, val)
    hi = np.where(num & above, TOP, val)
    miss = used & (val == MISSING)
    lo = np.where(miss, MISSING, np.where(used, lo, 0))
    hi = np.where(miss, MISSING, np.where(used, hi, 0))
    return lo.astype(np.int32), hi.astype(np.int32)


def same_shapes(like: Predicates, val: np.ndarray) -> Predicates:
    """Predicates with the columns and kinds of term of ``like`` but value ranks ``val``
    (a missing value gives 'is missing')."""
    used = like.col >= 0
    kind_eq = like.lo == like.hi
    kind_ge = like.hi == TOP
    lo = np.where(kind_eq, val, np.where(kind_ge, val, 0))
    hi = np.where(kind_eq, val, np.where(kind_ge, TOP, val))
    miss = val == MISSING
    lo = np.where(miss, MISSING, lo)
    hi = np.where(miss, MISSING, hi)
    lo = np.where(used, lo, 0).astype(np.int32)
    hi = np.where(used, hi, 0).astype(np.int32)
    return Predicates(like.col.copy(), lo, hi)
