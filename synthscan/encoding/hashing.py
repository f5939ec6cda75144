"""Canonical row hashing for exact-copy checks.

Rows are compared on canonical values: every column's code in the scan's one coding
(``encoding.coded``: pooled sorted levels shared by all inputs, so equal values have equal codes,
-0.0 equals 0.0 and missing equals missing). Each table's rows are sorted on a 64-bit hash and
grouped by *value*: rows next to each other with one hash are compared value by value, and only
when two different rows share a hash (astronomically rare, but possible) are that hash's rows
sorted by their values to split the group. Copies are a join of two tables' groups on the hash,
each joined pair compared on one row of each (and matched by value where several groups share a
hash). So a hash collision can neither create a false copy nor hide a true one, nor inflate a
count, and everything stays O(n log n). The groups are computed once per table and reused.
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


@dataclass(frozen=True)
class ValueGroups:
    """One table's rows grouped by value: group ``g`` holds ``size[g]`` equal rows, one of them
    ``rep[g]``. Groups are in hash order (``hash`` non-decreasing); several groups share a hash
    only when different rows collide (``shared`` says whether any do)."""

    hash: np.ndarray  # uint64 (g,)
    rep: np.ndarray  # int64 (g,): a row of the group
    size: np.ndarray  # int64 (g,)
    group_of_row: np.ndarray  # int64 (n,)
    shared: bool


@dataclass
class CanonicalTables:
    """Per-column canonical float64 arrays for each input table, over a chosen column set."""

    columns: list[str]
    tables: dict[str, list[np.ndarray]]
    _hashes: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _groups: dict[str, ValueGroups] = field(default_factory=dict, repr=False)

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

    def groups(self, role: str) -> ValueGroups:
        """One table's rows grouped by value, computed once (every copy check against this
        table as reference, and its duplicate counts, reuse them)."""
        if role not in self._groups:
            self._groups[role] = self._group(role)
        return self._groups[role]

    def _hash(self, role: str) -> np.ndarray:
        cols = self.tables[role]
        n = len(cols[0]) if cols else 0
        h = np.full(n, np.uint64(len(cols)), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for j, col in enumerate(cols):
                bits = col.view(np.uint64)
                h = _mix(h ^ _mix(bits + np.uint64(j)))
        return h

    def _group(self, role: str) -> ValueGroups:
        """Sort on the hash, compare each row with the previous one of the same hash, and split
        the (rare) hashes that hold different rows by sorting their rows on the values."""
        h = self.hashes(role)
        n = len(h)
        order = np.argsort(h, kind="stable")  # a radix sort: faster than the default
        hs = h[order]
        new = np.ones(n, dtype=bool)  # sorted position starts a group
        np.not_equal(hs[1:], hs[:-1], out=new[1:])
        same = np.flatnonzero(~new[1:]) + 1  # positions whose hash equals the previous one
        differ = same[~self.equal_rows(role, order[same - 1], role, order[same])]
        shared = len(differ) > 0
        if shared:  # different rows under one hash: order those hashes' rows by value
            pos = _positions_of(hs, np.unique(hs[differ]))
            rows = order[pos]
            order[pos] = rows[self.value_order([(role, rows)])]
            new[same] = ~self.equal_rows(role, order[same - 1], role, order[same])
        starts = np.flatnonzero(new)
        group_sorted = np.cumsum(new) - 1
        group_of_row = np.empty(n, dtype=np.int64)
        group_of_row[order] = group_sorted
        size = np.diff(np.append(starts, n)).astype(np.int64)
        return ValueGroups(hs[starts], order[starts].astype(np.int64), size, group_of_row, shared)

    def value_order(self, parts: Sequence[tuple[str, np.ndarray]]) -> np.ndarray:
        """The order sorting the concatenated rows ``parts`` (role, row numbers) by (hash,
        values): equal rows end up next to each other."""
        keys: list[np.ndarray] = []  # np.lexsort: the last key is the primary one
        for j in range(len(self.columns) - 1, -1, -1):
            keys.append(np.concatenate([self.tables[role][j].view(np.uint64)[rows]
                                        for role, rows in parts]))
        keys.append(np.concatenate([self.hashes(role)[rows] for role, rows in parts]))
        return np.lexsort(keys)

    def equal_rows(self, role_a: str, rows_a: np.ndarray, role_b: str,
                   rows_b: np.ndarray) -> np.ndarray:
        """Element-wise: is row rows_a[i] of table a equal to row rows_b[i] of table b?"""
        same = np.ones(len(rows_a), dtype=bool)
        for ca, cb in zip(self.tables[role_a], self.tables[role_b], strict=True):
            same &= ca.view(np.uint64)[rows_a] == cb.view(np.uint64)[rows_b]
        return same


def _positions_of(sorted_keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The positions in ``sorted_keys`` holding one of the (sorted, distinct) ``wanted`` keys."""
    lo = np.searchsorted(sorted_keys, wanted, side="left")
    hi = np.searchsorted(sorted_keys, wanted, side="right")
    counts = hi - lo
    first = np.repeat(lo - np.cumsum(counts) + counts, counts)
    return first + np.arange(int(counts.sum()))


