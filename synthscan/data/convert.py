"""Conversion of one table's column to the canonical dtype of its role.

Every input goes through the same conversion, so that the same value means the same thing in
train, holdout and synthetic data: numbers and datetimes become float64 (datetimes as seconds
since the epoch, UTC), categories become one canonical text per value (object, None for missing).
Errors name the input (``source``) and the column, never a value.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import numpy as np
import pandas as pd

from ..errors import InputError
from .problems import declare, problem

#: numbers beyond this magnitude overflow float64 in differences, squares and sums (the
#: largest float64 is about 1.8e308; a square of 1e154 already overflows)
MAX_ABS = 1e100
#: an ISO date, optionally with a time and a UTC offset
DATE_LIKE = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"
                       r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$")
#: boolean text, compared in lower case
BOOL_STRINGS = {"true": True, "false": False}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _float_array(s: pd.Series) -> np.ndarray:
    """A float column as float64; float32 goes through its shortest decimal text so that its
    0.1 equals the 0.1 of a float64 (or CSV) input."""
    arr = s.to_numpy() if isinstance(s.dtype, np.dtype) else s.to_numpy(
        dtype="float64", na_value=np.nan)
    if arr.dtype.itemsize < 8:
        arr = arr.astype(str).astype("float64")
    return arr.astype("float64", copy=False)


def _parsed_numbers(s: pd.Series, source: str, column: str) -> np.ndarray:
    """Numbers written as text (or mixed objects); any cell that is not a number is an error."""
    text = s.astype(object).where(s.notna(), None)
    out = pd.to_numeric(text.map(lambda v: v.strip() if isinstance(v, str) else v),
                        errors="coerce").astype("float64")
    bad = int((out.isna() & s.notna()).sum())
    if bad:
        raise problem(InputError, source, f"column {column!r} has {bad} non-numeric value(s) but "
                      "is numeric elsewhere",
                      "fix the file, declare its missing-value marker with missing_tokens, or "
                      f"{declare(column, 'categorical')}",
                      column=column, key="missing_tokens")
    return out.to_numpy()


def numeric_array(s: pd.Series, source: str, column: str) -> np.ndarray:
    """``to_numeric`` as a bare float64 array."""
    if s.dtype.kind == "f":
        arr = _float_array(s)
    elif pd.api.types.is_timedelta64_dtype(s):
        arr = s.dt.total_seconds().to_numpy(dtype="float64")
    elif pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        arr = s.astype("float64").to_numpy()
    else:
        arr = _parsed_numbers(s, source, column)
    if np.isinf(arr).any():
        raise problem(InputError, source, f"column {column!r} has infinite values",
                      "replace them with numbers or leave the cells empty (missing)",
                      column=column)
    with np.errstate(invalid="ignore"):
        huge = np.abs(arr) > MAX_ABS
    if huge.any():
        raise problem(InputError, source, f"column {column!r} has {int(huge.sum())} value(s) "
                      f"beyond ±{MAX_ABS:.0e}, too large for distances and statistics in float64",
                      "rescale the column (e.g. divide it by a power of ten in every file) or "
                      f"{declare(column, 'categorical')}",
                      column=column, key=f"columns.{column}")
    return arr


def to_numeric(s: pd.Series, source: str, column: str) -> pd.Series:
    """Numbers as float64 (booleans 0/1, durations in seconds); text that is not a number and
    infinities are errors naming ``source`` and ``column``."""
    return pd.Series(numeric_array(s, source, column), index=s.index, dtype="float64")


def _dt64_seconds(s: pd.Series) -> np.ndarray:
    """Seconds since the epoch of a datetime64 series, in its own unit (no ns overflow)."""
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    arr = s.to_numpy()
    unit, count = np.datetime_data(arr.dtype)
    tick = np.array(count, dtype=f"m8[{unit}]")  # one step of the series' unit
    per_second = np.timedelta64(1, "s") / tick
    ticks = arr.view("int64").astype("float64")
    out = ticks / per_second if per_second >= 1 else ticks * (1 / per_second)
    out[np.isnat(arr)] = np.nan
    return out


def _iso_seconds(value: object) -> float:
    """Fallback for ISO dates outside pandas' nanosecond range (e.g. 9999-12-31)."""
    if isinstance(value, datetime):
        d = value
    elif isinstance(value, date):
        d = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and DATE_LIKE.match(value):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            d = datetime.fromisoformat(text)
        except ValueError:
            return float("nan")
    else:
        return float("nan")
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return (d - _EPOCH).total_seconds()


