"""Inline SVG charts, drawn from numbers: the risk chart and the details' histograms and curves
of the HTML report, and the line charts of the validation page. Their primitives (scales,
ticks, axes, legends) are in ``svg``; every chart is ``Markup``, its texts escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from ..model import CheckResult
from .details import ChartData, Series, details_label
from .format import number
from .svg import (
    INK,
    MUTED,
    PALETTE,
    STATUS_COLOURS,
    Scale,
    dash_attr,
    figure,
    fx,
    legend,
    line,
    log_ticks,
    nice_step,
    pct_tick,
    series_style,
    shorten,
    svg,
    text,
    ticks,
    x_axis,
    y_grid,
    y_title,
)
from .text import STATUS_WORDS

# -------------------------------------------------------------------------------- risk chart

_RISK_SCALES = ((0.01, 0.0025), (0.02, 0.005), (0.05, 0.01), (0.1, 0.02), (0.2, 0.05),
                (0.5, 0.1), (1.0, 0.2))
_RISK_CAPTION = ("Each row is one risk component. The dot is the estimate (its worst sub-test), "
                 "the thick bar its two-sided interval, the thin bar the bounds the status was "
                 "decided on — the confirmed lower bound (adjusted for the number of components "
                 "and sub-tests) and the certified one-sided upper bound — and the black tick "
                 "the policy threshold.")


def _risk_scale(values: list[float]) -> tuple[float, float]:
    """Upper end and tick step of the risk axis: zoomed to the smallest of a few round scales
    that leaves 10% headroom above every value drawn, never beyond 0-100%."""
    top = max([v for v in values if math.isfinite(v)] + [0.0])
    return next(((hi, step) for hi, step in _RISK_SCALES if top * 1.1 <= hi), (1.0, 0.2))


def _risk_values(rows: list[CheckResult]) -> list[float]:
    values = []
    for ch in rows:
        d = ch.decision
        values += [v for v in (ch.estimate, ch.lower, ch.upper, ch.threshold) if v is not None]
        values += [d.lower, d.upper] if d is not None else []
    return [float(v) for v in values]


def _whisker(x: Scale, lo: float, hi: float, y: float, colour: str, width: float, cap: float,
             extra: str = "") -> list[str]:
    """A horizontal bar from ``lo`` to ``hi`` with end caps of half-height ``cap``."""
    out = [line(x(lo), y, x(hi), y, colour, f' stroke-width="{width}"{extra}')]
    out += [line(x(v), y - cap, x(v), y + cap, colour, f' stroke-width="{max(width / 2, 1.5)}"'
                 f"{extra}") for v in (lo, hi)]
    return out


def _risk_row(ch: CheckResult, x: Scale, yc: float) -> list[str]:
    """One component: its name and status, then its figures (or why there are none)."""
    words = STATUS_WORDS.get(ch.status, ch.status)
    out = [text(8, yc - 3, shorten(ch.name or ch.id, 38)),
           text(8, yc + 11, f"{shorten(ch.id, 30)} · {words}", "muted")]
    if ch.estimate is None or ch.lower is None or ch.upper is None:
        why = f"{words}: {ch.reason or words}"
        return [*out, text(x.start + 4, yc + 4, shorten(why, 70), "muted",
                           extra=' font-style="italic"')]
    colour = STATUS_COLOURS.get(ch.status, MUTED)
    out.append(line(x.start, yc, x.end, yc, "#f2f4f7", ' stroke-width="10"'))
    d = ch.decision
    out += [] if d is None else _whisker(x, d.lower, d.upper, yc, colour, 1.5, 4,
                                         ' stroke-opacity=".45"')
    out += _whisker(x, ch.lower, ch.upper, yc, colour, 4, 7)
    if ch.threshold is not None:
        out.append(line(x(ch.threshold), yc - 13, x(ch.threshold), yc + 13, INK,
                        ' stroke-width="2.5"'))
    out.append(f'<circle cx="{fx(x(ch.estimate))}" cy="{fx(yc)}" r="5.5" fill="{colour}" '
               'stroke="#fff" stroke-width="1.5"/>')
    return out


def _risk_legend(x0: float, y: float) -> list[str]:
    return [f'<circle cx="{x0}" cy="{y - 4}" r="5" fill="{MUTED}"/>',
            text(x0 + 10, y, "estimate", "muted"),
            line(x0 + 80, y - 4, x0 + 110, y - 4, MUTED, ' stroke-width="4"'),
            text(x0 + 116, y, "interval", "muted"),
            line(x0 + 210, y - 4, x0 + 240, y - 4, MUTED,
                 ' stroke-opacity=".45" stroke-width="1.5"'),
            text(x0 + 246, y, "bounds decided on", "muted"),
            line(x0 + 390, y - 12, x0 + 390, y + 4, INK, ' stroke-width="2.5"'),
            text(x0 + 396, y, "threshold", "muted")]


def risk_chart(checks: list[CheckResult]) -> Markup:
    """One row per component: estimate dot, reporting-interval whisker, the decision bounds
    (confirmed lower, certified upper) as a thin bar, and the policy threshold as a tick."""
    rows = [ch for ch in checks if ch.component]
    if not rows:
        return Markup("")
    hi, step = _risk_scale(_risk_values(rows))
    top, row_h = 12, 40
    y_axis = top + row_h * len(rows)
    x = Scale(0.0, hi, 262, 700)
    body = x_axis(x, [i * step for i in range(int(round(hi / step)) + 1)], y_axis, pct_tick,
                  grid_top=top)
    for i, ch in enumerate(rows):
        body += _risk_row(ch, x, top + row_h * i + row_h / 2)
    body += _risk_legend(x.start, y_axis + 40)
    body.append(text(8, y_axis + 16, "risk (excess success)", "muted"))
    chart = svg(720, y_axis + 64, "Risk per check: estimate, interval and policy threshold",
                body, title_id="risk-chart-title")
    zoom = ("" if hi >= 1.0 else f" The axis is zoomed to 0–{pct_tick(hi)}; the full scale is "
            "0–100%.")
    return figure(chart, _RISK_CAPTION + zoom)


# -------------------------------------------------------------------------- details' charts


def _normalise(series: list[Series]) -> tuple[list[Series], bool]:
    """Per-bin values as shares of each series' total, so that tables of different sizes
    compare: counts are divided by their total; series that already sum to 1 are kept. The
    flag says whether the values are shares."""
    if any(v < 0 for s in series for v in s.values):
        return series, False
    if all(abs(sum(s.values) - 1.0) < 1e-3 for s in series):
        return series, True
    if not all(float(v).is_integer() for s in series for v in s.values):
        return series, False
    return [Series(s.name, [v / sum(s.values) for v in s.values] if sum(s.values) > 0
                   else s.values) for s in series], True


def _caption(chart: ChartData, what: str) -> str:
    return f"{details_label(chart.key)}: {what}" + (f" Note: {chart.note}" if chart.note else "")


def _styled(series: list[Series]) -> list[tuple[str, str, str]]:
    return [(s.name, *series_style(i, s.name)) for i, s in enumerate(series)]


def log_chart(chart: ChartData) -> Markup:
    """Curves on log-log axes (straight segments), e.g. a ROC curve where the low
    false-positive region matters. Values at or below the axis floor are drawn on it."""
    width, height, ml, mr, mt, mb = 640, 280, 60, 28, 28, 44
    ys = [v for s in chart.series for v in s.values if v > 0]
    lowest = min(chart.x[0], min(ys, default=chart.x[0]))
    floor = 10.0 ** math.floor(math.log10(lowest) + 1e-9)
    top = max(chart.x[-1], max(ys, default=1.0))
    ceil = 1.0 if top <= 1.0 else 10.0 ** math.ceil(math.log10(top))
    x = Scale(floor, ceil, ml, width - mr, log=True)
    y = Scale(floor, ceil, height - mb, mt, log=True)
    decades = [10.0 ** p for p in range(round(math.log10(floor)), round(math.log10(ceil)) + 1)]
    body = y_grid(y, decades, ml, width - mr, pct_tick)
    body += x_axis(x, decades, height - mb, pct_tick)
    body.append(text((ml + width - mr) / 2, height - 6, "false-positive rate (log scale)",
                     "muted", "middle"))
    body.append(y_title("true-positive rate (log)", 12, (mt + height - mb) / 2))
    for s, (_, colour, dash) in zip(chart.series, _styled(chart.series), strict=True):
        pts = " ".join(f"{fx(x(a))},{fx(y(b))}" for a, b in zip(chart.x, s.values, strict=True))
        body.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"'
                    f"{dash_attr(dash)}/>")
    body += legend(_styled(chart.series), ml + 10, 14, dx=150)
    return figure(svg(width, height, details_label(chart.key), body),
                  _caption(chart, "both axes logarithmic."))


def _step_path(chart: ChartData, s: Series, x: Scale, y: Scale, base: float) -> str:
    """A histogram's outline or a curve's steps, as SVG path data."""
    xs = chart.x
    if chart.kind == "histogram":
        steps = "".join(f"V{fx(y(v))}H{fx(x(xs[k + 1]))}" for k, v in enumerate(s.values))
        return f"M{fx(x(xs[0]))},{fx(base)}{steps}V{fx(base)}"
    steps = "".join(f"H{fx(x(xs[k]))}V{fx(y(s.values[k]))}" for k in range(1, len(xs)))
    return f"M{fx(x(xs[0]))},{fx(y(s.values[0]))}{steps}"


def detail_chart(chart: ChartData) -> Markup:
    """A histogram (step outlines per series) or a curve (step lines)."""
    if chart.log and chart.kind == "curve":
        return log_chart(chart)
    series, shares = (_normalise(chart.series) if chart.kind == "histogram"
                      else (chart.series, False))
    width, height, ml, mr, mt, mb = 640, 250, 60, 16, 28, 44
    ys = [v for s in series for v in s.values]
    ylo, yhi = min(0.0, min(ys)), max(ys)
    yhi = yhi if yhi > ylo else ylo + 1.0
    ystep = nice_step(yhi - ylo, 4)
    ylo, yhi = (math.floor(ylo / ystep - 1e-9) * ystep, math.ceil(yhi / ystep - 1e-9) * ystep)
    x = Scale(chart.x[0], chart.x[-1], ml, width - mr)
    y = Scale(ylo, yhi, height - mb, mt)
    body = y_grid(y, ticks(ylo, yhi, 4), ml, width - mr, pct_tick if shares else number)
    body += x_axis(x, ticks(chart.x[0], chart.x[-1], 6), height - mb, number)
    if shares:
        body.append(y_title("share of rows", 12, (mt + height - mb) / 2))
    for s, (_, colour, dash) in zip(series, _styled(series), strict=True):
        body.append(f'<path d="{_step_path(chart, s, x, y, y(max(ylo, 0.0)))}" fill="none" '
                    f'stroke="{colour}" stroke-width="2"{dash_attr(dash)}/>')
    body += legend(_styled(series), ml + 10, 14, dx=150)
    what = ("Curve as recorded by the check." if chart.kind == "curve" else
            "Share of each table's rows per bin (each series sums to 100%)." if shares
            else "Value per bin.")
    return figure(svg(width, height, details_label(chart.key), body), _caption(chart, what))


# ---------------------------------------------------------------- line charts (validation)


@dataclass(frozen=True)
class Line:
    """A series of (x, y, lo, hi) points; ``lo``/``hi`` (an error bar) may be None."""

    label: str
    points: Sequence[tuple[float, float, float | None, float | None]]


def _dots(s: Line, i: int, n: int, x: Scale, y: Scale) -> list[str]:
    """A series' line, error bars and dots, dodged sideways so that bars do not overlap."""
    colour = PALETTE[i % len(PALETTE)]
    shift = 5.0 * (i - (n - 1) / 2)
    pts = sorted(p for p in s.points if not x.log or p[0] > 0)
    out = ['<polyline points="' + " ".join(f"{fx(x(p[0]) + shift)},{fx(y(p[1]))}" for p in pts)
           + f'" fill="none" stroke="{colour}" stroke-width="2"/>']
    for px, py, lo, hi in pts:
        if lo is not None and hi is not None:
            out.append(line(x(px) + shift, y(lo), x(px) + shift, y(hi), colour,
                            ' stroke-width="1.2"'))
        out.append(f'<circle cx="{fx(x(px) + shift)}" cy="{fx(y(py))}" r="3.5" fill="{colour}"/>')
    return out


