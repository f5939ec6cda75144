"""Mergeable statistics of a column, from which its kind and role are decided.

A column is described piece by piece (one piece per table locally, many partitions on a Dask
cluster) and the pieces' statistics are merged in row order; every decision of ``infer`` reads
the merged statistics only, so a table split into any number of pieces gets the role it gets
whole. Each statistic is exact under merging:

* ``KindEvidence`` (raw values of one table): what ``infer.decide_kind`` needs — the dtype's
  own kind, or for object values whether *every* value is a bool, boolean text, a number or a
  date (each test is made value by value, so "all" of a concatenation is the "and" of its
  pieces'), whether an integer is too large for float64, and the position of the first nested
  value among the first ``NESTED_LOOK`` present values (the look is by position, so the merge
  offsets a piece's position by the present values before it).
* ``RealFacts`` (converted values of the real tables, train's pieces then holdout's): counts,
  range, whole-ness, up to two distinct values (constant-ness), the first ``HEAD`` present
  values, and per-piece distinct counts (an upper bound on the pooled count).
* ``NumberFacts``: how many present values are numbers and up to four distinct other values.
* ``distinct_count``: the exact number of distinct values of pieces; ``buckets`` splits a
  piece by a hash of its values, so that a cluster counts each bucket apart and adds the counts.

Nothing here imports dask.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from .convert import BOOL_STRINGS, DATE_LIKE, datetime_seconds

#: a column's kind in one table; "bigint" is integers too large for exact float64 arithmetic
Kind = Literal["empty", "boolean", "numeric", "datetime", "categorical", "nested", "bigint"]

#: nested values are looked for among a column's first present values only
NESTED_LOOK = 50
#: the mostly-numbers hint looks at the first present values first
HEAD = 200
#: distinct non-number values kept (the hint needs to know 1, 2, 3 or more)
MARKERS_CAP = 4
#: integers beyond this magnitude are not exact in float64: a column holding them is a code
_MAX_EXACT_INT = 2**53
_BIG_INT_TEXT = re.compile(r"^[+-]?\d{16,}$")


def has_big_integers(s: pd.Series) -> bool:
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


@dataclass(frozen=True)
class KindEvidence:
    """What one piece of a table's column says about its kind (see the module's notes)."""

    dtype: str
    present: int = 0
    #: the kind the dtype already says, or None for object/text values
    typed: Kind | None = None
    #: an integer beyond 2**53 (typed integers; or text, in a piece whose values are numbers)
    big: bool = False
    #: position among the present values of the first nested value, when below NESTED_LOOK
    nested_at: int | None = None
    #: every present value is a bool / boolean text / a number / an ISO date
    bools: bool = True
    bool_text: bool = True
    numbers: bool = True
    dates: bool = True


def _dtype_kind(s: pd.Series) -> tuple[Kind | None, bool]:
    """The kind a column's dtype says (None for object/text), and whether big integers must be
    looked for."""
    if pd.api.types.is_bool_dtype(s):
        return "boolean", False
    if pd.api.types.is_timedelta64_dtype(s):
        return "numeric", False
    if pd.api.types.is_numeric_dtype(s):  # nullable Int64/Float64, ...
        return "numeric", True
    if pd.api.types.is_datetime64_any_dtype(s):
        return "datetime", False
    return None, False


def _is_nested(v: object) -> bool:
    return isinstance(v, (dict, list, tuple, set, np.ndarray))


def _value_evidence(dtype: str, values: pd.Series) -> KindEvidence:
    """The evidence of present object values (at least one; ``present`` is set by the
    caller)."""
    head = values.head(NESTED_LOOK).tolist()
    nested_at = next((i for i, v in enumerate(head) if _is_nested(v)), None)
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred == "boolean":  # "True"/"False" as text: boolean text, not numbers or dates
        return KindEvidence(dtype, 0, None, False, nested_at, True, True, False, False)
    if inferred == "string":
        # all text: every test is per value, so test the distinct values, not every cell
        # (mixed objects keep the full path: unique() would merge 1 and True)
        values = pd.Series(pd.unique(values.to_numpy()), dtype=object)
    text = values.astype(str).str.strip()
    bool_text = bool(text.str.lower().isin(BOOL_STRINGS.keys()).all())
    numbers = bool(pd.to_numeric(text, errors="coerce").notna().all())
    dates = bool(text.str.match(DATE_LIKE).all()) and not np.isnan(
        datetime_seconds(values)).any()
    big = numbers and has_big_integers(text)
    return KindEvidence(dtype, 0, None, big, nested_at, False, bool_text, numbers, dates)


def kind_evidence(s: pd.Series) -> KindEvidence:
    """The kind evidence of one piece of a table's column (raw values, any dtype)."""
    dtype, kind = str(s.dtype), s.dtype.kind
    if kind == "f":  # the common case, kept cheap for very wide tables
        values = s.to_numpy(dtype="float64", na_value=np.nan)  # nullable Float64 included
        return KindEvidence(dtype, int(len(values) - np.isnan(values).sum()), "numeric")
    if kind in "iu":
        present = int(s.notna().sum())
        return KindEvidence(dtype, present, "numeric", present > 0 and has_big_integers(s))
    typed, check_big = _dtype_kind(s)
    nonmissing = s.dropna()
    if typed is not None or not len(nonmissing):
        return KindEvidence(dtype, len(nonmissing), typed,
                            check_big and len(nonmissing) > 0 and has_big_integers(s))
    return replace(_value_evidence(dtype, nonmissing.astype(object)), present=len(nonmissing))


