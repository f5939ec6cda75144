"""One self-contained HTML report for a data protection officer (and the DPIA archive).

The file works offline and prints to PDF: no scripts, no external fonts, images or requests
(a Content-Security-Policy meta tag forbids them), the package's stylesheet inlined and inline
SVG charts only. Reading order: the verdict box (what was confirmed or certified, in people, and
the policy outcome), what to do next, a risk chart and table, one section per criterion, then
method, limitations, reproducibility and the checks' technical details.

The page is the Jinja2 template ``templates/report.html.j2``, rendered with autoescaping: this
module only gathers plain text (and the charts, ``Markup`` drawn from numbers and escaped
text). The page embeds nothing time-dependent beyond what the result records, so re-rendering
a saved result gives the same bytes. The one link out of the page is to ``exposed-rows.csv``,
written beside it when records are exposed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..fmt import pct
from ..model import CheckResult
from ..result import ScanResult
from . import people, text
from .charts import detail_chart, risk_chart
from .details import counts_rows, describe, details_label, details_rows, find_charts, record_tables
from .format import (
    decision_cells,
    figure,
    interval_level,
    interval_text,
    number,
    p_value,
    threshold_cells,
)
from .next_steps import EXPOSED_ROWS_FILE, next_steps, rows_text
from .verdict_box import short_name, verdict_box
from .view import has_holdout, normalised, synthetic_input

#: written into the page as it is (a constant of this module, so not escaped)
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
MAX_COLUMNS = 200
_BADGE_CLASS = {"none": "info", "evidence": "warn", "fail": "fail"}


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("synthscan.reports", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       undefined=StrictUndefined, keep_trailing_newline=True)


@cache
def _css() -> Markup:
    """The report's stylesheet (package data; trusted, so it is not escaped)."""
    return Markup(files("synthscan.reports").joinpath("static/report.css")
                  .read_text(encoding="utf-8"))


def _badge(check: CheckResult) -> dict[str, str]:
    """A component's status in words; a supporting test's finding, never a pass."""
    if not check.component and check.status not in ("skipped", "error"):
        words, strength = text.finding(check)
        return {"cls": _BADGE_CLASS[strength], "text": words}
    return {"cls": check.status, "text": text.status_words(check)}


def _estimate(ch: CheckResult) -> str:
    if ch.estimate is None:
        return ""
    counts = people.observed(ch) if ch.component else ""
    return figure(ch, ch.estimate) + (f" ({counts})" if counts else "")


def _summary_row(ch: CheckResult, anchor: str) -> dict[str, Any]:
    lower, upper = decision_cells(ch)
    below, above = threshold_cells(ch)
    return {"anchor": anchor, "name": short_name(ch),
            "estimate": "" if ch.estimate is None else figure(ch, ch.estimate),
            "counts": people.observed(ch), "lower": lower, "upper": upper, "below": below,
            "above": above,
            "badge": _badge(ch)}


def _supporting_row(ch: CheckResult, anchor: str, scan_level: float) -> dict[str, Any]:
    figure_ = "" if ch.estimate is None else figure(ch, ch.estimate)
    if ch.lower is not None and ch.upper is not None:
        figure_ += f" ({interval_level(ch, scan_level)} interval {interval_text(ch)})"
    return {"anchor": anchor, "name": ch.name or ch.id, "figure": figure_,
            "badge": _badge(ch)}


def _figures(ch: CheckResult, scan_level: float) -> list[tuple[str, str]]:
    figures = []
    if ch.estimate is not None:
        figures.append(("Estimate", _estimate(ch)))
    if ch.lower is not None and ch.upper is not None:
        figures.append((f"{interval_level(ch, scan_level)} interval", interval_text(ch)))
    d = ch.decision
    if d is not None and ch.component:
        figures.append((f"Certified ({people.certified_level(ch)})", people.certified(ch)))
        if d.lower > 0:
            figures.append((f"Confirmed ({people.confirmed_level(ch)})", people.confirmed(ch)))
    if d is not None:
        lower, upper = decision_cells(ch)
        below, above = threshold_cells(ch)
        figures.append(("Decided on", f"confirmed ≥ {lower}, certified ≤ {upper}; passes below "
                                      f"{below}, fails above {above}"))
    if ch.p_value is not None:
        figures.append(("p-value", p_value(ch.p_value)))
    return figures


def _card(ch: CheckResult, anchor: str, scan_level: float) -> dict[str, Any]:
    show_reason = bool(ch.reason) and (not ch.summary or ch.reason not in ch.summary)
    return {"anchor": anchor, "name": ch.name or ch.id, "id": ch.id, "badge": _badge(ch),
            "summary": ch.summary, "reason": ch.reason if show_reason else "",
            "reason_label": "Reason" if ch.status in ("skipped", "error") else "Note",
            "informational": not ch.component, "figures": _figures(ch, scan_level),
            "charts": [detail_chart(chart) for chart in find_charts(ch.details)],
            "has_details": bool(ch.counts or ch.details)}


