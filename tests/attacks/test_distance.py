"""Distance tests on generated data with known truth: the resampling maths against oracles;
the reported figures (nearest-record share, data copying, NNDR) size and find planted copies;
ties are credited fairly; results are reproducible; the no-holdout fallback is a component."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import synthscan
from synthscan.api import prepare, run_checks
from synthscan.attacks import planned_components
from synthscan.attacks.distance import NearestRecordShare
from synthscan.datasets import plant_copies, simulate_population
from synthscan.stats.resampling import (
    clustered_auc_less,
    group_credits,
    mann_whitney_less,
    permutation_null,
    poisson_bootstrap,
)

N = 1500  # rows of train, holdout and synthetic in the scenarios below


def triple(seed: int, n: int = N) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Train, holdout and a fresh (clean) synthetic release: disjoint population draws."""
    pop = simulate_population(3 * n, seed)
    return pop.iloc[:n], pop.iloc[n:2 * n], pop.iloc[2 * n:].reset_index(drop=True)


#: the checks these tests are about (the attacks have their own tests)
DISTANCE_CHECKS = ["exact_copies", "verbatim", "closeness", "nearest_record_share",
                   "data_copying", "nndr", "distance_no_holdout"]
REPORTED = ("nearest_record_share", "data_copying", "nndr")


def nrs(train, synth, hold, **cfg) -> synthscan.ScanResult:
    config = synthscan.ScanConfig(permutations=499, bootstrap=300, checks=DISTANCE_CHECKS, **cfg)
    return synthscan.scan(train, synth, holdout=hold, config=config)


# ----------------------------------------------------------------------------- resampling maths


def test_permutation_null_matches_explicit_label_shuffles():
    rng = np.random.default_rng(0)
    w = rng.integers(0, 4, 60).astype(float) / 2  # per-record credit
    labels = np.array([0] * 40 + [1] * 20)
    groups = group_credits(w, labels == 0, labels == 1, 40, 20)
    fast = permutation_null(groups, 20000, np.random.default_rng(1))
    slow = np.array([(w * (rng.permutation(labels) == 0)).sum() / w.sum() for _ in range(20000)])
    assert abs(fast.mean() - slow.mean()) < 0.003
    assert abs(fast.std() - slow.std()) < 0.003
    assert abs(groups.statistic() - (w * (labels == 0)).sum() / w.sum()) < 1e-12


def test_poisson_bootstrap_centres_on_the_observed_share():
    rng = np.random.default_rng(2)
    w = rng.integers(0, 6, 500) / 2
    is_train = rng.random(500) < 0.6
    groups = group_credits(w, is_train, ~is_train, int(is_train.sum()), int((~is_train).sum()))
    share, pi0 = poisson_bootstrap(groups, 4000, np.random.default_rng(3))
    assert abs(np.nanmean(share) - groups.statistic()) < 0.005
    assert abs(pi0.mean() - is_train.mean()) < 0.005
    # its spread matches the textbook standard error of a ratio estimator over 500 units
    x, y = w * is_train, w
    r = x.sum() / y.sum()
    se = np.sqrt(((x - r * y) ** 2).sum()) / y.sum()
    assert 0.85 < np.nanstd(share) / se < 1.15


def test_mann_whitney_matches_scipy():
    rng = np.random.default_rng(3)
    x = np.round(rng.normal(0, 1, 300), 1)  # rounded: many ties
    y = np.round(rng.normal(0.2, 1, 200), 1)
    ours = mann_whitney_less(x, y)
    ref = sps.mannwhitneyu(x, y, alternative="less", method="asymptotic", use_continuity=False)
    assert abs(ours.p_value - ref.pvalue) < 1e-9
    assert abs(ours.u - (len(x) * len(y) - ref.statistic)) < 1e-6


def test_clustered_auc_reduces_to_delong_and_widens_for_clusters():
    rng = np.random.default_rng(4)
    x, y = rng.normal(0, 1, 400), rng.normal(0.1, 1, 500)
    plain = clustered_auc_less(x, y)
    mw = mann_whitney_less(x, y)
    assert abs(plain.auc - mw.auc) < 1e-12
    assert abs(plain.z - (-mw.z)) < 0.05 * abs(mw.z) + 0.02  # DeLong vs rank variance
    # the same evidence copied 5 times within clusters is no more significant: with the
    # y-side variance made negligible, the standard error grows by sqrt(5)
    big_y = rng.normal(0.1, 1, 50_000)
    rep = clustered_auc_less(np.repeat(x, 5), big_y, np.repeat(np.arange(400), 5))
    naive = clustered_auc_less(np.repeat(x, 5), big_y)
    assert abs(rep.auc - clustered_auc_less(x, big_y).auc) < 1e-12
    assert 2.0 < rep.se / naive.se < 2.4


# ----------------------------------------------------------------------------- planted leaks


