"""Attribute inference on generated data with known truth: hand-worked accuracies (the
sub-tests' counts), copied and attribute-only leaks are flagged, a clean release is certified
below 5%, a secret without room does not block, missing values and tiny tables are handled,
the candidate search equals exact per-secret searches, results are reproducible."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import synthscan
from synthscan import fitworker
from synthscan.api import prepare, run_checks
from synthscan.attacks.inference import AttributeInference, attack_plan, numeric_tolerance
from synthscan.attacks.inference.columns import code_columns
from synthscan.attacks.inference.report import ANONYMETER_N_ATTACKS
from synthscan.config import ScanConfig
from synthscan.datasets import simulate_population
from synthscan.errors import ConfigError
from synthscan.neighbors.engine import NeighborEngine
from synthscan.neighbors.subset import CandidateNN, nn_credit
from synthscan.risk.policy import Policy
from synthscan.risk.verdict import apply_policy
from synthscan.stats.bounds import decide, excess_lower, excess_upper
from synthscan.stats.tests import two_proportion_p

DEFAULTS = AttributeInference()
TAU = DEFAULTS.tau


def triple(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Train, holdout and a fresh (clean) synthetic release: disjoint population draws."""
    pop = simulate_population(3 * n, seed)
    parts = [pop.iloc[i * n:(i + 1) * n].reset_index(drop=True) for i in range(3)]
    return parts[0], parts[1], parts[2]


def inference(train, synth, hold, check: AttributeInference | None = None, **cfg) -> tuple:
    """The check run and decided as in a scan that plans it alone, with its sentence."""
    ctx, _ = prepare(train, synth, hold, ScanConfig(**cfg))
    check = check or AttributeInference()
    (res,) = run_checks(ctx, [check])
    (res,), _ = apply_policy([res], Policy(), ctx.config.alpha, [check.id])
    return ctx, res.replace(summary=check.summarize(res))


def rows_of(res, secret: str, attacker: str = "1-NN") -> dict:
    (row,) = [r for r in res.details["table"]
              if r["secret"] == secret and r["attacker"] == attacker]
    return row


# ------------------------------------------------------------------------------ hand-worked


def test_nn_credit_splits_exact_ties_fairly():
    # 1-D reference: two records at 0 (secrets 1 and 2), one at 1 (secret 1), one at 2 (3)
    ref = np.array([[0.0], [0.0], [1.0], [2.0]], np.float32)
    ref_y = np.array([1.0, 2.0, 1.0, 3.0])
    q = np.array([[0.0], [1.0], [1.5], [1.5]], np.float32)
    truth = np.array([1.0, 1.0, 3.0, 2.0])
    (credit,) = nn_credit(ref, ref_y, [q], [truth], tolerance=0.0)
    # q0: tied records {1, 2} -> 1/2; q1: record {1} -> 1; q2: tie {1, 3} at 0.5 -> 1/2;
    # q3: tie {1, 3}, neither is 2 -> 0
    assert credit.tolist() == [0.5, 1.0, 0.5, 0.0]
    # tolerance 1: values within 1 of the truth count; +inf (a missing value) never does.
    # q0: {1, inf} vs 1 -> 1/2; q1: {1} -> 1; q2: {1, 3} vs 3 -> 1/2; q3: {1, 3} vs 2 -> 1
    (credit,) = nn_credit(ref, np.array([1.0, np.inf, 1.0, 3.0]), [q], [truth], tolerance=1.0)
    assert credit.tolist() == [0.5, 1.0, 0.5, 1.0]


