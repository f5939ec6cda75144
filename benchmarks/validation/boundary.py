"""False `low` at the boundary: releases whose expected leak sits exactly at a copy component's
threshold θ, scanned with that component alone, many times.

Each unique (verbatim) or each (closeness) training record is copied into the release
independently with probability p, so that the expected excess equals θ:

* verbatim: p = θ (a copied unique record is reproduced; chance reproduction of unique records
  is nil on the simulated population and rare on Adult, where it cancels against the holdout);
* closeness: p = θ / (1 - q): an exact copy is flagged surely (distance 0), and would have been
  flagged by chance with probability q anyway. (``closeness_near`` rows, from an earlier run,
  planted near copies — numeric jitter 0.01·sd — at the same p; on Adult about 5% of them escape
  the threshold, so that planted excess sits just below θ, at 0.95 θ.)

A component certified `low` here (upper bound below θ) is a false `low`; the intersection–union
guarantee says this happens in at most α of the runs. ``python -m benchmarks.validation.boundary``
appends one JSON line per run to results/boundary.jsonl (resumable) and prints the rates.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np

from .runner import HERE
from .scenarios import draw, stable_seed

DEFAULT_RESULTS = HERE / "results" / "boundary.jsonl"
COMPONENTS = ("verbatim", "closeness")


def _unique_train_rows(ctx: Any) -> np.ndarray:
    from synthscan.encoding.hashing import duplicate_counts

    pooled = duplicate_counts(ctx.canon_data, ("train", "holdout"))
    return np.flatnonzero(pooled[: ctx.n("train")] == 1)


def run_one(component: str, population: str, n_train: int, seed: int,
            adult: str | None) -> dict[str, Any]:
    """One boundary run: build the release, scan the component, decide it alone."""
    import synthscan
    from synthscan.api import prepare, run_checks
    from synthscan.attacks import CHECKS
    from synthscan.attacks.closeness import quantile_for
    from synthscan.datasets import plant_copies
    from synthscan.risk.policy import Policy
    from synthscan.risk.verdict import apply_policy

    t0 = time.perf_counter()
    d = draw(population, n_train, seed, 0.5, 1.0, adult)
    rng = np.random.default_rng(stable_seed("boundary", component, population, n_train, seed))
    cfg = synthscan.ScanConfig(seed=seed, missing_tokens=d.missing_tokens, threads=1)
    policy = Policy()
    theta = policy.threshold(component)
    if component == "verbatim":
        ctx0, _ = prepare(d.train, d.fresh, d.holdout, cfg)
        pool = _unique_train_rows(ctx0)
        p = theta
        jitter = 0.0
    else:
        pool = np.arange(len(d.train))
        p = theta / (1 - quantile_for(len(d.holdout)))
        jitter = 0.0
    chosen = pool[rng.random(len(pool)) < p]
    chosen = chosen[: len(d.fresh)]
    synth = d.fresh.copy()
    if jitter > 0:  # near copies carry non-integer values in integer columns
        for col in synth.columns:
            if synth[col].dtype.kind in "iu":
                synth[col] = synth[col].astype("float64")
    if len(chosen):
        pos = np.sort(rng.choice(len(synth), len(chosen), replace=False))
        keep = tuple(c for c in ("person_id",) if c in synth.columns)
        src = d.train.iloc[chosen].reset_index(drop=True)
        planted, _ = plant_copies(synth.iloc[pos].reset_index(drop=True), src, 1.0, seed=rng,
                                  jitter=jitter, keep=keep)
        synth.iloc[pos] = planted.to_numpy()
    ctx, _ = prepare(d.train, synth, d.holdout, cfg)
    cls = next(c for c in CHECKS if c.id == component)
    checks, v = apply_policy(run_checks(ctx, [cls()]), policy, cfg.alpha, [component])
    c = checks[0]
    dec = c.decision
    return {"component": component, "population": population, "n_train": n_train,
            "seed": seed, "p": p, "copied": int(len(chosen)), "pool": int(len(pool)),
            "theta": theta, "status": c.status, "verdict": v.verdict,
            "upper": None if dec is None else dec.upper,
            "estimate": None if dec is None else dec.estimate,
            "tests": [t.to_dict() for t in c.tests],
            "seconds": round(time.perf_counter() - t0, 2)}


def _key(r: dict[str, Any]) -> tuple:
    return r["component"], r["population"], r["n_train"], r["seed"]


def _worker(args: tuple) -> dict[str, Any]:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        return run_one(*args)
    except Exception as exc:
        return {"component": args[0], "population": args[1], "n_train": args[2],
                "seed": args[3], "error": f"{type(exc).__name__}: {exc}"}


def read(path: Path = DEFAULT_RESULTS) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            continue
        if "error" not in r:
            rows.append(r)
    return list({_key(r): r for r in rows}.values())


def summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """False-`low` rate per (component, population, n_train) with a 95% CP interval."""
    from synthscan.stats.intervals import clopper_pearson

    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["component"], r["population"], r["n_train"]), []).append(r)
    out = []
    for (comp, pop, n), rs in sorted(groups.items()):
        k = sum(r["status"] == "pass" for r in rs)
        # `high` under the current policy only for the components run now (older rows
        # hold the statuses of the policy of their time)
        high = sum(r["status"] == "fail" for r in rs) if comp in COMPONENTS else None
        lo, hi = clopper_pearson(k, len(rs), 0.05)
        est = [r["estimate"] for r in rs if r["estimate"] is not None]
        out.append({"component": comp, "population": pop, "n_train": n, "runs": len(rs),
                    "false_low": k, "high": high, "rate": k / len(rs), "lower": lo,
                    "upper": hi,
                    "theta": rs[0]["theta"], "mean_estimate": float(np.mean(est)) if est
                    else None, "mean_copied": float(np.mean([r["copied"] for r in rs]))})
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.validation.boundary",
                                 description=__doc__)
    ap.add_argument("--adult", default=None, help="folder with the Adult files")
    ap.add_argument("--populations", default="simulated,adult")
    ap.add_argument("--components", default=",".join(COMPONENTS))
    ap.add_argument("--n-train", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=200, help="runs per component and population")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--results", default=str(DEFAULT_RESULTS))
    args = ap.parse_args(argv)
    path = Path(args.results)
    done = {_key(r) for r in read(path)}
    todo = [(c, p, args.n_train, s, args.adult)
            for s in range(args.runs) for c in args.components.split(",")
            for p in args.populations.split(",")
            if (c, p, args.n_train, s) not in done and (p != "adult" or args.adult)]
    print(f"{len(todo)} boundary runs to do")
    path.parent.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=args.jobs, mp_context=get_context("spawn")) as ex, \
            open(path, "a", encoding="utf-8") as out:
        for i, row in enumerate(ex.map(_worker, todo, chunksize=4), 1):
            out.write(json.dumps(row, sort_keys=True) + "\n")
            out.flush()
            if i % 20 == 0 or "error" in row:
                print(f"[{i}/{len(todo)}] {row.get('error', row.get('status'))}")
    for s in summary(read(path)):
        print(f"{s['component']:>10} {s['population']:>9} n_T={s['n_train']}: false low "
              f"{s['false_low']}/{s['runs']} = {s['rate']:.1%} [{s['lower']:.1%}, "
              f"{s['upper']:.1%}]  mean estimate {s['mean_estimate']:.4f} (θ {s['theta']})")


if __name__ == "__main__":
    main()