def test_nearest_record_share_is_reported_and_sizes_a_planted_dose():
    train, hold, clean = triple(101)
    leaky, _ = plant_copies(clean, train, 0.20, seed=0)
    config = synthscan.ScanConfig(permutations=499, bootstrap=300)
    ctx, _ = prepare(train, leaky, hold, config)
    c = run_checks(ctx, [NearestRecordShare()])[0]
    # a share of synthetic rows: reported, never a component with sub-tests
    assert not c.component and c.status == "info" and c.decision is None and not c.tests
    assert "nearest_record_share" not in planned_components(True)
    assert c.lower <= 0.20 <= c.upper, (c.estimate, c.lower, c.upper)
    assert abs(c.estimate - 0.20) < 0.05
    assert c.p_value < 0.01
    # Delta from its own parts: (p_hat - pi0) / (1 - pi0) with pi0 = n_T / (n_T + n_H)
    d = c.details
    assert d["pi0"] == pytest.approx(0.5)
    assert c.estimate == pytest.approx((d["p_hat"] - 0.5) / 0.5)  # unclipped
    assert c.standard_error >= d["null_sd"] > 0
    # p_hat: the training credit (ties shared) over every synthetic query
    assert c.counts["credit_to_train"] == pytest.approx(d["p_hat"] * N, abs=1e-5)


def test_data_copying_finds_copies_and_is_only_reported():
    train, hold, clean = triple(11)
    leaky, _ = plant_copies(clean, train, 0.20, seed=1)
    res = nrs(train, leaky, hold)
    c = res.check("data_copying")
    assert c.status == "info" and not c.component and c.decision is None
    assert c.details["finding"] == "evidence of copying"
    assert c.p_value < 1e-6 and c.estimate > 0.55
    assert c.counts["synthetic_rows_compared"] == c.counts["holdout_rows_compared"] == N
    clean_c = nrs(train, clean, hold).check("data_copying")
    assert clean_c.details["finding"] == "no evidence of copying" and clean_c.status == "info"
    assert clean_c.p_value > 0.05


def test_copies_of_isolated_records_show_as_exposed_rows():
    train, hold, clean = triple(13)
    # carry the training ids along with the copies (keep=()) to check where each points
    leaky, pos = plant_copies(clean, train, 0.05, seed=3, jitter=0.01, keep=())
    c = nrs(train, leaky, hold).check("nndr")
    assert c.status == "info" and not c.component
    assert c.counts["low_ratio_train"] > c.counts["low_ratio_holdout"]
    exposed = c.details["most_exposed"]
    rows = {e["synthetic_row"] for e in exposed}
    planted = rows & set(pos.tolist())
    assert len(planted) >= len(rows) // 2 and len(planted) >= 5
    assert all(set(e) == {"synthetic_row", "train_row", "nndr"} for e in exposed)
    assert all(type(e["synthetic_row"]) is int and type(e["train_row"]) is int for e in exposed)
    # a planted near copy points at the training record it copies
    for e in exposed:
        if e["synthetic_row"] in planted:
            assert train["person_id"].iloc[e["train_row"]] == \
                leaky["person_id"].iloc[e["synthetic_row"]]


# ----------------------------------------------------------------------------- ties


@pytest.mark.parametrize("seed", [0, 1])
def test_all_categorical_data_with_massive_ties_gives_delta_near_zero(seed):
    rng = np.random.default_rng(seed)

    def draw(n):
        return pd.DataFrame({c: rng.choice(list("abc"), n, p=[0.6, 0.3, 0.1])
                             for c in ("u", "v", "w")})
    train, hold, synth = draw(800), draw(400), draw(800)
    c = nrs(train, synth, hold).check("nearest_record_share")
    assert c.details["mean_tie_size"] > 20  # every nearest set is a large tie
    # argmin order would credit the first-indexed (train) records: Delta near 1, not 0
    d, sd = c.estimate, c.details["null_sd"]
    assert abs(d) < 3 * sd + 0.01, (d, sd)
    assert c.lower <= 0.0 and c.upper < 0.2


# ----------------------------------------------------------------------------- reproducibility


def test_same_seed_same_result_on_any_thread_count():
    train, hold, clean = triple(14, n=800)
    leaky, _ = plant_copies(clean, train, 0.05, seed=4, jitter=0.02)
    a = nrs(train, leaky, hold, seed=7, threads=1)
    b = nrs(train, leaky, hold, seed=7, threads=2)
    c = nrs(train, leaky, hold, seed=8, threads=2)
    ids = (*REPORTED, "closeness")
    assert [a.check(i).to_dict() for i in ids] == [b.check(i).to_dict() for i in ids]
    assert a.check("closeness").decision is not None and a.check("closeness").tests
    assert a.check("nearest_record_share").to_dict() != c.check("nearest_record_share").to_dict()


def test_query_sampling_is_reported_and_reference_is_complete():
    train, hold, clean = triple(15, n=800)
    res = nrs(train, clean, hold, max_query_rows=300)
    d = res.check("nearest_record_share").details
    assert d["query_rows"] == 300 and d["queries_sampled"] is True
    assert d["synthetic_rows"] == 800
    assert res.check("nearest_record_share").counts["query_rows"] == 300
    assert res.check("nearest_record_share").counts["train_rows"] == 800
    assert res.check("data_copying").counts["synthetic_rows_compared"] == 300
    assert res.check("exact_copies").counts["synthetic_rows"] == 800  # copies: every row
    # closeness is record-side: every real record against every synthetic row
    close = res.check("closeness")
    assert close.counts["synthetic_rows"] == 800
    assert close.tests[0].n_t == 800 and close.tests[0].n_h == 800