def test_hand_worked_accuracies_tolerance_and_ties():
    # known column k identifies train records a_i in the synthetic data; holdout records b_i are
    # never seen there, so every synthetic row ties for them (distance 1 on k)
    n = 20
    i = np.arange(n)
    train = pd.DataFrame({"k": [f"a{j}" for j in i], "y": 10.0 * i})
    hold = pd.DataFrame({"k": [f"b{j}" for j in i], "y": 10.0 * i + 3})
    synth = pd.DataFrame({"k": [f"a{j}" for j in i],
                          "y": np.where(i < 10, 10.0 * i, 10.0 * i + 50)})
    # pooled real y: 0, 3, 10, 13, ..., 190, 193 -> quartiles 48.25 and 144.75, IQR 96.5
    tol, spread = numeric_tolerance(np.concatenate([train.y, hold.y]), TAU)
    assert spread == "IQR"
    assert tol == pytest.approx(TAU * 96.5)  # 4.825: a guess 3 off counts, 7 off does not
    # k is unique per record: declare it categorical (it would be inferred as an identifier)
    ctx, res = inference(train, synth, hold, secret=["y"], known=["k"],
                         columns={"k": "categorical"})
    row = rows_of(res, "y")
    # train a_i: own synthetic row, exact for i < 10, 50 off for i >= 10 -> 10 of 20
    assert row["successes_train"] == pytest.approx(10.0)
    assert row["accuracy_train"] == pytest.approx(0.5)
    # holdout b_i (truth 10i + 3): 20 tied rows, one of them (10i) within tolerance when
    # 10i is a synthetic value: i < 10 or 15 <= i <= 19 -> 15 targets x 1/20
    assert row["successes_holdout"] == pytest.approx(0.75)
    a_h = 0.75 / 20
    assert row["excess"] == pytest.approx(0.5 - a_h)  # absolute: no division by 1 - A_H
    assert row["room"] == pytest.approx(1 - a_h)
    # baseline: holdout half -> other half; all tie, every other holdout y is >= 10 away
    assert row["baseline_successes"] == 0 and row["baseline_targets"] == 10
    assert res.details["pairs_tested"] == 2  # 1-NN and gradient boosting
    # the learner has too few rows and guesses one value (the snapped median, 90): 1 of 20 on
    # each side (90 vs train 90, holdout 93)
    gb = rows_of(res, "y", "gradient boosting")
    assert gb["successes_train"] == 1 and gb["successes_holdout"] == 1
    # one sub-test per (secret, attacker) with exactly these counts
    assert sorted((t.label, t.k_t, t.n_t, t.k_h, t.n_h) for t in res.tests) == [
        ("y / 1-NN", 10, 20, pytest.approx(0.75), 20), ("y / gradient boosting", 1, 20, 1, 20)]
    worst = next(t for t in res.tests if t.label == "y / 1-NN")
    assert res.estimate == pytest.approx(0.5 - a_h)
    assert (res.lower, res.upper) == pytest.approx((excess_lower(worst, 0.025),
                                                    excess_upper(worst, 0.025)))
    assert res.unit == "training records" and res.unit_total == res.counts["train_rows"] == 20
    # the p-value is the pooled one-sided z-test, descriptive and unadjusted
    p = two_proportion_p(10.0, 20, 0.75, 20)
    z = (0.5 - a_h) / math.sqrt(0.26875 * 0.73125 * (2 / 20))
    assert p == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)))
    assert row["p_value"] == pytest.approx(p)


def test_categorical_secret_missing_is_a_value_of_its_own():
    n = 20
    i = np.arange(n)
    secret = np.array(["x", None, "y", None] * 5, dtype=object)
    train = pd.DataFrame({"k": i.astype(float), "s": secret})
    hold = pd.DataFrame({"k": i + 0.25, "s": np.roll(secret, 2)})
    synth = train.copy()
    _, res = inference(train, synth, hold, secret=["s"], known=["k"])
    row = rows_of(res, "s")
    # train targets find their own copy: missing guessed for missing counts as correct
    assert row["accuracy_train"] == 1.0
    # holdout k_i + 0.25 is nearest to train k_i, whose secret is two steps off: x<->y and
    # missing<->missing: missing matches (10 of 20), x vs y never does
    assert row["accuracy_holdout"] == pytest.approx(0.5)
    assert "missing_truth_excluded" not in row


