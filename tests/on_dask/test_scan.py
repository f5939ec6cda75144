"""The whole scan on the two-worker cluster equals the local scan — the oracle — on small mixed
data with planted copies, tied records, and a training table split into Parquet files (one of
them empty): the same verdict, the same status and counts per check, the same estimates within
a float tolerance. The searches' ``min_pairs`` is lowered so that every neighbour search of
these small tables runs on the workers, and the tests assert that it did; one scan forces the
sharded index with shards of fewer than k rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from cli_runner import run_cli
from sample_tables import mixed_frame

import synthscan
from synthscan.dask_backend import run
from synthscan.dask_backend.search import DaskSearch
from synthscan.result import ScanResult

CONFIG = {"permutations": 99, "bootstrap": 50}
N_TRAIN, N_HOLD, N_SYNTH = 300, 150, 300
#: train's Parquet parts (row ranges): one empty, one of a single row
PARTS = [(0, 60), (60, 60), (60, 61), (61, 200), (200, 300)]


def population(seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = N_TRAIN + N_HOLD + N_SYNTH
    df = mixed_frame(n, rng)
    df["age"] = rng.integers(18, 30, n)  # few distinct values: many tied neighbours
    df["region"] = rng.choice(["north", "south", "east", "west", "centre"], n)
    return df


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """train as one Parquet file and as parts, holdout as CSV, synthetic as Parquet; 30
    synthetic rows copy training records and 10 training records are duplicated."""
    d = tmp_path_factory.mktemp("scan-inputs")
    pop = population()
    train = pop.iloc[:N_TRAIN].reset_index(drop=True)
    hold = pop.iloc[N_TRAIN:N_TRAIN + N_HOLD].reset_index(drop=True)
    synth = pop.iloc[N_TRAIN + N_HOLD:].reset_index(drop=True)
    train.iloc[110:120] = train.iloc[100:110].to_numpy()  # tied records
    synth.iloc[:30] = train.iloc[::10].to_numpy()  # planted copies
    train = train.astype(pop.dtypes.to_dict())
    synth = synth.astype(pop.dtypes.to_dict())
    train.to_parquet(d / "train.parquet", index=False)
    (d / "train-parts").mkdir()
    for i, (a, b) in enumerate(PARTS):
        train.iloc[a:b].to_parquet(d / "train-parts" / f"part.{i}.parquet", index=False)
    hold.to_csv(d / "holdout.csv", index=False)
    synth.to_parquet(d / "synthetic.parquet", index=False)
    return {"train": d / "train.parquet", "parts": d / "train-parts",
            "holdout": d / "holdout.csv", "synthetic": d / "synthetic.parquet"}


@pytest.fixture(scope="module")
def local(inputs: dict[str, Path]) -> ScanResult:
    return synthscan.scan(inputs["train"], inputs["synthetic"], holdout=inputs["holdout"],
                          config=synthscan.ScanConfig(**CONFIG))


@pytest.fixture
def remote_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, int, int]]:
    """Every search sent to the cluster: (sharded, k, smallest shard's rows)."""
    calls: list[tuple[bool, int, int]] = []
    search = DaskSearch.kneighbors

    def counted(self: DaskSearch, handle: Any, queries: np.ndarray, k: int
                ) -> tuple[np.ndarray, np.ndarray]:
        calls.append((handle.sharded, k, min(s.rows for s in handle.shards)))
        return search(self, handle, queries, k)

    monkeypatch.setattr(DaskSearch, "kneighbors", counted)
    return calls


def assert_same_scan(got: dict[str, Any], want: dict[str, Any]) -> None:
    """Two results (``to_dict()``) of the same scan: verdict, statuses and counts equal,
    figures within float tolerance (batched search sums in another order)."""
    assert got["verdict"] == want["verdict"]
    assert [c["id"] for c in got["checks"]] == [c["id"] for c in want["checks"]]
    for a, b in zip(got["checks"], want["checks"], strict=True):
        assert a["status"] == b["status"], a["id"]
        assert a["counts"] == pytest.approx(b["counts"], rel=1e-9, abs=1e-12), a["id"]
        for key in ("estimate", "lower", "upper", "p_value"):
            if b[key] is None:
                assert a[key] is None, (a["id"], key)
            else:
                assert a[key] == pytest.approx(b[key], rel=1e-6, abs=1e-9), (a["id"], key)
        counted = [[t[f] for f in ("k_t", "n_t", "k_h", "n_h")] for t in b.get("tests", [])]
        assert len(a.get("tests", [])) == len(counted), a["id"]
        for t, want_t in zip(a.get("tests", []), counted, strict=True):
            assert [t[f] for f in ("k_t", "n_t", "k_h", "n_h")] == pytest.approx(want_t), a["id"]


def test_the_scan_on_the_cluster_equals_the_local_scan(inputs, local, dask_client,
                                                       remote_calls, monkeypatch):
    monkeypatch.setattr(run, "SEARCH_OPTIONS", {"min_pairs": 1})
    res = synthscan.scan(inputs["parts"], inputs["synthetic"], holdout=inputs["holdout"],
                         config=synthscan.ScanConfig(**CONFIG), client=dask_client)
    assert local.verdict == "high"  # the planted copies are found
    assert_same_scan(res.to_dict(), local.to_dict())
    assert len(remote_calls) >= 5 and not any(sharded for sharded, _, _ in remote_calls)
    assert res.run["backend"] == {"kind": "dask", "workers": 2, "threads": 2,
                                  "threads_per_worker": 1,
                                  "worker_memory_limit": 2 * 2**30}
    train = next(s for s in res.inputs if s.table == "train")
    assert (train.name, train.n_rows) == (str(inputs["parts"]), N_TRAIN)
    assert res.environment["dask"] and "backend" not in local.run


def test_sharded_searches_give_the_same_scan(inputs, local, dask_client, remote_calls,
                                             monkeypatch):
    monkeypatch.setattr(run, "SEARCH_OPTIONS", {"min_pairs": 1, "shards": 30})
    res = synthscan.scan(inputs["train"], inputs["synthetic"], holdout=inputs["holdout"],
                         config=synthscan.ScanConfig(**CONFIG), client=dask_client)
    assert_same_scan(res.to_dict(), local.to_dict())
    assert remote_calls and all(sharded for sharded, _, _ in remote_calls)
    assert any(k > rows for _, k, rows in remote_calls)  # a shard with fewer than k rows


def test_the_command_line_on_a_scheduler_address(inputs, local, dask_client, remote_calls,
                                                 monkeypatch, tmp_path):
    monkeypatch.setattr(run, "SEARCH_OPTIONS", {"min_pairs": 1})
    address = dask_client.scheduler.address
    res = run_cli("scan", str(inputs["parts"] / "part.*.parquet"), inputs["synthetic"],
                  "--holdout", inputs["holdout"], "--scheduler", address, "--out", tmp_path,
                  "--format", "json", "-q", "--set", "permutations=99", "--set", "bootstrap=50")
    assert res.returncode == 1, res.stderr  # the planted copies: policy failed
    assert "Traceback" not in res.stderr and "distributed" not in res.stderr
    got = json.loads((tmp_path / "result.json").read_text())
    assert_same_scan(got, local.to_dict())
    assert got["run"]["backend"]["workers"] == 2 and remote_calls
    assert dask_client.status == "running"  # the command closed its own client only
