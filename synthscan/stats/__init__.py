"""Shared statistics: confidence intervals, multiple testing and power helpers (the interval
functions are re-exported here; the decision bounds live in ``stats.bounds``)."""

from .intervals import *  # noqa: F403
from .intervals import __all__ as __all__
