"""Figures for docs/validation.md, computed only from the scan cache and the boundary runs
(``report.py`` lays them out). Every rate comes with its count and a 95% Clopper–Pearson
interval."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import Any

import numpy as np

from synthscan.risk.policy import Policy
from synthscan.stats.bounds import SubTest, excess_lower, excess_upper
from synthscan.stats.intervals import clopper_pearson

from .runner import latest_rows
from .scenarios import GENERATORS, NULL_KINDS

Row = dict[str, Any]
#: display order of the risk components (those that gate the verdict)
COMPONENTS = ("verbatim", "closeness", "distance_no_holdout", "membership_inference",
              "singling_out", "linkability", "attribute_inference")
SHORT = {"verbatim": "V", "closeness": "C", "distance_no_holdout": "D",
         "membership_inference": "MIA", "singling_out": "SO", "linkability": "L",
         "attribute_inference": "AI", "identifier_replay": "IR"}
KIND_LABEL = {
    "null_fresh": "fresh draws (clean)",
    "null_mode_collapse": "fresh draws, mode collapse",
    "null_generator": "GaussianCopula on other rows",
    "copies": "exact copies",
    "noisy_copies": "noisy copies",
    "outlier_copies": "copies of the 1% most isolated",
    "attribute_leak": "attribute-only leak",
    "generator_train": "generator fitted on train",
}
KIND_ORDER = list(KIND_LABEL)


# ------------------------------------------------------------------------- rows and formatting


def usable(row: Row) -> bool:
    """A scan by the current design: every check carries a ``decision`` key."""
    checks = row.get("checks") or []
    return bool(checks) and all("decision" in c for c in checks)


def split_rows(every: list[Row]) -> tuple[list[Row], list[Row]]:
    """(rows of the current design, rows from an older scanner), one row per cell."""
    latest = latest_rows(every)
    return [r for r in latest if usable(r)], [r for r in latest if not usable(r)]


def check(row: Row, cid: str) -> Row | None:
    return next((c for c in row["checks"] if c["id"] == cid), None)


def decision(row: Row, cid: str) -> Row | None:
    c = check(row, cid)
    return None if c is None else c.get("decision")


def theta(row: Row | None, cid: str) -> float:
    c = None if row is None else check(row, cid)
    if c is not None and c.get("threshold") is not None:
        return float(c["threshold"])
    return Policy().threshold(cid)


def components(rows: list[Row]) -> list[str]:
    seen = {c["id"] for r in rows for c in r["checks"] if c["component"]}
    return [c for c in COMPONENTS if c in seen] + sorted(seen - set(COMPONENTS))


def blockers(row: Row) -> set[str]:
    """Components that kept the scan from `low`: undecided (warn) or missing."""
    risk = row.get("risk") or {}
    out = set(risk.get("undecided") or [])
    out |= {m.get("component") for m in risk.get("missing") or [] if m.get("component")}
    return out


def status_of(row: Row, cid: str) -> str | None:
    c = check(row, cid)
    return None if c is None else c["status"]


def pct(x: float | None, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{100 * x:.{digits}f}%"


def rate(k: int, n: int) -> tuple[float, float, float]:
    """k/n with its 95% Clopper–Pearson interval."""
    lo, hi = clopper_pearson(k, n, 0.05)
    return (k / n if n else float("nan")), lo, hi


def rate_cell(k: int, n: int, digits: int = 0) -> str:
    if not n:
        return "not run"
    r, lo, hi = rate(k, n)
    return f"{k}/{n} = {pct(r, digits)} [{pct(lo, digits)}, {pct(hi, digits)}]"


def median(xs: list[float]) -> float | None:
    xs = [x for x in xs if x is not None and math.isfinite(x)]
    return float(np.median(xs)) if xs else None


def dose_label(kind: str, param: float) -> str:
    if kind == "copies":
        return f"f = {100 * param:g}%"
    if kind == "noisy_copies":
        return f"σ = {param:g}·sd"
    if kind == "generator_train":
        return GENERATORS.get(int(param), f"{param:g}").replace("Synthesizer", "")
    return "–"


def scenario_label(kind: str, param: float) -> str:
    d = dose_label(kind, param)
    return KIND_LABEL.get(kind, kind) + ("" if d == "–" else f", {d}")


def verdict_counts(rows: list[Row]) -> dict[str, int]:
    out = {"low": 0, "inconclusive": 0, "high": 0}
    for r in rows:
        out[r["verdict"]] = out.get(r["verdict"], 0) + 1
    return out


def is_null(kind: str) -> bool:
    return kind in NULL_KINDS


def group(rows: list[Row]) -> dict[tuple, list[Row]]:
    """Rows by cell: (population, n_train, kind, param)."""
    out: dict[tuple, list[Row]] = defaultdict(list)
    for r in rows:
        out[(r["population"], int(r["n_train"]), r["kind"], float(r["param"]))].append(r)
    return out


def cell_order(key: tuple) -> tuple:
    pop, n, kind, param = key
    return pop, n, KIND_ORDER.index(kind) if kind in KIND_ORDER else 99, param


def select(rows: list[Row], pop: str | None = None, n: int | None = None,
           kinds: tuple[str, ...] | None = None, param: float | None = None) -> list[Row]:
    return [r for r in rows if (pop is None or r["population"] == pop)
            and (n is None or int(r["n_train"]) == n)
            and (kinds is None or r["kind"] in kinds)
            and (param is None or abs(float(r["param"]) - param) < 1e-12)]


# ------------------------------------------------------------- why clean scans are not `low`


def _factor(row: Row, cid: str) -> float | None | bool:
    """More-data factor of an undecided component (None beyond 100x; False when its estimate
    is at or above θ, where more data would confirm rather than certify)."""
    import math

    from synthscan.stats.bounds import SubTest, more_data_factor

    c = check(row, cid)
    th = theta(row, cid)
    if c is None or th is None or not c.get("tests"):
        return False
    tests = [SubTest.from_dict(t) for t in c["tests"]]
    f = more_data_factor(tests, th, 0.05)
    if f is None:
        return False
    return None if math.isinf(f) else f


def blocking_table(rows: list[Row]) -> list[dict[str, Any]]:
    """Per component on the given (null) scans: how often it blocked `low` (undecided or
    missing), failed, passed; median certified upper bound and certifiable θ; and the median
    more-data factor of the guidance it gave."""
    out = []
    comps = components(rows)
    comps += sorted({c for r in rows for c in blockers(r)} - set(comps))
    for cid in comps:
        ran = [r for r in rows if check(r, cid) is not None]
        decs = [d for r in ran if (d := decision(r, cid)) is not None]
        # the factor is recomputed from the stored counts with the current guidance rule (scans
        # cached by an earlier scanner stored an older formula's figure)
        factors = [_factor(r, cid) for r in ran if status_of(r, cid) == "warn"]
        factors = [f for f in factors if f is not False]
        out.append({
            "component": cid, "scans": len(rows), "ran": len(ran),
            "blocked": sum(cid in blockers(r) for r in rows),
            "alone": sum(blockers(r) == {cid} for r in rows),
            "failed": sum(status_of(r, cid) == "fail" for r in rows),
            "passed": sum(status_of(r, cid) == "pass" for r in rows),
            "upper": median([d["upper"] for d in decs]),
            "certifiable": median([d["certifiable"] for d in decs]),
            "theta": theta(ran[0] if ran else None, cid),
            "factor": median([f for f in factors if f is not None]),
            "factor_none": sum(f is None for f in factors), "guided": len(factors),
        })
    return out


# --------------------------------------------------------------- sub-test calibration (nulls)


def sub_test_group(cid: str, label: str) -> str:
    """A stable name for a sub-test whose label carries free text (attack chosen, split,
    secret): what the calibration table pools over."""
    if cid == "closeness":
        return "relative score" if "relative" in label else "raw distance"
    if cid == "membership_inference":
        return label.split(":")[0].strip() + " (attack and FPR as chosen)"
    if cid == "linkability":
        m = re.search(r"k\s*=\s*(\d+)", label)
        return f"all splits, k={m.group(1)}" if m else label
    if cid == "attribute_inference" and " / " in label:
        return "all secrets / " + label.split(" / ", 1)[1]
    return label


def sub_test_calibration(rows: list[Row], alpha: float = 0.05) -> list[dict[str, Any]]:
    """Per (component, sub-test group, population, n_train) on null scans: how many sub-test
    instances have a one-sided 95% lower bound above 0, and an upper bound below 0."""
    acc: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        for c in r["checks"]:
            if not c["component"] or not c.get("tests"):
                continue
            for t in c["tests"]:
                try:
                    st = SubTest.from_dict(t)
                except (KeyError, ValueError):
                    continue
                key = (c["id"], sub_test_group(c["id"], st.label), r["population"],
                       int(r["n_train"]))
                a = acc.setdefault(key, {"n": 0, "lo": 0, "up": 0, "scans": set(),
                                         "est": []})
                a["n"] += 1
                a["scans"].add(r["key"])
                a["lo"] += excess_lower(st, alpha) > 0
                a["up"] += excess_upper(st, alpha) < 0
                a["est"].append(st.estimate)
    order = {c: i for i, c in enumerate(COMPONENTS)}
    out = []
    for (cid, grp, pop, n), a in sorted(acc.items(), key=lambda kv: (
            order.get(kv[0][0], 99), kv[0][1], kv[0][2], kv[0][3])):
        out.append({"component": cid, "group": grp, "population": pop, "n_train": n,
                    "instances": a["n"], "scans": len(a["scans"]), "lower_pos": a["lo"],
                    "upper_neg": a["up"], "mean_estimate": float(np.mean(a["est"]))})
    return out


# ------------------------------------------------------------ coverage of the certified bound


def verbatim_coverage(rows: list[Row], min_unique: float = 0.99) -> list[dict[str, Any]]:
    """Exact-copy cells: does the verbatim certified upper bound reach the true excess?

    truth = planted copies / unique training records (the verbatim sub-test's ``n_t``), used
    only where at least ``min_unique`` of the training records are unique in train ∪ holdout
    (then nearly every planted copy reproduces a unique record and chance reproduction of
    holdout uniques is nil)."""
    out = []
    cells = group([r for r in rows if r["kind"] in ("copies", "outlier_copies")])
    for key in sorted(cells, key=cell_order):
        k = m = skipped = exact = 0
        truths = []
        for r in cells[key]:
            c = check(r, "verbatim")
            if c is None or c.get("decision") is None or not c.get("tests") \
                    or r.get("truth_delta") is None:
                continue
            d = c["decision"]
            n_t = float(c["tests"][0]["n_t"])
            if n_t < min_unique * r["n_train"]:
                skipped += 1
                continue
            planted = round(float(r["truth_delta"]) * int(r["n_synthetic"]))
            truth = min(planted, n_t) / n_t
            truths.append(truth)
            exact += abs(float(c["tests"][0]["k_t"]) - planted) < 1e-9 and not c["tests"][0].get(
                "k_h")
            m += 1
            k += d["upper"] >= truth - 1e-12
        out.append({"cell": key, "covered": k, "scans": m, "skipped": skipped, "exact": exact,
                    "truth": median(truths)})
    return out


def null_upper_coverage(rows: list[Row]) -> dict[str, tuple[int, int]]:
    """On null scans (every true excess 0): per component, scans whose certified upper bound
    is ≥ 0; key "every component" for all at once."""
    out: dict[str, tuple[int, int]] = {}
    for cid in components(rows):
        decs = [d for r in rows if (d := decision(r, cid)) is not None]
        out[cid] = (sum(d["upper"] >= 0 for d in decs), len(decs))
    every = [all(d["upper"] >= 0 for c in r["checks"] if c["component"]
                 and (d := c.get("decision")) is not None) for r in rows]
    out["every component"] = (sum(every), len(every))
    return out


# ------------------------------------------------------------------ reported figures vs dose


def reported_vs_dose(rows: list[Row], cid: str) -> list[dict[str, Any]]:
    """A reported figure (share of synthetic rows) against the planted exact-copy share on the
    copy cells and the clean fresh-draw cell: mean, sd, and coverage of its 95% interval."""
    out = []
    by: dict[tuple, list[Row]] = defaultdict(list)
    for r in rows:
        if r["kind"] in ("copies", "null_fresh") and r.get("truth_delta") is not None:
            by[(r["population"], int(r["n_train"]), float(r["truth_delta"]))].append(r)
    for (pop, n, f), rs in sorted(by.items()):
        cs = [c for r in rs if (c := check(r, cid)) is not None and c.get("estimate")
              is not None]
        if not cs:
            continue
        est = np.array([float(c["delta_unclipped"] if "delta_unclipped" in c
                              else c["estimate"]) for c in cs])
        cov = sum(c["lower"] is not None and c["upper"] is not None
                  and c["lower"] - 1e-12 <= f <= c["upper"] + 1e-12 for c in cs)
        out.append({"population": pop, "n_train": n, "f": f, "scans": len(cs),
                    "mean": float(est.mean()),
                    "sd": float(est.std(ddof=1)) if len(est) > 1 else None,
                    "covered": cov})
    return out
