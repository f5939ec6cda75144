"""Exact copies and duplicate counts by hashing are exact: planted copies, duplicates within a
table and missing values are found as a brute-force comparison of the canonical value tuples
finds them, also when the 64-bit hash is forced to collide (a few buckets, or one)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
import pytest

from synthscan.encoding.coded import code_tables
from synthscan.encoding.hashing import CanonicalTables, duplicate_counts, find_copies

ROLES = ("train", "holdout", "synthetic")


def _frames(seed: int) -> dict[str, pd.DataFrame]:
    """Few distinct values (chance matches and multiplicities above one), planted copies of
    train and holdout records, duplicates within train and within the synthetic rows, and
    missing values (copied too)."""
    rng = np.random.default_rng(seed)

    def people(n: int) -> pd.DataFrame:
        return pd.DataFrame({
            "age": rng.integers(18, 24, n).astype(float),
            "income": np.round(rng.lognormal(8, 0.3, n), -2),
            "city": rng.choice(["a", "b", "c"], n).astype(object),
        })

    train, hold, synth = people(300), people(120), people(250)
    train.iloc[250:270] = train.iloc[0:20].to_numpy()  # duplicates within train
    train.loc[5:12, "city"] = None
    hold.loc[3:6, "income"] = np.nan
    synth.iloc[:25] = train.iloc[rng.choice(250, 25, replace=False)].to_numpy()
    synth.iloc[25:32] = hold.iloc[:7].to_numpy()  # copies of holdout rows, some with a NaN
    synth.iloc[32:36] = synth.iloc[:4].to_numpy()  # duplicates within the synthetic rows
    synth.iloc[36:40] = train.iloc[5:9].to_numpy()  # copies with a missing city
    synth.loc[40:44, "age"] = -0.0  # -0.0 in one table, 0.0 in another: one value
    train.loc[270:274, ["age", "income", "city"]] = [0.0, 100.0, "a"]
    synth.loc[40:44, ["income", "city"]] = [100.0, "a"]
    return {"train": train, "holdout": hold, "synthetic": synth}


def _canon(frames: dict[str, pd.DataFrame]) -> CanonicalTables:
    coded = code_tables(frames, ["age", "income", "city"], {"age", "income"})
    return CanonicalTables.from_coded(coded, ["age", "income", "city"])


def _tuples(canon: CanonicalTables, role: str) -> list[tuple[int, ...]]:
    """Each row's canonical values, bit for bit (the brute-force key)."""
    cols = [c.view(np.uint64) for c in canon.tables[role]]
    return [tuple(int(c[i]) for c in cols) for i in range(len(cols[0]))]


def _oracle_copies(canon: CanonicalTables, query: str, reference: str) -> np.ndarray:
    ref = Counter(_tuples(canon, reference))
    return np.array([ref[t] for t in _tuples(canon, query)], dtype=np.int64)


def _oracle_duplicates(canon: CanonicalTables, roles: tuple[str, ...]) -> np.ndarray:
    pooled = [t for r in roles for t in _tuples(canon, r)]
    count = Counter(pooled)
    return np.array([count[t] for t in pooled], dtype=np.int64)


def _bucketed(mask: int) -> Callable[[CanonicalTables, str], np.ndarray]:
    original = CanonicalTables._hash

    def hash_(self: CanonicalTables, role: str) -> np.ndarray:
        return original(self, role) & np.uint64(mask)

    return hash_


