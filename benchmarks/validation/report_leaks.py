"""docs/validation.md, the sections on leaks: real generators fitted on train, detection of
planted leaks, where synthscan is weak, and the reported figures against planted copies."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .report_stats import (
    KIND_LABEL,
    SHORT,
    Row,
    cell_order,
    check,
    decision,
    dose_label,
    is_null,
    median,
    pct,
    rate,
    rate_cell,
    reported_vs_dose,
    scenario_label,
    status_of,
    theta,
    verdict_counts,
)
from .scenarios import GENERATORS

# ---------------------------------------------------------------------- 7 generators


def generators_section(g: dict[tuple, list[Row]], comps: list[str]) -> list[str]:
    keys = sorted((k for k in g if k[2] == "generator_train"), key=lambda k: (k[3], k[0], k[1]))
    out = ["## Real generators fitted on train (informative)", "",
           "SDV synthesizers at their defaults fitted on the training rows themselves. Not a "
           "null: an honest generator's generalisation gap is real. Component columns: scans "
           "in which it warned / failed.", ""]
    if not keys:
        return out + ["Not run (no generator_train scans in the cache).", ""]
    out += ["| generator | population | n_train | seeds | low | inconclusive | high | "
            + " | ".join(SHORT.get(c, c) for c in comps) + " |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | "
            + " | ".join("---:" for _ in comps) + " |"]
    notes = []
    for key in keys:
        pop, n, _, param = key
        rs = g[key]
        vc = verdict_counts(rs)
        name = GENERATORS.get(int(param), f"{param:g}")
        cols = []
        for c in comps:
            st = [status_of(r, c) for r in rs if check(r, c) is not None]
            cols.append(f"{st.count('warn')}/{st.count('fail')}" if st else "–")
        out.append(f"| {name} | {pop} | {n:,} | {len(rs)} | {vc['low']} | {vc['inconclusive']} "
                   f"| {vc['high']} | " + " | ".join(cols) + " |")
        ds = [d for r in rs if (d := decision(r, "closeness")) is not None]
        if ds:
            st = [status_of(r, "closeness") for r in rs]
            notes.append(
                f"- {name}, {pop}, n_train {n:,}: closeness median excess "
                f"{pct(median([d['estimate'] for d in ds]), 2)} of training records (median "
                f"certified upper bound {pct(median([d['upper'] for d in ds]), 2)}, θ "
                f"{pct(theta(rs[0], 'closeness'), 1)}); "
                f"failed in {st.count('fail')}/{len(rs)}, warned in {st.count('warn')}/"
                f"{len(rs)}, passed in {st.count('pass')}/{len(rs)} scans.")
    out += ["", "Closeness counts training records with a synthetic row nearer than the "
            "holdout's own 1% quantile, minus the holdout share: a generator that fits its "
            "training rows more closely than unseen rows of the same population shows it "
            "here, and that gap is what this component measures, not a false alarm:", ""]
    return out + notes + [""]


# ------------------------------------------------------------------- 8 detection, weak


def detection_section(g: dict[tuple, list[Row]]) -> list[str]:
    out = ["## Planted leaks: detection", "",
           "Detection = verdict `high`; the last column counts the scans in which each "
           "component failed.", "",
           "| population | n_train | scenario | dose | seeds | high | failed components |",
           "| --- | ---: | --- | --- | ---: | --- | --- |"]
    for key in sorted(g, key=cell_order):
        pop, n, kind, param = key
        if is_null(kind) or kind == "generator_train":
            continue
        rs = g[key]
        fails = Counter(c["id"] for r in rs for c in r["checks"] if c["status"] == "fail")
        note = rs[0].get("note") or ""
        out.append(f"| {pop} | {n:,} | {KIND_LABEL.get(kind, kind)}{f' ({note})' if note else ''}"
                   f" | {dose_label(kind, param)} | {len(rs)} | "
                   f"{rate_cell(verdict_counts(rs)['high'], len(rs))} | "
                   + (", ".join(f"{c} {k}" for c, k in fails.most_common()) or "none") + " |")
    return out + [""]


def weak_section(g: dict[tuple, list[Row]], bsum: list[dict[str, Any]],
          cal: list[dict[str, Any]]) -> list[str]:
    out = ["## Where synthscan is weak (generated from the cells run)", ""]
    for key in sorted(g, key=cell_order):
        pop, n, kind, param = key
        rs = g[key]
        k = verdict_counts(rs)["high"]
        if is_null(kind):
            if k and k / len(rs) > 0.05:
                out.append(f"- {pop}, n_train {n:,}: {scenario_label(kind, param)} gives false "
                           f"`high` in {rate_cell(k, len(rs))} (target ≤ 5%).")
        elif kind != "generator_train" and k / len(rs) < 0.8:
            comp = Counter((r.get("risk") or {}).get("driver") for r in rs).most_common(1)
            why = (f"; largest confirmed lower bound most often from `{comp[0][0]}`"
                   if comp and comp[0][0] else "")
            out.append(f"- {pop}, n_train {n:,}: {scenario_label(kind, param)} detected in "
                       f"{rate_cell(k, len(rs))} of seeds (below 80%){why}.")
    for s in bsum:
        if s["rate"] > 0.05 and s["component"] in ("verbatim", "closeness"):
            out.append(f"- boundary, `{s['component']}` on {s['population']}: false `low` "
                       f"{rate_cell(s['false_low'], s['runs'], 1)} (target ≤ 5%).")
    for c in cal:
        if rate(c["lower_pos"], c["instances"])[1] > 0.05:
            out.append(f"- `{c['component']}` sub-test \"{c['group']}\" ({c['population']}, "
                       f"{c['n_train']:,}): lower bound > 0 in "
                       f"{rate_cell(c['lower_pos'], c['instances'], 1)} of null instances.")
    if len(out) == 2:
        out.append("- nothing below target in the cells run (see what has not run).")
    return out + [""]


# ------------------------------------------------------------- 9 reported figures


def reported_section(rows: list[Row]) -> list[str]:
    out = ["## Reported figures vs planted exact copies (never gate the verdict)", "",
           "`nearest_record_share` (Δ, unclipped) and `exact_copies` are shares of synthetic "
           "rows; truth = the planted share f (0 on the clean fresh-draw cell). Coverage: "
           "scans whose reported 95% interval contains f.", "",
           "| figure | population | n_train | f | scans | mean | sd | interval covers f |",
           "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    n0 = len(out)
    for cid in ("nearest_record_share", "exact_copies"):
        for t in reported_vs_dose(rows, cid):
            out.append(f"| `{cid}` | {t['population']} | {t['n_train']:,} | {pct(t['f'])} | "
                       f"{t['scans']} | {pct(t['mean'], 2)} | {pct(t['sd'], 2)} | "
                       f"{rate_cell(t['covered'], t['scans'])} |")
    return out + [""] if len(out) > n0 else []
