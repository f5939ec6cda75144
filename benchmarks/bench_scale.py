"""How a full default scan scales: per-stage wall time, neighbour pairs computed, peak memory.

    python -m benchmarks.bench_scale --rows 100000 --cols 30 [--holdout-fraction 0.25]

A simulated population (``synthscan.datasets.simulate_population``) widened to ``--cols``
mixed columns (derived numeric and categorical columns, seeded) is split into train
(``--rows``), holdout (``--rows × --holdout-fraction``) and a clean synthetic release of
``--rows`` fresh draws. The scan runs in this process with every neighbour search counted:
calls, query × reference pairs and seconds per calling site (an inverted-file search counts
the pairs of the cells it probes, marked ``[ivf]``). Beside the total is what the two
record-side searches cost when exact — every real record against the synthetic rows, the
synthetic queries against the real records — the work every scan needs; the ratio says how
much more the other checks' searches add. Peak memory is the
process's ``VmHWM`` plus that of the scan's worker process (model fits, the singling-out
attack): their sum bounds what the scan held at once. The machine's load is printed beside
every timing.
"""

from __future__ import annotations

import argparse
import collections
import os
import time
import traceback
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.peakrss import DescendantPeaks, peak_rss_mib


def widen(frame: pd.DataFrame, cols: int, seed: int) -> pd.DataFrame:
    """``frame`` plus derived columns up to ``cols`` distance columns: a noisy rescaling of a
    numeric column, or a coarsened copy of a categorical one, in turn (seeded)."""
    rng = np.random.default_rng(seed)
    out = frame.copy()
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
               and c != "person_id"]
    categorical = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])
                   and c not in ("person_id", "signup_date")]
    i = 0
    while out.shape[1] - 1 < cols:  # person_id is an identifier, not a distance column
        if i % 2 == 0 and numeric:
            src = numeric[(i // 2) % len(numeric)]
            x = out[src].astype(float)
            out[f"derived_{i}"] = x * rng.uniform(0.5, 2) + rng.normal(0, x.std() or 1,
                                                                         len(out))
        else:
            src = categorical[(i // 2) % len(categorical)]
            codes = pd.factorize(out[src])[0]
            out[f"derived_{i}"] = np.where(codes < 0, None, (codes % 3).astype(str))
        i += 1
    return out


def _site() -> str:
    """The package function that asked for a search (a memoised closure is named after the
    function that defines it)."""
    for fr in traceback.extract_stack()[::-1]:
        path = fr.filename.replace(os.sep, "/")
        if "synthscan/" not in path or "neighbors/engine.py" in path:
            continue
        if fr.name in ("compute", "<lambda>", "memo", "_announced"):
            continue
        return f"{path.split('synthscan/')[-1]}:{fr.name}"
    return "?"


def count_searches() -> dict[str, list[float]]:
    """Patch the exact engine and the inverted files so that every search is counted by
    calling site: exact searches as query x reference pairs, an inverted-file search as the
    pairs of the cells it probes (queries x reference x nprobe / nlist, on average), an exact
    search through the cells (``neighbors.pruned``, k nearest or within a radius) as the rows
    of the cells it kept."""
    from synthscan.neighbors import approx, engine, pruned

    stats: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0, 0.0])

    def record(site: str, pairs: float, seconds: float) -> None:
        s = stats[site]
        s[0] += 1
        s[1] += pairs
        s[2] += seconds

    exact = engine.NeighborEngine.kneighbors

    def counted(self: Any, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        t0 = time.perf_counter()
        out = exact(self, queries, k)
        record(_site(), float(len(queries)) * self.n_reference, time.perf_counter() - t0)
        return out

    ivf = approx.IVFIndex.search

    def counted_ivf(self: Any, queries: np.ndarray, k: int, nprobe: int
                    ) -> tuple[np.ndarray, np.ndarray, int]:
        t0 = time.perf_counter()
        out = ivf(self, queries, k, nprobe)
        share = min(nprobe, self.nlist_) / self.nlist_
        record(_site() + " [ivf]", float(len(queries)) * self.n_reference * share,
               time.perf_counter() - t0)
        return out

    bounded = pruned.CellBounds.search

    def counted_pruned(self: Any, queries: np.ndarray, k: int, upper: np.ndarray,
                       flat: Any) -> tuple[np.ndarray, np.ndarray]:
        t0, before = time.perf_counter(), self.pairs
        out = bounded(self, queries, k, upper, flat)
        record(_site() + " [pruned]", float(self.pairs - before), time.perf_counter() - t0)
        return out

    ball = pruned.CellBounds.within

    def counted_ball(self: Any, queries: np.ndarray, radius: np.ndarray) -> Any:
        site, t0, before = _site() + " [pruned, radius]", time.perf_counter(), self.pairs
        yield from ball(self, queries, radius)  # (blocks: timed until the last one is read)
        record(site, float(self.pairs - before), time.perf_counter() - t0)

    engine.NeighborEngine.kneighbors = counted  # type: ignore[method-assign]
    approx.IVFIndex.search = counted_ivf  # type: ignore[method-assign]
    pruned.CellBounds.search = counted_pruned  # type: ignore[method-assign]
    pruned.CellBounds.within = counted_ball  # type: ignore[method-assign]
    return stats


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_scale", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=20_000, help="training and synthetic rows")
    ap.add_argument("--cols", type=int, default=30, help="distance columns")
    ap.add_argument("--holdout-fraction", type=float, default=0.25,
                    help="holdout rows as a share of --rows")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args(argv)

    import synthscan
    from synthscan.datasets import simulate_population

    n, n_h = args.rows, int(args.rows * args.holdout_fraction)
    t0 = time.perf_counter()
    pop = widen(simulate_population(2 * n + n_h, seed=args.seed), args.cols, args.seed)
    train, hold, synth = pop.iloc[:n], pop.iloc[n:n + n_h], pop.iloc[n + n_h:]
    print(f"data: {n:,} train, {n_h:,} holdout, {len(synth):,} synthetic rows, "
          f"{pop.shape[1] - 1} distance columns; built in {time.perf_counter() - t0:.1f} s "
          f"(load {load()})")
    stats = count_searches()
    t1 = time.perf_counter()
    with DescendantPeaks() as worker:
        res = synthscan.scan(train.reset_index(drop=True), synth.reset_index(drop=True),
                             holdout=hold.reset_index(drop=True),
                             config=synthscan.ScanConfig(threads=args.threads, seed=args.seed))
    wall = time.perf_counter() - t1
    main_peak = peak_rss_mib()
    print(f"scan: {wall:.1f} s wall, verdict {res.verdict}, peak RSS {main_peak:,.0f} MiB + "
          f"worker process {worker.total_mib:,.0f} MiB = {main_peak + worker.total_mib:,.0f} "
          f"MiB at most at once (load {load()})")
    for stage, sec in res.run["timings_seconds"].items():
        if stage != "total":
            print(f"  {stage:<34} {sec:8.2f} s")
    total = sum(v[1] for v in stats.values())
    n_real = n + n_h
    n_queries = min(len(synth), res.config.max_query_rows)
    core = float(n_real) * len(synth) + float(n_queries) * n_real
    print(f"neighbour pairs: {total / 1e9:.2f}e9 computed; the two record-side searches "
          f"(every real record -> synthetic rows, {n_queries:,} synthetic queries -> real "
          f"records) are {core / 1e9:.2f}e9 of them -> total {total / core:.2f}x that")
    for site, (calls, pairs, sec) in sorted(stats.items(), key=lambda kv: -kv[1][1]):
        print(f"  {site:<52} {int(calls):>5} calls {pairs / 1e9:7.2f}e9 pairs "
              f"({pairs / total:5.1%}) {sec:7.1f} s")


if __name__ == "__main__":
    main()
