"""Distinct rows of a float array and each row's point: what a tie-aware index deduplicates.

Rows are grouped on a verified 64-bit row hash (fast at millions of rows), with the exact byte
sort as the fallback whenever two different rows share a hash; -0.0 and 0.0 are one point.
"""

from __future__ import annotations

import numpy as np


def unique_rows(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique rows of a 2-D array and the inverse mapping (row -> its point); -0.0 and 0.0 are
    one point (the points hold 0.0).

    The points come in an order fixed by their values (the order of their row hashes), not by
    the rows' positions. Rows are sorted on a 64-bit row hash (``_row_hashes``) and every row is
    then compared with the first row of its hash group, bit for bit; if any differs (a hash
    collision), the answer comes from an exact sort of the rows' bytes instead, so correctness
    never depends on the hash. Several times faster than the byte sort on wide rows.
    """
    a = np.ascontiguousarray(a)
    if a.shape[1] == 0:
        return a[:1], np.zeros(len(a), dtype=np.int64)
    h = _row_hashes(a)
    if h is not None:
        order = np.argsort(h, kind="stable")  # a radix sort: faster than the default
        hs = h[order]
        new = np.ones(len(a), dtype=bool)  # sorted position starts a group
        np.not_equal(hs[1:], hs[:-1], out=new[1:])
        group = np.cumsum(new) - 1
        first = order[new]
        later = np.flatnonzero(~new)  # sorted positions whose row must equal its group's first
        if _rows_equal(a, order[later], first[group[later]]):
            inverse = np.empty(len(a), dtype=np.int64)
            inverse[order] = group
            points = a[first]
            if a.dtype.kind == "f":
                points += 0  # -0.0 -> 0.0 (a fresh copy: no second one)
            return points, inverse
    points = a + np.zeros(1, dtype=a.dtype)  # a copy, -0.0 -> 0.0
    void = points.view(np.dtype((np.void, a.dtype.itemsize * a.shape[1]))).ravel()
    _, first, inverse = np.unique(void, return_index=True, return_inverse=True)
    return points[first], inverse.ravel().astype(np.int64)


#: 64-bit words of rows hashed (or rows compared) per block: a block's copies stay in cache and
#: no (n x d) 64-bit copy of the whole array is ever made
_BLOCK_WORDS = 1 << 16
_FMIX1 = np.uint64(0xFF51AFD7ED558CCD)
_FMIX2 = np.uint64(0xC4CEB9FE1A85EC53)


def _row_hashes(a: np.ndarray) -> np.ndarray | None:
    """A 64-bit hash of each row's bits (after -0.0 -> 0.0), or None for a type it does not
    cover. Each row is cut into 64-bit words (zero-padded); word j is keyed (xor with a constant
    of its position) and put through murmur3's 64-bit finaliser, a bijection with full
    avalanche, and the results are summed. A plain weighted sum of the words would collide on
    structured float bits (e.g. two sign bits flipped); this behaves like a sum of independent
    random functions of each word."""
    if a.dtype.kind not in "fiub" or a.dtype.itemsize > 8:
        return None
    n, d = a.shape
    words = -(-d * a.dtype.itemsize // 8)
    block = max(1, _BLOCK_WORDS // words)
    keys = np.arange(1, words + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    buf = np.zeros((block, words * 8 // a.dtype.itemsize), dtype=a.dtype)
    z = np.empty((block, words), dtype=np.uint64)
    tmp = np.empty_like(z)
    out = np.empty(n, dtype=np.uint64)
    for s in range(0, n, block):
        e = min(n, s + block)
        b = e - s
        if a.dtype.kind == "f":
            np.add(a[s:e], 0, out=buf[:b, :d])  # -0.0 -> 0.0
        else:
            buf[:b, :d] = a[s:e]
        zb, tb = z[:b], tmp[:b]
        np.bitwise_xor(buf[:b].view(np.uint64), keys, out=zb)
        for mult in (_FMIX1, _FMIX2, None):
            np.right_shift(zb, np.uint64(33), out=tb)
            np.bitwise_xor(zb, tb, out=zb)
            if mult is not None:
                np.multiply(zb, mult, out=zb)
        zb.sum(axis=1, out=out[s:e])  # wraps modulo 2**64
    return out


def _rows_equal(a: np.ndarray, rows: np.ndarray, others: np.ndarray) -> bool:
    """Is row ``rows[i]`` of ``a`` equal to row ``others[i]`` for every i, bit for bit after
    -0.0 -> 0.0? (In blocks: no copy of all the rows at once.)"""
    block = max(1, _BLOCK_WORDS * 8 // max(1, a.shape[1] * a.dtype.itemsize))
    bits = np.dtype(f"u{a.dtype.itemsize}")
    for s in range(0, len(rows), block):
        x, y = a[rows[s:s + block]], a[others[s:s + block]]
        if a.dtype.kind == "f":
            x += 0  # -0.0 -> 0.0
            y += 0
        if not np.array_equal(x.view(bits), y.view(bits)):
            return False
    return True
