"""Linkability (WP29 Opinion 05/2014): can the synthetic data link two sources about the same
real person, more often for training records than for holdout records?

The attacker holds two sources with disjoint columns A and B about a target. For each source
they look up the target's k nearest synthetic rows (Gower distance on that source's columns) and
link the two records when the two neighbour sets share a synthetic row. Learning the population
links training and holdout targets alike; only leakage links training targets more often.

Ties are real here: a column side with few distinct values puts thousands of synthetic rows at
the same distance. A target's k nearest rows are then drawn uniformly at random from the rows
tied at the k-th distance (independently on the two sides), and the target is credited with
the exact probability that the two sets share a row — never with whatever order the search
returned. The credit depends only on the target's column values, not on whether it is a
training or a holdout record, so ties cannot bias the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from ..model import CheckResult
from ..neighbors.engine import NeighborEngine, unique_rows
from ..stats.bounds import (
    SubTest,
    excess_upper,
    null_upper,
    reporting_interval,
    worst_test,
)
from .base import Attack
from .context import ScanContext

#: Anonymeter's published Adult setup (its example notebook): 2000 targets, 10 neighbours and
#: these two auxiliary column lists; its defaults are 500 targets and 1 neighbour.
ANONYMETER_TARGETS = 2000
ANONYMETER_K = (1, 10)
ANONYMETER_ADULT_COLUMNS = (
    ["type_employer", "education", "hr_per_week", "capital_loss", "capital_gain"],
    ["race", "sex", "fnlwgt", "age", "country"],
)
#: (target, synthetic pair) expansions held at once while intersecting neighbour sets
EXPANSION_BUDGET = 1 << 22


# ------------------------------------------------------------------------------ one side


@dataclass
class SideNeighbours:
    """The k nearest synthetic rows of each target on one column side, as distinct synthetic
    points: those strictly closer than the k-th row (all taken) and those tied at its distance
    (``need`` of their ``tie_rows`` rows are drawn at random)."""

    target: np.ndarray  # entry -> target
    point: np.ndarray  # entry -> distinct synthetic point
    tie: np.ndarray  # entry is in the boundary tie (else strictly inside)
    need: np.ndarray  # (n_targets,)
    tie_rows: np.ndarray  # (n_targets,)


class SideIndex:
    """The synthetic rows restricted to one column side, deduplicated into distinct points with
    multiplicities, searched exactly with the project's neighbour engine."""

    def __init__(self, synthetic: np.ndarray, metric: str, threads: int | None) -> None:
        points, self.point_of_row = unique_rows(np.ascontiguousarray(synthetic))
        self.mult = np.bincount(self.point_of_row, minlength=len(points)).astype(np.int64)
        self.n_points = len(points)
        self.metric = metric
        self.engine = NeighborEngine(points, metric=metric, threads=threads)

    def _tol(self, d: np.ndarray) -> np.ndarray:
        if self.metric == "l1":  # L1 sums are exact in the encoding: ties are exact
            return np.zeros_like(d)
        return 1e-5 * (1.0 + np.abs(d))

    def search(self, queries: np.ndarray, ks: list[int]) -> dict[int, SideNeighbours]:
        """Per k, each query's nearest points up to and including every point tied at the
        k-th row's distance (searched wider until that tie is complete)."""
        k_max = max(ks)
        nq = len(queries)
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        todo = np.arange(nq)
        kk = int(min(self.n_points, max(2 * k_max, 16)))
        while len(todo):
            d, i = self.engine.kneighbors(queries[todo], kk)
            d = d.astype(np.float64)
            last = d[:, -1]
            below = d < (last - self._tol(last))[:, None]
            done = (self.mult[i] * below).sum(axis=1) >= k_max
            if kk >= self.n_points:
                done[:] = True
            found.append((todo[done], d[done], i[done]))
            todo = todo[~done]
            kk = int(min(self.n_points, kk * 4))
        out = {}
        for k in ks:
            parts = [self._classify(q, d, i, k) for q, d, i in found]
            need = np.zeros(nq, np.int64)
            tie_rows = np.zeros(nq, np.int64)
            for (q, _, _), part in zip(found, parts, strict=True):
                need[q] = part[3]
                tie_rows[q] = part[4]
            out[k] = SideNeighbours(
                np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
                np.concatenate([p[2] for p in parts]), need, tie_rows)
        return out

    def _classify(self, q: np.ndarray, d: np.ndarray, i: np.ndarray, k: int) -> tuple:
        m = self.mult[i]
        reached = np.cumsum(m, axis=1) >= k
        has = reached.any(axis=1)  # False only when the whole table has fewer than k rows
        j = np.argmax(reached, axis=1)
        dk = np.where(has, d[np.arange(len(d)), j], np.inf)
        tol = self._tol(np.where(has, dk, 0.0))
        tie = (np.abs(d - dk[:, None]) <= tol[:, None]) & has[:, None]
        inside = (d < (dk - tol)[:, None]) | ~has[:, None]
        need = np.where(has, k - (m * inside).sum(axis=1), 0)
        tie_rows = (m * tie).sum(axis=1)
        rr, cc = np.nonzero(tie | inside)
        return q[rr], i[rr, cc], tie[rr, cc], need, tie_rows


