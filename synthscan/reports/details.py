"""A compact, generic description of a check's ``details`` and ``counts``: every renderer shows
them without knowing the check. Descriptive only: nothing the verdict decided on is read from
here (those figures are typed fields of ``CheckResult``). Long lists are summarised, lists of
row positions become a count, nested tables are shown one level deep, and tables that can be
drawn (histograms, curves) are found for the charts."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..fmt import pct
from .format import number

_INDEX_HINTS = ("row", "index", "indices", "position", "_ids")
_PCT_HINTS = ("share", "rate", "fraction", "proportion", "interval", "difference", "excess",
              "risk", "advantage")
MAX_TEXT = 300
MAX_NAMES = 12
MAX_NUMBERS = 6
MAX_KEYS = 8
MAX_TABLE_ROWS = 40
MAX_TABLE_COLS = 9
MAX_SERIES = 6


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


#: details keys whose words alone would not say what they are
LABELS = {
    "pi0": "training share expected without copying",
    "p_hat": "observed training share",
    "adjusted_interval": "interval adjusted for several tests",
    "tpr": "true-positive rate",
    "fpr": "false-positive rate",
    "auc": "AUC",
    "nndr": "distance ratio",
    "tau": "tolerance",
    "tp": "true positives",
    "fp": "false positives",
}
_QUOTED = re.compile(r"'([a-z][a-z0-9]*(?:_[a-z0-9]+)*)'")


def details_label(key: str) -> str:
    """A details or counts key as words."""
    return LABELS.get(key, key.replace("_", " "))


def _words(text: str) -> str:
    """A check's own text with the key names it quotes (``'upper_bound'``) made words. Bare
    identifiers are left alone: they may be column names."""
    return _QUOTED.sub(lambda m: details_label(m.group(1)), text)


def _fmt_nums(key: str, values: list[float]) -> list[str]:
    """Shares named as such (and within -1..1) as percentages, anything else as numbers."""
    k = key.lower()
    if any(h in k for h in _PCT_HINTS) and all(-1.0 <= v <= 1.0 for v in values):
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
        value = _words(value)
        return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"
    if isinstance(value, (list, tuple)):
        return _describe_list(key, list(value))
    if isinstance(value, Mapping):
        return _describe_table(value, depth)
    return describe(key, str(value), depth)


def _entries(n: int) -> str:
    return f"{n:,} {'entry' if n == 1 else 'entries'}"


def _names(keys: list[Any]) -> str:
    shown = ", ".join(details_label(str(k)) for k in keys[:MAX_KEYS])
    return shown + (", …" if len(keys) > MAX_KEYS else "")


def _describe_table(value: Mapping[Any, Any], depth: int) -> str:
    if not value:
        return "none"
    if depth >= 1:
        n = len(value)
        return f"{n:,} {'figure' if n == 1 else 'figures'} ({_names(list(value))})"
    items = list(value.items())
    parts = [f"{details_label(str(k))}: {describe(str(k), v, depth + 1)}"
             for k, v in items[:MAX_KEYS]]
    if len(items) > MAX_KEYS:
        parts.append(f"and {len(items) - MAX_KEYS} more")
    return "; ".join(parts)


def _describe_list(key: str, values: list[Any]) -> str:
    n = len(values)
    if n == 0:
        return "none"
    positions = any(h in key.lower() for h in _INDEX_HINTS)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values) and (
            positions or n > MAX_NUMBERS):
        if positions:
            return f"{n:,} row positions (kept in result.json)"
        return f"{n:,} values, from {number(min(values))} to {number(max(values))}"
    if all(_is_num(v) for v in values):
        if n <= MAX_NUMBERS:
            return _few_numbers(key, values)
        lo, hi = _fmt_nums(key, [min(values), max(values)])
        return f"{n:,} values, from {lo} to {hi}"
    if all(isinstance(v, str) for v in values):
        shown = [describe(key, v, 1) for v in values[:MAX_NAMES]]
        more = f" and {n - MAX_NAMES:,} more" if n > MAX_NAMES else ""
        return ", ".join(shown) + more
    if all(isinstance(v, Mapping) for v in values):
        fields = list(dict.fromkeys(str(k) for v in values for k in v))
        return f"{_entries(n)} (fields: {_names(fields)})" if fields else _entries(n)
    return f"{n:,} items"


def _few_numbers(key: str, values: list[float]) -> str:
    """A handful of numbers without brackets: an interval as ``a to b``, an estimate with its
    interval (``[est, lo, hi]``) as ``est (lo to hi)``, anything else separated by commas."""
    shown = _fmt_nums(key, values)
    if len(values) == 2 and "interval" in key.lower() and values[0] <= values[1]:
        return f"{shown[0]} to {shown[1]}"
    if len(values) == 3 and values[1] <= values[0] <= values[2]:
        return f"{shown[0]} ({shown[1]} to {shown[2]})"
    return ", ".join(shown)


# --------------------------------------------------------------------------------------------
# chartable details: histograms and ECDF-style curves


@dataclass(frozen=True)
class Series:
    """One named array of values drawn against a chart's x positions or bins."""

    name: str
    values: list[float]


