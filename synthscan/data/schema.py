"""Schema alignment and column roles.

All inputs are aligned by column name and every column gets one type across all of them, so that
the same value always means the same thing in train, holdout and synthetic data. Roles decide how
a column is used: ``numeric`` and ``categorical`` enter distances (datetimes become numeric,
booleans categorical); ``identifier`` columns are excluded from distances (a unique id would make
every record unique) but still take part in the all-column exact-copy hash; ``ignore`` drops the
column entirely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import numpy as np
import pandas as pd

from ..errors import InputError

ROLES = ("numeric", "categorical", "datetime", "boolean", "identifier", "ignore")
_ID_NAME = re.compile(r"(^|[^a-z0-9])(id|uuid|guid|key|pk|ssn|index|idx)$|^id([^a-z]|$)", re.I)
_DATE_LIKE = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"
                        r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$")
_BOOL_STRINGS = {"true": True, "false": False}


@dataclass
class ColumnSpec:
    """One column's type and role, and where that decision came from."""

    name: str
    role: str  # one of ROLES except "ignore"
    source: str = "inferred"  # "inferred", "config" or "metadata"
    note: str = ""

    @property
    def in_distance(self) -> bool:
        return self.role in ("numeric", "categorical", "datetime", "boolean")

    @property
    def is_numeric(self) -> bool:
        return self.role in ("numeric", "datetime")

    def to_dict(self) -> dict:
        d = {"name": self.name, "role": self.role, "source": self.source}
        if self.note:
            d["note"] = self.note
        return d


@dataclass
class Schema:
    """The aligned column specs of a scan, in train's column order."""

    columns: list[ColumnSpec]
    ignored: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def distance_columns(self) -> list[ColumnSpec]:
        return [c for c in self.columns if c.in_distance]

    @property
    def identifiers(self) -> list[str]:
        return [c.name for c in self.columns if c.role == "identifier"]

    def to_dict(self) -> dict:
        return {
            "columns": [c.to_dict() for c in self.columns],
            "identifiers_excluded_from_distances": self.identifiers,
            "ignored": list(self.ignored),
        }


def _names(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" (and {len(names) - limit} more)" if len(names) > limit else "")


# --------------------------------------------------------------------------------------------
# per-table kind detection

#: integers beyond this magnitude are not exact in float64: a column holding them is a code
_MAX_EXACT_INT = 2**53
_BIG_INT_TEXT = re.compile(r"^[+-]?\d{16,}$")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


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


def _detect_kind(s: pd.Series) -> str:
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
    if pd.api.types.is_bool_dtype(s):
        return "boolean"
    if pd.api.types.is_timedelta64_dtype(s):
        return "numeric"
    if pd.api.types.is_numeric_dtype(s):  # nullable Int64/Float64, ...
        return "bigint" if _has_big_integers(s) else "numeric"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "datetime"
    values = nonmissing.astype(object)
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
    if text.str.lower().isin(_BOOL_STRINGS.keys()).all():
        return "boolean"
    if pd.to_numeric(text, errors="coerce").notna().all():
        return "bigint" if _has_big_integers(text) else "numeric"
    if text.str.match(_DATE_LIKE).all() and not np.isnan(_datetime_seconds(values)).any():
        return "datetime"
    return "categorical"


# --------------------------------------------------------------------------------------------
# conversion to the canonical dtype of a role


#: numbers beyond this magnitude overflow float64 in differences, squares and sums (the
#: largest float64 is about 1.8e308; a square of 1e154 already overflows)
MAX_ABS = 1e100


