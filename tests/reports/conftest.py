"""The sample scans shared by the report tests: one per verdict (see ``report_samples``), each
run once per session."""

from __future__ import annotations

import pytest
from report_samples import scan_sample

from synthscan.result import ScanResult


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> dict[str, ScanResult]:
    out = {}
    for verdict in ("high", "low", "inconclusive"):
        out[verdict] = scan_sample(verdict, tmp_path_factory.mktemp(verdict))
        assert out[verdict].verdict == verdict
    return out


@pytest.fixture(scope="session")
def leaky(samples) -> ScanResult:
    return samples["high"]


@pytest.fixture(scope="session")
def clean(samples) -> ScanResult:
    return samples["low"]
