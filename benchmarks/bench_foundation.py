"""Foundation benchmark: load, schema, encode and tie-aware 1-NN search, timed stage by stage.

Measures the pipeline every distance-based check stands on, with synthscan's own modules:
``load_table`` -> ``build_schema`` -> ``MixedEncoder`` (fitted on train ∪ holdout) -> a
``TieIndex`` over train ∪ holdout (labels 0 = train, 1 = holdout) -> ``TieIndex.nearest`` for
the synthetic rows. For each stage it prints the wall time and the peak resident memory (RSS).

Workloads:

* Adult (default): the real train / holdout / CTGAN-synthetic triple in ``../shared/data/adult``
  (relative to the repository; ``--adult PATH`` to point elsewhere). Every synthetic row is a
  query. Target: the whole pipeline under 5 s on 2 cores, per metric (l1 and l2).
* ``--million``: a generated 30-column mixed table (15 numeric, 15 categorical, some missing
  cells, heavy tails), reference = ``--rows`` real rows (80% train, 20% holdout; never
  subsampled) and a synthetic table of ``--rows`` rows of which ``--queries`` are sampled as
  queries. Prints time per 1,000 queries and the projected time for every synthetic row.

Usage::

    python -m benchmarks.bench_foundation
    python -m benchmarks.bench_foundation --adult /data/adult --metrics l1
    python -m benchmarks.bench_foundation --million [--rows 1000000] [--queries 20000]

Peak memory: where Linux allows it, the kernel's RSS high-water mark (VmHWM, the same figure as
``ru_maxrss``) is reset at the start of every stage (``/proc/self/clear_refs``), so each stage's
peak is its own. Elsewhere a thread samples VmRSS every 10 ms (or, without /proc,
``ru_maxrss`` gives the process's lifetime peak). The method used is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import platform
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from synthscan import __version__ as SYNTHSCAN_VERSION
from synthscan.data.io import DEFAULT_MISSING_TOKENS, load_table
from synthscan.data.schema import build_schema
from synthscan.encoding.encoder import MixedEncoder
from synthscan.neighbors.ties import TieIndex
from synthscan.types import Table

from .peakrss import reset_peak

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ADULT = REPO.parent / "shared" / "data" / "adult"
ADULT_FILES = {
    "train": "adult_train.csv",
    "holdout": "adult_holdout.csv",
    "synthetic": "adult_synthetic_ctgan.csv",
}
ADULT_MISSING = ("?",)
ADULT_TARGET_SECONDS = 5.0
ADULT_TARGET_TEXT = "target: under 5 s on 2 cores"

MILLION_ROWS = 1_000_000
DEFAULT_QUERIES = 20_000
HOLDOUT_SHARE = 0.2
PLANTED_COPY_SHARE = 0.01
SEED = 20261124
ROLES: tuple[Table, ...] = ("train", "holdout", "synthetic")
TRAIN, HOLDOUT = 0, 1


# ----------------------------------------------------------------------------- memory


def _status_kib(key: str) -> int | None:
    """A ``kB`` field of /proc/self/status (VmRSS, VmHWM), or None where there is no /proc."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _maxrss_kib() -> int:
    """ru_maxrss in KiB (Linux reports KiB, macOS bytes)."""
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value // 1024 if sys.platform == "darwin" else value


class PeakMemory:
    """Peak RSS of one stage at a time (see the module docstring for the method)."""

    def __init__(self, interval: float = 0.01) -> None:
        self.resettable = reset_peak() and _status_kib("VmHWM") is not None
        self.has_proc = _status_kib("VmRSS") is not None
        self._interval = interval
        self._peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if self.has_proc and not self.resettable:
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()

    @property
    def method(self) -> str:
        if self.resettable:
            return "kernel RSS high-water mark (VmHWM = ru_maxrss), reset at each stage start"
        if self.has_proc:
            return f"VmRSS sampled every {self._interval * 1000:.0f} ms"
        return "ru_maxrss (whole-process peak, not per stage)"

    def _sample(self) -> None:
        while not self._stop.wait(self._interval):
            rss = _status_kib("VmRSS") or 0
            if rss > self._peak:
                self._peak = rss

    def begin(self) -> None:
        if self.resettable:
            reset_peak()
        self._peak = _status_kib("VmRSS") or 0

    def end(self) -> int:
        """Peak RSS in KiB since ``begin``."""
        if not self.has_proc:
            return _maxrss_kib()
        peak = max(self._peak, _status_kib("VmRSS") or 0)
        if self.resettable:
            peak = max(peak, _status_kib("VmHWM") or 0)
        return peak

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


