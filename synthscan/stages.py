"""Where a scan's stages run: in this process, or on a Dask cluster when a client is given.

``api`` calls these for loading, sizing, the schema, encoding and the checks' cluster
context; each imports ``dask_backend`` only when a client or a multi-file input asks for it,
so ``import synthscan`` and a local scan never load dask.
"""

from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd

from .data.io import TableSource, load_table, probe_size
from .data.schema import Schema, build_schema
from .encoding.encoder import MixedEncoder
from .types import Table

TableLike: TypeAlias = str | Path | pd.DataFrame


def backend(client: Any) -> dict[str, Any]:
    """What ``result.run`` records of the cluster a scan ran on (nothing for a local scan)."""
    if client is None:
        return {}
    from .dask_backend.cluster import describe

    return {"backend": describe(client)}


def on_cluster(client: Any) -> contextlib.AbstractContextManager[None]:
    """Nothing without a client; with one, large searches on its workers and its failures
    as ``ClusterError`` (``dask_backend.run.on_cluster``; dask is imported only then)."""
    if client is None:
        return contextlib.nullcontext()
    from .dask_backend import require_dask

    require_dask("client")
    from .dask_backend.run import on_cluster as cluster_context

    return cluster_context(client)


def is_multi(src: TableLike | None) -> bool:
    """Whether an input names many files (a directory or a glob), read by
    ``dask_backend.read`` — on the workers when a client is given, else here."""
    if not isinstance(src, (str, Path)):
        return False
    from .dask_backend.read import is_multi as many_files

    return many_files(src)


def load(src: TableLike, role: Table, tokens: tuple[str, ...], encoding: str,
          client: Any) -> tuple[pd.DataFrame, TableSource]:
    if is_multi(src):
        from .dask_backend.read import read_table

        assert not isinstance(src, pd.DataFrame)
        return read_table(src, role, tokens, encoding, client)
    return load_table(src, role, tokens, encoding)


def probe(src: str | Path, role: Table, stop_at: int, stop_rows: int) -> tuple[Any, ...]:
    if is_multi(src):
        from .dask_backend.read import probe as probe_files

        return dataclasses.astuple(probe_files(src, role, stop_at, stop_rows))
    return dataclasses.astuple(probe_size(Path(src), role, stop_at, stop_rows))


def schema(raw: dict[Table, pd.DataFrame], names: dict[Table, str],
           declared: dict[str, tuple[str, str]], client: Any
           ) -> tuple[Schema, dict[Table, pd.DataFrame]]:
    """The columns' roles decided and every table converted (``build_schema``); with a client
    the statistics are computed and the tables converted on its workers, with equal results."""
    if client is not None:
        from .dask_backend.schema import build_schema_on_cluster

        return build_schema_on_cluster(raw, names, declared, client)
    return build_schema(raw, names, declared)


def encode(frames: dict[Table, pd.DataFrame], schema: Schema, metric: str,
            client: Any) -> tuple[MixedEncoder, dict[Table, Any]]:
    """The encoder fitted on train and holdout, and every table encoded (on the cluster's
    workers when a client is given)."""
    if client is not None:
        from .dask_backend.run import encode_tables

        return encode_tables(frames, schema.columns, metric, client)
    real = [frames[r] for r in ("train", "holdout") if r in frames]
    encoder = MixedEncoder(metric).fit(real, schema.columns, others=[frames["synthetic"]])
    return encoder, {r: encoder.transform(f) for r, f in frames.items()}
