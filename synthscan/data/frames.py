"""What every raw table looks like after reading, whatever its format: text columns as
``object`` (on pandas 2 and 3 alike), column names as text, and a plain row index."""

from __future__ import annotations

import pandas as pd


def text_as_object(df: pd.DataFrame) -> pd.DataFrame:
    """pandas 3 reads text into its ``str`` dtype, pandas 2 into ``object``: the raw tables
    hold object text in both, so that everything after loading sees the same types."""
    for col, dtype in df.dtypes.items():
        if isinstance(dtype, pd.StringDtype) and dtype.na_value is not pd.NA:
            df[col] = df[col].astype(object)
    return df


def default_index(index: pd.Index) -> bool:
    """0, 1, 2, ... without a name: the index pandas gives a table without an index column."""
    return (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
            and index.name is None)


def duplicates(names: list[str]) -> list[str]:
    """Names that occur more than once, each listed once, in order of first repetition."""
    seen: set[str] = set()
    dups: list[str] = []
    for name in names:
        if name in seen and name not in dups:
            dups.append(name)
        seen.add(name)
    return dups
