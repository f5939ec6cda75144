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


def _is_nested(values: pd.Series) -> bool:
    sample = values.dropna().head(50)
    return any(isinstance(v, (dict, list, tuple, set, np.ndarray)) for v in sample)


def _detect_kind(s: pd.Series) -> str:
    """Kind of one table's column: empty, boolean, numeric, datetime or categorical."""
    nonmissing = s.dropna()
    if len(nonmissing) == 0:
        return "empty"
    if pd.api.types.is_bool_dtype(s):
        return "boolean"
    if pd.api.types.is_numeric_dtype(s):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "datetime"
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
        nonmissing = s.dropna()
    if _is_nested(s):
        return "nested"
    if all(isinstance(v, (bool, np.bool_)) for v in nonmissing.head(1000)) and nonmissing.map(
        lambda v: isinstance(v, (bool, np.bool_))
    ).all():
        return "boolean"
    text = nonmissing.astype(str).str.strip()
    if text.str.lower().isin(_BOOL_STRINGS.keys()).all():
        return "boolean"
    num = pd.to_numeric(text, errors="coerce")
    if num.notna().all():
        return "numeric"
    if text.str.match(_DATE_LIKE).all():
        parsed = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
        if parsed.notna().all():
            return "datetime"
    return "categorical"


# --------------------------------------------------------------------------------------------
# conversion to the canonical dtype of a role


def to_numeric(s: pd.Series, table: str, column: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        out = s.astype("float64")
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
    return out


def to_datetime_seconds(s: pd.Series, table: str, column: str) -> pd.Series:
    """Datetimes become float seconds since the epoch (UTC; time zones are normalised)."""
    if pd.api.types.is_datetime64_any_dtype(s):
        dt = s.dt.tz_convert("UTC") if getattr(s.dt, "tz", None) is not None else s
    else:
        text = s.astype(object).where(s.notna(), None)
        dt = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
        bad = int((dt.isna() & s.notna()).sum())
        if bad:
            raise InputError(
                f"{table}: column {column!r} has {bad} value(s) that are not dates — use ISO "
                "dates (YYYY-MM-DD[ HH:MM:SS][+hh:mm]) or declare the column categorical"
            )
    if getattr(dt.dt, "tz", None) is not None:
        dt = dt.dt.tz_convert("UTC").dt.tz_localize(None)
    out = (dt - pd.Timestamp("1970-01-01")) / pd.Timedelta(seconds=1)
    return out.astype("float64")


def to_categorical(s: pd.Series) -> pd.Series:
    """Categories are compared as text; booleans and numbers become their canonical strings."""
    if pd.api.types.is_bool_dtype(s):
        return s.map({True: "True", False: "False"}).astype(object)
    if pd.api.types.is_float_dtype(s):
        # 3.0 and 3 must be the same category in every input
        vals = s.to_numpy()
        out = np.empty(len(vals), dtype=object)
        ok = ~np.isnan(vals)
        out[~ok] = None
        out[ok] = [repr(int(v)) if float(v).is_integer() else repr(float(v)) for v in vals[ok]]
        return pd.Series(out, index=s.index, dtype=object)
    out = s.astype(object)
    mask = out.notna()
    text = out[mask].map(str)
    lowered = text.str.lower()
    if len(text) and lowered.isin(_BOOL_STRINGS.keys()).all():
        text = lowered.map(lambda v: "True" if v == "true" else "False")
    out = out.copy()
    out[mask] = text
    out[~mask] = None
    return out


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
        missing = [c for c in train_cols if c in ref - cols]
        extra = [c for c in df.columns if c in cols - ref]
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
    present = {role: k for role, k in kinds.items() if k != "empty"}
    distinct = set(present.values())
    if not distinct:
        return "categorical"
    if "nested" in distinct:
        role = next(r for r, k in present.items() if k == "nested")
        raise InputError(f"{names[role]}: column {column!r} holds nested values (lists or "
                         "records) — flatten it into plain columns or drop it")
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
    a, b = sorted(present.items(), key=lambda kv: kv[1])[:2]
    kind_a = a[1]
    b = next((r, k) for r, k in present.items() if k != kind_a)
    raise InputError(
        f"{names[a[0]]}: column {column!r} is {kind_a} here but {b[1]} in {names[b[0]]} — "
        "make the inputs agree, or declare the column's role in --config"
    )


def _looks_like_identifier(name: str, role: str, pooled: pd.Series) -> str | None:
    """Reason to treat a column as an identifier, or None."""
    values = pooled.dropna()
    n = len(values)
    if n < 20:
        return None
    n_unique = values.nunique()
    if role == "categorical" and n_unique >= 0.95 * n:
        return f"{n_unique} distinct values in {n} real rows (an id or free text)"
    if role == "numeric" and n_unique == n:
        arr = values.to_numpy(dtype="float64")
        integer = np.all(np.mod(arr, 1) == 0)
        if integer and _ID_NAME.search(name):
            return "unique integers with an id-like name"
        if integer and (arr.max() - arr.min() + 1) <= 2 * n:
            return "unique, nearly consecutive integers (a row number)"
    return None


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
    and identifier columns as object text with None for missing).
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
    out = {role: pd.DataFrame(index=df.index) for role, df in frames.items()}
    specs: list[ColumnSpec] = []
    real_roles = [r for r in ("train", "holdout") if r in frames]
    for col in columns:
        if col in declared:
            role, source = declared[col]
        else:
            kinds = {r: _detect_kind(frames[r][col]) for r in frames}
            role, source = _reconcile(col, kinds, names), "inferred"
        note = ""
        for r, df in frames.items():
            s = df[col]
            if role in ("numeric",):
                out[r][col] = to_numeric(s, names[r], col)
            elif role == "datetime":
                out[r][col] = to_datetime_seconds(s, names[r], col)
            else:
                out[r][col] = to_categorical(s)
        if source == "inferred" and role in ("numeric", "categorical"):
            pooled = pd.concat([out[r][col] for r in real_roles], ignore_index=True)
            reason = _looks_like_identifier(col, role, pooled)
            if reason:
                role, note = "identifier", f"inferred identifier: {reason}"
                for r in frames:
                    out[r][col] = to_categorical(out[r][col])
        if role in ("numeric", "datetime"):
            pooled = pd.concat([out[r][col] for r in real_roles], ignore_index=True)
            if pooled.isna().all():
                note = note or "all values missing in the real data"
            elif pooled.nunique() == 1 and not pooled.isna().any():
                note = note or "constant in the real data"
        elif role != "identifier":
            pooled = pd.concat([out[r][col] for r in real_roles], ignore_index=True)
            if pooled.isna().all():
                note = note or "all values missing in the real data"
            elif pooled.nunique(dropna=False) == 1:
                note = note or "constant in the real data"
        specs.append(ColumnSpec(col, role, source, note))
    schema = Schema(specs, ignored)
    if not schema.distance_columns:
        raise InputError(
            f"{names['train']}: no column is left to compare — every column is an identifier "
            f"({_names(schema.identifiers)}); declare the roles of the data columns in --config"
        )
    return schema, out
