"""Canonical row hashing for exact-copy checks.

Rows are compared on canonical values: every column's code in the scan's one coding
(``encoding.coded``: pooled sorted levels shared by all inputs, so equal values have equal codes,
-0.0 equals 0.0 and missing equals missing). A 64-bit hash finds
candidate matches in O(n log n); every candidate is then verified value by value, so a hash
collision can never create a false copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .coded import CodedTables

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, vectorised (uint64 arithmetic wraps by design)."""
    z = z + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@dataclass
class CanonicalTables:
    """Per-column canonical float64 arrays for each input table, over a chosen column set."""

    columns: list[str]
    tables: dict[str, list[np.ndarray]]
    _hashes: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @classmethod
    def from_coded(cls, coded: CodedTables, columns: Sequence[str]) -> CanonicalTables:
        """The canonical arrays of ``columns``: their codes, as float64 (hashed bit-wise)."""
        return cls(list(columns), {t: [np.ascontiguousarray(coded[c].codes[t], dtype=np.float64)
                                       for c in columns] for t in coded.tables})

    def hashes(self, role: str) -> np.ndarray:
        """64-bit row hashes of one table, computed once (several checks ask for them)."""
        if role not in self._hashes:
            self._hashes[role] = self._hash(role)
        return self._hashes[role]

    def _hash(self, role: str) -> np.ndarray:
        cols = self.tables[role]
        n = len(cols[0]) if cols else 0
        h = np.full(n, np.uint64(len(cols)), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for j, col in enumerate(cols):
                bits = col.view(np.uint64)
                h = _mix(h ^ _mix(bits + np.uint64(j)))
        return h

    def equal_rows(self, role_a: str, rows_a: np.ndarray, role_b: str,
                   rows_b: np.ndarray) -> np.ndarray:
        """Element-wise: is row rows_a[i] of table a equal to row rows_b[i] of table b?"""
        same = np.ones(len(rows_a), dtype=bool)
        for ca, cb in zip(self.tables[role_a], self.tables[role_b], strict=True):
            same &= ca.view(np.uint64)[rows_a] == cb.view(np.uint64)[rows_b]
        return same


@dataclass
class CopyMatches:
    """For each query row: does it equal some reference row, and how many reference rows."""

    matched: np.ndarray  # bool (n_query,)
    multiplicity: np.ndarray  # int64 (n_query,): number of equal reference rows (0 if none)


def find_copies(canon: CanonicalTables, query: str, reference: str) -> CopyMatches:
    """Exact matches of every ``query`` row among ``reference`` rows (hash, then verify)."""
    hq = canon.hashes(query)
    hr = canon.hashes(reference)
    order = np.argsort(hr, kind="stable")
    hr_sorted = hr[order]
    left = np.searchsorted(hr_sorted, hq, side="left")
    right = np.searchsorted(hr_sorted, hq, side="right")
    cand = right > left
    qi = np.nonzero(cand)[0]
    matched = np.zeros(len(hq), dtype=bool)
    mult = np.zeros(len(hq), dtype=np.int64)
    if len(qi):
        ri = order[left[qi]]
        ok = canon.equal_rows(query, qi, reference, ri)
        matched[qi[ok]] = True
        mult[qi[ok]] = (right - left)[qi[ok]]
    return CopyMatches(matched, mult)


def duplicate_counts(hashes: np.ndarray) -> np.ndarray:
    """How many rows (itself included) share each row's hash within one array."""
    _, inverse, counts = np.unique(hashes, return_inverse=True, return_counts=True)
    return counts[inverse.ravel()]