@dataclass(frozen=True)
class ChartData:
    """A details entry that can be drawn."""

    key: str
    kind: str  # "histogram" (edges + per-bin values) or "curve" (x + y values)
    x: list[float]  # bin edges (k + 1) for a histogram, x positions (k) for a curve
    series: list[Series]
    note: str = ""  # the entry's own "note" text, if any
    log: bool = False  # both axes logarithmic (e.g. a ROC curve at low false-positive rates)

    def shape(self) -> str:
        """What is drawn, in words: ``histogram of train, holdout (20 bins)``."""
        names = ", ".join(s.name for s in self.series)
        if self.kind == "histogram":
            return f"histogram of {names} ({len(self.x) - 1} bins)"
        return f"curve of {names} ({len(self.x)} points)"


def _numeric_list(v: Any) -> list[float] | None:
    if isinstance(v, (list, tuple)) and v and all(_is_num(x) for x in v):
        return [float(x) for x in v]
    return None


def _chart(key: str, value: Mapping[str, Any]) -> ChartData | None:
    """A table with ``edges`` (k + 1 bin edges) and arrays of k values per series is a
    histogram; one with ``x`` and arrays of equal length is a curve."""
    edges, xs = _numeric_list(value.get("edges")), _numeric_list(value.get("x"))
    if edges is not None and len(edges) >= 2 and edges == sorted(edges):
        kind, x, k = "histogram", edges, len(edges) - 1
    elif xs is not None and len(xs) >= 2 and xs == sorted(xs):
        kind, x, k = "curve", xs, len(xs)
    else:
        return None
    log = value.get("scale") == "log"
    if (log and x[0] <= 0) or not x[-1] > x[0]:
        return None
    series = [Series(str(name), nums) for name, arr in value.items()
              if name not in ("edges", "x")
              and (nums := _numeric_list(arr)) is not None and len(nums) == k]
    if not series:
        return None
    note = value.get("note")
    return ChartData(key, kind, x, series[:MAX_SERIES], note if isinstance(note, str) else "",
                     log)


def find_charts(details: Mapping[str, Any]) -> list[ChartData]:
    """Details entries that can be drawn (histograms and curves, e.g. an empirical CDF)."""
    if not isinstance(details, Mapping):
        return []
    found = (_chart(str(k), v) for k, v in details.items() if isinstance(v, Mapping))
    return [c for c in found if c is not None]


def details_rows(details: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, text) pairs describing a check's details; chartable entries are described by
    their shape only (the HTML report draws them)."""
    if not isinstance(details, Mapping):
        return []
    charts = {c.key: c for c in find_charts(details)}
    return [(details_label(key), charts[key].shape() if key in charts else describe(key, value))
            for key, value in details.items()]


def counts_rows(counts: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, text) pairs of a check's counts."""
    if not isinstance(counts, Mapping):
        return []
    return [(details_label(k), describe(k, v)) for k, v in counts.items()]


def record_tables(details: Mapping[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """Details entries that are lists of flat records (e.g. one row per attack), as (label,
    headers, rows) of plain text: at most MAX_TABLE_ROWS rows and MAX_TABLE_COLS columns (the
    first ones), values formatted like the rest of the details."""
    if not isinstance(details, Mapping):
        return []
    out = []
    for key, value in details.items():
        if not (isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value)):
            continue
        fields = list(dict.fromkeys(str(k) for v in value for k in v))
        flat = [f for f in fields
                if all(not isinstance(v.get(f), (dict, list)) or _numeric_list(v.get(f))
                       is not None for v in value)][:MAX_TABLE_COLS]
        if not flat:
            continue
        rows = [["" if v.get(f) is None else describe(f, v.get(f), 1) for f in flat]
                for v in value[:MAX_TABLE_ROWS]]
        label = details_label(key)
        if len(value) > MAX_TABLE_ROWS:
            label += f" (first {MAX_TABLE_ROWS} of {len(value):,})"
        out.append((label, [details_label(f) for f in flat], rows))
    return out
