"""Inference of a column's role when no one declared it.

Each table's column gets a *kind* from its dtype and values (``detect_kind``); the kinds of all
tables are reconciled into one role (``align.reconcile``). The real data then decides whether a
numeric or categorical column is really an identifier (unique integers with an id-like name,
a row number, nearly all-distinct text) and which notes a column gets (all missing, constant,
numbers except for an undeclared missing-value marker).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from ..types import Table
from .align import reconcile
from .convert import BOOL_STRINGS, DATE_LIKE, datetime_seconds

#: a column's kind in one table; "bigint" is integers too large for exact float64 arithmetic
Kind = Literal["empty", "boolean", "numeric", "datetime", "categorical", "nested", "bigint"]

_ID_NAME = re.compile(r"(^|[^a-z0-9])(id|uuid|guid|key|pk|ssn|index|idx)$|^id([^a-z]|$)", re.I)
#: integers beyond this magnitude are not exact in float64: a column holding them is a code
_MAX_EXACT_INT = 2**53
_BIG_INT_TEXT = re.compile(r"^[+-]?\d{16,}$")
BIGINT_NOTE = "integers too large for exact arithmetic: compared as codes"


def _is_nested(values: pd.Series) -> bool:
    sample = values.dropna().head(50)
    return any(isinstance(v, (dict, list, tuple, set, np.ndarray)) for v in sample)


def _has_big_integers(s: pd.Series) -> bool:
    """Integers too large for exact float64 arithmetic (account numbers, 20-digit codes)."""
    if pd.api.types.is_integer_dtype(s):
        vals = s.dropna()
        return bool(len(vals)) and (int(vals.max()) > _MAX_EXACT_INT
                                    or int(vals.min()) < -_MAX_EXACT_INT)
    if pd.api.types.is_numeric_dtype(s):
        return False  # floats are already floats
    text = s.dropna().astype(str).str.strip()
    big = text[text.str.match(_BIG_INT_TEXT)]
    return any(abs(int(v)) > _MAX_EXACT_INT for v in big)


def _typed_kind(s: pd.Series) -> Kind | None:
    """The kind a non-empty column's dtype already says, or None for object/text columns."""
    if pd.api.types.is_bool_dtype(s):
        return "boolean"
    if pd.api.types.is_timedelta64_dtype(s):
        return "numeric"
    if pd.api.types.is_numeric_dtype(s):  # nullable Int64/Float64, ...
        return "bigint" if _has_big_integers(s) else "numeric"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "datetime"
    return None


def _value_kind(values: pd.Series) -> Kind:
    """The kind of non-missing object values: nested, boolean, numeric, datetime or text."""
    if _is_nested(values):
        return "nested"
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred == "boolean":
        return "boolean"
    if inferred == "string":
        # all text: the kind depends only on the distinct values, so test those, not every
        # cell (mixed objects keep the full path: unique() would merge 1 and True)
        values = pd.Series(pd.unique(values.to_numpy()), dtype=object)
    text = values.astype(str).str.strip()
    if text.str.lower().isin(BOOL_STRINGS.keys()).all():
        return "boolean"
    if pd.to_numeric(text, errors="coerce").notna().all():
        return "bigint" if _has_big_integers(text) else "numeric"
    if text.str.match(DATE_LIKE).all() and not np.isnan(datetime_seconds(values)).any():
        return "datetime"
    return "categorical"


def detect_kind(s: pd.Series) -> Kind:
    """Kind of one table's column: empty, boolean, numeric, datetime, categorical or nested.

    Integer columns too large for exact float64 arithmetic are "bigint" (treated as codes).
    """
    kind = s.dtype.kind
    if kind == "f":  # the common case, kept cheap for very wide tables
        values = s.to_numpy(dtype="float64", na_value=np.nan)  # nullable Float64 included
        return "empty" if np.isnan(values).all() else "numeric"
    if kind in "iu":
        if not s.notna().any():  # no rows, or a nullable Int64 column that is all <NA>
            return "empty"
        return "bigint" if _has_big_integers(s) else "numeric"
    nonmissing = s.dropna()
    if len(nonmissing) == 0:
        return "empty"
    return _typed_kind(s) or _value_kind(nonmissing.astype(object))


def infer_role(column: str, by_table: Mapping[Table, pd.Series],
               names: Mapping[Table, str]) -> tuple[str, str]:
    """The role the tables' values agree on, and a note ("" or why big integers are codes)."""
    role = reconcile(column, {t: detect_kind(s) for t, s in by_table.items()}, names)
    if role == "bigint":
        return "categorical", BIGINT_NOTE
    return role, ""


def identifier_reason(name: str, role: str, pooled: np.ndarray) -> str | None:
    """Reason to treat a column as an identifier, or None (``pooled``: the real data,
    converted: float64 for numeric, text or None for categorical)."""
    if role == "numeric":
        values = pooled[~np.isnan(pooled)]
        n = len(values)
        if n < 20 or not np.all(np.mod(values, 1) == 0) or len(np.unique(values)) < n:
            return None  # ids are unique integers
        if _ID_NAME.search(name):
            return "unique integers with an id-like name"
        if values.max() - values.min() + 1 <= 2 * n:
            return "unique, nearly consecutive integers (a row number)"
        return None
    values = pooled[pd.notna(pooled)]
    n = len(values)
    if n < 20:
        return None
    n_unique = len(pd.unique(values))
    if n_unique >= 0.95 * n:
        return f"{n_unique} distinct values in {n} real rows (an id or free text)"
    return None


def mostly_numbers_note(pooled: np.ndarray) -> str:
    """A hint for a text column that is numbers except for a few markers (\"?\", \"-\", ...):
    usually a numeric column whose missing-value marker was not declared."""
    values = pd.Series(pooled[pd.notna(pooled)], dtype=object)
    if len(values) < 10 or pd.to_numeric(values.head(200), errors="coerce").notna().mean() < 0.5:
        return ""  # (the cheap look at the first values spares long text columns)
    is_number = pd.to_numeric(values, errors="coerce").notna()
    n_markers = values[~is_number].nunique()
    if is_number.mean() >= 0.9 and 0 < n_markers <= 3:
        return (f"numbers except for {n_markers} distinct text value(s); if they mean "
                "'missing', declare them as missing_tokens (--missing-token on the command "
                "line) and the column becomes numeric")
    return ""


def refine_inferred(name: str, role: str, note: str, pooled: np.ndarray) -> tuple[str, str]:
    """An inferred role and note after a look at the real data (``pooled``, converted): a text
    column gets the undeclared-marker hint, a unique one becomes an identifier."""
    if role == "categorical" and not note:
        note = mostly_numbers_note(pooled)
    if role in ("numeric", "categorical"):
        reason = identifier_reason(name, role, pooled)
        if reason:
            return "identifier", "; ".join(n for n in (f"inferred identifier: {reason}", note)
                                           if n)
    return role, note


def data_note(role: str, pooled: np.ndarray) -> str:
    """Note on a column that carries no information in the real data."""
    if role in ("numeric", "datetime"):
        missing = np.isnan(pooled)
        if missing.all():
            return "all values missing in the real data"
        constant = not missing.any() and pooled.min() == pooled.max()
    else:
        missing = pd.isna(pooled)
        if missing.all():
            return "all values missing in the real data"
        constant = not missing.any() and len(pd.unique(pooled)) == 1
    return "constant in the real data" if constant else ""
