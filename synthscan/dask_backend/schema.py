"""The schema decided and the tables converted on a cluster: the same roles, notes and values
as ``data.schema.build_schema``.

The raw tables are cut into contiguous row ranges scattered to the workers. Every statistic a
decision reads comes from the partitions and is merged on the cluster by the functions the
local path uses (``data.colstats``, ``data.infer``), in row order where order matters:

1. each partition's kind evidence, merged per table → each column's role (declared roles win);
2. each partition converted to its role's dtype on its worker (kept there);
3. the real partitions' facts (train's then holdout's), merged → which columns need more;
4. for those, the number facts, and the exact distinct count: every real partition splits its
   values into buckets by a hash of the value, each bucket is counted on one worker, and the
   counts are added;
5. identifiers turned into text on the workers, and the converted tables gathered on the client
   (the checks read them there — see docs/distributed.md).

An input error is the local one: a column whose kinds disagree raises the same error, and a
partition that fails to convert makes the client convert that one column of that table whole,
which raises the error a local scan raises (its counts are of the whole table), in the same
column order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from distributed import Client, Future

from ..data.colstats import (
    Ask,
    KindEvidence,
    NumberFacts,
    RealFacts,
    buckets,
    decide_kind,
    distinct_count,
    kind_evidence,
    merge_facts,
    merge_kinds,
    merge_numbers,
    number_facts,
    real_facts,
)
from ..data.convert import convert, to_categorical
from ..data.infer import ask, is_numeric, settle, wants_distinct, wants_numbers
from ..data.schema import ColumnSpec, Schema, checked_schema, first_role, frame_of, plan_columns
from ..errors import InputError
from ..types import Table
from .run import PARTITIONS_PER_WORKER, n_workers

#: partial results merged per task of the reduction tree
SPLIT_EVERY = 8
#: buckets per worker the exact distinct counts are split into (each counted by one task)
BUCKETS_PER_WORKER = 2
#: the tables whose values describe real people, in the order their values are pooled
_REAL: tuple[Table, ...] = ("train", "holdout")


# -- on the workers ---------------------------------------------------------------------------

def _kinds(part: pd.DataFrame, columns: Sequence[str]) -> dict[str, KindEvidence]:
    return {c: kind_evidence(part[c]) for c in columns}


def _merge_kinds(*maps: dict[str, KindEvidence]) -> dict[str, KindEvidence]:
    return {c: merge_kinds(*(m[c] for m in maps)) for c in maps[0]}


@dataclass
class _Converted:
    """A partition converted to its columns' roles, and the columns that failed (their
    values absent)."""

    values: dict[str, np.ndarray]
    failed: list[str]


def _convert(part: pd.DataFrame, roles: Sequence[tuple[str, str]], source: str) -> _Converted:
    values: dict[str, np.ndarray] = {}
    failed: list[str] = []
    for col, role in roles:
        try:
            values[col] = convert(part[col], role, source, col)
        except InputError:
            failed.append(col)
    return _Converted(values, failed)


def _failed(conv: _Converted) -> list[str]:
    return conv.failed


def _rows(conv: _Converted) -> dict[str, np.ndarray]:
    return conv.values


def _facts(conv: _Converted, asks: Mapping[str, tuple[bool, Ask]]) -> dict[str, RealFacts]:
    return {c: real_facts(conv.values[c], numeric, wanted)
            for c, (numeric, wanted) in asks.items()}


def _merge_facts(*maps: dict[str, RealFacts]) -> dict[str, RealFacts]:
    return {c: merge_facts(*(m[c] for m in maps)) for c in maps[0]}


def _numbers(conv: _Converted, columns: Sequence[str]) -> dict[str, NumberFacts]:
    return {c: number_facts(conv.values[c]) for c in columns}


def _merge_numbers(*maps: dict[str, NumberFacts]) -> dict[str, NumberFacts]:
    return {c: merge_numbers(*(m[c] for m in maps)) for c in maps[0]}


def _buckets(conv: _Converted, columns: Mapping[str, bool],
             n: int) -> dict[str, list[np.ndarray]]:
    return {c: buckets(conv.values[c], numeric, n) for c, numeric in columns.items()}


def _pick(split: dict[str, list[np.ndarray]], b: int) -> dict[str, np.ndarray]:
    return {c: pieces[b] for c, pieces in split.items()}


def _count_bucket(columns: Mapping[str, bool], *parts: dict[str, np.ndarray]) -> dict[str, int]:
    return {c: distinct_count([p[c] for p in parts], numeric) for c, numeric in columns.items()}


def _finish(conv: _Converted, identifiers: Sequence[str]) -> dict[str, np.ndarray]:
    out = dict(conv.values)
    for c in identifiers:
        out[c] = to_categorical(pd.Series(out[c])).to_numpy()
    return out


def _column_of(part: pd.DataFrame, column: str) -> pd.Series:
    return part[column]


# -- on the client ----------------------------------------------------------------------------

def _tree(client: Client, futures: Sequence[Future], merge: Callable[..., Any]) -> Future:
    """Merge per-partition results on the cluster in order, ``SPLIT_EVERY`` at a time."""
    level = list(futures)
    while len(level) > 1:
        level = [client.submit(merge, *level[i:i + SPLIT_EVERY], pure=False)
                 for i in range(0, len(level), SPLIT_EVERY)]
    return level[0]


def scatter_rows(frame: pd.DataFrame, client: Client, n: int) -> list[Future]:
    """``frame`` cut into ``n`` contiguous row ranges (some empty when it has fewer rows),
    scattered to the workers."""
    bounds = np.linspace(0, len(frame), max(1, n) + 1).astype(int)
    pieces = [frame.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return list(client.scatter(pieces, hash=False))


def _roles(columns: list[str], declared: Mapping[str, tuple[str, str]],
           kinds: Mapping[Table, Mapping[str, KindEvidence]], names: Mapping[Table, str]
           ) -> tuple[list[tuple[str, str, str]], InputError | None]:
    """(role, source, note) of each column in order up to the first whose kinds disagree, and
    that column's error (None when every column has a role)."""
    out = []
    for col in columns:
        by_table = None if col in declared else {t: decide_kind(k[col]) for t, k in kinds.items()}
        try:
            out.append(first_role(col, declared.get(col), by_table, names))
        except InputError as exc:
            return out, exc
    return out, None


