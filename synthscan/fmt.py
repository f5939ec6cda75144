"""Number formatting shared by the checks' sentences and every report."""

from __future__ import annotations

import math


def pct(x: float | None, digits: int = 2) -> str:
    """A 0-1 figure as a percentage (``0.0123`` -> ``1.23%``); ``n/a`` when missing."""
    if x is None or not math.isfinite(float(x)):
        return "n/a"
    return f"{100 * float(x) + 0.0:.{digits}f}%"


def pts(x: float, digits: int = 1) -> str:
    """A 0-1 difference in percentage points, without the unit (``0.023`` -> ``2.3``)."""
    return f"{100 * float(x) + 0.0:.{digits}f}"


def level(x: float | None) -> str:
    """A confidence level without trailing zeros (``0.95`` -> ``95%``, ``0.99375`` ->
    ``99.38%``)."""
    if x is None:
        return ""
    s = f"{100 * x:.2f}".rstrip("0").rstrip(".")
    return f"{s}%"
