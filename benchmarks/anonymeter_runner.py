"""Anonymeter's three GDPR evaluators on one train / holdout / synthetic triple, timed.

A standalone script for the side-by-side benchmark (``bench_gdpr.py``). It runs with the Python
of a separate virtualenv that has Anonymeter installed and never imports synthscan, so Anonymeter
stays out of synthscan's dependencies::

    /work/venvs/anonymeter/bin/python benchmarks/anonymeter_runner.py \\
        --train adult_train.csv --holdout adult_holdout.csv --synthetic adult_synthetic_ctgan.csv

It reproduces the setup of Anonymeter's example notebook on the Adult data:

* data read with a plain ``pandas.read_csv`` (the notebook does not declare a missing token, so
  ``"?"`` stays an ordinary category; ``--missing-token "?"`` reads it as missing instead);
* singling out: univariate with 500 attacks; multivariate with 100 attacks on 4 columns;
* linkability: 2,000 attacks, 10 neighbours, the notebook's two auxiliary column lists;
* inference: every column as the secret with all the others known, 1,000 attacks each (the
  notebook's count), the evaluator's default ``regression=False`` (exact match, also for numeric
  secrets); ``--inference-regression numeric`` gives numeric secrets Anonymeter's regression
  rule instead (correct when within 5% of the guess).

Each evaluation is timed with ``time.perf_counter``; peak memory is the kernel's high-water mark
(``benchmarks/peakrss.py``), reset before each evaluation through ``/proc/self/clear_refs`` where
Linux allows it (the JSON says which).
Randomness is seeded where Anonymeter allows it: the singling-out query generator (``seed``),
pandas sampling of targets (NumPy's global generator) and polars sampling in the singling-out
size correction (``polars.set_random_seed``). Not seedable: the order of the univariate
singling-out candidates (an unordered polars ``group_by``: the univariate risk differs between
runs with the same seed), the linkability baseline (its own unseeded generator) and the order of
polars ``unique()`` in the singling-out random baseline (these two move baseline rates only).

Diagnostics beyond Anonymeter's own output: the number of singling-out queries generated, the
control-size correction factor and the control count before it, the singling-out risk with the
size model fitted to the singling-out counts (``as_intended``), and the naive inference
attacker's success rate scored row by row (``naive_guess_rate_positional``).

Output: one JSON document on stdout (no record values: risks, intervals, counts, timings only).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root
from benchmarks.peakrss import Measurement, measure

SO_UNIVARIATE_ATTACKS = 500
SO_MULTIVARIATE_ATTACKS = 100
SO_MULTIVARIATE_COLUMNS = 4
LINK_ATTACKS = 2000
LINK_NEIGHBOURS = 10
#: the auxiliary column lists of Anonymeter's example notebook (Adult column names)
LINK_AUX_COLUMNS = (
    ["type_employer", "education", "hr_per_week", "capital_loss", "capital_gain"],
    ["race", "sex", "fnlwgt", "age", "country"],
)
INFERENCE_ATTACKS = 1000
CONFIDENCE = 0.95


# ----------------------------------------------------------------------------- measurement


@dataclass
class Stage(Measurement):
    """Wall time and peak RSS of one evaluation, plus the warnings it raised."""

    warnings: list[str] = field(default_factory=list)


@contextlib.contextmanager
def measured(log_buffer: io.StringIO) -> Iterator[Stage]:
    """Time a block, record its peak RSS and collect Anonymeter's warnings and log lines
    (rates and counts only; Anonymeter's messages carry no record values)."""
    stage = Stage()
    log_buffer.seek(0)
    log_buffer.truncate()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with measure(stage):
                yield stage
        finally:
            stage.warnings = [str(w.message) for w in caught]
            stage.warnings += [line for line in log_buffer.getvalue().splitlines() if line]


def seed_everything(seed: int) -> None:
    """Seed the generators Anonymeter draws from implicitly (pandas ``sample`` without a
    ``random_state`` uses NumPy's global generator; polars has its own)."""
    import polars as pl

    np.random.seed(seed)
    pl.set_random_seed(seed)


# ----------------------------------------------------------------------------- results


def _rate(rate: Any) -> dict[str, float] | None:
    if rate is None:
        return None
    return {"value": float(rate.value), "error": float(rate.error)}


def summarise(evaluator: Any, stage: Stage, extra: dict[str, Any] | None = None,
              **risk_kwargs: Any) -> dict[str, Any]:
    """Risk, interval, attack counts and rates of an evaluated Anonymeter evaluator."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = evaluator.results(confidence_level=CONFIDENCE, **risk_kwargs)
        risk = res.risk()
    stage.warnings += [str(w.message) for w in caught if str(w.message) not in stage.warnings]
    out: dict[str, Any] = {
        "risk": float(risk.value),
        "ci": [float(risk.ci[0]), float(risk.ci[1])],
        "confidence_level": CONFIDENCE,
        "n_attacks": {"main": int(res.n_attacks_ori), "baseline": int(res.n_attacks_baseline),
                      "control": int(res.n_attacks_control)},
        "n_success": int(res.n_success),
        "n_baseline": int(res.n_baseline),
        "n_control": None if res.n_control is None else float(res.n_control),
        "attack_rate": _rate(res.attack_rate),
        "baseline_rate": _rate(res.baseline_rate),
        "control_rate": _rate(res.control_rate),
        "baseline_beats_attack": bool(res.baseline_rate.value >= res.attack_rate.value),
    }
    out.update(extra or {})
    out.update(_stage_dict(stage))
    return out


def _stage_dict(stage: Stage) -> dict[str, Any]:
    return {"seconds": round(stage.seconds, 3), "peak_rss_mib": round(stage.peak_rss_mib, 1),
            "peak_rss_is_per_stage": stage.per_stage_peak, "warnings": stage.warnings}


def guarded(name: str, run: Callable[[], dict[str, Any]], stage_of: list[Stage]
            ) -> dict[str, Any]:
    """Run one evaluation; an exception becomes an ``error`` entry instead of ending the run."""
    try:
        return run()
    except Exception as exc:
        out: dict[str, Any] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        if stage_of:
            out.update(_stage_dict(stage_of[-1]))
        print(f"anonymeter_runner: {name} failed: {out['error']}", file=sys.stderr)
        return out


# ----------------------------------------------------------------------------- evaluations


def run_singling_out(ori: pd.DataFrame, syn: pd.DataFrame, control: pd.DataFrame, mode: str,
                     seed: int, log: io.StringIO) -> dict[str, Any]:
    from anonymeter.evaluators import SinglingOutEvaluator

    n_attacks = SO_UNIVARIATE_ATTACKS if mode == "univariate" else SO_MULTIVARIATE_ATTACKS
    kwargs: dict[str, Any] = {"n_attacks": n_attacks, "seed": seed}
    if mode == "multivariate":
        kwargs["n_cols"] = SO_MULTIVARIATE_COLUMNS
    stages: list[Stage] = []

    def run() -> dict[str, Any]:
        seed_everything(seed)
        with measured(log) as stage, _spy_singling_out() as seen:
            stages.append(stage)
            ev = SinglingOutEvaluator(ori=ori, syn=syn, control=control, **kwargs)
            ev.evaluate(mode=mode)
        extra: dict[str, Any] = {
            "mode": mode,
            "n_cols": kwargs.get("n_cols", 1),
            # Anonymeter divides by n_attacks even when fewer queries were generated
            "queries_generated": seen.get("generated"),
            "queries_singling_out_in_train": len(ev.queries()),
            "rows_after_dedup": {"train": len(ev._ori), "holdout": len(ev._control),
                                 "synthetic": len(ev._syn)},
        }
        model = seen.get("correction_model")
        if model is not None:
            factor = float(model(len(ev._ori)) / model(len(ev._control)))
            raw = round(ev._n_control / factor) if factor else None
            extra["control_size_correction_factor"] = factor
            extra["n_control_uncorrected"] = raw
            if raw is not None:
                extra["as_intended"] = intended_correction(ev, seen["queries"], raw, seed)
        return summarise(ev, stage, extra)

    return guarded(f"singling out ({mode})", run, stages)


def intended_correction(ev: Any, queries: list[Any], n_control_raw: int, seed: int
                        ) -> dict[str, Any]:
    """The singling-out risk with the control-size correction Anonymeter intends.

    Anonymeter 1.1.0 fits its size model to ``len(_evaluate_queries(...))``, which is the
    number of queries evaluated, not the number that single out (the function returns one
    count per query since the polars rewrite; it used to return the successful queries). The
    fit then sees a constant and the correction collapses to about n_control / n_train. This
    repeats the measurement counting queries that match exactly one record (same sizes and
    repeats, Anonymeter's own model and fit) and recomputes the risk with Anonymeter's formula.
    """
    import anonymeter.evaluators.singling_out_evaluator as soe
    from anonymeter.stats.confidence import EvaluationResults

    control = ev._control
    n = len(control)
    sizes, successes = [], []
    for i, n_rows in enumerate(np.linspace(min(1000, n), n, 10).astype(int)):
        for r in range(5):
            sub = control.sample(int(n_rows), with_replacement=False, seed=seed * 1000 + 5 * i + r)
            counts = soe._evaluate_queries(df=sub, queries=queries)
            sizes.append(int(n_rows))
            successes.append(sum(1 for c in counts if c == 1))
    pairs = np.array([sizes, successes])
    by_size = {str(k): float(pairs[1, pairs[0] == k].mean()) for k in sorted(set(sizes))}
    try:
        model = soe._fit_model(sizes=np.array(sizes), successes=np.array(successes))
        factor = float(model(len(ev._ori)) / model(n))
    except (RuntimeError, ValueError, ZeroDivisionError) as exc:
        # older Anonymeter raised this to the user (its notebook says to re-run the cell)
        return {"error": f"size-model fit failed: {type(exc).__name__}: {exc}"[:200],
                "mean_singling_out_queries_by_control_size": by_size}
    n_control = n_control_raw * factor
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EvaluationResults(n_attacks=ev._n_attacks, n_success=ev._n_success,
                                n_baseline=ev._n_baseline, n_control=n_control,
                                confidence_level=CONFIDENCE)
        risk = res.risk()
    return {"risk": float(risk.value), "ci": [float(risk.ci[0]), float(risk.ci[1])],
            "control_size_correction_factor": factor, "n_control": n_control,
            "mean_singling_out_queries_by_control_size": by_size}


@contextlib.contextmanager
def _spy_singling_out() -> Iterator[dict[str, Any]]:
    """Record, without changing anything, how many queries Anonymeter's singling-out attack
    generated and the size-correction model it fitted on the control set (neither is kept on
    the evaluator)."""
    import anonymeter.evaluators.singling_out_evaluator as soe

    seen: dict[str, Any] = {}
    generate, fit = soe._generate_singling_out_queries, soe.fit_correction_term

    def generate_spy(*args: Any, **kwargs: Any) -> Any:
        queries = generate(*args, **kwargs)
        seen["generated"] = len(queries)
        seen["queries"] = queries
        return queries

    def fit_spy(*args: Any, **kwargs: Any) -> Any:
        seen["correction_model"] = fit(*args, **kwargs)
        return seen["correction_model"]

    soe._generate_singling_out_queries, soe.fit_correction_term = generate_spy, fit_spy
    try:
        yield seen
    finally:
        soe._generate_singling_out_queries, soe.fit_correction_term = generate, fit


def run_linkability(ori: pd.DataFrame, syn: pd.DataFrame, control: pd.DataFrame, seed: int,
                    n_jobs: int, log: io.StringIO) -> dict[str, Any]:
    from anonymeter.evaluators import LinkabilityEvaluator

    aux = tuple(list(side) for side in LINK_AUX_COLUMNS)
    missing = sorted({c for side in aux for c in side} - set(ori.columns))
    if missing:
        return {"error": f"auxiliary columns not in the data: {', '.join(missing)}"}
    stages: list[Stage] = []

    def run() -> dict[str, Any]:
        seed_everything(seed)
        with measured(log) as stage:
            stages.append(stage)
            ev = LinkabilityEvaluator(ori=ori, syn=syn, control=control, n_attacks=LINK_ATTACKS,
                                      aux_cols=aux, n_neighbors=LINK_NEIGHBOURS)
            ev.evaluate(n_jobs=n_jobs)
        by_k = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the baseline sanity warning, per k
            for k in (1, 5, LINK_NEIGHBOURS):
                r = ev.risk(confidence_level=CONFIDENCE, n_neighbors=k)
                by_k[str(k)] = {"risk": float(r.value), "ci": [float(r.ci[0]), float(r.ci[1])]}
        return summarise(ev, stage, {"n_neighbors": LINK_NEIGHBOURS, "aux_cols": list(aux),
                                     "risk_by_n_neighbors": by_k})

    return guarded("linkability", run, stages)


def run_inference(ori: pd.DataFrame, syn: pd.DataFrame, control: pd.DataFrame, seed: int,
                  n_jobs: int, regression_rule: str, log: io.StringIO,
                  secrets: list[str] | None = None) -> dict[str, Any]:
    from anonymeter.evaluators import InferenceEvaluator

    per_column: dict[str, Any] = {}
    total = 0.0
    for secret in secrets or list(ori.columns):
        aux = [c for c in ori.columns if c != secret]
        numeric = bool(pd.api.types.is_numeric_dtype(ori[secret]))
        regression = numeric if regression_rule == "numeric" else False
        stages: list[Stage] = []

        def run(secret: str = secret, aux: list[str] = aux, regression: bool = regression,
                numeric: bool = numeric, stages: list[Stage] = stages) -> dict[str, Any]:
            seed_everything(seed)
            with measured(log) as stage:
                stages.append(stage)
                ev = InferenceEvaluator(ori=ori, syn=syn, control=control, aux_cols=aux,
                                        secret=secret, regression=regression,
                                        n_attacks=INFERENCE_ATTACKS)
                ev.evaluate(n_jobs=n_jobs)
            return summarise(ev, stage, {
                "numeric_secret": numeric,
                "success_rule": "within 5% of the guess" if regression else "exact match",
                "naive_guess_rate_positional": naive_guess_rate(ori, syn, secret, regression,
                                                                seed),
            })

        per_column[secret] = guarded(f"inference ({secret})", run, stages)
        total += per_column[secret].get("seconds", 0.0)
    ok = {c: r for c, r in per_column.items() if "risk" in r}
    worst = max(ok, key=lambda c: ok[c]["risk"]) if ok else None
    return {
        "n_attacks": INFERENCE_ATTACKS,
        "regression_rule": regression_rule,
        "columns": per_column,
        "worst_column": worst,
        "worst_risk": ok[worst]["risk"] if worst else None,
        "worst_ci": ok[worst]["ci"] if worst else None,
        "seconds": round(total, 3),
        "peak_rss_mib": max((r.get("peak_rss_mib", 0.0) for r in per_column.values()),
                            default=0.0),
    }


def naive_guess_rate(ori: pd.DataFrame, syn: pd.DataFrame, secret: str, regression: bool,
                     seed: int) -> float:
    """Success rate of Anonymeter's naive attacker (a random synthetic row's secret as the
    guess for a random target), scored row by row with Anonymeter's own success rule.

    A cross-check of the baseline: in Anonymeter 1.1.0 the naive guesses keep the synthetic
    rows' index and are then re-indexed onto the targets' index, so most guesses become
    missing and the reported baseline rate collapses towards 0.
    """
    from anonymeter.evaluators.inference_evaluator import evaluate_inference_guesses

    rng = np.random.default_rng(seed)
    n = min(INFERENCE_ATTACKS, len(ori), len(syn))
    targets = ori[secret].iloc[rng.choice(len(ori), n, replace=False)].reset_index(drop=True)
    guesses = syn[secret].iloc[rng.choice(len(syn), n, replace=False)].reset_index(drop=True)
    ok = evaluate_inference_guesses(guesses=guesses, secrets=targets, regression=regression)
    return float(np.mean(ok))


def jit_warmup(n_jobs: int) -> float:
    """Compile Anonymeter's numba neighbour search once on a toy frame, so the first timed
    evaluation does not carry the compilation; returns the seconds it took."""
    # import the evaluators first: importing the neighbours module on its own fails in
    # Anonymeter 1.1.0 (circular import through anonymeter.evaluators)
    import anonymeter.evaluators  # noqa: F401
    from anonymeter.neighbors.mixed_types_kneighbors import MixedTypeKNeighbors

    toy = pd.DataFrame({"x": [0.0, 1.0, 2.0], "c": ["a", "b", "a"]})
    t0 = time.perf_counter()
    MixedTypeKNeighbors(n_neighbors=1, n_jobs=n_jobs).fit(toy).kneighbors(toy)
    return time.perf_counter() - t0


# ----------------------------------------------------------------------------- main


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("anonymeter", "pandas", "numpy", "polars", "numba", "scikit-learn", "scipy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "missing"
    return out


def load(path: Path, missing_token: str | None) -> pd.DataFrame:
    """``pandas.read_csv`` as in Anonymeter's example; optionally one extra missing token."""
    if missing_token is None:
        return pd.read_csv(path)
    return pd.read_csv(path, na_values=[missing_token])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run Anonymeter's singling-out, linkability and inference evaluators "
                    "(its example-notebook setup) and print one JSON document.")
    parser.add_argument("--train", type=Path, required=True, help="the generator's training data")
    parser.add_argument("--holdout", type=Path, required=True,
                        help="real records never shown to the generator (Anonymeter's control)")
    parser.add_argument("--synthetic", type=Path, required=True, help="the synthetic data")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=-1,
                        help="joblib workers for the neighbour search (default -1: all cores; "
                             "the notebook uses -2, all but one)")
    parser.add_argument("--missing-token", default=None,
                        help="read this cell value as missing (default: none, as the notebook "
                             "does; '?' then stays a category)")
    parser.add_argument("--inference-regression", choices=("example", "numeric"),
                        default="example",
                        help="example: exact match for every secret (the evaluator's default); "
                             "numeric: numeric secrets count within 5%% of the guess")
    parser.add_argument("--only", default="singling_out,linkability,inference",
                        help="comma-separated subset of: singling_out, linkability, inference")
    parser.add_argument("--inference-columns", default="",
                        help="comma-separated secrets (default: every column)")
    parser.add_argument("--link-aux", default="",
                        help="the attacker's two column lists for linkability, e.g. "
                             "'a,b,c;d,e,f' (default: the notebook's Adult lists)")
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = only - {"singling_out", "linkability", "inference"}
    if unknown:
        parser.error(f"--only: unknown {', '.join(sorted(unknown))}")

    # Anonymeter reports shortfalls (too few singling-out queries) through logging: keep them
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    handler.setLevel(logging.WARNING)
    logging.getLogger("anonymeter").addHandler(handler)

    t0 = time.perf_counter()
    ori = load(args.train, args.missing_token)
    control = load(args.holdout, args.missing_token)
    syn = load(args.synthetic, args.missing_token)
    load_seconds = time.perf_counter() - t0
    if not (list(ori.columns) == list(control.columns) == list(syn.columns)):
        parser.error("train, holdout and synthetic must have the same columns in the same order")
    global LINK_AUX_COLUMNS, LINK_ATTACKS, INFERENCE_ATTACKS
    if args.link_aux:
        sides = [[c.strip() for c in side.split(",") if c.strip()]
                 for side in args.link_aux.split(";")]
        if len(sides) != 2 or not all(sides):
            parser.error("--link-aux: two non-empty comma-separated lists joined by ';'")
        LINK_AUX_COLUMNS = (sides[0], sides[1])
    # Anonymeter draws its targets from train and its control targets from the holdout: on
    # small tables the notebook's counts are capped at the smaller of the two
    cap = min(len(ori), len(control))
    LINK_ATTACKS = min(LINK_ATTACKS, cap)
    INFERENCE_ATTACKS = min(INFERENCE_ATTACKS, cap)

    load_avg = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    doc: dict[str, Any] = {
        "tool": "anonymeter",
        "versions": _versions(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_start": [round(x, 2) for x in load_avg]},
        "setup": {
            "seed": args.seed, "n_jobs": args.n_jobs, "confidence_level": CONFIDENCE,
            "missing_token": args.missing_token,
            "missing_handling": ("read as missing" if args.missing_token is not None
                                 else "none declared: '?' is an ordinary category (as the "
                                      "example notebook)"),
            "singling_out": {"univariate_attacks": SO_UNIVARIATE_ATTACKS,
                             "multivariate_attacks": SO_MULTIVARIATE_ATTACKS,
                             "multivariate_columns": SO_MULTIVARIATE_COLUMNS},
            "linkability": {"attacks": LINK_ATTACKS, "n_neighbors": LINK_NEIGHBOURS,
                            "aux_cols": [list(s) for s in LINK_AUX_COLUMNS]},
            "inference": {"attacks": INFERENCE_ATTACKS, "known": "all other columns",
                          "regression_rule": args.inference_regression},
            "unseeded": ["univariate singling-out candidate order (polars group_by): moves "
                         "the univariate risk",
                         "linkability baseline (Anonymeter's own default_rng())",
                         "polars unique() order in the singling-out random baseline"],
        },
        "data": {
            "rows": {"train": len(ori), "holdout": len(control), "synthetic": len(syn)},
            "columns": len(ori.columns),
            "missing_cells": {"train": int(ori.isna().sum().sum()),
                              "holdout": int(control.isna().sum().sum()),
                              "synthetic": int(syn.isna().sum().sum())},
            "numeric_columns": [c for c in ori.columns
                                if pd.api.types.is_numeric_dtype(ori[c])],
        },
        "load_seconds": round(load_seconds, 3),
    }
    doc["jit_warmup_seconds"] = round(jit_warmup(args.n_jobs), 3)
    results: dict[str, Any] = {}
    if "singling_out" in only:
        results["singling_out_univariate"] = run_singling_out(ori, syn, control, "univariate",
                                                              args.seed, log)
        results["singling_out_multivariate"] = run_singling_out(ori, syn, control,
                                                                "multivariate", args.seed, log)
    if "linkability" in only:
        results["linkability"] = run_linkability(ori, syn, control, args.seed, args.n_jobs, log)
    if "inference" in only:
        cols = [c.strip() for c in args.inference_columns.split(",") if c.strip()]
        bad = [c for c in cols if c not in ori.columns]
        if bad:
            parser.error(f"--inference-columns: not in the data: {', '.join(bad)}")
        results["inference"] = run_inference(ori, syn, control, args.seed, args.n_jobs,
                                             args.inference_regression, log, cols or None)
    doc["results"] = results
    doc["total_seconds"] = round(time.perf_counter() - t0, 3)
    doc["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()] \
        if hasattr(os, "getloadavg") else None
    json.dump(doc, sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
