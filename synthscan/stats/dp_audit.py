"""A lower bound on ε from membership guesses in one run (Steinke, Nasr & Jagielski, "Privacy
Auditing with One (1) Training Run", NeurIPS 2023), for any inclusion probability q.

Setting: ``m`` candidate records each entered the generator's training data independently
with probability ``q``. From the release (and anything that is not a candidate's inclusion
bit) an auditor guesses "in" for some candidates and "out" for others, abstaining on the rest,
and counts the correct guesses. If the generator is ε-DP, then conditionally on the release
and on the bits of the candidates processed before it, a candidate's bit is "in" with
probability at most ``q e^ε / (q e^ε + 1 - q)`` (Bayes with a likelihood ratio of at most
``e^ε``) and "out" with probability at most ``(1 - q) e^ε / ((1 - q) e^ε + q)``. So the number
of correct guesses is stochastically dominated by ``Binomial(r_in, p_in) + Binomial(r_out,
p_out)``; at q = 1/2 both are ``e^ε / (e^ε + 1)``, the paper's theorem. The p-value of a
claimed ε is that sum's upper tail at the observed count, and ε values whose p-value is below
``alpha`` are refuted: the bound is the smallest ε whose p-value reaches ``alpha`` (for
(ε, 0) the p-value increases with ε, so every smaller ε is refuted too).

For (ε, δ) the paper adds ``2 m δ max_i (f(v - i) - f(v)) / i`` (``f`` the tail, ``v`` the
count); at q ≠ 1/2 the term is scaled by ``2 max(q, 1 - q)``, the largest ratio of the slack a
δ leaves one guess at q to the slack at 1/2. That extension, like the q ≠ 1/2 bound itself, is
checked by simulation in ``benchmarks/validation/dp_audit.py``.

Pure numpy/scipy: nothing from the package is imported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

#: no bound beyond this is searched for (one correct guess in e^-50 would be needed)
EPS_MAX = 50.0
#: step of the scan for the first crossing when δ > 0 (the p-value need not be monotone then)
_GRID = 0.05


@dataclass(frozen=True)
class AuditCounts:
    """The counts of one audit: ``m`` candidates included with probability ``q``; ``r_in``
    guesses "in" of which ``v_in`` were right, ``r_out`` guesses "out" of which ``v_out``."""

    m: int
    q: float
    r_in: int
    v_in: int
    r_out: int = 0
    v_out: int = 0

    def __post_init__(self) -> None:
        if not 0 < self.q < 1:
            raise ValueError(f"inclusion probability q must be in (0, 1), got {self.q}")
        if not (0 <= self.v_in <= self.r_in and 0 <= self.v_out <= self.r_out):
            raise ValueError("correct guesses must be between 0 and the number of guesses")
        if self.r_in + self.r_out > self.m:
            raise ValueError(f"{self.r_in + self.r_out} guesses among {self.m} candidates")

    @property
    def guesses(self) -> int:
        return self.r_in + self.r_out

    @property
    def correct(self) -> int:
        return self.v_in + self.v_out


def correct_probabilities(epsilon: float, q: float) -> tuple[float, float]:
    """The largest probability that a guess "in" / a guess "out" is right under ε-DP with
    inclusion probability ``q``: ``q e^ε / (q e^ε + 1 - q)`` and ``(1 - q) e^ε / ((1 - q) e^ε
    + q)``, i.e. the logistic function of ``ε ± logit(q)``."""
    from scipy.special import expit

    lq = math.log(q / (1 - q))
    return float(expit(epsilon + lq)), float(expit(epsilon - lq))


def _tail(c: AuditCounts, epsilon: float) -> np.ndarray:
    """``P[W >= x]`` for x = 0 .. r + 1 under the dominating sum of binomials."""
    from scipy.stats import binom

    p_in, p_out = correct_probabilities(epsilon, c.q)
    pmf = binom.pmf(np.arange(c.r_in + 1), c.r_in, p_in)
    if c.r_out:
        other = binom.pmf(np.arange(c.r_out + 1), c.r_out, p_out)
        if min(len(pmf), len(other)) > 2000:
            from scipy.signal import fftconvolve

            pmf = np.clip(fftconvolve(pmf, other), 0.0, None)
        else:
            pmf = np.convolve(pmf, other)
    tail = np.concatenate([np.cumsum(pmf[::-1])[::-1], [0.0]])
    return np.minimum(tail, 1.0)


def _delta_factor(q: float) -> float:
    """The coefficient of ``m δ`` in the δ term: 2 at q = 1/2 (the paper), scaled by
    ``2 max(q, 1 - q)`` elsewhere."""
    return 2.0 * 2.0 * max(q, 1.0 - q)


def p_value(c: AuditCounts, epsilon: float, delta: float = 0.0) -> float:
    """The probability of at least ``c.correct`` right guesses if the release were
    (``epsilon``, ``delta``)-DP (an upper bound on it; 1 at most)."""
    if epsilon < 0 or not 0 <= delta < 1:
        raise ValueError("epsilon must be >= 0 and delta in [0, 1)")
    v = c.correct
    if delta == 0 and c.r_out == 0:
        from scipy.stats import binom

        return float(binom.sf(v - 1, c.r_in, correct_probabilities(epsilon, c.q)[0]))
    tail = _tail(c, epsilon)
    p = float(tail[v])
    if delta > 0 and v > 0:
        i = np.arange(1, v + 1)
        slack = float(np.max((tail[v - i] - tail[v]) / i))
        p += _delta_factor(c.q) * c.m * delta * slack
    return min(p, 1.0)


def epsilon_lower_bound(c: AuditCounts, delta: float = 0.0, alpha: float = 0.05) -> float:
    """The ε lower bound at confidence ``1 - alpha``: the smallest ε whose p-value is at least
    ``alpha`` (0 when even ε = 0 is not refuted). Every ε below it is refuted."""
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    if c.correct == 0 or p_value(c, 0.0, delta) >= alpha:
        return 0.0
    if p_value(c, EPS_MAX, delta) < alpha:
        return EPS_MAX
    lo = 0.0
    if delta > 0:  # the first crossing on a grid, then bisection inside its step
        hi = _GRID
        while p_value(c, hi, delta) < alpha:
            lo, hi = hi, hi + _GRID
    else:  # monotone: doubling, then bisection
        hi = 1.0
        while p_value(c, hi, delta) < alpha:
            lo, hi = hi, min(2 * hi, EPS_MAX)
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if p_value(c, mid, delta) < alpha else (lo, mid)
        if hi - lo < 1e-4:
            break
    return lo


def max_refutable_epsilon(r_in: int, r_out: int = 0, *, q: float = 0.5, m: int | None = None,
                          delta: float = 0.0, alpha: float = 0.05) -> float:
    """The largest ε an audit with these guesses could refute: the bound when every guess is
    right. ``m`` (the candidates; default: the guesses) matters only for δ > 0."""
    if r_in + r_out == 0:
        return 0.0
    m = r_in + r_out if m is None else m
    return epsilon_lower_bound(AuditCounts(m, q, r_in, r_in, r_out, r_out), delta, alpha)


def closed_form_max(r: int, q: float = 0.5, alpha: float = 0.05,
                    guess: Literal["in", "out"] = "in") -> float:
    """``max_refutable_epsilon`` for r guesses of one kind and δ = 0, in closed form: every
    guess right has probability ``p^r``, so ``p = alpha^(1/r)`` and ``ε = logit(p) ∓
    logit(q)``."""
    p = alpha ** (1.0 / r)
    lq = math.log(q / (1 - q))
    return max(0.0, math.log(p / (1 - p)) + (-lq if guess == "in" else lq))


def refutable_table(guesses: tuple[int, ...] = (100, 1000), qs: tuple[float, ...] = (0.5, 0.8),
                    alpha: float = 0.05) -> list[dict[str, float]]:
    """The largest refutable ε for each number of correct "in" guesses and q (δ = 0)."""
    return [{"q": q, "guesses": r, "epsilon": max_refutable_epsilon(r, q=q, alpha=alpha)}
            for q in qs for r in guesses]


# ------------------------------------------------------------------ guesses from scores

#: shares of the candidates guessed "in" (the highest scores) that the selection half chooses
#: from
FRACTIONS = (0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.04,
             0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5)


def top(scores: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of the ``k`` highest ``scores``; ties broken at random (``rng``)."""
    order = rng.permutation(len(scores))
    ranked = order[np.argsort(-np.asarray(scores, dtype=np.float64)[order], kind="stable")]
    return ranked[:k]