def test_tolerance_falls_back_when_the_iqr_is_zero():
    v = np.zeros(1000)
    v[:5] = np.arange(1, 6) * 100.0  # 99.5% zeros: IQR 0 and 1st-99th percentile span 0
    tol, spread = numeric_tolerance(v, TAU)
    assert spread.startswith("min-max") and tol == pytest.approx(TAU * 500)
    v[:50] = np.linspace(1, 200, 50)  # 5% non-zero: IQR 0, percentile span > 0
    tol, spread = numeric_tolerance(v, TAU)
    assert spread.startswith("1st-99th") and tol > 0
    assert numeric_tolerance(np.full(10, 3.0), TAU) == (0.0, "constant column (exact match)")


@pytest.mark.parametrize("block", [1 << 22, 700])  # one block of distances, several
def test_few_queries_compared_with_every_row_equal_the_deduplicated_search(block, monkeypatch):
    """``nn_credit`` under L1 for up to FEW_QUERIES queries (every reference row compared, no
    deduplication) gives the tie-aware search's credits: coarse values (many exact ties),
    missing labels (+inf, never a match) and a tolerance window."""
    from synthscan.neighbors import subset

    monkeypatch.setattr(subset, "BLOCK_PAIRS", block)
    rng = np.random.default_rng(5)
    ref = (rng.integers(0, 4, (300, 3)) * 0.25).astype(np.float32)
    labels = rng.integers(0, 5, 300).astype(np.float64)
    labels[rng.random(300) < 0.1] = np.inf
    queries = (rng.integers(0, 4, (40, 3)) * 0.25).astype(np.float32)
    truth = rng.integers(0, 5, 40).astype(np.float64)
    for tolerance in (0.0, 1.0):
        args = (ref, labels, [queries[:15], queries[15:]], [truth[:15], truth[15:]], tolerance)
        monkeypatch.setattr(subset, "FEW_QUERIES", 64)
        few = subset.nn_credit(*args)
        monkeypatch.setattr(subset, "FEW_QUERIES", 0)  # the deduplicated search
        searched = subset.nn_credit(*args)
        assert [len(x) for x in few] == [15, 25]
        for a, b in zip(few, searched, strict=True):
            np.testing.assert_array_equal(a, b)
        credits = np.concatenate(few)
        assert ((credits > 0) & (credits < 1)).any()  # fractions: ties were shared


@pytest.mark.parametrize(("pruned", "metric", "wide"),
                         [(False, "l1", False), (False, "l1", True), (False, "l2", True),
                          (True, "l1", False), (True, "l2", False)])
def test_candidate_search_equals_exact_per_secret_searches(pruned, metric, wide, monkeypatch):
    from synthscan.neighbors import subset

    if pruned:  # the inverted file's exact search and fallbacks, as above 500,000 rows
        monkeypatch.setattr(subset, "PRUNED_MIN_REFERENCE", 0)
    monkeypatch.setattr(subset, "CREDIT_BLOCK", 37)  # many blocks of queries, a short last one
    train, hold, synth = triple(400, 3)
    ctx, _ = prepare(train, synth, hold, ScanConfig(metric=metric))
    names = [c.name for c in ctx.schema.distance_columns]
    cols = code_columns(ctx, names, TAU, DEFAULTS.max_codes)
    codes = {c: (cols[c].values["synthetic"], cols[c].values["train"])
             for c in names if not cols[c].numeric}
    if wide:  # at most 120 queries widened, credited 37 x 6 // 9 = 24 at a time
        monkeypatch.setattr(subset, "WIDE_BUDGET", 120 * 9)
    # a small k forces many queries through the exact fallback
    nn = CandidateNN(ctx.encoded["synthetic"], ctx.encoded["train"], ctx.encoder, names, codes,
                     metric, k=6)
    narrow = CandidateNN(ctx.encoded["synthetic"], ctx.encoded["train"], ctx.encoder, names,
                         codes, metric, k=6)
    if wide:  # 9 candidates for some of the queries at risk (the others fall back), not
        # always enough to certify a guess
        knowns = [[c for c in names if c != secret] for secret in names]
        assert 0 < nn.widen(knowns, k=9) <= 120 < len(train)
    for secret in names:
        col = cols[secret]
        known = [c for c in names if c != secret]
        truth = col.values["train"]
        rows = np.flatnonzero(~np.isnan(truth)) if col.numeric else np.arange(len(truth))
        ref_y = col.nn_labels("synthetic")
        fast = nn.credit(known, ref_y, rows, truth[rows], col.tolerance)
        dims = ctx.encoder.dims_of(known)
        (exact,) = nn_credit(ctx.encoded["synthetic"][:, dims], ref_y,
                             [ctx.encoded["train"][rows][:, dims]], [truth[rows]],
                             col.tolerance, metric)
        np.testing.assert_array_equal(fast, exact)
        if wide:
            narrow.credit(known, ref_y, rows, truth[rows], col.tolerance)
    assert 0 < nn.fallback_queries < len(names) * len(train)
    assert (nn._cells is not None) == pruned  # the fallbacks searched the cells' balls
    if wide:  # the widened queries certified from their wider candidates: fewer searches
        assert nn.fallback_queries < narrow.fallback_queries



