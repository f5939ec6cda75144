"""Shared statistics: confidence intervals, multiple testing and power helpers."""

from .intervals import (
    clopper_pearson,
    holm,
    min_detectable_difference,
    newcombe_diff,
    normal_quantile,
    wilson,
)

__all__ = [
    "clopper_pearson",
    "holm",
    "min_detectable_difference",
    "newcombe_diff",
    "normal_quantile",
    "wilson",
]
