"""Confidence intervals and multiple-testing helpers for risk estimates.

Every attack in synthscan ends in a count ("k of n targets were matched"), so the
report needs honest uncertainty for binomial proportions, for the difference between
a training-set rate and a holdout (control) rate, and for the family of tests run in
one scan. The special functions (normal quantile, inverse regularized incomplete beta)
come from ``scipy.special``, imported inside the functions that need them.

All interval functions default to ``alpha=0.05`` (95% two-sided) and are defined for
the edge cases ``k=0``, ``k=n`` and ``n=0`` without warnings or NaN.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence

__all__ = [
    "clopper_pearson",
    "holm",
    "min_detectable_difference",
    "newcombe_diff",
    "normal_quantile",
    "wilson",
]

# --------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------


def _check_alpha(alpha: float, name: str = "alpha") -> float:
    alpha = float(alpha)
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"{name} must be in (0, 1), got {alpha!r}")
    return alpha


def _as_count(value: float, name: str) -> int:
    """Coerce a count (int, numpy integer, or whole-valued float) to a Python int."""
    try:
        return operator.index(value)  # type: ignore[arg-type]  # ints of any kind
    except TypeError:
        pass
    as_float = float(value)
    if not as_float.is_integer():
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return int(as_float)


def _check_counts(k: float, n: float, fractional: bool = False) -> tuple[float, float]:
    """Validate counts. ``fractional`` admits non-integer counts (expected counts from an
    equal-size comparison); score intervals are defined for them, exact ones are not."""
    if fractional:
        k, n = float(k), float(n)
        if math.isnan(k) or math.isnan(n):
            raise ValueError("counts must not be NaN")
        if k.is_integer() and n.is_integer():
            k, n = int(k), int(n)
    else:
        k = _as_count(k, "k")
        n = _as_count(n, "n")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n!r}")
    if not 0 <= k <= n:
        raise ValueError(f"k must satisfy 0 <= k <= n, got k={k!r}, n={n!r}")
    return k, n


def _clip(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


# --------------------------------------------------------------------------------------
# Special functions: scipy.special, imported lazily (``import synthscan`` stays light)
# --------------------------------------------------------------------------------------


def normal_quantile(p: float) -> float:
    """Inverse of the standard normal CDF (``scipy.special.ndtri``).

    Parameters
    ----------
    p : float
        Probability in [0, 1]; 0 and 1 map to -inf and +inf.

    Returns
    -------
    float
        ``x`` such that ``Phi(x) = p``.
    """
    from scipy.special import ndtri

    p = float(p)
    if not 0.0 <= p <= 1.0:  # also rejects NaN
        raise ValueError(f"p must be in [0, 1], got {p!r}")
    return float(ndtri(p))


def _betaincinv(a: float, b: float, y: float, upper: bool = False) -> float:
    """``x`` with ``I_x(a, b) = y`` (or ``1 - I_x(a, b) = y`` when ``upper``)."""
    from scipy.special import betainccinv, betaincinv

    return float(betainccinv(a, b, y) if upper else betaincinv(a, b, y))


# --------------------------------------------------------------------------------------
# Intervals for one proportion
# --------------------------------------------------------------------------------------


def wilson(k: float, n: float, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion ``k / n``.

    Preferred default for attack success rates: good coverage for small ``n`` and
    rates near 0 or 1, where the Wald interval collapses.

    Parameters
    ----------
    k, n : float
        Successes and trials, ``0 <= k <= n``; ``k`` may be an expected (fractional) count.
    alpha : float
        Two-sided error rate; ``0.05`` gives a 95% interval.

    Returns
    -------
    tuple of float
        ``(lower, upper)`` within [0, 1]; ``(0.0, 1.0)`` when ``n == 0``.
    """
    k, n = _check_counts(k, n, fractional=True)
    alpha = _check_alpha(alpha)
    if n == 0:
        return 0.0, 1.0
    z = normal_quantile(1.0 - alpha / 2.0)
    z2 = z * z
    # (2k + z^2 -/+ z sqrt(z^2 + 4 k (n - k) / n)) / (2 (n + z^2)); exact 0 / 1 at the
    # boundaries because the square root reduces to z.
    root = z * math.sqrt(z2 + 4.0 * k * (n - k) / n)
    denom = 2.0 * (n + z2)
    lower = 0.0 if k == 0 else _clip((2.0 * k + z2 - root) / denom, 0.0, 1.0)
    upper = 1.0 if k == n else _clip((2.0 * k + z2 + root) / denom, 0.0, 1.0)
    p_hat = k / n
    return min(lower, p_hat), max(upper, p_hat)