@pytest.mark.parametrize("pruned", [False, True])
def test_secrets_credited_in_threads_equal_one_after_the_other(pruned, monkeypatch):
    """``scores_all`` on two threads gives every secret's scores bit for bit as one thread
    does, fallbacks included; with the inverted file (memory per call) it stays on one."""
    from concurrent import futures

    from synthscan.attacks.inference.attackers import NearestAttacker, Truths
    from synthscan.attacks.inference.plan import target_rows
    from synthscan.neighbors import subset

    if pruned:
        monkeypatch.setattr(subset, "PRUNED_MIN_REFERENCE", 0)
    monkeypatch.setattr(subset, "WIDE_CANDIDATES", 12)  # widened, and fallbacks left
    train, hold, synth = triple(500, 5)
    ctx, _ = prepare(train, synth, hold, ScanConfig())
    plan = [(s, q) for s, q in attack_plan(ctx, 50) if q]
    rows = target_rows(ctx, 5000, 10_000)
    cols = code_columns(ctx, sorted({c for s, q in plan for c in [s, *q]}), TAU,
                        DEFAULTS.max_codes)
    truths = {s: Truths.of(cols[s], rows) for s, _ in plan}
    alone = NearestAttacker(ctx, cols, rows, 8)  # few candidates: many fallbacks
    one = alone.scores_all(cols, plan, truths, threads=1)
    pooled = []
    real_pool = futures.ThreadPoolExecutor

    def counted(*args, **kwargs):
        pooled.append(kwargs.get("max_workers"))
        return real_pool(*args, **kwargs)

    import synthscan.attacks.inference.attackers as attackers
    monkeypatch.setattr(attackers, "ThreadPoolExecutor", counted)
    together = NearestAttacker(ctx, cols, rows, 8)
    two = together.scores_all(cols, plan, truths, threads=2)
    assert pooled == ([] if pruned else [2])
    assert list(two) == list(one) == [s for s, _ in plan]
    for secret in one:
        for a, b in zip(one[secret], two[secret], strict=True):
            np.testing.assert_array_equal(a, b)
    assert together.nn.fallback_queries == alone.nn.fallback_queries > 0


# ------------------------------------------------------------------------------ leaks and nulls


def test_copy_of_train_is_high_risk_in_default_every_column_mode():
    train, hold, _ = triple(600, 11)
    ctx, res = inference(train, train.copy(), hold, seed=1)
    n_cols = len(ctx.schema.distance_columns)
    assert res.details["pairs_tested"] == len(res.tests) == 2 * n_cols  # every column, both
    assert decide(res.tests, 0.05, 6).lower > 0.05
    # identifying numeric secrets are guessed exactly from the copy, not for holdout records
    for secret in ("income", "bmi"):
        row = rows_of(res, secret)
        assert row["accuracy_train"] > 0.9
        assert row["accuracy_holdout"] < 0.3
        assert row["interval"][0] > 0.5
    assert res.details["worst"]["secret"] in {r["secret"] for r in res.details["table"]}
    assert res.estimate == pytest.approx(max(t.estimate for t in res.tests))


