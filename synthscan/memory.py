"""Peak-memory bound of a scan, and the ``max_memory`` limit.

After loading and encoding, the largest structures a scan builds are proportional to the number of
rows times the width of the data: deduplicated copies of the encoded real records and the FAISS
indexes over them, the coded tables of the singling-out and attribute-inference checks and the
classifier features of the membership attack. Query results are produced in batches whose size is
set from a batch budget, so the bound is

    peak ≈ base + per_cell × rows_total × (encoded dimensions + columns) + 2 × batch budget

with constants measured by ``benchmarks/bench_memory.py`` (see docs/security-and-limits.md).
Under ``max_memory`` the scan takes smaller batches and stops early, with a clear message, when
the bound exceeds the limit instead of being killed half-way. The limit is checked at each stage
before the step it guards: the inputs before parsing (compressed files by what they decompress
to, Parquet by its footer's row count: ``check_inputs``), the parsed tables before encoding
(``check_loaded``), and the encoded tables plus the size-like settings and the duplicate rows
singling out must match before any check runs (``check_scan_data``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from .errors import ResourceError
from .neighbors.engine import DEFAULT_MEMORY_BUDGET
from .types import Table

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


#: a text file decompresses and parses in about this many times its decompressed size
#: (LOAD_FACTOR above); a compressed file is charged by what it decompresses to, counted as a
#: stream before it is parsed, and so is a Parquet file by the row count in its footer.
#: Every loaded cell is charged PER_CELL_BYTES twice (it is both a column and at least one
#: encoded dimension), the same charge the scan bound makes for it later.
LOADED_CELL_BYTES = 2 * PER_CELL_BYTES

#: resampling settings are charged by the arrays they allocate: the membership bootstrap draws
#: Poisson weights (int64, then float64) for the evaluation half of membership's targets, which
#: are every training and every holdout record up to this many of each
MIA_MAX_TARGETS = 200_000
#: the distance statistics resample groups of records with equal credit, credits lying on a
#: grid of 1/1024 and adding up to the number of synthetic query rows Q: d distinct positive
#: credits add up to at least d(d+1)/2048, so there are at most 1 + sqrt(2048 Q) groups (and at
#: most one per real record)
CREDIT_GRID = 1024
#: singling out mines predicates in batches of at most this many candidates; every candidate is
#: matched against the synthetic rows, and a candidate matches at least every duplicate of the
#: row it was drawn from
SO_BATCH = 50_000
#: bytes per (predicate, matching record) pair while predicates are matched
PAIR_BYTES = 32


def _exceeds(need: int, limit: int | None) -> bool:
    return limit is not None and need > limit


def input_need(data_bytes: int, rows: int, columns: int) -> int:
    """Bytes needed to read inputs holding this much data (text or column data), this many rows
    and columns, interpreter included."""
    return int(BASE_BYTES + max(LOAD_FACTOR * data_bytes, LOADED_CELL_BYTES * rows * columns))


def input_budget(limit: int) -> tuple[int, int]:
    """(bytes, rows) at which reading inputs alone would exceed ``limit`` — where a streamed
    count can stop."""
    spare = max(limit - BASE_BYTES, 0)
    return spare // LOAD_FACTOR + 1, spare // LOADED_CELL_BYTES + 1


def check_inputs(sizes: list[tuple[str, int, int, int, bool]], limit: int | None) -> None:
    """Fail before parsing when reading the inputs alone would exceed the limit.

    ``sizes`` holds (file name, data bytes, rows, columns, complete) per input, as measured by
    ``synthscan.data.io.probe_size`` (decompressed size for compressed files, the footer's row
    count for Parquet). An incomplete count stopped at the budget and is over the limit."""
    if limit is None or not sizes:
        return
    data = sum(s[1] for s in sizes)
    cells = sum(s[2] * max(s[3], 1) for s in sizes)
    need = int(BASE_BYTES + max(LOAD_FACTOR * data, LOADED_CELL_BYTES * cells))
    cut = [s[0] for s in sizes if not s[4]]
    if need > limit or cut:
        biggest = cut[0] if cut else max(sizes, key=lambda s: max(LOAD_FACTOR * s[1],
                                                                  LOADED_CELL_BYTES * s[2]
                                                                  * max(s[3], 1)))[0]
        amount = (f"more than max_memory {human(limit)} (counting stopped at the limit)"
                  if cut else f"about {human(need)}, more than max_memory {human(limit)}")
        raise ResourceError(
            f"{biggest}: reading the inputs (decompressed and parsed) needs {amount} — raise "
            "max_memory, or scan a uniform sample of the rows", source=biggest,
            key="max_memory")


def check_loaded(rows_total: int, columns: int, limit: int | None, name: str) -> None:
    """After parsing, before columns are converted and encoded: each cell will cost at least
    one column and one encoded dimension in the scan bound."""
    check_scan(rows_total, columns, columns, limit, name)


def credit_groups(n_real: int, n_synthetic: int, max_query_rows: int) -> int:
    """Upper bound on the equal-credit groups the distance statistics resample."""
    queries = min(n_synthetic, max_query_rows)
    return 1 + min(n_real, math.isqrt(2 * CREDIT_GRID * queries) + 1)


def settings_bytes(config: Any, n_train: int, n_holdout: int, n_synthetic: int) -> int:
    """Memory the size-like settings allocate on top of the data: permutation and bootstrap
    replicates (distance statistics, membership bootstrap) and singling-out predicates.
    ``n_holdout`` is 0 without a holdout (the resampling checks need one)."""
    groups = credit_groups(n_train + n_holdout, n_synthetic, int(config.max_query_rows))
    total = 0
    if n_holdout:
        total += 16 * int(config.permutations) * groups  # hypergeometric draws (+ a temporary)
        total += 24 * int(config.bootstrap) * groups  # two Poisson tables (+ a temporary)
        evaluation = (min(n_train, MIA_MAX_TARGETS) + min(n_holdout, MIA_MAX_TARGETS)) // 2
        total += 24 * int(config.bootstrap) * evaluation  # Poisson weights, members + others
    total += 800 * int(config.singling_out_predicates)  # predicates, baselines, their keys
    return total


def duplicate_bytes(config: Any, multiplicity: Mapping[Table, float]) -> int:
    """Memory singling out needs to match predicates on duplicate-heavy tables.

    ``multiplicity`` maps a table ("train", "holdout", "synthetic") to the expected number of
    its rows identical to one of its rows drawn at random (1.0 without duplicates;
    ``rows`` when all rows are equal); see ``row_multiplicity``."""
    preds = int(config.singling_out_predicates)
    batch = min(SO_BATCH, 100 * preds)
    pairs = batch * multiplicity.get("synthetic", 1.0)
    pairs += 4 * preds * (multiplicity.get("train", 1.0) + multiplicity.get("holdout", 1.0))
    return int(PAIR_BYTES * pairs)


def row_multiplicity(frame: Any) -> float:
    """Expected number of rows equal to a row drawn at random: sum of m² / n over groups of m
    identical rows (1.0 when every row is distinct)."""
    import numpy as np
    import pandas as pd

    n = len(frame)
    if n == 0:
        return 1.0
    hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    _, counts = np.unique(hashes, return_counts=True)
    counts = counts.astype(np.float64)
    return float((counts * counts).sum() / n)


def check_scan(rows_total: int, columns: int, dims: int, limit: int | None,
               name: str, extra: int = 0, why: str = "", fix: str = "") -> None:
    """Fail after encoding when the scan's bound, plus ``extra`` bytes charged for settings
    and duplicates (``why`` says what they are, ``fix`` what to do about them), exceeds the
    limit."""
    if limit is None:
        return
    need = peak_bound(rows_total, columns, dims, limit) + int(extra)
    if need > limit:
        detail = f", including {why}," if why else ""
        raise ResourceError(
            f"{name}: scanning {rows_total:,} rows × {columns} columns{detail} needs about "
            f"{human(need)}, more than max_memory {human(limit)} — "
            f"{fix + ', ' if fix else ''}raise max_memory, or scan a uniform sample of the "
            "rows", source=name, key="max_memory")


def check_scan_data(config: Any, frames: Mapping[Table, Any], names: Mapping[Table, str],
                    columns: int, dims: int, limit: int,
                    compared: list[str] | None = None) -> None:
    """The scan's bound under ``max_memory``: the data, the size-like settings, and the
    matching cost of duplicate rows (singling out), counted over the ``compared`` columns
    (those the attacks use: identifiers and ignored columns do not make rows distinct)."""
    rows = {r: len(f) for r, f in frames.items()}
    multiplicity = {r: row_multiplicity(f if compared is None else f[compared])
                    for r, f in frames.items()}
    settings = settings_bytes(config, rows["train"], rows.get("holdout", 0), rows["synthetic"])
    dups = duplicate_bytes(config, multiplicity)
    worst = max(multiplicity, key=lambda r: multiplicity[r])
    why, fixes = [], []
    if settings > limit // 4:
        why.append(f"{human(settings)} for permutations={config.permutations}, "
                   f"bootstrap={config.bootstrap}, "
                   f"singling_out_predicates={config.singling_out_predicates}")
        fixes.append("lower those settings")
    if dups > limit // 4:
        why.append(f"{human(dups)} for singling out, as each row of {names[worst]} has about "
                   f"{multiplicity[worst]:,.0f} identical rows")
        fixes.append("drop duplicate rows")
    name = names[worst] if dups > settings else names.get("train", "train")
    check_scan(sum(rows.values()), columns, dims, limit, name, settings + dups,
               "; ".join(why), " or ".join(fixes))
