"""Exact copies by a hash join on the cluster equal the local hash-and-verify
(``hashing.find_copies`` / ``duplicate_counts``) and give the copies checks the same results;
rows are grouped by value, so forced hash collisions change nothing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import synthscan
from synthscan.api import prepare, run_checks
from synthscan.attacks.context import ScanContext
from synthscan.attacks.copies import ExactCopies, Verbatim
from synthscan.dask_backend.copies import copy_counts
from synthscan.encoding.coded import code_tables
from synthscan.encoding.hashing import CanonicalTables, duplicate_counts, find_copies


def _people(n: int, rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame({
        "pid": rng.permutation(10 * n)[:n] + 1000,
        "age": rng.integers(18, 30, n).astype(float),
        "income": np.round(rng.lognormal(8, 0.3, n), -2),
        "city": rng.choice(["a", "b", "c"], n).astype(object),
    })


def _tables(seed: int = 2) -> dict[str, pd.DataFrame]:
    """Planted copies of train and holdout records (some with their identifier too), rows
    duplicated within train and within the synthetic data, missing values, and enough chance
    matches (few distinct values) that multiplicities above one occur."""
    rng = np.random.default_rng(seed)
    train, hold, synth = _people(240, rng), _people(150, rng), _people(200, rng)
    train.iloc[200:210] = train.iloc[0:10].to_numpy()  # duplicates within train
    train.loc[5:9, "city"] = None
    synth.iloc[:20] = train.iloc[rng.choice(200, 20, replace=False)].to_numpy()
    synth.iloc[20:30, 1:] = train.iloc[30:40, 1:].to_numpy()  # copies without the identifier
    synth.iloc[30:36] = hold.iloc[:6].to_numpy()
    synth.iloc[36:40] = synth.iloc[:4].to_numpy()  # duplicates within the synthetic data
    synth.iloc[40:43] = train.iloc[5:8].to_numpy()  # copies with a missing value
    return {"train": train, "holdout": hold, "synthetic": synth}


def _canon(frames: dict[str, pd.DataFrame], columns: list[str]) -> CanonicalTables:
    numeric = {"pid", "age", "income"}
    coded = code_tables(frames, list(frames["train"].columns), numeric)
    return CanonicalTables.from_coded(coded, columns)


def _assert_like_local(counts: Any, canon: CanonicalTables) -> None:
    roles = list(canon.tables)
    for q in roles:
        for r in roles:
            if q == r:
                continue
            want, got = find_copies(canon, q, r), counts.matches(q, r)
            assert np.array_equal(got.matched, want.matched), (q, r)
            assert np.array_equal(got.multiplicity, want.multiplicity), (q, r)
    for pooled in (("train", "holdout"), ("synthetic",), tuple(roles)):
        want_d = duplicate_counts(canon, pooled)
        assert np.array_equal(counts.pooled_duplicates(pooled), want_d), pooled


def test_join_equals_local_find_copies(dask_client: Any) -> None:
    frames = _tables()
    canon = _canon(frames, ["age", "income", "city"])
    counts = copy_counts(dask_client, canon, chunk_rows=97)  # several chunks and shuffle partitions
    _assert_like_local(counts, canon)  # partitions are empty on few distinct hashes
    in_t = counts.matches("synthetic", "train")
    assert in_t.matched[:30].all() and in_t.matched[40:43].all()
    assert in_t.multiplicity.max() >= 2  # the duplicated train rows
    assert counts.matches("synthetic", "holdout").matched[30:36].all()


def test_forced_collisions_do_not_make_or_hide_copies(dask_client: Any) -> None:
    """With 0 or 2 hash bits nearly every pair of rows collides; the hash alone would call
    almost every row a copy, but the join groups rows by value and gives the true counts."""
    frames = _tables(seed=4)
    canon = _canon(frames, ["pid", "age", "income", "city"])
    for mask in (0, 3):
        bucketed = np.concatenate([canon.hashes(r) & np.uint64(mask)
                                   for r in ("train", "holdout")])
        _, inverse, sizes = np.unique(bucketed, return_inverse=True, return_counts=True)
        assert (sizes[inverse] > 1).all()  # what an unverified hash would say
        counts = copy_counts(dask_client, canon, chunk_rows=128, hash_mask=mask)
        _assert_like_local(counts, canon)
        assert int((counts.pooled_duplicates(("train", "holdout")) == 1).sum()) > 300


def test_an_empty_table(dask_client: Any) -> None:
    frames = _tables()
    frames["holdout"] = frames["holdout"].iloc[:0]
    canon = _canon(frames, ["age", "income", "city"])
    _assert_like_local(copy_counts(dask_client, canon, chunk_rows=50), canon)


def _results(ctx: ScanContext) -> list[dict[str, Any]]:
    return [_plain(r.to_dict()) for r in run_checks(ctx, [ExactCopies(), Verbatim()])]


def _plain(x: Any) -> Any:
    """Arrays as lists, so results compare with ``==``."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return x.tolist()
    return x


@pytest.mark.parametrize("with_holdout", [True, False])
def test_copies_checks_on_the_cluster_equal_local(dask_client: Any, with_holdout: bool) -> None:
    frames = _tables(seed=6)
    hold = frames["holdout"] if with_holdout else None
    config = synthscan.ScanConfig(columns={"pid": "identifier"})
    local, _ = prepare(frames["train"], frames["synthetic"], hold, config)
    remote, _ = prepare(frames["train"], frames["synthetic"], hold, config)
    remote.client = dask_client
    want = _results(local)
    got = _results(remote)
    assert got == want
    ex = want[0]
    assert ex["counts"]["copies_of_train"] >= 23  # the planted copies, identifier ignored
    assert ex["counts"]["copies_of_train_all_columns"] >= 20
    assert len(remote.__dict__["_memo"]) == 2  # one join per canonical column set
    if with_holdout:
        assert want[1]["counts"]["reproduced_train_uniques"] >= 15
