"""The AUC's DeLong interval against a brute-force oracle, and its coverage."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from synthscan.stats.roc import auc, auc_interval


def delong_oracle(pos: np.ndarray, neg: np.ndarray, alpha: float) -> tuple[float, float, float]:
    """Every member-non-member pair compared one by one (ties count half)."""
    psi = np.array([[1.0 if p > q else 0.5 if p == q else 0.0 for q in neg] for p in pos])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    a = psi.mean()
    var = v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg)
    se = math.sqrt(var) / (a * (1 - a))
    z = norm.ppf(1 - alpha / 2)
    logit = math.log(a / (1 - a))
    return a, 1 / (1 + math.exp(-(logit - z * se))), 1 / (1 + math.exp(-(logit + z * se)))


def test_matches_the_pairwise_oracle_with_ties():
    rng = np.random.default_rng(3)
    pos = rng.integers(0, 6, 40).astype(float) + 0.5 * rng.integers(0, 2, 40)
    neg = rng.integers(0, 5, 55).astype(float)
    got = auc_interval(pos, neg, 0.05)
    assert got == pytest.approx(delong_oracle(pos, neg, 0.05), rel=1e-12)
    assert got[0] == pytest.approx(auc(pos, neg))


def test_perfect_separation_keeps_an_interval_below_one():
    a, lo, hi = auc_interval(np.arange(10, 20.0), np.arange(10.0), 0.05)
    assert a == 1.0 and hi == 1.0 and 0.5 < lo < 0.99
    a, lo, hi = auc_interval(np.arange(10.0), np.arange(10, 20.0), 0.05)
    assert a == 0.0 and lo == 0.0 and 0.01 < hi < 0.5


def test_empty_side():
    a, lo, hi = auc_interval(np.zeros(0), np.ones(3), 0.05)
    assert math.isnan(a) and (lo, hi) == (0.0, 1.0)


def test_coverage_near_nominal():
    """400 samples of 150 + 150 normal scores with a true AUC of Phi(0.5 / sqrt 2)."""
    rng = np.random.default_rng(11)
    truth = norm.cdf(0.5 / math.sqrt(2))
    hits = 0
    for _ in range(400):
        _, lo, hi = auc_interval(rng.normal(0.5, 1, 150), rng.normal(0, 1, 150), 0.05)
        hits += lo <= truth <= hi
    assert 0.92 <= hits / 400 <= 0.98
