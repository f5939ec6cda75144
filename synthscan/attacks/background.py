"""Model fits in a second process while the scan's own process runs the searches.

Gradient-boosting fits (the attribute-inference learner, the membership classifier) are
Python-heavy work that keeps one core busy; the distance attacks beside them are mostly FAISS
searches and array work. On a machine with two or more cores they overlap: the fits go to one
worker process per scan (``synthscan.fitworker``: batches of jobs in and their answers out as
length-prefixed pickles over its standard streams, one batch after another; the command line
may have started it already, see ``fitworker.prestart``). A check
``submit``s its fits and ``collect``s their answers when its own searches are done; a check may
submit them before the first check runs (``Attack.prefetch``), so that they are fitted while
earlier checks search; batches submitted inside ``gathered`` are sent together, judged by their
total size (a small batch rides along with large ones, or goes once a worker runs). Not
``multiprocessing``: its ``spawn`` start re-runs the caller's main script in the child, which
re-runs a whole scan from any script without a ``__main__`` guard. The answers are the same as
in-process fits (same inputs, seeds and library), and a worker that cannot start, fails or dies
makes the fits run in-process instead: the background is an optimisation, never a requirement.
"""

from __future__ import annotations

import contextlib
import pickle
import queue
import subprocess
import sys
import threading
import weakref
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from .. import fitworker
from ..fitworker import FAILED, HEADER, Job, read_frame, run_jobs
from ..neighbors.engine import CORES_ELSEWHERE

if TYPE_CHECKING:
    from .context import ScanContext

__all__ = ["MIN_BACKGROUND_ROWS", "Job", "Pending", "Worker", "close_worker", "gathered",
           "run_jobs", "scan_worker", "submit", "worth_a_process"]

#: training rows over all of a check's fits from which a worker process pays for itself (its
#: start and scikit-learn's import take about 1.5 s; a fit on 10,000 rows about 0.1-0.3 s)
MIN_BACKGROUND_ROWS = 100_000
#: the context's memo keys: its worker, and the batches ``gathered`` holds
_WORKER = "background:worker"
_GATHERING = "background:gathering"


def worth_a_process(jobs: Sequence[Job], threads: int | None) -> bool:
    """Fits go to a worker process when the scan may use two cores or more and the fits are
    large enough to pay for the worker's start."""
    return (fitworker.cores_allowed(threads) >= 2
            and sum(j.rows for j in jobs) >= MIN_BACKGROUND_ROWS)


class Pending:
    """The answers of one batch of jobs: from the worker when it was sent there, else fitted
    here at ``collect``."""

    def __init__(self, jobs: Sequence[Job], future: Future[list[Any]] | None) -> None:
        self._jobs: list[Job] | None = list(jobs)
        self._future = future
        self._answers: list[Any] | None = None

    @property
    def jobs(self) -> list[Job]:
        """The jobs not answered yet (none once collected)."""
        return self._jobs or []

    def send(self, worker: Worker) -> None:
        """Hand the batch to ``worker`` (once; a batch ``gathered`` holds, at its end)."""
        if self._jobs and self._future is None:
            self._future = worker.send(self._jobs)

    def collect(self) -> list[Any]:
        """Every job's answer, in order (waits for the worker; fits here when it failed)."""
        if self._answers is None:
            assert self._jobs is not None
            answers = None
            if self._future is not None:
                try:
                    answers = self._future.result()
                except (OSError, EOFError, pickle.UnpicklingError, RuntimeError):
                    answers = None  # the worker failed: fit here
            self._answers = run_jobs(self._jobs) if answers is None else answers
            self._jobs = None  # the inputs are not held once answered
        return self._answers


