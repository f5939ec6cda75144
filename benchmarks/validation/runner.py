"""Plan the grid of (population, size, scenario, dose, seed) cells, run the missing ones as full
scans, and append one JSON line per scan to the results cache (resumable, accumulating)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import tomllib

HERE = Path(__file__).resolve().parent
DEFAULT_CONFIG = HERE / "config.toml"
DEFAULT_RESULTS = HERE / "results" / "scans.jsonl"


@dataclass(frozen=True)
class Cell:
    """One scan to run."""

    population: str
    n_train: int
    kind: str
    param: float
    seed: int
    holdout_fraction: float
    synthetic_fraction: float

    @property
    def key(self) -> str:
        return (f"{self.population}|{self.n_train}|{self.kind}|{self.param:g}|{self.seed}|"
                f"h{self.holdout_fraction:g}|s{self.synthetic_fraction:g}")


def load_config(path: str | Path = DEFAULT_CONFIG, quick: bool = False) -> dict[str, Any]:
    """Read the TOML config; with ``quick`` the [quick] table overrides [run] and [scenarios]."""
    with open(path, "rb") as fh:
        cfg = tomllib.load(fh)
    if quick:
        q = cfg.get("quick", {})
        for key, value in q.items():
            section = "run" if key in cfg["run"] else "scenarios"
            cfg[section][key] = value
    return cfg


def tuple_key(text: str) -> tuple[str, float]:
    """"noisy_copies:0.05" -> ("noisy_copies", 0.05)."""
    kind, _, param = text.partition(":")
    return kind, float(param or 0)


def plan(cfg: dict[str, Any]) -> list[Cell]:
    """Every cell of the grid, ordered seed-first so that a run cut short leaves all cells
    with about the same number of seeds."""
    run, sc = cfg["run"], cfg["scenarios"]
    h, s, first = float(run["holdout_fraction"]), float(run["synthetic_fraction"]), int(
        run.get("first_seed", 0))
    cells: list[Cell] = []
    for pop in run["populations"]:
        for n in run["sizes"]:
            kinds: list[tuple[str, float, int]] = [(k, 0.0, run["null_seeds"])
                                                   for k in sc["null"]]
            kinds += [("copies", float(f), run["leak_seeds"]) for f in sc["copy_fractions"]]
            kinds += [("noisy_copies", float(v), run["leak_seeds"]) for v in sc["noise_sd"]]
            if sc.get("outlier_share"):
                kinds.append(("outlier_copies", 0.0, run["leak_seeds"]))
            if sc.get("attribute_leak"):
                kinds.append(("attribute_leak", 0.0, run["leak_seeds"]))
            kinds += [("generator_train", float(g), int(run.get("generator_seeds", 0)))
                      for g in sc.get("generators_on_train", [])]
            accept = {tuple_key(x) for x in sc.get("acceptance_leaks", [])}
            for kind, param, n_seeds in kinds:
                if (kind, param) in accept and int(n) in run.get("acceptance_sizes", []):
                    n_seeds = max(int(n_seeds), int(run.get("acceptance_seeds", n_seeds)))
                for seed in range(first, first + int(n_seeds)):
                    cells.append(Cell(pop, int(n), kind, param, seed, h, s))
    cells.sort(key=lambda c: (c.seed, c.n_train, c.population, c.kind, c.param))
    return cells


def filter_cells(cells: list[Cell], kinds: list[str] | None = None,
                 params: dict[str, list[float]] | None = None) -> list[Cell]:
    """Keep cells of the given kinds; ``params`` restricts the doses of a kind."""
    out = []
    for c in cells:
        if kinds and c.kind not in kinds:
            continue
        if params and c.kind in params and not any(abs(c.param - p) < 1e-12
                                                   for p in params[c.kind]):
            continue
        out.append(c)
    return out


def scanner_fingerprint() -> dict[str, Any]:
    """What scanner produced a result: version, registered checks, git commit of the tree."""
    from synthscan import __version__
    from synthscan.attacks import CHECKS

    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, text=True,
                             capture_output=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        rev = None
    return {"version": __version__, "commit": rev,
            "checks": [c.id for c in CHECKS]}


def _registry(fp: dict[str, Any]) -> tuple:
    """What makes a cached scan stale: the version and the registered checks (the commit is
    informational: it changes with every commit, most of which do not touch the scan)."""
    return fp.get("version"), tuple(fp.get("checks", []))


def latest_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per cell: the last one written (a re-run replaces an earlier scan), its
    statuses and verdict re-decided under the current policy (``redecide``)."""
    from .redecide import redecide

    by_key: dict[str, dict[str, Any]] = {}
    for r in rows:
        if "error" not in r:
            by_key[r["key"]] = r
    return [redecide(r) for r in by_key.values()]


