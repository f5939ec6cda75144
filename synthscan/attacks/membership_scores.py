"""The membership attacks' scores (larger = "member"), each target scored from the synthetic
data and its fold's reference only (see ``membership`` for the cross-fitted design).

* ``classifier`` — density ratio: gradient boosting separates synthetic rows from reference
  rows; the log-odds plus ``log(n_reference / n_synthetic)`` estimate ``log p_S(x) / p_R(x)``;
* ``distance`` — calibrated distance ``d1(x, reference) - d1(x, synthetic)``;
* ``knn1``, ``knn5``, ``knn20`` — kNN density ratio ``log r_k(x, reference) -
  log r_k(x, synthetic)`` (the size correction is the same for every target and left out).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..data.schema import ColumnSpec
from ..encoding.coded import CodedTables
from ..neighbors.engine import NeighborEngine
from .context import ScanContext, subset
from .searches import real_to_synthetic, reference_knn

KNN_KS = (1, 5, 20)
#: distances below this (``encoder.to_units``) count as equal in the log kNN scores
LOG_FLOOR = 1e-3
#: isolation = mean distance to this many nearest real records
ISOLATION_K = 5
#: categorical columns with at most this many levels are native categories of the classifier
MAX_NATIVE_LEVELS = 250
#: below this many training rows boosting runs on one thread: the gain from more is small, and
#: OpenMP threads that wait on busy cores slow a fit down many times over
SINGLE_THREAD_ROWS = 50_000
ATTACKS = ("classifier", "distance", *(f"knn{k}" for k in KNN_KS))


@dataclass
class Targets:
    """The cross-fitted design: which records are targets, their membership and fold."""

    table: np.ndarray  # "train" or "holdout" per target
    row: np.ndarray  # row index in its table
    member: np.ndarray  # bool
    fold: np.ndarray  # fold of the target
    reference: list[np.ndarray]  # per fold: holdout rows the attacker uses as the population
    half: np.ndarray  # 0 = selection half, 1 = evaluation half


@dataclass(frozen=True)
class Classifier:
    """The density-ratio classifier's settings (the check's knobs)."""

    max_rows: int  # synthetic rows, and reference rows, it trains on at most (seeded samples)
    rounds: int
    rate: float
    leaves: int
    min_leaf: int


def classifier_features(frames: dict[str, pd.DataFrame], coded: CodedTables,
                        columns: Sequence[ColumnSpec], tables: tuple[str, ...]
                        ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Native features for gradient boosting: numeric columns as they are (missing = NaN),
    categoricals as ranks of the shared coding by frequency over ``tables`` (ties by level;
    missing = NaN), flagged categorical when they have at most ``MAX_NATIVE_LEVELS`` levels
    (larger vocabularies stay frequency ranks)."""
    out = {t: np.empty((len(frames[t]), len(columns)), dtype=np.float64) for t in tables}
    is_cat = np.zeros(len(columns), dtype=bool)
    for j, col in enumerate(columns):
        if col.is_numeric:
            for t in tables:
                out[t][:, j] = frames[t][col.name].to_numpy(dtype="float64")
            continue
        cc = coded[col.name]
        is_cat[j] = cc.n_levels <= MAX_NATIVE_LEVELS
        for t in tables:
            codes = cc.frequency_codes(t, tables).astype(np.float64)
            codes[codes < 0] = np.nan
            out[t][:, j] = codes
    return out, is_cat


@dataclass(frozen=True)
class FoldFit:
    """A boosting fit on ``x``, ``y`` scoring ``targets`` (plus ``offset``), a
    ``background.Job``: one fold of the density-ratio classifier (synthetic rows, label 1,
    against the fold's reference rows, label 0), or holdout validity's classifier."""

    x: np.ndarray
    y: np.ndarray
    categorical: np.ndarray
    targets: np.ndarray
    offset: float  # log(n_reference / n_synthetic)
    settings: Classifier
    seed: int
    threads: int | None

    @property
    def rows(self) -> int:
        return len(self.y)

    def run(self) -> np.ndarray:
        s = self.settings
        clf = boosting_classifier(s.rounds, s.rate, s.leaves, s.min_leaf, self.categorical,
                                  self.seed)
        with openmp_limit(len(self.x), self.threads):
            clf.fit(self.x, self.y)
        with openmp_limit(len(self.x), self.threads):  # prediction is OpenMP-parallel too
            return np.asarray(clf.decision_function(self.targets) + self.offset)


