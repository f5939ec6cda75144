"""One small Dask cluster for the distributed tests: two single-threaded worker processes, as
the issue's oracle tests ask. Skipped where the ``dask`` extra is not installed (the core-only
environment of ``.ci/run``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("distributed")


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Any]:
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, memory_limit="2GiB")
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()
