"""Distance tests on generated data with known truth: planted copies are found and sized,
clean releases are not flagged, ties are credited fairly, results are reproducible."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import synthscan
from synthscan.datasets import mode_collapse, plant_copies, simulate_population
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
DISTANCE_CHECKS = ["exact_copies", "unique_reproduction", "nearest_record_share", "data_copying",
                   "nndr", "distance_no_holdout"]


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


@pytest.mark.parametrize("fraction", [0.05, 0.20])
def test_planted_copies_interval_covers_the_dose_and_flags(fraction):
    covered, flagged, estimates = 0, 0, []
    for seed in range(10):
        train, hold, clean = triple(100 + seed)
        leaky, _ = plant_copies(clean, train, fraction, seed=seed)
        res = nrs(train, leaky, hold)
        c = res.check("nearest_record_share")
        covered += c.lower <= fraction <= c.upper
        flagged += c.status == "fail"
        estimates.append(c.estimate)
        assert res.verdict == "high"  # exact copies are caught in any case
    assert covered >= 8  # 95% intervals: P(covered <= 7 of 10) < 2%
    assert abs(np.mean(estimates) - fraction) < 0.02  # Delta sizes the leak
    if fraction >= 0.2:
        assert flagged == 10


def test_five_percent_copies_are_flagged_once_the_sample_has_the_power():
    # the minimum detectable Delta shrinks like 1/sqrt(n); with 16,000 rows per set its SD is
    # about 0.008 and a 5% dose clears the threshold with ~99.5% power
    train, hold, clean = triple(200, n=16000)
    leaky, _ = plant_copies(clean, train, 0.05, seed=0)
    c = nrs(train, leaky, hold).check("nearest_record_share")
    assert c.status == "fail", (c.estimate, c.lower, c.upper)
    assert c.details["min_detectable_delta"] < 0.03


def test_data_copying_test_sees_copies():
    train, hold, clean = triple(11)
    leaky, _ = plant_copies(clean, train, 0.20, seed=1)
    c = nrs(train, leaky, hold).check("data_copying")
    assert c.status == "warn" and c.p_value < 1e-6 and c.estimate > 0.55


def test_noisy_copies_are_flagged():
    train, hold, clean = triple(12, n=6000)
    leaky, _ = plant_copies(clean, train, 0.10, seed=2, jitter=0.05)
    res = nrs(train, leaky, hold)
    assert res.check("exact_copies").counts["copies_of_train"] == 0
    c = res.check("nearest_record_share")
    assert c.status == "fail", (c.estimate, c.lower, c.upper)
    assert c.lower <= 0.10 + 1e-9


def test_copies_of_isolated_records_show_as_exposed_rows():
    train, hold, clean = triple(13)
    leaky, pos = plant_copies(clean, train, 0.05, seed=3, jitter=0.01)
    c = nrs(train, leaky, hold).check("nndr")
    assert c.counts["low_ratio_train"] > c.counts["low_ratio_holdout"]
    exposed = {e["synthetic_row"] for e in c.details["most_exposed"]}
    assert len(exposed & set(pos.tolist())) >= len(exposed) // 2
    assert all(set(e) == {"synthetic_row", "train_row", "nndr"} for e in c.details["most_exposed"])


# ----------------------------------------------------------------------------- no false alarms


def _flag_rate(make_synthetic, seeds: range) -> tuple[int, int, int, list[float]]:
    """Over clean scenarios: (Delta flagged, data-copying warned, verdict high, Deltas)."""
    flagged = warned = high = 0
    deltas = []
    for seed in seeds:
        train, hold, clean = triple(1000 + seed, n=600)
        res = nrs(train, make_synthetic(clean, seed), hold)
        c = res.check("nearest_record_share")
        flagged += c.status == "fail"
        warned += res.check("data_copying").status == "warn"
        high += res.verdict == "high"
        deltas.append(c.details["delta_unclipped"])
    return flagged, warned, high, deltas


def test_fresh_draws_are_not_flagged_over_40_seeds():
    flagged, warned, high, deltas = _flag_rate(lambda clean, seed: clean, range(40))
    # at most 5% nominal; allow binomial slack (P(X >= 5 | n=40, p=0.05) < 5%)
    assert flagged <= 4 and warned <= 4 and high <= 4
    assert abs(np.mean(deltas)) < 0.03  # unbiased around 0


def test_mode_collapse_is_not_flagged_over_40_seeds():
    def collapse(clean, seed):
        return mode_collapse(clean, len(clean), n_modes=40, seed=seed)
    flagged, warned, high, _ = _flag_rate(collapse, range(40))
    assert flagged <= 4 and warned <= 4 and high <= 4


def test_all_categorical_data_with_massive_ties_gives_delta_near_zero():
    deltas, flagged = [], 0
    for seed in range(10):
        rng = np.random.default_rng(seed)
        def draw(n, rng=rng):
            return pd.DataFrame({c: rng.choice(list("abc"), n, p=[0.6, 0.3, 0.1])
                                 for c in ("u", "v", "w")})
        train, hold, synth = draw(800), draw(400), draw(800)
        c = nrs(train, synth, hold).check("nearest_record_share")
        assert c.details["mean_tie_size"] > 20  # every nearest set is a large tie
        deltas.append(c.details["delta_unclipped"])
        flagged += c.status == "fail"
    assert flagged <= 1
    # argmin order would credit the first-indexed (train) records: Delta near 1, not 0
    assert abs(np.mean(deltas)) < 0.05


# ----------------------------------------------------------------------------- reproducibility


def test_same_seed_same_result_on_any_thread_count():
    train, hold, clean = triple(14, n=800)
    leaky, _ = plant_copies(clean, train, 0.05, seed=4)
    a = nrs(train, leaky, hold, seed=7, threads=1)
    b = nrs(train, leaky, hold, seed=7, threads=2)
    c = nrs(train, leaky, hold, seed=8, threads=2)
    ids = ("nearest_record_share", "data_copying", "nndr")
    assert [a.check(i).to_dict() for i in ids] == [b.check(i).to_dict() for i in ids]
    assert a.check("nearest_record_share").to_dict() != c.check("nearest_record_share").to_dict()


def test_query_sampling_is_reported_and_reference_is_complete():
    train, hold, clean = triple(15, n=800)
    res = nrs(train, clean, hold, max_query_rows=300)
    d = res.check("nearest_record_share").details
    assert d["query_rows"] == 300 and d["queries_sampled"] is True
    assert res.check("nearest_record_share").counts["train_rows"] == 800
    assert res.check("exact_copies").counts["synthetic_rows"] == 800  # copies: every row


# ----------------------------------------------------------------------------- no holdout


def test_without_holdout_copies_are_still_found_and_labelled_weaker():
    train, _, clean = triple(16)
    leaky, _ = plant_copies(clean, train, 0.20, seed=5, jitter=0.02)
    config = synthscan.ScanConfig(permutations=199, bootstrap=100, checks=DISTANCE_CHECKS)
    res = synthscan.scan(train, leaky, config=config)
    c = res.check("distance_no_holdout")
    assert c.evidence == "no-holdout" and "Weaker evidence" in c.summary
    assert c.status == "fail"
    assert res.check("nearest_record_share").status == "skipped"
    clean_res = synthscan.scan(train, clean, config=config)
    assert clean_res.check("distance_no_holdout").status != "fail"


def test_tiny_tables_skip_distance_checks_with_the_minimum_stated():
    train, hold, clean = triple(17, n=12)
    res = nrs(train, clean, hold)
    for cid in ("nearest_record_share", "data_copying", "nndr"):
        c = res.check(cid)
        assert c.status == "skipped" and "at least 20 rows" in c.reason, cid
    assert res.check("exact_copies").status in ("pass", "warn", "skipped")


def test_interval_is_never_narrower_than_the_permutation_null():
    """At small sizes the bootstrap alone was too narrow (85% coverage at n_train = 1,000 in the
    validation suite); the interval is widened to +- z * null sd around the unclipped delta."""
    train, hold, synth = triple(31, n=600)
    leaky, _ = plant_copies(synth, train, 0.1, seed=2)
    for release in (synth, leaky):
        c = nrs(train, release, hold).check("nearest_record_share")
        d, sd = c.details["delta_unclipped"], c.details["null_sd"]
        assert sd > 0
        assert c.upper >= min(1.0, d + 1.959 * sd) - 1e-9
        assert c.lower <= max(0.0, d - 1.959 * sd) + 1e-9
        lo_adj, hi_adj = c.details["adjusted_interval"]
        assert lo_adj <= c.lower and hi_adj >= c.upper
