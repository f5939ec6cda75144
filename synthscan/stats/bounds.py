"""One-sided bounds for an excess share ``e = r_T - r_H`` and the per-component decision.

Every risk component is a set of *sub-tests*; each sub-test counts an event over training
targets (``k_t`` of ``n_t``) and over holdout targets (``k_h`` of ``n_h``). Its estimand is the
absolute excess ``e = r_T - r_H``: the share of training data subjects for whom the event happens
*because* they were in the training data. No division by ``1 - r_H``: that ratio inflates noise
whenever the control rate is high and makes a secret with no room a permanent blocker.

Bounds are MOVER limits (Newcombe's method of variance estimates recovery) built from
one-sided Clopper–Pearson limits of the two rates::

    L = d - sqrt((p_t - l_t)^2 + (u_h - p_h)^2)     U = d + sqrt((u_t - p_t)^2 + (p_h - l_h)^2)

with every limit one-sided at the same level. Clopper–Pearson rather than Wilson: at rare
events (a handful of verbatim copies) Wilson's upper limit at 0 successes is ``z^2 / (n + z^2)``,
which undercovers for small alpha, while the exact limit ``1 - alpha^(1/n)`` keeps its level;
the boundary false-``low`` rate of this bound is measured in docs/validation.md and guarded in
the tests. Counts may be fractional (tie credits, expected counts at equal size): the beta
quantiles are defined for real parameters.

The verdict (``risk/verdict.py``) reads, per component: the lower bound at
``alpha / (K * m)`` (Bonferroni over components and sub-tests, for ``high``) and the upper bound
at ``alpha`` without adjustment (intersection–union, for ``low``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: normal quantile of the power used for "more data needed" guidance
POWER = 0.8


@dataclass(frozen=True)
class SubTest:
    """One event counted over training targets and over holdout targets.

    ``n_h == 0`` means there is no control group (a scan without a holdout): the bounds are
    then those of ``r_T`` alone, weaker evidence that cannot separate chance from memorisation.
    """

    label: str
    k_t: float
    n_t: float
    k_h: float = 0.0
    n_h: float = 0.0

    def __post_init__(self) -> None:
        for k, n, side in ((self.k_t, self.n_t, "train"), (self.k_h, self.n_h, "holdout")):
            if not (math.isfinite(k) and math.isfinite(n)) or n < 0 or not 0 <= k <= n:
                raise ValueError(f"sub-test {self.label!r}: {side} count {k} of {n} is not a "
                                 "count between 0 and its total")
        if self.n_t <= 0:
            raise ValueError(f"sub-test {self.label!r}: no training targets")

    @property
    def has_control(self) -> bool:
        return self.n_h > 0

    @property
    def rate_t(self) -> float:
        return self.k_t / self.n_t

    @property
    def rate_h(self) -> float:
        return self.k_h / self.n_h if self.n_h > 0 else 0.0

    @property
    def estimate(self) -> float:
        """Unclipped excess ``r_T - r_H``."""
        return self.rate_t - self.rate_h

    @property
    def standard_error(self) -> float:
        p_t, p_h = self.rate_t, self.rate_h
        var = p_t * (1 - p_t) / self.n_t
        if self.has_control:
            var += p_h * (1 - p_h) / self.n_h
        return math.sqrt(var)

    def to_dict(self) -> dict[str, float | str]:
        """Counts as JSON numbers: whole counts as integers, so a result reads back the same."""
        return {"label": self.label, "k_t": _count(self.k_t), "n_t": _count(self.n_t),
                "k_h": _count(self.k_h), "n_h": _count(self.n_h), "estimate": self.estimate}

    @classmethod
    def from_dict(cls, d: dict) -> SubTest:
        return cls(str(d["label"]), float(d["k_t"]), float(d["n_t"]), float(d.get("k_h", 0)),
                   float(d.get("n_h", 0)))


def _count(x: float) -> float:
    x = float(x)
    return int(x) if x.is_integer() else x


def _check_alpha(alpha: float) -> float:
    alpha = float(alpha)
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    return alpha


def cp_lower(k: float, n: float, alpha: float) -> float:
    """One-sided Clopper–Pearson lower limit of a rate at level ``1 - alpha``."""
    from scipy.special import betaincinv

    alpha = _check_alpha(alpha)
    if n <= 0 or k <= 0:
        return 0.0
    if k >= n:
        return float(alpha ** (1.0 / n))
    return float(min(betaincinv(k, n - k + 1, alpha), k / n))


def cp_upper(k: float, n: float, alpha: float) -> float:
    """One-sided Clopper–Pearson upper limit of a rate at level ``1 - alpha``."""
    from scipy.special import betaincinv

    alpha = _check_alpha(alpha)
    if n <= 0 or k >= n:
        return 1.0
    if k <= 0:
        return float(1.0 - alpha ** (1.0 / n))
    return float(max(betaincinv(k + 1, n - k, 1.0 - alpha), k / n))


def _mover(test: SubTest, alpha: float, upper: bool) -> float:
    """One-sided MOVER bound of ``r_T - r_H`` from exact one-sided limits of the two rates:
    the training rate's limit on the bound's side, the holdout rate's on the other."""
    cp_t, cp_h = (cp_upper, cp_lower) if upper else (cp_lower, cp_upper)
    lim_t = cp_t(test.k_t, test.n_t, alpha)
    if not test.has_control:
        return lim_t
    lim_h = cp_h(test.k_h, test.n_h, alpha)
    reach = math.hypot(lim_t - test.rate_t, test.rate_h - lim_h)
    return test.estimate + reach if upper else test.estimate - reach


