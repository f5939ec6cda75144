"""Agreement between the inputs: the same columns in every table, one kind per column.

Columns are matched by name (train's order wins); a column whose values are of one kind in one
table and another kind elsewhere is an error naming both files, unless the difference is
harmless (missing everywhere, booleans among text, big integer codes among numbers).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..errors import InputError
from ..types import Table
from .problems import declare, name_list, problem


def _ignore_hint(verb: str, columns: list[str]) -> str:
    """How to fix a column set that differs: ``verb`` the column(s), or ignore them."""
    if len(columns) == 1:
        return f"{verb} it, or {declare(columns[0], 'ignore')}"
    return f'{verb} them, or declare each as columns.<name> = "ignore"'


def align_columns(frames: Mapping[Table, pd.DataFrame], names: Mapping[Table, str],
                  ignore: set[str]) -> tuple[list[str], list[str]]:
    """Check that every input has the same column set; return train's order and ignored names."""
    train_cols = list(frames["train"].columns)
    ref = set(train_cols) - ignore
    for table, df in frames.items():
        if table == "train":
            continue
        cols = set(df.columns) - ignore
        absent, unexpected = ref - cols, cols - ref  # computed once: tables can be very wide
        missing = [c for c in train_cols if c in absent]
        extra = [c for c in df.columns if c in unexpected]
        if missing:
            raise problem(InputError, names[table], f"column {name_list(missing)} of "
                          f"{names['train']} is missing here", _ignore_hint("add", missing),
                          column=missing[0], key=f"columns.{missing[0]}")
        if extra:
            raise problem(InputError, names[table], f"column {name_list(extra)} is not in "
                          f"{names['train']}", _ignore_hint("drop", extra),
                          column=extra[0], key=f"columns.{extra[0]}")
    ignored = [c for c in train_cols if c in ignore]
    return [c for c in train_cols if c not in ignore], ignored


def reconcile(column: str, kinds: Mapping[Table, str], names: Mapping[Table, str]) -> str:
    """One kind for a column from its kind in each table, or an error naming the disagreement."""
    present = {table: k for table, k in kinds.items() if k != "empty"}
    distinct = set(present.values())
    if not distinct:
        return "categorical"
    if "nested" in distinct:
        table = next(t for t, k in present.items() if k == "nested")
        raise problem(InputError, names[table], f"column {column!r} holds nested values (lists "
                      "or records)", "flatten it into plain columns or drop it", column=column)
    if "bigint" in distinct and distinct <= {"bigint", "numeric", "categorical"}:
        return "bigint"  # codes: compared exactly, as text
    if len(distinct) == 1:
        return distinct.pop()
    if distinct <= {"boolean", "categorical"}:
        return "categorical"
    if distinct <= {"numeric", "categorical"} or distinct <= {"datetime", "categorical"}:
        raise _text_among(column, present, names)
    first_table, first_kind = next(iter(present.items()))
    other_table, other_kind = next((t, k) for t, k in present.items() if k != first_kind)
    raise problem(InputError, names[first_table], f"column {column!r} is {first_kind} here but "
                  f"{other_kind} in {names[other_table]}",
                  f"make the inputs agree, or declare columns.{column}",
                  column=column, key=f"columns.{column}")


def _text_among(column: str, present: Mapping[Table, str],
                names: Mapping[Table, str]) -> InputError:
    """The error for a column that is text in one table and numbers or dates in another: the
    text side does not parse (often an undeclared missing-value marker); name it."""
    odd = next(t for t, k in present.items() if k == "categorical")
    other_table, other_kind = next((t, k) for t, k in present.items() if k != "categorical")
    return problem(InputError, names[odd], f"column {column!r} is text here but {other_kind} in "
                   f"{names[other_table]}",
                   "fix the file, declare its missing-value marker with missing_tokens, or "
                   f"{declare(column, 'categorical')}",
                   column=column, key="missing_tokens")
