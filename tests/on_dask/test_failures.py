"""A cluster that fails the scan ends it with one ``ClusterError`` line and exit 3, never a
traceback: a worker killed while a search runs (on a one-worker cluster the command line starts
itself, so the shared test cluster is left alone), a scheduler that does not answer, and the
translation of distributed's exceptions, which lets every other error through."""

from __future__ import annotations

import concurrent.futures
import os
from pathlib import Path
from typing import Any

import dask
import numpy as np
import pandas as pd
import pytest
from cli_runner import run_cli
from distributed import KilledWorker
from distributed.comm.core import CommClosedError

from synthscan.dask_backend import cluster, run
from synthscan.dask_backend.search import DaskSearch
from synthscan.errors import EXIT_CANNOT_RUN, EXIT_USAGE, ClusterError, InputError


@pytest.fixture
def trio(tmp_path: Path) -> dict[str, Path]:
    """Small train / holdout / synthetic CSVs (independent draws)."""
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        rng = np.random.default_rng(seed)
        paths[role] = tmp_path / f"{role}.csv"
        pd.DataFrame({"age": rng.integers(18, 90, 80), "income": rng.normal(5e4, 1e4, 80),
                      "color": rng.choice(["red", "green", "blue"], 80)}
                     ).to_csv(paths[role], index=False)
    return paths


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_a_worker_dying_mid_search_stops_the_scan_with_exit_3(trio, tmp_path, monkeypatch):
    search = DaskSearch.kneighbors
    killed: list[int] = []

    def dying(self: DaskSearch, handle: Any, queries: np.ndarray, k: int
              ) -> tuple[np.ndarray, np.ndarray]:
        if not killed:  # the first search sent to the cluster kills its worker, then runs
            killed.append(1)
            self.client.submit(os._exit, 1, pure=False)
        return search(self, handle, queries, k)

    monkeypatch.setattr(DaskSearch, "kneighbors", dying)
    monkeypatch.setattr(run, "SEARCH_OPTIONS", {"min_pairs": 1})
    # one death is fatal (the default retries a task on three more workers)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        res = run_cli("scan", trio["train"], trio["synthetic"], "--holdout", trio["holdout"],
                      "--scheduler", "local", "--threads", "1", "--out", tmp_path / "out", "-q",
                      "--set", "permutations=99", "--set", "bootstrap=50")
    assert killed
    assert res.returncode == EXIT_CANNOT_RUN
    line = one_error_line(res.stderr)
    assert line.startswith("synthscan: error: the Dask cluster: ") and "rerun" in line
    assert not (tmp_path / "out").exists()
    assert not cluster._STARTED  # the command closed the cluster it started


def test_a_scheduler_that_does_not_answer_is_exit_3(trio, tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 0.5)
    res = run_cli("scan", trio["train"], trio["synthetic"], "--scheduler",
                  "tcp://127.0.0.1:9", "--out", tmp_path, "-q")
    assert res.returncode == EXIT_CANNOT_RUN
    assert one_error_line(res.stderr) == (
        "synthscan: error: tcp://127.0.0.1:9: no Dask scheduler answered within 0.5 s — "
        "check the address and that the scheduler runs, or pass --scheduler local to start a "
        "cluster on this machine")


def test_a_malformed_address_is_a_usage_error(trio, tmp_path):
    res = run_cli("scan", trio["train"], trio["synthetic"], "--scheduler", "no port here",
                  "--out", tmp_path, "-q")
    assert res.returncode == EXIT_USAGE
    assert one_error_line(res.stderr).startswith(
        "synthscan: error: --scheduler no port here: not a scheduler address")


class _Client:
    def __init__(self, status: str) -> None:
        self.status = status


@pytest.mark.parametrize(("exc", "says"), [
    (KilledWorker("task", "tcp://w:1", 3), "a worker died while running the scan"),
    (concurrent.futures.CancelledError("lost dependencies"), "data of the scan was lost"),
    (CommClosedError("gone"), "the connection to the scheduler was lost"),
])
def test_distributed_failures_become_one_cluster_error(exc, says):
    with pytest.raises(ClusterError, match=says) as info, \
            cluster.worker_failures(_Client("running")):  # type: ignore[arg-type]
        raise exc
    assert info.value.exit_code == EXIT_CANNOT_RUN and "\n" not in str(info.value)


def test_a_lost_scheduler_turns_any_comm_error_into_a_cluster_error():
    with pytest.raises(ClusterError, match="connection to the scheduler was lost"), \
            cluster.worker_failures(_Client("closed")):  # type: ignore[arg-type]
        raise OSError("stream closed")


@pytest.mark.parametrize("exc", [ValueError("a bug"), InputError("x.csv: bad — fix it"),
                                 OSError("disk full")])
def test_other_errors_pass_unchanged(exc):
    with pytest.raises(type(exc)) as info, \
            cluster.worker_failures(_Client("running")):  # type: ignore[arg-type]
        raise exc
    assert info.value is exc


class JoiningCluster:
    """A client whose cluster has no worker until ``wait_for_workers`` has waited long enough
    (``joins_after`` seconds of timeout), or never (None)."""

    def __init__(self, joins_after: float | None) -> None:
        self.joins_after, self.waited = joins_after, []
        self.joined = False

    def scheduler_info(self, n_workers: int = 5) -> dict[str, Any]:
        info = {"tcp://w:1": {"memory_limit": 2**30, "nthreads": 1}} if self.joined else {}
        return {"workers": info}

    def wait_for_workers(self, n_workers: int, timeout: float) -> None:
        self.waited.append(timeout)
        if self.joins_after is None or timeout < self.joins_after:
            raise TimeoutError(f"only 0/{n_workers} workers arrived after {timeout}")
        self.joined = True


def test_a_cluster_without_workers_is_waited_for_then_named(monkeypatch):
    """Workers still joining (or restarted by their nanny) are waited for, up to WORKER_WAIT
    seconds; a cluster that keeps none is one ClusterError naming the fix."""
    monkeypatch.setattr(cluster, "WORKER_WAIT", 0.5)
    empty = JoiningCluster(None)
    with pytest.raises(ClusterError, match="has no workers: start workers or check"):
        DaskSearch(empty).attach(np.zeros((10, 2), np.float32), "l1")
    assert empty.waited == [0.5]
    late = JoiningCluster(0.4)  # joins within the wait
    assert list(cluster.workers(late)) == ["tcp://w:1"] and late.waited == [0.5]
    assert run.n_workers(JoiningCluster(0.4)) == 1
    assert cluster.describe(JoiningCluster(0.4))["workers"] == 1
    ready = JoiningCluster(None)
    ready.joined = True
    assert cluster.workers(ready) and ready.waited == []  # no wait when workers are there
