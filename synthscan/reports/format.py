"""Numbers as the reports print them: counts and measurements, a check's figures on its own
scale, and intervals with the confidence levels the result records (never a literal level).
Percentages and levels come from ``synthscan.fmt``, the one number formatter."""

from __future__ import annotations

import math
from typing import Any

from ..fmt import level, pct
from ..model import CheckResult


def number(x: Any) -> str:
    """A count or measurement, compactly: integers with separators, floats to 4 digits."""
    if x is None:
        return "n/a"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return f"{x:,}"
    if isinstance(x, float):
        return _float(x)
    return str(x)


def _float(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    if x.is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    if 1 <= abs(x) < 1e12:
        decimals = max(1, 3 - int(math.floor(math.log10(abs(x)))))
        return f"{x:,.{decimals}f}".rstrip("0").rstrip(".")
    if 1e-3 <= abs(x) < 1:
        return f"{x:.4g}"
    return f"{x:.3g}"


def interval(lo: float | None, hi: float | None) -> str:
    """Two shares as a range of percentages; ``n/a`` when either is missing."""
    if lo is None or hi is None:
        return "n/a"
    return f"{pct(lo)} – {pct(hi)}"


def figure(check: CheckResult, x: float | None) -> str:
    """A check's estimate or bound on its scale: a share as a percentage, a probability (an
    AUC) as a number."""
    if x is None:
        return "n/a"
    return pct(x) if check.scale == "share" else f"{float(x):.3f}"


def figure_interval(check: CheckResult) -> str:
    """A check's reporting interval on its own scale."""
    if check.lower is None or check.upper is None:
        return "n/a"
    return f"{figure(check, check.lower)} – {figure(check, check.upper)}"


def interval_level(check: CheckResult, scan_level: float) -> str:
    """The two-sided level of a check's reporting interval: ``1 - alpha``, read from the
    check's decision (its unadjusted upper level) or else the scan's (``risk.upper_level``)."""
    d = check.decision
    return level(d.upper_level if d is not None else scan_level)


def decision_cells(check: CheckResult) -> tuple[str, str]:
    """(confirmed lower bound, certified upper bound), each with its one-sided level; blank
    for checks that are not decided against a threshold."""
    d = check.decision
    if d is None:
        return "", ""
    return (f"{pct(max(d.lower, 0.0))} ({level(d.lower_level)})",
            f"{pct(d.upper)} ({level(d.upper_level)})")
