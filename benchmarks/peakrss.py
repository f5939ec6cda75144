"""Peak resident memory of the running process, per stage where Linux allows it.

Standard library only: the peers' runners import it from their own virtualenv.
"""

from __future__ import annotations

import resource
import sys


def reset_peak() -> bool:
    """Reset the kernel's RSS high-water mark (``VmHWM``, what ``ru_maxrss`` reports) to the
    current RSS through ``/proc/self/clear_refs``; False where that is not allowed."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


def peak_rss_mib() -> float:
    """``ru_maxrss`` in MiB (Linux reports KiB, macOS bytes)."""
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value / (1024 * 1024) if sys.platform == "darwin" else value / 1024