def classifier_fits(ctx: ScanContext, t: Targets, settings: Classifier) -> list[FoldFit]:
    """Density-ratio scores, one fit per fold: boosting tells synthetic rows from the fold's
    reference (``FoldFit``; the answers go to the targets of ``t.fold == k``)."""
    tables = ("train", "holdout", "synthetic")
    feats, is_cat = ctx.memo("mia:features", lambda: classifier_features(
        ctx.frames, ctx.coded, ctx.schema.distance_columns, tables))
    x_s = feats["synthetic"]
    x_targets = np.empty((len(t.row), x_s.shape[1]))
    for tab in ("train", "holdout"):
        sel = t.table == tab
        x_targets[sel] = feats[tab][t.row[sel]]
    rng = ctx.rng("mia:classifier")  # one stream: the row samples and the seeds, in turn
    fits = []
    for k, fold_ref in enumerate(t.reference):
        syn_rows = subset(rng, len(x_s), settings.max_rows)
        # the reference side is capped alike: a seeded sample of the fold's reference
        ref = fold_ref[subset(rng, len(fold_ref), settings.max_rows)]
        n_syn = len(syn_rows)
        x = np.vstack([x_s[syn_rows], feats["holdout"][ref]])
        y = np.concatenate([np.ones(n_syn), np.zeros(len(ref))])
        fits.append(FoldFit(x, y, is_cat, x_targets[t.fold == k], math.log(len(ref) / n_syn),
                            settings, int(rng.integers(2**31 - 1)), ctx.config.threads))
    return fits


def classifier_scores(t: Targets, answers: list[np.ndarray]) -> np.ndarray:
    """Every target's score from its fold's answer (``classifier_fits``, in fold order)."""
    scores = np.empty(len(t.row))
    for k, answer in enumerate(answers):
        scores[t.fold == k] = answer
    return scores


def boosting_classifier(rounds: int, rate: float, leaves: int, min_leaf: int,
                        categorical: np.ndarray, seed: int) -> Any:
    """The scans' gradient-boosting classifier (scikit-learn's histogram boosting, no early
    stopping, native categories where ``categorical`` flags them), seeded."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=rounds, learning_rate=rate, max_leaf_nodes=leaves, min_samples_leaf=min_leaf,
        early_stopping=False, categorical_features=categorical if categorical.any() else None,
        random_state=seed)


@contextmanager
def openmp_limit(n_rows: int, threads: int | None) -> Iterator[None]:
    """One OpenMP thread for a model trained on fewer than SINGLE_THREAD_ROWS rows, else
    ``threads`` (None: no limit)."""
    from threadpoolctl import threadpool_limits

    limit = 1 if n_rows < SINGLE_THREAD_ROWS else threads
    if limit is None:
        yield
        return
    with threadpool_limits(limits=int(limit), user_api="openmp"):
        yield


def _pad(d: np.ndarray, k: int) -> np.ndarray:
    """At least ``k`` columns: a tiny reference repeats its farthest distance."""
    if d.shape[1] >= k:
        return d
    return np.hstack([d, np.repeat(d[:, -1:], k - d.shape[1], axis=1)])


def distance_scores(ctx: ScanContext, t: Targets, encoded_targets: np.ndarray
                    ) -> tuple[dict[str, np.ndarray], np.ndarray, list[dict[str, object]]]:
    """Calibrated distance and kNN log-ratio scores from nearest-neighbour distances to the
    synthetic data and to the fold's reference; each target's isolation: its mean distance
    to the 5 nearest records of that reference (real records, never the target itself); and
    how each fold's reference search was done (``searches.reference_knn``).
    Distances to the synthetic data come from the scan's shared real -> synthetic search."""
    kmax = max(KNN_KS)
    real_row = np.where(t.table == "train", t.row, ctx.n("train") + t.row)
    d_syn = _pad(ctx.encoder.to_units(real_to_synthetic(ctx)[0][real_row]), kmax)
    d_ref = np.empty((len(t.row), kmax))
    how = []
    for k, ref in enumerate(t.reference):
        sel = np.flatnonzero(t.fold == k)
        d, done = reference_knn(ctx, ctx.encoded["holdout"][ref], encoded_targets[sel], kmax,
                                f"mia:reference:{k}")
        d_ref[sel] = _pad(ctx.encoder.to_units(d), kmax)
        how.append(done)
    out = {"distance": d_ref[:, 0] - d_syn[:, 0]}
    for k in KNN_KS:
        out[f"knn{k}"] = (np.log(d_ref[:, k - 1] + LOG_FLOOR)
                          - np.log(d_syn[:, k - 1] + LOG_FLOOR))
    return out, d_ref[:, :ISOLATION_K].mean(axis=1), how


def isolation(ctx: ScanContext, encoded_rows: np.ndarray) -> np.ndarray:
    """Mean distance of each row (a real record) to its 5 nearest other real records in
    train ∪ holdout: large = an outlier, the records synthetic data leaks first. (The check
    itself measures isolation against the attacker's reference, which it has searched already;
    this full version serves experiments and tests.)"""
    real = np.vstack([ctx.encoded["train"], ctx.encoded["holdout"]])
    eng = NeighborEngine(real, ctx.config.metric, ctx.config.threads)
    d = eng.kneighbors(encoded_rows, ISOLATION_K + 1)[0][:, 1:]  # not itself
    return ctx.encoder.to_units(d).mean(axis=1)
