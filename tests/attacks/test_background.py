"""The scan's worker process: batches answered in order (answers larger than a pipe included),
a batch that fails there or a worker that cannot start answered in-process with the same
answers and errors, and a full scan whose model fits are submitted before the first check gives
the result of a scan that fits everything in-process."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import synthscan
from synthscan import fitworker
from synthscan.attacks import background
from synthscan.config import ScanConfig
from synthscan.datasets import simulate_population


@dataclass
class Echo:
    """A toy job: its value, an array of ``size`` copies of it, and the process that ran it."""

    value: int
    size: int = 0
    fail: bool = False
    rows: int = 1

    def run(self) -> tuple[int, np.ndarray, int]:
        if self.fail:
            raise ValueError(f"planted failure {self.value}")
        return self.value, np.full(self.size, self.value, np.int64), os.getpid()


@dataclass
class Slow:
    """A toy job that keeps the worker busy for ``seconds``."""

    seconds: float
    rows: int = 1

    def run(self) -> float:
        import time

        time.sleep(self.seconds)
        return self.seconds


class Ctx:
    """What ``background.submit`` needs of a scan context: its threads and its memo."""

    def __init__(self) -> None:
        self.config = ScanConfig()
        self.memos: dict[str, Any] = {}

    def memo(self, key: str, compute: Any) -> Any:
        if key not in self.memos:
            self.memos[key] = compute()
        return self.memos[key]

    def forget(self, key: str) -> Any:
        return self.memos.pop(key, None)


@pytest.fixture
def worker_on(monkeypatch):
    """Every batch is worth the worker, which can import this module's jobs."""
    monkeypatch.setattr(background, "MIN_BACKGROUND_ROWS", 0)
    monkeypatch.setattr(fitworker.os, "cpu_count", lambda: 2)
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))


def test_batches_are_answered_in_order_by_one_worker_even_beyond_a_pipe(worker_on):
    ctx = Ctx()
    # 2,000,000 int64 = 16 MB per answer: far beyond a pipe's buffer, both ways
    batches = [[Echo(1, 2_000_000), Echo(2)], [Echo(3)], [Echo(4, 2_000_000)]]
    pending = [background.submit(ctx, jobs) for jobs in batches]
    answers = [p.collect() for p in reversed(pending)][::-1]  # collected out of order
    background.close_worker(ctx)
    pids = {pid for batch in answers for _, _, pid in batch}
    assert len(pids) == 1 and os.getpid() not in pids  # one worker, not this process
    for jobs, got in zip(batches, answers, strict=True):
        assert [v for v, _, _ in got] == [j.value for j in jobs]
        for job, (_, arr, _) in zip(jobs, got, strict=True):
            np.testing.assert_array_equal(arr, np.full(job.size, job.value))


def test_a_batch_failing_in_the_worker_is_redone_here_and_raises_as_inline(worker_on):
    ctx = Ctx()
    bad = background.submit(ctx, [Echo(1), Echo(2, fail=True)])
    good = background.submit(ctx, [Echo(3)])
    with pytest.raises(ValueError, match="planted failure 2"):
        bad.collect()  # (the worker answered 'failed': the jobs ran here and raised here)
    (value, _, pid), = good.collect()
    assert value == 3 and pid != os.getpid()  # the worker went on with the next batch
    background.close_worker(ctx)


def test_no_worker_means_the_same_answers_here(worker_on, monkeypatch):
    ctx = Ctx()
    monkeypatch.setattr(background.sys, "executable", "/bin/false")  # starts and exits 1
    answers = background.submit(ctx, [Echo(5, 3), Echo(6)]).collect()
    assert [(v, list(a), pid) for v, a, pid in answers] == [
        (5, [5, 5, 5], os.getpid()), (6, [], os.getpid())]
    background.close_worker(ctx)
    # too small to be worth a process: fitted here without starting any worker
    monkeypatch.setattr(background, "MIN_BACKGROUND_ROWS", 10)
    small = Ctx()
    assert background.submit(small, [Echo(7)]).collect()[0][2] == os.getpid()
    assert "background:worker" not in small.memos


