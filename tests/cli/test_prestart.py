"""The model-fit worker the command line starts before reading the tables
(``fitworker.prestart``): the same result as without it, and killed on every way out when the
scan did not take it."""

from __future__ import annotations

from pathlib import Path

import pytest
from _inputs import assert_error, assert_scanned, comparable, scan

from synthscan import fitworker
from synthscan.errors import EXIT_USAGE


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every worker started from now on; any input is large enough to start one early, on a
    machine with two cores."""
    procs: list = []
    spawn = fitworker.spawn
    monkeypatch.setattr(fitworker, "spawn",
                        lambda warm=False: procs.append(spawn(warm)) or procs[-1])
    monkeypatch.setattr(fitworker, "PRESTART_BYTES", 1)
    monkeypatch.setattr(fitworker.os, "cpu_count", lambda: 2)
    return procs


def test_an_early_worker_changes_nothing_and_is_gone_after_the_scan(
        trio: dict[str, Path], reference: dict, started: list) -> None:
    result = assert_scanned(scan(trio))
    assert len(started) == 1  # started early; these fits are too small to be sent to it
    assert started[0].poll() is not None  # killed at the scan's end
    assert comparable(result) == comparable(reference)


def test_an_early_worker_is_killed_when_the_scan_stops_on_an_error(
        trio: dict[str, Path], started: list) -> None:
    missing = trio["train"].parent / "no_such_synthetic.csv"
    assert_error(scan(trio, synthetic=missing), EXIT_USAGE, missing)
    assert len(started) == 1 and started[0].poll() is not None


def test_no_early_worker_with_one_thread(trio: dict[str, Path], started: list,
                                         tmp_path: Path) -> None:
    assert_scanned(scan(trio, "--threads", "1"))
    settings = tmp_path / "one.toml"
    settings.write_text("threads = 1\n", encoding="utf-8")
    assert_scanned(scan(trio, "--config", settings))  # the settings file's threads count too
    assert started == []