# ------------------------------------------------------------------------------ link credit


def _log_factorials(n: int) -> np.ndarray:
    out = np.zeros(n + 2)
    out[2:] = np.cumsum(np.log(np.arange(2, n + 2, dtype=np.float64)))
    return out


def _log_comb(lf: np.ndarray, n: np.ndarray, k: np.ndarray) -> np.ndarray:
    """log C(n, k) elementwise; -inf where k < 0 or k > n."""
    n = np.asarray(n, np.int64)
    k = np.asarray(k, np.int64)
    ok = (k >= 0) & (k <= n) & (n >= 0)
    nn, kk = np.where(ok, n, 0), np.where(ok, k, 0)
    return np.where(ok, lf[nn] - lf[kk] - lf[nn - kk], -np.inf)


def overlap_counts(a: SideNeighbours, b: SideNeighbours, point_a: np.ndarray,
                   point_b: np.ndarray, n_targets: int) -> np.ndarray:
    """(n_targets, 2, 2) numbers of synthetic rows in both neighbour sets, by class on side A
    (0 inside, 1 tie) and side B. Each target expands whichever side is cheaper through the
    table of (A point, B point) pairs of the synthetic rows."""
    n_b = int(point_b.max()) + 1 if len(point_b) else 1
    keys, cnt = np.unique(point_a * n_b + point_b, return_counts=True)
    pair_a, pair_b = keys // n_b, keys % n_b
    out = np.zeros((n_targets, 2, 2), dtype=np.int64)
    by_a = _Csr(pair_a, pair_b, cnt)
    by_b = _Csr(pair_b, pair_a, cnt)
    cost_a = np.bincount(a.target, weights=by_a.degree(a.point), minlength=n_targets)
    cost_b = np.bincount(b.target, weights=by_b.degree(b.point), minlength=n_targets)
    use_a = cost_a <= cost_b
    for src, dst, csr, mine, swap in ((a, b, by_a, use_a, False), (b, a, by_b, ~use_a, True)):
        sel = mine[src.target]
        _expand(src.target[sel], src.point[sel], src.tie[sel], dst, csr, n_targets, out, swap)
    return out


class _Csr:
    """Rows of the synthetic (point on one side, point on the other side) table, grouped by
    the first side's point."""

    def __init__(self, first: np.ndarray, second: np.ndarray, cnt: np.ndarray) -> None:
        order = np.argsort(first, kind="stable")
        self.second = second[order]
        self.cnt = cnt[order]
        n = int(first.max()) + 1 if len(first) else 0
        self.ptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(first, minlength=n), out=self.ptr[1:])

    def degree(self, p: np.ndarray) -> np.ndarray:
        return (self.ptr[p + 1] - self.ptr[p]).astype(np.float64)


