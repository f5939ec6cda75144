"""Ranks with ties averaged, and the tie correction of rank tests: numpy only (scipy.stats
costs about 0.6 s to import, which a scan need not pay for these few lines)."""

from __future__ import annotations

import numpy as np


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n of ``values``; tied values share the mean of the ranks they span
    (``scipy.stats.rankdata``'s default). No NaN expected."""
    x = np.asarray(values).ravel()
    n = len(x)
    if n == 0:
        return np.zeros(0)
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(xs[1:], xs[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], n)  # ranks starts+1 .. ends
    out = np.empty(n)
    out[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    return out


def tie_term(values: np.ndarray) -> float:
    """``sum(t^3 - t)`` over the groups of ``t`` equal values (the ties' share of a rank
    statistic's variance)."""
    _, t = np.unique(np.asarray(values), return_counts=True)
    t = t.astype(np.float64)
    return float((t**3 - t).sum())
