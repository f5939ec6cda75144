"""Wording and formatting shared by the renderers: verdicts in plain words, criteria, numbers,
and a compact, generic description of any check's ``details``.

Everything here returns *plain* text; each renderer escapes it for its own format.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from ..model import CheckResult
from ..result import ScanResult

#: the criteria in the order reports present them; unknown criteria follow in order of appearance
CRITERIA_ORDER = ("copies", "distance", "membership", "singling_out", "linkability", "inference")

CRITERION_TITLES = {
    "copies": "Copies of real records",
    "distance": "Closeness to real records",
    "membership": "Membership inference",
    "singling_out": "Singling out",
    "linkability": "Linkability",
    "inference": "Attribute inference",
}

CRITERION_QUESTIONS = {
    "copies": "Does the synthetic data contain real training records verbatim? A copied record "
              "discloses everything recorded about that person.",
    "distance": "Are synthetic records closer to the training records than to comparable real "
                "records the generator never saw? Closeness beyond what the holdout shows points "
                "to near-copies (memorised records).",
    "membership": "Can someone holding the synthetic data tell whether a given person's record "
                  "was used for training? Being in the training data can itself be sensitive "
                  "(for example, a patient registry).",
    "singling_out": "Can the synthetic data be used to isolate one real person by a combination "
                    "of attributes?",
    "linkability": "Can the synthetic data be used to link records about the same person held "
                   "in different datasets?",
    "inference": "Can someone who knows some of a person's attributes use the synthetic data to "
                 "infer another, sensitive attribute more accurately for people in the training "
                 "data than for others?",
}

VERDICT_HEADLINES = {
    "low": "Low risk: every risk component is certified below its policy threshold",
    "inconclusive": "Inconclusive: leakage above the policy thresholds can neither be confirmed "
                    "nor ruled out",
    "high": "High risk: the synthetic data leaks information about people in the training data",
}

VERDICT_EXPLANATIONS = {
    "low": "Every planned risk component ran, and each one's one-sided upper bound is below its "
           "policy threshold: leakage above the thresholds is ruled out at the stated "
           "confidence, for these estimands. This is not proof that the data are anonymous: "
           "only the attacks listed in this report were tried, at the sample sizes available.",
    "inconclusive": "No component confirms leakage above its threshold, but at least one "
                    "could not be certified below it (or could not run). The data neither "
                    "convict nor acquit this release; the undecided components and the data "
                    "that would decide them are listed.",
    "high": "At least one component's confirmed lower bound (family-adjusted over every "
            "component and sub-test) exceeds the policy's threshold. The release should not "
            "go ahead as it is.",
}

NO_COMPONENT_EXPLANATION = (
    "No risk check could be computed on these inputs, so the scan gives no evidence either way. "
    "See the reasons given for each check."
)

STATUS_WORDS = {
    "pass": "within threshold",
    "warn": "inconclusive",
    "fail": "above threshold",
    "skipped": "not run",
    "error": "could not compute",
    "info": "for information",
}

#: the verdict that makes the policy fail, in words
FAIL_ON_WORDS = {
    "high": "fails on a high verdict",
    "inconclusive": "fails on an inconclusive or high verdict",
    "never": "never fails (report only)",
}



def esc(text: object) -> str:
    """Escape any value for HTML text or attributes."""
    import html

    return html.escape(str(text), quote=True)

def normalised(result: ScanResult) -> ScanResult:
    """The result as it reads back from its JSON (numbers rounded as stored), so that a report
    rendered during the scan and one rendered later from result.json are byte-identical."""
    return ScanResult.from_dict(json.loads(result.to_json()))


def pct(x: float | None, digits: int = 2) -> str:
    """A 0-1 figure as a percentage; ``n/a`` when missing."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    return f"{100 * float(x):.{digits}f}%"


def interval(lo: float | None, hi: float | None) -> str:
    if lo is None or hi is None:
        return "n/a"
    return f"{pct(lo)} – {pct(hi)}"


