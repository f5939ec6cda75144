"""Reading a Parquet file into a raw table: flat columns with unique names; a pandas index
saved in the file becomes data when it is named and is dropped when it is a row number."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputError
from .frames import default_index, duplicates, text_as_object
from .problems import name_list, problem


def _index_as_columns(df: pd.DataFrame) -> pd.DataFrame:
    """A pandas index saved in the file: named levels are data, unnamed ones row numbers."""
    unnamed = [i for i, n in enumerate(df.index.names) if n is None]
    if len(unnamed) == df.index.nlevels:
        return df.reset_index(drop=True)
    if unnamed:
        df = df.reset_index(level=unnamed, drop=True)
    return df.reset_index()


def read_parquet(path: Path) -> pd.DataFrame:
    """Read a Parquet file; duplicate names and nested columns (struct, list, map) are errors."""
    try:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises many types for bad files
        raise problem(InputError, path.name, f"could not be read as Parquet "
                      f"({type(exc).__name__})",
                      "check the file, or give it a .csv suffix if it is text") from None
    dups = sorted(duplicates(list(table.column_names)))
    if dups:
        raise problem(InputError, path.name, f"column name {name_list(dups)} appears more "
                      "than once", "rename or drop the duplicate", column=dups[0])
    import pyarrow as pa

    nested = [f.name for f in table.schema if pa.types.is_nested(f.type)]
    if nested:
        raise problem(InputError, path.name, f"column {name_list(nested)} holds nested values "
                      "(struct/list/map)", "flatten it into plain columns or drop it",
                      column=nested[0])
    try:
        df = table.to_pandas()
    except Exception as exc:  # pyarrow raises many types for odd columns
        raise problem(InputError, path.name, f"could not be converted to a table "
                      f"({type(exc).__name__})", "check the column types (plain numbers, text, "
                      "booleans and dates are supported)") from None
    if not default_index(df.index):
        df = _index_as_columns(df)
    df.columns = [str(c) for c in df.columns]
    return text_as_object(df)