def _numeric_array(s: pd.Series, table: str, column: str) -> np.ndarray:
    if s.dtype.kind == "f":
        arr = s.to_numpy() if isinstance(s.dtype, np.dtype) else s.to_numpy(
            dtype="float64", na_value=np.nan)
        if arr.dtype.itemsize < 8:
            # float32 0.1 is 0.10000000149011612 as float64: go through its shortest decimal
            # text so that it equals the 0.1 of a float64 (or CSV) input
            arr = arr.astype(str).astype("float64")
        arr = arr.astype("float64", copy=False)
    elif pd.api.types.is_timedelta64_dtype(s):
        arr = s.dt.total_seconds().to_numpy(dtype="float64")
    elif pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        arr = s.astype("float64").to_numpy()
    else:
        text = s.astype(object).where(s.notna(), None)
        out = pd.to_numeric(text.map(lambda v: v.strip() if isinstance(v, str) else v),
                            errors="coerce").astype("float64")
        bad = int((out.isna() & s.notna()).sum())
        if bad:
            raise InputError(
                f"{table}: column {column!r} has {bad} non-numeric value(s) but is numeric "
                "elsewhere — fix the file, declare its missing-value marker with "
                "--missing-token, or declare the column categorical in --config"
            )
        arr = out.to_numpy()
    if np.isinf(arr).any():
        raise InputError(
            f"{table}: column {column!r} has infinite values — replace them with numbers or "
            "leave the cells empty (missing)"
        )
    with np.errstate(invalid="ignore"):
        huge = np.abs(arr) > MAX_ABS
    if huge.any():
        raise InputError(
            f"{table}: column {column!r} has {int(huge.sum())} value(s) beyond ±{MAX_ABS:.0e}, "
            "too large for distances and statistics in float64 — rescale the column (e.g. "
            "divide it by a power of ten in every file) or declare it categorical in --config"
        )
    return arr


def to_numeric(s: pd.Series, table: str, column: str) -> pd.Series:
    """Numbers as float64 (booleans 0/1, durations in seconds); text that is not a number and
    infinities are errors naming ``table`` and ``column``."""
    return pd.Series(_numeric_array(s, table, column), index=s.index, dtype="float64")


def _dt64_seconds(s: pd.Series) -> np.ndarray:
    """Seconds since the epoch of a datetime64 series, in its own unit (no ns overflow)."""
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    arr = s.to_numpy()
    unit, count = np.datetime_data(arr.dtype)
    ticks = arr.view("int64").astype("float64")
    per_second = np.timedelta64(1, "s") / np.timedelta64(count, unit)
    out = ticks / per_second if per_second >= 1 else ticks * (1 / per_second)
    out[np.isnat(arr)] = np.nan
    return out


def _iso_seconds(value: object) -> float:
    """Fallback for ISO dates outside pandas' nanosecond range (e.g. 9999-12-31)."""
    if isinstance(value, datetime):
        d = value
    elif isinstance(value, date):
        d = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and _DATE_LIKE.match(value):
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


def _datetime_seconds(values: pd.Series) -> np.ndarray:
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


def to_datetime_seconds(s: pd.Series, table: str, column: str) -> pd.Series:
    """Datetimes become float seconds since the epoch (UTC; time zones are normalised, naive
    times are read as UTC)."""
    sec = _datetime_seconds(s)
    bad = int((np.isnan(sec) & s.notna().to_numpy()).sum())
    if bad:
        raise InputError(
            f"{table}: column {column!r} has {bad} value(s) that are not dates — use ISO "
            "dates (YYYY-MM-DD[ HH:MM:SS][+hh:mm]), or declare the column numeric or "
            "categorical in --config"
        )
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
    if low in _BOOL_STRINGS:
        return "True" if _BOOL_STRINGS[low] else "False"
    return text


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
        text = pd.Series(vals, dtype=object)
        low = text.str.lower()
        is_bool = low.isin(_BOOL_STRINGS.keys()).to_numpy()
        if is_bool.any():
            text[is_bool] = np.where(low[is_bool] == "true", "True", "False")
        out[mask] = text.to_numpy()
    else:
        if s.dtype.kind == "f":  # numpy scalars keep their precision: float32 0.1 is "0.1"
            vals = s.to_numpy()[mask]
        out[mask] = [_canonical_text(v) for v in vals]
    return pd.Series(out, index=s.index, dtype=object)