def datetime_seconds(values: pd.Series) -> np.ndarray:
    """Float seconds since the epoch (UTC) of dates given as datetime64, date/datetime objects
    or ISO text; NaN for missing and for values that are not dates (numbers included)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return _dt64_seconds(values)
    obj = values.astype(object)
    present = obj.notna().to_numpy()
    out = np.full(len(obj), np.nan)
    if not present.any():
        return out
    vals = obj[present].map(lambda v: v.strip() if isinstance(v, str) else v)
    as_text = vals.map(lambda v: v.isoformat() if isinstance(v, (date, datetime)) else
                       v if isinstance(v, str) else None)
    parsed = pd.to_datetime(as_text, errors="coerce", utc=True, format="ISO8601")
    sec = _dt64_seconds(parsed)
    failed = np.isnan(sec)
    if failed.any():
        sec[failed] = [_iso_seconds(v) for v in vals[failed]]
    out[present] = sec
    return out


def to_datetime_seconds(s: pd.Series, source: str, column: str) -> pd.Series:
    """Datetimes become float seconds since the epoch (UTC; time zones are normalised, naive
    times are read as UTC); values that are not dates are an error."""
    sec = datetime_seconds(s)
    bad = int((np.isnan(sec) & s.notna().to_numpy()).sum())
    if bad:
        raise problem(InputError, source, f"column {column!r} has {bad} value(s) that are not "
                      "dates",
                      "use ISO dates (YYYY-MM-DD[ HH:MM:SS][+hh:mm]), or "
                      f"{declare(column, 'categorical')} (or \"numeric\")",
                      column=column, key=f"columns.{column}")
    return pd.Series(sec, index=s.index, dtype="float64")


def _canonical_text(v: object) -> str:
    """One text form per value, whatever the dtype it arrived in: 3, 3.0 and "3" (from an int,
    a float or a numpy scalar) are all "3"; booleans and "true"/"FALSE" are "True"/"False"."""
    if isinstance(v, (bool, np.bool_)):
        return "True" if v else "False"
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if f.is_integer():
            return str(int(f))
        return str(v) if isinstance(v, np.floating) else repr(f)
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    text = str(v)
    low = text.lower()
    if low in BOOL_STRINGS:
        return "True" if BOOL_STRINGS[low] else "False"
    return text


def _canonical_strings(values: np.ndarray) -> np.ndarray:
    """All-text values: only boolean text changes ("true"/"FALSE" become "True"/"False")."""
    text = pd.Series(values, dtype=object)
    low = text.str.lower()
    is_bool = low.isin(BOOL_STRINGS.keys()).to_numpy()
    if is_bool.any():
        text[is_bool] = np.where(low[is_bool] == "true", "True", "False")
    return text.to_numpy()


def to_categorical(s: pd.Series) -> pd.Series:
    """Categories are compared as text (object dtype, None for missing), in one canonical form
    per value (see ``_canonical_text``) so that every input agrees on what is equal."""
    obj = s.astype(object)
    mask = obj.notna().to_numpy()
    out = np.empty(len(obj), dtype=object)
    out[~mask] = None
    if not mask.any():
        return pd.Series(out, index=s.index, dtype=object)
    vals = obj.to_numpy()[mask]
    if pd.api.types.is_integer_dtype(s):
        out[mask] = s.to_numpy()[mask].astype(str).astype(object)
    elif pd.api.types.infer_dtype(vals, skipna=False) == "string":
        out[mask] = _canonical_strings(vals)
    else:
        if s.dtype.kind == "f":  # numpy scalars keep their precision: float32 0.1 is "0.1"
            vals = s.to_numpy()[mask]
        out[mask] = [_canonical_text(v) for v in vals]
    return pd.Series(out, index=s.index, dtype=object)


def convert(s: pd.Series, role: str, source: str, column: str) -> np.ndarray:
    """One table's column in the canonical dtype of ``role`` (float64 or object text)."""
    if role == "numeric":
        return numeric_array(s, source, column)
    if role == "datetime":
        return to_datetime_seconds(s, source, column).to_numpy()
    return to_categorical(s).to_numpy()
