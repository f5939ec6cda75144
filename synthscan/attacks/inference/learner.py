"""The gradient-boosting attacker: ``HistGradientBoosting`` on the native known columns.

Trained with a fixed number of rounds (no early stopping; seeded) on numbers as numbers,
categories with native category support and missing values as missing. Classifiers model the
``max_classes`` most frequent secret values of the training rows; rarer ones share a
pseudo-class whose guess is its most frequent member. Regressor guesses are snapped to the
nearest secret value seen in training (an attacker guesses values that occur).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Boosting:
    """The learner's settings (the check's knobs)."""

    rounds: int
    leaves: int
    rate: float
    l2: float
    max_classes: int
    #: OpenMP threads of one fit (None: no limit)
    threads: int | None

    def sklearn_params(self, categorical: np.ndarray, seed: int) -> dict[str, Any]:
        return dict(max_iter=self.rounds, max_leaf_nodes=self.leaves, learning_rate=self.rate,
                    l2_regularization=self.l2, early_stopping=False, random_state=seed,
                    categorical_features=categorical if categorical.any() else None)


@contextlib.contextmanager
def _thread_limit(threads: int | None) -> Iterator[None]:
    if threads is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=int(threads)):
        yield


@dataclass(frozen=True)
class LearnerJob:
    """One fit and its guesses: ``learner_guesses``' arguments (a ``background.Job``)."""

    x_train: np.ndarray
    y_train: np.ndarray
    categorical: np.ndarray
    x_eval: list[np.ndarray]
    numeric: bool
    seed: int
    settings: Boosting

    @property
    def rows(self) -> int:
        return len(self.y_train)

    def run(self) -> list[np.ndarray]:
        return learner_guesses(self.x_train, self.y_train, self.categorical, self.x_eval,
                               self.numeric, self.seed, self.settings)


def learner_guesses(x_train: np.ndarray, y_train: np.ndarray, categorical: np.ndarray,
                    x_eval: list[np.ndarray], numeric: bool, seed: int,
                    settings: Boosting) -> list[np.ndarray]:
    """Train the attacker on (x_train, y_train) and guess the secret of every row of each
    array in ``x_eval``. Numeric secrets: rows with a missing y are not trained on and guesses
    are snapped to the nearest trained y value. Categorical secrets: integer codes."""
    params = settings.sklearn_params(categorical, seed)
    if numeric:
        return _regress(x_train, y_train, x_eval, params, settings)
    return _classify(x_train, y_train, x_eval, params, settings)


def _regress(x_train: np.ndarray, y_train: np.ndarray, x_eval: list[np.ndarray],
             params: dict[str, Any], settings: Boosting) -> list[np.ndarray]:
    from sklearn.ensemble import HistGradientBoostingRegressor

    keep = ~np.isnan(y_train)
    x_train, y_train = x_train[keep], y_train[keep]
    if len(y_train) == 0:
        return [np.full(len(x), np.nan) for x in x_eval]
    seen = np.unique(y_train)
    if len(seen) == 1 or len(y_train) < 2 * settings.leaves:
        preds = [np.full(len(x), float(np.median(y_train))) for x in x_eval]
    else:
        with _thread_limit(settings.threads):
            model = HistGradientBoostingRegressor(**params).fit(x_train, y_train)
            preds = [model.predict(x) if len(x) else np.zeros(0) for x in x_eval]
    return [_snap(p, seen) for p in preds]


def _classify(x_train: np.ndarray, y_train: np.ndarray, x_eval: list[np.ndarray],
              params: dict[str, Any], settings: Boosting) -> list[np.ndarray]:
    from sklearn.ensemble import HistGradientBoostingClassifier

    labels, counts = np.unique(y_train, return_counts=True)
    order = np.lexsort((labels, -counts))
    top = labels[order[:settings.max_classes]]
    if len(labels) > settings.max_classes:
        rare_guess = labels[order[settings.max_classes]]  # most frequent of the rare values
        pseudo = int(labels.max()) + 1
        y_fit = np.where(np.isin(y_train, top), y_train, pseudo)
    else:
        pseudo, rare_guess, y_fit = None, None, y_train
    if len(top) == 1 or len(y_train) < 2 * settings.leaves:
        return [np.full(len(x), labels[order[0]]) for x in x_eval]
    with _thread_limit(settings.threads):
        model = HistGradientBoostingClassifier(**params).fit(x_train, y_fit)
        preds = [model.predict(x) if len(x) else np.zeros(0, np.int64) for x in x_eval]
    if pseudo is not None:
        preds = [np.where(p == pseudo, rare_guess, p) for p in preds]
    return [np.asarray(p, dtype=np.int64) for p in preds]


def _snap(pred: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """Each prediction replaced by the nearest of the sorted values ``seen`` (lower on a tie)."""
    if len(seen) == 1:
        return np.full(len(pred), seen[0])
    i = np.clip(np.searchsorted(seen, pred), 1, len(seen) - 1)
    left, right = seen[i - 1], seen[i]
    return np.where(pred - left <= right - pred, left, right)
