"""Aligning the inputs (``data.schema``): columns matched by name, missing, extra, ignored
and duplicate columns named, a column's kind agreeing across inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _loading import mixed, schema_of

from synthscan.data.frames import duplicates
from synthscan.data.problems import name_list
from synthscan.errors import InputError


def test_columns_aligned_by_name_regardless_of_order() -> None:
    train, synth = mixed(seed=1), mixed(seed=2)
    specs, out = schema_of(train, synth[["color", "age", "income"]])
    assert list(out["synthetic"].columns) == ["age", "income", "color"]
    assert out["synthetic"]["color"].tolist() == synth["color"].tolist()
    assert out["synthetic"]["age"].tolist() == synth["age"].astype(float).tolist()


def test_missing_and_extra_columns_named() -> None:
    train = mixed()
    with pytest.raises(InputError) as info:
        schema_of(train, train.drop(columns="income"))
    assert "synth.csv" in str(info.value) and "'income'" in str(info.value)
    with pytest.raises(InputError, match="'extra'"):
        schema_of(train, train.assign(extra=1))


def test_numeric_versus_text_names_both_files_and_no_value() -> None:
    train = mixed()
    synth = train.assign(age=train["age"].astype(object))
    synth.loc[3, "age"] = "SENTINEL_AGE"
    with pytest.raises(InputError) as info:
        schema_of(train, synth)
    msg = str(info.value)
    assert "synth.csv" in msg and "train.csv" in msg and "'age'" in msg
    assert "SENTINEL" not in msg


def test_ignored_and_unknown_declared_columns() -> None:
    df = mixed()
    specs, out = schema_of(df, df.drop(columns="color"), declared={"color": ("ignore", "config")})
    assert "color" not in specs and "color" not in out["train"]
    with pytest.raises(InputError, match="'colour'"):
        schema_of(df, declared={"colour": ("categorical", "config")})


def test_every_column_an_identifier_is_an_error() -> None:
    df = mixed()
    with pytest.raises(InputError, match="no column is left"):
        schema_of(df, declared={c: ("identifier", "config") for c in df.columns})


def test_duplicate_index_of_dataframe_input() -> None:
    train = mixed().set_axis([0] * 40)
    specs, out = schema_of(train)
    assert len(out["train"]) == 40 and isinstance(out["train"].index, pd.RangeIndex)


def test_name_list_and_duplicates_hand_worked() -> None:
    assert name_list(["a", "b"]) == "'a', 'b'"
    assert name_list(list("abcdefg")) == "'a', 'b', 'c', 'd', 'e' (and 2 more)"
    assert duplicates(["a", "b", "b", "a", "b", "c"]) == ["b", "a"]


def test_duplicates_brute_force() -> None:
    rng = np.random.default_rng(3)
    for _ in range(200):
        names = [str(v) for v in rng.integers(0, 5, int(rng.integers(0, 9)))]
        # oracle: names seen before at some position, in the order of their second occurrence
        second: dict[str, int] = {}
        for i, name in enumerate(names):
            if name in names[:i]:
                second.setdefault(name, i)
        assert duplicates(names) == sorted(second, key=second.__getitem__)
