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
        f"Risk (weakest link): {_pct(r.get('estimate')).strip()} "
        f"[{_pct(r.get('lower')).strip()}, {_pct(r.get('upper')).strip()}]"
        + (f", set by {r['driver']}" if r.get("driver") else ""),
        f"Evidence: {result.evidence}",
        "",
        f"{'check':<28} {'estimate':>9} {'95% interval':>20} {'threshold':>9}  status",
    ]
    for c in result.checks:
        interval = ("" if c.lower is None else f"[{_pct(c.lower).strip()}, "
                    f"{_pct(c.upper).strip()}]")
        thr = "" if c.threshold is None else _pct(c.threshold).strip()
        est = "" if c.estimate is None else _pct(c.estimate).strip()
        lines.append(f"{c.id:<28} {est:>9} {interval:>20} {thr:>9}  {c.status}")
        if c.status in ("skipped", "error") and c.reason:
            lines.append(f"{'':<28} ({c.reason})")
    return "\n".join(lines)
