"""One self-contained HTML report for a data protection officer (and the DPIA archive).

The file works offline and prints to PDF: no scripts, no external fonts, images or requests
(a Content-Security-Policy meta tag forbids them), inline CSS and inline SVG charts only.
Reading order: verdict and overall risk in plain words, a risk chart, one section per
criterion, then method, limitations and what is needed to reproduce the figures.

Every data-derived string (column and file names, check texts) goes through ``html.escape``.
The page embeds nothing time-dependent beyond what the result records, so re-rendering a saved
result gives the same bytes.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from typing import Any

from ..attacks.base import CheckResult
from ..result import ScanResult
from . import _common as c

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_STATUS_COLOURS = {
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

_CSS = """
:root { --ink: #101828; --muted: #475467; --line: #d0d5dd; --soft: #f2f4f7; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem;
  border-bottom: 2px solid var(--line); }
h3 { font-size: 1.05rem; margin: 0 0 .4rem; }
h4 { font-size: .95rem; margin: 1rem 0 .3rem; }
p { margin: .4rem 0; }
.sub { color: var(--muted); margin: 0 0 1.2rem; }
.mono, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: .86em; overflow-wrap: anywhere; }
.verdict { border: 2px solid var(--muted); border-left-width: 10px; border-radius: 6px;
  padding: 1rem 1.25rem; margin: 1rem 0; break-inside: avoid; }
