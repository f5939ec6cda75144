"""Exact copies: planted copies are counted exactly; verbatim reproduction of unique people is the
risk component (any confirmed excess fails a public release); chance matches cancel out; the
share of synthetic rows that copy (``exact_copies``) is reported and never decides."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import synthscan
from synthscan.api import prepare, run_checks
from synthscan.attacks import family_size
from synthscan.attacks.copies import ExactCopies, Verbatim, hit_probability
from synthscan.datasets import plant_copies, simulate_population
from synthscan.risk.policy import Policy
from synthscan.risk.verdict import apply_policy
from synthscan.stats.bounds import excess_lower

#: the checks these tests are about (the attacks have their own tests)
COPIES = synthscan.ScanConfig(checks=["exact_copies", "verbatim"])


def copies(train, synth, hold):
    """(exact_copies, verbatim) decided as in a scan planning verbatim alone."""
    ctx, _ = prepare(train, synth, hold, synthscan.ScanConfig())
    checks, verdict = apply_policy(run_checks(ctx, [ExactCopies(), Verbatim()]), Policy(), 0.05,
                                   ["verbatim"])
    return checks[0], checks[1], verdict


def test_hit_probability_hand_worked():
    # one matching record among 10, subset of 4: 4/10; two records: 1 - C(8,4)/C(10,4) = 1 - 70/210
    p = hit_probability(np.array([0, 1, 2]), 10, 4)
    assert p[0] == 0
    assert math.isclose(p[1], 0.4)
    assert math.isclose(p[2], 1 - 70 / 210)
    # seven records among 10: every 4-subset holds one of them (only 3 are not matches)
    assert hit_probability(np.array([7]), 10, 4)[0] == 1.0
    assert np.all(hit_probability(np.array([1, 3]), 10, 10) == 1)


def _people(n: int, rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame({
        "age": rng.integers(18, 90, n),
        "income": np.round(rng.lognormal(10, 0.5, n), 2),
        "city": rng.choice(["a", "b", "c", "d"], n),
    })


def test_planted_copies_are_counted_exactly_and_verbatim_fails():
    rng = np.random.default_rng(1)
    train, hold, synth = _people(2000, rng), _people(1000, rng), _people(2000, rng)
    src = rng.choice(2000, 100, replace=False)
    synth.iloc[:100] = train.iloc[src].to_numpy()
    ex, vb, verdict = copies(train, synth, hold)
    # the share of synthetic rows: 100 of 2,000 copy a training record, none a holdout record
    assert ex.counts["copies_of_train"] == 100 and ex.counts["copies_of_holdout"] == 0
    assert ex.lower <= 0.05 <= ex.upper
    assert not ex.component and ex.status == "info" and ex.decision is None
    # verbatim: every copied record is unique in train ∪ holdout (continuous income)
    assert vb.counts["reproduced_train_uniques"] == 100
    assert vb.counts["reproduced_holdout_uniques"] == 0
    n1 = vb.counts["unique_train_records"]
    t = vb.tests[0]
    assert (t.k_t, t.n_t, t.k_h) == (100, n1, 0)
    assert vb.estimate == 100 / n1
    assert vb.status == "fail" and verdict.verdict == "high" and verdict.risk.driver == "verbatim"
    assert vb.decision.lower == excess_lower(t, 0.05)  # K = 1, m = 1
    assert set(vb.details["exposure"]["train_rows"].tolist()) == set(src.tolist())


def test_a_few_hundred_rows_with_three_percent_verbatim_copies_is_high():
    """Acceptance: 12 of 377 released rows are verbatim copies of training people and none of
    holdout people — the full default scan must say `high`, and verbatim must be why."""
    pop = simulate_population(1177, 4)
    train, hold, clean = (pop.iloc[:400].reset_index(drop=True),
                          pop.iloc[400:800].reset_index(drop=True),
                          pop.iloc[800:].reset_index(drop=True))
    leaky, pos = plant_copies(clean, train, 12 / 377, seed=1)
    assert len(pos) == 12
    res = synthscan.scan(train, leaky, holdout=hold)
    assert res.verdict == "high"
    v = res.check("verbatim")
    assert v.status == "fail"
    assert v.counts["reproduced_train_uniques"] == 12
    assert v.counts["reproduced_holdout_uniques"] == 0
    # confirmed at alpha / (K m): K = every check that can raise `high`, m = 1
    family = family_size(True)
    assert family >= len(res.risk.planned) >= 6
    d = v.decision
    assert d is not None and d.lower_level == pytest.approx(1 - 0.05 / family)
    assert d.lower == pytest.approx(excess_lower(v.tests[0], 0.05 / family))
    assert d.lower > 0
    assert "verbatim" in res.risk.planned and res.risk.driver == "verbatim"
    # exact_copies is a reported figure: it never decides
    e = res.check("exact_copies")
    assert not e.component and e.status == "info"
    assert e.counts["copies_of_train"] == 12


def test_chance_matches_in_discrete_data_are_not_a_leak():
    # five small categoricals (1,024 cells) and 2,000 real records: most synthetic rows equal a
    # real record by chance, and most records unique in the real data are "reproduced" by chance
    rng = np.random.default_rng(2)

    def draw(n):
        return pd.DataFrame({c: rng.choice(list("wxyz"), n) for c in "abcde"})
    train, hold, synth = draw(1500), draw(500), draw(1500)
    ex, vb, verdict = copies(train, synth, hold)
    assert ex.counts["copies_of_train"] > 0.7 * 1500
    assert ex.counts["copies_of_holdout"] > 0.3 * 1500
    assert ex.lower < 0.0 < ex.upper and ex.lower <= ex.estimate <= ex.upper  # none confirmed
    c = vb.counts
    assert c["unique_train_records"] > 100 and c["unique_holdout_records"] > 50
    rate_t = c["reproduced_train_uniques"] / c["unique_train_records"]
    rate_h = c["reproduced_holdout_uniques"] / c["unique_holdout_records"]
    assert rate_t > 0.5 and rate_h > 0.5  # chance reproduction, on both sides alike
    assert vb.status != "fail" and verdict.verdict != "high"
    assert vb.decision.lower < 0 < vb.decision.upper


def test_copies_in_data_too_coarse_to_tell_are_skipped_with_a_reason():
    rng = np.random.default_rng(5)

    def draw(n):
        return pd.DataFrame({c: rng.choice(list("xyz"), n) for c in ("a", "b", "c")})
    ex, vb, verdict = copies(draw(1500), draw(1500), draw(500))
    assert ex.status == "skipped" and "by chance" in ex.reason
    assert ex.counts["copies_of_train"] > 1450
    # 27 cells, 2,000 real records: nobody is unique, nobody can be singled out by a copy;
    # the result says why, so the component does not block the verdict
    assert vb.status == "skipped" and vb.vacuous
    assert vb.counts["unique_train_records"] == 0
    assert verdict.risk.missing == ()


def test_identifier_columns_do_not_hide_copies():
    rng = np.random.default_rng(3)
    train, hold, synth = _people(500, rng), _people(300, rng), _people(500, rng)
    synth.iloc[:20] = train.iloc[:20].to_numpy()
    for df, prefix in ((train, "t"), (hold, "h"), (synth, "s")):
        df.insert(0, "row_id", [f"{prefix}{i:06d}" for i in range(len(df))])
    res = synthscan.scan(train, synth, holdout=hold, config=COPIES)
    assert "row_id" in res.schema.identifiers
    c = res.check("exact_copies")
    assert c.counts["copies_of_train"] == 20
    assert c.counts["copies_of_train_all_columns"] == 0
    v = res.check("verbatim")
    assert v.counts["reproduced_train_uniques"] == 20 and v.status == "fail"
    assert res.verdict == "high"


def test_without_holdout_verbatim_is_skipped_and_the_verdict_is_never_low():
    rng = np.random.default_rng(4)
    train, synth = _people(500, rng), _people(500, rng)
    config = synthscan.ScanConfig(checks=["exact_copies", "verbatim", "distance_no_holdout"])
    res = synthscan.scan(train, synth, config=config)
    assert res.check("exact_copies").evidence == "no-holdout"
    v = res.check("verbatim")
    assert v.status == "skipped" and "holdout" in v.reason
    # a clean release: the no-holdout fallback does not fail, yet nothing certifies it
    assert res.check("distance_no_holdout").status != "fail"
    assert res.verdict == "inconclusive"
    assert "verbatim" in [m.component for m in res.risk.missing]
    assert "no-holdout" in res.evidence
    assert any("No holdout" in s for s in res.limitations)