@dataclass
class CopyMatches:
    """For each query row: does it equal some reference row, and how many reference rows."""

    matched: np.ndarray  # bool (n_query,)
    multiplicity: np.ndarray  # int64 (n_query,): number of equal reference rows (0 if none)


def find_copies(canon: CanonicalTables, query: str, reference: str) -> CopyMatches:
    """Exact matches of every ``query`` row among ``reference`` rows, with how many reference
    rows each equals: a join of the two tables' value groups (``CanonicalTables.groups``, both
    in hash order, so the lookup walks two sorted arrays), each pair of groups with one hash
    compared value by value on one row of each."""
    gq, gr = canon.groups(query), canon.groups(reference)
    per_group = np.zeros(len(gq.hash), dtype=np.int64)
    if len(gr.hash) and len(gq.hash):
        pos = np.searchsorted(gr.hash, gq.hash)  # the first reference group of that hash
        qg = np.flatnonzero(gr.hash[np.minimum(pos, len(gr.hash) - 1)] == gq.hash)
        rg = pos[qg]
        if gr.shared:  # a hash with several reference groups: match those by value instead
            several = np.flatnonzero(np.searchsorted(gr.hash, gq.hash[qg], side="right") - rg > 1)
            rg[several] = _match_by_value(canon, query, gq.rep[qg[several]], reference, gr)
            qg, rg = qg[rg >= 0], rg[rg >= 0]
        ok = canon.equal_rows(query, gq.rep[qg], reference, gr.rep[rg])
        per_group[qg[ok]] = gr.size[rg[ok]]
    mult = per_group[gq.group_of_row]
    return CopyMatches(mult > 0, mult)


def _match_by_value(canon: CanonicalTables, query: str, rows: np.ndarray, reference: str,
                    g: ValueGroups) -> np.ndarray:
    """For each ``query`` row of ``rows``: its equal group among the reference groups whose
    hash other groups share, or -1 (sorted together by (hash, values), O(m log m))."""
    multi = np.flatnonzero(np.r_[g.hash[1:] == g.hash[:-1], False]
                           | np.r_[False, g.hash[1:] == g.hash[:-1]])
    order = canon.value_order([(reference, g.rep[multi]), (query, rows)])
    n_ref = len(multi)
    is_ref = order < n_ref
    # rows sorted by (hash, values): a query row equal to a group's row follows it directly
    # (several equal query rows follow one another), so the last group row seen is the match
    last_ref = np.maximum.accumulate(np.where(is_ref, np.arange(len(order)), -1))
    out = np.full(len(rows), -1, dtype=np.int64)
    qpos = np.flatnonzero(~is_ref)
    cand = last_ref[qpos]
    has = cand >= 0
    gq = multi[order[cand[has]]]
    equal = canon.equal_rows(query, rows[order[qpos[has]] - n_ref], reference, g.rep[gq])
    idx = order[qpos[has]] - n_ref
    out[idx[equal]] = gq[equal]
    return out


def duplicate_counts(canon: CanonicalTables, roles: Sequence[str]) -> np.ndarray:
    """How many rows of the pooled ``roles`` (distinct table names) equal each of their rows,
    itself included, in the order of ``roles``: its own table's value group plus its equal rows
    in every other table (``find_copies``), so no pooled copy of the rows is made."""
    if len(set(roles)) != len(roles):
        raise ValueError(f"duplicate_counts: roles {list(roles)} must be distinct table names")
    out = []
    for r in roles:
        g = canon.groups(r)
        count = g.size[g.group_of_row]
        for o in roles:
            if o != r:
                count = count + find_copies(canon, r, o).multiplicity
        out.append(count)
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)
