"""Mergeable partial statistics of the encoder's inputs, and exact quantiles by selection.

A cluster fits the encoder from statistics computed on every partition and merged (counts,
missing flags, extremes, level sets), never from the pooled values. The robust range needs
``np.quantile(values, [0.01, 0.99])``, which reads four order statistics of the pooled present
values; each is found exactly by a radix selection on a monotone 64-bit key of the float64
values: every round, every partition returns a sparse histogram of the next 16 key bits among
the values that share the already-decided prefix (at most 65 536 counts per wanted order
statistic), or, once the bucket holding the order statistic is small (``gather_max``), the
bucket's values themselves. At most four rounds, usually two, whatever the data.

Nothing here imports dask: the functions run on pandas partitions (on workers) and on the
client, and ``dask_backend.encode`` wires them together. The quantile arithmetic mirrors
numpy's "linear" method operation by operation, so the result is bit-identical to
``np.quantile`` on the pooled values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..encoding.encoder import QUANTILES

_SIGN = np.uint64(1 << 63)
#: bits of the key decided per selection round
DIGIT_BITS = 16
_DIGIT_MASK = np.uint64((1 << DIGIT_BITS) - 1)
#: a bucket of at most this many values is gathered instead of refined further
GATHER_MAX = 1 << 16

#: one selection request: (column, key prefix, bits below the prefix, gather the bucket?)
Probe = tuple[str, int, int, bool]
#: a sparse histogram (sorted digits, counts) or, for a gathering probe, the sorted keys
ProbeResult = tuple[np.ndarray, np.ndarray] | np.ndarray


def order_keys(values: np.ndarray) -> np.ndarray:
    """uint64 keys with the order of the float64 ``values`` (no NaN): negative values have
    every bit flipped, the others only their sign bit."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)
    return np.where(bits & _SIGN, ~bits, bits | _SIGN)


def key_value(key: int) -> float:
    """The float64 whose ``order_keys`` is ``key``."""
    k = np.uint64(key)
    bits = k ^ _SIGN if k & _SIGN else ~k
    return float(np.array([bits], dtype=np.uint64).view(np.float64)[0])


@dataclass
class Partial:
    """Statistics of one piece of the inputs; ``merge_partials`` combines pieces in any order
    and grouping to the statistics of their union."""

    #: distance column -> a missing value seen (real tables and the others)
    missing: dict[str, bool] = field(default_factory=dict)
    #: numeric column -> present real values, their min and max
    n: dict[str, int] = field(default_factory=dict)
    vmin: dict[str, float] = field(default_factory=dict)
    vmax: dict[str, float] = field(default_factory=dict)
    #: categorical column -> the present real values, as text
    levels: dict[str, set[str]] = field(default_factory=dict)
    #: numeric column -> sparse histogram of the top 16 key bits (the first selection round)
    hist: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def present_values(part: pd.DataFrame, name: str) -> np.ndarray:
    """A numeric column's present values as float64 (what the encoder pools)."""
    v = part[name].to_numpy(dtype="float64")
    return v[~np.isnan(v)]


def partial_stats(part: pd.DataFrame, numeric: Sequence[str], categorical: Sequence[str],
                  real: bool) -> Partial:
    """One partition's statistics. A partition of the ``others`` (``real=False``) only tells
    whether a column has missing values."""
    out = Partial()
    for name in (*numeric, *categorical):
        out.missing[name] = bool(part[name].isna().any())
    if not real:
        return out
    for name in numeric:
        v = present_values(part, name)
        out.n[name] = len(v)
        if len(v):
            out.vmin[name], out.vmax[name] = float(v.min()), float(v.max())
        out.hist[name] = _histogram(order_keys(v), 64)
    for name in categorical:
        out.levels[name] = {str(x) for x in part[name].dropna().unique()}
    return out


def merge_partials(*parts: Partial) -> Partial:
    """The statistics of the union of the pieces."""
    out = Partial()
    for p in parts:
        for name, miss in p.missing.items():
            out.missing[name] = out.missing.get(name, False) or miss
        for name, n in p.n.items():
            out.n[name] = out.n.get(name, 0) + n
        for name, lo in p.vmin.items():
            out.vmin[name] = min(out.vmin.get(name, lo), lo)
        for name, hi in p.vmax.items():
            out.vmax[name] = max(out.vmax.get(name, hi), hi)
        for name, lv in p.levels.items():
            out.levels.setdefault(name, set()).update(lv)
    for name in {k for p in parts for k in p.hist}:
        out.hist[name] = _merge_hists([p.hist[name] for p in parts if name in p.hist])
    return out


def _histogram(keys: np.ndarray, shift: int) -> tuple[np.ndarray, np.ndarray]:
    """Sparse counts of the 16 key bits just below ``shift`` (the bits above already fixed)."""
    digits = ((keys >> np.uint64(shift - DIGIT_BITS)) & _DIGIT_MASK).astype(np.intp)
    counts = np.bincount(digits, minlength=1 << DIGIT_BITS)
    d = np.flatnonzero(counts)
    return d.astype(np.uint64), counts[d].astype(np.int64)