def test_clean_release_is_certified_below_five_percent():
    # 5,000 targets per side (the cap): every upper bound stays well below 5% (at 2,000 per
    # side some seeds exceed it)
    train, hold, synth = triple(5000, 100)
    _, res = inference(train, synth, hold, seed=0, secret=["income", "occupation"])
    d = decide(res.tests, 0.05, 6)
    assert d.sub_tests == 4 and res.counts["targets_train"] == 5000
    assert max(t.rate_h for t in res.tests) > 0.3  # secrets are guessed: not a trivial bound
    assert d.upper < 0.05 and abs(res.estimate) < 0.03


def test_secret_without_room_is_reported_and_does_not_block():
    # 'dup' repeats 'sex': guessed for every record, training or holdout, by both attackers
    train, hold, synth = (df.assign(dup=df["sex"]) for df in triple(400, 6))
    _, res = inference(train, synth, hold, secret=["dup"], known=["sex"])
    assert res.details["secrets_without_room"] == ["dup"]
    for t in res.tests:
        assert t.k_t == t.n_t == t.k_h == t.n_h == 400
        assert t.estimate == 0 and excess_upper(t, 0.05) < 0.02
    assert rows_of(res, "dup")["room"] == 0
    assert decide(res.tests, 0.05, 6).upper < 0.05


def test_attribute_only_leak_is_flagged():
    """Fresh synthetic rows whose income is copied from the training record nearest on the
    quasi-identifiers the attacker knows. The rest of each row is fresh (nearest-record and
    copy tests see nothing); attribute inference on those columns does."""
    known = ["age", "sex", "region", "signup_date"]
    train, hold, synth = triple(1000, 40)
    cfg = ScanConfig(seed=0, secret=["income"], known=known)
    ctx, _ = prepare(train, synth, hold, cfg)
    dims = ctx.encoder.dims_of(known)
    _, idx = NeighborEngine(ctx.encoded["train"][:, dims]).kneighbors(
        ctx.encoded["synthetic"][:, dims], 1)
    leaky = synth.copy()
    leaky["income"] = train["income"].to_numpy()[idx[:, 0]]
    _, res = inference(train, leaky, hold, seed=0, secret=["income"], known=known)
    assert len(res.tests) == 2
    worst = max(res.tests, key=lambda t: t.estimate)
    assert worst.estimate > 0.2 and res.estimate == pytest.approx(worst.estimate)
    assert decide(res.tests, 0.05, 6).lower > 0.05
    assert rows_of(res, "income")["interval"][0] > 0.05
    # the same attack on the clean release finds nothing
    _, clean = inference(train, synth, hold, seed=0, secret=["income"], known=known)
    assert decide(clean.tests, 0.05, 6).lower < 0 < decide(clean.tests, 0.05, 6).upper


# ------------------------------------------------------------------------------ robustness


def test_missing_values_in_known_and_secret_columns():
    train, hold, synth = triple(300, 5)
    rng = np.random.default_rng(0)
    for df in (train, hold, synth):
        for col in ("income", "occupation", "age"):
            df.loc[rng.random(len(df)) < 0.15, col] = None
    _, res = inference(train, synth, hold, secret=["bmi", "smoker", "income", "occupation"])
    assert res.status != "error" and res.estimate is not None
    for row in res.details["table"]:
        for key in ("accuracy_train", "accuracy_holdout", "excess", "p_value", "room",
                    "upper_bound", "baseline"):
            assert math.isfinite(row[key]), (row["secret"], key)
        assert all(math.isfinite(v) for v in row["interval"])
    # numeric secrets with a missing truth are left out of the scoring, and counted
    bmi = rows_of(res, "bmi")
    assert bmi["missing_truth_excluded"]["train"] > 0
    assert bmi["targets_train"] + bmi["missing_truth_excluded"]["train"] == 300
    # categorical missing values are a class: every target is scored
    assert rows_of(res, "occupation")["targets_train"] == 300