# ----------------------------------------------------------------------------- stages


@dataclass
class Stage:
    name: str
    metric: str  # "-" for stages shared by both metrics
    seconds: float
    peak_kib: int


@dataclass
class Recorder:
    memory: PeakMemory
    stages: list[Stage] = field(default_factory=list)

    @contextlib.contextmanager
    def stage(self, name: str, metric: str = "-") -> Iterator[None]:
        gc.collect()  # garbage from an earlier stage must not count against this one
        self.memory.begin()
        t0 = time.perf_counter()
        yield
        seconds = time.perf_counter() - t0
        self.stages.append(Stage(name, metric, seconds, self.memory.end()))

    def get(self, name: str, metric: str = "-") -> Stage:
        return next(s for s in self.stages if s.name == name and s.metric == metric)


@dataclass
class NearestSummary:
    """What the 1-NN search found, as a sanity check that the benchmark did real work."""

    dims: int
    unique_points: int
    queries: int
    share_train: float  # p-hat: mean tie-credited share of train among the nearest records
    pi0: float  # its expectation without leakage: n_T / (n_T + n_H)
    exact_matches: float  # share of queries at distance 0 from some real record
    mean_tied: float  # mean number of real records tied at the nearest distance

    @property
    def delta(self) -> float:
        return (self.share_train - self.pi0) / (1 - self.pi0)


def run_pipeline(rec: Recorder, sources: dict[str, Path], missing: tuple[str, ...],
                 metrics: list[str], threads: int | None, n_queries: int | None,
                 seed: int) -> tuple[dict[str, int], dict[str, NearestSummary]]:
    """Time load -> schema -> (per metric) encode -> index -> 1-NN. Returns sizes and sanity."""
    tokens = tuple(DEFAULT_MISSING_TOKENS) + tuple(missing)
    with rec.stage("load"):
        raw: dict[Table, pd.DataFrame] = {}
        names: dict[Table, str] = {}
        for role in ROLES:
            raw[role], src = load_table(sources[role], role, tokens)
            names[role] = src.name
    with rec.stage("schema"):
        schema, frames = build_schema(raw, names)
    del raw
    n_t, n_h, n_s = (len(frames[r]) for r in ROLES)
    sizes = {"train": n_t, "holdout": n_h, "synthetic": n_s, "columns": len(schema.columns),
             "distance_columns": len(schema.distance_columns)}
    if n_queries is None or n_queries >= n_s:
        rows = None
        sizes["queries"] = n_s
    else:
        rng = np.random.default_rng(seed)
        rows = np.sort(rng.choice(n_s, size=n_queries, replace=False))
        sizes["queries"] = n_queries
    labels = np.repeat(np.array([TRAIN, HOLDOUT], dtype=np.int64), [n_t, n_h])
    found: dict[str, NearestSummary] = {}
    for metric in metrics:
        with rec.stage("encode", metric):
            encoder = MixedEncoder(metric).fit([frames["train"], frames["holdout"]],
                                               schema.columns, others=[frames["synthetic"]])
            encoded = {role: encoder.transform(frames[role]) for role in ROLES}
        with rec.stage("index", metric):
            reference = np.concatenate([encoded["train"], encoded["holdout"]])
            index = TieIndex(reference, labels, n_labels=2, metric=metric, threads=threads)
        queries = encoded["synthetic"] if rows is None else encoded["synthetic"][rows]
        with rec.stage("1-NN", metric):
            res = index.nearest(queries)
        tied = res.counts.sum(axis=1)
        found[metric] = NearestSummary(
            dims=encoder.dim_, unique_points=index.n_points, queries=len(queries),
            share_train=float(np.mean(res.counts[:, TRAIN] / tied)), pi0=n_t / (n_t + n_h),
            exact_matches=float(np.mean(res.distance == 0)), mean_tied=float(np.mean(tied)))
        del encoder, encoded, reference, index, queries, res
    return sizes, found


