"""One integer coding of every column, computed once per scan and shared by the checks.

Each column's values are pooled over every table (train, holdout, synthetic) and ranked:
``levels`` holds the distinct present values in sorted order (numbers by value, text by its
string form), and each table's ``codes`` are int32 positions in it, -1 for a missing value.
Equal values get equal codes in every table, and the order is kept, so an equality is a code
equality and a value range is a code range. Checks that want another vocabulary order derive it
from here: ``frequency_order`` ranks levels by how often they occur in the real tables (or in
all of them), ties by level order, which is deterministic and independent of row order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: code of a missing value
MISSING = -1
#: the tables whose values are "real"
REAL = ("train", "holdout")


@dataclass(frozen=True)
class CodedColumn:
    """One column's pooled, sorted levels and every table's codes into them."""

    name: str
    numeric: bool
    levels: np.ndarray  # sorted distinct present values (float64, or str objects)
    codes: Mapping[str, np.ndarray]  # table -> int32 codes, MISSING for a missing value
    counts: Mapping[str, np.ndarray] = field(repr=False)  # table -> occurrences per level

    @property
    def n_levels(self) -> int:
        return len(self.levels)

    def occurrences(self, tables: Sequence[str]) -> np.ndarray:
        """Occurrences of each level summed over ``tables`` (those present)."""
        total = np.zeros(self.n_levels, dtype=np.int64)
        for t in tables:
            if t in self.counts:
                total += self.counts[t]
        return total

    def frequency_order(self, tables: Sequence[str] = REAL) -> np.ndarray:
        """Level indices, most frequent in ``tables`` first, ties by level order."""
        return np.argsort(-self.occurrences(tables), kind="stable")

    def frequency_codes(self, table: str, tables: Sequence[str] = REAL) -> np.ndarray:
        """``table``'s values as positions in ``frequency_order(tables)`` (int64), MISSING for
        a missing value. Levels absent from ``tables`` still get a position: after every level
        that occurs there."""
        rank = np.empty(self.n_levels, dtype=np.int64)
        rank[self.frequency_order(tables)] = np.arange(self.n_levels)
        codes = self.codes[table]
        out = np.full(len(codes), MISSING, dtype=np.int64)
        present = codes >= 0
        out[present] = rank[codes[present]]
        return out


@dataclass(frozen=True)
class CodedTables:
    """The coded columns of a scan, by name."""

    columns: Mapping[str, CodedColumn]
    tables: tuple[str, ...]

    def __getitem__(self, name: str) -> CodedColumn:
        return self.columns[name]

    def ranks(self, names: Sequence[str], table: str) -> np.ndarray:
        """A ``(len(names), n_rows)`` int32 array of ``table``'s codes."""
        n = len(next(iter(self.columns.values())).codes[table]) if self.columns else 0
        out = np.empty((len(names), n), dtype=np.int32)
        for j, name in enumerate(names):
            out[j] = self.columns[name].codes[table]
        return out


def code_column(name: str, parts: Mapping[str, pd.Series], numeric: bool) -> CodedColumn:
    """Pool ``parts`` (table -> values) and code them on one sorted order."""
    tables = list(parts)
    sizes = [len(parts[t]) for t in tables]
    if numeric:
        pooled = np.concatenate([parts[t].to_numpy(dtype="float64") for t in tables])
    else:
        obj = pd.concat([parts[t] for t in tables], ignore_index=True).astype(object)
        pooled = obj.where(obj.isna(), obj.astype(str)).to_numpy()
    codes, uniques = pd.factorize(pooled, sort=True, use_na_sentinel=True)
    codes = codes.astype(np.int32)
    levels = np.asarray(uniques, dtype="float64" if numeric else object)
    cuts = np.cumsum([0, *sizes])
    by_table = {t: codes[cuts[i]:cuts[i + 1]] for i, t in enumerate(tables)}
    counts = {t: np.bincount(c[c >= 0], minlength=len(levels)).astype(np.int64)
              for t, c in by_table.items()}
    return CodedColumn(name, numeric, levels, by_table, counts)


def code_tables(frames: Mapping[str, pd.DataFrame], columns: Sequence[str],
                numeric: set[str]) -> CodedTables:
    """Code ``columns`` of every frame (frames as the schema step produced them)."""
    tables = tuple(frames)
    coded = {c: code_column(c, {t: frames[t][c] for t in tables}, c in numeric)
             for c in columns}
    return CodedTables(coded, tables)
