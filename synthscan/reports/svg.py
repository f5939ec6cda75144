"""The primitives of synthscan's inline SVG charts (no plotting dependency): colours, scales,
ticks, axes, legends and the ``<svg>`` element itself. Every text drawn goes through
``markupsafe.escape``, so what they build is ``Markup``: safe to place in a page as it is. The
charts are in ``charts`` (report) and ``trend`` (history).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

STATUS_COLOURS = {"fail": "#b42318", "warn": "#b54708", "pass": "#067647", "error": "#6941c6",
                  "skipped": "#667085", "info": "#475467"}
INK, MUTED, GRID, AXIS = "#101828", "#475467", "#eaecf0", "#98a2b3"
SERIES_COLOURS = {"train": "#b42318", "synthetic": "#1d4ed8", "holdout": "#344054"}
PALETTE = ("#1d4ed8", "#b42318", "#344054", "#7a5af8", "#0e9384", "#c4320a")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
#: the look of a standalone SVG file (the HTML report styles its charts with its own CSS)
STANDALONE_STYLE = (f"text {{ fill: {INK}; font: 12px sans-serif; }} .muted {{ fill: {MUTED}; "
                     "font-size: 11px; } .title { font-size: 14px; font-weight: bold; }")

# -------------------------------------------------------------------------------- primitives


def fx(x: float) -> str:
    """A coordinate as drawn: one decimal."""
    return f"{x:.1f}"


def pct_tick(v: float) -> str:
    """A 0-1 tick value as a percentage, without needless digits (``0.025`` -> ``2.5%``)."""
    return f"{100 * v:.4g}%"


def nice_step(span: float, target: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``target`` ticks."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / target
    mag = 10 ** math.floor(math.log10(raw))
    return next((m * mag for m in (1, 2, 2.5, 5) if raw <= m * mag), 10 * mag)


def ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """Round tick values from ``lo`` to ``hi``."""
    step = nice_step(hi - lo, target)
    start = math.ceil(lo / step - 1e-9) * step
    n = min(int(math.floor((hi - start) / step + 1e-9)) + 1, 50)
    return [0.0 if abs(v) < step * 1e-9 else v for v in (start + i * step for i in range(n))]


def log_ticks(lo: float, hi: float) -> list[float]:
    """1-2-5 ticks between ``lo`` and ``hi`` on a logarithmic axis."""
    cands = [m * 10.0 ** p for p in range(math.floor(math.log10(lo)), math.ceil(
        math.log10(hi)) + 1) for m in (1, 2, 5)]
    return [t for t in cands if lo * 0.999 <= t <= hi * 1.001]


@dataclass(frozen=True)
class Scale:
    """Values ``lo``..``hi`` onto pixels ``start``..``end`` (linear or logarithmic); values
    outside the range are drawn at its ends."""

    lo: float
    hi: float
    start: float
    end: float
    log: bool = False

    def __call__(self, v: float) -> float:
        f: Callable[[float], float] = math.log10 if self.log else float
        frac = (f(min(max(v, self.lo), self.hi)) - f(self.lo)) / (f(self.hi) - f(self.lo))
        return self.start + (self.end - self.start) * frac


def text(x: float, y: float, words: str, cls: str = "", anchor: str = "", extra: str = "") -> str:
    """An escaped text element."""
    attrs = (f' class="{cls}"' if cls else "") + (f' text-anchor="{anchor}"' if anchor else "")
    return f'<text x="{fx(x)}" y="{fx(y)}"{attrs}{extra}>{escape(words)}</text>'


def line(x1: float, y1: float, x2: float, y2: float, stroke: str, extra: str = "") -> str:
    """A line element; ``extra`` holds further attributes."""
    return (f'<line x1="{fx(x1)}" y1="{fx(y1)}" x2="{fx(x2)}" y2="{fx(y2)}" stroke="{stroke}"'
            f"{extra}/>")


def x_axis(scale: Scale, values: Sequence[float], y: float, label: Callable[[float], str],
           grid_top: float | None = None) -> list[str]:
    """The axis line at ``y`` with a labelled tick (or, from ``grid_top``, a grid line) per
    value."""
    out = []
    for v in values:
        xv = scale(v)
        out.append(line(xv, grid_top, xv, y, GRID) if grid_top is not None
                   else line(xv, y, xv, y + 4, AXIS))
        out.append(text(xv, y + 17, label(v), "muted", "middle"))
    out.append(line(scale.start, y, scale.end, y, AXIS))
    return out


def y_grid(scale: Scale, values: Sequence[float], x0: float, x1: float,
           label: Callable[[float], str]) -> list[str]:
    """A labelled horizontal grid line per value, from ``x0`` to ``x1``."""
    return [line(x0, scale(v), x1, scale(v), GRID) + text(x0 - 6, scale(v) + 4, label(v),
                                                          "muted", "end") for v in values]


def y_title(words: str, x: float, y: float) -> str:
    """A rotated title along a vertical axis, centred on ``y``."""
    return text(x, y, words, "muted", "middle", f' transform="rotate(-90 {fx(x)} {fx(y)})"')


def dash_attr(dash: str) -> str:
    """The stroke-dasharray attribute of a dash pattern ("" for a solid line)."""
    return f' stroke-dasharray="{dash}"' if dash else ""


def series_style(i: int, name: str) -> tuple[str, str]:
    """The colour and dash pattern of the ``i``-th series (tables keep their own colours)."""
    return SERIES_COLOURS.get(name.lower(), PALETTE[i % len(PALETTE)]), DASHES[i % len(DASHES)]


def legend(entries: Sequence[tuple[str, str, str]], x: float, y: float, dx: float = 0,
           dy: float = 0, width: int = 20) -> list[str]:
    """A short line and a label per (label, colour, dash) entry, stepping by (dx, dy)."""
    return [line(x + dx * i, y + dy * i, x + dx * i + 26, y + dy * i, colour,
                 f' stroke-width="2"{dash_attr(dash)}')
            + text(x + dx * i + 32, y + dy * i + 4, shorten(label, width))
            for i, (label, colour, dash) in enumerate(entries)]


def svg(width: int, height: int, title: str, body: Sequence[str], title_id: str = "",
        standalone: bool = False) -> Markup:
    """The chart's ``<svg>`` element; a standalone file carries its namespace, a white
    background and its own styles."""
    head = f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img"'
    if standalone:
        head = head.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
        body = [f"<style>{STANDALONE_STYLE}</style>",
                f'<rect width="{width}" height="{height}" fill="white"/>', *body]
    label_id = f' id="{title_id}"' if title_id else ""
    labelled = f' aria-labelledby="{title_id}"' if title_id else ""
    return Markup(f"{head}{labelled}><title{label_id}>{escape(title)}</title>"
                  + "".join(body) + "</svg>")


def shorten(words: str, n: int) -> str:
    words = " ".join(str(words).split())
    return words if len(words) <= n else words[: n - 1] + "…"


def figure(chart: Markup, caption: str) -> Markup:
    """A chart with its (escaped) caption."""
    return Markup(f"<figure>{chart}<figcaption>{escape(caption)}</figcaption></figure>")