def test_gathered_batches_are_judged_together_and_a_running_worker_takes_small_ones(
        monkeypatch):
    monkeypatch.setattr(background, "MIN_BACKGROUND_ROWS", 10)
    monkeypatch.setattr(fitworker.os, "cpu_count", lambda: 2)
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))
    ctx = Ctx()
    with background.gathered(ctx):
        small = background.submit(ctx, [Echo(1, rows=3)])
        large = background.submit(ctx, [Echo(2, rows=8)])
        assert "background:worker" not in ctx.memos  # held until the block ends
    (one,), (two,) = small.collect(), large.collect()
    assert (one[0], two[0]) == (1, 2)
    assert one[2] == two[2] != os.getpid()  # both in the one worker, 3 + 8 rows >= 10
    late = background.submit(ctx, [Echo(3, rows=1)])  # too small alone, but a worker runs
    assert late.collect()[0][2] == one[2]
    background.close_worker(ctx)
    assert not ctx.memos  # nothing gathered is left behind
    # together still too small: answered here, no worker started
    alone = Ctx()
    with background.gathered(alone):
        batches = [background.submit(alone, [Echo(v, rows=3)]) for v in (4, 5)]
    assert [b.collect()[0][::2] for b in batches] == [(4, os.getpid()), (5, os.getpid())]
    assert not alone.memos
    # a block that raises sends nothing: the batch is answered here
    failed = Ctx()
    with pytest.raises(KeyError), background.gathered(failed):
        held = background.submit(failed, [Echo(6, rows=50)])
        raise KeyError("planted")
    assert not failed.memos and held.collect()[0][2] == os.getpid()


def test_a_worker_stopped_before_collecting_leaves_the_answers_to_this_process(worker_on):
    ctx = Ctx()
    pending = background.submit(ctx, [Echo(8, 10)])
    background.close_worker(ctx)  # killed at once
    ((value, arr, _),) = pending.collect()
    assert value == 8 and list(arr) == [8] * 10


def test_model_fits_submitted_before_the_first_check_give_the_in_process_result(
        monkeypatch):
    pop = simulate_population(2400, 11)
    train, hold, synth = pop.iloc[:1000], pop.iloc[1000:1400], pop.iloc[1400:]

    def scan() -> list:
        result = synthscan.scan(train, synth, holdout=hold, config=ScanConfig(seed=4))
        return [result.to_dict()["checks"], result.verdict]

    inline = scan()
    events: list[str] = []
    submit = background.submit
    monkeypatch.setattr(background, "submit",
                        lambda ctx, jobs: events.append("submit") or submit(ctx, jobs))
    send = background.Worker.send
    monkeypatch.setattr(background.Worker, "send",
                        lambda self, jobs: events.append("sent") or send(self, jobs))
    from synthscan.attacks.copies import ExactCopies
    first = ExactCopies.run
    monkeypatch.setattr(ExactCopies, "run",
                        lambda self, ctx: events.append("first check") or first(self, ctx))
    monkeypatch.setattr(background, "MIN_BACKGROUND_ROWS", 0)
    monkeypatch.setattr(fitworker.os, "cpu_count", lambda: 2)
    assert scan() == inline
    # holdout validity's classifier, membership's folds, the singling-out attack and the
    # inference learner were all submitted, then sent to the worker, before any check ran
    assert events[:9] == ["submit"] * 4 + ["sent"] * 4 + ["first check"]


