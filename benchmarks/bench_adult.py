"""The full default scan of the Adult triple beside Anonymeter 1.1 on the same data, one run.

    python -m benchmarks.bench_adult [--adult /work/shared/data/adult] \\
        [--anonymeter-python /work/venvs/anonymeter/bin/python] [--exact] [--repeats 1]

synthscan runs as a user runs it (``python -m synthscan scan ... --format json``) in a child
process: wall time from start to exit, peak memory as the sum of the high-water marks of the
child and of its worker process (polled; their sum bounds what the scan held at once), the
verdict and the scan's own per-stage timings. Anonymeter runs in its own virtualenv
(``anonymeter_runner.py``, never a synthscan dependency) with its example notebook's setup:
singling out, linkability and inference — less than synthscan's battery (no copies, closeness,
membership inference or data-copying tests). The ratio is Anonymeter's wall time over
synthscan's. The machine's load is printed beside every timing; figures from a loaded machine
are not the acceptance figures.

Install Anonymeter's environment once, outside the repository::

    python3 -m venv /work/venvs/anonymeter
    /work/venvs/anonymeter/bin/pip install 'anonymeter==1.1.*'
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.peakrss import DescendantPeaks

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_ADULT = REPO.parent / "shared" / "data" / "adult"
DEFAULT_ANONYMETER = Path("/work/venvs/anonymeter/bin/python")
FILES = {"train": "adult_train.csv", "holdout": "adult_holdout.csv",
         "synthetic": "adult_synthetic_ctgan.csv"}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_synthscan(adult: Path, exact: bool) -> dict:
    """One full default scan in a child process: wall, peak RSS, verdict, stage timings."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "synthscan", "-q", "scan", str(adult / FILES["train"]),
               str(adult / FILES["synthetic"]), "--holdout", str(adult / FILES["holdout"]),
               "--missing-token", "?", "--format", "json", "--out", tmp]
        if exact:
            cmd.append("--exact")
        before = load()
        t0 = time.perf_counter()
        with DescendantPeaks() as tree:  # the scan and its worker process
            proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        if proc.returncode not in (0, 1):
            raise SystemExit(f"synthscan scan failed (exit {proc.returncode}): "
                             f"{proc.stderr.strip()[-400:]}")
        result = json.loads((Path(tmp) / "result.json").read_text(encoding="utf-8"))
    # the largest waited-for child (the kernel's exact mark) or the sum of the polled marks
    # of the scan and its worker, whichever is larger: a bound on what they held at once
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, tree.total_mib)
    return {"wall": wall, "peak_mib": peak, "together_mib": tree.together_mib,
            "verdict": result["verdict"],
            "timings": result["run"]["timings_seconds"], "load_before": before,
            "load_after": load()}


def run_anonymeter(adult: Path, python: Path) -> dict:
    """Anonymeter's three evaluators through the runner in its own environment."""
    cmd = [str(python), str(HERE / "anonymeter_runner.py"), "--train",
           str(adult / FILES["train"]), "--holdout", str(adult / FILES["holdout"]),
           "--synthetic", str(adult / FILES["synthetic"])]
    before = load()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"anonymeter runner failed (exit {proc.returncode}): "
                         f"{proc.stderr.strip()[-400:]}")
    doc = json.loads(proc.stdout)
    return {"wall": wall, "doc": doc, "load_before": before, "load_after": load()}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_adult", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--adult", type=Path, default=DEFAULT_ADULT)
    ap.add_argument("--anonymeter-python", type=Path, default=DEFAULT_ANONYMETER)
    ap.add_argument("--no-anonymeter", action="store_true")
    ap.add_argument("--exact", action="store_true", help="scan with --exact")
    ap.add_argument("--repeats", type=int, default=1, help="synthscan scans (best is kept)")
    args = ap.parse_args(argv)
    if not (args.adult / FILES["train"]).exists():
        raise SystemExit(f"{args.adult}: no {FILES['train']} there — pass --adult DIR")

    runs = [run_synthscan(args.adult, args.exact) for _ in range(args.repeats)]
    best = min(runs, key=lambda r: r["wall"])
    walls = ", ".join(f"{r['wall']:.1f}" for r in runs)
    print(f"synthscan: {best['wall']:.1f} s wall (best of {len(runs)}: {walls}), "
          f"peak {best['peak_mib']:,.0f} MiB (scan + worker high-water marks; "
          f"{best['together_mib']:,.0f} MiB the most seen at once), "
          f"verdict {best['verdict']}{' (--exact)' if args.exact else ''} "
          f"(load {best['load_before']} -> {best['load_after']})")
    for stage, sec in best["timings"].items():
        print(f"  {stage:<38} {sec:7.2f} s")
    if args.no_anonymeter:
        return
    if not args.anonymeter_python.exists():
        raise SystemExit(f"{args.anonymeter_python}: no such Python — create Anonymeter's "
                         "virtualenv (see this module's docstring) or pass --no-anonymeter")
    anon = run_anonymeter(args.adult, args.anonymeter_python)
    print(f"Anonymeter 1.1: {anon['wall']:.1f} s wall (singling out, linkability, inference; "
          f"load {anon['load_before']} -> {anon['load_after']})")
    evaluations = 0.0
    for name, ev in anon["doc"].get("results", {}).items():
        if isinstance(ev, dict) and "seconds" in ev:
            evaluations += ev["seconds"]
            print(f"  {name:<38} {ev['seconds']:7.2f} s")
    print(f"  {'(numba warm-up, not in the evaluations)':<38} "
          f"{anon['doc'].get('jit_warmup_seconds', float('nan')):7.2f} s")
    print(f"ratio, Anonymeter / synthscan: {anon['wall'] / best['wall']:.1f}x wall to wall; "
          f"{evaluations / best['wall']:.1f}x its evaluations alone")


if __name__ == "__main__":
    main()
