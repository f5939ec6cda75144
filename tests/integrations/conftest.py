"""The releases every adapter test scans (see ``_releases``)."""

from __future__ import annotations

import pytest
from _releases import Releases, write_releases


@pytest.fixture(scope="session")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Releases:
    return write_releases(tmp_path_factory.mktemp("releases"))
