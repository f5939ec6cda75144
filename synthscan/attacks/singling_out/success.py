"""Predicate success at equal size: does a predicate match exactly one record of a dataset?

A dataset's size changes how often a predicate matches exactly one of its records, so training
and holdout success are compared at the smaller table's size: the larger one is subsampled
(without replacement) ``repeats`` times and its success averaged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..context import subset
from .predicates import Predicates
from .tables import CodedTable


@dataclass
class EqualSizeRates:
    """Per-predicate success (matches exactly one record) on train and holdout at equal size."""

    train: np.ndarray  # (P,) float: share of subsamples where it succeeded (0/1 without)
    holdout: np.ndarray
    train_all_rows: np.ndarray  # success on all training rows (not size-matched; informative)
    size: int
    repeats: int
    subsampled: str  # "train", "holdout" or "none"


def equal_size_success(preds: Predicates, train: CodedTable, holdout: CodedTable,
                       repeats: int, rng: np.random.Generator) -> EqualSizeRates:
    """Success of each predicate on the holdout and on train at the holdout's size (or the
    reverse when the holdout is the larger), subsamples drawn from ``rng``."""
    n_p = len(preds)
    tp, tr = train.matches(preds)
    hp, hr = holdout.matches(preds)
    t_full = np.bincount(tp, minlength=n_p) == 1
    h_full = np.bincount(hp, minlength=n_p) == 1
    size = min(train.n, holdout.n)
    if train.n == holdout.n:
        return EqualSizeRates(t_full.astype(float), h_full.astype(float), t_full, size, 1,
                              "none")
    big_n, pairs = (train.n, (tp, tr)) if train.n > holdout.n else (holdout.n, (hp, hr))
    acc = np.zeros(n_p)
    for _ in range(repeats):
        keep = np.zeros(big_n)
        keep[subset(rng, big_n, size)] = 1.0
        acc += np.bincount(pairs[0], weights=keep[pairs[1]], minlength=n_p) == 1
    acc /= repeats
    if train.n > holdout.n:
        return EqualSizeRates(acc, h_full.astype(float), t_full, size, repeats, "train")
    return EqualSizeRates(t_full.astype(float), acc, t_full, size, repeats, "holdout")