def line_chart(series: Sequence[Line], title: str, xlabel: str, ylabel: str,
               xlim: tuple[float, float], ylim: tuple[float, float], log_x: bool = False,
               pct_x: bool = True, hlines: Sequence[tuple[float, str]] = ()) -> Markup:
    """A standalone SVG file of lines with error bars (y on the 0-1 scale, shown in percent),
    with dashed horizontal reference lines ``hlines`` (y, label) and a legend on the right."""
    width, height, ml, mr, mt, mb = 640, 400, 64, 170, 36, 52
    x = Scale(*xlim, ml, width - mr, log=log_x)
    y = Scale(*ylim, height - mb, mt)
    xticks = log_ticks(*xlim) if log_x else ticks(*xlim)
    body = [text(ml, 20, title, "title")]
    body += y_grid(y, ticks(*ylim), ml, width - mr, pct_tick)
    body += x_axis(x, xticks, height - mb, pct_tick if pct_x else number, grid_top=mt)
    body.append(text((ml + width - mr) / 2, height - 12, xlabel, "muted", "middle"))
    body.append(y_title(ylabel, 16, (mt + height - mb) / 2))
    for yv, label in hlines:
        body.append(line(ml, y(yv), width - mr, y(yv), "#888", ' stroke-dasharray="5,4"')
                    + text(ml + 4, y(yv) - 4, label, "muted"))
    drawn = [s for s in series if any(not log_x or p[0] > 0 for p in s.points)]
    for i, s in enumerate(drawn):
        body += _dots(s, i, len(drawn), x, y)
    body += legend([(s.label, PALETTE[i % len(PALETTE)], "") for i, s in enumerate(drawn)],
                   width - mr + 12, mt + 10, dy=18, width=24)
    return svg(width, height, title, body, standalone=True)