def read_results(path: str | Path = DEFAULT_RESULTS) -> list[dict[str, Any]]:
    """All cached rows (a truncated last line from an interrupted run is skipped)."""
    rows: list[dict[str, Any]] = []
    p = Path(path)
    if not p.exists():
        return rows
    with open(p, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return rows


def _check_record(c: Any) -> dict[str, Any]:
    details = c.details or {}
    d = c.decision
    rec = {"id": c.id, "component": bool(c.component), "status": c.status,
           "estimate": c.estimate, "lower": c.lower, "upper": c.upper,
           "decision": None if d is None else d.to_dict(),
           "tests": [t.to_dict() for t in (c.tests or [])],
           "unit_total": c.unit_total, "threshold": c.threshold,
           "high_threshold": c.high_threshold, "reason": c.reason or None,
           "p_value": c.p_value}
    # scalar diagnostics (unclipped effect, minimum detectable effect, ...): no record values
    if c.id == "nearest_record_share" and c.estimate is not None:
        rec["delta_unclipped"] = float(c.estimate)
    for key in ("p_hat", "pi0", "min_detectable_delta"):
        if isinstance(details.get(key), (int, float)):
            rec[key] = float(details[key])
    return rec


def run_cell(cell: Cell, settings: dict[str, Any], adult: str | None) -> dict[str, Any]:
    """Generate the cell's scenario and run a full scan on it; return the JSON row."""
    import synthscan

    from .scenarios import build, draw

    t0 = time.perf_counter()
    d = draw(cell.population, cell.n_train, cell.seed, cell.holdout_fraction,
             cell.synthetic_fraction, adult)
    s = dict(settings)
    s["secret"] = settings.get("secret", {}).get(cell.population, "income")
    sc = build(cell.kind, cell.param, d, cell.seed, s)
    t1 = time.perf_counter()
    res = synthscan.scan(sc.train, sc.synthetic, holdout=sc.holdout,
                         config=synthscan.ScanConfig(seed=cell.seed,
                                                     missing_tokens=sc.missing_tokens,
                                                     threads=1))
    t2 = time.perf_counter()
    return {
        "key": cell.key, "population": cell.population, "n_train": cell.n_train,
        "n_holdout": len(sc.holdout), "n_synthetic": len(sc.synthetic), "kind": cell.kind,
        "param": cell.param, "seed": cell.seed, "holdout_fraction": cell.holdout_fraction,
        "synthetic_fraction": cell.synthetic_fraction, "truth_delta": sc.truth_delta,
        "truth_exact": sc.truth_exact, "note": sc.note, "verdict": res.verdict,
        "risk": {k: res.risk.to_dict()[k] for k in ("estimate", "lower", "upper", "driver",
                                              "binding", "undecided", "missing",
                                              "decision_guidance", "people")},
        "checks": [_check_record(c) for c in res.checks],
        "seconds": {"build": round(t1 - t0, 2), "scan": round(t2 - t1, 2)},
        "scanner": scanner_fingerprint(),
    }


def _worker(args: tuple[Cell, dict[str, Any], str | None]) -> dict[str, Any]:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    cell, settings, adult = args
    try:
        return run_cell(cell, settings, adult)
    except Exception as exc:
        return {"key": cell.key, "error": f"{type(exc).__name__}: {exc}"}


def run(cells: list[Cell], settings: dict[str, Any], adult: str | None,
        results: str | Path = DEFAULT_RESULTS, jobs: int = 1, max_minutes: float | None = None,
        rerun_stale: bool = False, say=print) -> int:
    """Run the cells not yet in ``results`` (append as they finish); returns how many ran.

    ``max_minutes`` stops submitting new scans after that wall time (running ones finish).
    """
    done = {}
    for r in read_results(results):
        if "error" not in r:
            done[r["key"]] = r
    current = _registry(scanner_fingerprint())
    todo = [c for c in cells if c.key not in done or (
        rerun_stale and _registry(done[c.key].get("scanner", {})) != current)]
    if any(c.population == "adult" for c in todo) and adult is None:
        say("skipping adult cells: pass --adult PATH")
        todo = [c for c in todo if c.population != "adult"]
    say(f"{len(cells)} cells planned, {len(cells) - len(todo)} cached, {len(todo)} to run "
        f"with {jobs} job(s)")
    Path(results).parent.mkdir(parents=True, exist_ok=True)
    t_start = time.monotonic()
    ran = 0
    pending: dict = {}
    queue = list(todo)
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=get_context("spawn")) as ex, \
            open(results, "a", encoding="utf-8") as out:
        def submit() -> None:
            while queue and len(pending) < max(1, jobs):
                if max_minutes is not None and time.monotonic() - t_start > 60 * max_minutes:
                    queue.clear()
                    say("time budget reached: no new scans")
                    return
                cell = queue.pop(0)
                pending[ex.submit(_worker, (cell, settings, adult))] = cell
        submit()
        while pending:
            finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in finished:
                cell = pending.pop(fut)
                row = fut.result()
                out.write(json.dumps(row, sort_keys=True) + "\n")
                out.flush()
                ran += 1
                if "error" in row:
                    say(f"[{ran}/{len(todo)}] {cell.key}: ERROR {row['error']}")
                else:
                    say(f"[{ran}/{len(todo)}] {cell.key}: {row['verdict']} "
                        f"({row['seconds']['scan']:.0f}s scan)")
            submit()
    return ran
