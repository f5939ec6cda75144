"""Release comparison: did a risk component get worse between two scans?

``compare(old, new)`` reads the sub-test counts both results saved (each sub-test counts an event
over training targets, ``k_t`` of ``n_t``, and over holdout targets, ``k_h`` of ``n_h``) and
bounds, for every risk component decided in both, the change of its estimand

    Δ = e_new − e_old,      e = max_j (r_T,j − r_H,j)     (the component's worst sub-test)

**The interval, and why it holds when the scans share data.** Two scans of releases of the same
real data share their training and holdout records: the two estimates are dependent, with a
covariance of unknown sign (a record one generator reproduces may be the one the next
generator reproduces too, or the one it no longer does). A difference interval that assumes
independence (or a positive correlation) can then undercover. The bounds here need no
assumption about that dependence. With ``a = α / 2``:

    lower(Δ) = max_j LB_j,new(a / m_new) − max_j UB_j,old(a)
    upper(Δ) = max_j UB_j,new(a) − max_j LB_j,old(a / m_old)

where ``LB``/``UB`` are the one-sided MOVER bounds of one sub-test from exact Clopper–Pearson
limits (``stats.bounds``), ``m`` a component's number of sub-tests. A lower bound of a maximum
needs the Bonferroni split over its sub-tests, an upper bound does not (the true maximiser's own
bound covers it). Each scan's bound fails with probability at most ``a``, whatever the other
does, so the difference bound holds at ``1 − α`` by the union bound: valid, and conservative
(about √2 wider than an independent-samples interval of two equally precise scans). It holds
just as well when the two scans used different real data.

**The decision.** A component is *worse* when the one-sided lower bound of Δ, family-adjusted
over the ``K`` compared components (level ``1 − α / K``, as the verdict's ``high``), exceeds the
margin; *better* when the upper bound is below ``−margin`` at the same level. The comparison
fails when some component is worse. ``α`` is the new scan's (``config.alpha``). The reported
interval is two-sided at ``1 − α``, unadjusted.

What it does not test: whether a verdict changed (each scan's own verdict says that), supporting
figures, or a component that either scan skipped or only one scan has (an older synthscan
version, or a scan without a holdout): those are listed as not compared.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import SynthscanError, UsageError
from .fmt import level, pct
from .model import CheckResult
from .result import SCHEMA_VERSION, ScanResult
from .stats.bounds import SubTest, excess_lower, excess_upper

#: the default margin: half a percentage point of excess share
DEFAULT_MARGIN = 0.005
COMPARISON_VERSION = "1"

ChangeStatus = Literal["worse", "better", "unclear", "not_compared"]
ResultLike = ScanResult | Mapping[str, Any] | str | os.PathLike


def change_bounds(old: Sequence[SubTest], new: Sequence[SubTest],
                  alpha: float) -> tuple[float, float]:
    """One-sided ``1 - alpha`` lower and upper bounds of ``max_j e_new,j - max_j e_old,j``,
    valid whatever the dependence between the two scans (each side's bound at ``alpha / 2``,
    the lower bound of a maximum Bonferroni-split over its sub-tests)."""
    if not old or not new:
        raise ValueError("both scans need at least one sub-test")
    a = alpha / 2
    lower = (max(excess_lower(t, a / len(new)) for t in new)
             - max(excess_upper(t, a) for t in old))
    upper = (max(excess_upper(t, a) for t in new)
             - max(excess_lower(t, a / len(old)) for t in old))
    return lower, upper


@dataclass(frozen=True)
class ComponentChange:
    """One component in both scans: its estimates, the change with its two-sided interval
    (``lower``/``upper`` at the comparison's ``level``), the family-adjusted one-sided bounds
    the status is decided on (``decision_lower``/``decision_upper``) and the status."""

    id: str
    status: ChangeStatus
    old_status: str
    new_status: str
    old_estimate: float | None = None
    new_estimate: float | None = None
    change: float | None = None
    lower: float | None = None
    upper: float | None = None
    decision_lower: float | None = None
    decision_upper: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Side:
    """What the comparison says about one of the two results."""

    label: str
    verdict: str
    certified: float | None
    synthetic: str | None
    fingerprints: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Comparison:
    """The outcome of ``compare``: ``passed`` is false when some component got worse."""

    old: Side
    new: Side
    preset: str
    alpha: float
    margin: float
    level: float
    decision_level: float
    changes: tuple[ComponentChange, ...]

    @property
    def worse(self) -> list[str]:
        """Ids of the components that got significantly worse beyond the margin."""
        return [c.id for c in self.changes if c.status == "worse"]

    @property
    def passed(self) -> bool:
        return not self.worse

    @property
    def same_real_data(self) -> bool:
        """Whether both scans read the same training and holdout files (by SHA-256)."""
        return all(self.old.fingerprints.get(k) == self.new.fingerprints.get(k)
                   for k in ("train", "holdout"))

    def to_dict(self) -> dict[str, Any]:
        return {"comparison_version": COMPARISON_VERSION, "passed": self.passed,
                "worse": self.worse, "preset": self.preset, "alpha": self.alpha,
                "margin": self.margin, "level": self.level,
                "decision_level": self.decision_level, "same_real_data": self.same_real_data,
                "method": "union bound of each scan's one-sided MOVER/Clopper-Pearson bounds; "
                          "valid under any dependence between the scans",
                "old": asdict(self.old), "new": asdict(self.new),
                "components": [asdict(c) for c in self.changes]}

    def to_text(self) -> str:
        return format_comparison(self)


def check_margin(margin: float) -> float:
    """A margin as a share in [0, 1); ``UsageError`` (key ``margin``) otherwise."""
    try:
        value = float(margin)
    except (TypeError, ValueError):
        value = math.nan
    if not 0.0 <= value < 1.0:
        raise UsageError(f"margin {margin!r} is not a share between 0 and 1 — give it as a "
                         "share of training records (0.005 is half a percentage point)",
                         key="margin")
    return value


def load(result: ResultLike, role: str = "result") -> tuple[ScanResult, str]:
    """A result and its label from a ``ScanResult``, its ``to_dict()`` or a result.json path.
    Every problem is a ``UsageError`` (exit 2) naming the file."""
    if isinstance(result, ScanResult):
        return result, _synthetic_name(result) or role
    if isinstance(result, Mapping):
        return _from_mapping(result, role), role
    from .reports import load_result

    path = Path(result)
    try:
        return load_result(path), str(path)
    except SynthscanError as exc:
        if isinstance(exc, UsageError):
            raise
        raise UsageError(str(exc), source=str(path)) from None


def _from_mapping(data: Mapping[str, Any], role: str) -> ScanResult:
    version = str(data.get("schema_version", ""))
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise UsageError(f"{role}: result schema {version or 'missing'} cannot be compared by "
                         f"this synthscan (schema {SCHEMA_VERSION}) — scan that release again")
    try:
        return ScanResult.from_dict(dict(data))
    except SynthscanError as exc:
        raise UsageError(f"{role}: {exc}") from None


def _synthetic_name(result: ScanResult) -> str | None:
    return next((i.name for i in result.inputs if i.table == "synthetic"), None)


def _side(result: ScanResult, label: str) -> Side:
    return Side(label, result.verdict, result.risk.upper, _synthetic_name(result),
                {i.table: i.sha256 for i in result.inputs})


def _components(result: ScanResult) -> dict[str, CheckResult]:
    return {c.id: c for c in result.checks if c.component}


def _check_comparable(old: ScanResult, new: ScanResult, labels: tuple[str, str]) -> None:
    if old.policy.preset != new.policy.preset:
        raise UsageError(f"{labels[0]} was scanned with policy preset {old.policy.preset!r}, "
                         f"{labels[1]} with {new.policy.preset!r} — compare scans made with the "
                         "same preset (scan one again with --preset)")


def compare(old: ResultLike, new: ResultLike, *, margin: float = DEFAULT_MARGIN,
            alpha: float | None = None, labels: tuple[str, str] | None = None) -> Comparison:
    """Compare two scans of releases, component by component (see the module's docstring for
    the interval and the decision).

    ``old``/``new``: a ``ScanResult``, its ``to_dict()``, or the path of a result.json.
    ``margin``: how much worse (a share of training records; 0.005 = 0.5 percentage points)
    a component may get before the comparison fails. ``alpha``: the error rate (default: the
    new scan's). ``labels``: how to name the two in messages (default: their paths, or their
    synthetic tables' names). Raises ``UsageError`` (exit 2) for unreadable or incomparable
    results.
    """
    margin = check_margin(margin)
    old_result, old_label = load(old, "OLD")
    new_result, new_label = load(new, "NEW")
    if labels is not None:
        old_label, new_label = labels
    if old_label == new_label:
        old_label, new_label = f"OLD {old_label}", f"NEW {new_label}"
    _check_comparable(old_result, new_result, (old_label, new_label))
    alpha = float(new_result.config.alpha if alpha is None else alpha)
    if not 0.0 < alpha < 1.0:
        raise UsageError(f"alpha {alpha!r} must be between 0 and 1 — e.g. 0.05", key="alpha")
    olds, news = _components(old_result), _components(new_result)
    both = [cid for cid in news if cid in olds and olds[cid].tests and news[cid].tests]
    if not both:
        raise UsageError(f"{old_label} and {new_label} have no risk component decided in both "
                         "— nothing to compare (were their checks skipped?)")
    family = alpha / len(both)
    changes = tuple(
        _change(olds[cid], news[cid], alpha, family, margin, (old_label, new_label))
        if cid in olds else _one_sided(news[cid], "new", new_label) for cid in news) + tuple(
        _one_sided(olds[cid], "old", old_label) for cid in olds if cid not in news)
    return Comparison(old=_side(old_result, old_label), new=_side(new_result, new_label),
                      preset=new_result.policy.preset, alpha=alpha, margin=margin,
                      level=1.0 - alpha, decision_level=1.0 - family, changes=changes)


def _one_sided(check: CheckResult, side: str, label: str) -> ComponentChange:
    """A component only one scan has (made without a holdout, or by a synthscan version without
    it): listed, not compared."""
    return ComponentChange(
        id=check.id, status="not_compared",
        old_status=check.status if side == "old" else "absent",
        new_status=check.status if side == "new" else "absent",
        **{f"{side}_estimate": check.estimate},
        note=f"only in {label} (scanned without a holdout, or by a synthscan version without "
             "this check): scan the other release the same way to compare it")


def _change(old: CheckResult, new: CheckResult, alpha: float, family: float, margin: float,
            labels: tuple[str, str]) -> ComponentChange:
    base: dict[str, Any] = {"id": new.id, "old_status": old.status,
                            "new_status": new.status, "old_estimate": old.estimate,
                            "new_estimate": new.estimate}
    if not (old.tests and new.tests):
        if not old.tests and not new.tests and (old.status, old.reason) == (new.status,
                                                                             new.reason):
            note = f"{old.status} in both" + (f": {old.reason}" if old.reason else "")
        else:
            note = "; ".join(f"{c.status} in {lab}" + (f": {c.reason}" if c.reason else "")
                             for lab, c in zip(labels, (old, new), strict=True) if not c.tests)
        return ComponentChange(status="not_compared", note=note, **base)
    lo, hi = change_bounds(old.tests, new.tests, alpha / 2)
    d_lo, d_hi = change_bounds(old.tests, new.tests, family)
    status: ChangeStatus = ("worse" if d_lo > margin else "better" if d_hi < -margin
                            else "unclear")
    note = ("" if len(old.tests) == len(new.tests) else
            f"{len(old.tests)} sub-tests in {labels[0]}, {len(new.tests)} in {labels[1]} (other "
            "columns or settings): the two estimands may differ")
    est = max(t.estimate for t in new.tests) - max(t.estimate for t in old.tests)
    return ComponentChange(status=status, change=est, lower=lo, upper=hi, decision_lower=d_lo,
                           decision_upper=d_hi, note=note, **base)


_WORDS = {"worse": "WORSE", "better": "better", "unclear": "no significant change",
          "not_compared": "not compared"}


def _pp(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x + 0.0:+.2f} pp"


def format_comparison(c: Comparison) -> str:
    """The comparison as a plain-text table with its heading and conclusion."""
    lines = [f"Old: {c.old.label} — verdict {c.old.verdict}, certified {pct(c.old.certified)}",
             f"New: {c.new.label} — verdict {c.new.verdict}, certified {pct(c.new.certified)}",
             f"Change of each component's excess (new − old), {level(c.level)} two-sided "
             f"interval; worse when the {level(c.decision_level)} one-sided lower bound "
             f"(adjusted for {sum(x.change is not None for x in c.changes)} components) exceeds "
             f"the margin {_pp(c.margin)[1:]}",
             "", f"{'component':<22} {'old':>8} {'new':>8} {'change':>10} "
                 f"{'interval':>22} {'lower bound':>12}  status"]
    for x in c.changes:
        if x.change is None:
            lines.append(f"{x.id:<22} {pct(x.old_estimate):>8} {pct(x.new_estimate):>8} "
                         f"{'':>10} {'':>22} {'':>12}  {_WORDS[x.status]}")
        else:
            interval = f"[{_pp(x.lower)[:-3]}, {_pp(x.upper)}]"
            lines.append(f"{x.id:<22} {pct(x.old_estimate):>8} {pct(x.new_estimate):>8} "
                         f"{_pp(x.change):>10} {interval:>22} {_pp(x.decision_lower):>12}  "
                         f"{_WORDS[x.status]}")
        if x.note:
            lines.append(f"{'':<22} ({x.note})")
    if not c.same_real_data:
        lines.append("Note: the two scans used different training or holdout files; the "
                     "bounds hold all the same.")
    lines.append("")
    lines.append(f"Worse beyond the margin: {', '.join(c.worse)}" if c.worse else
                 f"No component got significantly worse beyond the {_pp(c.margin)[1:]} margin.")
    return "\n".join(lines)