.verdict .word { font-size: 2rem; font-weight: 800; letter-spacing: .04em; margin: 0; }
.verdict .headline { font-size: 1.1rem; font-weight: 650; }
.verdict-high { border-color: #b42318; background: #fef3f2; }
.verdict-inconclusive { border-color: #b54708; background: #fffaeb; }
.verdict-low { border-color: #067647; background: #ecfdf3; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem;
  margin: .8rem 0 0; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; }
.note { border-left: 4px solid #b54708; background: #fffaeb; padding: .5rem .8rem;
  margin: .8rem 0; }
.badge { display: inline-block; font-size: .78rem; font-weight: 700; padding: .05rem .5rem;
  border-radius: 999px; color: #fff; vertical-align: middle; white-space: nowrap; }
.b-fail { background: #b42318; } .b-warn { background: #b54708; } .b-pass { background: #067647; }
.b-error { background: #6941c6; } .b-skipped { background: #667085; }
.b-info { background: #475467; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
  border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
caption { text-align: left; font-weight: 600; padding: .2rem 0; }
table.kv th { width: 40%; background: none; font-weight: 500; color: var(--muted); }
.check { border: 1px solid var(--line); border-radius: 6px; padding: .9rem 1rem; margin: .8rem 0;
  break-inside: avoid; }
.check .id { color: var(--muted); font-weight: 400; font-size: .85rem; }
.figures { display: flex; flex-wrap: wrap; gap: .4rem 1.6rem; margin: .6rem 0; }
.figures div { min-width: 8rem; }
.figures dt { font-size: .78rem; color: var(--muted); text-transform: uppercase;
  letter-spacing: .03em; }
.figures dd { margin: 0; font-weight: 650; font-variant-numeric: tabular-nums; }
.question { color: var(--muted); font-style: italic; }
figure { margin: .8rem 0; break-inside: avoid; }
figcaption { font-size: .85rem; color: var(--muted); }
svg { max-width: 100%; height: auto; font-family: inherit; }
svg text { fill: #101828; font-size: 12px; }
svg .muted { fill: #475467; font-size: 11px; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .85rem; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  table, figure, .check, .verdict { break-inside: avoid; }
}
"""


def e(text: Any) -> str:
    """Escape any value for HTML text or attributes."""
    return html.escape(str(text), quote=True)


def _f(x: float) -> str:
    return f"{x:.1f}"


def _badge(check: CheckResult) -> str:
    status = check.status
    cls = status if status in _STATUS_COLOURS else "info"
    word = c.status_words(check)
    text = status if word == status else f"{status}: {word}"
    return f'<span class="badge b-{cls}">{e(text)}</span>'


def _kv_table(rows: Iterable[tuple[str, str]], caption: str = "",
              mono: bool = False) -> str:
    rows = list(rows)
    if not rows:
        return ""
    cls = ' class="mono"' if mono else ""
    body = "".join(f"<tr><th scope=\"row\">{e(k)}</th><td{cls}>{e(v)}</td></tr>"
                   for k, v in rows)
    cap = f"<caption>{e(caption)}</caption>" if caption else ""
    return f'<table class="kv">{cap}<tbody>{body}</tbody></table>'


NUM = ' class="num"'


def _table(headers: list[str], rows: list[list[str]], num_cols: Iterable[int] = (),
           caption: str = "") -> str:
    """A table of already-escaped cells."""
    nums = set(num_cols)
    head = "".join(f'<th scope="col"{NUM if i in nums else ""}>{h}</th>'
                   for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f'<td{NUM if i in nums else ""}>{cell}</td>'
                         for i, cell in enumerate(row)) + "</tr>"
        for row in rows)
    cap = f"<caption>{caption}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# --------------------------------------------------------------------------------------------
# scales and SVG charts

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
    """One row per component: estimate dot, 95% interval whisker, the wider interval used for
    the decision (when recorded), and the policy threshold as a tick."""
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
        colour = _STATUS_COLOURS.get(ch.status, "#475467")
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
               f'<text x="{x0 + 116}" y="{ly}" class="muted">95% interval</text>')
    out.append(f'<line x1="{x0 + 210}" y1="{ly - 4}" x2="{x0 + 240}" y2="{ly - 4}" '
               f'stroke="#475467" stroke-opacity=".45" stroke-width="1.5"/>'
               f'<text x="{x0 + 246}" y="{ly}" class="muted">interval used to decide</text>')
    out.append(f'<line x1="{x0 + 390}" y1="{ly - 12}" x2="{x0 + 390}" y2="{ly + 4}" '
               f'stroke="#101828" stroke-width="2.5"/>'
               f'<text x="{x0 + 396}" y="{ly}" class="muted">threshold</text>')
    out.append(f'<text x="8" y="{_f(y_axis + 16)}" class="muted">risk (excess success)</text>')
    out.append("</svg>")
    zoom = ("" if hi >= 1.0 else f" The axis is zoomed to 0–{_pct_tick(hi)}; the full scale is "
            "0–100%.")
    caption = ("Each row is one risk check. The dot is the estimate, the thick bar its 95% "
               "interval, the thin bar the wider interval adjusted for the number of checks "
               "(the one the pass / fail decision uses) and the black tick the policy "
               "threshold." + zoom)
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


def detail_chart(chart: c.ChartData) -> str:
    """An inline SVG of a histogram (step outlines per series) or a curve (step lines)."""
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


def _check_name(result: ScanResult, check_id: str | None) -> str:
    if not check_id:
        return ""
    for ch in result.checks:
        if ch.id == check_id:
            return f"{ch.name} ({ch.id})" if ch.name else ch.id
    return check_id


def _verdict_section(result: ScanResult) -> str:
    r = result.risk
    verdict = result.verdict if result.verdict in c.VERDICT_HEADLINES else "inconclusive"
    facts = []
    if r.get("estimate") is not None:
        bounds = c.interval(r.get("lower"), r.get("upper"))
        facts.append(("Overall risk (weakest link)",
                      f"{c.pct(r.get('estimate'))}, interval {bounds} (adjusted for the number "
                      "of checks)"))
        if r.get("driver"):
            facts.append(("Set by", _check_name(result, r.get("driver"))))
    else:
        facts.append(("Overall risk", "not available: no risk check could be computed"))
    facts.append(("Risk checks computed", c.number(r.get("components"))))
    facts.append(("Evidence", result.evidence))
    facts.append(("Policy", c.policy_outcome(result)))
    dl = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts)
    note = ""
    if not any(i.get("role") == "holdout" for i in result.inputs):
        note = ('<p class="note">No holdout was given. Without real records that the generator '
                'never saw, memorised records cannot be told apart from learned patterns: '
                'every figure below is weaker evidence.</p>')
    return (f'<section class="verdict verdict-{e(verdict)}" aria-label="Verdict">'
            f'<p class="sub">Verdict</p><p class="word">{e(result.verdict.upper())}</p>'
            f'<p class="headline">{e(c.verdict_headline(result))}</p>'
            f"<p>{e(c.verdict_explanation(result))}</p>"
            f'<dl class="facts">{dl}</dl></section>{note}')


def _reading_guide() -> str:
    return ("<p>Every risk figure in this report is an <strong>excess success rate</strong> on "
            "a scale from 0% to 100%: how much more often a copy, match or attack succeeds on "
            "the people whose records trained the generator than on comparable people whose "
            "records it never saw (the holdout). 0% means no measurable advantage. Each figure "
            "comes with a 95% interval, the range of values compatible with the data. A check "
            "<em>fails</em> when even the low end of its interval is above the policy "
            "threshold, <em>passes</em> when even the high end is below it, and is "
            "<em>inconclusive</em> otherwise. The overall risk is the highest of the checks "
            "(the weakest link), never an average.</p>")


def _summary_table(result: ScanResult, anchors: dict[int, str]) -> str:
    rows = []
    for _, group in c.group_by_criterion(result.checks):
        for ch in group:
            link = f'<a href="#{anchors[id(ch)]}">{e(ch.name or ch.id)}</a>'
            if not ch.component:
                link += " †"
            rows.append([
                link, e(c.criterion_title(ch.criterion)),
                "" if ch.estimate is None else e(c.figure(ch, ch.estimate)),
                "" if ch.lower is None or ch.upper is None else e(c.figure_interval(ch)),
                "" if ch.threshold is None else e(c.pct(ch.threshold)),
                _badge(ch),
            ])
    table = _table(["Check", "Criterion", "Estimate", "95% interval", "Threshold", "Status"],
                   rows, num_cols=(2, 4))
    if any(not ch.component for ch in result.checks):
        table += ("<p>† For information only: these checks do not enter the overall risk, and "
                  "their figures are on their own scale (explained in each check's summary).</p>")
    return table


def _check_card(ch: CheckResult, anchor: str) -> str:
    figures = []
    if ch.estimate is not None:
        figures.append(("Estimate", c.figure(ch, ch.estimate)))
    if ch.lower is not None and ch.upper is not None:
        figures.append(("95% interval", c.figure_interval(ch)))
    adj = c.adjusted_interval(ch)
    if adj:
        figures.append(("Interval used to decide", c.interval(*adj)))
    if ch.threshold is not None:
        figures.append(("Policy threshold", c.pct(ch.threshold)))
    if ch.p_value is not None:
        figures.append(("p-value", c.number(ch.p_value)))
    figures.append(("Evidence", ch.evidence or "n/a"))
    figs = "".join(f"<div><dt>{e(k)}</dt><dd>{e(v)}</dd></div>" for k, v in figures)
    parts = [f'<article class="check" id="{anchor}">',
             f'<h3>{e(ch.name or ch.id)} <span class="id">{e(ch.id)}</span> '
             f"{_badge(ch)}</h3>"]
    if ch.summary:
        parts.append(f"<p>{e(ch.summary)}</p>")
    if ch.reason and (not ch.summary or ch.reason not in ch.summary):
        label = "Reason" if ch.status in ("skipped", "error") else "Note"
        parts.append(f"<p><strong>{label}:</strong> {e(ch.reason)}</p>")
    if not ch.component:
        parts.append('<p class="question">Reported for information: this check does not enter '
                     "the overall risk, and its figures are on its own scale.</p>")
    parts.append(f'<dl class="figures">{figs}</dl>')
    parts.append(_kv_table(c.counts_rows(ch.counts), "Counts"))
    parts.append(_kv_table(c.details_rows(ch.details, skip={"adjusted_interval"}), "Details"))
    parts.extend(detail_chart(chart) for chart in c.find_charts(ch.details))
    parts.append("</article>")
    return "".join(parts)


def _criteria_sections(result: ScanResult, anchors: dict[int, str]) -> str:
    out = []
    for criterion, group in c.group_by_criterion(result.checks):
        out.append(f'<section aria-label="{e(c.criterion_title(criterion))}">'
                   f"<h2>{e(c.criterion_title(criterion))}</h2>")
        question = c.CRITERION_QUESTIONS.get(criterion)
        if question:
            out.append(f'<p class="question">{e(question)}</p>')
        out.extend(_check_card(ch, anchors[id(ch)]) for ch in group)
        out.append("</section>")
    return "".join(out)


def _method_section(result: ScanResult) -> str:
    n = result.risk.get("components") or 0
    parts = ["<section><h2>Method</h2>",
             "<p>synthscan compares the synthetic data with the real records the generator was "
             "trained on and, as a control, with real records from the same population that the "
             "generator never saw (the holdout). Only what the synthetic data reveals about the "
             "training records <em>beyond</em> what it reveals about the holdout counts as "
             "leakage, so patterns that hold for the whole population are not mistaken for "
             "disclosure. The criteria follow the risks named in the EU Article 29 Working "
             "Party's Opinion 05/2014 on anonymisation techniques (singling out, linkability, "
             "inference), together with direct copying and membership disclosure.</p>",
             "<p>Each risk check has a threshold set by the policy "
             f"({e(result.policy.get('preset', '?'))}). "
             f"Decisions use intervals adjusted for the {e(c.number(n))} risk checks that were "
             "computed (Bonferroni), so that running several checks does not raise the chance "
             "of a false alarm. The overall risk is the weakest link: the highest estimate and "
             "the highest bounds over the checks. Thresholds are a policy choice, not a "
             "scientific constant.</p>"]
    cols = result.schema.get("columns") or []
    if cols:
        rows = [[e(col.get("name", "")), e(col.get("role", "")), e(col.get("source", "")),
                 e(col.get("note", ""))] for col in cols[:200]]
        parts.append("<h3>Columns and their roles</h3>")
        parts.append(_table(["Column", "Role", "Role from", "Note"], rows))
        if len(cols) > 200:
            parts.append(f"<p>and {e(c.number(len(cols) - 200))} more columns.</p>")
    ids = result.schema.get("identifiers_excluded_from_distances") or []
    ignored = result.schema.get("ignored") or []
    facts = [("Identifier columns left out of comparisons", c.describe("columns", list(ids))),
             ("Ignored columns", c.describe("columns", list(ignored)))]
    facts += [(c.details_label(k), c.describe(k, v)) for k, v in result.encoding.items()]
    parts.append(_kv_table(facts, "Encoding and distance"))
    parts.append("</section>")
    return "".join(parts)


def _limitations_section(result: ScanResult) -> str:
    if not result.limitations:
        return ""
    items = "".join(f"<li>{e(text)}</li>" for text in result.limitations)
    return f"<section><h2>Limitations</h2><ul>{items}</ul></section>"


def _reproducibility_section(result: ScanResult) -> str:
    parts = ["<section><h2>Reproducibility</h2>",
             "<p>Running the same synthscan version on inputs with the same SHA-256 "
             "fingerprints, with the configuration, policy and seed below, reproduces every "
             "figure in this report.</p>"]
    rows = [[e(i.get("role", "")), e(i.get("name", "")),
             f'<span class="mono">{e(i.get("path") or "in-memory table")}</span>',
             f'<span class="mono">{e(i.get("sha256") or "n/a")}</span>',
             e(c.number(i.get("rows"))), e(c.number(i.get("columns")))]
            for i in result.inputs]
    parts.append(_table(["Role", "Name", "Path", "SHA-256", "Rows", "Columns"], rows,
                        num_cols=(4, 5), caption="Inputs"))
    parts.append(_kv_table([("Seed", str(result.seed)),
                            ("Result schema", result.schema_version),
                            ("Scan started", str(result.run.get("started", "n/a")))],
                           "Run"))
    parts.append(_kv_table(sorted((k, str(v)) for k, v in result.environment.items()),
                           "Versions", mono=True))
    p = result.policy
    used = {ch.id for ch in result.checks}
    thr_rows = [[e(k), e(c.pct(v) if isinstance(v, (int, float)) else v),
                 "yes" if k in used else "no"]
                for k, v in (p.get("thresholds") or {}).items()]
    parts.append(_kv_table([("Preset", str(p.get("preset", "n/a"))),
                            ("Fails on", c.FAIL_ON_WORDS.get(p.get("fail_on", ""),
                                                             str(p.get("fail_on"))))],
                           "Policy"))
    if thr_rows:
        parts.append(_table(["Check", "Threshold", "In this result"], thr_rows, num_cols=(1,),
                            caption="Policy thresholds"))
    parts.append(_kv_table([(k, c.describe(k, v)) for k, v in result.config.items()],
                           "Configuration"))
    parts.append("</section>")
    return "".join(parts)


def render_html(result: ScanResult) -> str:
    """The complete HTML document for a result."""
    result = c.normalised(result)
    syn = c.synthetic_input(result)
    syn_name = syn.get("name", "synthetic data") if syn else "synthetic data"
    anchors = {id(ch): f"check-{i + 1}" for i, ch in enumerate(result.checks)}
    version = result.environment.get("synthscan", "?")
    started = result.run.get("started")
    sub = f"Synthetic release: {syn_name} · synthscan {version}"
    if started:
        sub += f" · scan started {started}"
    body = [
        "<header><h1>Privacy risk report for synthetic data</h1>",
        f'<p class="sub">{e(sub)}</p></header>',
        _verdict_section(result),
        "<section><h2>Risk by check</h2>",
        _reading_guide(),
        risk_chart(result.checks),
        _summary_table(result, anchors) if result.checks else "<p>No checks ran.</p>",
        "</section>",
        _criteria_sections(result, anchors),
        _method_section(result),
        _limitations_section(result),
        _reproducibility_section(result),
        "<footer><p>Produced by synthscan from the scan result. synthscan results hold "
        "aggregate figures, column names and file fingerprints, not values from individual "
        "records. A low verdict means that no leakage was found by these checks at this "
        "sample size; it does not certify the data as anonymous.</p></footer>",
    ]
    return ("<!DOCTYPE html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="generator" content="synthscan">\n'
            f"<title>{e('Privacy risk report: ' + str(syn_name))}</title>\n"
            f"<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(body)
            + "\n</main>\n</body>\n</html>\n")
