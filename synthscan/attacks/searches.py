"""Record-side neighbour searches shared by the checks, each computed once per scan.

* ``real_to_synthetic``: every real record (train, then holdout) against the synthetic rows, at
  the largest k any check reads (closeness reads k = 1, membership inference's kNN attacks
  k = 1, 5, 20). Exact.
* ``nearest_real`` / ``distance_to_train``: synthetic queries (``ScanContext.query_rows``)
  against train ∪ holdout, tie-aware (``TieIndex``), for the synthetic-side distance tests.
* ``nearest_other_real``: every real record's distance to its nearest *other* real record in
  train ∪ holdout (the scale of the relative closeness score). Exact below
  ``APPROX_MIN_ROWS`` real records or with ``exact_search``; above, a certified inverted file
  (``neighbors.other.certified_other``: nprobe chosen on a seeded sample checked exactly, the
  closest answers exact) whose certificate ``nearest_other_search`` describes. The
  approximation is safe for the statistics: the score is computed by the same rule for
  training and holdout records, so a test comparing the two stays calibrated; what it can cost
  is a little power, never a false alarm.

Distances are raw engine distances (L1 sums, or squared L2); ``ScanContext.encoder`` converts.
Inside ``reporting(report)`` each search announces itself (progress for long scans); what it
computes does not depend on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import numpy as np

from ..neighbors.approx import (
    Certificate,
    IVFIndex,
    certified_kneighbors,
    certified_tie_nearest,
    certify,
)
from ..neighbors.engine import NeighborEngine, Searcher, batch_progress
from ..neighbors.other import certified_other, exact_other
from ..neighbors.ties import TieIndex, TieResult
from .context import ScanContext

#: largest k any check reads from the real -> synthetic search
KNN_MAX = 20
#: below this many real records the nearest-other search is exact
APPROX_MIN_ROWS = 20_000
#: above this many query x reference pairs a search that can go approximate is a certified
#: inverted file (about 16,000 rows on each side; the validation grid's 10,000-row scans stay
#: exact, Adult's real <-> synthetic searches go approximate). Checked with the threshold at 0
#: over the 10,000-row grid: benchmarks/validation/approx_check.py
APPROX_MIN_PAIRS = 2.5e8

T = TypeVar("T")
#: what joins a search's label and how far it has got ("… — 40,000 of 125,000 queries, …")
DETAIL = " — "
#: where searches announce themselves, and the searches under way (a search may start another)
_REPORT: ContextVar[Callable[[str], None] | None] = ContextVar("search_report", default=None)
_RUNNING: ContextVar[tuple[str, ...]] = ContextVar("search_running", default=())


@contextmanager
def reporting(report: Callable[[str], None]) -> Iterator[None]:
    """Within the block, a search calls ``report`` with what it does when it starts, and with
    the search still under way ("" for none) when it ends."""
    token = _REPORT.set(report)
    try:
        yield
    finally:
        _REPORT.reset(token)


def _announced(label: str, compute: Callable[[], T]) -> T:
    """``compute()``, reported as ``label`` while it runs."""
    report = _REPORT.get()
    if report is None:
        return compute()
    outer = _RUNNING.get()
    token = _RUNNING.set((*outer, label))
    report(label)
    started = time.monotonic()

    def batches(done: int, total: int) -> None:
        left = (time.monotonic() - started) / done * (total - done)
        report(f"{label}{DETAIL}{done:,} of {total:,} queries, about {_duration(left)} left")

    try:
        with batch_progress(batches):
            return compute()
    finally:
        _RUNNING.reset(token)
        report(outer[-1] if outer else "")


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def real_rows(ctx: ScanContext) -> np.ndarray:
    """Encoded train rows followed by encoded holdout rows (one array, held once:
    ``ScanContext.real_encoded``)."""
    return ctx.real_encoded


def real_to_synthetic(ctx: ScanContext) -> tuple[np.ndarray, np.ndarray]:
    """(distances, synthetic row indices), each (n_train + n_holdout, k) with
    k = min(KNN_MAX, n_synthetic), sorted by distance. Exact unless the search exceeds
    ``APPROX_MIN_PAIRS`` pairs and ``exact_search`` is off: then a certified inverted file
    (``neighbors.approx``) whose certificate ``real_to_synthetic_search`` describes."""
    d, i, _ = _real_to_synthetic(ctx)
    return d, i


def _real_to_synthetic(ctx: ScanContext) -> tuple[np.ndarray, np.ndarray, Certificate | None]:
    def compute() -> tuple[np.ndarray, np.ndarray, Certificate | None]:
        x, syn = real_rows(ctx), ctx.encoded["synthetic"]
        if not _large(ctx, float(len(x)) * len(syn)):
            eng = NeighborEngine(syn, ctx.config.metric, ctx.config.threads)
            return (*eng.kneighbors(x, KNN_MAX), None)
        seed = int(ctx.rng("search:real->synthetic").integers(2**31 - 1))
        return certified_kneighbors(syn, x, KNN_MAX, metric=ctx.config.metric,
                                    threads=ctx.config.threads, seed=seed)
    return ctx.memo("knn:real->synthetic", lambda: _announced(
        "neighbour search: real records → synthetic rows", compute))


def described(cert: Certificate | None) -> dict[str, Any]:
    """How a search was done, for a result's details: exact, or its certificate."""
    return {"search": "exact"} if cert is None else cert.to_dict()


