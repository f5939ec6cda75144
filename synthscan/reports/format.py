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
    """(confirmed lower bound, certified upper bound), each with its one-sided level and printed
    precisely enough to show on which side of its threshold it lies (``none`` when nothing is
    confirmed); blank for checks that are not decided against a threshold."""
    d = check.decision
    if d is None:
        return "", ""
    theta = check.threshold if check.threshold is not None else d.upper
    high = check.high_threshold if check.high_threshold is not None else theta
    lower = "none" if d.lower <= 0 else pct_vs(d.lower, high)
    return (f"{lower} ({level(d.lower_level)})",
            f"{pct_vs(d.upper, theta)} ({level(d.upper_level)})")


def threshold_cells(check: CheckResult) -> tuple[str, str]:
    """(passes below, fails above): the threshold the certified bound must stay under, and the
    one the confirmed bound must exceed to fail (``0.00% (any)`` where any confirmed excess
    fails)."""
    if check.threshold is None:
        return "", ""
    high = check.high_threshold if check.high_threshold is not None else check.threshold
    return pct(check.threshold), pct(high) + (" (any)" if high == 0 else "")


#: an interval at least this wide (on the 0-1 share scale) says nothing useful
TOO_WIDE = 0.5
TOO_LITTLE = "too little data to tell"


def pct_vs(x: float, ref: float, digits: int = 2) -> str:
    """``x`` as a percentage, with as many more decimals (up to 4) as it takes for the printed
    figure to differ from ``ref``'s whenever the two numbers differ: a bound printed beside a
    threshold then shows on which side of it it lies."""
    if not (math.isfinite(x) and math.isfinite(ref)) or x == ref:
        return pct(x, digits)
    for d in range(digits, 5):
        if pct(x, d) != pct(ref, d):
            return pct(x, d)
    return pct(x, 4)


def count(x: float) -> str:
    """A count, whole or fractional (tie credit, averages): ``1,234``, ``about 301``, ``2.5``."""
    x = float(x)
    if x.is_integer():
        return f"{int(x):,}"
    return f"about {round(x):,}" if x >= 10 else f"{x:.1f}"


def count_of(k: float, n: float) -> str:
    """``12 of 377``."""
    return f"{count(k)} of {count(n)}"


def p_value(p: float | None) -> str:
    """A p-value as people read it: ``< 0.001`` rather than ``0`` or ``0.000999``."""
    if p is None or not math.isfinite(p):
        return "n/a"
    if p < 0.001:
        return "< 0.001"
    return f"{p:.3f}".rstrip("0").rstrip(".") if p < 0.995 else "1"


def interval_text(check: CheckResult) -> str:
    """A check's reporting interval as ``a to b`` on its scale, or ``too little data to tell``
    (with the interval) when it spans half the scale or more. Its level is printed beside it
    (``interval_level``)."""
    if check.lower is None or check.upper is None:
        return "n/a"
    text = f"{figure(check, check.lower)} to {figure(check, check.upper)}"
    if check.scale == "share" and check.upper - check.lower >= TOO_WIDE:
        return f"{TOO_LITTLE} ({text})"
    return text