def _raise_first_failure(client: Client, parts: Mapping[Table, list[Future]],
                         converted: Mapping[Table, list[Future]], roles: list[tuple[str, str]],
                         names: Mapping[Table, str], pending: InputError | None) -> None:
    """The error a local scan raises first: a failed conversion (the failing column of the
    failing table converted whole on the client, for the local message and counts) before a
    later column's disagreement (``pending``)."""
    failed = {t: set().union(*client.gather([client.submit(_failed, c) for c in convs]))
              for t, convs in converted.items()}
    for col, role in roles:
        for t in converted:
            if col in failed[t]:
                pieces = client.gather([client.submit(_column_of, p, col) for p in parts[t]])
                convert(pd.concat(pieces, ignore_index=True), role, names[t], col)
                raise RuntimeError(f"{names[t]}: column {col!r} failed to convert in a "
                                   "partition but not whole — report this as a bug")
    if pending is not None:
        raise pending


def build_schema_on_cluster(frames: Mapping[Table, pd.DataFrame], names: Mapping[Table, str],
                            declared: Mapping[str, tuple[str, str]] | None, client: Client
                            ) -> tuple[Schema, dict[Table, pd.DataFrame]]:
    """``build_schema(frames, names, declared)`` with its statistics and conversions computed
    on ``client``'s workers: equal schema, equal converted tables."""
    decl, columns, ignored = plan_columns({t: f.iloc[:0] for t, f in frames.items()}, names,
                                          declared)
    n = n_workers(client) * PARTITIONS_PER_WORKER
    parts = {t: scatter_rows(f, client, n) for t, f in frames.items()}
    rows = {t: len(f) for t, f in frames.items()}
    return decide(parts, rows, names, decl, columns, ignored, client)