class Worker:
    """One worker process running batches in the order they are sent. A writer thread feeds
    it (a batch may be larger than the pipe while the worker is busy) and a reader thread
    drains its answers into each batch's future (an answer may be larger than the pipe too)."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._outbox: queue.Queue[tuple[bytes, Future[list[Any]]] | None] = queue.Queue()
        self._waiting: queue.Queue[Future[list[Any]] | None] = queue.Queue()
        self._started = False
        self._threads: list[threading.Thread] = []
        #: batches sent and not answered: while there are any, the worker holds a core
        self._outstanding = 0
        self._lock = threading.Lock()

    def send(self, jobs: Sequence[Job]) -> Future[list[Any]] | None:
        """Queue ``jobs`` for the worker (started at the first batch, unless the command line
        started one already); None when no worker can run here."""
        if not self._started:
            self._started = True
            self._proc = fitworker.take_prestarted() or fitworker.spawn()
            if self._proc is not None:
                self._threads = [threading.Thread(target=target, daemon=True,
                                                  name=f"synthscan-worker{target.__name__}")
                                 for target in (self._write, self._read)]
                for thread in self._threads:
                    thread.start()
        if self._proc is None:
            return None
        future: Future[list[Any]] = Future()
        self._busy(+1)
        future.add_done_callback(lambda _: self._busy(-1))
        self._outbox.put((pickle.dumps(list(jobs), pickle.HIGHEST_PROTOCOL), future))
        return future

    def _busy(self, batches: int) -> None:
        """Count batches sent (+1) or answered (-1); the scan's searches leave the worker a
        core while it has any (``neighbors.engine.CORES_ELSEWHERE``)."""
        with self._lock:
            if self._outstanding < 0:  # closed: the core was given back
                return
            before = self._outstanding
            self._outstanding += batches
            if (before == 0) != (self._outstanding == 0):
                CORES_ELSEWHERE.change(1 if before == 0 else -1)

    def close(self, wait: bool) -> None:
        """Stop the worker: after its queued batches when ``wait``, at once otherwise."""
        if self._proc is None:
            return
        self._outbox.put(None)
        if not wait:
            self._proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):  # a kill that did not take
            self._proc.wait(timeout=None if wait else 5)
        for thread in self._threads:  # they close the pipes as they end
            thread.join(timeout=5)
        with self._lock:  # a batch left unanswered no longer holds a core
            if self._outstanding > 0:
                CORES_ELSEWHERE.change(-1)
            self._outstanding = -1

    def _write(self) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        stream = self._proc.stdin
        while (item := self._outbox.get()) is not None:
            payload, future = item
            self._waiting.put(future)
            try:
                stream.write(HEADER.pack(len(payload)) + payload)
                stream.flush()
            except OSError:
                break  # the worker is gone: the reader fails what is waiting
        self._waiting.put(None)
        with contextlib.suppress(OSError):
            stream.close()
        if item is not None:  # batches sent from now on cannot reach it: fitted in-process
            while (later := self._outbox.get()) is not None:
                later[1].set_exception(OSError("the worker process is gone"))

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        stream = self._proc.stdout
        failed: BaseException | None = None
        while (future := self._waiting.get()) is not None:
            if failed is None:
                try:
                    payload = read_frame(stream)
                    if payload == FAILED:
                        raise RuntimeError("a batch failed in the worker")
                    future.set_result(pickle.loads(payload))
                    continue
                except (OSError, EOFError, pickle.UnpicklingError, RuntimeError) as exc:
                    if not isinstance(exc, RuntimeError):
                        failed = exc  # the stream is broken: every later batch fails too
                    future.set_exception(exc)
                    continue
            future.set_exception(failed)
        with contextlib.suppress(OSError):
            stream.close()


def submit(ctx: ScanContext, jobs: Sequence[Job]) -> Pending:
    """``jobs`` sent to the scan's worker when ``worth_a_process`` or when the worker runs
    already, else fitted here when collected; inside ``gathered``, held until its end."""
    pending = Pending(jobs, None)
    held: list[Pending] | None = _peek(ctx, _GATHERING)
    if held is not None:
        held.append(pending)
    else:
        _dispatch(ctx, [pending])
    return pending


@contextlib.contextmanager
def gathered(ctx: ScanContext) -> Iterator[None]:
    """Batches submitted within the block are held, then sent to the scan's worker in the
    order submitted when together they are ``worth_a_process`` (or a worker runs already);
    otherwise each is fitted here when collected. A block that raises sends nothing."""
    held: list[Pending] = []
    ctx.forget(_GATHERING)
    ctx.memo(_GATHERING, lambda: held)
    try:
        yield
    finally:
        ctx.forget(_GATHERING)
    _dispatch(ctx, held)


def _dispatch(ctx: ScanContext, batches: list[Pending]) -> None:
    """Send ``batches`` to the scan's worker, in order, when it runs already or they are
    worth starting it for (no ``sys.executable``: embedded, no interpreter to run one)."""
    jobs = [job for pending in batches for job in pending.jobs]
    if not jobs or not sys.executable:
        return
    if _peek(ctx, _WORKER) is not None or worth_a_process(jobs, ctx.config.threads):
        worker = scan_worker(ctx)
        for pending in batches:
            pending.send(worker)


def _peek(ctx: ScanContext, key: str) -> Any:
    """What the context's memo holds under ``key`` (None, and nothing left, when nothing)."""
    value = ctx.memo(key, lambda: None)
    if value is None:
        ctx.forget(key)
    return value


def scan_worker(ctx: ScanContext) -> Worker:
    """The scan's one worker (started at its first batch; killed with the context, or by
    ``close_worker``)."""
    def start() -> Worker:
        worker = Worker()
        weakref.finalize(ctx, worker.close, False)
        return worker
    return ctx.memo(_WORKER, start)


def close_worker(ctx: ScanContext) -> None:
    """Stop the scan's worker, if it has one (its answers have been collected or are not
    needed any more)."""
    worker = ctx.forget(_WORKER)
    if worker is not None:
        worker.close(wait=False)