def test_batches_sent_after_the_worker_died_are_fitted_here_without_waiting(worker_on):
    import threading
    import time

    ctx = Ctx()
    first = background.submit(ctx, [Echo(1)])
    worker = ctx.memos["background:worker"]
    assert worker._proc is not None
    worker._proc.kill()  # dies under the scan
    worker._proc.wait()
    got: list = []
    late = []
    for value in range(2, 6):  # the first write after the death breaks the pipe
        late.append(background.submit(ctx, [Echo(value, 70_000)]))
        time.sleep(0.05)

    def collect_all() -> None:
        got.extend(p.collect()[0][0] for p in [first, *late])

    t = threading.Thread(target=collect_all, daemon=True)
    t.start()
    t.join(30)
    assert not t.is_alive(), "a batch sent after the worker died was never answered"
    assert got == [1, 2, 3, 4, 5]
    background.close_worker(ctx)


def test_a_worker_leaves_no_open_pipe_behind(worker_on, monkeypatch):
    """Its pipes are closed when it stops, killed or not, so no ``ResourceWarning`` surfaces
    later at some unrelated garbage collection (as one did in another test's stderr)."""
    import gc
    import warnings

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        ctx = Ctx()
        assert background.submit(ctx, [Echo(1)]).collect()[0][0] == 1
        background.close_worker(ctx)
        killed = Ctx()
        background.submit(killed, [Echo(2, 10_000_000)])  # still running when killed
        background.close_worker(killed)
        monkeypatch.setattr(background.sys, "executable", "/bin/false")
        gone = Ctx()
        assert background.submit(gone, [Echo(3)]).collect()[0][0] == 3
        background.close_worker(gone)
        del ctx, killed, gone
        gc.collect()
    leaks = [w for w in seen if issubclass(w.category, ResourceWarning)]
    assert not leaks, [str(w.message) for w in leaks]


def _cores_elsewhere(expected: int) -> bool:
    """Whether ``CORES_ELSEWHERE`` reaches ``expected`` within a few seconds (a batch's answer
    is counted by its future's callback, which may run just after ``collect`` returns)."""
    import time

    from synthscan.neighbors.engine import CORES_ELSEWHERE

    for _ in range(500):
        if CORES_ELSEWHERE.count == expected:
            return True
        time.sleep(0.01)
    return False


def test_a_busy_worker_holds_one_core_that_the_searches_here_leave_free(worker_on):
    """--threads caps the scan's cores, its worker's included: while the worker has a batch,
    FAISS searches here run on one thread fewer (never fewer than one)."""
    from synthscan.neighbors import engine

    faiss = engine._faiss()
    assert _cores_elsewhere(0) and engine.search_threads(None) == 2
    ctx = Ctx()
    slow = background.submit(ctx, [Slow(1.0)])
    quick = background.submit(ctx, [Echo(1)])
    # two batches, one worker running them one after the other: one core
    assert engine.CORES_ELSEWHERE.count == 1
    assert (engine.search_threads(None), engine.search_threads(4),
            engine.search_threads(1)) == (1, 3, 1)
    with engine.faiss_threads(None):
        assert faiss.omp_get_max_threads() == 1
    assert slow.collect() == [1.0] and quick.collect()[0][0] == 1
    assert _cores_elsewhere(0) and engine.search_threads(None) == 2
    background.close_worker(ctx)
    # a worker stopped with a batch still running gives its core back
    ctx = Ctx()
    background.submit(ctx, [Slow(5.0)])
    assert engine.CORES_ELSEWHERE.count == 1
    background.close_worker(ctx)
    assert _cores_elsewhere(0)


def test_a_pool_thread_searches_within_its_share_of_the_cores(monkeypatch):
    import threading

    from synthscan.neighbors import engine

    monkeypatch.setattr(engine.os, "cpu_count", lambda: 16)
    assert _cores_elsewhere(0) and engine.search_threads(None) == 16
    seen: dict[str, int] = {}

    def pooled() -> None:
        with engine.thread_share(4):
            seen["inside"] = engine.search_threads(None)
            seen["capped by threads"] = engine.search_threads(2)
        seen["after"] = engine.search_threads(None)

    t = threading.Thread(target=pooled)
    t.start()
    t.join()
    assert seen == {"inside": 4, "capped by threads": 2, "after": 16}
    assert engine.search_threads(None) == 16  # another thread's share is its own


