"""The singling-out sentence, written from a decided result's fields and details.

Every interval in it (the worst kind's and each kind's, in the details) is two-sided at the
result's ``level``, the scan's ``1 - alpha``.
"""

from __future__ import annotations

from typing import Any

from ...fmt import level, pct, pts
from ...model import CheckResult


def _pp(x: float) -> str:
    return f"{pts(x)} percentage points"


def _interval(conf: str, lo: float, hi: float) -> str:
    return f"{conf} interval {pts(lo)} to {_pp(hi)}".lstrip()


def kind_label(name: str, kind: dict[str, Any]) -> str:
    """What a kind of predicate is, in words ("rules")."""
    if name == "univariate":
        return "one-column rules (rare values, extremes)"
    lo, hi = kind["composition"]["columns_per_predicate"]
    return f"rules on {lo} columns" if lo == hi else f"rules on {lo}–{hi} columns"


def _per_kind(kinds: dict[str, dict[str, Any]], conf: str) -> str:
    parts = []
    for name, k in kinds.items():
        label = kind_label(name, k)
        if not k["predicates"]:
            parts.append(f"{label}: none of {k['requested']} requested could be found")
            continue
        parts.append(
            f"{label} ({k['found']} of {k['requested']} requested found): "
            f"{pct(k['train_rate'], 1)} training vs {pct(k['holdout_rate'], 1)} holdout, "
            f"excess {_pp(k['excess'])} ({_interval(conf, *k['interval'])})")
    return "Per kind: " + "; ".join(parts) + ". "


def describe(result: CheckResult, lower: float, upper: float) -> str:
    """The plain-language summary of a singling-out result with sub-tests, whose worst kind's
    interval is ``lower`` to ``upper``."""
    d = result.details
    kinds: dict[str, dict[str, Any]] = d["kinds"]
    worst = next(t for t in result.tests if t.label == d["worst_kind"])
    wk = kinds[worst.label]
    conf = level(result.level)
    eq = d["equal_size"]
    sub = (f"; the {eq['subsampled']} side averaged over {eq['repeats']} random subsamples"
           if eq["subsampled"] != "none" else "")
    text = (
        "Singling out: rules written from the synthetic data, each describing exactly one "
        "synthetic row, are tried on training records and on holdout records the generator "
        f"never saw, compared on {eq['size']} records each{sub}. In the worse of "
        f"{len(result.tests)} kind(s) of rules ({kind_label(worst.label, wk)}), "
        f"{pct(worst.rate_t, 1)} of {wk['found']} rules single out exactly one training record "
        f"({worst.k_t:.1f} rules) against {pct(worst.rate_h, 1)} for holdout records "
        f"({worst.k_h:.1f}): an excess of {_pp(worst.estimate)} "
        f"({_interval(conf, lower, upper)}). The unit is a rule, not a person. ")
    text += _per_kind(kinds, conf)
    short = [kind_label(n, k) for n, k in kinds.items() if k["shortfall"] > 0]
    if short:
        text += (f"Fewer rules than requested could be found ({', '.join(short)}): the "
                 "estimate rests on fewer attacks, as its interval shows. ")
    base = ", ".join(_pp(k["random_baseline"]["excess"])
                     for k in kinds.values() if k["predicates"])
    text += (f"Rules of the same shapes with values drawn from the real data instead: excess "
             f"{base} (a sanity check, expected near 0). A low figure means this attack "
             "found no excess, not that the data is anonymous.")
    return text