def summarized(searched: list[dict[str, Any]]) -> dict[str, Any]:
    """Several searches of one check described at once: exact, or the approximate ones'
    weakest figures (lowest recall and close recall, largest nprobe)."""
    approx = [h for h in searched if h.get("search") != "exact"]
    if not approx:
        return {"search": "exact", "searches": len(searched)}
    return {"search": approx[0]["search"], "searches": len(searched),
            "approximate": len(approx), "nprobe": max(h["nprobe"] for h in approx),
            "recall": min(h["recall"] for h in approx),
            "close_recall": min(h["close_recall"] for h in approx),
            "close_recall_lower": min(h["close_recall_lower"] for h in approx),
            "sample": min(h["sample"] for h in approx), "target": approx[0]["target"]}


def real_to_synthetic_search(ctx: ScanContext) -> dict[str, Any]:
    """How the real -> synthetic search was done (exact, or its certificate)."""
    return described(_real_to_synthetic(ctx)[2])


def nearest_other_real(ctx: ScanContext) -> np.ndarray:
    """(n_train + n_holdout,) engine distance of each real record to its nearest other real
    record (0 when it has an exact duplicate)."""
    return _nearest_other_real(ctx)[0]


def _nearest_other_real(ctx: ScanContext) -> tuple[np.ndarray, Certificate | None]:
    def compute() -> tuple[np.ndarray, Certificate | None]:
        x = real_rows(ctx)
        if len(x) < 2:
            return np.full(len(x), np.inf, dtype=np.float32), None
        if nearest_other_is_exact(ctx):
            return exact_other(x, ctx.config.metric, ctx.config.threads), None
        seed = int(ctx.rng("closeness:cells").integers(2**31 - 1))
        # no exact refinement: the score uses the same rule for training and holdout records,
        # so the test stays calibrated, and refining costs more exact pairs than it saves
        return certified_other(x, ctx.config.metric, ctx.config.threads, seed, refine=False)
    return ctx.memo("knn:real->real-other", lambda: _announced(
        "neighbour search: real records → other real records", compute))


def nearest_other_is_exact(ctx: ScanContext) -> bool:
    """Whether the nearest-other search is exact (few real records, or ``exact_search``)."""
    return (ctx.config.exact_search
            or ctx.n("train") + ctx.n("holdout") < APPROX_MIN_ROWS)


def nearest_other_search(ctx: ScanContext) -> dict[str, Any]:
    """How the nearest-other search was done (exact, or its certificate)."""
    return described(_nearest_other_real(ctx)[1])


# ------------------------------------------------------------- synthetic queries -> real


def _tie_index(ctx: ScanContext, key: str, rows: np.ndarray, labels: np.ndarray,
               n_labels: int, label: str) -> TieIndex:
    return ctx.memo(f"index:{key}", lambda: _announced(f"indexing {label}", lambda: TieIndex(
        rows, labels, n_labels, ctx.config.metric, ctx.config.threads)))


def _real_labels(ctx: ScanContext) -> tuple[np.ndarray, np.ndarray]:
    t, h = ctx.encoded["train"], ctx.encoded["holdout"]
    return real_rows(ctx), np.concatenate([np.zeros(len(t), np.int64),
                                           np.ones(len(h), np.int64)])


def _large(ctx: ScanContext, pairs: float) -> bool:
    return not ctx.config.exact_search and pairs >= APPROX_MIN_PAIRS


def real_index(ctx: ScanContext) -> TieIndex:
    """Train ∪ holdout, labelled 0 (train) and 1 (holdout); above the approximate size, the
    index the certified synthetic->real search used (same unique points and counts; its
    inverted file dropped after that search, any later search on it is exact)."""
    rows, labels = _real_labels(ctx)
    if _large(ctx, float(len(rows)) * len(ctx.query_rows)):
        return _synthetic_to_real(ctx)[0]
    return _tie_index(ctx, "real", rows, labels, 2, "real records")


def train_index(ctx: ScanContext) -> TieIndex:
    t = ctx.encoded["train"]
    return _tie_index(ctx, "train", t, np.zeros(len(t), np.int64), 1, "training records")


def synthetic_queries(ctx: ScanContext) -> np.ndarray:
    return ctx.encoded["synthetic"][ctx.query_rows]


def _synthetic_to_real(ctx: ScanContext) -> tuple[TieIndex, TieResult, Certificate | None]:
    def compute() -> tuple[TieIndex, TieResult, Certificate | None]:
        rows, labels = _real_labels(ctx)
        queries = synthetic_queries(ctx)
        if not _large(ctx, float(len(rows)) * len(queries)):
            index = real_index(ctx)
            return index, index.nearest(queries, per_label=(0,)), None
        seed = int(ctx.rng("search:synthetic->real").integers(2**31 - 1))
        return certified_tie_nearest(rows, labels, 2, queries, metric=ctx.config.metric,
                                     threads=ctx.config.threads, seed=seed, per_label=(0,))
    return ctx.memo("ties:synthetic->real", lambda: _announced(
        "neighbour search: synthetic rows → real records", compute))


