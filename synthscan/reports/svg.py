"""Inline SVG charts for the HTML report: the risk chart (estimate, interval, decision interval
and threshold per component) and line charts of distributions found in a check's details.

Pure functions returning SVG markup; every label goes through ``esc``.
"""

from __future__ import annotations

import math

from ..model import CheckResult
from . import _common as c
from ._common import esc as e

STATUS_COLOURS = {
    "fail": "#b42318",
    "warn": "#b54708",
    "pass": "#067647",
    "error": "#6941c6",
    "skipped": "#667085",
    "info": "#475467",
}

_SERIES_COLOURS = {"train": "#b42318", "synthetic": "#1d4ed8", "holdout": "#344054"}
_PALETTE = ("#1d4ed8", "#b42318", "#344054", "#7a5af8", "#0e9384", "#c4320a")
_DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")


def _f(x: float) -> str:
    return f"{x:.1f}"


_RISK_SCALES = ((0.01, 0.0025), (0.02, 0.005), (0.05, 0.01), (0.1, 0.02), (0.2, 0.05),
                (0.5, 0.1), (1.0, 0.2))


def _risk_scale(values: list[float]) -> tuple[float, float]:
    """Upper end and tick step of the risk axis: zoomed to the smallest of a few round scales
    that leaves 10% headroom above every value drawn, never beyond 0-100%."""
    top = max([v for v in values if math.isfinite(v)] + [0.0])
    for hi, step in _RISK_SCALES:
        if top * 1.1 <= hi:
            return hi, step
    return 1.0, 0.2


def _pct_tick(v: float) -> str:
    return f"{100 * v:.4g}%"


def _nice_step(span: float, target: int = 5) -> float:
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / target
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    step = _nice_step(hi - lo, target)
    start = math.ceil(lo / step - 1e-9) * step
    out = []
    v = start
    while v <= hi + step * 1e-9 and len(out) < 50:
        out.append(0.0 if abs(v) < step * 1e-9 else v)
        v += step
    return out