# ----------------------------------------------------------------------------- no holdout


def test_without_holdout_copies_are_still_found_and_labelled_weaker():
    train, _, clean = triple(16)
    leaky, _ = plant_copies(clean, train, 0.20, seed=5, jitter=0.02)
    config = synthscan.ScanConfig(permutations=199, bootstrap=100, checks=DISTANCE_CHECKS)
    res = synthscan.scan(train, leaky, config=config)
    c = res.check("distance_no_holdout")
    assert c.component and c.evidence == "no-holdout" and "Weaker evidence" in c.summary
    assert c.status == "fail" and res.verdict == "high"
    # one sub-test: close synthetic rows vs close leave-one-out training records
    assert len(c.tests) == 1
    t = c.tests[0]
    assert (t.k_t, t.n_t) == (c.counts["close_synthetic"], c.counts["query_rows"])
    assert (t.k_h, t.n_h) == (c.counts["close_loo"], c.counts["loo_rows"])
    assert t.n_h == N  # leave-one-out over every training record (n_S = n_T here)
    assert c.counts["close_loo"] / t.n_h == pytest.approx(0.05, abs=0.01)  # its 5% quantile
    for cid in ("nearest_record_share", "closeness", "verbatim"):
        assert res.check(cid).status == "skipped"
    clean_res = synthscan.scan(train, clean, config=config)
    c = clean_res.check("distance_no_holdout")
    assert c.status in ("pass", "warn")
    assert clean_res.verdict == "inconclusive"  # without a holdout, never low


def test_tiny_tables_skip_distance_checks_with_the_minimum_stated():
    train, hold, clean = triple(17, n=12)
    res = nrs(train, clean, hold)
    for cid in ("nearest_record_share", "data_copying", "nndr", "closeness"):
        c = res.check(cid)
        assert c.status == "skipped" and "at least 20 rows" in c.reason, cid
    assert res.check("exact_copies").status in ("info", "skipped")
    assert res.verdict != "low"
    assert "closeness" in [m.component for m in res.risk.missing]


def test_interval_is_never_narrower_than_the_permutation_null():
    """At small sizes the bootstrap alone was too narrow (85% coverage at n_train = 1,000 in the
    validation suite); the interval is widened to +- z * null sd around the unclipped delta."""
    train, hold, synth = triple(31, n=600)
    leaky, _ = plant_copies(synth, train, 0.1, seed=2)
    for release in (synth, leaky):
        c = nrs(train, release, hold).check("nearest_record_share")
        d, sd = c.estimate, c.details["null_sd"]
        assert sd > 0
        assert c.upper >= d + 1.959 * sd - 1e-9
        assert c.lower <= d - 1.959 * sd + 1e-9


def test_the_approximate_synthetic_to_real_search_is_certified_and_keeps_the_figures(
        monkeypatch):
    from synthscan.attacks import searches

    pop = simulate_population(6000, 11)
    train, hold, clean = pop.iloc[:2500], pop.iloc[2500:3500], pop.iloc[3500:]
    leaky, _ = plant_copies(clean.reset_index(drop=True), train.reset_index(drop=True), 0.1,
                            seed=2)
    exact_res = nrs(train, leaky, hold)
    exact, exact_copying = exact_res.check("nearest_record_share"), exact_res.check("data_copying")
    assert exact.details["synthetic_to_real_search"] == {"search": "exact"}
    monkeypatch.setattr(searches, "APPROX_MIN_PAIRS", 0)
    res = nrs(train, leaky, hold)
    approx = res.check("nearest_record_share")
    cert = approx.details["synthetic_to_real_search"]
    assert cert["search"].startswith("approximate") and cert["refined"] >= cert["sample"]
    # the copies sit among the refined (exact) answers: the estimate hardly moves
    assert abs(approx.estimate - exact.estimate) < 0.02
    assert approx.p_value < 0.01 and exact.p_value < 0.01
    copying = res.check("data_copying")
    assert copying.status == "info"  # reads the same shared answers
    assert copying.details["holdout_to_train_search"]["search"].startswith("approximate")
    assert exact_copying.details["holdout_to_train_search"] == {"search": "exact"}
    # the data-copying AUC compares two approximate arms: it stays near the exact one
    assert abs(copying.estimate - exact_copying.estimate) < 0.02
    # the distance ratio's two equal-size indexes go approximate together
    nndr, exact_nndr = res.check("nndr"), exact_res.check("nndr")
    assert exact_nndr.details["searches"] == {"search": "exact", "searches": 2}
    assert nndr.details["searches"]["approximate"] == 2
    assert nndr.counts["low_ratio_train"] > nndr.counts["low_ratio_holdout"]
    forced = nrs(train, leaky, hold, exact_search=True).check("nearest_record_share")
    assert forced.estimate == exact.estimate
