"""The two attackers, trained on the synthetic rows, scoring training and holdout targets.

Each also attacks as a *population baseline*: trained on half of the holdout, scoring the other
half. A scorer returns per-target success in [0, 1] for training targets, holdout targets and
baseline targets, over the targets whose truth is known (numeric secrets: not missing).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ...neighbors.engine import thread_share
from ...neighbors.subset import CandidateNN
from ..context import ScanContext
from .columns import Column
from .learner import Boosting, LearnerJob
from .plan import TargetRows


@dataclass(frozen=True)
class Truths:
    """One secret's true values at the training, holdout and baseline targets, and which of
    them are scored (a missing numeric truth is not)."""

    train: np.ndarray
    holdout: np.ndarray
    base: np.ndarray

    @classmethod
    def of(cls, col: Column, rows: TargetRows) -> Truths:
        return cls(col.values["train"][rows.train], col.values["holdout"][rows.holdout],
                   col.values["holdout"][rows.base_eval])

    @staticmethod
    def scored(col: Column, truth: np.ndarray) -> np.ndarray:
        return ~np.isnan(truth) if col.numeric else np.ones(len(truth), bool)


Scores = tuple[np.ndarray, np.ndarray, np.ndarray]


class NearestAttacker:
    """1-NN on the known columns (Gower distance), exact ties credited fractionally; one
    candidate search serves every secret (``CandidateNN``). The candidate search is exact at
    every size: it runs on all columns, the secret included, and only its exact bound keeps the
    guess independent of the secret."""

    def __init__(self, ctx: ScanContext, cols: dict[str, Column], rows: TargetRows,
                 candidates: int) -> None:
        enc, cfg = ctx.encoded, ctx.config
        names = list(cols)
        cat = [c for c in names if not cols[c].numeric]
        codes = {c: (cols[c].values["synthetic"], np.concatenate(
            [cols[c].values["train"][rows.train], cols[c].values["holdout"][rows.holdout]]))
            for c in cat}
        queries = np.vstack([enc["train"][rows.train], enc["holdout"][rows.holdout]])
        self.nn = CandidateNN(enc["synthetic"], queries, ctx.encoder, names, codes, cfg.metric,
                              cfg.threads, k=candidates)
        self.base: CandidateNN | None = None
        if len(rows.base_fit) and len(rows.base_eval):
            b_codes = {c: (cols[c].values["holdout"][rows.base_fit],
                           cols[c].values["holdout"][rows.base_eval]) for c in cat}
            self.base = CandidateNN(enc["holdout"][rows.base_fit],
                                    enc["holdout"][rows.base_eval], ctx.encoder, names,
                                    b_codes, cfg.metric, cfg.threads, k=candidates)
        self.rows = rows

    def scores(self, col: Column, known: list[str], truth: Truths) -> Scores:
        th = np.concatenate([truth.train, truth.holdout])
        targets = np.flatnonzero(Truths.scored(col, th))
        n_t = int(Truths.scored(col, truth.train).sum())
        s_th = self.nn.credit(known, col.nn_labels("synthetic"), targets, th[targets],
                              col.tolerance)
        s_b = np.zeros(0)
        if self.base is not None:
            base = np.flatnonzero(Truths.scored(col, truth.base))
            s_b = self.base.credit(known, col.nn_labels("holdout", self.rows.base_fit), base,
                                   truth.base[base], col.tolerance)
        return s_th[:n_t], s_th[n_t:], s_b

    def scores_all(self, cols: dict[str, Column], plan: list[tuple[str, list[str]]],
                   truths: dict[str, Truths], threads: int) -> dict[str, Scores]:
        """``scores`` of every (secret, known columns) of ``plan``, on up to ``threads``
        threads at once (the candidate searches are read only; numpy and FAISS release the
        GIL): the same answers in the same order as one after the other."""
        for nn in (self.nn, self.base):  # one wider search for the queries at risk
            if nn is not None:
                nn.widen([q for _, q in plan])
        safe = self.nn.threads_safe and (self.base is None or self.base.threads_safe)
        workers = min(threads, len(plan)) if safe else 1

        def one(pair: tuple[str, list[str]]) -> Scores:
            secret, known = pair
            return self.scores(cols[secret], known, truths[secret])

        def shared(pair: tuple[str, list[str]]) -> Scores:
            with thread_share(threads // workers):  # the fallbacks' searches share the cores
                return one(pair)

        if workers < 2:
            return {s: one((s, q)) for s, q in plan}
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return dict(zip([s for s, _ in plan], pool.map(shared, plan), strict=True))

    def release(self) -> None:
        """Free the candidate searches' inverted files (after the last ``scores``)."""
        for nn in (self.nn, self.base):
            if nn is not None:
                nn.release()


class BoostedAttacker:
    """Gradient boosting on the native known columns (at most ``max_features`` of them, a
    seeded sample per secret), trained on a seeded sample of synthetic rows."""

    def __init__(self, ctx: ScanContext, cols: dict[str, Column], rows: TargetRows,
                 settings: Boosting, max_features: int) -> None:
        def stack(table: str, at: np.ndarray) -> np.ndarray:
            return np.column_stack([cols[c].feature[table][at] for c in cols])

        self.x_targets = np.vstack([stack("train", rows.train), stack("holdout", rows.holdout)])
        self.x_synthetic = stack("synthetic", rows.learner_synthetic)
        self.x_base_fit = stack("holdout", rows.learner_base)
        self.x_base_eval = stack("holdout", rows.base_eval)
        self.position = {c: j for j, c in enumerate(cols)}
        self.numeric = {c: cols[c].numeric for c in cols}
        self.ctx, self.rows = ctx, rows
        self.settings, self.max_features = settings, max_features

    def jobs(self, col: Column, known: list[str], truth: Truths) -> list[LearnerJob]:
        """The two fits of one secret: trained on the synthetic rows to guess the targets,
        and the population baseline trained on half of the holdout (``finish`` scores them)."""
        ctx, rows = self.ctx, self.rows
        pick = ctx.subset(f"inference:features:{col.name}", len(known), self.max_features)
        learn_on = [known[i] for i in pick]
        jq = [self.position[c] for c in learn_on]
        cat = np.array([not self.numeric[c] for c in learn_on])
        seed = int(ctx.rng(f"inference:learner:{col.name}").integers(2**31 - 1))
        ok_t, ok_h, ok_b = (Truths.scored(col, t) for t in (truth.train, truth.holdout,
                                                            truth.base))
        return [LearnerJob(self.x_synthetic[:, jq],
                           col.values["synthetic"][rows.learner_synthetic], cat,
                           [self.x_targets[:, jq][np.concatenate([ok_t, ok_h])]], col.numeric,
                           seed, self.settings),
                LearnerJob(self.x_base_fit[:, jq], col.values["holdout"][rows.learner_base],
                           cat, [self.x_base_eval[:, jq][ok_b]], col.numeric, seed,
                           self.settings)]

    @staticmethod
    def finish(col: Column, truth: Truths, guesses: list[list[np.ndarray]]) -> Scores:
        """Per-target success of the guesses of ``jobs``' two fits."""
        (g_th,), (g_b,) = guesses
        ok_t, ok_h, ok_b = (Truths.scored(col, t) for t in (truth.train, truth.holdout,
                                                            truth.base))
        n_t = int(ok_t.sum())
        return (col.success(g_th[:n_t], truth.train[ok_t]),
                col.success(g_th[n_t:], truth.holdout[ok_h]),
                col.success(g_b, truth.base[ok_b]))