def test_tiny_and_degenerate_inputs_are_skipped_with_a_reason():
    train, hold, synth = triple(10, 2)
    _, res = inference(train, synth, hold)
    assert res.status == "skipped" and "at least 20" in res.reason
    one = [df[["age"]] for df in triple(50, 2)]
    _, res = inference(*one)
    assert res.status == "skipped" and "two attackable columns" in res.reason


def test_unknown_column_names_raise_one_line_config_errors():
    train, hold, synth = triple(50, 2)
    ctx, _ = prepare(train, synth, hold, ScanConfig(secret=["salary"]))
    with pytest.raises(ConfigError) as exc:
        AttributeInference().run(ctx)
    msg = str(exc.value)
    assert "'salary'" in msg and "use one of" in msg and "\n" not in msg
    ctx, _ = prepare(train, synth, hold, ScanConfig(known=["person_id"]))  # an identifier
    with pytest.raises(ConfigError, match="'person_id' is not an attackable column"):
        AttributeInference().run(ctx)


def test_known_columns_narrow_the_plan():
    train, hold, synth = triple(50, 2)
    ctx, _ = prepare(train, synth, hold, ScanConfig(known=["age", "sex"]))
    plan = attack_plan(ctx, DEFAULTS.max_secrets)
    assert {s for s, _ in plan} == {c.name for c in ctx.schema.distance_columns} - {"age", "sex"}
    assert all(q == ["age", "sex"] for _, q in plan)
    ctx, _ = prepare(train, synth, hold, ScanConfig(secret=["income"]))
    ((secret, known),) = attack_plan(ctx, DEFAULTS.max_secrets)
    assert secret == "income" and "income" not in known and "person_id" not in known


def test_anonymeter_mode_uses_its_attack_count_and_1nn_only():
    train, hold, synth = triple(700, 8)
    _, res = inference(train, synth, hold, mode="anonymeter", secret=["income", "sex"])
    assert res.details["targets_per_side"] == ANONYMETER_N_ATTACKS
    assert {r["attacker"] for r in res.details["table"]} == {"1-NN"}
    assert res.details["pairs_tested"] == 2
    assert "relative to the guess" in res.details["anonymeter_comparison"]


def test_same_seed_same_result_and_no_record_values_in_output():
    train, hold, synth = triple(300, 9)
    a = inference(train, synth, hold, seed=4, secret=["income", "region"])[1].to_dict()
    b = inference(train, synth, hold, seed=4, secret=["income", "region"])[1].to_dict()
    assert a == b
    text = repr(a)
    for value in train["income"].head(50):
        assert f"{value}" not in text


def test_very_wide_data_samples_the_secrets_and_the_learner_features():
    MAX_SECRETS, MAX_LEARNER_FEATURES = DEFAULTS.max_secrets, DEFAULTS.max_learner_features
    n_cols = max(MAX_SECRETS, MAX_LEARNER_FEATURES) + 30
    rng = np.random.default_rng(0)
    frames = [pd.DataFrame(rng.integers(0, 3, (40, n_cols)).astype(float),
                           columns=[f"c{j}" for j in range(n_cols)]) for _ in range(3)]
    ctx, _ = prepare(frames[0], frames[2], frames[1], ScanConfig(seed=1))
    plan = attack_plan(ctx, DEFAULTS.max_secrets)
    assert len(plan) == MAX_SECRETS
    assert len({s for s, _ in plan}) == MAX_SECRETS
    assert all(len(q) == n_cols - 1 and s not in q for s, q in plan)
    assert plan == attack_plan(ctx, DEFAULTS.max_secrets)  # seeded
    (r,) = run_checks(ctx, [AttributeInference()])
    assert r.details["secrets_sampled"] is True
    assert r.details["pairs_tested"] == 2 * MAX_SECRETS
    # naming the secrets explicitly tests exactly those
    ctx2, _ = prepare(frames[0], frames[2], frames[1], ScanConfig(seed=1, secret=["c0", "c1"]))
    assert [s for s, _ in attack_plan(ctx2, DEFAULTS.max_secrets)] == ["c0", "c1"]


# ------------------------------------------------------------------------ coding, knobs, prose