def merge_kinds(first: KindEvidence, *rest: KindEvidence) -> KindEvidence:
    """The evidence of pieces in row order (``first`` comes first), as of the joined piece."""
    out = first
    for e in rest:
        if e.dtype != out.dtype:
            raise ValueError(f"pieces of one column with dtypes {out.dtype} and {e.dtype}: "
                             "cast them to one dtype before describing them")
        nested_at = out.nested_at
        if nested_at is None and e.nested_at is not None and \
                out.present + e.nested_at < NESTED_LOOK:
            nested_at = out.present + e.nested_at
        out = KindEvidence(out.dtype, out.present + e.present, out.typed, out.big or e.big,
                           nested_at, out.bools and e.bools, out.bool_text and e.bool_text,
                           out.numbers and e.numbers, out.dates and e.dates)
    return out


def decide_kind(e: KindEvidence) -> Kind:
    """The kind of a column from its (merged) evidence."""
    if e.present == 0:
        return "empty"
    if e.typed is not None:
        return "bigint" if e.typed == "numeric" and e.big else e.typed
    if e.nested_at is not None:
        return "nested"
    if e.bools or e.bool_text:
        return "boolean"
    if e.numbers:
        return "bigint" if e.big else "numeric"
    return "datetime" if e.dates else "categorical"


@dataclass(frozen=True)
class Ask:
    """Which optional real-data statistics a column needs."""

    #: identifier question: whole-ness and repeats (numeric) or distinct counts (text)
    ident: bool = False
    #: the mostly-numbers hint: the first HEAD present values (text)
    head: bool = False


@dataclass(frozen=True)
class RealFacts:
    """A column's converted real values as the role decisions need them."""

    numeric: bool
    rows: int = 0
    present: int = 0
    vmin: float = float("inf")
    vmax: float = float("-inf")
    #: every present value is a whole number (numeric, asked)
    whole: bool = True
    #: a value repeats within one piece (numeric, asked)
    repeats: bool = False
    #: the sum over pieces of their distinct present values (text, asked)
    distinct_sum: int = 0
    #: up to two distinct present values, looked for while no value is missing (text)
    few: tuple[object, ...] = ()
    #: the first HEAD present values (text, asked)
    head: tuple[object, ...] = ()


def present_values(values: np.ndarray, numeric: bool) -> np.ndarray:
    """The present values of a converted column (float64 without NaN, or text without None)."""
    return values[~np.isnan(values)] if numeric else values[pd.notna(values)]


def real_facts(values: np.ndarray, numeric: bool, ask: Ask) -> RealFacts:
    """The facts of one piece of a column's converted real values (float64 when ``numeric``,
    else object text with None for missing)."""
    vals = present_values(values, numeric)
    n = len(vals)
    if numeric:
        if not n:
            return RealFacts(True, len(values))
        whole = bool(np.all(np.mod(vals, 1) == 0)) if ask.ident else True
        repeats = bool(ask.ident and whole and len(np.unique(vals)) < n)
        return RealFacts(True, len(values), n, float(vals.min()), float(vals.max()), whole,
                         repeats)
    distinct = pd.unique(vals) if (ask.ident or n == len(values)) else None
    return RealFacts(False, len(values), n,
                     distinct_sum=len(distinct) if ask.ident and distinct is not None else 0,
                     few=tuple(distinct[:2]) if n == len(values) and distinct is not None
                     else (),
                     head=tuple(vals[:HEAD]) if ask.head else ())


def merge_facts(first: RealFacts, *rest: RealFacts) -> RealFacts:
    """The facts of pieces in row order (``first`` comes first), as of the joined piece."""
    out = first
    for f in rest:
        complete = out.present == out.rows and f.present == f.rows
        few = tuple(dict.fromkeys(out.few + f.few))[:2] if complete else ()
        out = RealFacts(out.numeric, out.rows + f.rows, out.present + f.present,
                        min(out.vmin, f.vmin), max(out.vmax, f.vmax), out.whole and f.whole,
                        out.repeats or f.repeats, out.distinct_sum + f.distinct_sum, few,
                        (out.head + f.head)[:HEAD])
    return out


@dataclass(frozen=True)
class NumberFacts:
    """How many present values of a text column are numbers, and up to MARKERS_CAP distinct
    values that are not."""

    numbers: int = 0
    markers: tuple[object, ...] = ()


def number_facts(values: np.ndarray) -> NumberFacts:
    """The number facts of one piece of a converted text column."""
    vals = pd.Series(present_values(values, False), dtype=object)
    is_number = pd.to_numeric(vals, errors="coerce").notna()
    others = pd.unique(vals[~is_number].to_numpy())
    return NumberFacts(int(is_number.sum()), tuple(others[:MARKERS_CAP]))


def merge_numbers(first: NumberFacts, *rest: NumberFacts) -> NumberFacts:
    """The number facts of pieces, in any order."""
    out = first
    for f in rest:
        out = NumberFacts(out.numbers + f.numbers,
                          tuple(dict.fromkeys(out.markers + f.markers))[:MARKERS_CAP])
    return out


def buckets(values: np.ndarray, numeric: bool, n: int) -> list[np.ndarray]:
    """A piece's present values split into ``n`` buckets by a hash of the value: equal values
    (0.0 and -0.0 included) fall into the same bucket in every piece."""
    vals = present_values(values, numeric)
    if n == 1:
        return [vals]
    keys = pd.util.hash_array(vals + 0.0 if numeric else vals.astype(object)) % np.uint64(n)
    return [vals[keys == b] for b in range(n)]


def distinct_count(pieces: Iterable[np.ndarray], numeric: bool) -> int:
    """The exact number of distinct present values among ``pieces`` (present values only)."""
    parts: Sequence[np.ndarray] = list(pieces)
    if not parts:
        return 0
    joined = np.concatenate(parts) if len(parts) > 1 else parts[0]
    return len(np.unique(joined)) if numeric else len(pd.unique(joined))
