"""Membership inference on generated data with known truth: the ROC maths against hand-worked
values, the cross-fitted design (every training record a member target), a clean release
certified below 5%, detection of copies, of noisy copies and of copied outliers, and a
privacy-loss bound that respects a true ε-DP release."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import synthscan
from synthscan import fitworker
from synthscan.api import prepare, run_checks
from synthscan.attacks.membership import MembershipInference, design
from synthscan.attacks.membership_scores import isolation
from synthscan.datasets import plant_copies, simulate_population
from synthscan.model import CheckResult
from synthscan.neighbors.engine import NeighborEngine
from synthscan.risk.policy import Policy
from synthscan.risk.verdict import apply_policy
from synthscan.stats import clopper_pearson
from synthscan.stats.bounds import excess_lower
from synthscan.stats.roc import (
    auc,
    bootstrap_auc,
    count_at,
    max_advantage,
    roc_loglog,
    threshold_at_fpr,
)

#: a light table: few columns keep the scans fast
LIGHT = ["age", "sex", "region", "income", "bmi", "smoker"]
PLANNED = ["membership_inference"]


def mia(train, synth, hold, seed: int = 0, check: MembershipInference | None = None,
        **cfg) -> CheckResult:
    cfg.setdefault("mia_folds", 2)
    ctx, _ = prepare(train, synth, hold, synthscan.ScanConfig(seed=seed, bootstrap=100, **cfg))
    return run_checks(ctx, [check or MembershipInference()])[0]


def decided(r):
    """The check decided as in a scan that plans membership inference alone, with its
    sentence."""
    checks, verdict = apply_policy([r], Policy(), 0.05, PLANNED)
    return checks[0].replace(summary=MembershipInference().summarize(checks[0])), verdict


def triple(n: int, seed: int, cols: list[str] | None = LIGHT, n_h: int | None = None,
           n_syn: int | None = None):
    n_h, n_syn = n_h or n, n_syn or n
    pop = simulate_population(n + n_h + n_syn, seed)
    if cols:
        pop = pop[cols]
    return (pop.iloc[:n].reset_index(drop=True), pop.iloc[n:n + n_h].reset_index(drop=True),
            pop.iloc[n + n_h:].reset_index(drop=True))


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


def test_every_training_record_is_a_member_target():
    t = design(1000, 503, 5, 10_000, np.random.default_rng(1))
    members = t.row[t.member]
    assert len(members) == len(set(members)) == 1000  # every training record, once
    assert set(members) == set(range(1000))
    assert set(t.table[t.member]) == {"train"} and set(t.table[~t.member]) == {"holdout"}
    non = t.row[~t.member]
    assert len(non) == len(set(non)) == 503 and set(non) == set(range(503))
    for k, ref in enumerate(t.reference):
        non_k = t.row[(t.fold == k) & ~t.member]
        assert not set(non_k) & set(ref)  # a fold's non-members are never its reference
        assert set(non_k) | set(ref) == set(range(503))  # the reference: the rest of the holdout
        assert ((t.fold == k) & t.member).sum() == 200  # members split evenly over the folds
    for cls in (True, False):
        halves = t.half[t.member == cls]
        assert abs(int(halves.sum()) - len(halves) / 2) <= 1
    # beyond max_targets: a sample of distinct training records
    t = design(1000, 503, 5, 600, np.random.default_rng(2))
    members = t.row[t.member]
    assert len(members) == len(set(members)) == 600 and members.max() < 1000


# ------------------------------------------------------------------------------- known truth


def test_clean_release_is_certified_below_five_percent():
    """One fixed-seed guard (the calibration over many seeds is in benchmarks/validation)."""
    train, hold, synth = triple(3000, 101)
    r, verdict = decided(mia(train, synth, hold))
    assert r.status == "pass" and verdict.verdict == "low"
    assert r.decision.upper < 0.05
    assert r.decision.lower < 0.05
    assert [t.n_t for t in r.tests][0] == 1500  # the evaluation half of every training record
    assert r.counts["members_tested"] == 3000 and r.counts["nonmembers_tested"] == 3000


def test_copies_are_detected_the_verdict_is_high_and_the_copied_are_exposed():
    train, hold, synth = triple(1500, 9, n_h=1000, n_syn=1500)
    src = np.random.default_rng(3).choice(len(train), 300, replace=False)  # 20% of the release
    leaky = synth.copy()
    leaky.iloc[:300] = train.iloc[src].to_numpy()
    config = synthscan.ScanConfig(seed=0, bootstrap=100, mia_folds=2,
                                  checks=["membership_inference"])
    result = synthscan.scan(train, leaky, holdout=hold, config=config)
    r = result.check("membership_inference")
    assert r.status == "fail" and result.verdict == "high"
    assert r.decision is not None and r.decision.lower > 0.05
    # every training record is a member target, every holdout record a non-member
    assert r.counts["members_tested"] == 1500 and r.counts["nonmembers_tested"] == 1000
    best = r.details["attacks"][r.details["best_attack"]]
    op = next(o for o in best["operating_points"] if o["fpr_target"] == 0.1)
    assert op["tpr"] >= 0.15
    # AUC alone hides it: far from 1 although a fifth of the release is copied
    assert best["auc"] < 0.75
    assert op["epsilon_lower_bound"] > 0 and op["tp"] + op["fp"] > 0
    # the exposure list: the copied people, by row index only
    exp = r.details["exposure"]
    listed = set(exp["train_rows"].tolist())
    assert exp["records"] == len(listed) >= 200  # most of the 300 copied members
    assert len(listed - set(src.tolist())) <= 5  # almost nobody else (about 1.5 by chance)
    assert all(type(i) is int for i in r.to_dict()["details"]["exposure"]["train_rows"])


def test_noisy_copies_are_detected():
    train, hold, synth = triple(1500, 8)
    leaky, _ = plant_copies(synth, train, 0.2, seed=2, jitter=0.05)
    r, verdict = decided(mia(train, leaky, hold))
    assert r.status == "fail" and verdict.verdict == "high", r.summary


def test_copies_of_outliers_only_are_flagged_by_the_most_isolated_decile():
    n = 4000
    train, hold, synth = triple(n, 11)
    ctx, _ = prepare(train, synth, hold, synthscan.ScanConfig(seed=0))
    iso = isolation(ctx, ctx.encoded["train"])
    outliers = np.argsort(-iso)[: n // 100]  # the 1% most isolated training records
    leaky = synth.copy()
    leaky.iloc[: len(outliers)] = train.iloc[outliers].to_numpy()
    r = mia(train, leaky, hold)
    parts = r.details["risk_parts"]
    assert parts["all"]["tpr"] < 0.05  # overall, the leak is small
    assert parts["most_isolated_decile"]["excess"] > parts["all"]["excess"]
    all_test, decile = r.tests
    assert decile.label.startswith("most isolated tenth")
    assert decile.n_t < 0.15 * all_test.n_t  # about a tenth of the members
    # confirmed at the level the verdict uses for a component with two sub-tests (K = 1)
    assert excess_lower(decile, 0.05 / 2) > 0
    assert excess_lower(all_test, 0.05 / 2) < excess_lower(decile, 0.05 / 2)


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
    for seed in range(2):
        train, hold, _ = triple(600, 200 + seed, cols)
        synth = dp_histogram_release(train, 600, epsilon, np.random.default_rng(seed))
        r = mia(train, synth, hold, seed=seed)
        estimable = 0
        for attack in r.details["attacks"].values():
            for op in attack["operating_points"]:
                if op["estimable"]:
                    estimable += 1
                    assert op["epsilon_lower_bound"] <= epsilon
        assert estimable >= 5  # the 10% point of every attack at least


def test_operating_point_counts_and_intervals_are_consistent():
    train, hold, synth = triple(2000, 12)
    r, _ = decided(mia(train, synth, hold))
    for attack in r.details["attacks"].values():
        ops = {o["fpr_target"]: o for o in attack["operating_points"]}
        assert not ops[0.001]["estimable"] and "not estimable with n = 1000" in ops[0.001]["note"]
        for f in (0.1, 0.01):
            o = ops[f]
            assert o["n_members"] == 1000 and o["n_nonmembers"] == 1000
            assert o["tpr"] == o["tp"] / o["n_members"]
            assert o["fpr"] == o["fp"] / o["n_nonmembers"]
            assert o["tpr_interval"] == pytest.approx(
                list(clopper_pearson(o["tp"], o["n_members"], 0.05)))
            eps = math.log(o["tpr_interval"][0] / o["fpr_interval"][1]) \
                if o["tpr_interval"][0] > 0 else 0.0
            assert o["epsilon_lower_bound"] == pytest.approx(max(0.0, eps))
    # the "all records" sub-test is the best attack at the 1% point on the evaluation half
    all_test = r.tests[0]
    part = r.details["risk_parts"]["all"]
    assert part["attack"] == r.details["best_attack"] and part["fpr_target"] == 0.01
    assert (all_test.k_t, all_test.n_t, all_test.k_h, all_test.n_h) == (
        part["tp"], part["members"], part["fp"], part["nonmembers"])
    op = next(o for o in r.details["attacks"][part["attack"]]["operating_points"]
              if o["fpr_target"] == 0.01)
    assert (op["tp"], op["fp"]) == (part["tp"], part["fp"])
    assert r.lower <= r.estimate <= r.upper
    assert r.estimate == max(t.estimate for t in r.tests)


def test_small_holdout_is_skipped_with_the_minimum_stated():
    train, hold, synth = triple(150, 13)
    r = mia(train, synth, hold)
    assert r.status == "skipped"
    assert "200" in r.reason
    _, verdict = decided(r)
    assert verdict.verdict == "inconclusive" and verdict.risk.missing[0].component == PLANNED[0]


def test_small_holdout_uses_the_ten_percent_point_and_says_so():
    train, hold, synth = triple(600, 14)
    r, _ = decided(mia(train, synth, hold))
    assert r.details["operating_fpr"] == 0.1
    assert "10% point" in r.summary and "at least 2,000 rows" in r.summary
    assert r.tests[0].label.endswith("at 10% false positives")


def test_same_seed_same_result():
    train, hold, synth = triple(500, 15)
    a = mia(train, synth, hold, seed=4).to_dict()
    b = mia(train, synth, hold, seed=4).to_dict()
    assert a == b
    c = mia(train, synth, hold, seed=5).to_dict()
    assert c != a


# ------------------------------------------------------------------------------- coding and knobs


def test_classifier_features_rank_levels_by_pooled_frequency_then_level():
    from synthscan.attacks.membership_scores import classifier_features

    train = pd.DataFrame({"n": [1.0, np.nan, 3.0], "s": ["b", "c", None]})
    hold = pd.DataFrame({"n": [4.0, 5.0, 6.0], "s": ["c", "a", "a"]})
    synth = pd.DataFrame({"n": [7.0, 8.0, 9.0], "s": ["b", "d", "c"]})
    ctx, _ = prepare(train, synth, hold, synthscan.ScanConfig(columns={"s": "categorical"}))
    tables = ("train", "holdout", "synthetic")
    feats, is_cat = classifier_features(ctx.frames, ctx.coded, ctx.schema.distance_columns,
                                        tables)
    names = [c.name for c in ctx.schema.distance_columns]
    j_n, j_s = names.index("n"), names.index("s")
    # pooled: c x3 -> 0; a, b x2 (a tie: by level) -> 1, 2; d x1 -> 3; missing -> NaN
    np.testing.assert_array_equal(feats["train"][:, j_s], [2, 0, np.nan])
    np.testing.assert_array_equal(feats["holdout"][:, j_s], [0, 1, 1])
    np.testing.assert_array_equal(feats["synthetic"][:, j_s], [2, 3, 0])
    np.testing.assert_array_equal(feats["train"][:, j_n], [1.0, np.nan, 3.0])  # numbers as is
    assert is_cat[j_s] and not is_cat[j_n]


def test_knobs_are_init_keywords_and_change_what_is_counted():
    train, hold, synth = triple(600, 16)
    check = MembershipInference(max_targets=400)
    assert check.get_params()["max_targets"] == 400
    r = mia(train, synth, hold, check=check)
    assert r.counts["members_tested"] == 400 and r.counts["nonmembers_tested"] == 400
    assert mia(train, synth, hold).counts["members_tested"] == 600
    r = mia(train, synth, hold, check=MembershipInference(min_holdout=1000))
    assert r.status == "skipped" and "at least 1000" in r.reason


def test_reference_search_goes_approximate_above_its_size_and_still_detects(monkeypatch):
    """Above the pair threshold each fold's reference search is a certified inverted file:
    members and non-members answered by one index, distances never below the exact ones."""
    from synthscan.attacks import searches

    train, hold, synth = triple(1500, 8)
    leaky, _ = plant_copies(synth, train, 0.2, seed=2, jitter=0.05)
    exact = mia(train, leaky, hold)
    assert exact.details["reference_search"] == {"search": "exact", "searches": 2}
    assert exact.details["synthetic_search"] == {"search": "exact"}
    monkeypatch.setattr(searches, "APPROX_MIN_PAIRS", 0)
    ctx, _ = prepare(train, leaky, hold, synthscan.ScanConfig(seed=0, mia_folds=2))
    ref, queries = ctx.encoded["holdout"][:700], ctx.encoded["train"]
    d_a, how = searches.reference_knn(ctx, ref, queries, 20, "test")
    d_e = NeighborEngine(ref, "l1", None).kneighbors(queries, 20)[0]
    assert how["search"].startswith("approximate") and how["sample"] == searches.ATTACK_SAMPLE
    assert (d_a >= d_e - 1e-4 * (1 + d_e)).all()
    approx = mia(train, leaky, hold)
    how = approx.details["reference_search"]
    assert how["approximate"] == how["searches"] == 2 and 0 < how["recall"] <= 1
    # the distance attacks' nearest synthetic rows come from the shared search, certified too
    assert approx.details["synthetic_search"]["search"].startswith("approximate")
    r, verdict = decided(approx)
    assert r.status == "fail" and verdict.verdict == "high", r.summary


def test_classifier_folds_in_a_worker_process_give_the_in_process_scores(monkeypatch):
    from synthscan.attacks import background

    train, hold, synth = triple(1000, 4)
    inline = mia(train, synth, hold, seed=2)
    calls = []
    here = background.run_jobs
    monkeypatch.setattr(background, "run_jobs", lambda jobs: calls.append(1) or here(jobs))
    monkeypatch.setattr(background, "MIN_BACKGROUND_ROWS", 0)
    monkeypatch.setattr(fitworker.os, "cpu_count", lambda: 2)
    worker = mia(train, synth, hold, seed=2)
    assert calls == []  # the five folds were fitted in the worker
    assert worker.details["attacks"] == inline.details["attacks"]
    assert worker.estimate == inline.estimate and worker.tests == inline.tests
