"""Shared statistics: confidence intervals, multiple testing and power helpers."""

from .intervals import (
    bonferroni_alpha,
    clopper_pearson,
    excess_interval,
    excess_rate,
    holm,
    min_detectable_difference,
    newcombe_diff,
    normal_quantile,
    wilson,
)

__all__ = [
    "bonferroni_alpha",
    "clopper_pearson",
    "excess_interval",
    "excess_rate",
    "holm",
    "min_detectable_difference",
    "newcombe_diff",
    "normal_quantile",
    "wilson",
]