def nearest_real(ctx: ScanContext) -> TieResult:
    """Synthetic queries against train ∪ holdout, with the distance to the nearest training
    record (``label_distance[:, 0]``). Certified approximate above ``APPROX_MIN_PAIRS``."""
    return _synthetic_to_real(ctx)[1]


def synthetic_to_real_search(ctx: ScanContext) -> dict[str, Any]:
    """How the synthetic -> real search was done (exact, or its certificate)."""
    return described(_synthetic_to_real(ctx)[2])


def distance_to_train(ctx: ScanContext) -> np.ndarray:
    """Engine distance of each synthetic query to its nearest training record."""
    if ctx.has_holdout:
        to_train = nearest_real(ctx).label_distance
        assert to_train is not None  # asked for with per_label=(0,)
        return to_train[:, 0]
    return ctx.memo("ties:synthetic->train", lambda: _announced(
        "neighbour search: synthetic rows → training records",
        lambda: train_index(ctx).nearest(synthetic_queries(ctx)))).distance


def holdout_distance_to_train(ctx: ScanContext, rows: np.ndarray
                              ) -> tuple[np.ndarray, Certificate | None]:
    """Engine distance of holdout records ``rows`` to their nearest training record, and the
    certificate when the search was large enough to go approximate."""
    queries, train = ctx.encoded["holdout"][rows], ctx.encoded["train"]

    def compute() -> tuple[np.ndarray, Certificate | None]:
        if not _large(ctx, float(len(queries)) * len(train)):
            return train_index(ctx).nearest(queries).distance, None
        seed = int(ctx.rng("search:holdout->train").integers(2**31 - 1))
        d, _, cert = certified_kneighbors(train, queries, 1, metric=ctx.config.metric,
                                          threads=ctx.config.threads, seed=seed)
        return d[:, 0].astype(np.float64), cert
    return _announced("neighbour search: holdout records → training records", compute)


def reference_knn(ctx: ScanContext, reference: np.ndarray, queries: np.ndarray, k: int,
                  stream: str) -> tuple[np.ndarray, dict[str, Any]]:
    """k nearest reference rows' distances of each query, for a score computed by the same rule
    for members and non-members (membership inference's reference side), through
    ``attack_engine``; and how the search was done."""
    search, how = attack_engine(ctx, reference, queries, stream)
    return search.kneighbors(queries, k)[0], how


#: queries an attack step's inverted file is certified on: its answers need no exactness for
#: the test to stay calibrated, the certificate reports the power at stake, and at a million
#: reference rows every sampled query costs a full exact pass
ATTACK_SAMPLE = 500


def attack_engine(ctx: ScanContext, reference: np.ndarray, queries: np.ndarray,
                  stream: str) -> tuple[Searcher, dict[str, Any]]:
    """The search an attack step uses to find the nearest ``reference`` rows of ``queries``
    (its training and holdout targets alike): the exact engine, or above ``APPROX_MIN_PAIRS``
    an inverted file whose ``nprobe`` is certified on a seeded sample of ``ATTACK_SAMPLE`` of
    these queries. The
    attack then is the same procedure for both kinds of target, so its comparison stays
    calibrated; a missed neighbour can only weaken it, by what the certificate's recall shows.
    Returns the search and how it is done."""
    metric, threads = ctx.config.metric, ctx.config.threads
    if not _large(ctx, float(len(queries)) * len(reference)):
        return NeighborEngine(reference, metric, threads), described(None)
    seed = int(ctx.rng(stream).integers(2**31 - 1))
    index = IVFIndex(metric=metric, threads=threads, seed=seed,
                     n_queries=len(queries)).fit(reference)
    figures = certify(index, queries, metric=metric, seed=seed, sample=ATTACK_SAMPLE)
    return index, {"search": "approximate (inverted file), nprobe certified", **figures}


def attack_engines(ctx: ScanContext, queries: np.ndarray, stream: str,
                   searched: list[dict[str, Any]]) -> Callable[[np.ndarray], Searcher]:
    """An ``engine`` factory for an index that deduplicates its reference first (``TieIndex``,
    ``SideIndex``): ``attack_engine`` over the points it is given, for these ``queries``; how
    each search is done is appended to ``searched``."""
    def engine(points: np.ndarray) -> Searcher:
        search, how = attack_engine(ctx, points, queries, stream)
        searched.append(how)
        return search
    return engine


def sampling_details(ctx: ScanContext) -> dict[str, object]:
    """How the synthetic queries were chosen (for a result's details)."""
    return {"query_rows": int(len(ctx.query_rows)), "synthetic_rows": ctx.n("synthetic"),
            "queries_sampled": ctx.queries_sampled,
            "reference": "all real records (never subsampled)"}
