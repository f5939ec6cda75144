"""Peak-memory bound of a scan, and the ``--max-memory`` limit.

After loading and encoding, the largest structures a scan builds are proportional to the number of
rows times the width of the data: deduplicated copies of the encoded real records and the FAISS
indexes over them, the coded tables of the singling-out and attribute-inference checks and the
classifier features of the membership attack. Query results are produced in batches whose size is
set from a batch budget, so the bound is

    peak ≈ base + per_cell × rows_total × (encoded dimensions + columns) + 2 × batch budget

with constants measured by ``benchmarks/bench_memory.py`` (see docs/security-and-limits.md).
Under ``--max-memory`` the scan takes smaller batches and stops early, with a clear message, when
the bound exceeds the limit instead of being killed half-way.
"""

from __future__ import annotations

import re

from .errors import ResourceError
from .neighbors.engine import DEFAULT_MEMORY_BUDGET

#: the interpreter with numpy, pandas, scikit-learn and FAISS loaded
BASE_BYTES = 400 * 2**20
#: bytes per row and per (encoded dimension + column) at the peak, with margin
PER_CELL_BYTES = 80
#: reading a CSV or Parquet file takes up to this many times its size while parsing
LOAD_FACTOR = 12
MIN_BATCH = 8 * 2**20

_UNITS = {"": 2**20, "b": 1, "k": 2**10, "kb": 2**10, "m": 2**20, "mb": 2**20, "g": 2**30,
          "gb": 2**30, "t": 2**40, "tb": 2**40}


def parse_size(value: object) -> int:
    """Bytes from ``4GB``, ``512MB``, ``2g`` or a plain number of megabytes."""
    if isinstance(value, bool):
        raise ValueError("not a size")
    if isinstance(value, (int, float)):
        if value <= 0:
            raise ValueError("must be positive")
        return int(value * 2**20)
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*", str(value))
    if not m or m.group(2).lower() not in _UNITS or float(m.group(1)) <= 0:
        raise ValueError("not a size")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def human(n: float) -> str:
    for unit, size in (("GB", 2**30), ("MB", 2**20)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n / 2**10:.0f} KB"


def batch_budget(limit: int | None) -> int:
    """Bytes for one batch of neighbour results: the default, or less under a limit."""
    if limit is None:
        return DEFAULT_MEMORY_BUDGET
    return int(max(MIN_BATCH, min(DEFAULT_MEMORY_BUDGET, limit // 32)))


def peak_bound(rows_total: int, columns: int, dims: int, limit: int | None = None) -> int:
    """Upper bound (bytes) on a scan's peak resident memory for these data sizes."""
    return int(BASE_BYTES + PER_CELL_BYTES * rows_total * (dims + columns)
               + 2 * batch_budget(limit))


def check_files(sizes: dict[str, int], limit: int | None) -> None:
    """Fail before reading when parsing the files alone would exceed the limit."""
    if limit is None:
        return
    need = BASE_BYTES + LOAD_FACTOR * sum(sizes.values())
    if need > limit:
        biggest = max(sizes, key=lambda k: sizes[k])
        raise ResourceError(
            f"{biggest}: reading the inputs needs about {human(need)}, more than --max-memory "
            f"{human(limit)} — raise the limit or scan a uniform sample of the synthetic table")


def check_scan(rows_total: int, columns: int, dims: int, limit: int | None,
               name: str) -> None:
    """Fail after encoding when the scan's bound exceeds the limit."""
    if limit is None:
        return
    need = peak_bound(rows_total, columns, dims, limit)
    if need > limit:
        raise ResourceError(
            f"{name}: scanning {rows_total:,} rows × {columns} columns needs about {human(need)}, "
            f"more than --max-memory {human(limit)} — raise the limit or scan a uniform sample "
            "of the synthetic table")