def test_categorical_codes_rank_real_frequency_then_text():
    # real levels: b x4, a x2, c x2 (a tie: by text), missing; synthetic-only: z, y
    train = pd.DataFrame({"k": np.arange(5.0), "s": ["b", "b", "a", "c", None]})
    hold = pd.DataFrame({"k": np.arange(4.0), "s": ["b", "a", "c", "b"]})
    synth = pd.DataFrame({"k": np.arange(5.0), "s": ["z", "a", None, "y", "c"]})
    ctx, _ = prepare(train, synth, hold, ScanConfig(columns={"s": "categorical"}))
    col = code_columns(ctx, ["s"], TAU, max_codes=2)["s"]
    # b -> 0, a -> 1, c -> 2; missing -> 3 (n_seen); every synthetic-only level -> 4
    assert col.values["train"].tolist() == [0, 0, 1, 2, 3]
    assert col.values["holdout"].tolist() == [0, 1, 2, 0]
    assert col.values["synthetic"].tolist() == [4, 1, 3, 4, 2]
    # learner features: codes capped at max_codes - 1, missing as NaN
    np.testing.assert_array_equal(col.feature["synthetic"], [1, 1, np.nan, 1, 1])
    np.testing.assert_array_equal(col.feature["train"], [0, 0, 1, 1, np.nan])


def test_knobs_are_init_keywords_and_change_what_is_counted():
    train, hold, synth = triple(300, 21)
    _, full = inference(train, synth, hold, seed=0, secret=["income"])
    check = AttributeInference(target_cap=100, tau=0.5)
    assert check.get_params()["target_cap"] == 100 and "candidates" in check.param_names()
    _, capped = inference(train, synth, hold, check, seed=0, secret=["income"])
    assert full.details["targets_per_side"] == 300
    assert capped.details["targets_per_side"] == 100 and capped.details["tau"] == 0.5
    assert all(t.n_t == t.n_h == 100 for t in capped.tests)
    # a ten times wider tolerance makes the numeric secret far easier to guess
    assert rows_of(capped, "income")["accuracy_holdout"] > rows_of(full, "income")[
        "accuracy_holdout"] + 0.2
    # the same knob from a scan's settings (check_params)
    result = synthscan.scan(train, synth, holdout=hold, config=ScanConfig(
        seed=0, secret=["income"], checks=["attribute_inference"],
        check_params={"attribute_inference": {"target_cap": 50}}))
    assert result.check("attribute_inference").details["targets_per_side"] == 50


def test_summary_takes_its_levels_from_the_decided_result():
    train, hold, synth = triple(300, 22)
    _, res = inference(train, synth, hold, seed=0, secret=["income", "sex"], alpha=0.1)
    assert res.decision.upper_level == pytest.approx(0.9)
    assert "(90% interval" in res.summary and "one-sided 90% upper bound" in res.summary
    assert "95%" not in res.summary
    worst = rows_of(res, *res.decision.worst.split(" / "))
    assert f"for {worst['accuracy_train']:.1%} of {worst['targets_train']} training" in res.summary
    assert f"of {100 * res.estimate + 0.0:.1f} percentage points" in res.summary


def test_candidate_search_stays_exact_above_the_approximate_size(monkeypatch):
    """The candidates are found on every column, the secret included; only the exact bound
    (and the exact search where it fails) keeps the guess from depending on the secret. An
    approximate candidate search would leak the truth into the guess (measured on Adult: 1-NN
    accuracy on sex 0.75 -> 0.87 for training and holdout targets alike), so it stays exact."""
    from synthscan.attacks import searches

    train, hold, synth = triple(400, 5)
    _, exact = inference(train, synth, hold, seed=1)
    monkeypatch.setattr(searches, "APPROX_MIN_PAIRS", 0)
    _, forced = inference(train, synth, hold, seed=1)
    assert forced.tests == exact.tests


