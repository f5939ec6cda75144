"""The one-run ε bound (``stats.dp_audit``): the dominating tail against brute force, the
tabulated largest refutable ε, the q ≠ 1/2 probabilities against Bayes' rule, and one small
fixed-seed simulation of an ε-DP mechanism (the full Monte Carlo check is
``benchmarks/validation/dp_audit.py``)."""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pytest

from synthscan.stats.dp_audit import (
    AuditCounts,
    audit_top,
    choose_fraction,
    closed_form_max,
    correct_probabilities,
    epsilon_lower_bound,
    max_refutable_epsilon,
    p_value,
    refutable_table,
)


def _binom_pmf(k: int, n: int, p: float) -> float:
    return math.comb(n, k) * p ** k * (1 - p) ** (n - k)


def brute_tail(r_in: int, p_in: float, r_out: int, p_out: float, v: int) -> float:
    """P[Bin(r_in, p_in) + Bin(r_out, p_out) >= v] by summing the joint pmf."""
    return sum(_binom_pmf(a, r_in, p_in) * _binom_pmf(b, r_out, p_out)
               for a, b in product(range(r_in + 1), range(r_out + 1)) if a + b >= v)


def test_correct_guess_probabilities_are_bayes_with_likelihood_ratio_e_eps():
    for q, eps in ((0.5, 1.0), (0.8, 1.0), (0.3, 2.5)):
        lr = math.exp(eps)
        post_in = q * lr / (q * lr + (1 - q))  # P(in | evidence with ratio e^eps for "in")
        post_out = (1 - q) * lr / ((1 - q) * lr + q)
        assert correct_probabilities(eps, q) == pytest.approx((post_in, post_out), rel=1e-12)
    p = math.exp(1.0) / (1 + math.exp(1.0))
    assert correct_probabilities(1.0, 0.5) == pytest.approx((p, p), rel=1e-12)


@pytest.mark.parametrize("counts", [AuditCounts(40, 0.5, 12, 10), AuditCounts(40, 0.8, 9, 9, 6, 4),
                                    AuditCounts(30, 0.3, 0, 0, 11, 8)])
def test_p_value_is_the_tail_of_the_dominating_binomials(counts):
    for eps in (0.0, 0.7, 2.0):
        p_in, p_out = correct_probabilities(eps, counts.q)
        expected = brute_tail(counts.r_in, p_in, counts.r_out, p_out, counts.correct)
        assert p_value(counts, eps) == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_delta_term_is_the_papers_at_one_half_and_scaled_elsewhere():
    c = AuditCounts(200, 0.5, 20, 18)
    eps, delta = 1.0, 1e-4
    p = correct_probabilities(eps, 0.5)[0]
    tail = [brute_tail(20, p, 0, p, x) for x in range(22)]
    slack = max((tail[18 - i] - tail[18]) / i for i in range(1, 19))
    assert p_value(c, eps, delta) == pytest.approx(tail[18] + 2 * 200 * delta * slack, rel=1e-9)
    c8 = AuditCounts(200, 0.8, 20, 18)
    p8 = correct_probabilities(eps, 0.8)[0]
    tail8 = [brute_tail(20, p8, 0, p8, x) for x in range(22)]
    slack8 = max((tail8[18 - i] - tail8[18]) / i for i in range(1, 19))
    assert p_value(c8, eps, delta) == pytest.approx(tail8[18] + 2 * 1.6 * 200 * delta * slack8,
                                                    rel=1e-9)


def test_the_bound_inverts_the_p_value():
    c = AuditCounts(1000, 0.8, 150, 148)
    eps = epsilon_lower_bound(c, alpha=0.05)
    assert p_value(c, eps) == pytest.approx(0.05, abs=2e-4)
    assert p_value(c, eps - 0.01) < 0.05 < p_value(c, eps + 0.01)
    assert epsilon_lower_bound(c, delta=1e-4) < eps  # a δ only weakens the bound
    # right guesses at the base rate refute nothing
    assert epsilon_lower_bound(AuditCounts(1000, 0.8, 100, 80)) == 0.0


def test_largest_refutable_epsilon_reproduces_the_table():
    # q = 1/2: 3.5 for 100 right guesses, 5.8 for 1,000; q = 0.8 ("in" guesses): 2.1 and 4.4 —
    # 95% one-sided, every guess "in" and right, δ = 0
    got = {(r["q"], r["guesses"]): round(r["epsilon"], 1) for r in refutable_table()}
    assert got == {(0.5, 100): 3.5, (0.5, 1000): 5.8, (0.8, 100): 2.1, (0.8, 1000): 4.4}
    for r, q in ((100, 0.5), (1000, 0.8), (37, 0.3)):
        # every guess right has probability p^r: p = alpha^(1/r), ε = logit(p) - logit(q)
        p = 0.05 ** (1 / r)
        hand = math.log(p / (1 - p)) - math.log(q / (1 - q))
        assert max_refutable_epsilon(r, q=q) == pytest.approx(hand, abs=1e-3)
        assert closed_form_max(r, q) == pytest.approx(hand, abs=1e-12)
    # "out" guesses at q = 0.8 are rarer to be right, so they refute more
    assert closed_form_max(100, 0.8, guess="out") > closed_form_max(100, 0.8)


def test_top_guesses_count_right_guesses_and_break_ties_at_random():
    scores = np.array([5.0, 4.0, 4.0, 4.0, 1.0, 0.0])
    members = np.array([True, True, False, True, False, False])
    c = audit_top(scores, members, 0.5, 0.5, np.random.default_rng(0))
    assert (c.m, c.r_in) == (6, 3)
    assert c.v_in in (2, 3)  # the top one, and two of the three tied at 4
    hits = {audit_top(scores, members, 0.5, 0.5, np.random.default_rng(s)).v_in
            for s in range(20)}
    assert hits == {2, 3}


def test_selection_finds_the_planted_share():
    rng = np.random.default_rng(1)
    n = 2000
    members = rng.random(n) < 0.5
    scores = rng.normal(size=n)
    leaked = members & (rng.random(n) < 0.1)  # 5% of candidates copied: score far above
    scores[leaked] += 20
    f, bound = choose_fraction(scores, members, 0.5, 0.05, rng)
    assert 0.03 <= f <= 0.05 and bound > 3


def test_fixed_seed_simulation_of_randomized_response_at_q_08():
    # an ε-DP release (randomized response) audited with "in" guesses at q = 0.8: the bound
    # exceeds the true ε in about alpha of the seeds; the q = 1/2 formula would refute it
    # nearly always (so this guard can fail)
    eps, q, m, seeds = 1.0, 0.8, 400, 200
    rng = np.random.default_rng(7)
    refuted = naive = 0
    for _ in range(seeds):
        z = rng.random(m) < q
        y = np.where(rng.random(m) < math.exp(eps) / (1 + math.exp(eps)), z, ~z)
        c = AuditCounts(m, q, int(y.sum()), int((y & z).sum()))
        refuted += p_value(c, eps) < 0.05
        naive += p_value(AuditCounts(m, 0.5, c.r_in, c.v_in), eps) < 0.05
    assert refuted <= 18  # 9% of 200: 5% expected, binomial sd 3
    assert naive >= 190
