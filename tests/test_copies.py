"""Exact-copy checks: planted copies are counted exactly; chance matches cancel out."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

import synthscan
from synthscan.attacks.copies import hit_probability

#: the checks these tests are about (the attacks have their own tests)
COPIES = synthscan.ScanConfig(checks=["exact_copies", "unique_reproduction",
                                      "nearest_record_share", "distance_no_holdout"])


def test_hit_probability_hand_worked():
    # one matching record among 10, subset of 4: 4/10; two records: 1 - C(8,4)/C(10,4) = 1 - 70/210
    p = hit_probability(np.array([0, 1, 2]), 10, 4)
    assert p[0] == 0
    assert math.isclose(p[1], 0.4)
    assert math.isclose(p[2], 1 - 70 / 210)
    assert np.all(hit_probability(np.array([1, 3]), 10, 10) == 1)


def _people(n: int, rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame({
        "age": rng.integers(18, 90, n),
        "income": np.round(rng.lognormal(10, 0.5, n), 2),
        "city": rng.choice(["a", "b", "c", "d"], n),
    })


def test_planted_copies_are_counted_exactly_and_flagged():
    rng = np.random.default_rng(1)
    train, hold, synth = _people(2000, rng), _people(1000, rng), _people(2000, rng)
    synth.iloc[:100] = train.iloc[rng.choice(2000, 100, replace=False)].to_numpy()
    res = synthscan.scan(train, synth, holdout=hold, config=COPIES)
    c = res.check("exact_copies")
    assert c.counts["copies_of_train"] == 100
    assert c.counts["copies_of_holdout"] == 0
    assert c.lower <= 0.05 <= c.upper
    assert c.status == "fail" and res.verdict == "high"
    assert res.check("unique_reproduction").counts["reproduced_train_uniques"] == 100


def test_chance_matches_in_discrete_data_are_not_a_leak():
    # four small categoricals (256 cells): most synthetic rows equal a real record by chance
    rng = np.random.default_rng(2)
    def draw(n):
        return pd.DataFrame({c: rng.choice(list("wxyz"), n) for c in ("a", "b", "c", "d")})
    flagged = 0
    for _ in range(20):
        train, hold, synth = draw(1500), draw(500), draw(1500)
        res = synthscan.scan(train, synth, holdout=hold, config=COPIES)
        c = res.check("exact_copies")
        assert c.counts["copies_of_train"] > 0.9 * 1500  # nearly every row "copies" someone
        assert c.lower <= c.estimate <= c.upper
        flagged += c.status == "fail"
    assert flagged <= 2  # at most ~5% false alarms (binomial slack over 20 seeds)


def test_copies_in_data_too_coarse_to_tell_are_skipped_with_a_reason():
    rng = np.random.default_rng(5)
    def draw(n):
        return pd.DataFrame({c: rng.choice(list("xyz"), n) for c in ("a", "b", "c")})
    res = synthscan.scan(draw(1500), draw(1500), holdout=draw(500), config=COPIES)
    c = res.check("exact_copies")
    assert c.status == "skipped" and "by chance" in c.reason
    assert c.counts["copies_of_train"] > 1450


def test_identifier_columns_do_not_hide_copies():
    rng = np.random.default_rng(3)
    train, hold, synth = _people(500, rng), _people(300, rng), _people(500, rng)
    synth.iloc[:20] = train.iloc[:20].to_numpy()
    for df, prefix in ((train, "t"), (hold, "h"), (synth, "s")):
        df.insert(0, "row_id", [f"{prefix}{i:06d}" for i in range(len(df))])
    res = synthscan.scan(train, synth, holdout=hold, config=COPIES)
    assert "row_id" in res.schema["identifiers_excluded_from_distances"]
    c = res.check("exact_copies")
    assert c.counts["copies_of_train"] == 20
    assert c.counts["copies_of_train_all_columns"] == 0


def test_without_holdout_the_evidence_is_labelled_weaker():
    rng = np.random.default_rng(4)
    train, synth = _people(500, rng), _people(500, rng)
    res = synthscan.scan(train, synth, config=COPIES)
    assert res.check("exact_copies").evidence == "no-holdout"
    assert res.check("unique_reproduction").status == "skipped"
    assert "no-holdout" in res.evidence
    assert any("No holdout" in s for s in res.limitations)