def number(x: Any) -> str:
    """A count or measurement, compactly: integers with separators, floats to 4 digits."""
    if x is None:
        return "n/a"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return f"{x:,}"
    if isinstance(x, float):
        if not math.isfinite(x):
            return "n/a"
        if x.is_integer() and abs(x) < 1e15:
            return f"{int(x):,}"
        if 1 <= abs(x) < 1e12:
            decimals = max(1, 3 - int(math.floor(math.log10(abs(x)))))
            return f"{x:,.{decimals}f}".rstrip("0").rstrip(".")
        if 1e-3 <= abs(x) < 1:
            return f"{x:.4g}"
        return f"{x:.3g}"
    return str(x)


def figure(check: CheckResult, x: float | None) -> str:
    """A check's estimate or bound: a percentage on the risk scale for risk checks, else a plain
    number (informational checks have scales of their own)."""
    if x is None:
        return "n/a"
    return pct(x) if check.component else number(float(x))


def figure_interval(check: CheckResult) -> str:
    if check.lower is None or check.upper is None:
        return "n/a"
    return f"{figure(check, check.lower)} – {figure(check, check.upper)}"


def criterion_title(criterion: str) -> str:
    return CRITERION_TITLES.get(criterion, criterion.replace("_", " ").capitalize())


def group_by_criterion(checks: list[CheckResult]) -> list[tuple[str, list[CheckResult]]]:
    """Checks grouped by criterion: known criteria in their fixed order, then the others in
    order of first appearance; checks keep their order within a group."""
    groups: dict[str, list[CheckResult]] = {}
    for c in checks:
        groups.setdefault(c.criterion or "other", []).append(c)
    known = [k for k in CRITERIA_ORDER if k in groups]
    rest = [k for k in groups if k not in CRITERIA_ORDER]
    return [(k, groups[k]) for k in known + rest]


def verdict_headline(result: ScanResult) -> str:
    return VERDICT_HEADLINES.get(result.verdict, result.verdict)


def verdict_explanation(result: ScanResult) -> str:
    if not result.risk.components:
        return NO_COMPONENT_EXPLANATION
    return VERDICT_EXPLANATIONS.get(result.verdict, "")


def policy_outcome(result: ScanResult) -> str:
    """The policy, what fails it, and whether this result passed, e.g. ``public-release (fails
    on a high verdict): passed``."""
    p = result.policy
    fail_on = p.get("fail_on", "high")
    outcome = "passed" if result.passed else "FAILED"
    return f"{p.get('preset', '?')} ({FAIL_ON_WORDS.get(fail_on, fail_on)}): {outcome}"


def status_words(check: CheckResult) -> str:
    """What a status means for this check: against the threshold for checks that have one."""
    if check.threshold is None and check.status in ("pass", "warn", "fail"):
        return {"pass": "no signal", "warn": "unclear", "fail": "signal found"}[check.status]
    return STATUS_WORDS.get(check.status, check.status)


def overall_risk_sentence(result: ScanResult) -> str:
    r = result.risk
    if r.upper is None:
        return "Overall risk: not available (no risk component could be decided)."
    binding = f", weakest component {r.binding}" if r.binding else ""
    return (f"Certified upper bound ({r.upper_level:.0%} one-sided): {pct(r.upper)}{binding}; "
            f"confirmed lower bound: {pct(r.lower)}.")


def adjusted_interval(check: CheckResult) -> tuple[float, float] | None:
    """The bounds a component's status was decided on: (confirmed lower, certified upper)."""
    d = check.decision
    if d is None:
        return None
    return float(d.lower), float(d.upper)


def decision_cells(check: CheckResult) -> tuple[str, str]:
    """(confirmed lower bound, certified upper bound), each with its one-sided level; blank
    for checks that are not decided against a threshold."""
    d = check.decision
    if d is None:
        return "", ""
    return (f"{pct(max(d.lower, 0.0))} ({d.lower_level:.2%})",
            f"{pct(d.upper)} ({d.upper_level:.0%})")


