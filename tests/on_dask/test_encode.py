"""The encoder fitted and applied on the cluster equals the local one bit for bit: the local
``MixedEncoder.fit``/``transform`` on the pooled pandas tables is the oracle."""

from __future__ import annotations

from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from synthscan.dask_backend import stats as st
from synthscan.dask_backend.encode import encode, fit_encoder
from synthscan.data.schema import Schema, build_schema
from synthscan.encoding.encoder import QUANTILES, MixedEncoder


def _tables(seed: int = 7) -> tuple[Schema, dict[str, pd.DataFrame]]:
    """Schema-converted tables: numeric with outliers and missing values, a datetime, a
    categorical whose levels partly occur only in the holdout and partly only in the synthetic
    data (unseen), a boolean, an identifier, a numeric column missing only in the synthetic
    data, and five leading train rows with every distance value missing."""
    rng = np.random.default_rng(seed)

    def raw(n: int, cities: list[str], miss: float) -> pd.DataFrame:
        age = rng.normal(45, 12, n).round(1)
        age[rng.random(n) < 0.03] *= 40  # outliers far beyond the robust range
        age[rng.random(n) < miss] = np.nan
        when = pd.Timestamp("2021-03-01") + pd.to_timedelta(rng.integers(0, 900, n), "D")
        city = rng.choice(cities, n).astype(object)
        city[rng.random(n) < miss] = None
        return pd.DataFrame({"age": age, "when": when.astype(str), "city": city,
                             "flag": rng.choice(["yes", "no"], n),
                             "score": rng.integers(0, 7, n).astype(float),
                             "pid": np.arange(n) * 3 + 11})

    train = raw(330, ["oslo", "rome", "lima"], 0.1)
    train.loc[:4, ["age", "when", "city", "flag"]] = None
    holdout = raw(170, ["rome", "kyiv"], 0.05)
    synthetic = raw(260, ["oslo", "rome", "mars", "kyiv"], 0.1)
    synthetic.loc[[3, 50], "score"] = np.nan
    schema, frames = build_schema({"train": train, "holdout": holdout, "synthetic": synthetic},
                                  {"train": "t.csv", "holdout": "h.csv", "synthetic": "s.csv"},
                                  {"flag": ("boolean", "config"), "pid": ("identifier", "config")})
    assert [c.role for c in schema.columns] == ["numeric", "datetime", "categorical",
                                                 "boolean", "numeric", "identifier"]
    return schema, {str(t): f for t, f in frames.items()}


