"""One self-contained HTML report for a data protection officer (and the DPIA archive).

The file works offline and prints to PDF: no scripts, no external fonts, images or requests
(a Content-Security-Policy meta tag forbids them), the package's stylesheet inlined and inline
SVG charts only. Reading order: verdict and overall risk in plain words, a risk chart, one
section per criterion, then method, limitations and what is needed to reproduce the figures.

The page is the Jinja2 template ``templates/report.html.j2``, rendered with autoescaping: this
module only gathers plain text (and the charts, ``Markup`` drawn from numbers and escaped
text). The page embeds nothing time-dependent beyond what the result records, so re-rendering
a saved result gives the same bytes.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..fmt import level, pct
from ..model import CheckResult
from ..result import ScanResult
from . import text
from .charts import STATUS_COLOURS, detail_chart, risk_chart
from .details import counts_rows, describe, details_label, details_rows, find_charts, record_tables
from .format import decision_cells, figure, figure_interval, interval_level, number
from .view import check_label, has_holdout, normalised, synthetic_input

#: written into the page as it is (a constant of this module, so not escaped)
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
MAX_COLUMNS = 200


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
    word = text.status_words(check)
    return {"cls": check.status if check.status in STATUS_COLOURS else "info",
            "text": check.status if word == check.status else f"{check.status}: {word}"}


def _verdict(result: ScanResult) -> dict[str, Any]:
    r = result.risk
    facts: list[tuple[str, str]] = []
    if r.upper is not None:
        facts.append((f"Certified upper bound ({level(r.upper_level)} one-sided)",
                      f"{pct(r.upper)} — weakest component: {check_label(result, r.binding)}"))
        if r.people.at_most is not None:
            facts.append(("In people", f"at most {r.people.at_most:,} of your "
                                       f"{r.people.train_rows:,} training records"))
        facts.append(("Confirmed lower bound (family-adjusted)", pct(r.lower)))
    else:
        facts.append(("Overall risk", "not available: no risk component could be decided"))
    facts += [("Risk components planned", number(r.components)),
              ("Evidence", result.evidence), ("Policy", text.policy_outcome(result))]
    return {"cls": result.verdict if result.verdict in text.VERDICT_HEADLINES
            else "inconclusive", "word": result.verdict.upper(),
            "headline": text.verdict_headline(result),
            "explanation": text.verdict_explanation(result), "facts": facts}


def _summary_row(ch: CheckResult, anchor: str) -> dict[str, Any]:
    lower, upper = decision_cells(ch)
    return {"anchor": anchor, "name": ch.name or ch.id, "informational": not ch.component,
            "criterion": text.criterion_title(ch.criterion),
            "estimate": "" if ch.estimate is None else figure(ch, ch.estimate),
            "lower": lower, "upper": upper,
            "threshold": "" if ch.threshold is None else pct(ch.threshold),
            "badge": _badge(ch)}


def _figures(ch: CheckResult, scan_level: float) -> list[tuple[str, str]]:
    figures = []
    if ch.estimate is not None:
        figures.append(("Estimate", figure(ch, ch.estimate)))
    if ch.lower is not None and ch.upper is not None:
        figures.append((f"{interval_level(ch, scan_level)} interval", figure_interval(ch)))
    decided = text.decision_text(ch)
    if decided:
        figures.append(("Bounds decided on", decided))
    if ch.threshold is not None:
        figures.append(("Policy threshold", pct(ch.threshold)))
    if ch.p_value is not None:
        figures.append(("p-value", number(ch.p_value)))
    figures.append(("Evidence", ch.evidence or "n/a"))
    return figures


def _card(ch: CheckResult, anchor: str, scan_level: float) -> dict[str, Any]:
    show_reason = bool(ch.reason) and (not ch.summary or ch.reason not in ch.summary)
    return {"anchor": anchor, "name": ch.name or ch.id, "id": ch.id, "badge": _badge(ch),
            "summary": ch.summary, "reason": ch.reason if show_reason else "",
            "reason_label": "Reason" if ch.status in ("skipped", "error") else "Note",
            "informational": not ch.component, "figures": _figures(ch, scan_level),
            "counts": counts_rows(ch.counts), "details": details_rows(ch.details),
            "charts": [detail_chart(chart) for chart in find_charts(ch.details)],
            "tables": record_tables(ch.details)}


def _criteria(result: ScanResult, anchors: dict[int, str]) -> list[dict[str, Any]]:
    level_ = result.risk.upper_level
    return [{"title": text.criterion_title(criterion),
             "question": text.CRITERION_QUESTIONS.get(criterion, ""),
             "cards": [_card(ch, anchors[id(ch)], level_) for ch in group]}
            for criterion, group in text.group_by_criterion(result.checks)]


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
        "thresholds": [[k, pct(v), "yes" if k in used else "no"]
                       for k, v in p.thresholds.items()],
        "config": [(k, describe(k, v)) for k, v in result.config.to_dict().items()],
    }


def render_html(result: ScanResult) -> str:
    """The complete HTML document for a result."""
    result = normalised(result)
    syn = synthetic_input(result)
    syn_name = syn.name if syn else "synthetic data"
    anchors = {id(ch): f"check-{i + 1}" for i, ch in enumerate(result.checks)}
    version = result.environment.get("synthscan", "?")
    subtitle = f"Synthetic release: {syn_name} · synthscan {version}"
    if result.run.get("started"):
        subtitle += f" · scan started {result.run['started']}"
    ordered = [ch for _, group in text.group_by_criterion(result.checks) for ch in group]
    return _environment().get_template("report.html.j2").render(
        csp=Markup(CSP), css=_css(), synthetic_name=syn_name, subtitle=subtitle,
        verdict=_verdict(result), has_holdout=has_holdout(result),
        risk_chart=risk_chart(result.checks),
        summary=[_summary_row(ch, anchors[id(ch)]) for ch in ordered],
        criteria=_criteria(result, anchors), method=_method(result),
        limitations=result.limitations, repro=_reproducibility(result))
