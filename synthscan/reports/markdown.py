"""Markdown summary for pull-request comments and CI step summaries (GitHub-flavoured).

Short by design: verdict, overall risk, one table row per check, what did not run and why, and
the limitations. Every data-derived string is escaped: HTML's ``& < >`` become entities and
Markdown's punctuation is backslash-escaped, so a column or file name cannot inject markup.
"""

from __future__ import annotations

import html
import re

from ..fmt import pct
from ..model import CheckResult
from ..result import ScanResult
from . import text
from .details import describe
from .format import decision_cells, figure, number
from .view import has_holdout, normalised, synthetic_input

_SPECIAL = re.compile(r"([\\`*_{}\[\]|~$#!])")
_SAFE_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")

_STATUS_CELL = {
    "fail": "**fail**",
    "warn": "warn (inconclusive)",
    "pass": "pass",
    "skipped": "skipped",
    "error": "**error**",
    "info": "info",
}


def md_escape(text: object) -> str:
    """Plain text made safe inside Markdown (also inside table cells): one line, entities for
    ``& < >``, backslashes before Markdown punctuation."""
    one_line = " ".join(str(text).split())
    return _SPECIAL.sub(r"\\\1", html.escape(one_line, quote=False))


def _code(ident: str) -> str:
    """An identifier in a code span when it is plain, else escaped text (code spans cannot
    carry escapes)."""
    return f"`{ident}`" if _SAFE_CODE.match(ident) else md_escape(ident)


def _check_label(check: CheckResult) -> str:
    return f"{md_escape(check.name or check.id)} ({_code(check.id)})"


def _row(check: CheckResult) -> str:
    est = "" if check.estimate is None else figure(check, check.estimate)
    lo, hi = decision_cells(check)
    thr = "" if check.threshold is None else pct(check.threshold)
    status = _STATUS_CELL.get(check.status, md_escape(check.status))
    label = _check_label(check) + ("" if check.component else " †")
    cells = [label, md_escape(text.criterion_title(check.criterion)), est, lo, hi, thr, status]
    return "| " + " | ".join(cells) + " |"


def _scope(result: ScanResult) -> list[str]:
    lines = []
    parts = []
    for role in ("synthetic", "train", "holdout"):
        for i in result.inputs:
            if i.table == role:
                parts.append(f"{role} {md_escape(i.name)} ({number(i.n_rows)} rows × "
                             f"{number(i.n_columns)} columns)")
    if parts:
        lines.append("- **Inputs:** " + "; ".join(parts))
    if not has_holdout(result):
        lines.append("- **No holdout given:** every check is weaker evidence (memorisation "
                     "cannot be told apart from learning the population).")
    ids = result.schema.identifiers
    if ids:
        lines.append("- **Identifier columns left out of comparisons:** "
                     + md_escape(describe("columns", list(ids))))
    return lines


def render_markdown(result: ScanResult) -> str:
    """The Markdown summary of a result."""
    result = normalised(result)
    out: list[str] = []
    out.append(f"## synthscan privacy risk: {md_escape(result.verdict.upper())}")
    out.append("")
    out.append(f"**{md_escape(text.verdict_headline(result))}.** "
               f"{md_escape(text.verdict_explanation(result))}")
    out.append("")
    out.append(f"- **{md_escape(text.overall_risk_sentence(result))}**")
    out.append(f"- **Evidence:** {md_escape(result.evidence)}")
    out.append(f"- **Policy:** {md_escape(text.policy_outcome(result))}")
    out.extend(_scope(result))
    out.append("")
    if result.checks:
        out.append("| Check | Criterion | Estimate | Confirmed ≥ | Certified ≤ | Threshold | "
                   "Status |")
        out.append("| --- | --- | ---: | ---: | ---: | ---: | --- |")
        for _, group in text.group_by_criterion(result.checks):
            out.extend(_row(ch) for ch in group)
        out.append("")
        out.append("Estimates are excess shares of training records (0–100%): how much more "
                   "often an attack or match succeeds on the training records than on "
                   "comparable records the generator never saw. A component fails when its "
                   "confirmed lower bound (family-adjusted, level in brackets) exceeds the "
                   "threshold, passes when its certified upper bound is below it, and is "
                   "undecided otherwise.")
        if any(not ch.component for ch in result.checks):
            out.append("")
            out.append("† For information only: not part of the overall risk; figures are on "
                       "the check's own scale (see its summary in the HTML report).")
        out.append("")
    for status, title in (("skipped", "Not run"), ("error", "Could not compute")):
        bad = [ch for ch in result.checks if ch.status == status]
        if bad:
            out.append(f"### {title}")
            out.append("")
            out.extend(f"- {_check_label(ch)}: {md_escape(ch.reason or 'no reason recorded')}"
                       for ch in bad)
            out.append("")
    if result.limitations:
        out.append("### Limitations")
        out.append("")
        out.extend(f"- {md_escape(text)}" for text in result.limitations)
        out.append("")
    foot = [f"synthscan {md_escape(result.environment.get('synthscan', '?'))}",
            f"result schema {md_escape(result.schema_version)}", f"seed {result.seed}"]
    syn = synthetic_input(result)
    if syn and syn.sha256:
        foot.append(f"synthetic sha256 {md_escape(syn.sha256[:16])}…")
    out.append("<sub>" + " · ".join(foot) + "</sub>")
    return "\n".join(out) + "\n"
