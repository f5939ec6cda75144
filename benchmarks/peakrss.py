"""Peak resident memory of the running process, per stage where Linux allows it.

Standard library only: the peers' runners import it from their own virtualenv.

The figure is the kernel's high-water mark of this process's own memory (``VmHWM`` in
``/proc/self/status``). ``ru_maxrss`` is used only where that file does not exist: on Linux it
also keeps the peak of the parent process at the moment it forked this one, so a small tool
started by a large benchmark would report the benchmark's memory.
"""

from __future__ import annotations

import contextlib
import resource
import sys
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