@pytest.fixture(params=[None, 3, 0], ids=["full-hash", "four-buckets", "one-bucket"])
def hashed(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The real hash, then hashes forced into four buckets and into one (every row collides)."""
    if request.param is not None:
        monkeypatch.setattr(CanonicalTables, "_hash", _bucketed(request.param))
    yield


@pytest.mark.parametrize("seed", [0, 1])
def test_find_copies_equals_brute_force(hashed: None, seed: int) -> None:
    canon = _canon(_frames(seed))
    for q in ROLES:
        for r in ROLES:
            if q == r:
                continue
            want = _oracle_copies(canon, q, r)
            got = find_copies(canon, q, r)
            assert np.array_equal(got.multiplicity, want), (q, r)
            assert np.array_equal(got.matched, want > 0), (q, r)
    in_t = find_copies(canon, "synthetic", "train")
    assert in_t.matched[:25].all() and in_t.matched[36:45].all()
    assert in_t.multiplicity[40:45].min() >= 5  # -0.0 equals 0.0: five equal train rows
    assert find_copies(canon, "synthetic", "holdout").matched[25:32].all()  # NaN copied


@pytest.mark.parametrize("seed", [0, 1])
def test_duplicate_counts_equal_brute_force(hashed: None, seed: int) -> None:
    canon = _canon(_frames(seed))
    for roles in (("train", "holdout"), ("synthetic",), ROLES, ("holdout", "train")):
        assert np.array_equal(duplicate_counts(canon, roles), _oracle_duplicates(canon, roles))
    uniq = duplicate_counts(canon, ("train", "holdout")) == 1
    assert 0 < uniq.sum() < 420  # some rows are unique, some are not: the counts can fail


def test_forced_collisions_fool_the_hash_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The collision tests can fail: with one bucket the hash alone calls every row a copy."""
    monkeypatch.setattr(CanonicalTables, "_hash", _bucketed(0))
    canon = _canon(_frames(0))
    assert canon.groups("train").shared
    assert len(np.unique(canon.hashes("train"))) == 1  # hash only: one group of 300
    assert (duplicate_counts(canon, ("train",)) < 300).all()


def test_value_groups_partition_a_table(hashed: None) -> None:
    canon = _canon(_frames(2))
    g = canon.groups("train")
    keys = _tuples(canon, "train")
    assert int(g.size.sum()) == 300
    assert np.array_equal(np.bincount(g.group_of_row, minlength=len(g.size)), g.size)
    for i, k in enumerate(keys):  # a row's group holds exactly the rows equal to it
        assert keys[int(g.rep[g.group_of_row[i]])] == k
    assert len(g.size) == len(set(keys))
    assert np.all(g.hash[1:] >= g.hash[:-1])


def test_empty_tables_and_rows() -> None:
    empty = np.zeros(0)
    canon = CanonicalTables(["x"], {"a": [empty], "b": [np.array([1.0, 1.0, 2.0])]})
    assert find_copies(canon, "a", "b").matched.shape == (0,)
    got = find_copies(canon, "b", "a")
    assert not got.matched.any() and got.multiplicity.tolist() == [0, 0, 0]
    assert duplicate_counts(canon, ("a", "b")).tolist() == [2, 2, 1]
    assert duplicate_counts(canon, ()).shape == (0,)
    with pytest.raises(ValueError, match="distinct"):
        duplicate_counts(canon, ("b", "b"))


def test_holdout_validity_shared_records_are_counted_by_value(hashed: None) -> None:
    """The precondition's shared-record test (holdout rows equal to a training row, and the
    pooled groups of equal rows) takes its counts by value: the same under forced collisions
    as a brute-force count of the value tuples."""
    import synthscan
    from synthscan.api import prepare
    from synthscan.attacks.holdout_validity import HoldoutValidity, shared_test

    frames = _frames(3)
    ctx, _ = prepare(frames["train"], frames["synthetic"], frames["holdout"],
                     synthscan.ScanConfig())
    canon = ctx.canon_data
    observed = int((_oracle_copies(canon, "holdout", "train") > 0).sum())
    pooled = Counter(_tuples(canon, "train") + _tuples(canon, "holdout"))
    sizes = np.array(sorted(s for s in pooled.values() if s > 1))
    want = shared_test(observed, sizes, 120 / 420)
    got = HoldoutValidity._shared(ctx)
    assert 0 < got.observed == want.observed
    assert got.expected == pytest.approx(want.expected, rel=1e-12)
    assert got.sd == pytest.approx(want.sd, rel=1e-12)
