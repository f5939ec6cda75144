"""The same scan on a Dask LocalCluster and on the local backend, in one run.

    python -m benchmarks.bench_dask --rows 20000 --cols 30 [--workers 2] [--min-pairs 1e8]

The data are ``bench_scale``'s: a simulated population (``synthscan.datasets
.simulate_population``) widened to ``--cols`` mixed columns, split into train (``--rows``),
holdout (``--rows × --holdout-fraction``) and a clean synthetic release of ``--rows`` rows.
Each backend runs in its own child process (``--backend local|dask``), so that each peak memory
is its own: the local scan's process and its model-fit worker process, and for Dask the client
process, its model-fit worker and each cluster worker (the kernel's ``VmHWM``). The Dask side
starts a ``LocalCluster(n_workers=--workers, threads_per_worker=1)`` and times its start apart
from the scan; searches of at least ``--min-pairs`` query x reference pairs run on the workers
(default: ``DaskSearch``'s). Printed: wall time per stage for both, peak memory, whether the
verdicts and every check's status agree, the largest difference of an estimate, and the ratio
of the wall times. Each backend's data are built in its child with the same seed (the build is
not timed in the scan).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

from benchmarks.bench_scale import load, widen
from benchmarks.peakrss import DescendantPeaks, descendants, peak_rss_mib


def _data(rows: int, cols: int, holdout_fraction: float, seed: int) -> tuple[Any, Any, Any]:
    from synthscan.datasets import simulate_population

    n, n_h = rows, int(rows * holdout_fraction)
    pop = widen(simulate_population(2 * n + n_h, seed=seed), cols, seed)
    parts = pop.iloc[:n], pop.iloc[n:n + n_h], pop.iloc[n + n_h:]
    return tuple(p.reset_index(drop=True) for p in parts)  # type: ignore[return-value]


def _child(args: argparse.Namespace) -> dict[str, Any]:
    """One backend's scan, in this (child) process: its figures as a JSON-able dict."""
    import synthscan

    train, hold, synth = _data(args.rows, args.cols, args.holdout_fraction, args.seed)
    config = synthscan.ScanConfig(seed=args.seed, threads=args.threads)
    out: dict[str, Any] = {"backend": args.backend}
    if args.backend == "local":
        t0 = time.perf_counter()
        with DescendantPeaks() as fits:  # the scan's worker process (model fits)
            res = synthscan.scan(train, synth, holdout=hold, config=config)
        out["wall"] = time.perf_counter() - t0
        out["scan_worker_mib"] = fits.total_mib
    else:
        from distributed import Client, LocalCluster

        from synthscan.dask_backend import run

        if args.min_pairs is not None:
            run.SEARCH_OPTIONS["min_pairs"] = args.min_pairs
        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None,
                               scheduler_kwargs={"dashboard_address": ":0"})
        client = Client(cluster)
        out["cluster_start"] = time.perf_counter() - t0
        try:
            t1 = time.perf_counter()
            before = set(descendants(os.getpid()))  # the cluster's processes: not the scan's worker
            with DescendantPeaks() as fits:
                res = synthscan.scan(train, synth, holdout=hold, config=config, client=client)
            out["wall"] = time.perf_counter() - t1
            out["scan_worker_mib"] = sum(v for pid, v in fits.peaks.items()
                                         if pid not in before)
            out["worker_peak_mib"] = sorted(client.run(peak_rss_mib).values())
        finally:
            client.close()
            cluster.close()
    out["peak_mib"] = peak_rss_mib()
    out["verdict"] = res.verdict
    out["timings"] = res.run["timings_seconds"]
    out["checks"] = {c.id: [c.status, c.estimate] for c in res.checks}
    return out


def _run_child(backend: str, argv: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.bench_dask", *argv, "--backend", backend]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False,
                          env=dict(os.environ, PYTHONWARNINGS="ignore"))
    if proc.returncode != 0:
        sys.exit(f"the {backend} run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _report(local: dict[str, Any], dask: dict[str, Any], workers: int) -> None:
    print(f"{'stage':<34} {'local s':>9} {'dask s':>9}")
    stages = list(dict.fromkeys([*local["timings"], *dask["timings"]]))
    for stage in stages:
        if stage != "total":
            print(f"  {stage:<32} {local['timings'].get(stage, 0):9.2f} "
                  f"{dask['timings'].get(stage, 0):9.2f}")
    print(f"  {'scan wall':<32} {local['wall']:9.2f} {dask['wall']:9.2f}")
    print(f"  {'cluster start (not in the scan)':<32} {'':>9} {dask['cluster_start']:9.2f}")
    workers_peak = " + ".join(f"{m:,.0f}" for m in dask["worker_peak_mib"])
    print(f"peak memory: local {local['peak_mib']:,.0f} MiB + its worker process "
          f"{local['scan_worker_mib']:,.0f} MiB; dask client {dask['peak_mib']:,.0f} MiB + its "
          f"worker process {dask['scan_worker_mib']:,.0f} MiB, {workers} cluster workers "
          f"{workers_peak} MiB")
    same_status = all(local["checks"][c][0] == dask["checks"].get(c, [None])[0]
                      for c in local["checks"])
    diffs = [abs(a[1] - dask["checks"][c][1]) for c, a in local["checks"].items()
             if a[1] is not None and dask["checks"].get(c, [None, None])[1] is not None]
    print(f"verdict: local {local['verdict']}, dask {dask['verdict']} -> "
          f"{'equal' if local['verdict'] == dask['verdict'] else 'DIFFERENT'}; check statuses "
          f"{'equal' if same_status else 'DIFFERENT'}; largest estimate difference "
          f"{max(diffs, default=0.0):.2e}")
    print(f"ratio dask / local scan wall time: {dask['wall'] / local['wall']:.2f}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_dask", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=20_000, help="training and synthetic rows")
    ap.add_argument("--cols", type=int, default=30, help="distance columns")
    ap.add_argument("--holdout-fraction", type=float, default=0.25)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=None,
                    help="FAISS threads of the local scan (and of the client's small searches)")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    ap.add_argument("--min-pairs", type=float, default=None,
                    help="smallest search sent to the workers (default: DaskSearch's)")
    ap.add_argument("--backend", choices=["local", "dask"], default=None,
                    help=argparse.SUPPRESS)  # the child processes' switch
    args = ap.parse_args(argv)
    if args.backend is not None:
        print(json.dumps(_child(args)))
        return
    argv = list(sys.argv[1:] if argv is None else argv)
    print(f"{args.rows:,} train and synthetic rows, {int(args.rows * args.holdout_fraction):,} "
          f"holdout rows, {args.cols} distance columns; {os.cpu_count()} cores (load {load()})")
    local = _run_child("local", argv)
    print(f"local scan done: {local['wall']:.1f} s (load {load()})")
    dask = _run_child("dask", argv)
    print(f"dask scan done: {dask['wall']:.1f} s (load {load()})")
    _report(local, dask, args.workers)


if __name__ == "__main__":
    main()
