"""Hypothesis tests used as descriptive figures next to the bounds (never for the verdict)."""

from __future__ import annotations

import math


def two_proportion_p(k_t: float, n_t: float, k_h: float, n_h: float) -> float:
    """One-sided p-value of the pooled two-proportion z-test of ``k_t / n_t > k_h / n_h``
    (normal approximation; 1 when a side is empty or the pooled rate is 0 or 1). Counts may be
    fractional (tie credits)."""
    from scipy.special import ndtr

    if n_t == 0 or n_h == 0:
        return 1.0
    p = (k_t + k_h) / (n_t + n_h)
    var = p * (1 - p) * (1 / n_t + 1 / n_h)
    if var <= 0:
        return 1.0
    z = (k_t / n_t - k_h / n_h) / math.sqrt(var)
    return min(1.0, max(0.0, float(ndtr(-z))))
