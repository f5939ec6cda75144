"""GDPR-criteria benchmark: synthscan's singling-out, linkability and attribute-inference checks
side by side with Anonymeter on the same train / holdout / synthetic triple.

synthscan runs in this process (``synthscan.api.prepare`` + ``run_checks`` with whichever of
the three check classes exist), twice: with the default settings and with
``ScanConfig(mode="anonymeter")``, the setup meant to be comparable with Anonymeter. Anonymeter
runs in a subprocess with the Python of its own virtualenv (``anonymeter_runner.py``; Anonymeter
is never a dependency of synthscan), with the setup of its example notebook on Adult. Both sides
are timed per criterion, and the figures Anonymeter published for the same triple are printed
next to them.

Usage::

    python benchmarks/bench_gdpr.py --adult /work/shared/data/adult \\
        [--anonymeter-python /work/venvs/anonymeter/bin/python] [--seed 0]

Options: ``--threads N`` (synthscan search threads and Anonymeter joblib workers; default all
cores), ``--modes default,anonymeter`` (synthscan settings to run), ``--anonymeter-json FILE``
(reuse a saved runner output instead of running Anonymeter), ``--save-anonymeter-json FILE``,
``--no-anonymeter``.

Timings on a shared 2-core machine are noisy: the load average is printed at the start and end.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import synthscan
from synthscan.api import prepare, run_checks
from synthscan.config import ScanConfig
from synthscan.model import CheckResult

from .peakrss import Measurement, measure

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_ADULT = REPO.parent / "shared" / "data" / "adult"
DEFAULT_ANONYMETER_PYTHON = Path("/work/venvs/anonymeter/bin/python")
RUNNER = HERE / "anonymeter_runner.py"
ADULT_FILES = {
    "train": "adult_train.csv",
    "holdout": "adult_holdout.csv",
    "synthetic": "adult_synthetic_ctgan.csv",
}
ADULT_MISSING = ["?"]

#: (module, class) of synthscan's GDPR checks; any may be missing while they are being written
SYNTHSCAN_CHECKS = (
    ("synthscan.attacks.singling_out", "SinglingOut"),
    ("synthscan.attacks.linkability", "Linkability"),
    ("synthscan.attacks.inference", "AttributeInference"),
)
CRITERIA = ("singling_out", "linkability", "inference")
CRITERION_OF_ID = {"singling_out": "singling_out", "linkability": "linkability",
                   "attribute_inference": "inference", "inference": "inference"}

#: Anonymeter's published figures on this triple (its example notebook, 2025 version), as listed
#: in ../shared/data/adult/README.md
PUBLISHED = {
    "singling_out_univariate": "0.0137 [0, 0.034], 500 attacks",
    "singling_out_multivariate": "0.0288 [0, 0.138], 100 attacks, 4 columns",
    "linkability": "0.0 [0, 0.0019], 2000 attacks, 10 neighbours",
    "inference": "0 to ~0.08 per column (sex ~0.083, hr_per_week ~0.065)",
}


# ----------------------------------------------------------------------------- measurement


def _load() -> str:
    if not hasattr(os, "getloadavg"):
        return "n/a"
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _cpu_model() -> str:
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8",
                                            errors="replace") as fh:
        for line in fh:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


# ----------------------------------------------------------------------------- synthscan side


def import_checks() -> tuple[list[type], dict[str, str]]:
    """The GDPR check classes importable now, and why each missing one is missing."""
    found: list[type] = []
    missing: dict[str, str] = {}
    for module, name in SYNTHSCAN_CHECKS:
        where = f"{module}.{name}"
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            missing[where] = ("module not found" if exc.name == module
                              else f"import failed: {exc}")
            continue
        except Exception as exc:
            missing[where] = f"import failed: {type(exc).__name__}: {exc}"
            continue
        cls = getattr(mod, name, None)
        if cls is None:
            missing[where] = "module has no such class"
        else:
            found.append(cls)
    return found, missing


@dataclass
class SynthscanRun:
    label: str
    config: ScanConfig
    prepare: Measurement = field(default_factory=Measurement)
    checks: dict[str, Measurement] = field(default_factory=dict)
    results: dict[str, list[CheckResult]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def run_synthscan(label: str, config: ScanConfig, files: dict[str, Path],
                  classes: list[type]) -> SynthscanRun:
    """Prepare the context once, then run and time each GDPR check on its own."""
    run = SynthscanRun(label, config)
    with measure() as t:
        ctx, _ = prepare(files["train"], files["synthetic"], files["holdout"], config)
    run.prepare = t
    for cls in classes:
        check = cls()
        cid = getattr(check, "id", cls.__name__)
        with measure() as t:
            try:
                run.results[cid] = run_checks(ctx, [check])
            except Exception as exc:
                run.errors[cid] = f"{type(exc).__name__}: {exc}"[:300]
        run.checks[cid] = t
    return run


def _criterion(r: CheckResult) -> str:
    return CRITERION_OF_ID.get(r.criterion, CRITERION_OF_ID.get(r.id, r.criterion))


def _fmt_ci(est: float | None, lo: float | None, hi: float | None) -> str:
    if est is None:
        return "n/a"
    if lo is None or hi is None:
        return f"{est:.4f}"
    return f"{est:.4f} [{lo:.4f}, {hi:.4f}]"


# ----------------------------------------------------------------------------- Anonymeter side


def run_anonymeter(python: Path, files: dict[str, Path], seed: int, threads: int | None
                   ) -> tuple[dict[str, Any] | None, str]:
    """Run the runner in Anonymeter's virtualenv; (its JSON document or None, a note)."""
    if not python.is_file():
        return None, f"{python}: no such interpreter (create the venv; see benchmarks/README.md)"
    cmd = [str(python), str(RUNNER), "--train", str(files["train"]), "--holdout",
           str(files["holdout"]), "--synthetic", str(files["synthetic"]), "--seed", str(seed),
           "--n-jobs", str(threads or -1)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        return None, f"runner failed (exit {proc.returncode}):\n{tail}"
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return None, "runner printed no JSON document"
    doc["subprocess_wall_seconds"] = round(wall, 3)
    return doc, "ran " + " ".join(cmd)


def _am(entry: dict[str, Any] | None) -> tuple[str, float | None]:
    """Risk [CI] text and seconds of one Anonymeter evaluation entry."""
    if not entry:
        return "not run", None
    if "error" in entry:
        return "error: " + entry["error"][:40], entry.get("seconds")
    if "columns" in entry:  # inference: the worst column
        if entry.get("worst_risk") is None:
            return "no result", entry.get("seconds")
        lo, hi = entry["worst_ci"]
        return (f"{_fmt_ci(entry['worst_risk'], lo, hi)} ({entry['worst_column']})",
                entry.get("seconds"))
    return _fmt_ci(entry["risk"], *entry["ci"]), entry.get("seconds")


# ----------------------------------------------------------------------------- report


def _secs(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f} s"


def print_table(run: SynthscanRun | None, am: dict[str, Any] | None) -> None:
    """One row per criterion: synthscan's component figure and check time, Anonymeter's
    evaluations (singling out twice) and time, the time ratio, the published figures."""
    results = am.get("results", {}) if am else {}
    head = (f"  {'criterion':<22} {'synthscan risk [95% CI]':<34} {'time':>8}   "
            f"{'Anonymeter risk [95% CI]':<40} {'time':>8} {'ratio':>6}   published (Anonymeter)")
    print(head)
    print("  " + "-" * (len(head) + 20))
    am_rows = {
        "singling_out": [("univariate", "singling_out_univariate"),
                         ("multivariate", "singling_out_multivariate")],
        "linkability": [("", "linkability")],
        "inference": [("worst column", "inference")],
    }
    for crit in CRITERIA:
        ours: list[tuple[str, str, float | None]] = []
        ours_time = None
        if run is not None:
            for cid, res in run.results.items():
                mine = [r for r in res if _criterion(r) == crit]
                if mine:
                    ours_time = (ours_time or 0.0) + run.checks[cid].seconds
                for r in mine:
                    tag = r.status if r.status not in ("info", "") else ""
                    ours.append((r.id, _fmt_ci(r.estimate, r.lower, r.upper)
                                 + (f" {tag}" if tag else ""), None))
            for cid, err in run.errors.items():
                if CRITERION_OF_ID.get(cid) == crit:
                    ours.append((cid, "error: " + err[:24], None))
                    ours_time = run.checks[cid].seconds
        am_time = sum(_am(results.get(key))[1] or 0.0 for _, key in am_rows[crit]) or None
        ratio = (f"{am_time / ours_time:.1f}x" if am_time and ours_time else "-")
        n = max(len(ours), len(am_rows[crit]))
        for i in range(n):
            label = crit if i == 0 else ""
            o_txt = ours[i][1] if i < len(ours) else ("not available" if i == 0 else "")
            o_t = _secs(ours_time) if i == 0 and ours else ""
            if i < len(am_rows[crit]):
                sub, key = am_rows[crit][i]
                a_txt, _ = _am(results.get(key)) if am else ("not run", None)
                a_txt = f"{sub + ': ' if sub else ''}{a_txt}"
                pub = PUBLISHED[key]
            else:
                a_txt, pub = "", ""
            a_t = _secs(am_time) if i == 0 and am else ""
            r_txt = ratio if i == 0 else ""
            print(f"  {label:<22} {o_txt:<34} {o_t:>8}   {a_txt:<40} {a_t:>8} {r_txt:>6}   {pub}")
    if run is not None:
        print(f"  (synthscan shared load + encode: {run.prepare.seconds:.1f} s, not in the check "
              "times; ratio = Anonymeter time / synthscan check time)")


def print_synthscan_details(run: SynthscanRun) -> None:
    print(f"  synthscan checks ({run.label}): prepare {run.prepare.seconds:.2f} s, peak RSS "
          f"{run.prepare.peak_rss_mib:,.0f} MiB")
    for cid, t in run.checks.items():
        print(f"  - {cid}: {t.seconds:.2f} s, peak RSS {t.peak_rss_mib:,.0f} MiB")
        if cid in run.errors:
            print(f"      error: {run.errors[cid]}")
        for r in run.results.get(cid, []):
            d = r.decision
            adj_txt = (f"; sub-tests {len(r.tests)}" if r.tests else "") if d is None else (
                f"; decision bounds: confirmed {d.lower:.4f} ({d.lower_level:.2%}), certified "
                f"{d.upper:.4f} ({d.upper_level:.0%})")
            print(f"      {r.id} ({r.criterion}): {_fmt_ci(r.estimate, r.lower, r.upper)}"
                  f"{adj_txt}; status {r.status}")
            if r.summary:
                print(f"        {r.summary}")
            if r.reason:
                print(f"        reason: {r.reason}")
            if r.counts:
                print(f"        counts: {json.dumps(r.counts, default=str)[:300]}")


def print_inference_columns(run: SynthscanRun, am: dict[str, Any] | None) -> None:
    """Per secret: synthscan's pairs (from its details table) next to Anonymeter's column."""
    res = [r for rs in run.results.values() for r in rs if _criterion(r) == "inference"]
    table = res[0].details.get("table") if res and isinstance(res[0].details, dict) else None
    if not table:
        return
    am_cols = ((am or {}).get("results", {}).get("inference") or {}).get("columns", {})
    print(f"  inference per secret ({run.label}; synthscan: absolute excess A_T - A_H per pair "
          "with its interval at alpha; Anonymeter's are its own 95% intervals of its "
          "normalised risk):")
    print(f"      {'secret':<15} {'attacker':<18} {'synthscan excess [CI]':<27} "
          f"{'acc T / H':>13}   {'Anonymeter risk [CI]':<27} {'acc T / H':>13}")
    for row in sorted(table, key=lambda r: (str(r.get("secret")), str(r.get("attacker")))):
        col = row.get("secret")
        lo, hi = (row.get("interval") or [None, None])[:2]
        ours = _fmt_ci(row.get("excess"), lo, hi)
        acc = f"{row.get('accuracy_train', float('nan')):.3f}/" \
              f"{row.get('accuracy_holdout', float('nan')):.3f}"
        e = am_cols.get(col) or {}
        if "risk" in e:
            theirs = _fmt_ci(e["risk"], *e["ci"])
            t_acc = (f"{e['n_success'] / e['n_attacks']['main']:.3f}/"
                     f"{e['n_control'] / e['n_attacks']['control']:.3f}")
        else:
            theirs, t_acc = "-", ""
        print(f"      {str(col):<15} {str(row.get('attacker')):<18} {ours:<27} {acc:>13}   "
              f"{theirs:<27} {t_acc:>13}")


def _print_size_correction(e: dict[str, Any]) -> None:
    """Anonymeter's control-size correction of a singling-out result, as run and as intended."""
    print(f"      control: {e['n_control_uncorrected']} queries single out a holdout "
          f"record, x size-correction factor {e['control_size_correction_factor']:.4f} "
          f"= {e['n_control']:.2f} (the factor is ~ n_holdout / n_train: Anonymeter "
          "1.1.0 fits its size model to the number of queries evaluated, not to the "
          "number that single out)")
    ai = e.get("as_intended") or {}
    if "risk" in ai:
        print(f"      with the size model fitted to the singling-out counts (as "
              f"intended): {_fmt_ci(ai['risk'], *ai['ci'])}, factor "
              f"{ai['control_size_correction_factor']:.3f}")
    elif ai:
        print(f"      with the size model fitted to the singling-out counts: "
              f"{ai.get('error', 'n/a')}")


def print_anonymeter_details(am: dict[str, Any]) -> None:
    v = am.get("versions", {})
    print(f"  Anonymeter {v.get('anonymeter')} (Python {v.get('python')}, pandas "
          f"{v.get('pandas')}, numpy {v.get('numpy')}, polars {v.get('polars')}, numba "
          f"{v.get('numba')}); seed {am['setup']['seed']}, n_jobs {am['setup']['n_jobs']}; "
          f"missing values: {am['setup']['missing_handling']}")
    print(f"  load {am['load_seconds']:.2f} s, numba compile (untimed below) "
          f"{am['jit_warmup_seconds']:.1f} s, whole runner {am['total_seconds']:.1f} s; load "
          f"average {am['machine']['load_average_start']} -> "
          f"{am['machine'].get('load_average_end')}")
    res = am.get("results", {})
    for key in ("singling_out_univariate", "singling_out_multivariate", "linkability"):
        e = res.get(key)
        if not e:
            continue
        if "error" in e:
            print(f"  - {key}: error {e['error']}")
            continue
        extra = ""
        if "risk_by_n_neighbors" in e:
            by_k = e["risk_by_n_neighbors"].items()
            extra = "; by neighbours " + ", ".join(
                f"k={k}: {_fmt_ci(d['risk'], *d['ci'])}" for k, d in by_k)
        print(f"  - {key}: {_fmt_ci(e['risk'], *e['ci'])}; successes main {e['n_success']}/"
              f"{e['n_attacks']['main']}, control {e['n_control']:.1f}/"
              f"{e['n_attacks']['control']}, baseline {e['n_baseline']}/"
              f"{e['n_attacks']['baseline']}; {e['seconds']:.1f} s, peak RSS "
              f"{e['peak_rss_mib']:,.0f} MiB{extra}")
        if e.get("queries_generated") is not None:
            print(f"      queries generated {e['queries_generated']} of {e['n_attacks']['main']}"
                  f" requested")
        if e.get("control_size_correction_factor") is not None:
            _print_size_correction(e)
        for w in e.get("warnings", []):
            print(f"      warning: {w[:160]}")
    inf = res.get("inference")
    if inf and "columns" in inf:
        print(f"  - inference ({inf['n_attacks']} attacks per secret, all other columns known, "
              f"success rule: {inf['regression_rule']}): {inf['seconds']:.1f} s in all")
        print(f"      {'secret':<15} {'risk [95% CI]':<28} {'main':>9} {'control':>9} "
              f"{'baseline':>9} {'naive*':>7} {'time':>7}")
        for col, e in inf["columns"].items():
            if "error" in e:
                print(f"      {col:<15} error {e['error'][:60]}")
                continue
            print(f"      {col:<15} {_fmt_ci(e['risk'], *e['ci']):<28} "
                  f"{e['n_success']:>4}/{e['n_attacks']['main']:<4} "
                  f"{e['n_control']:>4.0f}/{e['n_attacks']['control']:<4} "
                  f"{e['n_baseline']:>4}/{e['n_attacks']['baseline']:<4} "
                  f"{e.get('naive_guess_rate_positional', float('nan')):>7.3f} "
                  f"{e['seconds']:>6.1f}s")
        print("      naive* = the naive attacker's success rate scored row by row (what the "
              "baseline column should show; Anonymeter 1.1.0's baseline re-indexes the guesses "
              "onto the targets and loses most of them)")


# ----------------------------------------------------------------------------- main


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/bench_gdpr.py",
        description="synthscan's GDPR checks side by side with Anonymeter (timed).")
    parser.add_argument("--adult", type=Path, default=DEFAULT_ADULT,
                        help=f"directory with the Adult triple (default: {DEFAULT_ADULT})")
    parser.add_argument("--anonymeter-python", type=Path, default=DEFAULT_ANONYMETER_PYTHON,
                        help="Python of the virtualenv with Anonymeter installed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=_positive, default=None,
                        help="synthscan search threads and Anonymeter workers (default: all)")
    parser.add_argument("--modes", default="default,anonymeter",
                        help="synthscan settings to run: default, anonymeter (comma-separated)")
    parser.add_argument("--anonymeter-json", type=Path, default=None,
                        help="reuse this saved runner output instead of running Anonymeter")
    parser.add_argument("--save-anonymeter-json", type=Path, default=None,
                        help="write the runner's JSON document here")
    parser.add_argument("--no-anonymeter", action="store_true", help="skip the Anonymeter side")
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes or any(m not in ("default", "anonymeter") for m in modes):
        parser.error("--modes: use default, anonymeter or default,anonymeter")
    files = {role: args.adult / name for role, name in ADULT_FILES.items()}
    absent = [str(p) for p in files.values() if not p.is_file()]
    if absent:
        parser.error(f"--adult {args.adult}: missing {', '.join(absent)}")

    started = time.perf_counter()
    print(f"synthscan {synthscan.__version__} GDPR benchmark vs Anonymeter — Python "
          f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    print(f"machine: {os.cpu_count()} CPUs ({_cpu_model()}), threads "
          f"{args.threads or os.cpu_count()}, load average {_load()} at start (shared machine: "
          "timings are noisy)")
    print(f"data: {args.adult} (missing token \"?\" for synthscan), seed {args.seed}")

    classes, missing = import_checks()
    print(f"synthscan GDPR checks found: {', '.join(c.__name__ for c in classes) or 'none'}")
    for where, why in missing.items():
        print(f"  missing: {where} ({why})")

    runs: list[SynthscanRun] = []
    if classes:
        for mode in modes:
            cfg = ScanConfig(seed=args.seed, missing_tokens=list(ADULT_MISSING),
                             threads=args.threads, mode=mode)
            label = "default settings" if mode == "default" else 'mode="anonymeter"'
            print(f"\nrunning synthscan ({label}) ...", flush=True)
            runs.append(run_synthscan(label, cfg, files, classes))
            print(f"  done, load average {_load()}", flush=True)

    am: dict[str, Any] | None = None
    if args.anonymeter_json is not None:
        am = json.loads(args.anonymeter_json.read_text(encoding="utf-8"))
        print(f"\nAnonymeter: reusing {args.anonymeter_json}")
    elif not args.no_anonymeter:
        print(f"\nrunning Anonymeter ({args.anonymeter_python}) ...", flush=True)
        am, note = run_anonymeter(args.anonymeter_python, files, args.seed, args.threads)
        print(f"  {note}", flush=True)
    if am is not None and args.save_anonymeter_json is not None:
        args.save_anonymeter_json.write_text(json.dumps(am, indent=2) + "\n", encoding="utf-8")

    listed: list[SynthscanRun | None] = list(runs) or [None]
    for run in listed:
        title = f"synthscan {run.label}" if run else "synthscan: no GDPR checks available"
        print(f"\n== {title} vs Anonymeter ==")
        print_table(run, am)
    for run in runs:
        print()
        print_synthscan_details(run)
        print_inference_columns(run, am)
    if am is not None:
        print()
        print_anonymeter_details(am)
    print("\nCaveats: Anonymeter corrects the holdout's singling-out count for its smaller size "
          "with a fitted parametric model; synthscan compares train and holdout at equal size. "
          "Anonymeter's numeric-secret tolerance (when regression is on) is relative to the "
          "guess; synthscan's is scale-aware. Anonymeter's univariate singling-out candidates, "
          "linkability baseline and singling-out random baseline are not seedable.")
    print(f"\nbenchmark wall time {time.perf_counter() - started:,.0f} s; load average "
          f"{_load()} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
