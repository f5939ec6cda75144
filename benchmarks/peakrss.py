"""Peak resident memory of the running process, per stage where Linux allows it.

Standard library only: the peers' runners import it from their own virtualenv.

The figure is the kernel's high-water mark of this process's own memory (``VmHWM`` in
``/proc/self/status``). ``ru_maxrss`` is used only where that file does not exist: on Linux it
also keeps the peak of the parent process at the moment it forked this one, so a small tool
started by a large benchmark would report the benchmark's memory.
"""

from __future__ import annotations

import contextlib
import os
import resource
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass


def reset_peak() -> bool:
    """Reset the high-water mark to the current RSS through ``/proc/self/clear_refs``; False
    where that is not allowed."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


def peak_rss_mib() -> float:
    """Peak resident memory in MiB: ``VmHWM`` where Linux reports it, else ``ru_maxrss``."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value / (1024 * 1024) if sys.platform == "darwin" else value / 1024


@dataclass
class Measurement:
    """Wall time and peak resident memory of one measured block."""

    seconds: float = 0.0
    peak_rss_mib: float = 0.0
    #: True when the high-water mark was reset at the start, so the peak is this block's own
    per_stage_peak: bool = False


@contextlib.contextmanager
def measure(into: Measurement | None = None) -> Iterator[Measurement]:
    """Time a block and record its peak memory (reset at the start where Linux allows it).
    ``into`` lets a caller fill its own ``Measurement`` subclass."""
    m = into if into is not None else Measurement()
    m.per_stage_peak = reset_peak()
    t0 = time.perf_counter()
    try:
        yield m
    finally:
        m.seconds = time.perf_counter() - t0
        m.peak_rss_mib = peak_rss_mib()


def descendants(root: int) -> list[int]:
    """Every live process under ``root`` (through ``/proc/<pid>/task/<tid>/children``)."""
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        with contextlib.suppress(OSError):
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
                    kids = [int(k) for k in fh.read().split()]
                out += kids
                todo += kids
    return out


def _marks_mib(pid: int) -> tuple[float, float] | None:
    """(VmHWM, VmRSS) of a process in MiB; None when it is gone."""
    found: dict[str, float] = {}
    with contextlib.suppress(OSError, ValueError), \
            open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(("VmHWM:", "VmRSS:")):
                found[line[:5]] = int(line.split()[1]) / 1024
    if len(found) < 2:
        return None
    return found["VmHWM"], found["VmRSS"]


class DescendantPeaks:
    """The high-water marks of the processes started under this one while the block runs
    (a scan's worker process; a child scan and its worker), polled every ``every`` seconds
    (a mark only grows, so the last reading before a process ends is its peak, up to what it
    added in its last ``every`` seconds). Linux only: empty elsewhere.

    ``total_mib``: the sum of the peaks — an upper bound on what they held at once;
    ``together_mib``: the largest sum of their resident memory seen at one reading (a lower
    bound on that: a spike between readings is missed).
    """

    def __init__(self, every: float = 0.1) -> None:
        self.every = every
        self.peaks: dict[int, float] = {}
        self.together_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> DescendantPeaks:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        me = os.getpid()
        while True:
            now = 0.0
            for pid in descendants(me):
                marks = _marks_mib(pid)
                if marks is not None:
                    self.peaks[pid] = max(marks[0], self.peaks.get(pid, 0.0))
                    now += marks[1]
            self.together_mib = max(self.together_mib, now)
            if self._stop.wait(self.every):
                return

    @property
    def total_mib(self) -> float:
        return float(sum(self.peaks.values()))
