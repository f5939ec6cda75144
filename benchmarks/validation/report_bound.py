"""docs/validation.md, the sections on whether the certified bound is honest: calibration of
every sub-test on null cells, coverage of the bound, and false `low` at the boundary."""

from __future__ import annotations

from typing import Any

from .report_stats import (
    Row,
    is_null,
    null_upper_coverage,
    pct,
    rate,
    rate_cell,
    scenario_label,
    verbatim_coverage,
)

# --------------------------------------------------------------- 4 sub-test calibration


def calibration_section(cal: list[dict[str, Any]]) -> list[str]:
    out = ["## Calibration of every sub-test (null cells)", "",
           "With no leak every sub-test's true excess r_T − r_H is 0, so its one-sided 95% "
           "lower bound should exceed 0 in at most 5% of scans, and its one-sided 95% upper "
           "bound should fall below 0 in at most 5%. Bounds recomputed from the stored counts "
           "with `synthscan.stats.bounds.excess_lower` / `excess_upper` at α = 0.05 "
           "(unadjusted, one sub-test at a time).",
           "Labels are free text, so sub-tests are pooled by pattern: `closeness` by score "
           "(label contains \"relative\" or not); `membership_inference` by the part before "
           "\":\" (all records / most isolated tenth, whatever attack and FPR were chosen); "
           "`linkability` by the \"k=…\" in the label (all splits pooled); "
           "`attribute_inference` by the attacker after \" / \" (all secrets pooled); "
           "others by their full label. Counts are sub-test instances (scans × pooled "
           "labels); instances of one scan are not independent, so the intervals of pooled "
           "groups are optimistic. ⚠ marks a group whose interval lies above 5%.", ""]
    if not cal:
        return out + ["No null scans with sub-tests in the cache.", ""]
    out += ["| component | sub-test group | population | n_train | instances (scans) | mean "
            "excess | lower bound > 0 | upper bound < 0 |",
            "| --- | --- | --- | ---: | ---: | ---: | --- | --- |"]
    for c in cal:
        flags = ["⚠ " if rate(k, c["instances"])[1] > 0.05 else ""
                 for k in (c["lower_pos"], c["upper_neg"])]
        out.append(f"| `{c['component']}` | {c['group']} | {c['population']} | "
                   f"{c['n_train']:,} | {c['instances']} ({c['scans']}) | "
                   f"{pct(c['mean_estimate'], 2)} | "
                   f"{flags[0]}{rate_cell(c['lower_pos'], c['instances'], 1)} | "
                   f"{flags[1]}{rate_cell(c['upper_neg'], c['instances'], 1)} |")
    return out + [""]


# ------------------------------------------------------------------------- 5 coverage


def coverage_section(rows: list[Row], bsum: list[dict[str, Any]]) -> list[str]:
    out = ["## Coverage of the certified bound", "",
           "On exact-copy cells the verbatim excess is known. Truth used: (planted copies = "
           "truth_delta × n_synthetic) / (unique training records = the verbatim sub-test's "
           "n_t), i.e. every planted copy is taken to reproduce a unique record and chance "
           "reproduction of holdout uniques to be 0. That holds only where (nearly) every "
           "record is unique, so scans with fewer than 99% unique training records (Adult) "
           "are left out and counted. Target: the certified (one-sided 95%) upper bound ≥ "
           "truth in ≥ 95% of scans.", ""]
    cov = [c for c in verbatim_coverage(rows) if c["scans"] or c["skipped"]]
    if cov:
        out += ["| population | n_train | scenario | median truth | scans used | left out "
                "(< 99% unique) | k_t = planted, k_h = 0 | upper ≥ truth |",
                "| --- | ---: | --- | ---: | ---: | ---: | ---: | --- |"]
        for c in cov:
            pop, n, kind, param = c["cell"]
            out.append(f"| {pop} | {n:,} | {scenario_label(kind, param)} | "
                       f"{pct(c['truth'], 2)} | {c['scans']} | {c['skipped']} | {c['exact']} | "
                       f"{rate_cell(c['covered'], c['scans'])} |")
        k = sum(c["covered"] for c in cov)
        m = sum(c["scans"] for c in cov)
        out += ["", f"Pooled: {rate_cell(k, m, 1)}. Where the verbatim sub-test counts "
                "exactly the planted copies on the training side and none on the holdout side "
                "(column k_t = planted), the point estimate equals the truth and coverage only "
                "shows that the upper bound lies above its own estimate: a weak check. The "
                "real coverage test is the boundary (next section): there the truth θ is an "
                "expectation and a false `low` is exactly an upper bound below the truth.", ""]
        for s in bsum:
            out.append(f"- boundary, `{s['component']}`, {s['population']}, n_train "
                       f"{s['n_train']:,}: upper bound ≥ θ in "
                       f"{rate_cell(s['runs'] - s['false_low'], s['runs'], 1)} of runs.")
        out += [""] if bsum else []
    else:
        out += ["No exact-copy scans in the cache.", ""]
    nulls = [r for r in rows if is_null(r["kind"])]
    nc = null_upper_coverage(nulls)
    out.append("On null cells the truth is 0 for every component, so coverage means upper "
               "bound ≥ 0 — nearly automatic (it fails only when training targets do markedly "
               "worse than holdout targets). Scans with upper ≥ 0: " + "; ".join(
                   f"{cid} {rate_cell(k, m, 1)}" for cid, (k, m) in nc.items() if m) + ".")
    return out + [""]


# ------------------------------------------------------------------------- 6 boundary


def boundary_section(bsum: list[dict[str, Any]]) -> list[str]:
    out = ["## False `low` at the boundary", "",
           "`benchmarks/validation/boundary.py`: releases whose expected excess equals the "
           "component's θ (each unique training record copied with probability θ for "
           "verbatim; each training record copied with probability θ/(1 − q) for "
           "closeness: an exact copy is flagged surely and would have been flagged by chance "
           "with probability q), scanned with that component alone. A pass is a false `low`; "
           "the design allows at most α = 5%. `closeness_near` (an earlier run) planted near "
           "copies instead (numeric jitter 0.01·sd) at the same probability: on Adult about "
           "5% of them escape the 1% threshold, so its planted excess is 0.95 θ — below the "
           "boundary — and its higher false-`low` rate is the expected one for an excess "
           "under θ, not a failure of the bound.", ""]
    if not bsum:
        return out + ["Not run (no boundary runs in the cache).", ""]
    out += ["| component | population | n_train | runs | false `low` | `high` | θ | mean copied "
            "| mean estimate |", "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |"]
    for s in bsum:
        high = s.get("high")  # None: rows of an earlier run (see below)
        out.append(f"| `{s['component']}` | {s['population']} | {s['n_train']:,} | {s['runs']} "
                   f"| {rate_cell(s['false_low'], s['runs'], 1)} | "
                   f"{'–' if high is None else high} | {pct(s['theta'], 1)} | "
                   f"{s['mean_copied']:.1f} | {pct(s['mean_estimate'], 3)} |")
    return out + ["", "`high`: runs whose component was confirmed above its `high` threshold. "
                  "Under the public-release preset that threshold is 0 for verbatim and for "
                  "closeness (any confirmed excess of copies fails), so a boundary run is "
                  "`high` whenever its lower bound clears 0; a false `low` needs the upper "
                  "bound below θ with the lower bound at or below 0. `–`: the `closeness_near` "
                  "rows come from an earlier run and keep the statuses of the policy of their "
                  "time, when a confirmed near-copy excess below θ did not fail.", ""]