def excess_lower(test: SubTest, alpha: float) -> float:
    """One-sided lower bound of ``r_T - r_H`` at level ``1 - alpha`` (MOVER, exact limits)."""
    return _mover(test, alpha, upper=False)


def excess_upper(test: SubTest, alpha: float) -> float:
    """One-sided upper bound of ``r_T - r_H`` at level ``1 - alpha`` (MOVER, exact limits)."""
    return _mover(test, alpha, upper=True)


def reporting_interval(test: SubTest, alpha: float) -> tuple[float, float]:
    """Two-sided ``1 - alpha`` interval of ``r_T - r_H`` (one-sided limits at alpha / 2)."""
    return excess_lower(test, alpha / 2), excess_upper(test, alpha / 2)


def worst_test(tests: Sequence[SubTest], alpha: float) -> SubTest:
    """The sub-test the verdict reports as the worst: largest excess, then largest upper
    bound (the rule of ``decide``)."""
    return max(tests, key=lambda t: (t.estimate, excess_upper(t, alpha)))


def null_upper(test: SubTest, alpha: float) -> float:
    """The upper bound this sub-test would give if training targets did exactly as well as
    holdout targets (no leak): the smallest threshold these sizes can certify."""
    base = test.rate_h if test.has_control else 0.0
    twin = SubTest(test.label, base * test.n_t, test.n_t, test.k_h, test.n_h)
    return excess_upper(twin, alpha)


@dataclass(frozen=True)
class Decision:
    """What the verdict reads for one component.

    ``lower`` is the confirmed lower bound at level ``lower_level`` (family-adjusted: every
    component and sub-test), ``upper`` the certified upper bound at ``upper_level``
    (unadjusted: ``low`` needs every bound below its threshold, an intersection–union test).
    ``estimate`` is the worst sub-test's excess, biased upwards as a maximum of noisy estimates
    when ``sub_tests > 1``. ``certifiable`` is the smallest threshold these sizes can certify
    (the upper bound if there were no leak); ``standard_error`` is the worst sub-test's.
    """

    estimate: float
    lower: float
    upper: float
    lower_level: float
    upper_level: float
    sub_tests: int
    worst: str
    binding: str
    certifiable: float
    standard_error: float

    def to_dict(self) -> dict[str, float | int | str]:
        return {"estimate": self.estimate, "lower": self.lower, "upper": self.upper,
                "lower_level": self.lower_level, "upper_level": self.upper_level,
                "sub_tests": self.sub_tests, "worst": self.worst, "binding": self.binding,
                "certifiable": self.certifiable, "standard_error": self.standard_error}

    @classmethod
    def from_dict(cls, d: dict) -> Decision:
        return cls(float(d["estimate"]), float(d["lower"]), float(d["upper"]),
                   float(d["lower_level"]), float(d["upper_level"]), int(d["sub_tests"]),
                   str(d["worst"]), str(d.get("binding", d["worst"])),
                   float(d["certifiable"]), float(d["standard_error"]))


def decide(tests: Sequence[SubTest], alpha: float, family: int) -> Decision:
    """Decision bounds of a component from its sub-tests.

    Parameters
    ----------
    tests : the component's sub-tests (``m = len(tests)``).
    alpha : the scan's error rate; ``upper`` is one-sided at ``alpha``.
    family : ``K``, the number of components that can raise ``high``; ``lower`` is one-sided at
        ``alpha / (K * m)``.
    """
    if not tests:
        raise ValueError("a component needs at least one sub-test")
    alpha = _check_alpha(alpha)
    m = len(tests)
    alpha_high = alpha / (max(int(family), 1) * m)
    lowers = [excess_lower(t, alpha_high) for t in tests]
    uppers = [excess_upper(t, alpha) for t in tests]
    worst = max(range(m), key=lambda j: (tests[j].estimate, uppers[j]))
    binding = max(range(m), key=lambda j: (uppers[j], tests[j].estimate))
    return Decision(
        estimate=tests[worst].estimate,
        lower=max(lowers),
        upper=max(uppers),
        lower_level=1.0 - alpha_high,
        upper_level=1.0 - alpha,
        sub_tests=m,
        worst=tests[worst].label,
        binding=tests[binding].label,
        certifiable=max(null_upper(t, alpha) for t in tests),
        standard_error=tests[binding].standard_error,
    )


def _scaled(test: SubTest, f: float) -> SubTest:
    return SubTest(test.label, test.k_t * f, test.n_t * f, test.k_h * f, test.n_h * f)


def more_data_factor(tests: Sequence[SubTest], theta: float, alpha: float,
                     cap: float = 100.0) -> float | None:
    """About how many times more rows (every count scaled alike) would let every sub-test's
    upper bound fall below ``theta`` with 80% power, if the current rates held.

    Solved with the bound itself rather than a normal formula, so that rare counts (no
    verbatim copy among a thousand unique records: an upper bound of about 3 / n, shrinking
    like 1 / n, not 1 / sqrt(n)) get the right answer. Returns None when some estimate is at
    or above the threshold (more data would then confirm a leak, not rule one out), ``inf``
    beyond ``cap``.
    """
    from scipy.special import ndtri

    if not tests or max(t.estimate for t in tests) >= theta:
        return None
    z_power = float(ndtri(POWER))

    def certified(f: float) -> bool:
        return all(excess_upper(u, alpha) + z_power * u.standard_error < theta
                   for u in (_scaled(t, f) for t in tests))

    if certified(1.0):
        return 1.0
    if not certified(cap):
        return math.inf
    lo, hi = 1.0, cap
    for _ in range(40):  # bisection on a log scale: ample for one decimal
        mid = math.sqrt(lo * hi)
        lo, hi = (lo, mid) if certified(mid) else (mid, hi)
    return hi