def _expand(target: np.ndarray, point: np.ndarray, tie: np.ndarray, dst: SideNeighbours,
            csr: _Csr, n_targets: int, out: np.ndarray, swap: bool) -> None:
    if not len(target):
        return
    n_other = int(max(csr.second.max(initial=0), dst.point.max(initial=0))) + 1
    dst_key = dst.target * n_other + dst.point
    order = np.argsort(dst_key, kind="stable")
    dst_key, dst_tie = dst_key[order], dst.tie[order]
    deg = (csr.ptr[point + 1] - csr.ptr[point]).astype(np.int64)
    chunk_of = np.cumsum(deg) // EXPANSION_BUDGET
    for c in np.unique(chunk_of):
        sel = np.flatnonzero(chunk_of == c)
        lens = deg[sel]
        total = int(lens.sum())
        if total == 0:
            continue
        rep = np.repeat(sel, lens)
        pos = np.repeat(csr.ptr[point[sel]], lens) + (
            np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens))
        key = target[rep] * n_other + csr.second[pos]
        at = np.searchsorted(dst_key, key)
        hit = at < len(dst_key)
        hit[hit] = dst_key[at[hit]] == key[hit]
        t = target[rep[hit]]
        c_src = tie[rep[hit]].astype(np.int64)
        c_dst = dst_tie[at[hit]].astype(np.int64)
        c_a, c_b = (c_dst, c_src) if swap else (c_src, c_dst)
        flat = np.bincount(t * 4 + c_a * 2 + c_b, weights=csr.cnt[pos[hit]],
                           minlength=4 * n_targets)
        out += np.rint(flat).astype(np.int64).reshape(n_targets, 2, 2)


def link_credit(a: SideNeighbours, b: SideNeighbours, overlap: np.ndarray,
                lf: np.ndarray) -> np.ndarray:
    """Probability that a target's k nearest synthetic rows on A and on B share a row, ties at
    the k-th distance broken uniformly at random and independently on each side.

    With I_A, I_B the rows strictly inside, T_A, T_B the boundary ties (a of |T_A| and b of
    |T_B| rows drawn): certain if I_A and I_B share a row; otherwise
    1 - P(draw on A avoids I_B) P(draw on B avoids I_A) P(the draws avoid each other), the last
    a hypergeometric sum over how many rows of T_A ∩ T_B the A draw takes.
    """
    c_ii, c1, c2, c3 = overlap[:, 0, 0], overlap[:, 1, 0], overlap[:, 0, 1], overlap[:, 1, 1]
    na, am, nb, bm = a.need, a.tie_rows, b.need, b.tie_rows
    n_a, n_b = am - c1, bm - c2  # tie rows the draws may take once they avoid I_B / I_A
    p_a = np.exp(_log_comb(lf, n_a, na) - _log_comb(lf, am, na))
    p_b = np.exp(_log_comb(lf, n_b, nb) - _log_comb(lf, bm, nb))
    feasible = (n_a >= na) & (n_b >= nb)
    q = np.zeros(len(na))
    base_a = _log_comb(lf, n_a, na)
    base_b = _log_comb(lf, n_b, nb)
    j_max = int(np.minimum(na, c3).max(initial=0))
    with np.errstate(invalid="ignore"):
        for j in range(j_max + 1):
            term = (_log_comb(lf, c3, j) + _log_comb(lf, n_a - c3, na - j) - base_a
                    + _log_comb(lf, n_b - j, nb) - base_b)
            q += np.exp(np.where(feasible, term, -np.inf))
    credit = 1.0 - p_a * p_b * q
    credit = np.where(c_ii > 0, 1.0, credit)
    return np.clip(credit, 0.0, 1.0)


def random_link_rate(n_synthetic: int, k: int) -> float:
    """Chance that two independent uniform draws of k synthetic rows share one (the random
    guessing baseline: the attack must beat it to be informative)."""
    if 2 * k > n_synthetic:
        return 1.0
    lf = _log_factorials(n_synthetic)
    return float(1.0 - np.exp(_log_comb(lf, n_synthetic - k, k) - _log_comb(lf, n_synthetic, k)))


