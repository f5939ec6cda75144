"""Exact copies on a cluster: a hash join over every row of every table, verified by value.

The canonical values are the local ones (``encoding.hashing.CanonicalTables``: each column's
code on the scan's pooled sorted levels, computed on the client); their rows are sent to the
workers in chunks, hashed there with the local row hash, and shuffled on the hash so that equal
rows meet in one partition. There every row is grouped with the rows *equal to it value by
value* — the hash only routes rows, so a collision never makes a false copy nor hides one —
and each row learns how many equal rows every table holds. Only rows equal to some other row
come back to the client (sparse), from which ``CopyCounts`` answers what
``hashing.find_copies`` and ``hashing.duplicate_counts`` answer locally. No pair of rows is
ever materialised, so many equal rows cost linear time.

One join answers every pair of tables (synthetic in train, train in synthetic, holdout in
train, ...): the copies checks ask for it once per canonical column set.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd

from ..encoding.hashing import CanonicalTables, CopyMatches

#: rows per chunk sent to the workers (and per partition of the shuffle)
CHUNK_ROWS = 1 << 20
#: keep every bit of the row hash (tests pass fewer bits to force collisions)
ALL_BITS = (1 << 64) - 1


@dataclass(frozen=True)
class CopyCounts:
    """For every row equal to at least one other row (in any table): how many rows of each
    table equal it, itself included. A row left out equals only itself."""

    tables: tuple[str, ...]
    sizes: dict[str, int]
    table: np.ndarray  # int64 (m,): index into ``tables`` of the row's table
    row: np.ndarray  # int64 (m,): its row number in that table
    counts: np.ndarray  # int64 (m, len(tables)): equal rows in each table

    def equal_in(self, role: str, other: str) -> np.ndarray:
        """int64 (n_role,): the number of ``other`` rows equal to each ``role`` row."""
        t, o = self.tables.index(role), self.tables.index(other)
        out = np.zeros(self.sizes[role], dtype=np.int64)
        if role == other:
            out[:] = 1
        sel = self.table == t
        out[self.row[sel]] = self.counts[sel, o]
        return out

    def matches(self, query: str, reference: str) -> CopyMatches:
        """``hashing.find_copies(canon, query, reference)``: matched flags and the number of
        equal reference rows of each query row."""
        mult = self.equal_in(query, reference)
        return CopyMatches(mult > 0, mult)

    def pooled_duplicates(self, roles: Sequence[str]) -> np.ndarray:
        """``hashing.duplicate_counts`` of the concatenated ``roles``: for each of their rows in
        that order, how many rows of all ``roles`` equal it (itself included)."""
        return np.concatenate([sum((self.equal_in(r, o) for o in roles),
                                   np.zeros(self.sizes[r], dtype=np.int64)) for r in roles])


def _value_columns(n_cols: int) -> list[str]:
    return [f"c{j}" for j in range(n_cols)]


def _chunks(canon: CanonicalTables, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Row chunks of every table (one, empty, for an empty table): the table's index, the row
    numbers and the canonical values' bits (int64), made one at a time."""
    names = _value_columns(len(canon.columns))
    for t, role in enumerate(canon.tables):
        cols = canon.tables[role]
        n = len(cols[0]) if cols else 0
        for start in range(0, max(n, 1), chunk_rows):
            stop = min(n, start + chunk_rows)
            data: dict[str, np.ndarray] = {"t": np.full(stop - start, t, dtype=np.int64),
                                           "r": np.arange(start, stop, dtype=np.int64)}
            for name, col in zip(names, cols, strict=True):
                data[name] = np.ascontiguousarray(col[start:stop]).view(np.int64)
            yield pd.DataFrame(data)


def _with_hash(part: pd.DataFrame, n_cols: int, mask: int) -> pd.DataFrame:
    """The chunk with its rows' 64-bit hash (the local ``CanonicalTables`` hash), masked."""
    cols = [part[c].to_numpy(dtype=np.int64).view(np.float64) for c in _value_columns(n_cols)]
    h = CanonicalTables(_value_columns(n_cols), {"x": cols}).hashes("x") & np.uint64(mask)
    return part.assign(h=h.view(np.int64))


def _group_counts(part: pd.DataFrame, n_tables: int, n_cols: int) -> pd.DataFrame:
    """Group the rows of one shuffle partition by hash *and value*; keep the rows equal to
    another row, with the number of equal rows in each table."""
    out_cols = ["t", "r", *[f"n{i}" for i in range(n_tables)]]
    if len(part) == 0:
        return pd.DataFrame({c: np.zeros(0, dtype=np.int64) for c in out_cols})
    keys = [part["h"].to_numpy(), *[part[c].to_numpy() for c in _value_columns(n_cols)]]
    order = np.lexsort(keys[::-1])
    new = np.zeros(len(order), dtype=bool)
    new[0] = True
    for k in keys:
        ks = k[order]
        new[1:] |= ks[1:] != ks[:-1]
    group = np.cumsum(new) - 1
    n_groups = int(group[-1]) + 1
    t = part["t"].to_numpy()[order]
    counts = np.bincount(group * n_tables + t, minlength=n_groups * n_tables).reshape(
        n_groups, n_tables)
    per_row = counts[group]
    keep = per_row.sum(axis=1) > 1
    data = {"t": t[keep], "r": part["r"].to_numpy()[order][keep]}
    data.update({f"n{i}": per_row[keep, i].astype(np.int64) for i in range(n_tables)})
    return pd.DataFrame(data, columns=out_cols)


def copy_counts(client: Any, canon: CanonicalTables, *, chunk_rows: int = CHUNK_ROWS,
                hash_mask: int = ALL_BITS) -> CopyCounts:
    """Join every table of ``canon`` with every other on the cluster of ``client``.

    ``hash_mask`` keeps only some bits of the row hash (all by default); with few bits most rows
    collide, which only costs time: rows are grouped by value."""
    tables = tuple(canon.tables)
    n_cols = len(canon.columns)
    sizes = {r: (len(canon.tables[r][0]) if canon.tables[r] else 0) for r in tables}
    futures = []
    meta = pd.DataFrame()
    for chunk in _chunks(canon, chunk_rows):  # to the workers one by one: no second copy here
        meta = chunk.iloc[:0]
        futures.append(client.scatter(chunk, hash=False))  # fresh keys: never a released twin
    frame = dd.from_delayed(futures, meta=meta, verify_meta=False)
    hashed = frame.map_partitions(_with_hash, n_cols, hash_mask,
                                  meta=meta.assign(h=np.zeros(0, dtype=np.int64)))
    shuffled = hashed.shuffle(on="h", npartitions=len(futures))
    out_meta = _group_counts(meta.assign(h=np.zeros(0, dtype=np.int64)), len(tables), n_cols)
    grouped = shuffled.map_partitions(_group_counts, len(tables), n_cols, meta=out_meta)
    found: pd.DataFrame = client.compute(grouped).result()
    del futures
    return CopyCounts(tables, sizes, found["t"].to_numpy(dtype=np.int64),
                      found["r"].to_numpy(dtype=np.int64),
                      found[[f"n{i}" for i in range(len(tables))]].to_numpy(dtype=np.int64)
                      .reshape(len(found), len(tables)))
