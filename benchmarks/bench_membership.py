"""Membership-inference benchmark: the cross-fitted attack battery, timed stage by stage.

Workloads:

* Adult (default): the real train / holdout / CTGAN triple in ``../shared/data/adult``
  (``--adult PATH``; missing token "?"). Target: under 30 s on 2 cores.
* ``--rows N`` (e.g. 100000): simulated population, N train, N holdout and N synthetic rows
  (fresh draws; targets are capped at 20,000 per class).

Usage::

    python -m benchmarks.bench_membership [--adult PATH] [--rows 100000] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import synthscan
from synthscan.api import prepare, run_checks
from synthscan.attacks import membership as mia
from synthscan.datasets import simulate_population

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ADULT = REPO.parent / "shared" / "data" / "adult"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_stages() -> dict[str, float]:
    """Wrap the attack's stages so their wall times are recorded: preparing the classifier's
    fold fits, the distance attacks' searches (the fits run beside them in a worker process
    when two cores are allowed) and scoring from the fits' answers; waiting for the answers
    is in the check's total only."""
    times: dict[str, float] = {}
    for name in ("classifier_fits", "distance_scores", "classifier_scores"):
        fn = getattr(mia, name)

        def wrapper(*a, _fn=fn, _name=name, **k):
            t = time.perf_counter()
            out = _fn(*a, **k)
            times[_name] = times.get(_name, 0.0) + time.perf_counter() - t
            return out

        setattr(mia, name, wrapper)
    return times


def run(label: str, train, synthetic, holdout, config: synthscan.ScanConfig,
        target: float | None) -> None:
    ctx, _ = prepare(train, synthetic, holdout, config)
    times = timed_stages()
    t0 = time.perf_counter()
    r = run_checks(ctx, [mia.MembershipInference()])[0]
    wall = time.perf_counter() - t0
    print(f"\n== {label}")
    print(f"  rows: train {ctx.n('train'):,}, holdout {ctx.n('holdout'):,}, synthetic "
          f"{ctx.n('synthetic'):,}; targets {r.counts.get('members_tested', 0):,} per class")
    for k, v in times.items():
        print(f"  {k:<22} {v:7.2f} s")
    line = f"  membership inference   {wall:7.2f} s"
    if target:
        line += f"   target < {target:.0f} s: {'met' if wall < target else 'NOT met'}"
    print(line)
    print(f"  peak RSS so far {peak_rss_mb():.0f} MB")
    if r.estimate is None:
        print(f"  {r.status}: {r.reason}")
        return
    print(f"  risk {r.estimate:.4f} [{r.lower:.4f}, {r.upper:.4f}]; best attack "
          f"{r.details['best_attack']}")
    for name, a in r.details["attacks"].items():
        ops = ", ".join(
            f"TPR@{o['fpr_target']:.1%} {o['tpr']:.4f} [{o['tpr_interval'][0]:.4f}, "
            f"{o['tpr_interval'][1]:.4f}]" if o["estimable"] else f"@{o['fpr_target']:.1%} n/e"
            for o in a["operating_points"])
        print(f"    {name:<10} AUC {a['auc']:.3f} [{a['auc_interval'][0]:.3f}, "
              f"{a['auc_interval'][1]:.3f}]  {ops}")
    parts = r.details["risk_parts"]
    for p, v in parts.items():
        print(f"    {p:<22} TP {v['tp']}/{v['members']} FP {v['fp']}/{v['nonmembers']} "
              f"excess {v['estimate']:.4f} [{v['interval'][0]:.4f}, {v['interval'][1]:.4f}]")
    print(f"  exposed records: {r.details['exposure']['records']} (chance "
          f"{r.details['exposure']['expected_by_chance']:.1f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--adult", type=Path, default=DEFAULT_ADULT)
    ap.add_argument("--rows", type=int, default=0, help="also run N x N x N simulated rows")
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}; "
          f"synthscan {synthscan.__version__}")
    if args.adult.is_dir():
        run("Adult (CTGAN)", args.adult / "adult_train.csv",
            args.adult / "adult_synthetic_ctgan.csv", args.adult / "adult_holdout.csv",
            synthscan.ScanConfig(missing_tokens=["?"], threads=args.threads), 30.0)
    else:
        print(f"Adult data not found at {args.adult}: skipped")
    if args.rows:
        n = args.rows
        pop = simulate_population(3 * n, 0)
        run(f"simulated {n:,} x {n:,} x {n:,}", pop.iloc[:n], pop.iloc[2 * n:],
            pop.iloc[n:2 * n], synthscan.ScanConfig(threads=args.threads), None)


if __name__ == "__main__":
    main()
