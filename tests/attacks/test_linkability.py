"""Linkability with known truth: hand-worked tie credits, the exact credit against simulated
random tie-breaking, one sub-test per (split, k) with the credits as counts, planted copies
linked, a clean release certified below 5%, ties unbiased."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from synthscan.api import prepare, run_checks
from synthscan.attacks.linkability import (
    Linkability,
    link_credit,
    log_comb,
    overlap_counts,
    random_link_rate,
)
from synthscan.config import ScanConfig
from synthscan.datasets import simulate_population
from synthscan.errors import ConfigError
from synthscan.neighbors.sides import SideIndex
from synthscan.stats.bounds import decide, excess_lower, excess_upper


def run_link(train, synth, hold, check=None, **cfg):
    ctx, _ = prepare(train, synth, hold, ScanConfig(**cfg))
    return run_checks(ctx, [check or Linkability()])[0]


def triple(seed: int, n: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    pop = simulate_population(3 * n, seed)
    return (pop.iloc[:n].reset_index(drop=True), pop.iloc[n:2 * n].reset_index(drop=True),
            pop.iloc[2 * n:].reset_index(drop=True))


def credits(syn_a, syn_b, q_a, q_b, k):
    """Link credit of each query from raw (already encoded) side matrices."""
    ia, ib = SideIndex(syn_a, "l1", 1), SideIndex(syn_b, "l1", 1)
    a, b = ia.search(q_a, [k])[k], ib.search(q_b, [k])[k]
    ov = overlap_counts(a, b, ia.point_of_row, ib.point_of_row, len(q_a))
    return link_credit(a, b, ov)


def col(*v):
    return np.asarray(v, dtype=np.float32)[:, None]


# ------------------------------------------------------------------------------ hand-worked


def test_hand_worked_tie_credits():
    # synthetic rows (a, b): (0,0) (0,1) (1,0) (1,2); target (0, 0)
    syn_a, syn_b = col(0, 0, 1, 1), col(0, 1, 0, 2)
    q_a, q_b = col(0), col(0)
    # k = 1: one of rows {0,1} on A, one of rows {0,2} on B; linked iff both pick row 0
    assert credits(syn_a, syn_b, q_a, q_b, 1)[0] == pytest.approx(1 / 4)
    # k = 2: both tie sets are taken whole and share row 0
    assert credits(syn_a, syn_b, q_a, q_b, 2)[0] == pytest.approx(1.0)
    # rows strictly inside plus ties. k = 2: A takes row 0 and one of {1,2,3}; B takes row 2
    # and one of {0,1}. Unlinked only for A's 3 with B's 1: credit 1 - 1/3 * 1/2 = 5/6
    syn_a, syn_b = col(0, 1, 1, 1), col(5, 5, 0, 9)
    assert credits(syn_a, syn_b, q_a, q_b, 2)[0] == pytest.approx(5 / 6)
    # k = 2 on A but 1 on B (B takes row 2 only): linked iff A draws row 2, 1/3
    ia, ib = SideIndex(syn_a, "l1", 1), SideIndex(syn_b, "l1", 1)
    a, b = ia.search(q_a, [2])[2], ib.search(q_b, [1])[1]
    ov = overlap_counts(a, b, ia.point_of_row, ib.point_of_row, 1)
    assert a.need[0] == 1 and a.tie_rows[0] == 3 and b.tie_rows[0] == 1
    assert link_credit(a, b, ov)[0] == pytest.approx(1 / 3)


def test_equal_queries_are_searched_once_and_answered_alike():
    rng = np.random.default_rng(4)
    syn = rng.integers(0, 3, (60, 2)).astype(np.float32)  # coarse: ties at the k-th row
    queries = rng.integers(0, 3, (30, 2)).astype(np.float32)  # at most 9 distinct
    index = SideIndex(syn, "l1", 1)
    searched: list[int] = []
    engine = index.engine
    index.engine = type("Counted", (), {"kneighbors": lambda _s, q, k: (
        searched.append(len(q)) or engine.kneighbors(q, k))})()
    together = index.search(queries, [1, 3])
    assert searched and max(searched) <= 9  # the distinct queries only
    index.engine = engine
    for k in (1, 3):
        for j in range(len(queries)):
            alone = index.search(queries[j:j + 1], [k])[k]
            mine = together[k].target == j
            pairs = zip(together[k].point[mine], together[k].tie[mine], strict=True)
            assert sorted(pairs) == sorted(zip(alone.point, alone.tie, strict=True))
            assert (together[k].need[j], together[k].tie_rows[j]) == (alone.need[0],
                                                                       alone.tie_rows[0])


def test_exact_credit_matches_simulated_random_tie_breaking():
    rng = np.random.default_rng(0)
    n_s, n_q = 40, 25
    # coarse sides (two small integer columns each): many exact ties
    syn_a = rng.integers(0, 3, (n_s, 2)).astype(np.float32)
    syn_b = rng.integers(0, 3, (n_s, 2)).astype(np.float32)
    q_a = rng.integers(0, 3, (n_q, 2)).astype(np.float32)
    q_b = rng.integers(0, 3, (n_q, 2)).astype(np.float32)
    d_a = np.abs(q_a[:, None, :] - syn_a[None]).sum(-1)
    d_b = np.abs(q_b[:, None, :] - syn_b[None]).sum(-1)
    # the overlap table does not depend on which side a target expands from
    ia, ib = SideIndex(syn_a, "l1", 1), SideIndex(syn_b, "l1", 1)
    a, b = ia.search(q_a, [2])[2], ib.search(q_b, [2])[2]
    ab = overlap_counts(a, b, ia.point_of_row, ib.point_of_row, n_q)
    ba = overlap_counts(b, a, ib.point_of_row, ia.point_of_row, n_q)
    assert (ab == ba.transpose(0, 2, 1)).all() and ab.sum() > 0
    reps = 3000
    for k in (1, 2, 3):
        exact = credits(syn_a, syn_b, q_a, q_b, k)
        hits = np.zeros(n_q)
        for _ in range(reps):  # distances are integers: a jitter < 1 only breaks ties
            na = np.argsort(d_a + 0.5 * rng.random(d_a.shape), axis=1)[:, :k]
            nb = np.argsort(d_b + 0.5 * rng.random(d_b.shape), axis=1)[:, :k]
            hits += (na[:, :, None] == nb[:, None, :]).any(axis=(1, 2))
        assert np.abs(exact - hits / reps).max() < 0.04, k


def test_random_link_rate():
    assert random_link_rate(10, 1) == pytest.approx(0.1)
    assert random_link_rate(10, 2) == pytest.approx(1 - (8 * 7) / (10 * 9))
    assert random_link_rate(10, 6) == 1.0  # two draws of 6 of 10 rows always share one


def test_log_comb_is_the_binomial_coefficient():
    n = np.array([0, 1, 5, 10, 60, 3000, 5, 5])
    k = np.array([0, 1, 2, 3, 30, 7, -1, 6])
    got = log_comb(n, k)
    for g, nn, kk in zip(got[:6], n[:6], k[:6], strict=True):
        assert g == pytest.approx(math.log(math.comb(int(nn), int(kk))), rel=1e-12, abs=1e-12)
    assert np.isneginf(got[6:]).all()  # k < 0 or k > n: no way to choose


# ------------------------------------------------------------------------------ known truth


def test_copied_release_is_linked():
    train, hold, _ = triple(21, 500)
    res = run_link(train, train.copy(), hold, seed=3)
    assert len(res.tests) == 5 * 2  # five random splits x k in (1, 5)
    assert res.estimate > 0.8
    assert decide(res.tests, 0.05, 6).lower > 0.5 and res.lower > 0.5
    assert res.summary == ""  # run() writes numbers; summarize() the words
    text = Linkability().summarize(res)
    worst = res.tests[res.details["worst"]]
    assert f"links {100 * worst.rate_t:.1f}% of 500 training records" in text
    assert "95% interval" in text


def test_knobs_change_the_splits_and_targets():
    train, hold, synth = triple(23, 300)
    check = Linkability(n_splits=2, max_targets=120)
    assert Linkability.param_names() == ["n_splits", "max_targets"]
    assert check.get_params() == {"n_splits": 2, "max_targets": 120}
    res = run_link(train, synth, hold, check=check, seed=1, alpha=0.1)
    assert len(res.tests) == 2 * 2 and res.counts["splits"] == 2
    assert all(t.n_t == t.n_h == 120 for t in res.tests)
    assert res.details["targets"] == {"train": 120, "holdout": 120, "cap": 120,
                                      "train_sampled": True, "holdout_sampled": True}
    text = check.summarize(res)
    assert "90% interval" in text and "95%" not in text  # the level is the scan's
    with pytest.raises(TypeError):
        Linkability(2)  # type: ignore[misc]


def test_sub_tests_are_the_credits_of_every_split_and_k():
    train, hold, synth = triple(22, 300)
    res = run_link(train, synth, hold, seed=1, link_k=[1, 3])
    rows = res.details["rows"]
    assert len(res.tests) == len(rows) == 5 * 2
    for t, r in zip(res.tests, rows, strict=True):
        assert t.label == f"split {r['split'] + 1}, k={r['k']}"
        assert t.n_t == t.n_h == res.counts["targets_per_side"] == 300
        assert (t.k_t, t.k_h) == pytest.approx((r["train_credit"], r["holdout_credit"]))
        assert r["excess"] == pytest.approx(t.rate_t - t.rate_h)  # absolute scale
    worst = max(res.tests, key=lambda t: (t.estimate, excess_upper(t, 0.05)))
    assert res.estimate == pytest.approx(worst.estimate)
    assert (res.lower, res.upper) == pytest.approx((excess_lower(worst, 0.025),
                                                    excess_upper(worst, 0.025)))
    assert res.unit == "training records" and res.unit_total == res.counts["train_rows"]


def test_clean_release_is_certified_below_five_percent():
    # about 10% of targets link at k = 5 here: 2,000 targets per side keep every upper bound
    # well below 5% (at 1,000 the largest of the ten sits near 4%)
    train, hold, synth = triple(200, 2000)
    res = run_link(train, synth, hold, check=Linkability(max_targets=2000), seed=0)
    d = decide(res.tests, 0.05, 6)
    assert d.sub_tests == 10 and res.counts["targets_per_side"] == 2000
    assert max(t.rate_h for t in res.tests) > 0.05  # links happen: not a trivial bound
    assert d.upper < 0.05 and abs(res.estimate) < 0.03


def test_ties_credit_depends_only_on_values_not_membership():
    # one coarse column per side: credit of a target with (sex s, region r) at k = 1 is
    # n(s, r) / (n(s) n(r)) from the synthetic counts, for train and holdout targets alike
    train, hold, synth = triple(31, 400)
    res = run_link(train, synth, hold, link_columns=[["sex"], ["region"]], link_k=[1])
    row = res.details["rows"][0]
    joint = synth.groupby(["sex", "region"]).size()
    n_sex, n_reg = synth["sex"].value_counts(), synth["region"].value_counts()

    def expected(df):
        c = [joint.get((s, r), 0) / (n_sex[s] * n_reg[r])
             for s, r in zip(df.sex, df.region, strict=True)]
        return float(np.mean(c))

    assert row["train_rate"] == pytest.approx(expected(train), abs=1e-12)
    assert row["holdout_rate"] == pytest.approx(expected(hold), abs=1e-12)
    assert row["notes"]  # such a split can hardly link anyone, and says so
    (test,) = res.tests
    assert test.k_t == pytest.approx(expected(train) * len(train), abs=1e-9)
    assert test.k_h == pytest.approx(expected(hold) * len(hold), abs=1e-9)
    assert res.estimate == pytest.approx(expected(train) - expected(hold), abs=1e-12)


# ------------------------------------------------------------------------------ robustness


def test_missing_values_on_both_sides_give_finite_credits():
    train, hold, synth = triple(41, 300)
    rng = np.random.default_rng(1)
    for df in (train, hold, synth):
        for c in ("age", "income", "region", "bmi"):
            df.loc[rng.random(len(df)) < 0.3, c] = None
    res = run_link(train, synth, hold, link_columns=[["age", "region"], ["income", "bmi"]])
    row = res.details["rows"][0]
    for key in ("train_rate", "holdout_rate", "excess"):
        assert np.isfinite(row[key])
    assert res.status != "error" and -1 <= res.lower <= res.estimate <= res.upper <= 1
    assert all(0 <= t.k_t <= t.n_t and 0 <= t.k_h <= t.n_h for t in res.tests)


def test_odd_column_names_and_link_columns():
    train, hold, synth = triple(8, 200)
    rename = {"age": "age (years)", "sex": "it's \"sex\"", "region": "région < 5",
              "income": "income $ & <tax>"}
    frames = [f.rename(columns=rename) for f in (train, synth, hold)]
    res = run_link(*frames, link_columns=[["age (years)", "it's \"sex\""],
                                          ["région < 5", "income $ & <tax>"]])
    assert res.status != "error" and res.details["rows"][0]["columns_a"][0] == "age (years)"
    assert run_link(*frames).estimate is not None


def test_unknown_link_column_is_a_config_error():
    train, hold, synth = triple(9, 100)
    with pytest.raises(ConfigError, match=r"link_columns: column 'person_id' is not an "
                                          r"attackable column of .* — use names from") as err:
        run_link(train, synth, hold, link_columns=[["person_id"], ["age"]])
    assert err.value.key == "link_columns"


def test_tiny_or_narrow_tables_are_skipped():
    train, hold, synth = triple(9, 12)
    res = run_link(train, synth, hold)
    assert res.status == "skipped" and "at least 20 rows" in res.reason
    one = [pd.DataFrame({"v": np.arange(50.0)}) for _ in range(3)]
    res = run_link(*one)
    assert res.status == "skipped" and "at least 2 attackable columns" in res.reason


def test_anonymeter_mode_and_determinism():
    train, hold, synth = triple(13, 300)
    res = run_link(train, synth, hold, mode="anonymeter", seed=5)
    assert res.details["k_values"] == [1, 10]
    assert res.details["targets"]["cap"] == 2000 and "anonymeter" in res.details
    again = run_link(train, synth, hold, mode="anonymeter", seed=5, threads=1)
    assert again.to_dict() == res.to_dict()  # same seed, any thread count: same result


def test_sides_go_approximate_above_the_size_and_still_link_a_copy(monkeypatch):
    """Above the pair threshold each side's search is an inverted file with a certified nprobe
    (the same index for training and holdout targets); a copied release is still linked, a
    clean one still is not, and the details say how the sides were searched."""
    from synthscan.attacks import searches

    train, hold, clean = triple(21, 500)
    exact = run_link(train, train.copy(), hold, seed=3)
    assert exact.details["searches"] == {"search": "exact", "searches": 10}
    monkeypatch.setattr(searches, "APPROX_MIN_PAIRS", 0)
    leaky = run_link(train, train.copy(), hold, seed=3)
    how = leaky.details["searches"]
    assert how["approximate"] == how["searches"] == 10 and how["sample"] == 500
    assert leaky.lower > 0.5
    fresh = run_link(train, clean, hold, seed=3)
    assert decide(fresh.tests, 0.05, 6).lower < 0.05
