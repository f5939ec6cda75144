"""Closeness: which real people have a synthetic row unusually close to them?

For every real record r (train and holdout alike) two scores:

* raw: ``D_r``, the distance to its nearest synthetic row;
* relative: ``D_r / N_r`` with ``N_r`` the distance to its nearest *other* real record in
  train ∪ holdout (``0/0 := 0``, ``x/0 := inf``): a jittered copy of a record in a densely
  packed region is close in absolute terms only relative to its neighbours.

The threshold of each score is the holdout's own q-quantile (q = 1%, raised so that the
holdout expects at least 10 flagged records). The event "score <= threshold" then happens to
about q of holdout records by construction; under no leak (synthetic rows independent of which
real records were trained on) it happens to the same share of training records. The excess
``r_T - r_H`` is the share of training people with a synthetic copy or near copy beyond chance:
the true-minus-false-positive rate of a fixed, untuned distance attack. Its variance is that of
a rare count, ``q (1 - q) (1/n_T + 1/n_H)``, which is what lets a clean release of ten thousand
rows be certified at 1%. The flagged training rows (indices only) are the exposure list.
"""

from __future__ import annotations

import math

import numpy as np

from ..fmt import pct
from ..model import CheckResult
from ..stats.bounds import SubTest
from .base import Attack
from .context import ScanContext
from .searches import (
    nearest_other_real,
    nearest_other_search,
    real_to_synthetic,
    real_to_synthetic_search,
)

#: the holdout quantile that sets each threshold (default)
QUANTILE = 0.01
#: holdout records expected under each threshold at least (q is raised to reach it)
MIN_EXPECTED = 10
#: q is never raised beyond this (a holdout under 100 rows)
MAX_QUANTILE = 0.1