def _short(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def risk_chart(checks: list[CheckResult]) -> str:
    """One row per component: estimate dot, reporting-interval whisker, the decision bounds
    (confirmed lower, certified upper) as a thin bar, and the policy threshold as a tick."""
    rows = [ch for ch in checks if ch.component]
    if not rows:
        return ""
    values: list[float] = []
    for ch in rows:
        adj = c.adjusted_interval(ch)
        for v in (ch.estimate, ch.lower, ch.upper, ch.threshold, *(adj or ())):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                values.append(float(v))
    hi, step = _risk_scale(values)
    lo = 0.0
    x0, x1 = 262, 700
    width, row_h, top = 720, 40, 12
    height = top + row_h * len(rows) + 64

    def x(v: float) -> float:
        v = min(max(v, lo), hi)
        return x0 + (x1 - x0) * (v - lo) / (hi - lo)

    out = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           'role="img" aria-labelledby="risk-chart-title">',
           '<title id="risk-chart-title">Risk per check: estimate, interval and policy '
           'threshold</title>']
    y_axis = top + row_h * len(rows)
    n_ticks = int(round((hi - lo) / step))
    for i in range(n_ticks + 1):
        v = lo + i * step
        xv = _f(x(v))
        out.append(f'<line x1="{xv}" y1="{top}" x2="{xv}" y2="{y_axis}" stroke="#eaecf0"/>')
        out.append(f'<text x="{xv}" y="{y_axis + 16}" text-anchor="middle" class="muted">'
                   f'{e(_pct_tick(v))}</text>')
    out.append(f'<line x1="{x0}" y1="{y_axis}" x2="{x1}" y2="{y_axis}" stroke="#98a2b3"/>')
    for i, ch in enumerate(rows):
        yc = top + row_h * i + row_h / 2
        colour = STATUS_COLOURS.get(ch.status, "#475467")
        out.append(f'<text x="8" y="{_f(yc - 3)}">{e(_short(ch.name or ch.id, 38))}</text>')
        out.append(f'<text x="8" y="{_f(yc + 11)}" class="muted">{e(_short(ch.id, 30))} · '
                   f'{e(ch.status)}</text>')
        if ch.estimate is None or ch.lower is None or ch.upper is None:
            why = ch.reason or c.STATUS_WORDS.get(ch.status, ch.status)
            out.append(f'<text x="{x0 + 4}" y="{_f(yc + 4)}" class="muted" font-style="italic">'
                       f'{e(_short(c.STATUS_WORDS.get(ch.status, ch.status) + ": " + why, 70))}'
                       '</text>')
            continue
        out.append(f'<line x1="{x0}" y1="{_f(yc)}" x2="{x1}" y2="{_f(yc)}" stroke="#f2f4f7" '
                   'stroke-width="10"/>')
        adj = c.adjusted_interval(ch)
        if adj:
            xa, xb = _f(x(adj[0])), _f(x(adj[1]))
            out.append(f'<line x1="{xa}" y1="{_f(yc)}" x2="{xb}" y2="{_f(yc)}" '
                       f'stroke="{colour}" stroke-opacity=".45" stroke-width="1.5"/>')
            for xe in (xa, xb):
                out.append(f'<line x1="{xe}" y1="{_f(yc - 4)}" x2="{xe}" y2="{_f(yc + 4)}" '
                           f'stroke="{colour}" stroke-opacity=".45" stroke-width="1.5"/>')
        xl, xu = _f(x(ch.lower)), _f(x(ch.upper))
        out.append(f'<line x1="{xl}" y1="{_f(yc)}" x2="{xu}" y2="{_f(yc)}" stroke="{colour}" '
                   'stroke-width="4" stroke-linecap="butt"/>')
        for xe in (xl, xu):
            out.append(f'<line x1="{xe}" y1="{_f(yc - 7)}" x2="{xe}" y2="{_f(yc + 7)}" '
                       f'stroke="{colour}" stroke-width="2"/>')
        if ch.threshold is not None:
            xt = _f(x(ch.threshold))
            out.append(f'<line x1="{xt}" y1="{_f(yc - 13)}" x2="{xt}" y2="{_f(yc + 13)}" '
                       'stroke="#101828" stroke-width="2.5"/>')
        out.append(f'<circle cx="{_f(x(ch.estimate))}" cy="{_f(yc)}" r="5.5" fill="{colour}" '
                   'stroke="#fff" stroke-width="1.5"/>')
    ly = y_axis + 40
    out.append(f'<circle cx="{x0}" cy="{ly - 4}" r="5" fill="#475467"/>'
               f'<text x="{x0 + 10}" y="{ly}" class="muted">estimate</text>')
    out.append(f'<line x1="{x0 + 80}" y1="{ly - 4}" x2="{x0 + 110}" y2="{ly - 4}" '
               f'stroke="#475467" stroke-width="4"/>'
               f'<text x="{x0 + 116}" y="{ly}" class="muted">interval</text>')
    out.append(f'<line x1="{x0 + 210}" y1="{ly - 4}" x2="{x0 + 240}" y2="{ly - 4}" '
               f'stroke="#475467" stroke-opacity=".45" stroke-width="1.5"/>'
               f'<text x="{x0 + 246}" y="{ly}" class="muted">bounds decided on</text>')
    out.append(f'<line x1="{x0 + 390}" y1="{ly - 12}" x2="{x0 + 390}" y2="{ly + 4}" '
               f'stroke="#101828" stroke-width="2.5"/>'
               f'<text x="{x0 + 396}" y="{ly}" class="muted">threshold</text>')
    out.append(f'<text x="8" y="{_f(y_axis + 16)}" class="muted">risk (excess success)</text>')
    out.append("</svg>")
    zoom = ("" if hi >= 1.0 else f" The axis is zoomed to 0–{_pct_tick(hi)}; the full scale is "
            "0–100%.")
    caption = ("Each row is one risk component. The dot is the estimate (its worst sub-test), "
               "the thick bar its two-sided interval, the thin bar the bounds the status was "
               "decided on — the confirmed lower bound (adjusted for the number of components "
               "and sub-tests) and the certified one-sided upper bound — and the black tick the "
               "policy threshold." + zoom)
    return f"<figure>{''.join(out)}<figcaption>{e(caption)}</figcaption></figure>"


