"""The scan context's memory rules: every real record held once (the tables' encodings are views
of the stacked real rows), and single-use intermediates not kept."""

from __future__ import annotations

import numpy as np

import synthscan
from synthscan.api import prepare
from synthscan.attacks import context
from synthscan.attacks.searches import real_rows
from synthscan.datasets import simulate_population


def _ctx():
    pop = simulate_population(700, 3)
    train, hold, synth = (pop.iloc[a:b].reset_index(drop=True)
                          for a, b in ((0, 300), (300, 400), (400, 700)))
    return prepare(train, synth, hold, synthscan.ScanConfig(seed=0))[0]


def test_train_and_holdout_encodings_are_views_of_the_real_rows():
    ctx = _ctx()
    real = real_rows(ctx)
    t, h = ctx.encoded["train"], ctx.encoded["holdout"]
    assert real.shape == (400, t.shape[1]) and real.dtype == t.dtype
    assert np.shares_memory(real, t) and np.shares_memory(real, h)
    assert t.flags.c_contiguous and h.flags.c_contiguous
    # the same values the encoder gives each table on its own
    for role in ("train", "holdout"):
        np.testing.assert_array_equal(ctx.encoded[role], ctx.encoder.transform(ctx.frames[role]))
    assert real_rows(ctx) is real  # held once


def test_single_use_intermediates_are_not_kept():
    ctx = _ctx()
    calls: list[str] = []

    def compute(key: str):
        return lambda: calls.append(key) or np.arange(3)

    key = next(iter(context.NOT_KEPT))
    ctx.memo(key, compute(key))
    ctx.memo(key, compute(key))
    ctx.memo("kept", compute("kept"))
    ctx.memo("kept", compute("kept"))
    assert calls == [key, key, "kept"]
    assert key not in ctx.__dict__.get("_memo", {})


def test_canonical_column_sets_share_their_columns_and_equal_a_fresh_build():
    from synthscan.encoding.hashing import CanonicalTables

    ctx = _ctx()
    data, every = ctx.canon_data, ctx.canon_all
    shared = [c for c in data.columns if c in every.columns]
    assert shared == data.columns and len(every.columns) > len(data.columns)
    for canon in (data, every):
        fresh = CanonicalTables.from_coded(ctx.coded, canon.columns)
        for role in ("train", "holdout", "synthetic"):
            for a, b in zip(canon.tables[role], fresh.tables[role], strict=True):
                assert a.dtype == b.dtype and np.array_equal(a, b)
            np.testing.assert_array_equal(canon.hashes(role), fresh.hashes(role))
    for role in ("train", "synthetic"):
        for c in shared:
            assert (every.tables[role][every.columns.index(c)]
                    is data.tables[role][data.columns.index(c)])
