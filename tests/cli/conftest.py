"""Fixtures of the command-line tests: a valid input trio, and its scan result."""

from __future__ import annotations

from pathlib import Path

import pytest
from _inputs import assert_scanned, scan, write_trio


@pytest.fixture
def trio(tmp_path: Path) -> dict[str, Path]:
    """Valid train / holdout / synthetic CSVs (60 rows each, independent draws)."""
    return write_trio(tmp_path)


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The scan result of the unmodified trio (computed once for every test that compares
    with it)."""
    return assert_scanned(scan(write_trio(tmp_path_factory.mktemp("reference"))))
