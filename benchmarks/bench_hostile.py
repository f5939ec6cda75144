"""Peak memory and exit code of ``synthscan scan`` on hostile inputs under ``--max-memory``.

Each case runs the real command line in its own process; the child reports its own high-water
mark (``VmHWM`` from ``/proc/self/status``) when it exits, so the figure is the scan's peak and
not this script's. The interpreter's baseline (Python with numpy, pandas and FAISS imported) is
measured the same way. Run::

    nice -n 10 python -m benchmarks.bench_hostile            # every case, --max-memory 700MB
    python -m benchmarks.bench_hostile --limit 1GB --case gzip_bomb

Inputs are generated into a temporary directory and removed afterwards.
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: the child: run the CLI, then write its own VmHWM (kB) to the file named in the environment
CHILD = r"""
import atexit, os, sys
def _peak():
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                with open(os.environ["BENCH_PEAK_FILE"], "w", encoding="ascii") as out:
                    out.write(line.split()[1])
atexit.register(_peak)
if sys.argv[1:] == ["--baseline"]:
    import numpy, pandas, faiss, pyarrow, sklearn, synthscan.api  # noqa: F401
    sys.exit(0)
from synthscan.cli import main
sys.argv = ["synthscan", *sys.argv[1:]]
main()
"""

SMALL = "age,income,color\n" + "".join(
    f"{20 + i % 60},{40000 + 37 * i},{('red', 'green', 'blue')[i % 3]}\n" for i in range(200))


def _text_rows(n: int) -> bytes:
    """A CSV of ``n`` identical rows: compresses to almost nothing."""
    return b"age,income,color\n" + b"30,50000.5,red\n" * n


def gzip_bomb(d: Path) -> list[str]:
    p = d / "bomb.csv.gz"
    with gzip.open(p, "wb", compresslevel=9) as fh:
        fh.write(_text_rows(1_500_000))
    return [str(p)]


def zip_bomb(d: Path) -> list[str]:
    p = d / "bomb.csv.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("bomb.csv", _text_rows(4_000_000))
    return [str(p)]


def parquet_bomb(d: Path) -> list[str]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 1_500_000
    table = pa.table({"age": np.full(n, 30), "income": np.full(n, 50000.5),
                      "color": pa.array(["red"] * n).dictionary_encode()})
    p = d / "bomb.parquet"
    pq.write_table(table, p, compression="zstd")
    return [str(p)]


def duplicates(d: Path) -> list[str]:
    paths = []
    for role in ("train", "holdout", "synthetic"):
        p = d / f"dup_{role}.csv"
        p.write_bytes(_text_rows(1000))
        paths.append(str(p))
    return paths


def billion_laughs(d: Path) -> list[str]:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("missing_tokens: *i")
    p = d / "laughs.yaml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["--config", str(p)]


def _trio(d: Path) -> tuple[str, str, str]:
    paths = []
    for role in ("train", "holdout", "synthetic"):
        p = d / f"{role}.csv"
        p.write_text(SMALL, encoding="utf-8")
        paths.append(str(p))
    return paths[0], paths[1], paths[2]


def _scan_with_train(make: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
    def args(d: Path) -> list[str]:
        _, h, s = _trio(d)
        return ["scan", make(d)[0], s, "--holdout", h]
    return args


def _scan_dups(d: Path) -> list[str]:
    t, h, s = duplicates(d)
    return ["scan", t, s, "--holdout", h]


def _scan_extra(make: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
    def args(d: Path) -> list[str]:
        t, h, s = _trio(d)
        return ["scan", t, s, "--holdout", h, *make(d)]
    return args


def _scan_realistic(d: Path) -> list[str]:
    """The simulated population (15 columns), 20,000 rows in each of train, holdout and
    synthetic: a normal scan, to show how the charged bound compares with the real peak."""
    from synthscan.datasets import simulate_population

    pop = simulate_population(60_000, 1)
    paths = []
    for i, role in enumerate(("train", "holdout", "synthetic")):
        p = d / f"{role}.csv"
        pop.iloc[20_000 * i: 20_000 * (i + 1)].to_csv(p, index=False)
        paths.append(str(p))
    return ["scan", paths[0], paths[2], "--holdout", paths[1], "--metadata",
            str(REPO / "sample_data" / "metadata.json")]


CASES: dict[str, Callable[[Path], list[str]]] = {
    "control (clean 200-row tables)": _scan_extra(lambda _d: []),
    "realistic (simulated population, 20,000 rows per table)": _scan_realistic,
    "gzip_bomb (1.5M rows in .csv.gz)": _scan_with_train(gzip_bomb),
    "zip_bomb (4M rows in .csv.zip)": _scan_with_train(zip_bomb),
    "parquet_bomb (1.5M rows)": _scan_with_train(parquet_bomb),
    "duplicates (1,000 identical rows per file)": _scan_dups,
    "billion_laughs (YAML aliases)": _scan_extra(billion_laughs),
    "bootstrap=100000000": _scan_extra(lambda _d: ["--set", "bootstrap=100000000"]),
    "permutations=100000000": _scan_extra(lambda _d: ["--set", "permutations=100000000"]),
    "singling_out_predicates=100000000": _scan_extra(
        lambda _d: ["--set", "singling_out_predicates=100000000"]),
    "max_query_rows=2000000000": _scan_extra(lambda _d: ["--set", "max_query_rows=2000000000"]),
    "bootstrap=100000 (largest allowed)": _scan_extra(lambda _d: ["--set", "bootstrap=100000"]),
    "permutations=100000 (largest allowed)": _scan_extra(
        lambda _d: ["--set", "permutations=100000"]),
    "singling_out_predicates=100000 (largest allowed)": _scan_extra(
        lambda _d: ["--set", "singling_out_predicates=100000"]),
}


def run_child(args: list[str], cwd: Path) -> tuple[int, float, float, str]:
    """(exit code, peak MiB, seconds, last stderr line) of one CLI run in its own process."""
    peak_file = cwd / "peak.txt"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["BENCH_PEAK_FILE"] = str(peak_file)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, errors="replace")
    seconds = time.perf_counter() - t0
    peak = int(peak_file.read_text(encoding="ascii")) / 1024 if peak_file.exists() else float("nan")
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    return proc.returncode, peak, seconds, (lines[-1] if lines else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", default="700MB", help="--max-memory of every scan")
    ap.add_argument("--case", action="append", default=[],
                    help="run only cases whose name starts with this (repeatable)")
    opts = ap.parse_args()
    print(f"uptime: {os.popen('uptime').read().strip()}")
    with tempfile.TemporaryDirectory(prefix="bench_hostile_") as tmp:
        base = Path(tmp)
        _, peak, _, _ = run_child(["--baseline"], base)
        print(f"interpreter baseline (numpy, pandas, pyarrow, scikit-learn, FAISS imported): "
              f"{peak:.0f} MiB")
        print(f"--max-memory {opts.limit}\n")
        print("| case | exit | peak RSS (MiB) | seconds | last stderr line |")
        print("| --- | --- | --- | --- | --- |")
        for name, make in CASES.items():
            if opts.case and not any(name.startswith(c) for c in opts.case):
                continue
            d = base / name.split()[0]
            d.mkdir()
            args = [*make(d), "--max-memory", opts.limit, "--out", str(d / "out"), "-q"]
            code, peak, seconds, line = run_child(args, d)
            print(f"| {name} | {code} | {peak:.0f} | {seconds:.1f} | {line[:160]} |", flush=True)


if __name__ == "__main__":
    main()