def relative_score(d: np.ndarray, n: np.ndarray) -> np.ndarray:
    """``d / n`` with ``0 / 0 := 0`` and ``x / 0 := inf`` (x > 0)."""
    d = np.asarray(d, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    out = np.full(d.shape, np.inf)
    pos = n > 0
    out[pos] = d[pos] / n[pos]
    out[(n <= 0) & (d <= 0)] = 0.0
    return out


def holdout_threshold(scores_h: np.ndarray, q: float) -> float:
    """The q-quantile of the holdout scores, as an order statistic: the ceil(q n_H)-th
    smallest (so at least q of the holdout records sit at or below it)."""
    s = np.sort(np.asarray(scores_h, dtype=np.float64))
    # q n is often a whole number that floating point overshoots (0.07 * 100 = 7.000...01,
    # 10 / 147 * 147 = 10.000...02): without the tolerance ceil() takes one rank too many
    return float(s[max(0, math.ceil(q * len(s) - 1e-9) - 1)])


def quantile_for(n_holdout: int, quantile: float = QUANTILE,
                 min_expected: int = MIN_EXPECTED, max_quantile: float = MAX_QUANTILE) -> float:
    """``quantile``, raised so that the holdout expects ``min_expected`` flagged records, at
    most ``max_quantile``."""
    return float(min(max_quantile, max(quantile, min_expected / max(n_holdout, 1))))


class Closeness(Attack):
    """Real records with a synthetic row closer than the holdout's 1% quantile: training vs
    holdout records, on the raw and on the relative distance (see the module docstring)."""

    id = "closeness"
    name = "Closeness: real people with a synthetic copy or near copy"
    criterion = "copies"
    thresholds = {"public-release": 0.01, "controlled-access": 0.02}
    #: in a public release any confirmed excess of training people with a near copy fails:
    #: it is memorisation by definition (docs/verdict.md has the measured trade-off)
    high_thresholds = {"public-release": 0.0}
    data_driving = "holdout rows (they set the 1% closeness threshold) and training rows"

    def __init__(self, *, quantile: float = QUANTILE, min_expected: int = MIN_EXPECTED,
                 max_quantile: float = MAX_QUANTILE, max_listed: int = 10_000) -> None:
        #: the holdout quantile that sets each score's threshold
        self.quantile = quantile
        #: holdout records expected under each threshold at least (the quantile is raised)
        self.min_expected = min_expected
        #: the quantile is never raised beyond this
        self.max_quantile = max_quantile
        #: flagged training rows listed in the exposure list at most (row indices only)
        self.max_listed = max_listed

    def run(self, ctx: ScanContext) -> CheckResult:
        if skip := self.too_small(ctx, ("train", "holdout", "synthetic")):
            return skip
        n_t, n_h, n_s = ctx.n("train"), ctx.n("holdout"), ctx.n("synthetic")
        d = real_to_synthetic(ctx)[0][:, 0].astype(np.float64)
        other = nearest_other_real(ctx)
        scores = {"raw": d, "relative": relative_score(d, other)}
        labels = {"raw": "distance to the nearest synthetic row",
                  "relative": "distance to the nearest synthetic row, relative to the nearest "
                              "other real record"}
        q = quantile_for(n_h, self.quantile, self.min_expected, self.max_quantile)
        tests, parts, taus = [], {}, {}
        flagged_t = np.zeros(n_t, dtype=bool)
        for key, s in scores.items():
            tau = taus[key] = holdout_threshold(s[n_t:], q)
            hit = s <= tau
            k_t, k_h = int(hit[:n_t].sum()), int(hit[n_t:].sum())
            flagged_t |= hit[:n_t]
            tests.append(SubTest(labels[key], k_t, n_t, k_h, n_h))
            parts[key] = {"train_flagged": k_t, "holdout_flagged": k_h,
                          "train_rate": k_t / n_t, "holdout_rate": k_h / n_h,
                          "excess": k_t / n_t - k_h / n_h}
        tau_units = float(ctx.encoder.to_units(taus["raw"]))
        rel = scores["relative"][:n_t]
        order = np.flatnonzero(flagged_t)
        order = order[np.argsort(rel[order], kind="stable")]
        copies_t = int((d[:n_t] <= 0).sum())
        copies_h = int((d[n_t:] <= 0).sum())
        return self.result(
            tests=tests, unit="training records", unit_total=n_t,
            counts={"train_rows": n_t, "holdout_rows": n_h, "synthetic_rows": n_s,
                    "flagged_train_records": int(flagged_t.sum()),
                    "train_records_at_distance_0": copies_t,
                    "holdout_records_at_distance_0": copies_h},
            details={
                "quantile": q,
                "threshold_raw_distance": tau_units,
                "scores": parts,
                "real_to_synthetic_search": real_to_synthetic_search(ctx),
                "nearest_other_search": nearest_other_search(ctx),
                "exposure": {"train_rows": order[:self.max_listed], "records": int(len(order)),
                             "listed": int(min(len(order), self.max_listed)),
                             "expected_by_chance": round(2 * q * n_t, 1),
                             "meaning": "training records flagged by either score, closest "
                                        "(relative score) first; row indices only"},
            },
        )

    def summarize(self, result: CheckResult) -> str:
        if result.status in ("skipped", "error") or not result.tests:
            return super().summarize(result)
        worst = max(result.tests, key=lambda t: t.estimate)
        c = result.counts
        return (f"{worst.k_t:.0f} of {worst.n_t:.0f} training records ({pct(worst.rate_t)}) have a "
                f"synthetic row closer than the closest {result.details['quantile']:.0%} of "
                f"holdout records do ({worst.k_h:.0f} of {worst.n_h:.0f}, {pct(worst.rate_h)}; "
                f"{worst.label}): an excess of {worst.estimate:+.2%} of training records. "
                f"{c['train_records_at_distance_0']} training and "
                f"{c['holdout_records_at_distance_0']} holdout records have a synthetic row at "
                f"distance 0 on the compared columns.")