def _partitioned(frame: pd.DataFrame, cuts: list[int]) -> dd.DataFrame:
    """``frame`` as a dask DataFrame cut at ``cuts`` (repeated cuts make empty partitions)."""
    bounds = [0, *cuts, len(frame)]
    pieces = [frame.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return dd.from_delayed([dask.delayed(p) for p in pieces], meta=frame.iloc[:0],
                           verify_meta=False)


def _same_encoder(a: MixedEncoder, b: MixedEncoder) -> None:
    assert a.describe() == b.describe()
    assert a.numeric_ == b.numeric_  # lo and span exactly equal
    assert a.categorical_ == b.categorical_
    assert a.dim_ == b.dim_ and a.grid_bits_ == b.grid_bits_


def _bits_equal(x: np.ndarray, y: np.ndarray) -> bool:
    return x.shape == y.shape and x.dtype == y.dtype and bool(
        (x.view(np.uint32) == y.view(np.uint32)).all())


@pytest.mark.parametrize(("metric", "gather_max"), [("l1", st.GATHER_MAX), ("l2", 0)])
def test_fit_and_encode_equal_the_local_ones(dask_client: Any, metric: str,
                                             gather_max: int) -> None:
    schema, frames = _tables()
    local = MixedEncoder(metric).fit([frames["train"], frames["holdout"]], schema.columns,
                                     others=[frames["synthetic"]])
    parts = {"train": _partitioned(frames["train"], [5, 5, 120, 330]),  # all-missing, empty
             "holdout": _partitioned(frames["holdout"], [60]),
             "synthetic": _partitioned(frames["synthetic"], [0, 100, 100])}
    fitted = fit_encoder([parts["train"], parts["holdout"]], [parts["synthetic"]],
                         schema.columns, metric, client=dask_client, gather_max=gather_max)
    _same_encoder(fitted, local)
    # the missing-only-in-synthetic column got its missing slot from ``others``
    assert [nc.with_missing for nc in fitted.numeric_] == [True, True, True]
    assert "kyiv" in fitted.categorical_[0].levels  # a level only the holdout has
    assert "mars" not in fitted.categorical_[0].levels  # unseen: the synthetic data's own
    for role, frame in frames.items():
        vectors = encode(parts[role], fitted, client=dask_client)
        assert vectors.flags.c_contiguous
        assert _bits_equal(vectors, local.transform(frame))


def test_fit_on_string_dtype_partitions(dask_client: Any) -> None:
    """``dd.from_pandas`` may turn text into a string dtype; levels and codes stay the same."""
    schema, frames = _tables(seed=3)
    local = MixedEncoder("l1").fit([frames["train"]], schema.columns,
                                   others=[frames["synthetic"]])
    train = dd.from_pandas(frames["train"], npartitions=3)
    synthetic = dd.from_pandas(frames["synthetic"], npartitions=2)
    fitted = fit_encoder([train], [synthetic], schema.columns, "l1", client=dask_client)
    _same_encoder(fitted, local)
    assert _bits_equal(encode(synthetic, fitted, client=dask_client),
                       local.transform(frames["synthetic"]))


def test_constant_and_coinciding_percentiles(dask_client: Any) -> None:
    """The min-max fallback and the constant column: the notes and ranges of the local fit."""
    schema, frames = _tables(seed=5)
    train = frames["train"].copy()
    train["score"] = 2.0  # constant
    train["age"] = np.where(np.arange(len(train)) == 7, 90.0, 30.0)  # percentiles coincide
    local = MixedEncoder("l1").fit([train], schema.columns, others=[frames["synthetic"]])
    fitted = fit_encoder([_partitioned(train, [100, 200])], [], schema.columns, "l1",
                         client=dask_client)
    assert fitted.describe()["notes"] == {"age": "range from min-max (1st and 99th "
                                                 "percentiles coincide)", "score": "constant"}
    fitted_l = MixedEncoder("l1").fit([train], schema.columns)
    _same_encoder(fitted, fitted_l)
    assert local.describe()["notes"] == fitted.describe()["notes"]


def test_exact_quantiles_by_selection_without_a_cluster() -> None:
    """Selection over arbitrary pieces + numpy's linear interpolation == ``np.quantile``,
    for sizes where the virtual index is integral or at the end, ties, infinities and zeros
    of both signs (compared up to the sign of zero, which the encoder normalises)."""
    rng = np.random.default_rng(0)
    for trial in range(400):
        n = int(rng.integers(1, 300)) if trial % 4 else int(rng.choice([1, 2, 101, 201, 1001]))
        kind = trial % 4
        if kind == 0:
            x = rng.normal(size=n) * 10.0 ** int(rng.integers(-5, 5))
        elif kind == 1:
            x = rng.integers(-3, 3, size=n).astype(float)  # heavy ties
        elif kind == 2:
            x = np.concatenate([rng.lognormal(0, 4, size=n), [np.inf, -np.inf]])
        else:
            x = rng.choice([-0.0, 0.0, 5e-324, -5e-324, 1e300], size=n)
        cuts = sorted(int(c) for c in rng.integers(0, len(x) + 1, size=rng.integers(0, 5)))
        pieces = [pd.DataFrame({"v": p}) for p in np.split(x, cuts)]
        merged = st.merge_partials(*[st.partial_stats(p, ["v"], [], True) for p in pieces])
        assert merged.n["v"] == len(x)

        def run_round(probes: list[st.Probe], pieces: list[pd.DataFrame] = pieces
                      ) -> list[st.ProbeResult]:
            return st.merge_probes(*[st.probe_partition(p, probes) for p in pieces])

        values = st.select({"v": st.quantile_ranks(len(x))}, merged.hist, run_round,
                           int(rng.choice([0, 2, st.GATHER_MAX])))
        mine = {r: v for (_, r), v in values.items()}
        got = st.linear_quantiles(len(x), mine.__getitem__)
        with np.errstate(invalid="ignore"):
            want = np.quantile(x, list(QUANTILES))
        assert np.array_equal(np.array(got), want, equal_nan=True), (trial, got, want)
        if kind != 3:  # without signed zeros the arithmetic alone is bit-identical
            ordered = [float(v) for v in np.sort(x)]
            exact = np.array(st.linear_quantiles(len(x), ordered.__getitem__), dtype=np.float64)
            assert exact.tobytes() == want.tobytes() or np.isnan(want).any()
