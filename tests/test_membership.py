"""Membership inference on generated data with known truth: the ROC maths against hand-worked
values, the cross-fitted design, silence on clean releases, detection of copies, of noisy copies
and of copied outliers, and a privacy-loss bound that respects a true ε-DP release."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import synthscan
from synthscan.api import prepare, run_checks
from synthscan.attacks.membership import MembershipInference, design, isolation
from synthscan.datasets import plant_copies, simulate_population
from synthscan.risk.policy import Policy
from synthscan.risk.verdict import apply_policy
from synthscan.stats import clopper_pearson
from synthscan.stats.roc import (
    auc,
    bootstrap_auc,
    count_at,
    max_advantage,
    roc_loglog,
    threshold_at_fpr,
)

#: a light table for the many-seed tests: few columns keep the 20 scans fast
LIGHT = ["age", "sex", "region", "income", "bmi", "smoker"]


def mia(train, synth, hold, seed: int = 0, **cfg) -> synthscan.attacks.CheckResult:
    ctx, _ = prepare(train, synth, hold, synthscan.ScanConfig(seed=seed, bootstrap=200, **cfg))
    return run_checks(ctx, [MembershipInference()])[0]


def triple(n: int, seed: int, cols: list[str] | None = None, n_syn: int | None = None):
    pop = simulate_population(2 * n + (n_syn or n), seed)
    if cols:
        pop = pop[cols]
    return pop.iloc[:n], pop.iloc[n:2 * n].reset_index(drop=True), \
        pop.iloc[2 * n:].reset_index(drop=True)


# ---------------------------------------------------------------------------------- ROC maths


def test_threshold_at_fpr_never_exceeds_the_target_and_steps_over_ties():
    neg = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], dtype=float)
    assert threshold_at_fpr(neg, 0.2) == 8.0  # two of ten at or above 8
    assert count_at(neg, threshold_at_fpr(neg, 0.2)) == 2
    assert threshold_at_fpr(neg, 0.05) == math.inf  # floor(0.5) = 0 may be called
    tied = np.array([0, 1, 2, 3, 4, 5, 6, 9, 9, 9], dtype=float)
    # 20% allows two; the top three tie at 9, so nobody at 9 may be called a member
    assert threshold_at_fpr(tied, 0.2) == math.inf
    tied2 = np.array([0, 1, 2, 3, 4, 5, 5, 5, 9, 10], dtype=float)
    assert threshold_at_fpr(tied2, 0.3) == 9.0  # 5 ties across the cut: step up to 9
    assert count_at(tied2, 9.0) == 2


def test_auc_with_ties_matches_the_pairwise_definition():
    pos = np.array([3, 2, 2, 5], dtype=float)
    neg = np.array([1, 2, 4], dtype=float)
    pairs = [(p > n) + 0.5 * (p == n) for p in pos for n in neg]
    assert auc(pos, neg) == pytest.approx(sum(pairs) / len(pairs))
    # integer bootstrap weights = replicating records
    wp, wn = np.array([[2, 0, 1, 1]], float), np.array([[1, 3, 0]], float)
    rep_pos, rep_neg = np.repeat(pos, [2, 0, 1, 1]), np.repeat(neg, [1, 3, 0])
    assert bootstrap_auc(pos, neg, (wp, wn))[0] == pytest.approx(auc(rep_pos, rep_neg))


def test_max_advantage_hand_worked():
    pos = np.array([5, 6, 7, 1], dtype=float)
    neg = np.array([0, 2, 3, 6], dtype=float)
    # threshold 5: TPR 3/4, FPR 1/4 -> 0.5; no threshold does better
    assert max_advantage(pos, neg) == pytest.approx(0.5)
    assert max_advantage(neg, pos + 100) == 0.0


def test_roc_curve_is_monotone_and_on_the_diagonal_for_identical_scores():
    rng = np.random.default_rng(0)
    s = rng.normal(size=4000)
    curve = roc_loglog(s[:2000], s[2000:])
    assert curve["x"] == sorted(curve["x"])
    assert np.all(np.diff(curve["tpr"]) >= 0)
    x, y = np.array(curve["x"]), np.array(curve["tpr"])
    ok = x >= 0.05  # where sampling noise is small
    assert np.all(np.abs(y[ok] - x[ok]) < 0.05)


# ------------------------------------------------------------------------------------ design


def test_cross_fitted_design_keeps_targets_out_of_their_reference():
    t = design(1000, 503, 5, 10_000, np.random.default_rng(1))
    member_rows = t.row[t.member]
    assert len(member_rows) == len(set(member_rows)) == 503  # disjoint across folds
    assert (~t.member).sum() == 503
    for k, ref in enumerate(t.reference):
        non = t.row[(t.fold == k) & ~t.member]
        assert not set(non) & set(ref)  # a fold's non-members are never its reference
        assert len(ref) + len(non) == 503
        assert ((t.fold == k) & t.member).sum() == len(non)  # equal sizes per fold
    for cls in (True, False):
        halves = t.half[t.member == cls]
        assert abs(int(halves.sum()) - len(halves) / 2) <= 1


# ------------------------------------------------------------------------------- known truth


def test_clean_release_twenty_seeds_calibrated():
    """Fresh population draws leak nothing: the TPR at 1% FPR must look like chance."""
    covers, confident = 0, 0
    for seed in range(20):
        train, hold, synth = triple(2000, 100 + seed, LIGHT)
        r = mia(train, synth, hold, seed=seed, mia_folds=2)
        best = r.details["attacks"][r.details["best_attack"]]
        op = next(o for o in best["operating_points"] if o["fpr_target"] == 0.01)
        assert op["estimable"]
        lo, hi = op["tpr_interval"]
        covers += lo <= 0.01 <= hi
        confident += r.details["adjusted_interval"][0] > Policy().threshold(r.id)
    assert covers >= 18  # >= 90% of runs
    assert confident <= 1  # never confidently above the threshold in more than 5%


def test_twenty_percent_copies_are_detected_and_the_verdict_is_high():
    train, hold, synth = triple(2000, 7)
    leaky, _ = plant_copies(synth, train, 0.2, seed=1)
    result = synthscan.scan(train, leaky, holdout=hold,
                            config=synthscan.ScanConfig(seed=0, bootstrap=200, permutations=199))
    r = next(c for c in result.checks if c.id == "membership_inference")
    best = r.details["attacks"][r.details["best_attack"]]
    op = next(o for o in best["operating_points"] if o["fpr_target"] == 0.01)
    assert op["tpr"] >= 0.15
    assert r.status == "fail"
    assert result.verdict == "high"
    # AUC alone hides it: far from 1 although a fifth of the release is copied
    assert best["auc"] < 0.75
    # the privacy-loss bound is finite and positive, with counts behind it
    assert op["epsilon_lower_bound"] > 1.0
    assert op["tp"] + op["fp"] > 0


def test_noisy_copies_are_detected():
    train, hold, synth = triple(2000, 8)
    leaky, _ = plant_copies(synth, train, 0.2, seed=2, jitter=0.05)
    r = mia(train, leaky, hold)
    apply_policy([r], Policy())
    assert r.status == "fail", r.summary


def test_exposed_records_are_the_copied_ones_and_listed_by_index_only():
    train, hold, synth = triple(2000, 9)
    rng = np.random.default_rng(3)
    src = rng.choice(len(train), 300, replace=False)
    leaky = synth.copy()
    leaky.iloc[:300] = train.iloc[src].to_numpy()
    r = mia(train, leaky, hold)
    exp = r.details["exposure"]
    listed = set(exp["train_rows"])
    assert exp["records"] == len(listed) >= 200  # most copied members are exposed
    assert len(listed - set(src)) <= 5  # and almost nobody else (chance: ~2 expected)
    assert all(isinstance(i, (int, np.integer)) for i in exp["train_rows"])


def test_copies_of_outliers_only_are_flagged_by_the_vulnerable_decile():
    n = 4000
    train, hold, synth = triple(n, 11, LIGHT)
    ctx, _ = prepare(train, synth, hold, synthscan.ScanConfig(seed=0))
    iso = isolation(ctx, ctx.encoded["train"])
    outliers = np.argsort(-iso)[: n // 100]  # the 1% most isolated training records
    leaky = synth.copy()
    leaky.iloc[: len(outliers)] = train.iloc[outliers].to_numpy()
    flagged = 0
    for seed in range(3):
        r = mia(train, leaky, hold, seed=seed)
        parts = r.details["risk_parts"]
        assert parts["all"]["tpr"] < 0.05  # overall, the leak is small
        flagged += parts["most_isolated_decile"]["interval"][0] > 0
        assert parts["most_isolated_decile"]["estimate"] > parts["all"]["estimate"]
    assert flagged >= 2


def dp_histogram_release(data: pd.DataFrame, n: int, epsilon: float,
                         rng: np.random.Generator) -> pd.DataFrame:
    """An ε-DP synthetic release of categorical data: the full contingency table's counts
    plus Laplace(2/ε) noise (sensitivity 2 under replacing one record, hence also ε-DP under
    adding or removing one), clipped at zero, normalised and sampled."""
    data = data.astype(object).where(data.notna(), "(missing)").astype(str)
    cols = list(data.columns)
    cells = data.value_counts().reindex(pd.MultiIndex.from_product(
        [sorted(data[c].unique()) for c in cols], names=cols), fill_value=0)
    noisy = np.clip(cells.to_numpy(float) + rng.laplace(0.0, 2.0 / epsilon, len(cells)), 0, None)
    if noisy.sum() == 0:
        noisy[:] = 1.0
    picks = rng.choice(len(cells), n, p=noisy / noisy.sum())
    return pd.DataFrame([cells.index[i] for i in picks], columns=cols)


@pytest.mark.parametrize("epsilon", [0.5, 2.0])
def test_epsilon_lower_bound_never_exceeds_the_true_epsilon(epsilon):
    cols = ["sex", "region", "smoker", "education"]
    for seed in range(3):
        train, hold, _ = triple(600, 200 + seed, cols)
        synth = dp_histogram_release(train, 600, epsilon, np.random.default_rng(seed))
        r = mia(train, synth, hold, seed=seed, mia_folds=2)
        for attack in r.details["attacks"].values():
            for op in attack["operating_points"]:
                if op["estimable"]:
                    assert op["epsilon_lower_bound"] <= epsilon


def test_operating_point_counts_and_intervals_are_consistent():
    train, hold, synth = triple(2000, 12, LIGHT)
    r = mia(train, synth, hold, mia_folds=2)
    for attack in r.details["attacks"].values():
        ops = {o["fpr_target"]: o for o in attack["operating_points"]}
        assert not ops[0.001]["estimable"] and "not estimable with n = 1000" in ops[0.001]["note"]
        for f in (0.1, 0.01):
            o = ops[f]
            assert o["tpr"] == o["tp"] / o["n_members"]
            assert o["tpr_interval"] == pytest.approx(
                list(clopper_pearson(o["tp"], o["n_members"], 0.05)))
            eps = math.log(o["tpr_interval"][0] / o["fpr_interval"][1]) \
                if o["tpr_interval"][0] > 0 else 0.0
            assert o["epsilon_lower_bound"] == pytest.approx(max(0.0, eps))
    assert r.lower <= r.estimate <= r.upper


def test_small_holdout_is_skipped_with_the_minimum_stated():
    train, hold, synth = triple(150, 13, LIGHT)
    r = mia(train, synth, hold)
    assert r.status == "skipped"
    assert "200" in r.reason


def test_small_holdout_uses_the_ten_percent_point_and_says_so():
    train, hold, synth = triple(600, 14, LIGHT)
    r = mia(train, synth, hold)
    assert r.details["operating_fpr"] == 0.1
    assert "10% point" in r.summary


def test_same_seed_same_result():
    train, hold, synth = triple(800, 15, LIGHT)
    a = mia(train, synth, hold, seed=4).to_dict()
    b = mia(train, synth, hold, seed=4).to_dict()
    assert a == b
