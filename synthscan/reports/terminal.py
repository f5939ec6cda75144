"""Compact plain-text summary of a result, for the terminal (stderr)."""

from __future__ import annotations

from ..result import ScanResult

_WORDS = {
    "low": "LOW — no evidence of leakage at this sample size (this is not proof of anonymity)",
    "inconclusive": "INCONCLUSIVE — the data can neither confirm nor rule out leakage above "
                    "the thresholds",
    "high": "HIGH — the synthetic data leaks training records",
}


def _pct(x: float | None) -> str:
    return "    n/a" if x is None else f"{100 * x:6.2f}%"


def render_summary(result: ScanResult) -> str:
    """Verdict, overall risk, then one line per check."""
    r = result.risk
    lines = [
        f"Verdict: {_WORDS.get(result.verdict, result.verdict)}",
        f"Risk (weakest link): {_pct(r.get('estimate')).strip()}, family-adjusted bounds "
        f"[{_pct(r.get('lower')).strip()}, {_pct(r.get('upper')).strip()}]"
        + (f", set by {r['driver']}" if r.get("driver") else ""),
        f"Evidence: {result.evidence}",
        "",
        f"{'check':<28} {'estimate':>9} {'95% interval':>20} {'threshold':>9}  status",
    ]
    supporting = False
    for c in result.checks:
        if c.component:
            fmt = lambda x: _pct(x).strip()  # noqa: E731 - risk scale, in percent
            name = c.id
        else:  # supporting tests report their own statistic (e.g. a probability)
            fmt = lambda x: f"{x:.3f}"  # noqa: E731
            name = f"{c.id} \u2020"
            supporting = supporting or c.estimate is not None
        interval = "" if c.lower is None else f"[{fmt(c.lower)}, {fmt(c.upper)}]"
        thr = "" if c.threshold is None else _pct(c.threshold).strip()
        est = "" if c.estimate is None else fmt(c.estimate)
        lines.append(f"{name:<28} {est:>9} {interval:>20} {thr:>9}  {c.status}")
        if c.status in ("skipped", "error") and c.reason:
            lines.append(f"{'':<28} ({c.reason})")
    if supporting:
        lines.append("\u2020 supporting test, not a risk score: its own statistic (see the "
                     "report); a warning keeps the verdict from 'low'")
    return "\n".join(lines)
