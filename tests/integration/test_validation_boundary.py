"""The boundary runs of benchmarks/validation (false `low` at a component's threshold) build the
release they claim: the pool of unique training records, the planted copies, and the copy
component's counts on that release."""

from __future__ import annotations

import importlib.util

import pandas as pd
import pytest

if importlib.util.find_spec("benchmarks") is None:  # an installed package without the checkout
    pytest.skip("benchmarks/ is not importable (run from the checkout)", allow_module_level=True)

from benchmarks.validation.boundary import run_one
from benchmarks.validation.scenarios import draw

N_TRAIN = 2000


def _unique_training_rows(seed: int) -> int:
    """Brute force: training rows with no equal row anywhere in train ∪ holdout."""
    d = draw("simulated", N_TRAIN, seed, 0.5, 1.0)
    pooled = pd.concat([d.train, d.holdout], ignore_index=True).astype(str)
    return int((~pooled.duplicated(keep=False)).iloc[:N_TRAIN].sum())


@pytest.mark.parametrize("seed", [0, 1])
def test_verbatim_boundary_plants_copies_of_unique_training_records(seed):
    r = run_one("verbatim", "simulated", N_TRAIN, seed, None)
    assert r["pool"] == _unique_training_rows(seed)
    assert r["p"] == r["theta"]
    # every planted copy of a unique training record is reproduced verbatim
    (test,) = r["tests"]
    assert test["n_t"] == r["pool"]
    assert test["k_t"] >= r["copied"]
    assert r["status"] in ("pass", "warn", "fail")


def test_closeness_boundary_flags_every_planted_exact_copy():
    r = run_one("closeness", "simulated", N_TRAIN, 0, None)
    assert r["pool"] == N_TRAIN and r["copied"] > 0
    # an exact copy sits at distance 0: flagged by both closeness tests
    assert all(t["k_t"] >= r["copied"] for t in r["tests"])
    assert r["p"] > r["theta"]  # p = θ / (1 - q): chance flags are accounted for