# ------------------------------------------------------------------------------ the check


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _pts(x: float) -> str:
    return f"{100 * x + 0.0:.1f}"


class Linkability(Attack):
    """WP29 linkability: training vs holdout targets relinked through the synthetic data.

    Column splits: ``config.link_columns`` (two disjoint lists), else ``n_splits`` distinct
    random balanced splits of the attackable columns (seeded). Targets: the holdout (all, or a
    seeded sample of ``max_targets``) and an equally large seeded sample of train. For each
    target, its k nearest synthetic rows on side A and on side B (k over ``config.link_k``);
    credit = the exact probability that they share a row when ties at the k-th distance are
    broken uniformly at random (see ``link_credit``).

    Sub-tests: one per (split, k), ``SubTest("split s, k=k", credit on the n training targets,
    n, credit on the n holdout targets, n)``; the estimand is the absolute excess
    ``r_T - r_H``, the share of training records linked *because* they were in the training
    data. The verdict decides from the sub-tests (``stats.bounds.decide``); the check reports
    the worst pair's excess with its two-sided ``1 - alpha`` interval.

    ``config.mode == "anonymeter"``: Anonymeter's published Adult setup — 2000 targets, k in
    {1 (its default), 10 (its Adult run)}, and its two auxiliary column lists when the data has
    those columns (else the usual random splits); equal-size comparison and tie credit kept.
    """

    id = "linkability"
    name = "Linkability (WP29)"
    criterion = "linkability"
    component = True
    needs_holdout = True
    thresholds = {"public-release": 0.05, "controlled-access": 0.1}
    data_driving = "holdout rows (targets, up to the cap) and synthetic rows"

    def __init__(self, n_splits: int = 5, max_targets: int = 1000) -> None:
        self.n_splits = int(n_splits)
        self.max_targets = int(max_targets)

    # ---------------------------------------------------------------- setup
    def _splits(self, ctx: ScanContext, names: list[str]) -> tuple[list, str]:
        cfg = ctx.config
        if cfg.link_columns:
            where = ctx.names.get("train", "train")
            shown = ", ".join(repr(c) for c in names[:10]) + (
                f" (and {len(names) - 10} more)" if len(names) > 10 else "")
            for side in cfg.link_columns:
                for col in side:
                    if col not in names:
                        raise ConfigError(
                            f"link_columns: column {col!r} is not an attackable column of "
                            f"{where} — use names from: {shown} (identifiers and ignored "
                            "columns cannot be linked)")
            return [(list(cfg.link_columns[0]), list(cfg.link_columns[1]))], "config"
        if cfg.mode == "anonymeter" and all(c in names for side in ANONYMETER_ADULT_COLUMNS
                                            for c in side):
            return [tuple(list(s) for s in ANONYMETER_ADULT_COLUMNS)], "anonymeter-adult"
        rng = ctx.rng("linkability:splits")
        p = len(names)
        seen: set = set()
        splits = []
        for _ in range(50 * self.n_splits):
            if len(splits) >= self.n_splits:
                break
            perm = rng.permutation(p)
            a = sorted(perm[:p // 2].tolist())
            b = sorted(perm[p // 2:].tolist())
            key = frozenset([tuple(a), tuple(b)])
            if key in seen:
                continue
            seen.add(key)
            splits.append(([names[i] for i in a], [names[i] for i in b]))
        return splits, "random balanced"

    def _targets(self, ctx: ScanContext, cap: int) -> tuple[np.ndarray, np.ndarray, int]:
        n = min(ctx.n("train"), ctx.n("holdout"), cap)
        out = []
        for role in ("train", "holdout"):
            total = ctx.n(role)
            if total == n:
                out.append(np.arange(n))
            else:
                out.append(np.sort(ctx.rng(f"linkability:targets:{role}").choice(
                    total, n, replace=False)))
        return out[0], out[1], n

    # ---------------------------------------------------------------- run
    def run(self, ctx: ScanContext) -> CheckResult:
        if skip := self.too_small(ctx, ("train", "holdout", "synthetic")):
            return skip
        names = [c.name for c in ctx.schema.distance_columns]
        cfg = ctx.config
        if len(names) < 2 and not cfg.link_columns:
            return self.skip(f"needs at least 2 attackable columns to split into two "
                             f"sources ({len(names)} available)")
        anonymeter = cfg.mode == "anonymeter"
        ks = sorted(set(ANONYMETER_K)) if anonymeter else list(cfg.link_k)
        cap = ANONYMETER_TARGETS if anonymeter else self.max_targets
        splits, source = self._splits(ctx, names)
        t_idx, h_idx, n = self._targets(ctx, cap)
        n_s = ctx.n("synthetic")
        lf = _log_factorials(n_s)
        alpha = cfg.alpha
        rows: list[dict] = []
        tests: list[SubTest] = []
        for s_i, (cols_a, cols_b) in enumerate(splits):
            sides = []
            for cols in (cols_a, cols_b):
                dims = ctx.encoder.dims_of(cols)
                index = SideIndex(ctx.encoded["synthetic"][:, dims], cfg.metric, cfg.threads)
                queries = np.vstack([ctx.encoded["train"][t_idx][:, dims],
                                     ctx.encoded["holdout"][h_idx][:, dims]])
                sides.append((index, index.search(queries, ks)))
            (ia, res_a), (ib, res_b) = sides
            for k in ks:
                a, b = res_a[k], res_b[k]
                overlap = overlap_counts(a, b, ia.point_of_row, ib.point_of_row, 2 * n)
                credit = link_credit(a, b, overlap, lf)
                k_t = min(float(credit[:n].sum()), float(n))
                k_h = min(float(credit[n:].sum()), float(n))
                test = SubTest(f"split {s_i + 1}, k={k}", k_t, n, k_h, n)
                tests.append(test)
                rows.append(self._row(s_i, cols_a, cols_b, k, n_s, credit, a, b, ia, ib, test,
                                      alpha))
        w_test = worst_test(tests, alpha)
        worst = tests.index(w_test)
        lower, upper = reporting_interval(w_test, alpha)
        w = rows[worst]
        m = len(tests)
        conf = f"{1 - alpha:.0%}"
        details = {
            "rows": rows,
            "worst": worst,
            "worst_label": w_test.label,
            "splits": source,
            "k_values": ks,
            "comparisons": m,
            "scale": ("absolute excess r_T - r_H per (split, k): the share of training targets "
                      "linked minus the share of holdout targets linked (tie credits)"),
            "intervals": (f"'interval': two-sided {conf} (one-sided Clopper–Pearson MOVER "
                          f"limits at alpha / 2); 'upper_bound': one-sided {conf}, what the "
                          "verdict reads; 'certifiable': the upper bound these target counts "
                          "would give with no leak; 'room' (1 - r_H) is context only"),
            "targets": {"train": n, "holdout": n, "cap": cap,
                        "train_sampled": n < ctx.n("train"),
                        "holdout_sampled": n < ctx.n("holdout")},
            "ties": ("a target's k nearest synthetic rows are drawn uniformly at random among "
                     "rows tied at the k-th distance, independently per side; each target is "
                     "credited with the exact probability of a shared row"),
            "mode": cfg.mode,
        }
        same = [r for r in rows if r["split"] == w["split"]]
        if len(same) >= 2:
            details["rate_by_k"] = {"x": [r["k"] for r in same],
                                    "train": [r["train_rate"] for r in same],
                                    "holdout": [r["holdout_rate"] for r in same],
                                    "note": "share of targets linked, worst split"}
        if anonymeter:
            details["anonymeter"] = {
                "setup": "Anonymeter's published Adult setup: 2000 targets per side, "
                         "10 neighbours (its default is 1; both are run) and its auxiliary "
                         "column lists when present",
                "differences": "equal-size comparison kept (equally many training and "
                               "holdout targets); ties at the k-th distance are credited as "
                               "the exact link probability instead of following the search "
                               "order; distances are synthscan's Gower encoding; the excess "
                               "is r_T - r_H, not Anonymeter's (r_T - r_H) / (1 - r_H); this "
                               "mode overrides link_k and the target cap",
            }
        summary = self._summary(w, w_test, lower, upper, m, alpha, rows)
        counts = {"targets_per_side": n, "train_rows": ctx.n("train"),
                  "holdout_rows": ctx.n("holdout"), "synthetic_rows": n_s,
                  "splits": len(splits), "k_values": len(ks),
                  "linked_train": round(w_test.k_t, 6), "linked_holdout": round(w_test.k_h, 6)}
        return self.result(
            estimate=w_test.estimate, lower=lower, upper=upper, summary=summary,
            counts=counts, details=details, tests=tests, unit="training records",
            unit_total=ctx.n("train"))

    @staticmethod
    def _row(s_i: int, cols_a: list[str], cols_b: list[str], k: int, n_s: int,
             credit: np.ndarray, a: SideNeighbours, b: SideNeighbours, ia: SideIndex,
             ib: SideIndex, test: SubTest, alpha: float) -> dict:
        n = int(test.n_t)
        tie_a = float(np.median(a.tie_rows))
        tie_b = float(np.median(b.tie_rows))
        notes = []
        if float(credit.max(initial=0.0)) < 0.01:
            notes.append("this split links no target with a probability of 1% or more")
        for side, tie in (("A", tie_a), ("B", tie_b)):
            if tie >= 50 * k:
                notes.append(f"side {side} is coarse: a target's nearest synthetic rows are "
                             f"drawn from ties of about {tie:.0f} rows (median), so links "
                             "through it are close to random")
        return {
            "split": s_i, "label": test.label, "columns_a": cols_a, "columns_b": cols_b,
            "k": k, "train_targets": n, "holdout_targets": n,
            "train_credit": round(test.k_t, 6), "holdout_credit": round(test.k_h, 6),
            "train_rate": test.rate_t, "holdout_rate": test.rate_h,
            "excess": test.estimate, "interval": list(reporting_interval(test, alpha)),
            "upper_bound": excess_upper(test, alpha), "certifiable": null_upper(test, alpha),
            "room": 1.0 - test.rate_h,
            "random_link_rate": random_link_rate(n_s, k),
            "targets_linked_with_certainty": int((credit >= 1.0).sum()),
            "median_tie_rows_a": tie_a, "median_tie_rows_b": tie_b,
            "distinct_points_a": ia.n_points, "distinct_points_b": ib.n_points,
            "notes": notes,
        }

    @staticmethod
    def _summary(w: dict, test: SubTest, lower: float, upper: float, m: int, alpha: float,
                 rows: list[dict]) -> str:
        conf = f"{1 - alpha:.0%}"
        n = int(test.n_t)
        dead = sum(1 for r in rows if r["notes"])
        text = (
            f"Linkability, the worst of {m} column split × k combinations (columns "
            f"{', '.join(w['columns_a'])} vs {', '.join(w['columns_b'])}; k = {w['k']}): an "
            "attacker holding the two sources and the synthetic data links "
            f"{_pct(test.rate_t)} of {n} training records ({test.k_t:.1f}) against "
            f"{_pct(test.rate_h)} of {n} holdout records ({test.k_h:.1f}): an excess of "
            f"{_pts(test.estimate)} percentage points ({conf} interval {_pts(lower)} to "
            f"{_pts(upper)} percentage points); random guessing links "
            f"{_pct(w['random_link_rate'])}. Ties among synthetic rows are credited as the "
            "exact probability of a link. ")
        if dead:
            text += (f"{dead} of {m} combinations can hardly link anyone (coarse column sides; "
                     "see details). ")
        text += "A low figure means this attack found no excess, not that the data is anonymous."
        return text
