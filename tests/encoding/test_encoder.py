"""The encoder's L1 distance is the documented Gower distance, fitted symmetrically."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sample_tables import mixed_frame

from synthscan.data.schema import ColumnSpec
from synthscan.encoding.encoder import TAIL, MixedEncoder

SPECS = [ColumnSpec("x", "numeric"), ColumnSpec("k", "numeric"), ColumnSpec("c", "categorical"),
         ColumnSpec("d", "categorical")]


def _c(v: float, lo: float, span: float) -> float:
    u = (v - lo) / span
    if u > 1:
        return 1 + TAIL * math.tanh((u - 1) / TAIL)
    if u < 0:
        return -TAIL * math.tanh(-u / TAIL)
    return u


def gower_reference(a: pd.Series, b: pd.Series, ranges: dict[str, tuple[float, float]]) -> float:
    """Per-pair Gower distance written out from the spec, one column at a time."""
    total = 0.0
    for col in ("x", "k", "c", "d"):
        va, vb = a[col], b[col]
        ma, mb = pd.isna(va), pd.isna(vb)
        if ma and mb:
            continue
        if ma != mb:
            total += 1
            continue
        if col in ranges:
            lo, span = ranges[col]
            total += abs(_c(va, lo, span) - _c(vb, lo, span))
        else:
            total += float(va != vb)
    return total


def _fitted(rng: np.random.Generator
            ) -> tuple[pd.DataFrame, MixedEncoder, dict[str, tuple[float, float]]]:
    """Train and holdout tables, the encoder fitted on both, and the reference's numeric
    ranges (1st percentile, 1st-99th percentile span) of the pooled real data."""
    train, hold = mixed_frame(300, rng), mixed_frame(200, rng)
    enc = MixedEncoder("l1").fit([train, hold], SPECS)
    pooled = pd.concat([train, hold])
    ranges = {}
    for col in ("x", "k"):
        v = pooled[col].dropna().to_numpy()
        lo, hi = np.quantile(v, [0.01, 0.99])
        ranges[col] = (float(lo), float(hi - lo))
    return train, enc, ranges


def test_l1_distance_equals_gower_reference(rng):
    train, enc, ranges = _fitted(rng)
    synth = mixed_frame(50, rng)
    xs, xt = enc.transform(synth), enc.transform(train)
    for i in range(50):
        for j in range(0, 300, 7):
            got = float(np.abs(xs[i].astype(np.float64) - xt[j]).sum())
            want = gower_reference(synth.iloc[i], train.iloc[j], ranges)
            assert abs(got - want) < 1e-4, (i, j, got, want)


def test_hand_worked_distances():
    # x in 0..100: 1st/99th percentiles are 1 and 99, span 98
    train = pd.DataFrame({"x": np.arange(101.0), "k": 0.0, "c": ["u", "v"] * 50 + ["w"],
                          "d": "a"})
    train.loc[0, "c"] = None
    q = pd.DataFrame({"x": [50.0, 99.0, None, 50.0], "k": 0.0, "c": ["u", "v", "u", "zzz"],
                      "d": "a"})
    enc = MixedEncoder("l1").fit([train], SPECS, others=[q])
    z = enc.transform(q).astype(np.float64)
    d = lambda i, j: float(np.abs(z[i] - z[j]).sum())  # noqa: E731
    assert abs(d(0, 1) - (49 / 98 + 1)) < 1e-5  # numeric 49/98 plus one category mismatch
    with pytest.raises(ValueError, match="missing slot"):
        MixedEncoder("l1").fit([train], SPECS).transform(q)
    assert abs(d(0, 2) - 1.0) < 1e-9  # x missing vs present = 1; c equal
    assert abs(d(0, 3) - 1.0) < 1e-9  # unseen category vs a real one = 1
    missing_c = pd.DataFrame({"x": [50.0], "k": 0.0, "c": [None], "d": "a"})
    zm = enc.transform(missing_c).astype(np.float64)[0]
    assert abs(np.abs(zm - z[0]).sum() - 1.0) < 1e-9  # missing category vs "u" = 1
    assert np.abs(zm - zm).sum() == 0


def test_every_column_contributes_at_most_one_and_a_half(rng):
    train = mixed_frame(500, rng)
    enc = MixedEncoder("l1").fit([train], SPECS)
    extreme = pd.DataFrame({"x": [1e9, -1e9], "k": [1e9, -1e9], "c": ["l0", "l1"],
                            "d": ["a", "b"]})
    z = enc.transform(extreme).astype(np.float64)
    assert np.abs(z[0] - z[1]).sum() <= 1.5 * 2 + 2 + 1e-9
    assert np.abs(z[0] - z[1]).sum() > 2 + 2 * 1.4  # yet far apart


def test_fit_is_symmetric_in_train_and_holdout(rng):
    train, hold, synth = mixed_frame(400, rng), mixed_frame(150, rng), mixed_frame(100, rng)
    a = MixedEncoder("l1").fit([train, hold], SPECS, others=[synth])
    b = MixedEncoder("l1").fit([hold, train], SPECS, others=[synth])
    for frame in (train, hold, synth):
        assert np.array_equal(a.transform(frame), b.transform(frame))


def test_distances_are_exact_in_float32(rng):
    train = mixed_frame(200, rng)
    enc = MixedEncoder("l1").fit([train], SPECS)
    z = enc.transform(train)
    step = 2.0 ** -enc.grid_bits_
    assert np.all(np.mod(z.astype(np.float64), step) == 0)  # on the dyadic grid
    d32 = np.abs(z[:50, None, :] - z[None, 50:100, :]).sum(axis=2, dtype=np.float32)
    d64 = np.abs(z[:50, None, :].astype(np.float64) - z[None, 50:100, :]).sum(axis=2)
    assert np.array_equal(d32.astype(np.float64), d64)


def test_l2_variant_categorical_mismatch_is_one():
    train = pd.DataFrame({"x": np.arange(10.0), "k": 0.0, "c": list("ababababab"), "d": "a"})
    enc = MixedEncoder("l2").fit([train], SPECS)
    z = enc.transform(pd.DataFrame({"x": [1.0, 1.0], "k": 0.0, "c": ["a", "b"], "d": "a"}))
    assert abs(float(((z[0] - z[1]) ** 2).sum()) - 1.0) < 1e-6


def test_column_slices_give_the_gower_distance_on_a_subset_of_columns(rng):
    train, enc, ranges = _fitted(rng)
    xt = enc.transform(train)
    sl = enc.column_slices()
    covered = np.concatenate([np.arange(s.start, s.stop) for s in sl.values()])
    assert sorted(covered.tolist()) == list(range(enc.dim_))  # a partition of the dimensions
    dims = enc.dims_of(["x", "c"])
    for j in range(1, 300, 11):
        got = float(np.abs(xt[0, dims].astype(np.float64) - xt[j, dims]).sum())
        # the reference distance with only x and c: blank out the other columns in both rows
        a, b = train.iloc[0].copy(), train.iloc[j].copy()
        a[["k", "d"]] = np.nan
        b[["k", "d"]] = np.nan
        want = gower_reference(a, b, ranges)
        assert abs(got - want) < 1e-4, (j, got, want)
    with pytest.raises(KeyError):
        enc.dims_of(["nope"])


def test_to_units_is_the_one_engine_distance_conversion():
    train = pd.DataFrame({"x": np.arange(10.0), "k": 0.0, "c": list("ababababab"), "d": "a"})
    rows = pd.DataFrame({"x": [1.0, 1.0], "k": 0.0, "c": ["a", "b"], "d": "a"})
    l1 = MixedEncoder("l1").fit([train], SPECS)
    z = l1.transform(rows)
    engine_l1 = float(np.abs(z[0] - z[1]).sum())
    # one categorical mismatch among four columns: mean per-column distance 1/4
    assert l1.to_units(engine_l1) == pytest.approx(0.25)
    l2 = MixedEncoder("l2").fit([train], SPECS)
    z = l2.transform(rows)
    engine_l2 = float(((z[0] - z[1]) ** 2).sum())  # FAISS returns squared L2 distances
    assert l2.to_units(engine_l2) == pytest.approx(1.0)
    assert l2.to_units(np.array([4.0, -1e-12])).tolist() == [2.0, 0.0]
    assert "Gower" in l1.units and "Euclidean" in l2.units
