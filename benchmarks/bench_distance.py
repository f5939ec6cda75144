"""Distance-test benchmark: a full scan's distance checks, timed check by check.

Workloads:

* Adult (default): the real train / holdout / CTGAN triple in ``../shared/data/adult``
  (``--adult PATH`` to point elsewhere; missing token "?"). Target: the distance tests (exact
  copies, nearest-record share, data-copying test, NNDR) under 10 s on 2 cores.
* ``--rows N`` (e.g. 100000): simulated population, N train, N holdout and N synthetic rows
  (fresh draws), every synthetic row a query.
* The label-permutation cost at 100k synthetic rows is printed separately (target: well under
  a second for 1,000 permutations).

Usage::

    python -m benchmarks.bench_distance [--adult PATH] [--rows 100000] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import numpy as np

import synthscan
from synthscan.datasets import simulate_population
from synthscan.stats.resampling import group_credits, permutation_null

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ADULT = REPO.parent / "shared" / "data" / "adult"
DISTANCE_CHECKS = ("exact_copies", "verbatim", "closeness", "nearest_record_share",
                   "data_copying", "nndr")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(label: str, result: synthscan.ScanResult, wall: float, target: float | None) -> None:
    t = result.run["timings_seconds"]
    checks = sum(v for k, v in t.items() if k.split(":", 1)[-1] in DISTANCE_CHECKS)
    print(f"\n== {label}")
    print(f"  load {t['load']:.2f} s, encode {t['encode']:.2f} s")
    for k, v in t.items():
        if k.startswith("check:"):
            print(f"  {k[6:]:<24} {v:7.2f} s")
    line = f"  distance checks total     {checks:7.2f} s   (whole scan {wall:.2f} s)"
    if target:
        line += f"   target < {target:.0f} s: {'met' if checks < target else 'NOT met'}"
    print(line)
    print(f"  peak RSS so far {peak_rss_mb():.0f} MB; verdict {result.verdict}")
    for cid in ("nearest_record_share", "data_copying"):
        c = result.check(cid)
        print(f"  {cid}: estimate {c.estimate:.4f} [{c.lower:.4f}, {c.upper:.4f}] "
              f"status {c.status}")


def permutation_cost(n_queries: int, n_real: int, seed: int = 0) -> float:
    """Time 1,000 label permutations for credits spread like a realistic nearest-record search
    (clustered: some real records attract many synthetic rows)."""
    rng = np.random.default_rng(seed)
    targets = rng.zipf(1.6, n_queries) % n_real
    w = np.bincount(targets, minlength=n_real).astype(float)
    is_train = rng.random(n_real) < 0.5
    groups = group_credits(w, is_train, ~is_train, int(is_train.sum()),
                           int((~is_train).sum()))
    t0 = time.perf_counter()
    permutation_null(groups, 1000, rng)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--adult", type=Path, default=DEFAULT_ADULT)
    ap.add_argument("--rows", type=int, default=0, help="also run a simulated N x N x N scan")
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    print(f"synthscan {synthscan.__version__}; {os.cpu_count()} cores; threads "
          f"{args.threads or 'all'}")
    cfg = synthscan.ScanConfig(missing_tokens=["?"], threads=args.threads)
    a = args.adult
    if (a / "adult_train.csv").exists():
        t0 = time.perf_counter()
        res = synthscan.scan(a / "adult_train.csv", a / "adult_synthetic_ctgan.csv",
                             holdout=a / "adult_holdout.csv", config=cfg)
        report("Adult (39,032 train, 9,758 holdout, 39,040 synthetic)", res,
               time.perf_counter() - t0, 10)
    else:
        print(f"Adult data not found at {a}: skipped (pass --adult PATH)")
    print(f"\n== label permutations: 1,000 at 100k synthetic rows, 200k real records: "
          f"{permutation_cost(100_000, 200_000):.3f} s (target: well under 1 s)")
    if args.rows:
        n = args.rows
        pop = simulate_population(3 * n, 1)
        t0 = time.perf_counter()
        res = synthscan.scan(pop.iloc[:n], pop.iloc[2 * n:], holdout=pop.iloc[n:2 * n],
                             config=synthscan.ScanConfig(threads=args.threads))
        report(f"simulated population, {n:,} train x {n:,} holdout x {n:,} synthetic", res,
               time.perf_counter() - t0, None)


if __name__ == "__main__":
    main()