def clopper_pearson(k: float, n: float, alpha: float = 0.05) -> tuple[float, float]:
    """Clopper-Pearson ("exact") interval for a binomial proportion ``k / n``.

    Guaranteed coverage of at least ``1 - alpha``; conservative, so useful when a
    report must not understate the risk bound. Endpoints are beta quantiles,
    ``Beta(k, n-k+1)`` at ``alpha/2`` and ``Beta(k+1, n-k)`` at ``1-alpha/2``.

    Parameters
    ----------
    k, n : int
        Successes and trials, ``0 <= k <= n``.
    alpha : float
        Two-sided error rate.

    Returns
    -------
    tuple of float
        ``(lower, upper)``; lower is 0 when ``k == 0``, upper is 1 when ``k == n``,
        and ``(0.0, 1.0)`` when ``n == 0``.
    """
    k, n = _check_counts(k, n)
    alpha = _check_alpha(alpha)
    if n == 0:
        return 0.0, 1.0
    p_hat = k / n
    # lower: Beta(k, n-k+1) quantile at alpha/2; upper: Beta(k+1, n-k) quantile at
    # 1 - alpha/2, solved as an upper-tail probability of alpha/2.
    lower = 0.0 if k == 0 else _betaincinv(k, n - k + 1, alpha / 2.0)
    upper = 1.0 if k == n else _betaincinv(k + 1, n - k, alpha / 2.0, upper=True)
    return _clip(lower, 0.0, p_hat), _clip(upper, p_hat, 1.0)


# --------------------------------------------------------------------------------------
# Difference of two proportions and excess over control
# --------------------------------------------------------------------------------------


def newcombe_diff(
    k1: float, n1: float, k2: float, n2: float, alpha: float = 0.05
) -> tuple[float, float, float]:
    """Newcombe hybrid score interval for ``p1 - p2`` of two independent proportions.

    Method 10 of Newcombe (1998), built from the two Wilson intervals; used to compare
    an attack's rate on training records against its rate on holdout records.

    Parameters
    ----------
    k1, n1 : int
        Successes and trials of the first group.
    k2, n2 : int
        Successes and trials of the second group.
    alpha : float
        Two-sided error rate.

    Returns
    -------
    tuple of float
        ``(estimate, lower, upper)`` with ``-1 <= lower <= estimate <= upper <= 1``;
        ``(0.0, -1.0, 1.0)`` if either group is empty.
    """
    k1, n1 = _check_counts(k1, n1, fractional=True)
    k2, n2 = _check_counts(k2, n2, fractional=True)
    alpha = _check_alpha(alpha)
    if n1 == 0 or n2 == 0:
        return 0.0, -1.0, 1.0
    p1 = k1 / n1
    p2 = k2 / n2
    l1, u1 = wilson(k1, n1, alpha)
    l2, u2 = wilson(k2, n2, alpha)
    diff = p1 - p2
    lower = diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return diff, _clip(lower, -1.0, diff), _clip(upper, diff, 1.0)


# --------------------------------------------------------------------------------------
# Multiple testing and power
# --------------------------------------------------------------------------------------


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm step-down adjusted p-values.

    Controls the family-wise error rate over the several attacks run in one scan and
    is uniformly more powerful than Bonferroni. Reject hypothesis ``i`` at level
    ``alpha`` iff ``adjusted[i] <= alpha``.

    Parameters
    ----------
    pvalues : sequence of float
        Raw p-values in [0, 1].

    Returns
    -------
    list of float
        Adjusted p-values in the input order, monotone in the raw p-values, capped at 1.
    """
    ps = [float(p) for p in pvalues]
    for p in ps:
        if not 0.0 <= p <= 1.0:  # also rejects NaN
            raise ValueError(f"p-values must be in [0, 1], got {p!r}")
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, idx in enumerate(order):
        running = max(running, min(1.0, (m - rank) * ps[idx]))
        adjusted[idx] = running
    return adjusted


def min_detectable_difference(
    n1: int, n2: int, p0: float, alpha: float = 0.05, power: float = 0.8
) -> float:
    """Smallest true difference ``p1 - p0`` detectable with the given power.

    One-sided two-proportion test at level ``alpha``, normal approximation with the
    variance at ``p0`` in both groups:
    ``(z_{1-alpha} + z_{power}) * sqrt(p0 (1 - p0) (1/n1 + 1/n2))``. Lets a report say
    "no leak found, but leaks smaller than this could not have been seen".

    Parameters
    ----------
    n1, n2 : int
        Group sizes.
    p0 : float
        Baseline (control) rate in [0, 1].
    alpha : float
        One-sided significance level.
    power : float
        Desired power in (0, 1).

    Returns
    -------
    float
        Minimal detectable difference; ``inf`` if either group is empty.
    """
    n1 = _as_count(n1, "n1")
    n2 = _as_count(n2, "n2")
    if n1 < 0 or n2 < 0:
        raise ValueError(f"group sizes must be >= 0, got n1={n1!r}, n2={n2!r}")
    p0 = float(p0)
    if not 0.0 <= p0 <= 1.0:
        raise ValueError(f"p0 must be in [0, 1], got {p0!r}")
    alpha = _check_alpha(alpha)
    power = _check_alpha(power, "power")
    if n1 == 0 or n2 == 0:
        return math.inf
    z_sum = normal_quantile(1.0 - alpha) + normal_quantile(power)
    return z_sum * math.sqrt(p0 * (1.0 - p0) * (1.0 / n1 + 1.0 / n2))