def decision_text(check: CheckResult) -> str | None:
    """The decision bounds with their levels, in words."""
    d = check.decision
    if d is None:
        return None
    return (f"confirmed at least {pct(max(d.lower, 0.0))} ({d.lower_level:.2%} one-sided, "
            f"family-adjusted); certified at most {pct(d.upper)} ({d.upper_level:.0%} "
            f"one-sided); worst of {d.sub_tests} sub-test(s)")


def synthetic_input(result: ScanResult) -> dict[str, Any] | None:
    for i in result.inputs:
        if i.get("role") == "synthetic":
            return i
    return None


# --------------------------------------------------------------------------------------------
# generic description of details


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


_INDEX_HINTS = ("row", "index", "indices", "position", "_ids")
_PCT_HINTS = ("share", "rate", "fraction", "proportion", "interval", "difference", "excess",
              "risk", "advantage")
MAX_TEXT = 300
MAX_NAMES = 12
MAX_NUMBERS = 6
MAX_KEYS = 8


def details_label(key: str) -> str:
    """A details or counts key as words."""
    return key.replace("_", " ")


def _pct_key(key: str, values: list[float]) -> bool:
    k = key.lower()
    return any(h in k for h in _PCT_HINTS) and all(-1.0 <= v <= 1.0 for v in values)


def _fmt_nums(key: str, values: list[float]) -> list[str]:
    if _pct_key(key, values):
        return [pct(v) for v in values]
    return [number(v) for v in values]


