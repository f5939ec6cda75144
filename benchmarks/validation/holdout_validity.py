"""Calibration and power of the holdout-validity precondition (``attacks/holdout_validity.py``).

    python -m benchmarks.validation.holdout_validity --seeds 100
    python -m benchmarks.validation.holdout_validity --population adult \
        --adult /work/shared/data/adult --seeds 100

For each seed, train and holdout are drawn, the scan's inputs prepared as a scan prepares them,
and the precondition run on them (only it: it reads train and holdout, never the synthetic
rows, so a small fresh draw stands in for the release). Scenarios:

* ``random`` — train and holdout one random split of one population (simulated: a fresh
  population draw; Adult: a random split of the 48,790 real rows): the precondition must pass
  in at least 95% of seeds (its nominal false-fail rate is ``level`` = 1%);
* ``older`` — the holdout drawn from people aged 45 or more only, train from everyone;
* ``working_age`` — the holdout from people aged 25 to 64 only (a milder shift);
* ``copied`` — the holdout made of training rows.

Populations: ``simulated`` (``synthscan.datasets``), ``coarse`` (its few-level columns only, ages
in decades: most records have exact duplicates, the hard case for the shared-records test),
``adult`` (random splits of the 48,790 Adult rows).

Prints the pass rate of each scenario with its two-sided 95% Clopper–Pearson interval.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from synthscan.api import prepare
from synthscan.attacks.holdout_validity import HoldoutValidity
from synthscan.config import ScanConfig
from synthscan.datasets import simulate_population
from synthscan.stats.intervals import clopper_pearson

SCENARIOS = ("random", "older", "working_age", "copied")
_AGE = {"older": (45, 200), "working_age": (25, 64)}


def _draw(pool: pd.DataFrame, scenario: str, n_train: int, n_holdout: int,
          rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train and holdout from ``pool`` (disjoint rows) under ``scenario``."""
    order = rng.permutation(len(pool))
    train = pool.iloc[order[:n_train]]
    rest = pool.iloc[order[n_train:]]
    if scenario == "random":
        holdout = rest.iloc[:n_holdout]
    elif scenario == "copied":
        holdout = train.iloc[:n_holdout]
    else:
        lo, hi = _AGE[scenario]
        holdout = rest[(rest["age"] >= lo) & (rest["age"] <= hi)].iloc[:n_holdout]
    return train.reset_index(drop=True), holdout.reset_index(drop=True)


#: the coarse population's columns: few levels each, so that many records are exact duplicates
#: and the shared-records test meets chance matches on both sides of a random split
COARSE = ["person_id", "age", "sex", "region", "education", "marital_status", "smoker",
          "n_children"]


def _pool(population: str, adult: str | None, size: int, seed: int) -> pd.DataFrame:
    if population == "adult":
        if adult is None:
            raise SystemExit("--adult DIR is needed for --population adult")
        d = Path(adult)
        return pd.concat([pd.read_csv(d / "adult_train.csv"), pd.read_csv(d / "adult_holdout.csv")],
                         ignore_index=True)
    pop = simulate_population(size, seed)
    if population == "coarse":
        pop = pop[COARSE].assign(age=(pop["age"] // 10) * 10)
    return pop


def run_one(population: str, scenario: str, seed: int, n_train: int, n_holdout: int,
            adult: str | None, adult_pool: pd.DataFrame | None = None) -> bool:
    """Does the precondition pass on one draw?"""
    rng = np.random.default_rng(10_007 * seed + SCENARIOS.index(scenario))
    pool = (adult_pool if adult_pool is not None
            else _pool(population, adult, 3 * (n_train + n_holdout), seed))
    train, holdout = _draw(pool, scenario, n_train, n_holdout, rng)
    synthetic = pool.sample(200, random_state=seed).reset_index(drop=True)
    tokens = ["?"] if population == "adult" else []
    ctx, _ = prepare(train, synthetic, holdout,
                     ScanConfig(seed=seed, threads=1, missing_tokens=tokens))
    return HoldoutValidity().run(ctx).status == "pass"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.validation.holdout_validity",
                                 description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--population", choices=("simulated", "coarse", "adult"),
                    default="simulated")
    ap.add_argument("--adult", default=None, help="folder with adult_train.csv, "
                    "adult_holdout.csv")
    ap.add_argument("--seeds", type=int, default=100, help="seeds of the random scenario")
    ap.add_argument("--shift-seeds", type=int, default=20, help="seeds of the other scenarios")
    ap.add_argument("--n-train", type=int, default=4000)
    ap.add_argument("--n-holdout", type=int, default=2000)
    args = ap.parse_args(argv)
    pool = _pool("adult", args.adult, 0, 0) if args.population == "adult" else None
    print(f"population {args.population}, n_train {args.n_train}, n_holdout {args.n_holdout}")
    for scenario in SCENARIOS:
        seeds = args.seeds if scenario == "random" else args.shift_seeds
        t0 = time.perf_counter()
        passed = sum(run_one(args.population, scenario, s, args.n_train, args.n_holdout,
                             args.adult, pool) for s in range(seeds))
        lo, hi = clopper_pearson(passed, seeds, 0.05)
        print(f"{scenario:<12} passed {passed:>3} of {seeds:<3} = {passed / seeds:6.1%}  "
              f"(95% CP {lo:.1%}–{hi:.1%})  [{time.perf_counter() - t0:.0f} s]", flush=True)


if __name__ == "__main__":
    main()
