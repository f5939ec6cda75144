"""The holdout-validity precondition: its two tests against brute-force oracles, a fixed-seed
guard (a random split passes; a holdout of older people, or of training rows, fails), and the
verdict rule (a failed precondition blocks ``low`` and never makes ``high``). Its calibration
over 100+ seeds is in benchmarks/validation/holdout_validity.py."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.stats import mannwhitneyu

import synthscan
from synthscan.api import prepare
from synthscan.attacks import preconditions
from synthscan.attacks.holdout_validity import (
    MATERIAL_AUC,
    HoldoutValidity,
    auc_test,
    shared_test,
)
from synthscan.datasets import simulate_population
from synthscan.model import CheckResult
from synthscan.risk.policy import Policy
from synthscan.risk.verdict import apply_policy
from synthscan.stats.bounds import SubTest


def test_auc_test_matches_pairwise_counts_mann_whitney_and_delong():
    rng = np.random.default_rng(0)
    pos = np.round(rng.normal(0.3, 1, 40), 1)  # rounded: ties inside and across the groups
    neg = np.round(rng.normal(0.0, 1, 55), 1)
    t = auc_test(pos, neg)
    wins = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    assert t.auc == pytest.approx(wins.mean())
    ref = mannwhitneyu(pos, neg, alternative="greater", method="asymptotic", use_continuity=True)
    assert t.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    # DeLong from the placements, computed by brute force
    v10, v01 = wins.mean(axis=1), wins.mean(axis=0)
    se = math.sqrt(v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg))
    assert t.se == pytest.approx(se)
    # without ties the null standard error is sqrt((n1 + n2 + 1) / (12 n1 n2))
    u = auc_test(np.arange(10.0), np.arange(10.0) + 0.5)
    assert u.null_se == pytest.approx(math.sqrt(21 / 1200))
    assert auc_test(np.ones(5), np.ones(6)).p_value == 1.0


def test_shared_test_mean_and_variance_match_enumeration():
    sizes, q = [2, 3, 2], 0.3
    mean = second = 0.0
    for sides in itertools.product((0, 1), repeat=sum(sizes)):  # 1 = holdout
        p = math.prod(q if s else 1 - q for s in sides)
        x, i = 0, 0
        for g in sizes:
            h = sum(sides[i:i + g])
            x += h if h < g else 0
            i += g
        mean += p * x
        second += p * x * x
    t = shared_test(3, np.array(sizes), q)
    assert t.expected == pytest.approx(mean)
    assert t.sd == pytest.approx(math.sqrt(second - mean**2))
    none = shared_test(0, np.array([], dtype=int), 0.2)
    assert (none.expected, none.p_value) == (0.0, 1.0)


def _check(train, holdout, seed=0):
    synthetic = simulate_population(100, 999)
    ctx, _ = prepare(train, synthetic, holdout, synthscan.ScanConfig(seed=seed, threads=1))
    return HoldoutValidity(max_rows=2000).run(ctx)


@pytest.fixture(scope="module")
def population():
    return simulate_population(8000, 21)


def test_guard_random_split_passes_and_shifted_or_copied_holdouts_fail(population):
    train, rest = population.iloc[:3000], population.iloc[3000:]
    ok = _check(train, rest.iloc[:1500])
    assert ok.status == "pass" and ok.scale == "probability"
    assert ok.lower <= ok.estimate <= ok.upper and ok.counts["classifier_test_rows_each"] == 750
    assert ok.counts["holdout_rows_equal_to_a_train_row"] == 0
    older = _check(train, rest[rest["age"] >= 45].iloc[:1500])
    # another population: the AUC's lower bound clears MATERIAL_AUC, so the failure is material
    assert older.status == "fail" and older.estimate > 0.7 and older.lower >= MATERIAL_AUC
    assert "classifier" in older.reason and "neither a low nor a high" in older.reason
    copied = _check(train, train.iloc[:1000])
    assert copied.status in ("warn", "fail")  # fail when the classifier also tells them apart
    assert copied.counts["holdout_rows_equal_to_a_train_row"] == 1000
    assert "equal a training record" in copied.reason
    renamed = train.iloc[1000:2000].assign(person_id=simulate_population(1000, 5)["person_id"])
    assert _check(train, renamed).status in ("warn", "fail")  # training rows under new ids
    with pytest.raises(synthscan.ConfigError, match="checks.holdout_validity.level"):
        HoldoutValidity(level=2.0)


def _component(cid: str, k_t: int, n_t: int = 5000) -> CheckResult:
    return CheckResult(id=cid, name=cid, criterion="copies", component=True,
                       tests=(SubTest("t", k_t, n_t, 0, 5000),))


def _precondition(status: str) -> CheckResult:
    return CheckResult(id="holdout_validity", name="hv", criterion="precondition",
                       status=status, reason="" if status == "pass" else "shifted holdout")


@pytest.mark.parametrize(("status", "k_t", "verdict"), [
    ("pass", 0, "low"), ("warn", 0, "inconclusive"), ("error", 0, "inconclusive"),
    ("skipped", 0, "low"), ("warn", 300, "high"), ("pass", 300, "high"),
    ("fail", 0, "inconclusive"), ("fail", 300, "inconclusive")])
def test_a_failed_precondition_blocks_low_and_never_makes_high(status, k_t, verdict):
    pre = preconditions(True)
    assert pre == ["holdout_validity"] and preconditions(False) == []
    checks = [_precondition(status), _component("verbatim", k_t)]
    out, v = apply_policy(checks, Policy(), 0.05, ["verbatim"], (), pre)
    assert v.verdict == verdict
    blocked = [p.check for p in v.risk.preconditions_failed]
    assert blocked == (["holdout_validity"] if status in ("warn", "error", "fail") else [])
    assert out[0].status == status  # the precondition is reported as it is, not decided
    if status == "fail":  # material: no decision stands, neither an excess nor a bound
        assert out[1].status == "warn" and "another population" in out[1].reason
    # without the precondition list the same checks decide as before
    assert apply_policy(checks, Policy(), 0.05, ["verbatim"])[1].verdict == (
        "high" if k_t else "low")


def test_scan_with_a_shifted_holdout_cannot_be_low(population):
    train, rest = population.iloc[:4000], population.iloc[4000:]
    fresh = simulate_population(3000, 77)
    config = synthscan.ScanConfig(seed=1, threads=1, checks=["holdout_validity", "verbatim"])
    good = synthscan.scan(train, fresh, holdout=rest, config=config)
    assert good.verdict == "low" and not good.risk.preconditions_failed
    bad = synthscan.scan(train, fresh, holdout=rest[rest["age"] >= 45], config=config)
    assert bad.check("verbatim").status == "warn" and bad.verdict == "inconclusive"
    assert [p.check for p in bad.risk.preconditions_failed] == ["holdout_validity"]
    assert bad.limitations[0].startswith("Precondition holdout_validity failed")
    assert "neither low nor high" in bad.check("holdout_validity").summary
