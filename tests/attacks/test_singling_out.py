"""Singling out on tables with known truth: hand-counted predicate successes (the sub-tests'
counts), the vectorised evaluator against a brute-force one, planted copies found, a clean
release certified below 5%."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthscan import fitworker
from synthscan.api import prepare, run_checks
from synthscan.attacks.registry import instantiate
from synthscan.attacks.singling_out import (
    MIN_PREDICATES,
    TOP,
    CodedColumns,
    CodedTable,
    Predicates,
    SinglingOut,
    mine_multivariate,
    random_baseline,
)
from synthscan.config import ScanConfig
from synthscan.datasets import simulate_population
from synthscan.stats.bounds import decide, excess_lower, excess_upper

#: small tests request their own predicate counts; the default minimum has its own tests
SMALL = SinglingOut(min_predicates=0)


def run_so(train, synth, hold, check=None, **cfg) -> tuple:
    ctx, _ = prepare(train, synth, hold, ScanConfig(**cfg))
    return run_checks(ctx, [check or SMALL])[0], ctx


def triple(seed: int, n: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    pop = simulate_population(3 * n, seed)
    return (pop.iloc[:n].reset_index(drop=True), pop.iloc[n:2 * n].reset_index(drop=True),
            pop.iloc[2 * n:].reset_index(drop=True))


# ------------------------------------------------------------------------------ hand-worked


def _hand_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """20 rows each. Univariate predicates of S (each isolates one synthetic row):
    c == 'b', c == 'd', c is missing, x == 1, x == 9, x <= 1 (min), x >= 9 (max)."""
    s_c = ["a"] * 17 + ["b", "d", None]
    s_x = [5.0] * 18 + [1.0, 9.0]
    # train: 'b' once ✓, 'd' twice ✗, missing once ✓; x == 1 once ✓, x == 9 never ✗,
    # x <= 1 twice (0.5, 1.0) ✗, x >= 9 once (12) ✓ -> 4 of 7
    t_c = ["a"] * 16 + ["b", "d", "d", None]
    t_x = [5.0] * 17 + [0.5, 1.0, 12.0]
    # holdout: 'b' never ✗, 'd' once ✓, missing never ✗; x == 1 never ✗, x == 9 once ✓,
    # x <= 1 never ✗, x >= 9 twice (9, 10) ✗ -> 2 of 7
    h_c = ["a"] * 19 + ["d"]
    h_x = [5.0] * 18 + [9.0, 10.0]
    train, synth, hold = (pd.DataFrame({"c": c, "x": x})
                          for c, x in ((t_c, t_x), (s_c, s_x), (h_c, h_x)))
    return train, synth, hold


def test_hand_worked_univariate_rates_are_exact():
    train, synth, hold = _hand_tables()
    res, _ = run_so(train, synth, hold, singling_out_predicates=10,
                    columns={"c": "categorical", "x": "numeric"})
    uni = res.details["kinds"]["univariate"]
    assert uni["found"] == 7 and uni["requested"] == 10 and uni["shortfall"] == 3
    assert uni["composition"] == {"extremes_and_missing": 3, "values_occurring_once": 4}
    assert res.details["equal_size"]["subsampled"] == "none"
    # multivariate: each synthetic row gives one candidate on both columns (median of x is 5:
    # 'at most' for 5 and 1, 'at least' for 9). Isolating ones: c == 'b' & x <= 5,
    # c == 'd' & x <= 1, c missing & x >= 9. Train: ✓ ✗ (two rows) ✓; holdout: ✗ ✗ ✗
    multi = res.details["kinds"]["multivariate"]
    assert multi["found"] == 3 and multi["candidates_tried"] == 1000
    # one sub-test per kind, with the hand-counted successes out of the predicates found
    assert [(t.label, t.k_t, t.n_t, t.k_h, t.n_h) for t in res.tests] == [
        ("univariate", 4, 7, 2, 7), ("multivariate", 2, 3, 0, 3)]
    assert uni["excess"] == pytest.approx(4 / 7 - 2 / 7)  # absolute: no division by 1 - r_H
    assert multi["excess"] == pytest.approx(2 / 3)
    assert res.estimate == pytest.approx(2 / 3)  # the worse kind
    worst = res.tests[1]
    assert (res.lower, res.upper) == pytest.approx((excess_lower(worst, 0.025),
                                                    excess_upper(worst, 0.025)))
    assert res.unit == "predicates" and res.unit_total == 3
    assert res.counts["train_rows"] == 20 and res.counts["predicates_evaluated"] == 10
    assert "precision_note" in res.details  # too few predicates, and it says so
    assert res.summary == ""  # run() writes numbers; summarize() the words
    text = SMALL.summarize(res)
    assert "(7 of 10 requested found)" in text  # the shortfall is said, not hidden
    assert "95% interval" in text and "; the train side" not in text  # equal sizes
    # no record values in the words: the rare values and extremes never appear
    for token in ("'b'", "'d'", "12.0", "9.0"):
        assert token not in text
    # the scan's coding: x's pooled levels are 0.5 1 5 9 10 12, its synthetic median is 5
    coded = CodedColumns.from_context(prepare(train, synth, hold, ScanConfig(
        columns={"c": "categorical", "x": "numeric"}))[0])
    assert coded.names == ["c", "x"] and coded.numeric.tolist() == [False, True]
    assert coded.median_rank.tolist() == [-1, 2]
    assert coded.ranks["holdout"][1].tolist() == [2] * 18 + [3, 4]
    assert coded.ranks["train"][0][-1] == -1  # a missing value


def test_summary_levels_come_from_the_result():
    train, synth, hold = _hand_tables()
    res, _ = run_so(train, synth, hold, singling_out_predicates=10, alpha=0.1,
                    columns={"c": "categorical", "x": "numeric"})
    text = SMALL.summarize(res)
    assert res.level == pytest.approx(0.9) and "90% interval" in text and "95%" not in text
    worst = res.tests[1]
    lo, hi = excess_lower(worst, 0.05), excess_upper(worst, 0.05)
    assert f"interval {100 * lo:.1f} to {100 * hi:.1f} percentage points" in text


def _brute(ranks: np.ndarray, preds: Predicates) -> np.ndarray:
    p_n = len(preds)
    out = np.zeros((p_n, ranks.shape[1]), dtype=bool)
    for i in range(p_n):
        ok = np.ones(ranks.shape[1], dtype=bool)
        for c, lo, hi in zip(preds.col[i], preds.lo[i], preds.hi[i], strict=True):
            if c >= 0:
                ok &= (ranks[c] >= lo) & (ranks[c] <= hi)
        out[i] = ok
    return out


@pytest.mark.parametrize("budget", [1 << 16, 500, 1])  # one chunk, many, one per predicate
def test_vectorised_matches_equal_brute_force_with_missing_values(budget, monkeypatch):
    from synthscan.attacks.singling_out import tables

    monkeypatch.setattr(tables, "PAIR_BUDGET", budget)
    rng = np.random.default_rng(7)
    ranks = rng.integers(-1, 6, size=(5, 300)).astype(np.int32)  # -1 = missing
    table = CodedTable(ranks)
    n_p = 400
    col = np.where(rng.random((n_p, 4)) < 0.8, rng.integers(0, 5, (n_p, 4)), -1)
    col[:, 0] = rng.integers(0, 5, n_p)
    v = rng.integers(-1, 6, (n_p, 4))
    kind = rng.integers(0, 3, (n_p, 4))  # equality, at least, at most
    lo = np.where(kind == 0, v, np.where(kind == 1, v, 0))
    hi = np.where(kind == 0, v, np.where(kind == 1, TOP, v))
    lo = np.where(v == -1, -1, lo)
    hi = np.where(v == -1, -1, hi)
    preds = Predicates(col.astype(np.int64), lo.astype(np.int32), hi.astype(np.int32))
    expect = _brute(ranks, preds)
    got = np.zeros_like(expect)
    p_idx, r_idx = table.matches(preds.ordered_by(table))
    got[p_idx, r_idx] = True
    assert (got == expect).all()
    got[:] = False  # unused slots between terms, terms in any order: the same pairs
    p_idx, r_idx = table.matches(preds)
    got[p_idx, r_idx] = True
    assert (got == expect).all() and len(p_idx) == int(expect.sum())
    # 'at most' never matches a missing value; 'is missing' matches only missing values
    at_most = Predicates(np.array([[0]]), np.array([[0]], np.int32), np.array([[5]], np.int32))
    assert table.counts(at_most)[0] == int((ranks[0] >= 0).sum())
    is_missing = Predicates(np.array([[0]]), np.array([[-1]], np.int32),
                            np.array([[-1]], np.int32))
    assert table.counts(is_missing)[0] == int((ranks[0] == -1).sum())


@pytest.mark.parametrize("first", [1, 4, 256])
def test_success_in_two_passes_equals_brute_force_counts(first, monkeypatch):
    """A predicate is settled after its first candidates only when the rest cannot change
    its answer: the table's and every subsample's 'exactly one' equal brute-force counts."""
    from synthscan.attacks.singling_out import success

    monkeypatch.setattr(success, "FIRST_CANDIDATES", first)
    rng = np.random.default_rng(0)
    ranks = rng.integers(-1, 12, size=(4, 500)).astype(np.int32)
    n_p = 600
    col = np.where(rng.random((n_p, 3)) < 0.6, rng.integers(0, 4, (n_p, 3)), -1)
    col[:, 0] = rng.integers(0, 4, n_p)
    v = rng.integers(-1, 12, (n_p, 3))
    kind = rng.integers(0, 3, (n_p, 3))  # broad ('at least' / 'at most') and narrow terms
    lo = np.where(v == -1, -1, np.where(kind == 2, 0, v))
    hi = np.where(v == -1, -1, np.where(kind == 1, TOP, v))
    preds = Predicates(col.astype(np.int64), lo.astype(np.int32), hi.astype(np.int32))
    masks = [rng.random(500) < q for q in (0.01, 0.02, 0.3)]
    full, sub = success._success(CodedTable(ranks), preds, masks)
    expect = _brute(ranks, preds)
    np.testing.assert_array_equal(full, expect.sum(axis=1) == 1)
    for r, keep in enumerate(masks):
        np.testing.assert_array_equal(sub[r], (expect & keep[None, :]).sum(axis=1) == 1)
    assert full.any() and sub.any() and not sub.all()  # both answers occur


def test_multivariate_predicates_isolate_one_synthetic_row_and_follow_the_median_rule():
    train, hold, synth = triple(3, 400)
    ctx, _ = prepare(train, synth, hold, ScanConfig(seed=3))
    coded = CodedColumns.from_context(ctx)
    synth_t = CodedTable(coded.ranks["synthetic"])
    mined = mine_multivariate(coded, synth_t, 200, (2, 6), 20_000, np.random.default_rng(0))
    preds = mined.preds
    assert len(preds) == 200
    assert len(set(preds.keys())) == 200  # distinct
    assert (_brute(coded.ranks["synthetic"], preds).sum(axis=1) == 1).all()
    size = (preds.col >= 0).sum(axis=1)
    assert size.min() >= 2 and size.max() <= 6
    used = preds.col >= 0
    c = np.where(used, preds.col, 0)
    num = coded.numeric[c] & used & (preds.lo != -1)
    ge = num & (preds.hi == TOP)
    le = num & (preds.hi != TOP)
    med = coded.median_rank[c]
    assert (preds.lo[ge] > med[ge]).all()  # 'at least v' only for values above the median
    assert (preds.hi[le] <= med[le]).all() and (preds.lo[le] == 0).all()
    # the baseline keeps shapes but not values
    base = random_baseline(coded, preds, np.random.default_rng(1))
    assert (base.col == preds.col).all()
    assert (base.lo != preds.lo).any()


# ------------------------------------------------------------------------------ known truth


def test_copied_release_scores_near_one():
    train, hold, _ = triple(11, 500)
    res, ctx = run_so(train, train.copy(), hold, seed=1, singling_out_predicates=300)
    assert len(res.tests) == 2 and res.estimate > 0.8
    assert decide(res.tests, 0.05, 6).lower > 0.5 and res.lower > 0.5
    for test, kind in zip(res.tests, res.details["kinds"].values(), strict=True):
        assert test.estimate > 0.8 and kind["excess"] == pytest.approx(test.estimate)
        assert abs(kind["random_baseline"]["excess"]) < 0.1  # random predicates see nothing


def test_clean_release_is_certified_below_five_percent_with_the_default_predicates():
    train, hold, synth = triple(100, 1000)
    res, _ = run_so(train, synth, hold, check=SinglingOut(), seed=0)
    assert [t.n_t for t in res.tests][1] == MIN_PREDICATES  # multivariate: all found
    assert res.details["kinds"]["univariate"]["requested"] == MIN_PREDICATES
    d = decide(res.tests, 0.05, 6)
    assert d.upper < 0.05 and d.lower < 0
    assert abs(res.estimate) < 0.03


def test_the_predicate_minimum_applies_unless_the_mode_is_anonymeter():
    train, synth, hold = _hand_tables()
    cols = {"c": "categorical", "x": "numeric"}
    res, _ = run_so(train, synth, hold, check=SinglingOut(max_tries_factor=1),
                    singling_out_predicates=10, columns=cols)
    assert res.details["predicates_per_kind"]["requested"] == MIN_PREDICATES
    assert res.details["predicates_per_kind"]["configured"] == 10
    assert res.details["kinds"]["multivariate"]["candidates_tried"] == MIN_PREDICATES
    res, _ = run_so(train, synth, hold, check=SinglingOut(), mode="anonymeter", columns=cols)
    assert res.details["kinds"]["univariate"]["requested"] == 500


def test_equal_size_subsampling_when_train_is_larger():
    pop = simulate_population(1500, 5)
    train, hold, synth = pop.iloc[:700], pop.iloc[700:1000], pop.iloc[1000:]
    res, _ = run_so(train, synth, hold, seed=2, singling_out_predicates=100)
    eq = res.details["equal_size"]
    assert eq == {**eq, "size": 300, "subsampled": "train", "repeats": 10}
    assert "the train side averaged over 10 random subsamples" in SMALL.summarize(res)
    again, _ = run_so(train, synth, hold, seed=2, singling_out_predicates=100)
    assert again.to_dict() == res.to_dict()  # same seed, same result
    # the knob, as a settings file passes it: fewer subsamples, coarser train successes
    check = instantiate(SinglingOut, {"repeats": 2, "min_predicates": 0})
    assert check.get_params() == {"repeats": 2, "max_tries_factor": 100, "n_cols": (2, 6),
                                  "min_predicates": 0}
    two, _ = run_so(train, synth, hold, check=check, seed=2, singling_out_predicates=100)
    assert two.details["equal_size"]["repeats"] == 2 and two.counts["subsample_repeats"] == 2
    assert all(2 * t.k_t == int(2 * t.k_t) for t in two.tests)  # halves: 2 subsamples
    assert [t.k_t for t in two.tests] != [t.k_t for t in res.tests]
    assert [t.k_h for t in two.tests] == [t.k_h for t in res.tests]  # the holdout is whole


def test_knobs_are_keyword_only():
    assert SinglingOut.param_names() == ["repeats", "max_tries_factor", "n_cols",
                                         "min_predicates"]
    with pytest.raises(TypeError):
        SinglingOut(10)  # type: ignore[misc]


# ------------------------------------------------------------------------------ robustness


def test_odd_column_names_work():
    train, hold, synth = triple(8, 200)
    rename = {"age": "age (years)", "sex": "it's \"sex\"", "region": "région < 5",
              "income": "income $ & <tax>", "bmi": "b m i"}
    res, _ = run_so(*(f.rename(columns=rename) for f in (train, synth, hold)),
                    singling_out_predicates=50)
    assert res.status != "error" and res.estimate is not None
    assert res.details["kinds"]["multivariate"]["found"] > 0


def test_tiny_tables_are_skipped_with_the_minimum():
    train, hold, synth = triple(9, 12)
    res, _ = run_so(train, synth, hold)
    assert res.status == "skipped" and "at least 20 rows" in res.reason


def test_release_of_duplicated_rows_is_skipped_with_the_reason():
    train, hold, synth = triple(10, 300)
    synth = synth.iloc[:15].sample(300, replace=True, random_state=0)  # no unique row
    res, _ = run_so(train, synth, hold, singling_out_predicates=50)
    assert res.status == "skipped" and "no predicate isolating" in res.reason
    # vacuous: the attack has nothing to try, so it does not keep the verdict from low
    from synthscan.risk.policy import Policy
    from synthscan.risk.verdict import apply_policy

    assert res.vacuous
    _, v = apply_policy([res], Policy(), 0.05, ["singling_out"])
    assert v.risk.missing == () and v.verdict == "inconclusive"  # nothing decided is not low either


def test_one_column_runs_univariate_only():
    rng = np.random.default_rng(4)
    train, synth, hold = (pd.DataFrame({"v": np.round(rng.normal(size=60), 2)})
                          for _ in range(3))
    res, _ = run_so(train, synth, hold, singling_out_predicates=20)
    assert list(res.details["kinds"]) == ["univariate"]
    assert [t.label for t in res.tests] == ["univariate"]
    assert res.estimate == pytest.approx(res.tests[0].rate_t - res.tests[0].rate_h)


def test_anonymeter_mode_uses_its_attack_counts():
    train, hold, synth = triple(12, 400)
    res, _ = run_so(train, synth, hold, check=SinglingOut(), mode="anonymeter")
    kinds = res.details["kinds"]
    assert kinds["univariate"]["requested"] == 500
    assert kinds["multivariate"]["requested"] == 100
    assert kinds["multivariate"]["composition"]["columns_per_predicate"] == [4, 4]
    assert "equal size" in res.details["anonymeter"]["differences"]


def test_screens_start_at_256_rows_and_grow_eightfold_to_a_quarter():
    from synthscan.attacks.singling_out.mining import screen_sizes

    assert screen_sizes(1000) == []  # a quarter (250) is below 256 rows: no screen pays
    assert screen_sizes(1024) == [256]
    assert screen_sizes(39_040) == [256, 2048, 9760]
    assert screen_sizes(1_000_000) == [256, 2048, 16_384, 131_072, 250_000]


def test_wide_tables_draw_distinct_columns_uniformly_and_quickly():
    from synthscan.attacks.singling_out.mining import _distinct_draws

    rng = np.random.default_rng(0)
    cols = _distinct_draws(20_000, 100, 6, rng)
    assert cols.shape == (20_000, 6) and cols.min() >= 0 and cols.max() < 100
    assert all(len(set(row)) == 6 for row in cols[:2000].tolist())  # distinct within a row
    # every column about equally often in every slot: 20,000 / 100 = 200 per (slot, column)
    per_slot = np.stack([np.bincount(cols[:, j], minlength=100) for j in range(6)])
    assert per_slot.min() > 140 and per_slot.max() < 260
    # a table as wide as the shapes: every row a permutation of all its columns
    full = _distinct_draws(500, 6, 6, rng)
    assert (np.sort(full, axis=1) == np.arange(6)).all()


def test_the_attack_gives_the_same_result_in_the_worker_process_and_here(monkeypatch):
    from synthscan.attacks import background
    from synthscan.attacks.singling_out import check as so_check

    train, hold, other = triple(11, 500)
    synth = pd.concat([train.iloc[:150], other.iloc[150:]], ignore_index=True)  # 150 copies

    def result() -> dict:
        res, _ = run_so(train, synth, hold, seed=3, singling_out_predicates=300)
        return res.to_dict()

    here = result()  # 1,500 records: too few to start a worker for
    sent: list[str] = []
    send = background.Worker.send
    monkeypatch.setattr(background.Worker, "send", lambda self, jobs: sent.extend(
        type(j).__name__ for j in jobs) or send(self, jobs))
    monkeypatch.setattr(background, "MIN_BACKGROUND_ROWS", 0)
    monkeypatch.setattr(fitworker.os, "cpu_count", lambda: 2)
    assert result() == here and sent == ["SinglingOutJob"]
    # above WORKER_MAX_RECORDS it stays here, even with a worker at hand
    monkeypatch.setattr(so_check, "WORKER_MAX_RECORDS", 1000)
    assert result() == here and sent == ["SinglingOutJob"]
    assert here["estimate"] > 0.1  # the planted copies are found (not a vacuous comparison)