# --------------------------------------------------------------------------------------------
# alignment


def align_columns(frames: dict[str, pd.DataFrame], names: dict[str, str],
                  ignore: set[str]) -> tuple[list[str], list[str]]:
    """Check that every input has the same column set; return train's order and ignored names."""
    train_cols = [c for c in frames["train"].columns]
    ref = set(train_cols) - ignore
    for role, df in frames.items():
        if role == "train":
            continue
        cols = set(df.columns) - ignore
        absent, unexpected = ref - cols, cols - ref  # computed once: tables can be very wide
        missing = [c for c in train_cols if c in absent]
        extra = [c for c in df.columns if c in unexpected]
        if missing:
            raise InputError(
                f"{names[role]}: column {_names(missing)} of {names['train']} is missing here — "
                "add it, or mark it role = \"ignore\" in --config"
            )
        if extra:
            raise InputError(
                f"{names[role]}: column {_names(extra)} is not in {names['train']} — "
                "drop it, or mark it role = \"ignore\" in --config"
            )
    ignored = [c for c in train_cols if c in ignore]
    return [c for c in train_cols if c not in ignore], ignored


def _reconcile(column: str, kinds: dict[str, str], names: dict[str, str]) -> str:
    """One kind for a column from its kind in each table, or an error naming the disagreement."""
    present = {role: k for role, k in kinds.items() if k != "empty"}
    distinct = set(present.values())
    if not distinct:
        return "categorical"
    if "nested" in distinct:
        role = next(r for r, k in present.items() if k == "nested")
        raise InputError(f"{names[role]}: column {column!r} holds nested values (lists or "
                         "records) — flatten it into plain columns or drop it")
    if "bigint" in distinct and distinct <= {"bigint", "numeric", "categorical"}:
        return "bigint"  # codes: compared exactly, as text
    if len(distinct) == 1:
        return distinct.pop()
    if distinct <= {"boolean", "categorical"}:
        return "categorical"
    if distinct <= {"numeric", "categorical"} or distinct <= {"datetime", "categorical"}:
        # the categorical side is text that does not parse; name it
        odd = next(r for r, k in present.items() if k == "categorical")
        other_role, other_kind = next((r, k) for r, k in present.items() if k != "categorical")
        raise InputError(
            f"{names[odd]}: column {column!r} is text here but {other_kind} in "
            f"{names[other_role]} — fix the file, declare its missing-value marker with "
            "--missing-token, or declare the column categorical in --config"
        )
    first_role, first_kind = next(iter(present.items()))
    other_role, other_kind = next((r, k) for r, k in present.items() if k != first_kind)
    raise InputError(
        f"{names[first_role]}: column {column!r} is {first_kind} here but {other_kind} in "
        f"{names[other_role]} — make the inputs agree, or declare the column's role in --config"
    )


def _looks_like_identifier(name: str, role: str, pooled: np.ndarray) -> str | None:
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


def _data_note(role: str, pooled: np.ndarray) -> str:
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


def _mostly_numbers_note(pooled: np.ndarray) -> str:
    """A hint for a text column that is numbers except for a few markers (\"?\", \"-\", ...):
    usually a numeric column whose missing-value marker was not declared."""
    values = pd.Series(pooled[pd.notna(pooled)], dtype=object)
    if len(values) < 10 or pd.to_numeric(values.head(200), errors="coerce").notna().mean() < 0.5:
        return ""  # (the cheap look at the first values spares long text columns)
    is_number = pd.to_numeric(values, errors="coerce").notna()
    n_markers = values[~is_number].nunique()
    if is_number.mean() >= 0.9 and 0 < n_markers <= 3:
        return (f"numbers except for {n_markers} distinct text value(s); if they mean "
                "'missing', declare them with --missing-token and the column becomes numeric")
    return ""