def guess_count(fraction: float, m: int) -> int:
    """How many "in" guesses a fraction of ``m`` candidates means (at least one)."""
    return min(m, max(1, round(fraction * m)))


def audit_top(scores: np.ndarray, members: np.ndarray, q: float, fraction: float,
              rng: np.random.Generator) -> AuditCounts:
    """Guess "in" for the top ``fraction`` of the candidates by score, abstain on the rest,
    and count the right guesses (``members``: the candidates' true inclusion bits)."""
    m = len(scores)
    k = guess_count(fraction, m)
    hit = int(np.asarray(members, dtype=bool)[top(scores, k, rng)].sum())
    return AuditCounts(m, q, k, hit)


def choose_fraction(scores: np.ndarray, members: np.ndarray, q: float, alpha: float,
                    rng: np.random.Generator, delta: float = 0.0,
                    fractions: tuple[float, ...] = FRACTIONS) -> tuple[float, float]:
    """On the selection half (bits known): the fraction of "in" guesses whose bound is the
    largest there (then the larger share of right guesses, then the smaller fraction); and
    that bound. The evaluation half is then audited at this fraction, so choosing does not
    inflate its bound."""
    keys = []
    for f in fractions:
        c = audit_top(scores, members, q, f, rng)
        keys.append((epsilon_lower_bound(c, delta, alpha), c.v_in / c.r_in, -f))
    bound, _, neg_f = max(keys)
    return -neg_f, bound
