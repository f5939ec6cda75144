"""Minimal self-contained SVG line charts with error bars (no plotting dependency)."""

from __future__ import annotations

import math
from html import escape

PALETTE = ("#1f5fa8", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0f766e")


def _ticks(lo: float, hi: float, log: bool) -> list[float]:
    if log:
        cands = [m * 10.0 ** e for e in range(-4, 7) for m in (1, 2, 5)]
        return [t for t in cands if lo * 0.999 <= t <= hi * 1.001]
    span = hi - lo or 1.0
    raw = span / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    first = math.ceil(lo / step) * step
    return [round(first + i * step, 10) for i in range(int((hi - first) / step + 1e-9) + 1)]


def line_chart(series: list[dict], title: str, xlabel: str, ylabel: str,
               xlim: tuple[float, float], ylim: tuple[float, float], log_x: bool = False,
               pct_x: bool = True, pct_y: bool = True, hlines: list[tuple[float, str]] = (),
               diagonal: bool = False, width: int = 640, height: int = 400) -> str:
    """An SVG chart. Each series: {"label", "points": [(x, y, lo, hi)]} (lo/hi may be None).

    ``hlines``: horizontal reference lines (y, label); ``diagonal``: the y = x line.
    """
    ml, mr, mt, mb = 64, 170, 36, 52
    pw, ph = width - ml - mr, height - mt - mb
    x0, x1 = xlim
    y0, y1 = ylim

    def fx(x: float) -> float:
        if log_x:
            return ml + pw * (math.log(x) - math.log(x0)) / (math.log(x1) - math.log(x0))
        return ml + pw * (x - x0) / (x1 - x0)

    def fy(y: float) -> float:
        return mt + ph * (1 - (min(max(y, y0), y1) - y0) / (y1 - y0))

    def fmt(v: float, pct: bool) -> str:
        return f"{100 * v:g}%" if pct else f"{v:g}"

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{ml}" y="20" font-size="14" font-weight="bold">{escape(title)}</text>']
    for t in _ticks(x0, x1, log_x):
        x = fx(t)
        out.append(f'<line x1="{x:.1f}" y1="{mt}" x2="{x:.1f}" y2="{mt + ph}" stroke="#eee"/>')
        out.append(f'<text x="{x:.1f}" y="{mt + ph + 16}" text-anchor="middle">'
                   f'{fmt(t, pct_x)}</text>')
    for t in _ticks(y0, y1, False):
        y = fy(t)
        out.append(f'<line x1="{ml}" y1="{y:.1f}" x2="{ml + pw}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(f'<text x="{ml - 6}" y="{y + 4:.1f}" text-anchor="end">{fmt(t, pct_y)}</text>')
    out.append(f'<rect x="{ml}" y="{mt}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>')
    out.append(f'<text x="{ml + pw / 2:.1f}" y="{height - 12}" text-anchor="middle">'
               f'{escape(xlabel)}</text>')
    out.append(f'<text transform="translate(16,{mt + ph / 2:.1f}) rotate(-90)" '
               f'text-anchor="middle">{escape(ylabel)}</text>')
    if diagonal:
        lo, hi = max(x0, y0), min(x1, y1)
        out.append(f'<line x1="{fx(lo):.1f}" y1="{fy(lo):.1f}" x2="{fx(hi):.1f}" '
                   f'y2="{fy(hi):.1f}" stroke="#888" stroke-dasharray="5,4"/>')
        lab = lo + 0.9 * (hi - lo)
        out.append(f'<text x="{fx(lab) + 6:.1f}" y="{fy(lab) + 16:.1f}" fill="#666">'
                   'y = x</text>')
    for yv, label in hlines:
        out.append(f'<line x1="{ml}" y1="{fy(yv):.1f}" x2="{ml + pw}" y2="{fy(yv):.1f}" '
                   f'stroke="#888" stroke-dasharray="5,4"/>')
        out.append(f'<text x="{ml + 4}" y="{fy(yv) - 4:.1f}" fill="#666">{escape(label)}</text>')
    for i, s in enumerate(series):
        col = PALETTE[i % len(PALETTE)]
        pts = sorted(p for p in s["points"] if (not log_x or p[0] > 0))
        if not pts:
            continue
        shift = 5.0 * (i - (len(series) - 1) / 2)  # dodge overlapping error bars (pixels)
        path = " ".join(f"{fx(p[0]) + shift:.1f},{fy(p[1]):.1f}" for p in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{col}" stroke-width="2"/>')
        for x, y, lo, hi in pts:
            px = fx(x) + shift
            if lo is not None and hi is not None:
                out.append(f'<line x1="{px:.1f}" y1="{fy(lo):.1f}" x2="{px:.1f}" '
                           f'y2="{fy(hi):.1f}" stroke="{col}" stroke-width="1.2"/>')
            out.append(f'<circle cx="{px:.1f}" cy="{fy(y):.1f}" r="3.5" fill="{col}"/>')
        ly = mt + 14 + 18 * i
        out.append(f'<line x1="{ml + pw + 12}" y1="{ly - 4}" x2="{ml + pw + 32}" y2="{ly - 4}" '
                   f'stroke="{col}" stroke-width="2"/>')
        out.append(f'<text x="{ml + pw + 38}" y="{ly}">{escape(s["label"])}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
