"""The schema decided and the tables converted on the cluster equal the local ones: the local
``build_schema`` on the joined frames is the oracle, on tables cut so that every decision needs
more than one partition (kinds that differ between partitions, repeats only across partitions,
the first values of the mostly-numbers hint spanning partitions, a partition all missing)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from synthscan.dask_backend.schema import build_schema_on_cluster, decide
from synthscan.data.schema import build_schema, plan_columns
from synthscan.errors import InputError

NAMES = {"train": "train.csv", "holdout": "holdout.csv", "synthetic": "synth.csv"}
#: train 300 rows, holdout 100, synthetic 90; repeated cuts make empty partitions
CUTS = {"train": [40, 40, 80, 160], "holdout": [50], "synthetic": [0, 45]}
DECLARED = {"x_id": ("numeric", "config"), "shade": ("categorical", "metadata"),
            "skip": ("ignore", "config")}


def _table(n: int, offset: int, seed: int, real: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = np.arange(n)
    when = (pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 500, n), "D")).astype(
        str).astype(object)
    flag = np.where(idx % 2 == 0, "true", "FALSE").astype(object)
    flag[idx >= n // 2] = [bool(v) for v in rng.integers(0, 2, n - n // 2)]
    mixed = np.array([str(v) for v in rng.integers(0, 9, n)], dtype=object)
    mixed[idx >= 40] = rng.choice(["a", "b", "c"], (idx >= 40).sum())  # numbers, then text
    marks = np.array([str(v) for v in rng.integers(0, 50, n)], dtype=object)
    marks[[7, 45, 89]] = ["?", "-", "?"]  # three markers; the first 200 values span partitions
    big = np.array([str(v) for v in rng.integers(0, 5, n)], dtype=object)
    big[n - 3:] = [str(2**60 + i) for i in range(3)]  # big integers in the last partition only
    df = pd.DataFrame({
        "age": rng.normal(40, 9, n).round(1),
        "visits": rng.integers(0, 6, n),
        "when": when,
        "flag": flag,
        "mixed": mixed,
        "marks": marks,
        "big": big,
        "acct": np.r_[rng.integers(0, 9, n - 1), 2**60 + offset],  # int64 beyond 2**53
        "cust_id": rng.permutation(n) * 7 + offset * 7,
        "row": np.arange(offset, offset + n),
        "const": np.full(n, "NL", dtype=object),
        "x_id": np.arange(offset, offset + n),
        "shade": rng.integers(0, 3, n),
        "skip": rng.normal(size=n),
        "when_typed": pd.date_range("2020-01-01", periods=n, freq="D", tz="UTC"),
    })
    df.loc[:39, "when"] = None  # all missing in the first partition of train
    df.loc[:39, "age"] = np.nan
    if real:
        # unique within each partition, repeats across partitions only (see ``_real``)
        df["dup_id"] = np.arange(n) + offset
        df["code_hi"] = [f"K{offset + i:04d}" for i in range(n)]
        df["code_lo"] = df["code_hi"]
    else:
        df["dup_id"] = np.arange(n)
        df["code_hi"] = [f"S{i}" for i in range(n)]
        df["code_lo"] = [f"S{i}" for i in range(n)]
    return df


def _real() -> dict[str, pd.DataFrame]:
    train, holdout = _table(300, 0, 1, True), _table(100, 300, 2, True)
    # 400 real rows: 95% is 380 distinct; holdout's first partition repeats train's codes
    holdout.loc[:19, "code_hi"] = train.loc[:19, "code_hi"].to_numpy()  # 380 distinct
    holdout.loc[:20, "code_lo"] = train.loc[:20, "code_lo"].to_numpy()  # 379 distinct
    holdout.loc[0, "dup_id"] = 5  # one repeat of train's dup_id, across partitions
    return {"train": train, "holdout": holdout, "synthetic": _table(90, 5000, 3, False)}


def _scatter(frame: pd.DataFrame, cuts: list[int], client: Any) -> list[Any]:
    bounds = [0, *cuts, len(frame)]
    return list(client.scatter([frame.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:],
                                                                  strict=True)], hash=False))


def _on_cluster(frames: dict[str, pd.DataFrame], declared: dict, client: Any) -> Any:
    decl, columns, ignored = plan_columns({t: f.iloc[:0] for t, f in frames.items()}, NAMES,
                                          declared)
    parts = {t: _scatter(f, CUTS[t], client) for t, f in frames.items()}
    return decide(parts, {t: len(f) for t, f in frames.items()}, NAMES, decl, columns, ignored,
                  client)


def _assert_same(got: Any, want: Any) -> None:
    assert got[0].to_dict() == want[0].to_dict()
    assert list(got[1]) == list(want[1])
    for t in want[1]:
        pd.testing.assert_frame_equal(got[1][t], want[1][t], check_exact=True)


def test_schema_and_tables_equal_the_local_ones(dask_client: Any) -> None:
    frames = _real()
    want = build_schema(frames, NAMES, DECLARED)
    spec = {c.name: c for c in want[0].columns}

    def is_(name: str, role: str, note: str = "") -> bool:
        return spec[name].role == role and spec[name].note.startswith(note) and (
            bool(note) or spec[name].note == "")

    # the fixture hits every branch (else the comparison proves little)
    assert is_("mixed", "categorical") and is_("flag", "boolean") and is_("when", "datetime")
    assert is_("big", "categorical", "integers too large for exact arithmetic")
    assert is_("acct", "categorical", "integers too large") and is_("when_typed", "datetime")
    assert is_("cust_id", "identifier", "inferred identifier: unique integers with an id-like")
    assert is_("row", "identifier", "inferred identifier: unique, nearly consecutive")
    assert is_("dup_id", "numeric")  # 399 distinct of 400: the repeat is across partitions
    assert is_("code_hi", "identifier", "inferred identifier: 380 distinct values in 400")
    assert is_("code_lo", "categorical")  # 379 distinct of 400
    assert is_("marks", "categorical", "numbers except for 2 distinct text value(s)")
    assert is_("const", "categorical", "constant in the real data")
    assert is_("x_id", "numeric") and spec["x_id"].source == "config"
    assert is_("shade", "categorical") and spec["shade"].source == "metadata"
    assert want[0].ignored == ["skip"]
    _assert_same(_on_cluster(frames, DECLARED, dask_client), want)
    # evenly cut by the cluster's own partitioning
    _assert_same(build_schema_on_cluster(frames, NAMES, DECLARED, dask_client), want)


def test_a_kind_decided_across_partitions(dask_client: Any) -> None:
    """Nested values beyond the first 50 of the table but early in their partition are text;
    a column all missing in one table is that of the others."""
    n = 120
    late = pd.Series(["a"] * 60 + [[1, 2]] * 60, dtype=object)
    frames = {t: pd.DataFrame({"late": late, "x": np.arange(n) % 7 * 1.5,
                               "gone": [None] * n if t == "synthetic" else ["u", "v"] * 60})
              for t in ("train", "synthetic")}
    cuts = {"train": [55], "synthetic": [10, 100]}
    want = build_schema(frames, NAMES)
    assert [c.role for c in want[0].columns] == ["categorical", "numeric", "categorical"]
    decl, columns, ignored = plan_columns(frames, NAMES, None)
    parts = {t: _scatter(f, cuts[t], dask_client) for t, f in frames.items()}
    _assert_same(decide(parts, {t: n for t in frames}, NAMES, decl, columns, ignored,
                        dask_client), want)


def _error(fn: Any) -> str:
    with pytest.raises(InputError) as err:
        fn()
    return str(err.value)


@pytest.mark.parametrize("case", ["kinds disagree", "not numbers", "not dates", "nested",
                                  "conversion before a later disagreement"])
def test_errors_equal_the_local_ones(dask_client: Any, case: str) -> None:
    n = 60
    base = pd.DataFrame({"a": [str(i % 9) for i in range(n)], "b": np.arange(n) * 0.5})
    odd = base.assign(a=["x" if i in (3, 50) else str(i) for i in range(n)])
    declared: dict = {}
    if case == "kinds disagree":
        frames = {"train": base, "synthetic": odd}
    elif case == "not numbers":  # bad values in two partitions: the count is the table's
        frames, declared = {"train": odd, "synthetic": base}, {"a": ("numeric", "config")}
    elif case == "not dates":
        dates = base.assign(a=["2021-01-01" if i not in (1, 55) else "soon" for i in range(n)])
        frames, declared = {"train": dates, "synthetic": dates}, {"a": ("datetime", "config")}
    elif case == "nested":  # nested at row 45: in the first 50 only once the partitions join
        nested = base.assign(a=[[1] if i == 45 else "z" for i in range(n)])
        frames = {"train": nested, "synthetic": base}
    else:  # column a fails to convert, column b's kinds disagree: a's error comes first
        frames = {"train": odd.assign(b=["q"] * n), "synthetic": base}
        declared = {"a": ("numeric", "config")}
    want = _error(lambda: build_schema(frames, NAMES, declared))
    got = _error(lambda: _on_cluster(frames, declared, dask_client))
    assert got == want
    if case in ("not numbers", "not dates"):
        assert "has 2 " in got  # counted over the whole table, not one partition
