"""The trend of the certified bound over the last scans of a history store, for the HTML report:
an inline SVG drawn from the records' numbers (no script, no network), and a small table.

Every text drawn goes through ``markupsafe.escape`` (a synthetic file's name is user text).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from ..fmt import level, pct
from .svg import (
    AXIS,
    INK,
    MUTED,
    STATUS_COLOURS,
    Scale,
    figure,
    line,
    pct_tick,
    svg,
    text,
    ticks,
    y_grid,
    y_title,
)

if TYPE_CHECKING:
    from ..history import HistoryRecord

#: how many of the latest records the report draws
LAST = 12
VERDICT_COLOURS = {"high": STATUS_COLOURS["fail"], "inconclusive": STATUS_COLOURS["warn"],
                   "low": STATUS_COLOURS["pass"]}


def _short(words: str | None, n: int) -> str:
    words = " ".join(str(words or "").split())
    return words if len(words) <= n else words[: n - 1] + "…"


def _day(stamp: str | None) -> str:
    return (stamp or "")[:10]


def _top(records: Sequence[HistoryRecord]) -> tuple[float, float]:
    """Upper end and step of the y axis: round, with 10% headroom above every bound."""
    values = [v for r in records for v in (r.certified_upper, r.confirmed_lower)
              if v is not None and math.isfinite(v)]
    top = max(values + [0.01]) * 1.1
    step = ticks(0.0, top, 4)
    step_size = step[1] - step[0] if len(step) > 1 else top
    return math.ceil(top / step_size - 1e-9) * step_size, step_size


def _dot(r: HistoryRecord, x: float, y: float, current: bool) -> str:
    colour = VERDICT_COLOURS.get(r.verdict, MUTED)
    tip = (f"scan #{r.id}, {r.recorded_at}, {r.synthetic_name or 'synthetic data'}: verdict "
           f"{r.verdict}, certified {pct(r.certified_upper)}, confirmed "
           f"{pct(r.confirmed_lower)}")
    ring = f' stroke="{INK}" stroke-width="2"' if current else ' stroke="#fff" stroke-width="1.5"'
    return (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{6.5 if current else 5}" fill="{colour}"'
            f"{ring}><title>{escape(tip)}</title></circle>")


def trend_chart(records: Sequence[HistoryRecord], current: int | None = None) -> Markup:
    """Certified upper bound (solid, dots coloured by verdict) and confirmed lower bound
    (dashed) of each record, oldest on the left; ``current`` (a record id) is ringed."""
    width, height, ml, mr, mt, mb = 720, 260, 64, 20, 24, 64
    hi, step = _top(records)
    n = len(records)
    x = Scale(0.0, max(n - 1, 1), ml + 16, width - mr - 16)
    y = Scale(0.0, hi, height - mb, mt)
    body = y_grid(y, [i * step for i in range(int(round(hi / step)) + 1)], ml, width - mr,
                  pct_tick)
    body.append(line(ml, height - mb, width - mr, height - mb, AXIS))
    body.append(y_title("bound (excess share)", 14, (mt + height - mb) / 2))
    xs = [x(float(i)) if n > 1 else (ml + width - mr) / 2 for i in range(n)]
    for key, dash in (("confirmed_lower", ' stroke-dasharray="6 3"'), ("certified_upper", "")):
        pts = [(xv, y(v)) for xv, r in zip(xs, records, strict=True)
               if (v := getattr(r, key)) is not None]
        if len(pts) > 1:
            body.append('<polyline points="' + " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
                        + f'" fill="none" stroke="{MUTED}" stroke-width="2"{dash}/>')
    for xv, r in zip(xs, records, strict=True):
        if r.certified_upper is not None:
            body.append(_dot(r, xv, y(r.certified_upper), r.id == current))
        body.append(text(xv, height - mb + 16, f"#{r.id}", "muted", "middle"))
        body.append(text(xv, height - mb + 30, _day(r.recorded_at)[5:], "muted", "middle"))
    body.append(line(ml, height - 12, ml + 26, height - 12, MUTED, ' stroke-width="2"')
                + text(ml + 32, height - 8, "certified upper bound (dot: verdict colour)",
                       "muted"))
    body.append(line(ml + 330, height - 12, ml + 356, height - 12, MUTED,
                     ' stroke-width="2" stroke-dasharray="6 3"')
                + text(ml + 362, height - 8, "confirmed lower bound", "muted"))
    return svg(width, height, "Certified upper bound over the last scans", body,
               title_id="trend-chart-title")


def trend_section(records: Sequence[HistoryRecord] | None,
                  current: int | None = None) -> dict[str, Any] | None:
    """What ``_trend.html.j2`` shows: the chart (for the last ``LAST`` records) and one table
    row per record, newest first; None without records."""
    if not records:
        return None
    shown = list(records)[-LAST:]
    current = shown[-1].id if current is None else current
    upper_level = shown[-1].upper_level
    caption = (f"Each point is one scan in the history store (number and day below it), oldest "
               f"on the left: the certified {level(upper_level)} one-sided upper bound of every "
               "component's excess, coloured by the verdict (green low, orange inconclusive, "
               "red high), and the confirmed lower bound, dashed. The ringed point is this "
               "scan. Bounds of scans of different real data, or with another preset, are on "
               "the same scale but certify different people.")
    rows = [[f"#{r.id}", (r.recorded_at or "").replace("T", " ")[:16],
             _short(r.synthetic_name, 40), r.verdict, pct(r.certified_upper),
             pct(r.confirmed_lower), r.binding or "", (r.train_sha256 or "n/a")[:8]]
            for r in reversed(shown)]
    return {"chart": figure(trend_chart(shown, current), caption) if len(shown) > 1 else
            Markup(""), "rows": rows, "shown": len(shown),
            "headers": ["Scan", "Recorded (UTC)", "Synthetic data", "Verdict", "Certified ≤",
                        "Confirmed ≥", "Binding component", "Train SHA-256"]}