def test_learner_fits_in_a_worker_process_give_the_in_process_answers(monkeypatch):
    from synthscan.attacks import background

    train, hold, synth = triple(300, 5)
    _, inline = inference(train, synth, hold, seed=3)
    calls = []
    here = background.run_jobs
    monkeypatch.setattr(background, "run_jobs", lambda jobs: calls.append(1) or here(jobs))
    monkeypatch.setattr(background, "MIN_BACKGROUND_ROWS", 0)
    monkeypatch.setattr(fitworker.os, "cpu_count", lambda: 2)
    _, worker = inference(train, synth, hold, seed=3)
    assert calls == []  # the fits ran in the worker, none here
    assert worker.details["table"] == inline.details["table"]
    # a worker that fails (here: a program that exits 1 at once) makes the fits run here
    monkeypatch.setattr(background.sys, "executable", "/bin/false")
    _, fallback = inference(train, synth, hold, seed=3)
    assert calls == [1]
    assert fallback.details["table"] == inline.details["table"]


def test_an_empty_ball_falls_back_to_the_exact_search(monkeypatch):
    """A ball always holds the best candidate; if a defect left one empty, the credit comes
    from an exact search on the known columns instead of NaN or a wrong number."""
    from synthscan.neighbors import approx, subset

    monkeypatch.setattr(subset, "PRUNED_MIN_REFERENCE", 0)

    def empty_balls(self, queries, radius):
        n = len(queries)
        yield (np.arange(n), np.zeros(n + 1, np.int64), np.zeros(0, np.float32),
               np.zeros(0, np.int64))

    monkeypatch.setattr(approx.IVFIndex, "ball", empty_balls)
    train, hold, synth = triple(300, 5)
    ctx, _ = prepare(train, synth, hold, ScanConfig())
    names = [c.name for c in ctx.schema.distance_columns]
    cols = code_columns(ctx, names, TAU, DEFAULTS.max_codes)
    codes = {c: (cols[c].values["synthetic"], cols[c].values["train"])
             for c in names if not cols[c].numeric}
    nn = CandidateNN(ctx.encoded["synthetic"], ctx.encoded["train"], ctx.encoder, names, codes,
                     k=4)
    secret = next(c for c in names if not cols[c].numeric)
    known = [c for c in names if c != secret]
    truth = cols[secret].values["train"]
    rows = np.arange(len(truth))
    ref_y = cols[secret].nn_labels("synthetic")
    fast = nn.credit(known, ref_y, rows, truth, cols[secret].tolerance)
    dims = ctx.encoder.dims_of(known)
    (exact,) = nn_credit(ctx.encoded["synthetic"][:, dims], ref_y,
                         [ctx.encoded["train"][:, dims]], [truth], cols[secret].tolerance)
    assert nn.fallback_queries > 0
    np.testing.assert_array_equal(fast, exact)


def test_pooled_secrets_share_the_cores_between_them(monkeypatch):
    """Each pool thread's searches (the fallbacks) get threads // workers cores, not every
    core: no pool of many threads each starting every core's worth of search threads."""
    from synthscan.attacks.inference import attackers
    from synthscan.neighbors import engine

    class Safe:
        threads_safe = True
        columns: list[str] = []

        def widen(self, knowns: list[list[str]]) -> int:
            return 0

    monkeypatch.setattr(engine.os, "cpu_count", lambda: 16)
    seen: list[int] = []
    monkeypatch.setattr(attackers.NearestAttacker, "scores",
                        lambda _self, col, known, truth: seen.append(
                            engine.search_threads(None)) or (col, known, truth))
    nearest = attackers.NearestAttacker.__new__(attackers.NearestAttacker)
    nearest.nn, nearest.base = Safe(), None  # type: ignore[assignment]
    plan = [(f"s{i}", ["k"]) for i in range(5)]
    named = {s: s for s, _ in plan}
    out = nearest.scores_all(named, plan, named, threads=16)  # type: ignore[arg-type]
    assert list(out) == [s for s, _ in plan]
    assert seen == [3] * 5  # 16 cores over 5 pool threads
    seen.clear()
    nearest.scores_all(named, plan, named, threads=1)  # type: ignore[arg-type]
    assert seen == [16] * 5  # one after the other: no share, the engine's own rule
