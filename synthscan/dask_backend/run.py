"""A scan's stages on a Dask cluster: what ``synthscan.api`` enters when a client is given.

* ``on_cluster(client)``: within it, large exact neighbour searches run on the workers
  (``remote_search(DaskSearch(client))``) and a dead worker or a lost scheduler is one
  ``ClusterError`` (``cluster.worker_failures``). Re-entering it for the same client (``scan``
  calls ``prepare`` and ``run_checks``, which enter it too) changes nothing.
* ``encode_tables``: the encoder fitted from per-partition statistics and every table encoded
  partition by partition (``encode``), on dask DataFrames made of scattered row ranges of the
  schema-converted tables — several partitions per worker, never the rows in a task graph.

The schema's statistics and each column's conversion run on the workers too (``schema``);
the tables themselves are gathered on the client in this version (the attack steps read them
there); see docs/distributed.md.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd
from distributed import Client

from ..data.schema import ColumnSpec
from ..encoding.encoder import MixedEncoder
from ..types import Table
from .cluster import worker_failures, workers

#: keyword arguments of the ``DaskSearch`` a scan uses (``min_pairs``: the smallest search, in
#: query x reference pairs, sent to the workers — smaller ones run on the client, where no task
#: overhead is paid; ``worker_budget``, ``shards``: force the sharded mode; see
#: ``search.DaskSearch``). Empty: its defaults.
SEARCH_OPTIONS: dict[str, Any] = {}
#: partitions per worker the tables are cut into for the encoder (balances the workers)
PARTITIONS_PER_WORKER = 4

_ACTIVE: contextvars.ContextVar[Any] = contextvars.ContextVar("dask_client", default=None)


@contextlib.contextmanager
def on_cluster(client: Client) -> Iterator[None]:
    """Within the block, large searches run on ``client``'s workers and cluster failures are
    ``ClusterError``s."""
    if _ACTIVE.get() is client:
        yield
        return
    from ..neighbors.engine import remote_search
    from .search import DaskSearch

    search = DaskSearch(client, **SEARCH_OPTIONS)
    token = _ACTIVE.set(client)
    try:
        with worker_failures(client), remote_search(search):
            yield
    finally:
        _ACTIVE.reset(token)


def n_workers(client: Client) -> int:
    """How many workers the cluster has now (at least 1, for sizing partitions)."""
    return max(1, len(workers(client)))


def partitioned(frame: pd.DataFrame, client: Client, npartitions: int) -> Any:
    """``frame`` as a dask DataFrame of ``npartitions`` contiguous row ranges scattered to the
    workers (some empty when the frame has fewer rows); the graph holds references to the
    scattered pieces, not the rows."""
    import dask.dataframe as dd

    bounds = np.linspace(0, len(frame), max(1, npartitions) + 1).astype(int)
    pieces = [frame.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    futures = client.scatter(pieces, hash=False)
    return dd.from_delayed(futures, meta=frame.iloc[:0], verify_meta=False)


def encode_tables(frames: Mapping[Table, pd.DataFrame], columns: list[ColumnSpec], metric: str,
                  client: Client) -> tuple[MixedEncoder, dict[Table, np.ndarray]]:
    """The encoder fitted on the cluster (train and holdout as the real tables, the synthetic
    table deciding missing-value slots only, as ``MixedEncoder.fit``) and every table
    encoded there."""
    from .encode import encode, fit_encoder

    parts = n_workers(client) * PARTITIONS_PER_WORKER
    dfs = {r: partitioned(f, client, parts) for r, f in frames.items()}
    real = [dfs[r] for r in ("train", "holdout") if r in dfs]
    others = [dfs[r] for r in dfs if r not in ("train", "holdout")]
    encoder = fit_encoder(real, others, columns, metric, client=client)
    encoded = {r: encode(d, encoder, client=client) for r, d in dfs.items()}
    return encoder, encoded