def _normalise(series: list[c.Series]) -> tuple[list[c.Series], bool]:
    """Per-bin values as shares of each series' total, so that tables of different sizes
    compare: counts are divided by their total; series that already sum to 1 are kept. The
    flag says whether the values are shares."""
    if any(v < 0 for s in series for v in s.values):
        return series, False
    if all(abs(sum(s.values) - 1.0) < 1e-3 for s in series):
        return series, True
    counts_like = all(float(v).is_integer() for s in series for v in s.values)
    if not counts_like:
        return series, False
    out = []
    for s in series:
        total = sum(s.values)
        out.append(c.Series(s.name, [v / total for v in s.values] if total > 0 else s.values))
    return out, True


def _series_style(i: int, name: str) -> tuple[str, str]:
    colour = _SERIES_COLOURS.get(name.lower(), _PALETTE[i % len(_PALETTE)])
    return colour, _DASHES[i % len(_DASHES)]


def log_chart(chart: c.ChartData) -> str:
    """An inline SVG of curves on log-log axes (straight segments), e.g. a ROC curve where the
    low false-positive region matters. Values at or below the axis floor are drawn on it."""
    width, height = 640, 280
    ml, mr, mt, mb = 60, 28, 28, 44
    xs = chart.x
    ys = [v for s in chart.series for v in s.values if v > 0]
    lo = min(xs[0], min(ys) if ys else xs[0])
    llo = math.floor(math.log10(lo) + 1e-9)
    lhi = 0.0 if max(xs[-1], max(ys, default=1.0)) <= 1.0 else math.ceil(
        math.log10(max(xs[-1], max(ys))))

    def pos(v: float, span: float, start: float, flip: bool) -> float:
        frac = (math.log10(max(v, 10.0 ** llo)) - llo) / (lhi - llo)
        return start - span * frac if flip else start + span * frac

    def px(v: float) -> float:
        return pos(v, width - ml - mr, ml, False)

    def py(v: float) -> float:
        return pos(v, height - mt - mb, height - mb, True)

    title = c.details_label(chart.key)
    out = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'role="img"><title>{e(title)}</title>']
    for p in range(int(llo), int(lhi) + 1):
        v = 10.0 ** p
        label = _pct_tick(v)
        out.append(f'<line x1="{ml}" y1="{_f(py(v))}" x2="{width - mr}" y2="{_f(py(v))}" '
                   f'stroke="#eaecf0"/><text x="{ml - 6}" y="{_f(py(v) + 4)}" '
                   f'text-anchor="end" class="muted">{e(label)}</text>'
                   f'<line x1="{_f(px(v))}" y1="{height - mb}" x2="{_f(px(v))}" '
                   f'y2="{height - mb + 4}" stroke="#98a2b3"/><text x="{_f(px(v))}" '
                   f'y="{height - mb + 17}" text-anchor="middle" class="muted">{e(label)}</text>')
    out.append(f'<line x1="{ml}" y1="{height - mb}" x2="{width - mr}" y2="{height - mb}" '
               'stroke="#98a2b3"/>')
    out.append(f'<text x="{_f((ml + width - mr) / 2)}" y="{height - 6}" class="muted" '
               'text-anchor="middle">false-positive rate (log scale)</text>')
    mid = _f((mt + height - mb) / 2)
    out.append(f'<text x="12" y="{mid}" class="muted" text-anchor="middle" '
               f'transform="rotate(-90 12 {mid})">true-positive rate (log)</text>')
    for i, s in enumerate(chart.series):
        colour, dash = _series_style(i, s.name)
        pts = " ".join(f"{_f(px(x))},{_f(py(y))}" for x, y in zip(xs, s.values, strict=True))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"'
                   f'{dash_attr}/>')
        lx = ml + 10 + 150 * i
        out.append(f'<line x1="{lx}" y1="14" x2="{lx + 26}" y2="14" stroke="{colour}" '
                   f'stroke-width="2"{dash_attr}/><text x="{lx + 32}" y="18">'
                   f'{e(_short(s.name, 20))}</text>')
    out.append("</svg>")
    cap = f"{title}: both axes logarithmic."
    if chart.note:
        cap += f" Note: {chart.note}"
    return f"<figure>{''.join(out)}<figcaption>{e(cap)}</figcaption></figure>"