# ----------------------------------------------------------------------------- generated data


def _level_cuts(levels: int, scale: float) -> np.ndarray:
    """Cut points on a N(0, scale²) score giving levels with Zipf-like (1/k) frequencies."""
    p = 1.0 / np.arange(1, levels + 1)
    cum = np.cumsum(p / p.sum())[:-1]
    dist = statistics.NormalDist(0.0, scale)
    return np.array([dist.inv_cdf(float(c)) for c in cum])


CAT_LEVELS = (2, 3, 5, 8, 12, 20, 50)
NUM_MISSING = {1: 0.05, 7: 0.05, 12: 0.05}  # numeric column j -> share of empty cells
CAT_MISSING = {2: 0.03, 9: 0.03}


def mixed_table(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` simulated rows x 30 columns (15 numeric, 15 categorical), correlated through three
    latent factors, with empty cells in five columns and heavy-tailed numeric columns."""
    z = rng.standard_normal((n, 3))
    cols: dict[str, np.ndarray] = {}
    for j in range(15):
        f = z[:, j % 3]
        e = rng.standard_normal(n)
        kind = j % 5
        if kind == 0:  # continuous, two decimals
            v: np.ndarray = np.round(50 + 10 * (0.7 * f + 0.7 * e), 2)
        elif kind == 1:  # log-normal, like incomes: long right tail
            v = np.round(np.exp(10 + 0.5 * f + 0.6 * e), 2)
        elif kind == 2:  # integer-valued, like ages or weekly hours: many ties
            v = np.clip(np.rint(40 + 12 * (0.6 * f + 0.8 * e)), 16, 99)
        elif kind == 3:  # small counts
            v = rng.poisson(np.exp(0.3 * f)).astype(float)
        else:  # a proportion, three decimals
            v = np.round(1 / (1 + np.exp(-(f + e))), 3)
        if j in NUM_MISSING:
            v[rng.random(n) < NUM_MISSING[j]] = np.nan
        cols[f"num_{j:02d}"] = v
    for j in range(15):
        levels = CAT_LEVELS[j % len(CAT_LEVELS)]
        score = z[:, j % 3] + rng.standard_normal(n)
        codes = np.searchsorted(_level_cuts(levels, float(np.sqrt(2.0))), score)
        names = np.array([f"c{j:02d}_{k}" for k in range(levels)], dtype=object)
        v = names[codes]
        if j in CAT_MISSING:
            v[rng.random(n) < CAT_MISSING[j]] = None
        cols[f"cat_{j:02d}"] = v
    return pd.DataFrame(cols)


def write_million(directory: Path, rows: int, seed: int) -> dict[str, Path]:
    """Write train / holdout / synthetic Parquet files; the synthetic table is fresh draws from
    the same population with a share of rows replaced by copies of distinct train rows."""
    rng = np.random.default_rng(seed)
    real = mixed_table(rows, rng)
    n_h = int(round(rows * HOLDOUT_SHARE))
    train, holdout = real.iloc[: rows - n_h], real.iloc[rows - n_h:]  # iid rows: a random split
    synthetic = mixed_table(rows, rng)
    n_copies = int(round(rows * PLANTED_COPY_SHARE))
    at = rng.choice(rows, size=n_copies, replace=False)
    src = rng.choice(len(train), size=n_copies, replace=False)
    for col in synthetic.columns:  # column by column: keeps every dtype
        values = synthetic[col].to_numpy(copy=True)
        values[at] = train[col].to_numpy()[src]
        synthetic[col] = values
    paths = {}
    for role, frame in (("train", train), ("holdout", holdout), ("synthetic", synthetic)):
        paths[role] = directory / f"{role}.parquet"
        frame.to_parquet(paths[role], index=False)
    return paths


# ----------------------------------------------------------------------------- output


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.0f}"


def _cpu_model() -> str:
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8",
                                            errors="replace") as fh:
        for line in fh:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def print_header(memory: PeakMemory, threads: int | None) -> None:
    import faiss

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"synthscan {SYNTHSCAN_VERSION} foundation benchmark — Python "
          f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"faiss {faiss.__version__}")
    print(f"machine: {os.cpu_count()} CPUs ({_cpu_model()}), search threads "
          f"{threads or os.cpu_count()}, load average {load:.2f} at start")
    print(f"memory: {memory.method}")


def print_table(rec: Recorder, metrics: list[str], extra: dict[str, str] | None = None) -> None:
    """Stage rows, then one total row per metric (shared stages counted in each total)."""
    extra = extra or {}
    print(f"  {'stage':<8} {'metric':<6} {'time (s)':>9} {'peak RSS (MiB)':>15}")
    shared = [s for s in rec.stages if s.metric == "-"]
    for s in shared:
        print(f"  {s.name:<8} {'-':<6} {s.seconds:>9.2f} {_mib(s.peak_kib):>15}")
    for m in metrics:
        own = [s for s in rec.stages if s.metric == m]
        for s in own:
            print(f"  {s.name:<8} {m:<6} {s.seconds:>9.2f} {_mib(s.peak_kib):>15}")
        total = sum(s.seconds for s in shared + own)
        peak = max(s.peak_kib for s in shared + own)
        note = f"  {extra[m]}" if m in extra else ""
        print(f"  {'total':<8} {m:<6} {total:>9.2f} {_mib(peak):>15}{note}")


def print_sanity(found: dict[str, NearestSummary]) -> None:
    for m, f in found.items():
        print(f"  {m}: {f.dims} dims, {f.unique_points:,} distinct reference points; "
              f"nearest-record share of train {f.share_train:.4f} (no-leak expectation "
              f"{f.pi0:.4f}, excess {f.delta:+.4f}); at distance 0: {f.exact_matches:.2%}; "
              f"records tied at nearest: {f.mean_tied:.2f} on average")


def bench_adult(path: Path, metrics: list[str], threads: int | None, memory: PeakMemory) -> None:
    sources = {role: path / name for role, name in ADULT_FILES.items()}
    rec = Recorder(memory)
    sizes, found = run_pipeline(rec, sources, ADULT_MISSING, metrics, threads, None, SEED)
    print(f"\n== Adult triple ({path}) ==")
    print(f"  train {sizes['train']:,} + holdout {sizes['holdout']:,} = "
          f"{sizes['train'] + sizes['holdout']:,} reference rows; synthetic {sizes['synthetic']:,} "
          f"rows, all {sizes['queries']:,} queried; {sizes['columns']} columns "
          f"({sizes['distance_columns']} in the distance); missing token \"?\"")
    verdicts = {}
    for m in metrics:
        total = sum(s.seconds for s in rec.stages if s.metric in ("-", m))
        met = "met" if total < ADULT_TARGET_SECONDS else \
            f"NOT met ({total / ADULT_TARGET_SECONDS:.2f}x the target)"
        verdicts[m] = f"{ADULT_TARGET_TEXT}: {met}"
    print_table(rec, metrics, verdicts)
    print_sanity(found)


def bench_million(rows: int, n_queries: int, metrics: list[str], threads: int | None,
                  memory: PeakMemory) -> None:
    print(f"\n== Generated mixed table: {rows:,}-row reference x {rows:,}-row synthetic, "
          "30 columns ==")
    with tempfile.TemporaryDirectory(prefix="synthscan-bench-") as tmp:
        t0 = time.perf_counter()
        sources = write_million(Path(tmp), rows, SEED)
        gc.collect()
        print(f"  setup (untimed below): generated and wrote Parquet inputs in "
              f"{time.perf_counter() - t0:.1f} s")
        rec = Recorder(memory)
        sizes, found = run_pipeline(rec, sources, (), metrics, threads, n_queries, SEED)
    n_s, n_q = sizes["synthetic"], sizes["queries"]
    if n_q == DEFAULT_QUERIES and n_s == MILLION_ROWS:
        print(f"  (default --queries {DEFAULT_QUERIES:,}: keeps this workload near 6-7 minutes on "
              "2 idle cores with both metrics; fewer queries run faster, more give tighter "
              "figures)")
    print(f"  train {sizes['train']:,} + holdout {sizes['holdout']:,} = "
          f"{sizes['train'] + sizes['holdout']:,} reference rows (never subsampled); synthetic "
          f"{n_s:,} rows ({PLANTED_COPY_SHARE:.0%} planted copies of train rows), of which "
          f"{n_q:,} sampled as queries")
    print_table(rec, metrics)
    print_sanity(found)
    print(f"  projection to all {n_s:,} synthetic rows as queries (linear in the query count):")
    for m in metrics:
        q = rec.get("1-NN", m).seconds
        fixed = sum(s.seconds for s in rec.stages if s.metric in ("-", m) and s.name != "1-NN")
        full = q * n_s / n_q
        print(f"  {m}: {q / n_q * 1000:.2f} s per 1,000 queries; 1-NN for all {n_s:,}: "
              f"{full:,.0f} s ({full / 3600:.2f} h); whole pipeline: {fixed + full:,.0f} s")


def _metrics(text: str) -> list[str]:
    out = [m.strip().lower() for m in text.split(",") if m.strip()]
    bad = [m for m in out if m not in ("l1", "l2")]
    if bad or not out:
        raise argparse.ArgumentTypeError("use l1, l2 or l1,l2")
    return list(dict.fromkeys(out))


def _positive(text: str) -> int:
    value = int(text.replace("_", "").replace(",", ""))
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_foundation",
        description="Time and peak memory of load, schema, encode and tie-aware 1-NN search.")
    parser.add_argument("--adult", type=Path, default=None,
                        help=f"directory with the Adult triple (default: {DEFAULT_ADULT})")
    parser.add_argument("--million", action="store_true",
                        help="also run the generated large table (reference never subsampled)")
    parser.add_argument("--rows", type=_positive, default=MILLION_ROWS,
                        help="rows of the generated reference and synthetic tables (default "
                             "1,000,000)")
    parser.add_argument("--queries", type=_positive, default=DEFAULT_QUERIES,
                        help="synthetic rows sampled as queries in --million (default 20,000)")
    parser.add_argument("--metrics", type=_metrics, default=["l1", "l2"],
                        help="comma-separated: l1, l2 (default both)")
    parser.add_argument("--threads", type=_positive, default=None,
                        help="FAISS threads (default: all cores)")
    parser.add_argument("--no-adult", action="store_true", help="skip the Adult workload")
    args = parser.parse_args(argv)

    adult = args.adult or DEFAULT_ADULT
    if not args.no_adult and not all((adult / f).is_file() for f in ADULT_FILES.values()):
        if args.adult is not None:
            parser.error(f"--adult {adult}: expected {', '.join(ADULT_FILES.values())} there")
        print(f"note: Adult data not found at {adult}; skipping it (pass --adult PATH)")
        args.no_adult = True
    if args.no_adult and not args.million:
        parser.error("nothing to run: the Adult data is skipped and --million was not given")

    memory = PeakMemory()
    started = time.perf_counter()
    try:
        print_header(memory, args.threads)
        if not args.no_adult:
            bench_adult(adult, args.metrics, args.threads, memory)
        if args.million:
            bench_million(args.rows, args.queries, args.metrics, args.threads, memory)
    finally:
        memory.close()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nbenchmark wall time {time.perf_counter() - started:,.0f} s (load average {load:.2f} "
          "at the end; other processes on the machine slow the search down)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
