"""Run the side-by-side benchmark and write docs/benchmarks.md.

    python -m benchmarks.peers [--peers-python PY] [--adult DIR] [--results FILE]
                               [--n-train 2000] [--seeds-scale 1.0] [--report-only]

Each scenario cell (simulated population, one seed) is generated once, written to CSV files,
and given to every tool in its own process: synthscan (this environment), Anonymeter and
SDMetrics (the peers' virtualenv). One JSON line per cell goes to the results cache, so an
interrupted run resumes. ``--adult`` adds one timing run of every tool on the real Adult triple.
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
from typing import Any

import tomllib

from . import SCENARIOS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFAULT_RESULTS = HERE / "results" / "peers.jsonl"
DEFAULT_PEERS_PYTHON = "/work/venvs/peers/bin/python"
VALIDATION_CONFIG = ROOT / "benchmarks" / "validation" / "config.toml"

#: what the attacker knows in Anonymeter's linkability (two halves of the simulated columns)
SIM_LINK_AUX = ("age,sex,region,education,occupation;"
                "marital_status,n_children,hours_per_week,income,bmi")
#: Anonymeter's inference secrets on the simulated data (income is the attribute-leak secret)
SIM_INFERENCE = "income,marital_status,smoker"
ADULT_FILES = ("adult_train.csv", "adult_holdout.csv", "adult_synthetic_ctgan.csv")


def cell_key(kind: str, param: float, seed: int, n_train: int) -> str:
    return f"simulated:{n_train}:{kind}:{param:g}:{seed}"


def read_results(path: Path) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by an interrupted run
            rows[row["key"]] = row
    return rows


def _json_of(cmd: list[str], timeout: float | None = None,
             env: dict[str, str] | None = None) -> dict[str, Any]:
    t0 = time.perf_counter()
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                             cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout:.0f} s", "seconds": timeout}
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": tail[:300], "seconds": round(time.perf_counter() - t0, 1)}
    try:
        return json.loads(out.stdout)
    except json.JSONDecodeError:
        return {"error": "no JSON on standard output", "seconds": None}


def run_tools(paths: dict[str, Path], peers_python: str, seed: int, missing: str | None,
              link_aux: str | None, inference: str | None,
              sdmetrics_timeout: float | None = None) -> dict[str, Any]:
    """Every tool on one triple of CSV files; each answer summarised (no record values)."""
    files = ["--train", str(paths["train"]), "--holdout", str(paths["holdout"]),
             "--synthetic", str(paths["synthetic"])]
    tok = ["--missing-token", missing] if missing else []
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    ours = _json_of([sys.executable, "-m", "benchmarks.peers.synthscan_runner", *files,
                     "--seed", str(seed), *tok], env=env)
    anon_cmd = [peers_python, str(ROOT / "benchmarks" / "anonymeter_runner.py"), *files,
                "--seed", str(seed), *tok]
    if link_aux:
        anon_cmd += ["--link-aux", link_aux]
    if inference:
        anon_cmd += ["--inference-columns", inference]
    anon = summarise_anonymeter(_json_of(anon_cmd))
    sdm = summarise_sdmetrics(_json_of([peers_python, str(HERE / "sdmetrics_runner.py"), *files,
                                        "--seed", str(seed), *tok],
                                       timeout=sdmetrics_timeout))
    return {"synthscan": ours, "anonymeter": anon, "sdmetrics": sdm}


def summarise_anonymeter(doc: dict[str, Any]) -> dict[str, Any]:
    if "error" in doc:
        return doc
    res = doc["results"]
    out: dict[str, Any] = {"version": doc["versions"].get("anonymeter"),
                           "seconds": doc["total_seconds"]}
    peaks = []
    for name, key in (("singling_out_univariate", "so_univariate"),
                      ("singling_out_multivariate", "so_multivariate"),
                      ("linkability", "linkability")):
        r = res.get(name, {})
        if "risk" in r:
            out[key] = [r["risk"], r["ci"][0], r["ci"][1]]
            peaks.append(r.get("peak_rss_mib", 0.0))
    inf = res.get("inference", {})
    if inf.get("worst_risk") is not None:
        out["inference_worst"] = [inf["worst_risk"], *inf["worst_ci"]]
        out["inference_worst_column"] = inf["worst_column"]
        peaks.append(inf.get("peak_rss_mib", 0.0))
    out["peak_rss_mib"] = max(peaks, default=None)
    return out


def summarise_sdmetrics(doc: dict[str, Any]) -> dict[str, Any]:
    if "error" in doc:
        return doc
    out: dict[str, Any] = {"version": doc["versions"]["sdmetrics"],
                           "seconds": doc["total_seconds"], "peak_rss_mib": doc["peak_rss_mib"]}
    for name, r in doc["results"].items():
        out[name] = r.get("score") if "error" not in r else None
        if name == "DCROverfittingProtection" and "closer_to_training" in r:
            out["closer_to_training"] = r["closer_to_training"]
    return out


def write_cell(kind: str, param: float, seed: int, n_train: int, settings: dict[str, Any],
               folder: Path) -> tuple[dict[str, Path], Any]:
    from benchmarks.validation.scenarios import build, draw

    d = draw("simulated", n_train, seed, 0.5, 1.0)
    sc = build(kind, param, d, seed, settings)
    paths = {}
    for role, frame in (("train", sc.train), ("holdout", sc.holdout),
                        ("synthetic", sc.synthetic)):
        # the row identifier is not an attribute: a user drops it before any tool
        frame = frame.drop(columns=[c for c in ("person_id",) if c in frame.columns])
        paths[role] = folder / f"{role}.csv"
        frame.to_csv(paths[role], index=False)
    return paths, sc


def run_grid(args: argparse.Namespace) -> None:
    cfg = tomllib.loads(VALIDATION_CONFIG.read_text(encoding="utf-8"))
    settings = dict(cfg["scenarios"])
    settings["secret"] = cfg["scenarios"]["secret"]["simulated"]
    done = read_results(args.results)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    todo = [(k, p, s) for k, p, n in SCENARIOS
            for s in range(max(1, round(n * args.seeds_scale)))
            if cell_key(k, p, s, args.n_train) not in done]
    print(f"{len(todo)} cells to run ({len(done)} cached in {args.results})", flush=True)
    for i, (kind, param, seed) in enumerate(todo, 1):
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="peers-") as tmp:
            paths, sc = write_cell(kind, param, seed, args.n_train, settings, Path(tmp))
            tools = run_tools(paths, args.peers_python, seed, None, SIM_LINK_AUX,
                              SIM_INFERENCE)
        row = {"key": cell_key(kind, param, seed, args.n_train), "kind": kind, "param": param,
               "seed": seed, "n_train": args.n_train, "n_holdout": len(sc.holdout),
               "n_synthetic": len(sc.synthetic), "truth_delta": sc.truth_delta,
               "tools": tools, "load_average": round(os.getloadavg()[0], 2)}
        with open(args.results, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row) + "\n")
        errs = [t for t, r in tools.items() if "error" in r]
        print(f"[{i}/{len(todo)}] {row['key']}: synthscan {tools['synthscan'].get('verdict')}"
              f"{'; errors: ' + ', '.join(errs) if errs else ''} "
              f"({time.perf_counter() - t0:.0f} s)", flush=True)


def run_adult(args: argparse.Namespace) -> None:
    folder = Path(args.adult)
    paths = dict(zip(("train", "holdout", "synthetic"),
                     (folder / f for f in ADULT_FILES), strict=True))
    print("Adult timing run (every tool once)...", flush=True)
    load0 = os.getloadavg()[0]
    tools = run_tools(paths, args.peers_python, 0, "?", None, None,
                      sdmetrics_timeout=args.sdmetrics_timeout)
    row = {"key": "adult:timing", "tools": tools, "load_average_start": round(load0, 2),
           "load_average_end": round(os.getloadavg()[0], 2)}
    with open(args.results, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row) + "\n")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peers-python", default=os.environ.get("SYNTHSCAN_PEERS_PYTHON",
                                                             DEFAULT_PEERS_PYTHON),
                    help="Python of the virtualenv with anonymeter and sdmetrics")
    ap.add_argument("--results", type=Path, default=DEFAULT_RESULTS)
    ap.add_argument("--n-train", type=int, default=2000)
    ap.add_argument("--seeds-scale", type=float, default=1.0,
                    help="multiply every cell's seed count (e.g. 0.5 for a quicker run)")
    ap.add_argument("--adult", help="folder of the Adult triple: adds a timing run on it")
    ap.add_argument("--sdmetrics-timeout", type=float, default=900.0,
                    help="seconds allowed for SDMetrics on Adult (its distances are O(n^2) "
                         "in pandas)")
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--docs", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = ap.parse_args(argv)
    if not args.report_only:
        if not Path(args.peers_python).exists():
            sys.exit(f"error: {args.peers_python} not found: create the peers' virtualenv "
                     "(see benchmarks/peers/__init__.py) or pass --peers-python")
        run_grid(args)
        if args.adult:
            run_adult(args)
    from .report import write_report

    write_report(read_results(args.results), args.docs, args.n_train)
    print(f"wrote {args.docs}")


if __name__ == "__main__":
    main()
