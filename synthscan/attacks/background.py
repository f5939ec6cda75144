"""Model fits in a second process while the scan's own process runs a check's searches.

Gradient-boosting fits (the attribute-inference learner, the membership classifier) are
Python-heavy work that keeps one core busy; the distance attacks beside them are mostly FAISS
searches and array work. On a machine with two or more cores they overlap: the fits go to a
fresh Python process (this module run with ``-m``, jobs in and answers out as pickles over its
standard streams) and are collected when the searches are done. Not ``multiprocessing``: its
``spawn`` start re-runs the caller's main script in the child, which re-runs a whole scan from
any script without a ``__main__`` guard. The answers are the same as in-process fits (same
inputs, seeds and library), and a worker that cannot start or that fails makes the fits run
in-process instead: the background is an optimisation, never a requirement.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

#: training rows over all of a check's fits from which a worker process pays for itself (its
#: start and scikit-learn's import take about 1.5 s; a fit on 10,000 rows about 0.1-0.3 s)
MIN_BACKGROUND_ROWS = 100_000


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


def worth_a_process(jobs: Sequence[Job], threads: int | None) -> bool:
    """Fits go to a worker process when the scan may use two cores or more and the fits are
    large enough to pay for the worker's start."""
    cores = os.cpu_count() or 1
    allowed = cores if threads is None else min(int(threads), cores)
    return allowed >= 2 and sum(j.rows for j in jobs) >= MIN_BACKGROUND_ROWS


def start(jobs: Sequence[Job], background: bool) -> Callable[[], list[Any]]:
    """Start the jobs (in a worker process when ``background``) and return the function that
    waits for their answers, in order."""
    jobs = list(jobs)
    if not background or not jobs or not sys.executable:  # (embedded: no interpreter to run)
        return lambda: run_jobs(jobs)
    try:
        proc = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                env=_child_environment())
    except OSError:  # no processes here
        return lambda: run_jobs(jobs)
    answer: dict[str, bytes] = {}

    def talk() -> None:
        try:
            answer["out"] = proc.communicate(pickle.dumps(jobs, pickle.HIGHEST_PROTOCOL))[0]
        except OSError:
            proc.kill()

    # the pipe is fed and drained on a thread: this process goes on with the check's searches
    thread = threading.Thread(target=talk, name="synthscan-learner", daemon=True)
    thread.start()

    def collect() -> list[Any]:
        thread.join()
        out = answer.get("out")
        if proc.returncode != 0 or not out:  # the worker failed or died: redo the fits here
            return run_jobs(jobs)
        answers: list[Any] = pickle.loads(out)
        return answers

    return collect


def _child_environment() -> dict[str, str]:
    """This environment, with the directory holding this copy of synthscan first on the
    worker's import path (so the worker imports the same code even when it is not installed)."""
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    return env


def _worker() -> None:
    """The worker: jobs from stdin, answers to stdout."""
    jobs = pickle.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(pickle.dumps(run_jobs(jobs), pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _worker()
