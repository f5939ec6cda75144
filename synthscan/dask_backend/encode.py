"""The encoder fitted and applied on a cluster: the same encoder, the same vectors.

``fit_encoder`` computes each partition's statistics (``stats.partial_stats``), merges them in a
tree on the cluster and builds the encoder with ``MixedEncoder.fit_stats`` — the builder the
local ``fit`` uses, so the two cannot disagree. The robust range's quantiles come from an
exact selection over the partitions (``stats.select``), never from pooled values on the client.
``encode`` applies the fitted encoder to every partition and gathers the vectors in row order;
the encoder is one small object in the graph, shipped once to each worker.

Inputs are dask DataFrames of schema-converted tables (what ``data.schema.build_schema``
returns), partitioned in any way, empty partitions included.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask.delayed import Delayed, delayed

from ..data.schema import ColumnSpec
from ..encoding.encoder import ColumnStats, MixedEncoder
from . import stats as st

#: partial results merged per task of the reduction tree
SPLIT_EVERY = 8


def tree_reduce(items: Sequence[Delayed], merge: Callable[..., Any],
                split_every: int = SPLIT_EVERY) -> Delayed:
    """Merge per-partition results on the cluster, ``split_every`` at a time, so no task and
    not the client receives more than a few partial results at once."""
    level = list(items)
    if not level:
        return delayed(merge)()  # type: ignore[no-any-return]
    while len(level) > 1:
        level = [delayed(merge)(*level[i:i + split_every])
                 for i in range(0, len(level), split_every)]
    return level[0]


def compute(obj: Any, client: Any = None) -> Any:
    """Compute a dask object on ``client`` (or on the default scheduler) and return it."""
    if client is None:
        return dask.compute(obj)[0]
    return client.gather(client.compute(obj))


def _partitions(frames: Sequence[dd.DataFrame]) -> list[Delayed]:
    return [p for f in frames for p in f.to_delayed()]


def fit_encoder(real: list[dd.DataFrame], others: list[dd.DataFrame],
                columns: list[ColumnSpec], metric: str, *, client: Any = None,
                gather_max: int = st.GATHER_MAX) -> MixedEncoder:
    """``MixedEncoder(metric).fit(real, columns, others=others)`` on the pooled partitions,
    computed from merged partial statistics (equal to the local fit, bit for bit).

    Each pass reads every partition of ``real`` once: one for the statistics and the first
    selection round, then one per further round (usually one more); persist the frames first
    when reading them is expensive. ``gather_max``: see ``stats.select``."""
    dist = [c for c in columns if c.in_distance]
    numeric = [c.name for c in dist if c.is_numeric]
    categorical = [c.name for c in dist if not c.is_numeric]
    real_parts = _partitions(real)
    tasks = ([delayed(st.partial_stats)(p, numeric, categorical, True) for p in real_parts]
             + [delayed(st.partial_stats)(p, numeric, categorical, False)
                for p in _partitions(others)])
    merged: st.Partial = compute(tree_reduce(tasks, st.merge_partials), client)

    def run_round(probes: list[st.Probe]) -> list[st.ProbeResult]:
        answers = [delayed(st.probe_partition)(p, probes) for p in real_parts]
        result: list[st.ProbeResult] = compute(tree_reduce(answers, st.merge_probes), client)
        return result

    counts = {name: merged.n.get(name, 0) for name in numeric}
    ranks = {name: st.quantile_ranks(n) for name, n in counts.items() if n > 0}
    values = st.select(ranks, {name: merged.hist[name] for name in ranks}, run_round,
                       gather_max)
    stats: dict[str, ColumnStats] = {}
    for name in categorical:
        stats[name] = ColumnStats(name, merged.missing.get(name, False),
                                  levels=tuple(sorted(merged.levels.get(name, set()))))
    for name in numeric:
        n = counts[name]
        if n == 0:
            stats[name] = ColumnStats(name, merged.missing.get(name, False))
            continue
        mine = {r: v for (c, r), v in values.items() if c == name}
        q = st.linear_quantiles(n, mine.__getitem__)
        stats[name] = ColumnStats(name, merged.missing.get(name, False), n, q,
                                  merged.vmin[name], merged.vmax[name])
    return MixedEncoder(metric).fit_stats(columns, stats)


def _transform(part: pd.DataFrame, encoder: MixedEncoder) -> np.ndarray:
    return encoder.transform(part)


def encode(frame: dd.DataFrame, encoder: MixedEncoder, *, client: Any = None) -> np.ndarray:
    """``encoder.transform`` of the whole frame, computed partition by partition on the cluster
    and gathered in row order (a C-contiguous float32 array, bit-identical to the local one)."""
    shared = delayed(encoder, name=f"mixed-encoder-{uuid.uuid4().hex}")
    parts = [delayed(_transform)(p, shared) for p in frame.to_delayed()]
    arrays: list[np.ndarray] = list(compute(parts, client))
    if not arrays:
        return np.zeros((0, encoder.dim_), dtype=np.float32)
    return np.ascontiguousarray(np.concatenate(arrays, axis=0), dtype=np.float32)
