"""Column roles of a scan, and how they are decided (``build_schema``).

All inputs are aligned by column name and every column gets one type across all of them, so that
the same value always means the same thing in train, holdout and synthetic data. Roles decide how
a column is used: ``numeric`` and ``categorical`` enter distances (datetimes become numeric,
booleans categorical); ``identifier`` columns are excluded from distances (a unique id would make
every record unique) but still take part in the all-column exact-copy hash; ``ignore`` drops the
column entirely. A declared role (config or SDV metadata) wins over inference (``infer``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..types import ROLES, Table
from .align import align_columns
from .convert import convert, to_categorical
from .infer import Kind, detect_kind, infer_role, settle_pieces
from .problems import name_list, problem

#: the roles a column of the schema can have (ignored columns are listed apart)
COLUMN_ROLES = tuple(r for r in ROLES if r != "ignore")
#: the tables whose values describe real people (notes and identifiers are decided on them)
_REAL: tuple[Table, ...] = ("train", "holdout")


@dataclass
class ColumnSpec:
    """One column's type and role, and where that decision came from."""

    name: str
    role: str  # one of COLUMN_ROLES
    source: str = "inferred"  # "inferred", "config" or "metadata"
    note: str = ""

    @property
    def in_distance(self) -> bool:
        return self.role in ("numeric", "categorical", "datetime", "boolean")

    @property
    def is_numeric(self) -> bool:
        return self.role in ("numeric", "datetime")

    def to_dict(self) -> dict[str, str]:
        d = {"name": self.name, "role": self.role, "source": self.source}
        if self.note:
            d["note"] = self.note
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnSpec:
        """A column as a result records it (``to_dict()``); ``ValueError`` when malformed."""
        spec = cls(data["name"], data["role"], data.get("source", "inferred"),
                   data.get("note", ""))
        if not all(isinstance(v, str) for v in (spec.name, spec.source, spec.note)) or \
                spec.role not in COLUMN_ROLES:
            raise ValueError(f"a column must have a name and a role: {', '.join(COLUMN_ROLES)}")
        return spec


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

    def to_dict(self) -> dict[str, object]:
        return {
            "columns": [c.to_dict() for c in self.columns],
            "identifiers_excluded_from_distances": self.identifiers,
            "ignored": list(self.ignored),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Schema:
        """The schema a result records (``to_dict()``); the identifiers are derived from the
        roles again. ``ValueError`` when malformed."""
        ignored = data.get("ignored", [])
        if not isinstance(ignored, list) or not all(isinstance(c, str) for c in ignored):
            raise ValueError("ignored must be a list of column names")
        return cls([ColumnSpec.from_dict(c) for c in data["columns"]], list(ignored))


def _check_roles(declared: Mapping[str, tuple[str, str]]) -> None:
    """Every declared role is one of ``ROLES``."""
    for c, (role, source) in declared.items():
        if role not in ROLES:
            raise problem(InputError, f"columns.{c}", f"unknown role {role!r} for column {c!r}",
                          f"use one of {', '.join(ROLES)}", source=source, column=c,
                          key=f"columns.{c}")


def _check_names(declared: Mapping[str, tuple[str, str]], columns: list[str], ignore: set[str],
                 train: str) -> None:
    """Every declared column exists in the inputs (a typo would silently declare nothing)."""
    not_found = [c for c in declared if c not in columns and c not in ignore]
    if not_found:
        first = not_found[0]
        by_metadata = declared[first][1] == "metadata"
        raise problem(InputError, train, f"column {name_list(not_found)} named in the roles "
                      "declaration does not exist",
                      "fix the name in metadata" if by_metadata else
                      f"fix or remove columns.{first}",
                      column=first, key="metadata" if by_metadata else f"columns.{first}")


def first_role(name: str, declared: tuple[str, str] | None,
               kinds: Mapping[Table, Kind] | None, names: Mapping[Table, str]
               ) -> tuple[str, str, str]:
    """A column's role, source and note before the real data is looked at: the declared role,
    or the one its kind in each table (``kinds``; None when declared) agrees on."""
    if declared is not None:
        return declared[0], declared[1], ""
    assert kinds is not None
    role, note = infer_role(name, kinds, names)
    return role, "inferred", note


def _column(name: str, by_table: Mapping[Table, pd.Series], names: Mapping[Table, str],
            declared: tuple[str, str] | None) -> tuple[ColumnSpec, dict[Table, np.ndarray]]:
    """One column's spec and its values in every table, converted to the role's dtype."""
    kinds = None if declared else {t: detect_kind(s) for t, s in by_table.items()}
    role, source, note = first_role(name, declared, kinds, names)
    values = {t: convert(s, role, names[t], name) for t, s in by_table.items()}
    real = [values[t] for t in _REAL if t in values]
    final, note = settle_pieces(name, role, source, note, real)
    if final == "identifier" and role != "identifier":  # ids are compared as text
        values = {t: to_categorical(pd.Series(v)).to_numpy() for t, v in values.items()}
    return ColumnSpec(name, final, source, note), values


def _nothing_to_compare(schema: Schema, train: str) -> InputError:
    """The error for a schema without a column that enters distances."""
    kinds = []
    if schema.identifiers:
        kinds.append(f"identifiers: {name_list(schema.identifiers)}")
    if schema.ignored:
        kinds.append(f"ignored: {name_list(schema.ignored)}")
    return problem(InputError, train, "no column is left to compare: every column is an "
                   f"identifier or ignored ({'; '.join(kinds) or 'none'})",
                   'declare the roles of the data columns (e.g. columns.age = "numeric")',
                   key="columns")


def plan_columns(frames: Mapping[Table, pd.DataFrame], names: Mapping[Table, str],
                 declared: Mapping[str, tuple[str, str]] | None
                 ) -> tuple[dict[str, tuple[str, str]], list[str], list[str]]:
    """The declared roles (checked), the aligned columns in train's order and the ignored ones;
    only the frames' columns are read (empty frames will do)."""
    declared = dict(declared or {})
    _check_roles(declared)
    ignore = {c for c, (r, _) in declared.items() if r == "ignore"}
    columns, ignored = align_columns(frames, names, ignore)
    _check_names(declared, columns, ignore, names["train"])
    return declared, columns, ignored


def checked_schema(specs: list[ColumnSpec], ignored: list[str], train: str) -> Schema:
    """The schema of ``specs``; an error when no column is left to compare."""
    schema = Schema(specs, ignored)
    if not schema.distance_columns:
        raise _nothing_to_compare(schema, train)
    return schema


def frame_of(converted: Mapping[str, np.ndarray], columns: list[str], rows: int) -> pd.DataFrame:
    """A converted table of ``rows`` rows from its columns' arrays, with a fresh
    ``RangeIndex``; object arrays stay object (pandas 3 would infer its str dtype from text
    arrays)."""
    index = pd.RangeIndex(rows)
    return pd.DataFrame({c: pd.Series(converted[c], index=index, dtype=converted[c].dtype)
                         for c in columns}, index=index, columns=columns)


def build_schema(
    frames: Mapping[Table, pd.DataFrame],
    names: Mapping[Table, str],
    declared: Mapping[str, tuple[str, str]] | None = None,
) -> tuple[Schema, dict[Table, pd.DataFrame]]:
    """Align inputs, decide each column's role and convert every column to its canonical dtype.

    Parameters
    ----------
    frames : raw tables keyed by "train", "synthetic" and optionally "holdout"
    names : display name of each table (file name) for messages
    declared : column -> (role, source) from config or SDV metadata; overrides inference

    Returns the schema and the converted tables (numeric and datetime as float64, categorical
    and identifier columns as object text with None for missing), each with a fresh
    ``RangeIndex`` in its input's row order. The roles are decided from mergeable statistics
    (``infer``, ``colstats``); ``dask_backend.schema`` decides them the same way from a
    cluster's partitions.
    """
    declared, columns, ignored = plan_columns(frames, names, declared)
    series = {t: dict(df.items()) for t, df in frames.items()}  # one lookup per column
    converted: dict[Table, dict[str, np.ndarray]] = {t: {} for t in frames}
    specs: list[ColumnSpec] = []
    for col in columns:
        spec, values = _column(col, {t: series[t][col] for t in frames}, names,
                               declared.get(col))
        specs.append(spec)
        for t, v in values.items():
            converted[t][col] = v
    schema = checked_schema(specs, ignored, names["train"])
    return schema, {t: frame_of(converted[t], columns, len(frames[t])) for t in frames}
