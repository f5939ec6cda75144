"""Progress of a scan: the stages ``api.scan`` reports to a plain callback (in order, each
neighbour search announced once, inside the check that runs it), and the CLI's terminal
display of them (a new stage restarts its clock, a step keeps it; nothing without a terminal,
with -q, or on stdout)."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest
from sample_tables import mixed_frame

import synthscan
from synthscan.api import STEP_SEPARATOR, run_order
from synthscan.attacks import default_checks
from synthscan.attacks.searches import DETAIL
from synthscan.cli._progress import StageDisplay


@pytest.fixture(scope="module")
def messages() -> list[str]:
    rng = np.random.default_rng(7)
    train, holdout, synthetic = (mixed_frame(n, rng) for n in (120, 120, 120))
    seen: list[str] = []
    synthscan.scan(train, synthetic, holdout=holdout, progress=seen.append)
    return seen


def test_scan_reports_its_stages_in_order(messages):
    stages = [m for m in messages if STEP_SEPARATOR not in m]
    deduplicated = [m for i, m in enumerate(stages) if i == 0 or stages[i - 1] != m]
    # searches here first, then the work of the worker process, preconditions last
    given = default_checks(True)
    checks = [given[i] for i in run_order(given)]
    assert checks[-1].precondition and checks[-2].in_worker and not checks[0].in_worker
    assert deduplicated == ["loading inputs", "encoding", "preparing the model fits",
                            *(f"check: {c.name}" for c in checks)]


def test_searches_are_announced_once_inside_their_check(messages):
    steps = [m for m in messages if STEP_SEPARATOR in m]
    labels = [m.split(STEP_SEPARATOR)[1] for m in steps]
    for search in ("neighbour search: real records → synthetic rows",
                   "neighbour search: real records → other real records",
                   "indexing real records"):
        assert labels.count(search) == 1, search  # computed once per scan, then memoised
    for i, m in enumerate(messages):
        if STEP_SEPARATOR in m:
            stage = m.split(STEP_SEPARATOR)[0]
            assert stage.startswith("check: ")
            # the step ends before the next stage: its check's name comes back first
            following = next(x for x in messages[i + 1:] if STEP_SEPARATOR not in x)
            assert following == stage
    # a search started by another search (the index it needs) hands back to it when done
    outer = next(i for i, m in enumerate(messages) if m.endswith("synthetic rows → real records"))
    assert messages[outer + 1].endswith("indexing real records")
    assert messages[outer + 2] == messages[outer]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_display_restarts_the_clock_per_stage_and_keeps_it_for_steps(monkeypatch):
    now = [100.0]
    monkeypatch.setattr("sys.stderr", FakeTerminal())
    monkeypatch.setattr("sys.stdout", io.StringIO())
    with StageDisplay(quiet=False, clock=lambda: now[0]) as show:
        assert show.enabled
        bar = show._bar
        assert bar is not None
        stage_row, step_row = bar.tasks
        show("check: Closeness")
        now[0] = 105.0
        show(f"check: Closeness{STEP_SEPARATOR}neighbour search: real records → synthetic rows")
        now[0] = 107.0
        assert (stage_row.elapsed, step_row.elapsed) == (7.0, 2.0)
        assert step_row.visible and "neighbour search" in step_row.description
        # the same search further on: its clock runs on, the line says how far it has got
        show(f"check: Closeness{STEP_SEPARATOR}neighbour search: real records → synthetic rows"
             f"{DETAIL}40,000 of 125,000 queries, about 6 s left")
        assert step_row.elapsed == 2.0 and "40,000 of 125,000" in step_row.description
        show("check: Closeness")  # the step is done
        assert not step_row.visible and stage_row.elapsed == 7.0
        show("check: Linkability")
        now[0] = 108.0
        assert stage_row.elapsed == 1.0 and "Linkability" in stage_row.description
    assert show._bar is None  # stopped when the block ends
    assert "Linkability" in sys.stderr.getvalue()  # the fake terminal, still patched in
    assert sys.stdout.getvalue() == ""


@pytest.mark.parametrize("quiet, terminal", [(True, True), (False, False)])
def test_no_display_with_quiet_or_without_a_terminal(monkeypatch, quiet, terminal):
    err = FakeTerminal() if terminal else io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    with StageDisplay(quiet=quiet) as show:
        show("loading inputs")
        assert not show.enabled
    assert err.getvalue() == ""


def test_a_long_search_reports_its_batches_with_the_time_left(monkeypatch):
    """Above ``LONG_SEARCH_PAIRS`` an exact search tells, batch by batch, how many queries are
    done and about how long is left; the label before the detail stays the search's."""
    from synthscan.neighbors import engine

    monkeypatch.setattr(engine, "LONG_SEARCH_PAIRS", 0)
    monkeypatch.setattr(engine.NeighborEngine, "batch_rows", lambda *_: 50)
    rng = np.random.default_rng(7)
    train, holdout, synthetic = (mixed_frame(n, rng) for n in (120, 120, 120))
    seen: list[str] = []
    synthscan.scan(train, synthetic, holdout=holdout, progress=seen.append,
                   config=synthscan.ScanConfig(checks=["closeness"]))
    label = "neighbour search: real records → synthetic rows"
    details = [m.split(DETAIL)[1] for m in seen if f"{label}{DETAIL}" in m]
    # 240 real records in batches of 50: 50, 100, ..., 240 of 240
    assert [d.split(" of ")[0] for d in details] == ["50", "100", "150", "200", "240"]
    assert all(d.startswith(f"{d.split(' of ')[0]} of 240 queries, about ") for d in details)
    assert details[-1].endswith("about 0 s left")