def _merge_hists(hists: Iterable[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    hs = list(hists)
    digits = np.concatenate([h[0] for h in hs]) if hs else np.zeros(0, np.uint64)
    counts = np.concatenate([h[1] for h in hs]) if hs else np.zeros(0, np.int64)
    u, inv = np.unique(digits, return_inverse=True)
    total = np.zeros(len(u), dtype=np.int64)
    np.add.at(total, inv.ravel(), counts)
    return u.astype(np.uint64), total


def probe_partition(part: pd.DataFrame, probes: Sequence[Probe]) -> list[ProbeResult]:
    """One partition's answer to each probe: the histogram of the next key digit among the
    present values whose key starts with the prefix, or those keys themselves, sorted."""
    keys: dict[str, np.ndarray] = {}
    out: list[ProbeResult] = []
    for name, prefix, shift, gather in probes:
        if name not in keys:
            keys[name] = order_keys(present_values(part, name))
        k = keys[name]
        if shift < 64:
            k = k[(k >> np.uint64(shift)) == np.uint64(prefix)]
        out.append(np.sort(k) if gather else _histogram(k, shift))
    return out


def merge_probes(*results: list[ProbeResult]) -> list[ProbeResult]:
    """Probe answers of several partitions, combined probe by probe."""
    merged: list[ProbeResult] = []
    for answers in zip(*results, strict=True):
        if isinstance(answers[0], tuple):
            merged.append(_merge_hists(a for a in answers if isinstance(a, tuple)))
        else:
            merged.append(np.sort(np.concatenate([a for a in answers
                                                  if isinstance(a, np.ndarray)])))
    return merged


@dataclass
class _Target:
    name: str
    rank: int  # wanted order statistic (0-based) of the column's present values
    prefix: int = 0
    shift: int = 64
    rem: int = -1  # its rank among the values with this prefix
    value: float | None = None


def select(ranks: dict[str, list[int]], top: dict[str, tuple[np.ndarray, np.ndarray]],
           run_round: Callable[[list[Probe]], list[ProbeResult]],
           gather_max: int = GATHER_MAX) -> dict[tuple[str, int], float]:
    """Exact order statistics ``(column, rank) -> value`` of the pooled present values.

    ``top`` is each column's merged first-round histogram (from ``partial_stats``);
    ``run_round`` answers a list of probes over all partitions, merged (``merge_probes``)."""
    targets = [_Target(name, r, rem=r) for name, rs in ranks.items() for r in sorted(set(rs))]
    answers: dict[Probe, ProbeResult] = {(name, 0, 64, False): h for name, h in top.items()}
    while True:
        pending: list[Probe] = []
        for t in targets:
            if t.value is not None:
                continue
            probe = (t.name, t.prefix, t.shift, False)
            gathered = (t.name, t.prefix, t.shift, True)
            if gathered in answers:
                keys = answers[gathered]
                assert isinstance(keys, np.ndarray)
                t.value = key_value(int(keys[t.rem]))
                continue
            hist = answers.get(probe)
            if hist is None:
                raise AssertionError(f"selection lost its probe for column {t.name!r}")
            assert isinstance(hist, tuple)
            digits, counts = hist
            cum = np.cumsum(counts)
            i = int(np.searchsorted(cum, t.rem, side="right"))
            t.rem -= int(cum[i] - counts[i])
            t.prefix = (t.prefix << DIGIT_BITS) | int(digits[i])
            t.shift -= DIGIT_BITS
            if t.shift == 0:
                t.value = key_value(t.prefix)
                continue
            nxt = (t.name, t.prefix, t.shift, int(counts[i]) <= gather_max)
            if nxt not in pending:
                pending.append(nxt)
        if not pending:
            return {(t.name, t.rank): t.value for t in targets if t.value is not None}
        answers.update(zip(pending, run_round(pending), strict=True))


def quantile_ranks(n: int) -> list[int]:
    """The order statistics ``np.quantile`` reads for the encoder's quantiles of n values."""
    prev, nxt, _ = _indexes(n)
    return sorted({int(i) % n for i in (*prev, *nxt)})


def _indexes(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    q = np.asarray(QUANTILES, dtype=np.float64)
    virtual = np.asanyarray((n - 1) * q)
    prev = np.floor(virtual)
    nxt = prev + 1
    above = virtual >= n - 1
    prev[above] = -1
    nxt[above] = -1
    below = virtual < 0
    prev[below] = 0
    nxt[below] = 0
    return prev.astype(np.intp), nxt.astype(np.intp), virtual


def linear_quantiles(n: int, order_stat: Callable[[int], float]) -> tuple[float, float]:
    """``np.quantile(values, QUANTILES)`` (method "linear") of n values from their order
    statistics, with numpy's own arithmetic: index ``-1`` is the last value, the weight is the
    virtual index minus the lower index, and the interpolation is taken from the upper end
    when the weight is at least one half."""
    prev, nxt, virtual = _indexes(n)
    a = np.array([order_stat(int(i) % n) for i in prev], dtype=np.float64)
    b = np.array([order_stat(int(i) % n) for i in nxt], dtype=np.float64)
    gamma = np.asanyarray(virtual - prev, dtype=virtual.dtype)
    with np.errstate(invalid="ignore"):  # inf - inf: numpy's nan, without the warning
        diff = b - a
        res = np.add(a, diff * gamma)
        np.subtract(b, diff * (1 - gamma), out=res, where=gamma >= 0.5, casting="unsafe",
                    dtype=res.dtype)
    return float(res[0]), float(res[1])