def test_the_worker_lets_openmp_threads_sleep_unless_told_otherwise(monkeypatch):
    from synthscan import openmp

    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    assert fitworker.child_environment()["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")  # the user's choice is kept
    assert fitworker.child_environment()["OMP_WAIT_POLICY"] == "ACTIVE"
    env: dict[str, str] = {}
    openmp.wait_passively(env)
    assert env == {"OMP_WAIT_POLICY": "PASSIVE"}


def _spawned(monkeypatch) -> list:
    """Every worker process ``fitworker`` starts from now on."""
    started: list = []
    spawn = fitworker.spawn
    monkeypatch.setattr(fitworker, "spawn",
                        lambda warm=False: started.append(spawn(warm)) or started[-1])
    return started


def test_a_prestarted_worker_is_the_one_the_scan_takes(worker_on, monkeypatch, tmp_path):
    started = _spawned(monkeypatch)
    big = tmp_path / "train.csv"
    big.write_bytes(b"x" * 100)
    monkeypatch.setattr(fitworker, "PRESTART_BYTES", 100)
    with fitworker.prestarted([big, tmp_path / "absent.csv"], threads=None) as early:
        assert early and len(started) == 1
        ctx = Ctx()
        (value, _, pid), = background.submit(ctx, [Echo(7)]).collect()
        assert value == 7 and pid == started[0].pid  # the early one answered
        assert len(started) == 1  # no second worker
        background.close_worker(ctx)
    assert started[0].poll() is not None


def test_no_worker_is_prestarted_for_small_inputs_one_core_or_directories(
        worker_on, monkeypatch, tmp_path):
    started = _spawned(monkeypatch)
    small = tmp_path / "train.csv"
    small.write_bytes(b"x" * 99)
    monkeypatch.setattr(fitworker, "PRESTART_BYTES", 100)
    assert not fitworker.prestart([small, tmp_path / "absent.csv"], threads=None)
    small.write_bytes(b"x" * 100)
    assert not fitworker.prestart([small], threads=1)  # --threads 1: no second process
    assert not fitworker.prestart([tmp_path], threads=None)  # a directory: read elsewhere
    assert started == [] and fitworker.take_prestarted() is None


def test_an_unused_prestarted_worker_is_killed_however_the_block_ends(worker_on, monkeypatch,
                                                                      tmp_path):
    started = _spawned(monkeypatch)
    big = tmp_path / "train.csv"
    big.write_bytes(b"x" * 100)
    monkeypatch.setattr(fitworker, "PRESTART_BYTES", 100)
    with pytest.raises(KeyError), fitworker.prestarted([big], threads=None):
        raise KeyError("the scan failed")
    assert len(started) == 1 and started[0].poll() is not None
    # a prestarted worker that died is not handed out: a new one starts
    assert fitworker.prestart([big], threads=None)
    started[1].kill()
    started[1].wait()
    ctx = Ctx()
    (value, _, pid), = background.submit(ctx, [Echo(8)]).collect()
    assert value == 8 and pid == started[2].pid
    background.close_worker(ctx)


def test_a_warm_worker_imports_the_modules_of_every_job_a_scan_sends():
    from synthscan.attacks.inference.learner import LearnerJob
    from synthscan.attacks.membership_scores import FoldFit
    from synthscan.attacks.singling_out.attempt import SinglingOutJob

    jobs = {LearnerJob.__module__, FoldFit.__module__, SinglingOutJob.__module__}
    assert jobs <= set(fitworker.WARM_MODULES)
    import importlib

    for name in fitworker.WARM_MODULES:
        importlib.import_module(name)  # each one exists
