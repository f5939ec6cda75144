"""One small Dask cluster for the distributed tests: two single-threaded worker processes, as
the issue's oracle tests ask. Skipped where the ``dask`` extra is not installed (the core-only
environment of ``.ci/run``)."""

from __future__ import annotations

import faulthandler
import os
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("distributed")

#: a Dask test still running after this many seconds is hung (they take a few seconds each)
HUNG_AFTER = 180.0


@pytest.fixture(autouse=True)
def _no_hang() -> Iterator[None]:
    """A hung cluster test stops the run with every thread's stack on stderr and exit 1,
    instead of holding CI until its time limit."""
    def stop() -> None:
        sys.stderr.write(f"\na Dask test ran for more than {HUNG_AFTER:.0f} s: stopping\n")
        faulthandler.dump_traceback(all_threads=True)
        os._exit(1)

    timer = threading.Timer(HUNG_AFTER, stop)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Any]:
    from distributed import Client, LocalCluster

    # the scheduler's HTTP server on a free port, as the product's LocalCluster: two test
    # processes each start one, and the second would warn that the default port is taken
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, memory_limit="2GiB",
                           scheduler_kwargs={"dashboard_address": ":0"})
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()
