"""The model-fit worker process, and starting it early.

``attacks.background`` sends a scan's model fits to one worker process: this module run with
``-m``, reading batches of jobs as length-prefixed pickles on its standard input and writing
each batch's answers the same way (``FAILED`` for a batch that raised: the scan then fits it
itself). It imports nothing heavy by itself, so the command line can start it before its own
imports and the reading of the tables (``prestart``): the worker's start and its imports of
scikit-learn and the job modules (about 1.5 CPU-seconds) then overlap with that work instead of
delaying the first fit. The scan's ``background.Worker`` takes the started process
(``take_prestarted``); one nobody took is killed (``discard_prestarted``, and at exit).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import struct
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

from .openmp import wait_passively

#: the frame header: the pickle's length
HEADER = struct.Struct("<Q")
#: what the worker answers for a batch that raised
FAILED = b"failed"
#: what a prestarted worker imports while it waits for its first batch: the libraries and the
#: modules of the jobs a scan sends (``background.Job`` classes), so a first batch finds them
WARM_MODULES = ("sklearn.ensemble", "synthscan.attacks.inference.learner",
                "synthscan.attacks.membership_scores", "synthscan.attacks.singling_out.attempt")
#: the argument that makes the worker import ``WARM_MODULES`` before reading its first batch
WARM = "--warm"
#: bytes of training and synthetic input from which the command line starts a worker early:
#: about where the scan's fits start going to a worker (``background.MIN_BACKGROUND_ROWS``;
#: measured on Adult's columns: 5,000 rows per table, 1.08 MB, send theirs; 3,000 rows, 0.65 MB,
#: do not). A worker started and not used costs its start on another core, never a result
PRESTART_BYTES = 1_000_000


class Job(Protocol):
    """A fit and what it answers, picklable (a dataclass of a module-level class)."""

    @property
    def rows(self) -> int:
        """Training rows of the fit (what sizes the work)."""
        ...

    def run(self) -> Any: ...


def run_jobs(jobs: Sequence[Job]) -> list[Any]:
    """Every job's answer, in order (what the worker process runs)."""
    return [job.run() for job in jobs]


def cores_allowed(threads: int | None) -> int:
    """Cores a scan may use: this machine's, capped by ``--threads``."""
    cores = os.cpu_count() or 1
    return cores if threads is None else min(int(threads), cores)


def spawn(warm: bool = False) -> subprocess.Popen[bytes] | None:
    """A new worker process (None where none can start: no interpreter, no processes)."""
    if not sys.executable:
        return None
    try:
        return subprocess.Popen([sys.executable, "-m", __name__, *([WARM] if warm else [])],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, env=child_environment())
    except OSError:
        return None


_prestarted: list[subprocess.Popen[bytes]] = []


def prestart(inputs: Sequence[Path | str], threads: int | None) -> bool:
    """Start a worker now, warming up, when the scan may use two cores or more and the files
    in ``inputs`` (the training and synthetic tables) hold at least ``PRESTART_BYTES``; whether
    one was started. Directories and patterns (read on a cluster) start none."""
    if _prestarted or cores_allowed(threads) < 2:
        return False
    size = 0
    for path in inputs:
        with contextlib.suppress(OSError, ValueError):  # unreadable: the scan reports it
            size += os.stat(path).st_size if os.path.isfile(path) else 0
    if size < PRESTART_BYTES:
        return False
    proc = spawn(warm=True)
    if proc is None:
        return False
    _prestarted.append(proc)
    return True


@contextlib.contextmanager
def prestarted(inputs: Sequence[Path | str], threads: int | None) -> Iterator[bool]:
    """``prestart`` for the block (whether a worker was started); one nobody took by its end
    is killed, however the block ends."""
    try:
        yield prestart(inputs, threads)
    finally:
        discard_prestarted()


def take_prestarted() -> subprocess.Popen[bytes] | None:
    """The worker ``prestart`` started, if it still runs (it is then the caller's)."""
    while _prestarted:
        proc = _prestarted.pop()
        if proc.poll() is None:
            return proc
        _close(proc)
    return None


def discard_prestarted() -> None:
    """Kill a worker ``prestart`` started that no scan took."""
    while _prestarted:
        _close(_prestarted.pop(), kill=True)


atexit.register(discard_prestarted)


def _close(proc: subprocess.Popen[bytes], kill: bool = False) -> None:
    if kill:
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def child_environment() -> dict[str, str]:
    """This environment, with the directory holding this copy of synthscan first on the
    worker's import path (so the worker imports the same code even when it is not installed)
    and OpenMP threads that sleep when idle (``openmp``)."""
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ)
    wait_passively(env)
    if os.environ.get('EXP_W'):
        env['MALLOC_TOP_PAD_'] = os.environ['EXP_W']
    elif 'MALLOC_TOP_PAD_' in env:
        del env['MALLOC_TOP_PAD_']
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    return env


def read_frame(stream: IO[bytes]) -> bytes:
    """One length-prefixed frame; EOFError when the stream ends first."""
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        raise EOFError("the worker stopped")
    (size,) = HEADER.unpack(head)
    payload = stream.read(size)
    if len(payload) < size:
        raise EOFError("the worker stopped")
    return payload


def serve(warm: bool = False) -> None:
    """The worker: batches of jobs from stdin until it closes, each batch's answers to stdout
    (``FAILED`` for a batch that raised); with ``warm``, ``WARM_MODULES`` imported first."""
    if warm:
        import importlib

        for name in WARM_MODULES:
            with contextlib.suppress(ImportError):  # a first batch would import it anyway
                importlib.import_module(name)
    inbox, outbox = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            payload = read_frame(inbox)
        except EOFError:
            return
        try:
            answer = pickle.dumps(run_jobs(pickle.loads(payload)), pickle.HIGHEST_PROTOCOL)
        except Exception:  # the batch is redone in-process, which reports it
            answer = FAILED
        outbox.write(HEADER.pack(len(answer)) + answer)
        outbox.flush()


if __name__ == "__main__":
    serve(warm=WARM in sys.argv[1:])