def _criteria(result: ScanResult, anchors: dict[int, str]) -> list[dict[str, Any]]:
    level_ = result.risk.upper_level
    return [{"title": text.criterion_title(criterion),
             "question": text.CRITERION_QUESTIONS.get(criterion, ""),
             "cards": [_card(ch, anchors[id(ch)], level_) for ch in group]}
            for criterion, group in text.group_by_criterion(result.checks)]


def _appendix(result: ScanResult, anchors: dict[int, str]) -> list[dict[str, Any]]:
    ordered = [ch for _, group in text.group_by_criterion(result.checks) for ch in group]
    return [{"anchor": anchors[id(ch)], "name": ch.name or ch.id,
             "counts": counts_rows(ch.counts), "details": details_rows(ch.details),
             "tables": record_tables(ch.details)}
            for ch in ordered if ch.counts or ch.details]


def _steps(result: ScanResult) -> list[dict[str, Any]]:
    return [{"title": s.title, "text": s.text, "bullets": list(s.items),
             "rows": rows_text(s.exposure) if s.exposure else ""}
            for s in next_steps(result)]


def _method(result: ScanResult) -> dict[str, Any]:
    cols = result.schema.columns
    encoding = [("Identifier columns left out of comparisons",
                 describe("columns", result.schema.identifiers)),
                ("Ignored columns", describe("columns", list(result.schema.ignored)))]
    encoding += [(details_label(k), describe(k, v)) for k, v in result.encoding.items()]
    return {"preset": result.policy.preset, "components": number(result.risk.components),
            "columns": [[col.name, col.role, col.source, col.note]
                        for col in cols[:MAX_COLUMNS]],
            "more_columns": number(len(cols) - MAX_COLUMNS) if len(cols) > MAX_COLUMNS else "",
            "encoding": encoding}


def _reproducibility(result: ScanResult) -> dict[str, Any]:
    p = result.policy
    used = {ch.id for ch in result.checks}
    return {
        "inputs": [{"role": i.table, "name": i.name, "path": i.path or "in-memory table",
                    "sha256": i.sha256 or "n/a", "rows": number(i.n_rows),
                    "columns": number(i.n_columns)}
                   for i in result.inputs],
        "run": [("Seed", str(result.seed)), ("Result schema", result.schema_version),
                ("Scan started", str(result.run.get("started", "n/a")))],
        "versions": sorted((k, str(v)) for k, v in result.environment.items()),
        "policy": [("Preset", p.preset),
                   ("Fails on", text.FAIL_ON_WORDS.get(p.fail_on, p.fail_on))],
        "thresholds": [[details_label(k), pct(v), "yes" if k in used else "no"]
                       for k, v in p.thresholds.items()],
        "config": [(details_label(k), describe(k, v))
                   for k, v in result.config.to_dict().items()],
    }


def render_html(result: ScanResult, history: Sequence[Any] | None = None) -> str:
    """The complete HTML document for a result; ``history`` (records of a history store,
    oldest first) adds the trend section."""
    from ..dp_claim.view import dp_claim_view
    from .trend import trend_section

    result = normalised(result)
    syn = synthetic_input(result)
    syn_name = syn.name if syn else "synthetic data"
    anchors = {id(ch): f"check-{i + 1}" for i, ch in enumerate(result.checks)}
    version = result.environment.get("synthscan", "?")
    subtitle = f"Synthetic release: {syn_name} · synthscan {version}"
    if result.run.get("started"):
        subtitle += f" · scan started {result.run['started']}"
    ordered = [ch for _, group in text.group_by_criterion(result.checks) for ch in group]
    level_ = result.risk.upper_level
    return _environment().get_template("report.html.j2").render(
        csp=Markup(CSP), css=_css(), synthetic_name=syn_name, subtitle=subtitle,
        box=asdict(verdict_box(result)), steps=_steps(result), csv_name=EXPOSED_ROWS_FILE,
        has_holdout=has_holdout(result), risk_chart=risk_chart(result.checks),
        summary=[_summary_row(ch, anchors[id(ch)]) for ch in ordered if ch.component],
        supporting=[_supporting_row(ch, anchors[id(ch)], level_) for ch in ordered
                    if not ch.component],
        criteria=_criteria(result, anchors), appendix=_appendix(result, anchors),
        method=_method(result), limitations=result.limitations,
        repro=_reproducibility(result), trend=trend_section(history),
        dp_claim=dp_claim_view(result.dp_claim))
