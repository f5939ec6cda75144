"""Structured input errors: the facts of a message as fields (source, column, key, hint), the
key naming the setting in the library's words, not a command-line flag."""

from __future__ import annotations

import pandas as pd
import pytest
from _loading import mixed, schema_of

from synthscan.data.convert import to_datetime_seconds, to_numeric
from synthscan.errors import InputError


def _declared_typo() -> None:
    schema_of(mixed(), declared={"colour": ("categorical", "config")})


def _metadata_typo() -> None:
    schema_of(mixed(), declared={"colour": ("categorical", "metadata")})


def _text_among_numbers() -> None:
    train = mixed()
    synth = train.assign(age=train["age"].astype(object))
    synth.loc[3, "age"] = "SENTINEL_AGE"
    schema_of(train, synth)


@pytest.mark.parametrize("call,source,column,key", [
    (lambda: to_numeric(pd.Series(["1", "SENTINEL"]), "t.csv", "x"), "t.csv", "x",
     "missing_tokens"),
    (lambda: to_numeric(pd.Series([1.0, 1e200]), "t.csv", "x"), "t.csv", "x", "columns.x"),
    (lambda: to_datetime_seconds(pd.Series(["SENTINEL"]), "t.csv", "when"), "t.csv", "when",
     "columns.when"),
    (_text_among_numbers, "synth.csv", "age", "missing_tokens"),
    (lambda: schema_of(mixed(), mixed().drop(columns="income")), "synth.csv", "income",
     "columns.income"),
    (_declared_typo, "train.csv", "colour", "columns.colour"),
    (_metadata_typo, "train.csv", "colour", "metadata"),
    (lambda: schema_of(mixed(), declared={c: ("ignore", "config") for c in ("age", "income")}
                       | {"color": ("identifier", "config")}), "train.csv", None, "columns"),
])
def test_errors_carry_source_column_and_key(call, source: str, column: str | None,
                                            key: str) -> None:
    with pytest.raises(InputError) as info:
        call()
    err, msg = info.value, str(info.value)
    assert (err.source, err.column, err.key) == (source, column, key)
    assert msg.startswith(f"{source}: ") and msg.endswith(f" — {err.hint}")
    assert column is None or repr(column) in msg
    assert key in str(err.hint)  # the hint names the setting that fixes it ...
    assert "--" not in msg and "SENTINEL" not in msg  # ... not a flag, and never a value


def test_several_missing_columns_are_named_with_one_hint() -> None:
    train = mixed()
    with pytest.raises(InputError) as info:
        schema_of(train, train.drop(columns=["income", "age"]))
    assert (info.value.column, info.value.key) == ("age", "columns.age")  # train's order
    assert info.value.hint == 'add them, or declare each as columns.<name> = "ignore"'
    with pytest.raises(InputError) as info:
        schema_of(train, train.assign(extra=1))
    assert info.value.hint == 'drop it, or declare columns.extra = "ignore"'
