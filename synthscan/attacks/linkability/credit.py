"""Link credit: the exact probability that a target's two neighbour sets share a synthetic row.

A target's k nearest synthetic rows on side A and on side B are drawn uniformly at random among
the rows tied at the k-th distance, independently on the two sides. The credit is the
probability that the two sets share a row: a closed form in hypergeometric terms, computed for
every target at once from how many synthetic rows its two sets have in common, by class.
"""

from __future__ import annotations

import numpy as np

from ...neighbors.sides import SideNeighbours

#: (target, synthetic pair) expansions held at once while intersecting neighbour sets
EXPANSION_BUDGET = 1 << 22


def log_comb(n: np.ndarray | int, k: np.ndarray | int) -> np.ndarray:
    """log C(n, k) elementwise; -inf where k < 0 or k > n."""
    from scipy.special import gammaln

    n = np.asarray(n, np.int64)
    k = np.asarray(k, np.int64)
    ok = (k >= 0) & (k <= n) & (n >= 0)
    nn, kk = np.where(ok, n, 0), np.where(ok, k, 0)
    return np.where(ok, gammaln(nn + 1.0) - gammaln(kk + 1.0) - gammaln(nn - kk + 1.0), -np.inf)


class _Csr:
    """Rows of the synthetic (point on one side, point on the other side) table, grouped by
    the first side's point."""

    def __init__(self, first: np.ndarray, second: np.ndarray, cnt: np.ndarray) -> None:
        order = np.argsort(first, kind="stable")
        self.second = second[order]
        self.cnt = cnt[order]
        n = int(first.max()) + 1 if len(first) else 0
        self.ptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(first, minlength=n), out=self.ptr[1:])

    def degree(self, p: np.ndarray) -> np.ndarray:
        return (self.ptr[p + 1] - self.ptr[p]).astype(np.float64)


def overlap_counts(a: SideNeighbours, b: SideNeighbours, point_a: np.ndarray,
                   point_b: np.ndarray, n_targets: int) -> np.ndarray:
    """(n_targets, 2, 2) numbers of synthetic rows in both neighbour sets, by class on side A
    (0 inside, 1 tie) and side B. Each target expands whichever side is cheaper through the
    table of (A point, B point) pairs of the synthetic rows."""
    n_b = int(point_b.max()) + 1 if len(point_b) else 1
    keys, cnt = np.unique(point_a * n_b + point_b, return_counts=True)
    pair_a, pair_b = keys // n_b, keys % n_b
    out = np.zeros((n_targets, 2, 2), dtype=np.int64)
    by_a = _Csr(pair_a, pair_b, cnt)
    by_b = _Csr(pair_b, pair_a, cnt)
    cost_a = np.bincount(a.target, weights=by_a.degree(a.point), minlength=n_targets)
    cost_b = np.bincount(b.target, weights=by_b.degree(b.point), minlength=n_targets)
    use_a = cost_a <= cost_b
    for src, dst, csr, mine, swap in ((a, b, by_a, use_a, False), (b, a, by_b, ~use_a, True)):
        sel = mine[src.target]
        _expand(src.target[sel], src.point[sel], src.tie[sel], dst, csr, n_targets, out, swap)
    return out


def _expand(target: np.ndarray, point: np.ndarray, tie: np.ndarray, dst: SideNeighbours,
            csr: _Csr, n_targets: int, out: np.ndarray, swap: bool) -> None:
    """Add to ``out`` the rows shared by each target's source-side entries (expanded through
    ``csr``) and its entries in ``dst``, in budget-sized chunks."""
    if not len(target):
        return
    n_other = int(max(csr.second.max(initial=0), dst.point.max(initial=0))) + 1
    dst_key = dst.target * n_other + dst.point
    order = np.argsort(dst_key, kind="stable")
    dst_key, dst_tie = dst_key[order], dst.tie[order]
    deg = (csr.ptr[point + 1] - csr.ptr[point]).astype(np.int64)
    chunk_of = np.cumsum(deg) // EXPANSION_BUDGET
    for c in np.unique(chunk_of):
        sel = np.flatnonzero(chunk_of == c)
        lens = deg[sel]
        total = int(lens.sum())
        if total == 0:
            continue
        rep = np.repeat(sel, lens)
        pos = np.repeat(csr.ptr[point[sel]], lens) + (
            np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens))
        key = target[rep] * n_other + csr.second[pos]
        at = np.searchsorted(dst_key, key)
        hit = at < len(dst_key)
        hit[hit] = dst_key[at[hit]] == key[hit]
        t = target[rep[hit]]
        c_src = tie[rep[hit]].astype(np.int64)
        c_dst = dst_tie[at[hit]].astype(np.int64)
        c_a, c_b = (c_dst, c_src) if swap else (c_src, c_dst)
        flat = np.bincount(t * 4 + c_a * 2 + c_b, weights=csr.cnt[pos[hit]],
                           minlength=4 * n_targets)
        out += np.rint(flat).astype(np.int64).reshape(n_targets, 2, 2)


def link_credit(a: SideNeighbours, b: SideNeighbours, overlap: np.ndarray) -> np.ndarray:
    """Probability that a target's k nearest synthetic rows on A and on B share a row, ties at
    the k-th distance broken uniformly at random and independently on each side.

    With I_A, I_B the rows strictly inside, T_A, T_B the boundary ties (a of |T_A| and b of
    |T_B| rows drawn): certain if I_A and I_B share a row; otherwise
    1 - P(draw on A avoids I_B) P(draw on B avoids I_A) P(the draws avoid each other), the last
    a hypergeometric sum over how many rows of T_A ∩ T_B the A draw takes.
    """
    c_ii, c1, c2, c3 = overlap[:, 0, 0], overlap[:, 1, 0], overlap[:, 0, 1], overlap[:, 1, 1]
    na, am, nb, bm = a.need, a.tie_rows, b.need, b.tie_rows
    n_a, n_b = am - c1, bm - c2  # tie rows the draws may take once they avoid I_B / I_A
    base_a = log_comb(n_a, na)
    base_b = log_comb(n_b, nb)
    p_a = np.exp(base_a - log_comb(am, na))
    p_b = np.exp(base_b - log_comb(bm, nb))
    feasible = (n_a >= na) & (n_b >= nb)
    q = np.zeros(len(na))
    j_max = int(np.minimum(na, c3).max(initial=0))
    with np.errstate(invalid="ignore"):
        for j in range(j_max + 1):
            term = (log_comb(c3, j) + log_comb(n_a - c3, na - j) - base_a
                    + log_comb(n_b - j, nb) - base_b)
            q += np.exp(np.where(feasible, term, -np.inf))
    credit = 1.0 - p_a * p_b * q
    credit = np.where(c_ii > 0, 1.0, credit)
    return np.clip(credit, 0.0, 1.0)


def random_link_rate(n_synthetic: int, k: int) -> float:
    """Chance that two independent uniform draws of k synthetic rows share one (the random
    guessing baseline: the attack must beat it to be informative)."""
    if 2 * k > n_synthetic:
        return 1.0
    return float(1.0 - np.exp(log_comb(n_synthetic - k, k) - log_comb(n_synthetic, k)))
