"""Every record's distance to its nearest *other* record of the same set (leave one out).

Exact (a flat index, k = 2) for small sets. Above, the inverted file of ``neighbors.approx``
with each record as its own query, certified the same way as the searches between tables:

1. a seeded sample of the records is answered exactly (``exact_other``'s rule);
2. ``nprobe`` doubles from ``FIRST_NPROBE`` until the nearest-other distance is exact for
   ``approx.TARGET_RECALL`` of the sample's *close* records — the 5% with the smallest exact
   distance, where duplicates and copies sit (``approx.choose_nprobe``);
3. every record is searched at that ``nprobe``; a record whose probed cells hold no other
   record is searched exactly;
4. the records with the smallest approximate distances (``approx.to_refine``) are searched
   again exactly (but those at 0, which cannot be too large), and the sampled records keep
   their exact answers.

An approximate distance can only be too large (the search looks at a subset of the records);
the refined, sampled and fallback records are exact. Distances are raw engine distances.
"""

from __future__ import annotations

import numpy as np

from .approx import SAMPLE, TARGET_RECALL, Certificate, IVFIndex, choose_nprobe, to_refine
from .engine import NeighborEngine

#: cells probed first when certifying: a record's duplicates share its cell, so the close
#: records often need very few
FIRST_NPROBE = 2


def _other(d: np.ndarray, i: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The nearest other record of each of ``rows`` from its two nearest hits: the second hit
    when the first is the record itself; otherwise the first (a duplicate of the record sits at
    distance 0 ahead of it)."""
    return np.where(i[:, 0] == rows, d[:, 1], d[:, 0])


def exact_other(x: np.ndarray, metric: str, threads: int | None) -> np.ndarray:
    """(n,) exact engine distance of each row of ``x`` to its nearest other row."""
    eng = NeighborEngine(x, metric, threads)
    d, i = eng.kneighbors(x, 2)
    return _other(d, i, np.arange(len(x)))


def certified_other(x: np.ndarray, metric: str, threads: int | None, seed: int, *,
                    target: float = TARGET_RECALL, sample: int = SAMPLE, refine: bool = True
                    ) -> tuple[np.ndarray, Certificate]:
    """(distances, certificate): each row's distance to its nearest other row through a
    certified inverted file (see the module docstring); float32, never below the exact
    distance, exact for the closest answers (``refine``; without it only the sampled and
    fallback records are exact, and the certificate says ``refined=0``). Needs two rows."""
    xs = np.ascontiguousarray(x, dtype=np.float32)
    n = len(xs)
    index = IVFIndex(metric=metric, threads=threads, seed=seed).fit(xs)
    rng = np.random.default_rng(seed)
    probe = np.sort(rng.choice(n, min(sample, n), replace=False))
    exact = _other(*index.exact_knn(xs[probe], 2), probe)

    def nearest(nprobe: int) -> np.ndarray:
        d, i, _ = index.search(xs[probe], 2, nprobe)
        return _other(d, i, probe)

    figures = choose_nprobe(exact.astype(np.float64), nearest, index.nlist_, metric=metric,
                            target=target, first=FIRST_NPROBE)
    d, i, fallback = index.search(xs, 2, figures["nprobe"])  # short rows answered exactly
    other = _other(d, i, np.arange(n))
    chosen = to_refine(other, len(probe)) if refine else np.zeros(0, np.int64)
    # a sampled record is answered exactly already, one at distance 0 cannot be too large
    again = chosen[(other[chosen] > 0) & ~np.isin(chosen, probe)]
    other[probe] = exact
    if len(again):
        other[again] = _other(*index.exact_knn(xs[again], 2, upper=d[again, 1]), again)
    return other.astype(np.float32), Certificate(**figures, refined=len(chosen),
                                                 fallback=fallback)


def approximate_other(x: np.ndarray, metric: str, threads: int | None,
                      seed: int) -> np.ndarray:
    """``certified_other``'s distances alone."""
    return certified_other(x, metric, threads, seed)[0]
