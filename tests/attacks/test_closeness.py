"""Closeness (record-side distance to the nearest synthetic row): the scores and the threshold
against hand-worked values, the sub-test counts against an all-pairs brute-force oracle, the
approximate nearest-other search against the exact one, and the verdict on a planted near-copy
leak and on a clean release."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import synthscan
from synthscan.api import prepare, run_checks
from synthscan.attacks import searches
from synthscan.attacks.closeness import (
    MAX_QUANTILE,
    MIN_EXPECTED,
    QUANTILE,
    Closeness,
    holdout_threshold,
    quantile_for,
    relative_score,
)
from synthscan.attacks.searches import nearest_other_real, real_to_synthetic
from synthscan.datasets import plant_copies, simulate_population
from synthscan.neighbors.other import approximate_other, exact_other
from synthscan.risk.policy import Policy
from synthscan.risk.verdict import apply_policy


def closeness(train, synth, hold, seed: int = 0, **settings):
    ctx, _ = prepare(train, synth, hold, synthscan.ScanConfig(seed=seed, **settings))
    return ctx, run_checks(ctx, [Closeness()])[0]


def split(n_t: int, n_h: int, n_s: int, seed: int):
    pop = simulate_population(n_t + n_h + n_s, seed)
    return (pop.iloc[:n_t].reset_index(drop=True),
            pop.iloc[n_t:n_t + n_h].reset_index(drop=True),
            pop.iloc[n_t + n_h:].reset_index(drop=True))


# ------------------------------------------------------------------------------ hand-worked


def test_relative_score_hand_worked():
    d = np.array([0.0, 0.0, 1.0, 2.0, 3.0, 0.5])
    n = np.array([0.0, 2.0, 0.0, 4.0, 1.5, 0.25])
    s = relative_score(d, n)
    # 0/0 := 0 (a duplicated real record copied verbatim), x/0 := inf (a duplicate, not copied)
    assert s[0] == 0.0 and s[2] == math.inf
    assert s[1] == 0.0 and s[3] == 0.5 and s[4] == 2.0 and s[5] == 2.0
    assert s.dtype == np.float64


def test_holdout_threshold_is_the_ceil_q_n_th_order_statistic():
    scores = np.array([5.0, 1.0, 4.0, 2.0, 3.0])
    assert holdout_threshold(scores, 0.4) == 2.0  # ceil(2.0) = 2nd smallest
    assert holdout_threshold(scores, 0.41) == 3.0  # ceil(2.05) = 3rd
    assert holdout_threshold(scores, 0.01) == 1.0  # at least the smallest
    assert holdout_threshold(scores, 1.0) == 5.0
    # against an explicit rank count, at every size the scan's own q can take: the threshold
    # is the smallest value with at least ceil(q n) holdout scores at or below it — never one
    # more (q n is a whole number here in exact arithmetic, e.g. 10/147 * 147 = 10)
    rng = np.random.default_rng(0)
    for n in (100, 147, 281, 525, 700, 1000, 2000, 5000):
        q = quantile_for(n)
        want = math.ceil(round(q * n, 9))
        s = rng.permutation(np.arange(n, dtype=float))  # ranks 0..n-1, no ties
        assert holdout_threshold(s, q) == want - 1, n
        assert holdout_threshold(s, 0.07) == math.ceil(round(0.07 * n, 9)) - 1, n


def test_quantile_is_raised_to_expect_ten_holdout_records():
    assert quantile_for(5000) == QUANTILE == 0.01
    assert quantile_for(1000) == 0.01  # exactly 10 expected
    assert quantile_for(500) == pytest.approx(MIN_EXPECTED / 500)  # 2%
    assert quantile_for(200) == pytest.approx(0.05)
    assert quantile_for(50) == MAX_QUANTILE  # 20% would be needed: capped at 10%
    assert quantile_for(0) == MAX_QUANTILE
    for n in (150, 300, 999, 1001, 3000):
        assert quantile_for(n) * n >= MIN_EXPECTED - 1e-9 or quantile_for(n) == MAX_QUANTILE


# ------------------------------------------------------------------------ brute-force oracle


def test_sub_test_counts_match_an_all_pairs_oracle():
    train, hold, synth = split(300, 200, 300, seed=21)
    cols = [c for c in train.columns if c != "person_id"]
    # two exact duplicates inside the real data (N_r = 0 for both records of each pair): one
    # also copied verbatim into the synthetic data (0/0 := 0), one not (x/0 := inf)
    hold.loc[0, cols] = train.loc[5, cols].to_numpy()
    hold.loc[1, cols] = train.loc[7, cols].to_numpy()
    synth.loc[0, cols] = train.loc[7, cols].to_numpy()
    ctx, c = closeness(train, synth, hold)
    assert c.status == "info" and c.component and len(c.tests) == 2

    n_t, n_h = 300, 200
    real = np.vstack([ctx.encoded["train"], ctx.encoded["holdout"]]).astype(np.float64)
    syn = ctx.encoded["synthetic"].astype(np.float64)
    d_all = np.abs(real[:, None, :] - syn[None, :, :]).sum(axis=2)
    d = d_all.min(axis=1)
    rr = np.abs(real[:, None, :] - real[None, :, :]).sum(axis=2)
    np.fill_diagonal(rr, np.inf)
    other = rr.min(axis=1)
    # the planted duplicates: N = 0 on both sides; D = 0 for the copied one only
    for a, b in ((5, n_t + 0), (7, n_t + 1)):
        assert other[a] == other[b] == 0.0
    assert d[7] == 0.0 and d[5] > 0.0
    # the scan's searches equal the oracle exactly (L1 sums are exact on the encoder's grid)
    np.testing.assert_array_equal(real_to_synthetic(ctx)[0][:, 0].astype(np.float64), d)
    np.testing.assert_array_equal(nearest_other_real(ctx).astype(np.float64), other)

    rel = np.full(len(d), np.inf)
    rel[other > 0] = d[other > 0] / other[other > 0]
    rel[(other == 0) & (d == 0)] = 0.0
    assert rel[7] == rel[n_t + 1] == 0.0 and rel[5] == rel[n_t] == math.inf
    q = 10 / n_h  # 5%: the holdout expects 10 records under each threshold
    assert c.details["quantile"] == pytest.approx(q)
    flagged = np.zeros(n_t, dtype=bool)
    for test, score in zip(c.tests, (d, rel), strict=True):
        tau = np.sort(score[n_t:])[9]  # the 10th smallest: ceil(5% of 200)
        hit = score <= tau
        flagged |= hit[:n_t]
        assert (test.k_t, test.n_t, test.k_h, test.n_h) == (
            hit[:n_t].sum(), n_t, hit[n_t:].sum(), n_h), test.label
    assert c.tests[1].label.endswith("relative to the nearest other real record")
    # the exposure list: exactly the training records flagged by either score
    exposure = c.details["exposure"]
    assert set(exposure["train_rows"].tolist()) == set(np.flatnonzero(flagged).tolist())
    assert exposure["records"] == flagged.sum()
    assert c.counts["train_records_at_distance_0"] == int((d[:n_t] == 0).sum()) >= 1
    assert c.counts["holdout_records_at_distance_0"] == int((d[n_t:] == 0).sum()) >= 1


def _clustered(n: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    """Rows in 40 tight clusters of uneven size, on a dyadic grid (exact float32 L1 sums),
    with a few exact duplicates."""
    centres = rng.uniform(0, 8, (40, dim))
    sizes = rng.dirichlet(np.full(40, 0.7))
    which = rng.choice(40, n, p=sizes)
    x = centres[which] + rng.normal(0, 0.15, (n, dim)) * rng.uniform(0.2, 2, (n, 1))
    x = np.round(x * 64) / 64
    x[:20] = x[20:40]  # 20 pairs of duplicates
    return x.astype(np.float32)


@pytest.mark.parametrize("metric", ["l1", "l2"])
def test_approximate_nearest_other_never_below_exact_and_mostly_equal(metric):
    x = _clustered(3000, 8, np.random.default_rng(5))
    exact = exact_other(x, metric, 1).astype(np.float64)
    approx = approximate_other(x, metric, 1, seed=11).astype(np.float64)
    assert approx.shape == exact.shape == (3000,)
    assert np.all(np.isfinite(approx))
    # an approximate search can only miss the nearest record, never find a closer one
    assert np.all(approx >= exact)
    assert np.mean(approx == exact) >= 0.99
    assert np.all(approx[:40] == 0.0) and np.all(exact[:40] == 0.0)  # duplicates found


def test_approximate_nearest_other_is_the_same_on_any_thread_count():
    """result.json must be byte-identical on 1 and 2 threads, also above the size where the
    nearest-other search turns approximate."""
    x = _clustered(4000, 8, np.random.default_rng(6))
    one = approximate_other(x, "l1", 1, seed=3)
    two = approximate_other(x, "l1", 2, seed=3)
    assert np.array_equal(one, two)


# ----------------------------------------------------------------------- planted leak, clean


def test_planted_noisy_copies_fail_and_the_copied_people_are_exposed():
    train, hold, clean = split(4000, 2000, 4000, seed=3)
    # copy the train ids along (keep=()) so each near copy names its training row
    leaky, pos = plant_copies(clean, train, 0.05, seed=1, jitter=0.05, keep=())
    row_of = dict(zip(train["person_id"], range(len(train)), strict=True))
    copied = {row_of[p] for p in leaky["person_id"].iloc[pos]}
    assert len(copied) == 200
    _, c = closeness(train, leaky, hold)
    checks, verdict = apply_policy([c], Policy(), 0.05, ["closeness"])
    d = checks[0]
    assert d.status == "fail" and verdict.verdict == "high"
    assert d.decision.lower > 0.01
    assert d.lower <= 0.05 <= d.upper  # the reporting interval covers the 5% of people copied
    exposure = c.details["exposure"]
    listed = set(exposure["train_rows"].tolist())
    assert len(copied & listed) >= 0.9 * len(copied)
    # chance flags only around the two thresholds: 2 q n_T at most
    assert len(listed - copied) <= exposure["expected_by_chance"]


def test_the_approximate_search_above_its_size_is_certified_and_still_catches_copies(
        monkeypatch):
    train, hold, clean = split(3000, 1500, 3000, seed=3)
    leaky, _ = plant_copies(clean, train, 0.05, seed=1, jitter=0.05)
    ctx_e, exact = closeness(train, leaky, hold)
    assert exact.details["real_to_synthetic_search"] == {"search": "exact"}
    monkeypatch.setattr(searches, "APPROX_MIN_PAIRS", 0)  # every search is "large" now
    ctx_a, approx = closeness(train, leaky, hold)
    cert = approx.details["real_to_synthetic_search"]
    assert cert["search"].startswith("approximate") and cert["sample"] == 2000
    assert cert["close_recall"] >= cert["target"] or cert["nprobe"] == cert["nlist"]
    # an approximate distance is never below the exact one, and the closest answers are exact
    d_e, d_a = real_to_synthetic(ctx_e)[0], real_to_synthetic(ctx_a)[0]
    assert (d_a >= d_e - 1e-4 * (1 + d_e)).all()
    closest = np.argsort(d_a[:, 0], kind="stable")[:cert["refined"]]
    assert np.array_equal(d_a[closest], d_e[closest])
    checks, _ = apply_policy([approx], Policy(), 0.05, ["closeness"])
    assert checks[0].status == "fail"
    ctx, forced = closeness(train, leaky, hold, exact_search=True)
    assert forced.details["real_to_synthetic_search"] == {"search": "exact"}
    assert forced.tests == exact.tests


def test_clean_release_passes():
    train, hold, clean = split(4000, 2000, 4000, seed=3)
    _, c = closeness(train, clean, hold)
    checks, verdict = apply_policy([c], Policy(), 0.05, ["closeness"])
    d = checks[0]
    assert d.status == "pass" and verdict.verdict == "low"
    assert d.decision.upper < 0.01
    assert d.decision.lower < 0.01


def test_exposure_is_row_indices_only():
    train, hold, clean = split(600, 400, 600, seed=8)
    leaky, pos = plant_copies(clean, train, 0.05, seed=2, jitter=0.02)
    ctx, c = closeness(train, leaky, hold)
    out = c.to_dict()
    rows = out["details"]["exposure"]["train_rows"]
    assert rows and all(type(i) is int and 0 <= i < 600 for i in rows)
    assert np.issubdtype(c.details["exposure"]["train_rows"].dtype, np.integer)
    # no data value of any real record in the details: no ids, no category levels, no numbers
    # taken from the tables
    text = json.dumps(out["details"])
    for col in ("person_id", "region", "occupation", "education"):
        for v in pd.concat([train[col], hold[col]]).dropna().unique():
            assert f'"{v}"' not in text, (col, v)
    leaves: list[float] = []

    def walk(o):
        if isinstance(o, dict):
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
        elif isinstance(o, float):
            leaves.append(o)
    walk(out["details"])
    real_values = {v for v in pd.concat([train["income"], hold["income"], train["bmi"],
                                         hold["bmi"]]).dropna().tolist() if v != round(v)}
    assert not real_values & set(leaves)


def test_tiny_tables_and_a_missing_holdout_skip():
    train, hold, clean = split(15, 15, 15, seed=9)
    _, c = closeness(train, clean, hold)
    assert c.status == "skipped" and "at least 20 rows" in c.reason
    ctx, _ = prepare(train, clean, None, synthscan.ScanConfig())
    c = run_checks(ctx, [Closeness()])[0]
    assert c.status == "skipped" and "holdout" in c.reason and c.component
