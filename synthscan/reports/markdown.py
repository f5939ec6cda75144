"""Markdown summary for pull-request comments, CI step summaries and pipeline artifacts
(GitHub-flavoured): ``render_markdown(result)``.

Compact by design: the verdict box (what was confirmed or certified, in people; the policy
outcome; what ``low`` covers), what to do next, one table row per risk check with the bounds
its status was decided on, the supporting tests' findings, what did not run and why, and the
limitations. Every data-derived string is escaped: HTML's ``& < >`` become entities and
Markdown's punctuation is backslash-escaped, so a column or file name cannot inject markup.
"""

from __future__ import annotations

import html
import re

from ..model import CheckResult
from ..result import ScanResult
from . import text
from .details import describe
from .format import decision_cells, figure, number, threshold_cells
from .next_steps import EXPOSED_ROWS_FILE, next_steps, rows_text
from .people import observed
from .verdict_box import verdict_box
from .view import has_holdout, normalised, synthetic_input

_SPECIAL = re.compile(r"([\\`*_{}\[\]|~$#!])")
_SAFE_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")



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
    counts = observed(check)
    lo, hi = decision_cells(check)
    below, above = threshold_cells(check)
    status = md_escape(text.status_words(check))
    status = f"**{status}**" if check.status in ("fail", "error") else status
    cells = [_check_label(check), est + (f" ({counts})" if counts else ""), lo, hi, below,
             above, status]
    return "| " + " | ".join(cells) + " |"


def _supporting(check: CheckResult) -> str:
    est = "" if check.estimate is None else figure(check, check.estimate)
    words, strength = text.finding(check)
    words = md_escape(words)
    return (f"- {_check_label(check)}: {est} — "
            + (f"**{words}**" if strength != "none" else words))


def _box(result: ScanResult) -> list[str]:
    box = verdict_box(result)
    out = [f"**{md_escape(box.meaning)}**", ""]
    for title, statements in (("Confirmed", box.confirmed), ("Certified", box.certified)):
        if statements:
            out.append(f"- **{title}:**")
            out.extend(f"  - {md_escape(s.name)}: {md_escape(s.text)} ({md_escape(s.level)})"
                       for s in statements)
    if box.more_certified:
        out.append(f"  - and {box.more_certified} more certified below "
                   + ("its threshold" if box.more_certified == 1 else "their thresholds"))
    if box.not_certified:
        out.append("- **Not certified:**")
        out.extend(f"  - {md_escape(s.name)}: {md_escape(s.text)}" for s in box.not_certified)
    out.append(f"- **Policy:** {md_escape(box.policy)}")
    out.append(f"- **{box.covers_label}:** {md_escape(box.covers)}. **Not covered:** "
               f"{md_escape(box.not_covered)}.")
    return out


def _steps(result: ScanResult) -> list[str]:
    out = ["### What to do next", ""]
    for i, s in enumerate(next_steps(result), 1):
        out.append(f"{i}. **{md_escape(s.title)}.** {md_escape(s.text)}")
        out.extend(f"   - {md_escape(item)}" for item in s.items)
        if s.exposure is not None:
            out.append(f"   - Row positions, {rows_text(s.exposure)} (all in "
                       f"`{EXPOSED_ROWS_FILE}`)")
    out.append("")
    return out


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
    """The Markdown summary of a result (public: pipelines post it as a step summary, a
    pull-request comment or an artifact)."""
    result = normalised(result)
    out: list[str] = [f"## synthscan privacy risk: {md_escape(result.verdict.upper())}", ""]
    out.extend(_box(result))
    out.extend(_scope(result))
    out.append("")
    out.extend(_steps(result))
    comps = [ch for _, group in text.group_by_criterion(result.checks) for ch in group
             if ch.component]
    if comps:
        out.append("| Check | Estimate (training vs holdout) | Confirmed ≥ (level) | "
                   "Certified ≤ (level) | Passes below | Fails above | Status |")
        out.append("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
        out.extend(_row(ch) for ch in comps)
        out.append("")
        out.append("Figures are excess shares of training records (0–100%): how much more "
                   "often an attack or match succeeds on the training records than on "
                   "comparable records the generator never saw. A check is certified when its "
                   "one-sided upper bound is below the threshold it must pass, confirms a leak "
                   "when its lower bound (adjusted for the number of checks) is above the one "
                   "it fails at, and is undecided otherwise.")
        out.append("")
    support = [ch for ch in result.checks if not ch.component
               and ch.status not in ("skipped", "error")]
    if support:
        out.append("Supporting tests (reported, never certify):")
        out.append("")
        out.extend(_supporting(ch) for ch in support)
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