def _convert(s: pd.Series, role: str, table: str, column: str) -> np.ndarray:
    """One table's column in the canonical dtype of ``role`` (float64 or object text)."""
    if role == "numeric":
        return _numeric_array(s, table, column)
    if role == "datetime":
        return to_datetime_seconds(s, table, column).to_numpy()
    return to_categorical(s).to_numpy()


def build_schema(
    frames: dict[str, pd.DataFrame],
    names: dict[str, str],
    declared: dict[str, tuple[str, str]] | None = None,
) -> tuple[Schema, dict[str, pd.DataFrame]]:
    """Align inputs, decide each column's role and convert every column to its canonical dtype.

    Parameters
    ----------
    frames : raw tables keyed by "train", "synthetic" and optionally "holdout"
    names : display name of each table (file name) for messages
    declared : column -> (role, source) from config or SDV metadata; overrides inference

    Returns the schema and the converted tables (numeric and datetime as float64, categorical
    and identifier columns as object text with None for missing), each with a fresh
    ``RangeIndex`` in its input's row order.
    """
    declared = dict(declared or {})
    unknown_roles = {c: r for c, (r, _) in declared.items() if r not in ROLES}
    if unknown_roles:
        c, r = next(iter(unknown_roles.items()))
        raise InputError(f"column {c!r}: unknown role {r!r} — use one of {', '.join(ROLES)}")
    ignore = {c for c, (r, _) in declared.items() if r == "ignore"}
    columns, ignored = align_columns(frames, names, ignore)
    not_found = [c for c in declared if c not in columns and c not in ignore]
    if not_found:
        raise InputError(
            f"{names['train']}: column {_names(not_found)} named in the roles declaration does "
            "not exist — fix the name in --config/--metadata"
        )
    frames = {role: df.reset_index(drop=True) for role, df in frames.items()}
    series = {role: dict(df.items()) for role, df in frames.items()}  # one lookup per column
    converted: dict[str, dict[str, np.ndarray]] = {role: {} for role in frames}
    specs: list[ColumnSpec] = []
    real_roles = [r for r in ("train", "holdout") if r in frames]
    for col in columns:
        note = ""
        if col in declared:
            role, source = declared[col]
        else:
            kinds = {r: _detect_kind(series[r][col]) for r in frames}
            role, source = _reconcile(col, kinds, names), "inferred"
            if role == "bigint":
                role, note = "categorical", ("integers too large for exact arithmetic: "
                                             "compared as codes")
        for r in frames:
            converted[r][col] = _convert(series[r][col], role, names[r], col)
        pooled = np.concatenate([converted[r][col] for r in real_roles])
        if source == "inferred" and role == "categorical" and not note:
            note = _mostly_numbers_note(pooled)
        if source == "inferred" and role in ("numeric", "categorical"):
            reason = _looks_like_identifier(col, role, pooled)
            if reason:
                role = "identifier"
                note = "; ".join(n for n in (f"inferred identifier: {reason}", note) if n)
                for r in frames:
                    converted[r][col] = to_categorical(pd.Series(converted[r][col])).to_numpy()
        if role != "identifier" and not note:
            note = _data_note(role, pooled)
        specs.append(ColumnSpec(col, role, source, note))
    schema = Schema(specs, ignored)
    if not schema.distance_columns:
        kinds = []
        if schema.identifiers:
            kinds.append(f"identifiers: {_names(schema.identifiers)}")
        if ignored:
            kinds.append(f"ignored: {_names(list(ignored))}")
        raise InputError(
            f"{names['train']}: no column is left to compare: every column is an identifier or "
            f"ignored ({'; '.join(kinds) or 'none'}) — declare the roles of the data columns in "
            "--config (e.g. [columns] age = \"numeric\")"
        )
    # object arrays stay object (pandas 3 would infer its str dtype from text arrays)
    out = {role: pd.DataFrame({c: pd.Series(converted[role][c], index=frames[role].index,
                                            dtype=converted[role][c].dtype)
                               for c in columns}, index=frames[role].index, columns=columns)
           for role in frames}
    return schema, out