def detail_chart(chart: c.ChartData) -> str:
    """An inline SVG of a histogram (step outlines per series) or a curve (step lines)."""
    if chart.log and chart.kind == "curve":
        return log_chart(chart)
    series, shares = (_normalise(chart.series) if chart.kind == "histogram"
                      else (chart.series, False))
    width, height = 640, 250
    ml, mr, mt, mb = 60, 16, 28, 44
    xs = chart.x
    xlo, xhi = xs[0], xs[-1]
    ys = [v for s in series for v in s.values]
    ylo = min(0.0, min(ys))
    yhi = max(ys) if max(ys) > ylo else ylo + 1.0
    ystep = _nice_step(yhi - ylo, 4)
    ylo = math.floor(ylo / ystep - 1e-9) * ystep
    yhi = math.ceil(yhi / ystep - 1e-9) * ystep
    yticks = _ticks(ylo, yhi, 4)

    def px(v: float) -> float:
        return ml + (width - ml - mr) * (v - xlo) / (xhi - xlo)

    def py(v: float) -> float:
        return height - mb - (height - mt - mb) * (v - ylo) / (yhi - ylo)

    title = c.details_label(chart.key)
    out = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'role="img"><title>{e(title)}</title>']
    for v in yticks:
        yv = _f(py(v))
        label = _pct_tick(v) if shares else c.number(v)
        out.append(f'<line x1="{ml}" y1="{yv}" x2="{width - mr}" y2="{yv}" stroke="#eaecf0"/>'
                   f'<text x="{ml - 6}" y="{_f(py(v) + 4)}" text-anchor="end" class="muted">'
                   f'{e(label)}</text>')
    for v in _ticks(xlo, xhi, 6):
        xv = _f(px(v))
        out.append(f'<line x1="{xv}" y1="{height - mb}" x2="{xv}" y2="{height - mb + 4}" '
                   f'stroke="#98a2b3"/><text x="{xv}" y="{height - mb + 17}" '
                   f'text-anchor="middle" class="muted">{e(c.number(v))}</text>')
    out.append(f'<line x1="{ml}" y1="{height - mb}" x2="{width - mr}" y2="{height - mb}" '
               'stroke="#98a2b3"/>')
    if shares:
        out.append(f'<text x="12" y="{_f((mt + height - mb) / 2)}" class="muted" '
                   f'text-anchor="middle" transform="rotate(-90 12 {_f((mt + height - mb) / 2)})">'
                   "share of rows</text>")
    base = _f(py(max(ylo, 0.0)))
    for i, s in enumerate(series):
        colour, dash = _series_style(i, s.name)
        if chart.kind == "histogram":
            d = [f"M{_f(px(xs[0]))},{base}"]
            for k, v in enumerate(s.values):
                d.append(f"V{_f(py(v))}H{_f(px(xs[k + 1]))}")
            d.append(f"V{base}")
        else:
            d = [f"M{_f(px(xs[0]))},{_f(py(s.values[0]))}"]
            for k in range(1, len(xs)):
                d.append(f"H{_f(px(xs[k]))}V{_f(py(s.values[k]))}")
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path d="{"".join(d)}" fill="none" stroke="{colour}" stroke-width="2"'
                   f'{dash_attr}/>')
        lx = ml + 10 + 150 * i
        out.append(f'<line x1="{lx}" y1="14" x2="{lx + 26}" y2="14" stroke="{colour}" '
                   f'stroke-width="2"{dash_attr}/><text x="{lx + 32}" y="18">'
                   f'{e(_short(s.name, 20))}</text>')
    out.append("</svg>")
    if chart.kind == "histogram":
        what = ("Share of each table's rows per bin (each series sums to 100%)." if shares
                else "Value per bin.")
    else:
        what = "Curve as recorded by the check."
    cap = f"{c.details_label(chart.key)}: {what}"
    if chart.note:
        cap += f" Note: {chart.note}"
    return f"<figure>{''.join(out)}<figcaption>{e(cap)}</figcaption></figure>"


# --------------------------------------------------------------------------------------------
# sections
