"""Fixtures of the release-comparison and history tests: the sample data's clean and leaky
releases scanned once per session, on a subsample and with four components (verbatim,
closeness, singling out, linkability) so that the three scans take a couple of seconds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from cli_runner import Completed, run_cli

from synthscan import ScanConfig, scan
from synthscan.history import append_scan
from synthscan.result import ScanResult

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
CHECKS = ["verbatim", "closeness", "singling_out", "linkability"]
#: the same settings on the command line
CHECKS_SET = ("--set", 'checks=["verbatim","closeness","singling_out","linkability"]',
              "--set", "singling_out_predicates=1000")


@pytest.fixture(scope="session")
def sample_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The first 1,500 training, 1,000 holdout and 2,000 synthetic rows of the sample data
    (the leaky release keeps its planted copies of those training rows)."""
    d = tmp_path_factory.mktemp("sample")
    sizes = {"train": 1500, "holdout": 1000, "synthetic_clean": 2000, "synthetic_leaky": 2000}
    paths = {}
    for name, n in sizes.items():
        p = d / f"{name}.csv"
        pd.read_csv(SAMPLE / f"{name}.csv").iloc[:n].to_csv(p, index=False)
        paths[name] = p
    paths["metadata"] = SAMPLE / "metadata.json"
    return paths


def scan_release(inputs: dict[str, Path], release: str, seed: int) -> ScanResult:
    return scan(inputs["train"], inputs[release], holdout=inputs["holdout"],
                metadata=inputs["metadata"],
                config=ScanConfig(seed=seed, checks=CHECKS, singling_out_predicates=1000))


@pytest.fixture(scope="session")
def sample_scans(sample_inputs: dict[str, Path],
                 tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """result.json of the clean release (seeds 0 and 1) and of the leaky release (seed 0)."""
    d = tmp_path_factory.mktemp("scans")
    out = {}
    for key, release, seed in (("clean", "synthetic_clean", 0), ("leaky", "synthetic_leaky", 0),
                               ("clean_seed1", "synthetic_clean", 1)):
        out[key] = scan_release(sample_inputs, release, seed).save_json(d / f"{key}.json")
    return out


@pytest.fixture(scope="session")
def scan_cli(sample_inputs: dict[str, Path]) -> Callable[..., Completed]:
    """``synthscan scan`` of a sample release with the fixtures' settings, and more options."""

    def run(release: str, *extra: str | Path) -> Completed:
        return run_cli("scan", sample_inputs["train"], sample_inputs[release], "--holdout",
                       sample_inputs["holdout"], "--metadata", sample_inputs["metadata"],
                       *CHECKS_SET, *extra)

    return run


@pytest.fixture(scope="session")
def store_of_three(sample_scans: dict[str, Path], scan_cli: Callable[..., Completed],
                   tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A history store of three scans: the clean release (seeds 0 and 1) appended through the
    API, then the leaky release scanned by ``scan --history STORE --baseline CLEAN --fail-on
    never`` (its report draws the trend; ``proc`` is that run)."""
    d = tmp_path_factory.mktemp("history")
    store = d / "history.sqlite"
    first = [ScanResult.load(sample_scans[k]) for k in ("clean", "clean_seed1")]
    for result in first:
        append_scan(store, result)
    proc = scan_cli("synthetic_leaky", "--history", store, "--baseline", sample_scans["clean"],
                    "--fail-on", "never", "--out", d / "report")
    third = ScanResult.load(d / "report" / "result.json")
    return {"store": store, "results": [*first, third], "report": d / "report", "proc": proc}
