"""One-sided bounds of an excess share: hand-worked values, a scipy oracle, and the false-`low`
rate at the boundary checked by simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from synthscan.stats.bounds import (
    SubTest,
    cp_lower,
    cp_upper,
    decide,
    excess_lower,
    excess_upper,
    more_data_factor,
    null_upper,
)


def test_clopper_pearson_limits_hand_worked():
    # no successes: the exact one-sided upper limit solves (1 - p)^n = alpha
    assert cp_upper(0, 100, 0.05) == pytest.approx(1 - 0.05 ** (1 / 100), rel=1e-12)
    assert cp_upper(0, 100, 0.05) == pytest.approx(0.029513, abs=1e-6)
    # all successes: the lower limit solves p^n = alpha
    assert cp_lower(100, 100, 0.05) == pytest.approx(0.05 ** (1 / 100), rel=1e-12)
    assert cp_lower(0, 100, 0.05) == 0.0 and cp_upper(100, 100, 0.05) == 1.0


@pytest.mark.parametrize("k,n,alpha", [(3, 40, 0.05), (17, 300, 0.01), (2.5, 11, 0.1),
                                       (499, 500, 0.003)])
def test_clopper_pearson_matches_beta_quantiles(k, n, alpha):
    assert cp_lower(k, n, alpha) == pytest.approx(stats.beta.ppf(alpha, k, n - k + 1), rel=1e-9)
    assert cp_upper(k, n, alpha) == pytest.approx(stats.beta.ppf(1 - alpha, k + 1, n - k),
                                                  rel=1e-9)


def test_mover_bounds_hand_worked():
    t = SubTest("x", 0, 100, 0, 50)
    assert t.estimate == 0.0
    assert excess_upper(t, 0.05) == pytest.approx(1 - 0.05 ** (1 / 100))
    assert excess_lower(t, 0.05) == pytest.approx(-(1 - 0.05 ** (1 / 50)))
    t = SubTest("y", 30, 200, 5, 100)
    p1, p2 = 0.15, 0.05
    l1 = stats.beta.ppf(0.05, 30, 171)
    u1 = stats.beta.ppf(0.95, 31, 170)
    l2 = stats.beta.ppf(0.05, 5, 96)
    u2 = stats.beta.ppf(0.95, 6, 95)
    assert excess_lower(t, 0.05) == pytest.approx(0.1 - math.hypot(p1 - l1, u2 - p2), rel=1e-9)
    assert excess_upper(t, 0.05) == pytest.approx(0.1 + math.hypot(u1 - p1, p2 - l2), rel=1e-9)


def test_no_control_bounds_are_those_of_the_training_rate():
    t = SubTest("x", 4, 50)
    assert excess_upper(t, 0.05) == cp_upper(4, 50, 0.05)
    assert excess_lower(t, 0.05) == cp_lower(4, 50, 0.05)


def test_subtest_refuses_impossible_counts():
    with pytest.raises(ValueError, match="train"):
        SubTest("x", 5, 4, 0, 10)
    with pytest.raises(ValueError, match="holdout"):
        SubTest("x", 1, 4, -1, 10)
    with pytest.raises(ValueError, match="no training targets"):
        SubTest("x", 0, 0, 0, 10)


def test_decide_levels_and_worst_of_m():
    tests = [SubTest("a", 10, 1000, 10, 1000), SubTest("b", 60, 1000, 10, 1000)]
    d = decide(tests, 0.05, family=5)
    assert d.sub_tests == 2 and d.worst == "b" and d.binding == "b"
    assert d.lower_level == pytest.approx(1 - 0.05 / 10)
    assert d.upper_level == pytest.approx(0.95)
    assert d.lower == pytest.approx(excess_lower(tests[1], 0.005))
    assert d.upper == pytest.approx(max(excess_upper(t, 0.05) for t in tests))
    assert d.estimate == pytest.approx(0.05)
    # certifiable: the bound if training records did as well as holdout records
    assert d.certifiable == pytest.approx(null_upper(tests[0], 0.05))
    assert null_upper(tests[0], 0.05) == pytest.approx(excess_upper(tests[0], 0.05))


def test_more_data_factor_hand_worked():
    # no verbatim copy among 1,000 unique training records: the bound is 1 - alpha^(1/n),
    # so certifying 0.1% needs n > ln(1/alpha) / 0.001 = 2,996: about 3x the rows
    f = more_data_factor([SubTest("v", 0, 1_000, 0, 500)], 0.001, 0.05)
    assert f == pytest.approx(math.log(20) / 0.001 / 1_000, rel=1e-3)
    # rates held at 1% on both sides: the normal approximation of the design note agrees
    t = SubTest("c", 100, 10_000, 50, 5_000)
    se = math.sqrt(0.01 * 0.99 / 10_000 + 0.01 * 0.99 / 5_000)
    z = stats.norm.ppf(0.95) + stats.norm.ppf(0.8)
    assert more_data_factor([t], 0.001, 0.05) == pytest.approx((z * se / 0.001) ** 2, rel=0.1)
    assert more_data_factor([t], 0.5, 0.05) == 1.0  # already certified
    assert more_data_factor([SubTest("a", 900, 10_000, 50, 5_000)], 0.05, 0.05) is None
    assert more_data_factor([SubTest("b", 0, 20, 0, 10)], 0.001, 0.05, cap=10) == math.inf
    # the factor found certifies, and a slightly smaller one does not
    tests = [SubTest("x", 30, 2_000, 12, 1_000), SubTest("y", 5, 400, 2, 200)]
    f = more_data_factor(tests, 0.02, 0.05)

    def ok(g: float) -> bool:
        return all(excess_upper(SubTest("s", u.k_t * g, u.n_t * g, u.k_h * g, u.n_h * g), 0.05)
                   + stats.norm.ppf(0.8) * SubTest("s", u.k_t * g, u.n_t * g, u.k_h * g,
                                                   u.n_h * g).standard_error < 0.02
                   for u in tests)
    assert ok(f) and not ok(f * 0.99)


@pytest.mark.parametrize("n_t,n_h,base,theta", [(600, 300, 0.0, 0.01), (2000, 1000, 0.01, 0.02),
                                                (800, 800, 0.3, 0.08)])
def test_false_low_at_the_boundary_is_at_most_alpha(n_t, n_h, base, theta):
    """A leak exactly at θ must be certified below θ in at most alpha of the runs (a small,
    fixed-seed guard; the full boundary table is in docs/validation.md)."""
    rng = np.random.default_rng(12345)
    reps = 1500
    k_t = rng.binomial(n_t, base + theta, reps)
    k_h = rng.binomial(n_h, base, reps)
    low = sum(excess_upper(SubTest("x", a, n_t, b, n_h), 0.05) < theta
              for a, b in zip(k_t, k_h, strict=True))
    # binomial noise at 1,500 runs: 5% + 2.5 sd = 6.4%
    assert low / reps <= 0.064, low / reps