def describe(key: str, value: Any, depth: int = 0) -> str:
    """One value of a check's details as short plain text. Long lists are summarised (lists of
    row positions become a count only); nested tables are shown one level deep."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if _is_num(value):
        return _fmt_nums(key, [value])[0]
    if isinstance(value, (int, float)):
        return "n/a"
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"
    if isinstance(value, (list, tuple)):
        return _describe_list(key, list(value))
    if isinstance(value, dict):
        if depth >= 1 or not value:
            return _entries(len(value)) if value else "none"
        items = list(value.items())
        parts = [f"{details_label(str(k))}: {describe(str(k), v, depth + 1)}"
                 for k, v in items[:MAX_KEYS]]
        if len(items) > MAX_KEYS:
            parts.append(f"and {len(items) - MAX_KEYS} more")
        return "; ".join(parts)
    return describe(key, str(value), depth)


def _entries(n: int) -> str:
    return f"{n:,} {'entry' if n == 1 else 'entries'}"


def _describe_list(key: str, values: list[Any]) -> str:
    n = len(values)
    if n == 0:
        return "none"
    k = key.lower()
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values) and (
        any(h in k for h in _INDEX_HINTS) or n > MAX_NUMBERS
    ):
        if any(h in k for h in _INDEX_HINTS):
            return f"{n:,} (positions not listed)"
        return f"{n:,} values, from {number(min(values))} to {number(max(values))}"
    if all(_is_num(v) for v in values):
        if n <= MAX_NUMBERS:
            return "[" + ", ".join(_fmt_nums(key, values)) + "]"
        lo, hi = _fmt_nums(key, [min(values), max(values)])
        return f"{n:,} values, from {lo} to {hi}"
    if all(isinstance(v, str) for v in values):
        shown = [describe(key, v, 1) for v in values[:MAX_NAMES]]
        more = f" and {n - MAX_NAMES:,} more" if n > MAX_NAMES else ""
        return ", ".join(shown) + more
    if all(isinstance(v, dict) for v in values):
        fields = list(dict.fromkeys(str(k) for v in values for k in v))
        shown = ", ".join(details_label(f) for f in fields[:MAX_KEYS])
        more = ", …" if len(fields) > MAX_KEYS else ""
        return f"{_entries(n)} (fields: {shown}{more})" if fields else _entries(n)
    return f"{n:,} items"


# --------------------------------------------------------------------------------------------
# chartable details: histograms and ECDF-style curves


@dataclass
class Series:
    name: str
    values: list[float]


@dataclass
class ChartData:
    key: str
    kind: str  # "histogram" (edges + per-bin values) or "curve" (x + y values)
    x: list[float]  # bin edges (k + 1) for a histogram, x positions (k) for a curve
    series: list[Series]
    note: str = ""  # the entry's own "note" text, if any
    log: bool = False  # both axes logarithmic (e.g. a ROC curve at low false-positive rates)


def _numeric_list(v: Any) -> list[float] | None:
    if isinstance(v, (list, tuple)) and v and all(_is_num(x) for x in v):
        return [float(x) for x in v]
    return None


def find_charts(details: dict[str, Any]) -> list[ChartData]:
    """Details entries that can be drawn: a table with ``edges`` (k + 1 bin edges) and arrays of
    k values per series is a histogram; one with ``x`` and arrays of equal length is a curve
    (e.g. an empirical CDF)."""
    charts = []
    if not isinstance(details, dict):
        return charts
    for key, value in details.items():
        if not isinstance(value, dict):
            continue
        edges, xs = _numeric_list(value.get("edges")), _numeric_list(value.get("x"))
        if edges is not None and len(edges) >= 2 and edges == sorted(edges):
            kind, x, k = "histogram", edges, len(edges) - 1
        elif xs is not None and len(xs) >= 2 and xs == sorted(xs):
            kind, x, k = "curve", xs, len(xs)
        else:
            continue
        series = []
        log = value.get("scale") == "log"
        if log and x[0] <= 0:
            continue
        for name, arr in value.items():
            if name in ("edges", "x"):
                continue
            nums = _numeric_list(arr)
            if nums is not None and len(nums) == k:
                series.append(Series(str(name), nums))
        note = value.get("note")
        if series and x[-1] > x[0]:
            charts.append(ChartData(str(key), kind, x, series[:6],
                                    note if isinstance(note, str) else "", log))
    return charts


def details_rows(details: dict[str, Any], skip: set[str] | None = None) -> list[tuple[str, str]]:
    """(label, text) pairs describing a check's details; chartable entries are described by
    their shape only (the HTML report draws them)."""
    rows: list[tuple[str, str]] = []
    if not isinstance(details, dict):
        return rows
    charts = {c.key: c for c in find_charts(details)}
    for key, value in details.items():
        if skip and key in skip:
            continue
        if key in charts:
            c = charts[key]
            n = len(c.x) - 1 if c.kind == "histogram" else len(c.x)
            what = "histogram" if c.kind == "histogram" else "curve"
            unit = "bins" if c.kind == "histogram" else "points"
            rows.append((details_label(key), f"{what} of {', '.join(s.name for s in c.series)} "
                                      f"({n} {unit})"))
            continue
        rows.append((details_label(key), describe(key, value)))
    return rows


def counts_rows(counts: dict[str, Any]) -> list[tuple[str, str]]:
    if not isinstance(counts, dict):
        return []
    return [(details_label(k), describe(k, v)) for k, v in counts.items()]


# --------------------------------------------------------------------------------------------
# record tables: details entries that are lists of flat records (e.g. one row per attack)

MAX_TABLE_ROWS = 40
MAX_TABLE_COLS = 9


def record_tables(details: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """Details entries that are lists of flat dicts, as (label, headers, rows) of plain text:
    at most MAX_TABLE_ROWS rows and MAX_TABLE_COLS columns (the first ones), values formatted
    like the rest of the details."""
    out = []
    if not isinstance(details, dict):
        return out
    for key, value in details.items():
        if not (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)):
            continue
        fields = list(dict.fromkeys(str(k) for v in value for k in v))
        flat = [f for f in fields
                if all(not isinstance(v.get(f), (dict, list)) or _numeric_list(v.get(f))
                       is not None for v in value)][:MAX_TABLE_COLS]
        if not flat:
            continue
        rows = []
        for v in value[:MAX_TABLE_ROWS]:
            rows.append(["" if v.get(f) is None else describe(f, v.get(f), 1) for f in flat])
        label = details_label(key)
        if len(value) > MAX_TABLE_ROWS:
            label += f" (first {MAX_TABLE_ROWS} of {len(value):,})"
        out.append((label, [details_label(f) for f in flat], rows))
    return out
