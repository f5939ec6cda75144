"""Do the verdicts hold when the certified approximate searches are forced on? (issue 16)

    python -m benchmarks.validation.approx_check --adult /work/shared/data/adult \
        --kinds null_fresh,noisy_copies --population adult --seeds 10 --jobs 2 [--seed-from 5]

Runs cells of the validation grid (same scenarios, seeds and scan settings as the cached exact
scans in results/scans.jsonl) with every search that can go approximate forced to (the size
threshold set to 0 in each worker), and prints, per cell, the verdicts with the approximate
searches next to the cached exact ones for the same keys, and the certificates' close-query
recall. Nothing is written to the cache.
"""

from __future__ import annotations

import argparse
import collections
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from .runner import (
    DEFAULT_CONFIG,
    DEFAULT_RESULTS,
    filter_cells,
    latest_rows,
    load_config,
    plan,
    read_results,
)

#: the close-query recall of every certificate issued in this worker's current scan
_RECALLS: list[float] = []


def _force_approximate() -> None:
    """Worker set-up: every search that can go approximate does, and its certificate's close
    recall is recorded."""
    from synthscan.attacks import searches
    from synthscan.neighbors import approx

    searches.APPROX_MIN_PAIRS = 0
    certify = approx.certify

    def recorded(*args: Any, **kwargs: Any) -> dict[str, Any]:
        figures = certify(*args, **kwargs)
        _RECALLS.append(figures["close_recall"])
        return figures

    approx.certify = recorded


def _scan(args: tuple[Any, dict[str, Any], str | None]) -> dict[str, Any]:
    from .runner import run_cell

    cell, settings, adult = args
    _RECALLS.clear()
    row = run_cell(cell, settings, adult)
    row["close_recall"] = min(_RECALLS, default=None)
    return row


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.validation.approx_check",
                                 description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--adult", default=None)
    ap.add_argument("--kinds", default="null_fresh,noisy_copies")
    ap.add_argument("--population", default="adult", help="adult, simulated or both")
    ap.add_argument("--n-train", type=int, default=10_000)
    ap.add_argument("--seeds", type=int, default=10, help="seeds below this number")
    ap.add_argument("--seed-from", type=int, default=0,
                    help="first seed (to extend an earlier run without repeating it)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--results", default=str(DEFAULT_RESULTS),
                    help="the exact scans to compare with (a runner cache; default: the "
                         "committed one)")
    args = ap.parse_args(argv)

    cfg = load_config(DEFAULT_CONFIG)
    cells = [c for c in filter_cells(plan(cfg), kinds=args.kinds.split(","))
             if args.population in ("both", c.population) and c.n_train == args.n_train
             and args.seed_from <= c.seed < args.seeds]
    cached = {r["key"]: r for r in latest_rows(read_results(args.results))}
    cells = [c for c in cells if c.key in cached]
    print(f"{len(cells)} cells with a cached exact scan; load "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = []
    with ProcessPoolExecutor(args.jobs, initializer=_force_approximate) as pool:
        for cell, row in zip(cells, pool.map(_scan, [(c, cfg["scenarios"], args.adult)
                                                     for c in cells]), strict=True):
            rows.append(row)  # one line per scan as it lands: a run cut short still reports
            print(f"  {cell.key}: exact {cached[cell.key]['verdict']}, approximate "
                  f"{row['verdict']}, close recall {row['close_recall']}", flush=True)
    table: dict[tuple[str, float], collections.Counter[tuple[str, str]]] = \
        collections.defaultdict(collections.Counter)
    print("summary:")
    recall: dict[tuple[str, float], list[float]] = collections.defaultdict(list)
    for cell, row in zip(cells, rows, strict=True):
        key = (f"{cell.population} {cell.kind}", cell.param)
        table[key][(cached[cell.key]["verdict"], row["verdict"])] += 1
        if row["close_recall"] is not None:
            recall[key].append(row["close_recall"])
    for key, counts in table.items():
        exact = collections.Counter(e for (e, _), n in counts.items() for _ in range(n))
        approx = collections.Counter(a for (_, a), n in counts.items() for _ in range(n))
        print(f"{key[0]} {key[1]:g}: exact {dict(exact)}  approximate {dict(approx)}  "
              f"(pairs exact->approximate {dict(counts)}); lowest close recall "
              f"{min(recall[key]) if recall[key] else 'n/a'}")
    print(f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
