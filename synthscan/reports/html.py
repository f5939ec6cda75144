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

from collections.abc import Iterable

from ..model import CheckResult
from ..result import ScanResult
from . import _common as c
from ._common import esc as e
from .svg import STATUS_COLOURS as _STATUS_COLOURS
from .svg import detail_chart, risk_chart

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


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
    if r.upper is not None:
        level = r.upper_level
        facts.append((f"Certified upper bound ({level:.0%} one-sided)",
                      f"{c.pct(r.upper)} — weakest component: "
                      f"{_check_name(result, r.binding)}"))
        ppl = r.people
        if ppl.at_most is not None:
            facts.append(("In people", f"at most {ppl.at_most:,} of your "
                                       f"{ppl.train_rows:,} training records"))
        facts.append(("Confirmed lower bound (family-adjusted)", c.pct(r.lower)))
    else:
        facts.append(("Overall risk", "not available: no risk component could be decided"))
    facts.append(("Risk components planned", c.number(r.components)))
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
    return ("<p>Every risk figure in this report is an <strong>excess share of training "
            "records</strong> on a scale from 0% to 100%: for how many more of the people whose "
            "records trained the generator a copy, match or attack succeeds than for comparable "
            "people whose records it never saw (the holdout). 0% means no measurable advantage. "
            "A component <em>fails</em> when its confirmed lower bound (adjusted for the number "
            "of components and sub-tests) is above the policy threshold, <em>passes</em> when "
            "its certified one-sided upper bound is below it, and is <em>undecided</em> "
            "otherwise. The verdict is the weakest link, never an average.</p>")


def _summary_table(result: ScanResult, anchors: dict[int, str]) -> str:
    rows = []
    for _, group in c.group_by_criterion(result.checks):
        for ch in group:
            link = f'<a href="#{anchors[id(ch)]}">{e(ch.name or ch.id)}</a>'
            if not ch.component:
                link += " †"
            lo, hi = c.decision_cells(ch)
            rows.append([
                link, e(c.criterion_title(ch.criterion)),
                "" if ch.estimate is None else e(c.figure(ch, ch.estimate)),
                e(lo), e(hi),
                "" if ch.threshold is None else e(c.pct(ch.threshold)),
                _badge(ch),
            ])
    table = _table(["Check", "Criterion", "Estimate", "Confirmed ≥ (level)",
                    "Certified ≤ (level)", "Threshold", "Status"],
                   rows, num_cols=(2, 3, 4, 5))
    if any(not ch.component for ch in result.checks):
        table += ("<p>† For information only: these checks do not enter the overall risk, and "
                  "their figures are on their own scale (explained in each check's summary).</p>")
    return table


def result_alpha(ch: CheckResult) -> float:
    """The scan's alpha, read back from the component's decision (0.05 when unknown)."""
    d = ch.decision
    return 1.0 - d.upper_level if d is not None else 0.05


def _check_card(ch: CheckResult, anchor: str) -> str:
    figures = []
    if ch.estimate is not None:
        figures.append(("Estimate", c.figure(ch, ch.estimate)))
    if ch.lower is not None and ch.upper is not None:
        level = f"{1 - float(result_alpha(ch)):.0%}"
        figures.append((f"{level} interval", c.figure_interval(ch)))
    decided = c.decision_text(ch)
    if decided:
        figures.append(("Bounds decided on", decided))
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
    for label, headers, rows in c.record_tables(ch.details):
        parts.append(_table([e(h) for h in headers], [[e(x) for x in r] for r in rows],
                            caption=e(label)))
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
    n = result.risk.components
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
             "Every component is on one scale: the excess share of training records for whom "
             "an attack succeeds beyond holdout records. A component fails when its lower "
             f"bound, adjusted for the {e(c.number(n))} planned components and their sub-tests "
             "(Bonferroni), exceeds its threshold, and passes when its one-sided upper bound is "
             "below the threshold; the verdict is low only when every planned component "
             "passes. Thresholds are a policy choice, not a scientific constant.</p>"]
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
