"""Reaching a Dask cluster, and what a scan needs to know about it.

* ``connect`` / ``session``: ``"local"`` starts a LocalCluster on this machine (one
  single-threaded worker process per core, or per ``threads``: FAISS on one thread per process
  is the fastest flat search on small machines, and workers pin OpenMP to one thread anyway);
  any other address connects to a running scheduler, failing within ``timeout`` seconds when
  none answers. ``session`` closes what it started.
* ``worker_failures``: a worker that died, data lost with it, or a scheduler gone away become
  one ``ClusterError`` line (exit 3) instead of distributed's exceptions and tracebacks.
* ``describe`` and ``worker_memory``: the cluster's shape for ``result.run`` and the memory
  budget of the smallest worker (what decides whether an index is replicated or sharded).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import warnings
from collections.abc import Iterator
from typing import Any

from distributed import Client, KilledWorker, LocalCluster
from distributed.comm.core import CommClosedError

from ..errors import ClusterError, SynthscanError, UsageError

#: seconds to wait for a scheduler given by address before giving up
CONNECT_TIMEOUT = 10.0
#: the address that starts a cluster on this machine
LOCAL = "local"
#: the clusters ``connect`` started itself (closed with their client by ``disconnect``)
_STARTED: dict[int, LocalCluster] = {}


def _start_local(threads: int | None) -> Client:
    workers = int(threads) if threads else (os.cpu_count() or 1)
    try:
        # no dashboard; the scheduler's small HTTP server (health, metrics) on a free port
        # rather than a warning when another cluster holds the default one
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None,
                               scheduler_kwargs={"dashboard_address": ":0"})
    except Exception as exc:  # distributed raises RuntimeError, OSError, TimeoutError, ...
        raise ClusterError(f"could not start a local Dask cluster ({type(exc).__name__}) — "
                           "check the machine's free memory and ports, or pass a running "
                           "scheduler's address to --scheduler", key="scheduler") from None
    client = Client(cluster)
    _STARTED[id(client)] = cluster
    return client


def connect(address: str, threads: int | None = None, timeout: float | None = None) -> Client:
    """A client of the cluster at ``address`` (``tcp://host:8786``, ``tls://...``), or of a
    new LocalCluster on this machine for ``"local"`` (``threads`` worker processes of one
    thread each; default one per core); ``timeout`` seconds to reach a scheduler (default
    ``CONNECT_TIMEOUT``). Close it with ``disconnect``."""
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    if address.strip().lower() == LOCAL:
        return _start_local(threads)
    try:
        return Client(address, timeout=timeout)
    except ValueError as exc:  # a malformed address: distributed names what is wrong with it
        raise UsageError(f"--scheduler {address}: not a scheduler address ({exc}) — pass "
                         "'local' or an address such as tcp://host:8786", key="scheduler"
                         ) from None
    except (OSError, TimeoutError, asyncio.TimeoutError):
        raise ClusterError(f"{address}: no Dask scheduler answered within {timeout:g} s — "
                           "check the address and that the scheduler runs, or pass --scheduler "
                           "local to start a cluster on this machine", key="scheduler"
                           ) from None


def disconnect(client: Client) -> None:
    """Close ``client``, and the LocalCluster when ``connect`` started one for it; a cluster
    that is already gone is not an error."""
    cluster = _STARTED.pop(id(client), None)
    with contextlib.suppress(Exception):
        client.close()
    if cluster is not None:
        with contextlib.suppress(Exception):
            cluster.close()


@contextlib.contextmanager
def quiet_logs(quiet: bool = True) -> Iterator[None]:
    """distributed's own log lines and warnings (a restarting worker, a lost connection, a
    port in use) off the terminal while a command runs: the command prints one line of its
    own. ``quiet=False`` keeps them (the command line's ``-v``)."""
    logger = logging.getLogger("distributed")
    old = logger.level
    with warnings.catch_warnings():
        if quiet:
            logger.setLevel(logging.CRITICAL + 1)
            warnings.filterwarnings("ignore", module=r"distributed(\.|$)")
        try:
            yield
        finally:
            logger.setLevel(old)


@contextlib.contextmanager
def session(address: str, threads: int | None = None, timeout: float | None = None,
            quiet: bool = True) -> Iterator[Client]:
    """``connect`` for the duration of the block, then ``disconnect``; distributed's log
    lines stay off the terminal unless ``quiet`` is False."""
    with quiet_logs(quiet):
        client = connect(address, threads, timeout)
        try:
            yield client
        finally:
            disconnect(client)


def _scheduler_gone(client: Client | None) -> bool:
    return client is not None and client.status not in ("running", "connecting", "newly-created")


def _cluster_error(exc: BaseException, client: Client | None) -> ClusterError | None:
    """The ``ClusterError`` a distributed failure means, or None for any other exception."""
    where = "the Dask cluster"
    if isinstance(exc, KilledWorker):
        return ClusterError(f"{where}: a worker died while running the scan (KilledWorker) — "
                            "check the workers' logs (out of memory?), give them more memory "
                            "or rerun; the scan did not finish", key="scheduler")
    if _scheduler_gone(client) or isinstance(exc, CommClosedError):
        return ClusterError(f"{where}: the connection to the scheduler was lost "
                            f"({type(exc).__name__}) — check that the scheduler still runs and "
                            "rerun; the scan did not finish", key="scheduler")
    if isinstance(exc, (concurrent.futures.CancelledError, asyncio.CancelledError)):
        return ClusterError(f"{where}: data of the scan was lost on the workers (a worker died "
                            "or restarted) — check the workers' logs (out of memory?) and "
                            "rerun; the scan did not finish", key="scheduler")
    return None


@contextlib.contextmanager
def worker_failures(client: Client | None = None) -> Iterator[None]:
    """Within the block, a worker that died (``KilledWorker``), results lost with one
    (cancelled futures) or a scheduler that went away raise one ``ClusterError`` (exit 3).
    synthscan's own errors raised on a worker (an unreadable input file) pass unchanged, and
    so does any other exception."""
    try:
        yield
    except SynthscanError:
        raise
    except (Exception, asyncio.CancelledError) as exc:
        error = _cluster_error(exc, client)
        if error is None:
            raise
        raise error from exc


#: seconds a scan waits for a worker when the cluster has none at the moment (workers still
#: joining, or restarted by their nanny) before it says so
WORKER_WAIT = 20.0


def workers(client: Client, wait: float | None = None) -> dict[str, dict[str, Any]]:
    """Worker address -> what the scheduler knows of it. With no worker at the moment, waits
    up to ``wait`` seconds (``WORKER_WAIT``) for one to join before answering."""
    info: dict[str, dict[str, Any]] = client.scheduler_info(n_workers=-1).get("workers", {})
    if not info:
        with contextlib.suppress(TimeoutError, OSError):
            client.wait_for_workers(1, timeout=WORKER_WAIT if wait is None else wait)
        info = client.scheduler_info(n_workers=-1).get("workers", {})
    return info



def worker_memory(client: Client) -> int | None:
    """The smallest worker's memory limit in bytes (None when no worker has one): what one
    worker may hold, so an index is replicated only when it fits every worker."""
    limits = [int(w.get("memory_limit") or 0) for w in workers(client).values()]
    limits = [m for m in limits if m > 0]
    return min(limits) if limits else None


def describe(client: Client) -> dict[str, Any]:
    """The cluster's shape as a result records it (``result.run["backend"]``)."""
    found = workers(client)
    threads = [int(w.get("nthreads") or 0) for w in found.values()]
    return {"kind": "dask", "workers": len(found), "threads": sum(threads),
            "threads_per_worker": min(threads) if threads else 0,
            "worker_memory_limit": worker_memory(client)}
