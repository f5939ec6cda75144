"""What the verdict redesign costs: the Adult scan on this tree against a baseline commit, in
one run, each scan in its own process (same machine, back to back, load printed beside).

    python -m benchmarks.bench_verdict_cost --baseline f1e47f6 [--adult PATH] [--repeats 2]

The record-side components added two neighbour searches: every real record against the
synthetic rows (shared with membership inference, which no longer searches the synthetic data
itself) and every real record's nearest other real record. The figure of merit is the full
scan's wall time against the baseline's, and the closeness stage's share of it. The baseline
is checked out with ``git worktree`` into a temporary folder and removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ADULT = REPO.parent / "shared" / "data" / "adult"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def scan(tree: Path, adult: Path, out: Path) -> dict:
    """One full default scan of the Adult triple with the code in ``tree``."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "synthscan", "-q", "scan", str(adult / "adult_train.csv"),
         str(adult / "adult_synthetic_ctgan.csv"), "--holdout", str(adult / "adult_holdout.csv"),
         "--missing-token", "?", "--out", str(out), "--format", "json"],
        cwd=tree, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"scan in {tree} failed: {proc.stderr[-500:]}")
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    return {"wall": wall, "verdict": result["verdict"],
            "timings": result["run"]["timings_seconds"]}


def searches_alone(adult: Path) -> dict[str, float]:
    """The two new searches and the membership search they replaced, timed back to back in
    this process: real -> synthetic (k = 20) over every real record, the nearest other real
    record, and the old membership search (as many targets as 2 x min(n_train, n_holdout))."""
    import numpy as np

    from synthscan.api import prepare
    from synthscan.attacks import searches
    from synthscan.config import ScanConfig
    from synthscan.neighbors.engine import NeighborEngine
    from synthscan.neighbors.other import approximate_other

    ctx, _ = prepare(adult / "adult_train.csv", adult / "adult_synthetic_ctgan.csv",
                     adult / "adult_holdout.csv", ScanConfig(missing_tokens=["?"]))
    x = searches.real_rows(ctx)
    n_old = 2 * min(ctx.n("train"), ctx.n("holdout"))
    old = x[np.random.default_rng(0).choice(len(x), n_old, replace=False)]
    syn = ctx.encoded["synthetic"]
    t0 = time.perf_counter()
    NeighborEngine(syn, ctx.config.metric).kneighbors(old, searches.KNN_MAX)
    t1 = time.perf_counter()
    NeighborEngine(syn, ctx.config.metric).kneighbors(x, searches.KNN_MAX)
    t2 = time.perf_counter()
    approximate_other(x, ctx.config.metric, None, 1)
    t3 = time.perf_counter()
    return {"old membership search": t1 - t0, "real -> synthetic": t2 - t1,
            "nearest other real": t3 - t2}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_verdict_cost",
                                 description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", default="f1e47f6", help="commit to compare with")
    ap.add_argument("--adult", default=str(DEFAULT_ADULT), help="folder with the Adult files")
    ap.add_argument("--repeats", type=int, default=2, help="scans per tree (alternating)")
    args = ap.parse_args(argv)
    adult = Path(args.adult)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "baseline"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(base), args.baseline],
                       cwd=REPO, check=True)
        try:
            runs: dict[str, list[dict]] = {"baseline": [], "this tree": []}
            for i in range(args.repeats):
                for name, tree in (("baseline", base), ("this tree", REPO)):
                    r = scan(tree, adult, Path(tmp) / f"{name.replace(' ', '_')}{i}")
                    runs[name].append(r)
                    print(f"{name:>9} run {i + 1}: {r['wall']:6.1f} s wall, verdict "
                          f"{r['verdict']}, load {load()}")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=REPO,
                           check=False)
    best = {k: min(v, key=lambda r: r["wall"]) for k, v in runs.items()}
    b, t = best["baseline"], best["this tree"]
    print(f"\nbest of {args.repeats}: baseline {b['wall']:.1f} s, this tree {t['wall']:.1f} s "
          f"({t['wall'] / b['wall'] - 1:+.0%})")
    stages = sorted(set(b["timings"]) | set(t["timings"]))
    print(f"{'stage':<34} {'baseline':>9} {'this tree':>10}")
    for s in stages:
        if s == "total":
            continue
        print(f"{s:<34} {b['timings'].get(s, 0):>9.2f} {t['timings'].get(s, 0):>10.2f}")
    close = t["timings"].get("check:closeness", 0.0)
    print(f"closeness (both new searches) is {close / t['wall']:.0%} of this tree's scan")
    s = searches_alone(adult)
    net = s["real -> synthetic"] + s["nearest other real"] - s["old membership search"]
    print("searches alone: " + ", ".join(f"{k} {v:.1f} s" for k, v in s.items())
          + f"; net new {net:.1f} s = {net / b['wall']:+.0%} of the baseline scan "
          f"(load {load()})")


if __name__ == "__main__":
    main()