def decide(parts: Mapping[Table, list[Future]], rows: Mapping[Table, int],
           names: Mapping[Table, str], declared: Mapping[str, tuple[str, str]],
           columns: list[str], ignored: list[str], client: Client
           ) -> tuple[Schema, dict[Table, pd.DataFrame]]:
    """The schema and converted tables of raw tables held on the workers as partitions in row
    order (``parts``; all of one table with the same dtypes) with ``rows`` rows in all."""
    inferred = [c for c in columns if c not in declared]
    kinds: dict[Table, dict[str, KindEvidence]] = {}
    if inferred:
        merged = {t: _tree(client, [client.submit(_kinds, p, inferred, pure=False) for p in ps],
                           _merge_kinds) for t, ps in parts.items()}
        kinds = dict(zip(merged, client.gather(list(merged.values())), strict=True))
    first, pending = _roles(columns, declared, kinds, names)
    roles = [(col, role) for col, (role, _, _) in zip(columns, first, strict=False)]
    converted = {t: [client.submit(_convert, p, roles, names[t], pure=False) for p in ps]
                 for t, ps in parts.items()}
    _raise_first_failure(client, parts, converted, roles, names, pending)

    real = [c for t in _REAL if t in converted for c in converted[t]]
    asks = {col: (is_numeric(role), ask(role, source, note))
            for col, (role, source, note) in zip(columns, first, strict=True)}
    facts: dict[str, RealFacts] = client.gather(_tree(
        client, [client.submit(_facts, c, asks, pure=False) for c in real], _merge_facts))
    numbers, distinct = _answers(client, real, columns, first, facts)

    specs = []
    for col, (role, source, note) in zip(columns, first, strict=True):
        final, final_note = settle(col, role, source, note, facts[col], numbers.get(col),
                                   distinct.get(col))
        specs.append(ColumnSpec(col, final, source, final_note))
    schema = checked_schema(specs, ignored, names["train"])
    ids = [s.name for s, (role, _, _) in zip(specs, first, strict=True)
           if s.role == "identifier" and role != "identifier"]
    tables = {}
    for t, convs in converted.items():
        done = client.gather([client.submit(_finish, c, ids, pure=False) for c in convs])
        joined = {c: np.concatenate([d[c] for d in done]) for c in columns}
        tables[t] = frame_of(joined, columns, rows[t])
    return schema, tables


def _answers(client: Client, real: list[Future], columns: list[str],
             first: list[tuple[str, str, str]], facts: Mapping[str, RealFacts]
             ) -> tuple[dict[str, NumberFacts], dict[str, int]]:
    """The number facts and exact distinct counts of the columns whose facts ask for them."""
    hint = [c for c, (role, source, note) in zip(columns, first, strict=True)
            if wants_numbers(role, source, note, facts[c])]
    count = {c: is_numeric(role) for c, (role, source, _) in zip(columns, first, strict=True)
             if wants_distinct(role, source, facts[c])}
    numbers: dict[str, NumberFacts] = {}
    if hint:
        numbers = client.gather(_tree(
            client, [client.submit(_numbers, c, hint, pure=False) for c in real],
            _merge_numbers))
    distinct: dict[str, int] = {}
    if count:
        n = max(1, min(len(real), BUCKETS_PER_WORKER * n_workers(client)))
        split = [client.submit(_buckets, c, count, n, pure=False) for c in real]
        per_bucket = client.gather([
            client.submit(_count_bucket, count,
                          *[client.submit(_pick, s, b, pure=False) for s in split], pure=False)
            for b in range(n)])
        distinct = {c: sum(d[c] for d in per_bucket) for c in count}
    return numbers, distinct
