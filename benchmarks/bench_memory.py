"""Peak memory of a full scan against synthscan's documented bound (``synthscan.memory``).

Each size runs in its own process (so peak RSS is that scan's own): simulated population, N train,
N holdout and N synthetic rows (fresh draws), every check of the default scan.

Usage::

    python -m benchmarks.bench_memory [--rows 10000 30000 100000] [--rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time


def child(n: int) -> None:
    import synthscan
    from synthscan.datasets import simulate_population
    from synthscan.memory import peak_bound

    from .peakrss import peak_rss_mib

    pop = simulate_population(3 * n, 0)
    t0 = time.perf_counter()
    r = synthscan.scan(pop.iloc[:n], pop.iloc[2 * n:], holdout=pop.iloc[n:2 * n],
                       config=synthscan.ScanConfig())
    wall = time.perf_counter() - t0
    peak = peak_rss_mib() * 2**20
    cols = len(r.schema.columns)
    dims = r.encoding["dimensions"]
    print(json.dumps({"rows": n, "peak": peak, "bound": peak_bound(3 * n, cols, dims),
                      "columns": cols, "dims": dims, "wall": wall, "verdict": r.verdict}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
    print(f"{'rows per table':>15} {'peak RSS':>10} {'bound':>10} {'within':>7} {'wall':>8}")
    for n in args.rows:
        out = subprocess.run([sys.executable, "-m", "benchmarks.bench_memory", "--child",
                              str(n)], capture_output=True, text=True)
        if out.returncode != 0:
            print(f"{n:>15,} failed: {out.stderr.strip().splitlines()[-1:]}")
            continue
        d = json.loads(out.stdout.strip().splitlines()[-1])
        ok = "yes" if d["peak"] <= d["bound"] else "NO"
        print(f"{n:>15,} {d['peak'] / 2**20:>8.0f}MB {d['bound'] / 2**20:>8.0f}MB {ok:>7} "
              f"{d['wall']:>7.1f}s   ({d['columns']} columns, {d['dims']} encoded dims)")


if __name__ == "__main__":
    main()
