"""How OpenMP threads wait in the processes synthscan owns: its command line and its model-fit
worker (``fitworker``).

OpenMP's default lets a thread that has finished its share spin for a while before it sleeps.
Beside the worker process, whose fits keep a core busy, a spinning search thread takes CPU from
the fits: on Adult's full scan, passive waiting saved about 2-3 CPU-seconds. FAISS's searches are
few and long parallel regions, so waking sleeping threads costs nothing measurable. Set before
an OpenMP runtime starts (FAISS's import); a value the user set is kept. A program that calls
synthscan's API keeps its own setting.
"""

from __future__ import annotations

from collections.abc import MutableMapping

VARIABLE, VALUE = "OMP_WAIT_POLICY", "PASSIVE"


def wait_passively(env: MutableMapping[str, str]) -> None:
    """Threads of OpenMP runtimes started under ``env`` sleep when idle, unless set already."""
    env.setdefault(VARIABLE, VALUE)
