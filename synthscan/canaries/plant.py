"""Planting canaries: fictitious, clearly synthetic outlier records, each put into the training
file handed to the vendor with probability ½, recorded in a secret manifest.

A canary is never derived from a real record. Its values are drawn from each column's domain
only, column by column and independently:

* numeric and datetime columns: with probability ½ (and in at least one such column of every
  canary) a value *beyond* the observed maximum, ``max + U(0.5, 1.5) x (max - min)``, else a
  value drawn uniformly between the observed minimum and maximum; rounded to the column's
  decimals (integers stay integers, dates stay dates);
* categorical and boolean columns: a level drawn uniformly from the levels that at least
  ``MIN_LEVEL_ROWS`` training rows share (a level only a few people have is never copied), so
  the combination is a rare one;
* identifier columns: a fresh random token (an integer above the column's maximum for integer
  ids).

So each canary is a type-valid row that no real person matches (checked: a canary equal to a
training record on the compared columns is drawn again) and that stands out as an outlier —
the records a generator memorises first. The domain (minimum, maximum, level list) is read
from the private data, as a DP generator that reads it would; the canaries themselves reveal
no record.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..data.schema import Schema
from ..errors import OutputError, UsageError
from .manifest import Canary, CanaryManifest

#: a level enters canaries only when at least this many training rows have it
MIN_LEVEL_ROWS = 10
#: the probability with which each canary is handed over
INCLUSION = 0.5
#: attempts at drawing a canary unlike every training record before giving up
ATTEMPTS = 100
MANIFEST_NAME = "canary-manifest.json"
METHOD = ("Fictitious records drawn from the columns' domains, never from a record: numeric "
          "and datetime columns beyond the observed maximum (max + U(0.5, 1.5) x range) with "
          "probability 1/2 and in at least one column, else uniform within the observed range; "
          f"categorical levels uniform among those at least {MIN_LEVEL_ROWS} training rows "
          "share; fresh random identifiers. Each canary handed over with probability 1/2.")


@dataclass(frozen=True)
class _Domain:
    """What a column's canary values are drawn from."""

    role: str
    lo: float = 0.0
    hi: float = 0.0
    decimals: int = 0
    date_only: bool = False
    levels: tuple[Any, ...] = ()
    int_ids: bool = False
    id_length: int = 12


def _decimals(vals: np.ndarray) -> int:
    """The fewest decimals that write every value exactly (at most 6)."""
    for d in range(7):
        scaled = vals * 10 ** d
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6 * np.maximum(1, np.abs(scaled))):
            return d
    return 6


def _domain(role: str, raw: pd.Series, converted: pd.Series) -> _Domain:
    if role in ("numeric", "datetime"):
        vals = converted.to_numpy(dtype="float64")
        vals = vals[np.isfinite(vals)]
        if not len(vals):
            return _Domain(role, 0.0, 1.0)
        if role == "datetime":
            return _Domain(role, float(vals.min()), float(vals.max()),
                           date_only=bool(np.all(vals % 86400 == 0)))
        return _Domain(role, float(vals.min()), float(vals.max()), _decimals(vals))
    if role == "identifier":
        present = raw.dropna()
        ints = pd.api.types.is_integer_dtype(raw)
        hi = float(present.max()) if ints and len(present) else 0.0
        length = int(present.astype(str).str.len().median()) if len(present) else 12
        return _Domain(role, hi=hi, int_ids=ints, id_length=max(8, length))
    counts = raw.dropna().value_counts()
    return _Domain(role, levels=tuple(counts.index[counts >= MIN_LEVEL_ROWS]))


def _number(d: _Domain, out: bool, rng: np.random.Generator) -> str:
    span = d.hi - d.lo if d.hi > d.lo else max(abs(d.hi), 1.0)
    v = d.hi + rng.uniform(0.5, 1.5) * span if out else rng.uniform(d.lo, d.hi)
    if d.role == "datetime":
        step = 86400 if d.date_only else 1
        stamp = datetime.fromtimestamp(math.floor(v / step) * step, tz=timezone.utc)
        return stamp.strftime("%Y-%m-%d" if d.date_only else "%Y-%m-%d %H:%M:%S")
    return str(int(round(v))) if d.decimals == 0 else f"{v:.{d.decimals}f}"


def _cell(d: _Domain, out: bool, rng: np.random.Generator) -> str:
    if d.role in ("numeric", "datetime"):
        return _number(d, out, rng)
    if d.role == "identifier":
        if d.int_ids:
            return str(int(d.hi) + int(rng.integers(1, 1_000_000)))
        return "".join(rng.choice(list("0123456789ABCDEF"), d.id_length))
    if not d.levels:
        return f"canary-{int(rng.integers(16 ** 6)):06x}"
    value = d.levels[int(rng.integers(len(d.levels)))]
    return str(value)


def draw(domains: dict[str, _Domain], rng: np.random.Generator) -> dict[str, str]:
    """One canary's cells (text), column by column."""
    ranged = [c for c, d in domains.items() if d.role in ("numeric", "datetime")]
    out = {c: bool(rng.random() < 0.5) for c in ranged}
    if ranged and not any(out.values()):
        out[ranged[int(rng.integers(len(ranged)))]] = True
    return {c: _cell(d, out.get(c, False), rng) for c, d in domains.items()}


def _key(cells: dict[str, str], schema: Schema) -> tuple[str, ...]:
    return tuple(cells[c.name] for c in schema.distance_columns)


def draw_canaries(schema: Schema, raw: pd.DataFrame, converted: pd.DataFrame, n: int,
                  rng: np.random.Generator) -> list[dict[str, str]]:
    """``n`` distinct canaries, none equal to a training record on the compared columns."""
    from .check import canary_frame

    domains = {c.name: _domain(c.role, raw[c.name], converted[c.name]) for c in schema.columns}
    names = [c.name for c in schema.distance_columns]
    real = set(map(tuple, converted[names].astype(object).where(converted[names].notna())
                   .itertuples(index=False, name=None)))
    out: list[dict[str, str]] = []
    seen: set[tuple[str, ...]] = set()
    for _ in range(n):
        for _attempt in range(ATTEMPTS):
            cells = draw(domains, rng)
            values = canary_frame([cells], schema, "canaries")[names]
            if _key(cells, schema) not in seen and \
                    next(values.itertuples(index=False, name=None)) not in real:
                break
        else:
            raise UsageError("cannot draw a canary unlike every training record: the columns' "
                             "domains are too small — plant fewer canaries (--n)", key="n")
        seen.add(_key(cells, schema))
        out.append(cells)
    return out


@dataclass(frozen=True)
class Planted:
    """What ``plant`` wrote."""

    handed_over: Path
    manifest: Path
    n: int
    included: int
    rows: int


def _text_table(path: Path, encoding: str) -> tuple[pd.DataFrame, str]:
    """A delimited file's cells exactly as written (text), and its delimiter."""
    from ..data.delimited import _sniff_delimiter
    from ..data.text import text_encoding

    enc = text_encoding(path, encoding)
    sep = _sniff_delimiter(path, enc)
    return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding=enc), sep


def _typed(cells: list[dict[str, str]], like: pd.DataFrame) -> pd.DataFrame:
    """Canary cells in the dtypes of a typed (Parquet) table."""
    frame = pd.DataFrame(cells, columns=list(like.columns))
    for col, dtype in like.dtypes.items():
        s = frame[col]
        if pd.api.types.is_bool_dtype(dtype):
            frame[col] = s.str.lower().isin(("true", "1", "yes"))
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            frame[col] = pd.to_datetime(s).astype(dtype)
        elif pd.api.types.is_numeric_dtype(dtype):
            frame[col] = pd.to_numeric(s).astype(dtype)
    return frame


def _with_canaries(table: pd.DataFrame, rows: pd.DataFrame, positions: np.ndarray
                   ) -> pd.DataFrame:
    """``table`` with ``rows`` placed at ``positions`` of the result (sorted)."""
    total = len(table) + len(rows)
    is_canary = np.zeros(total, dtype=bool)
    is_canary[positions] = True
    order = np.empty(total, dtype=np.int64)
    order[~is_canary] = np.arange(len(table))
    order[is_canary] = len(table) + np.arange(len(rows))
    return pd.concat([table, rows], ignore_index=True).iloc[order].reset_index(drop=True)


def _write(frame: pd.DataFrame, path: Path, parquet: bool, sep: str) -> None:
    import os

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp{''.join(path.suffixes)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if parquet:
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False, sep=sep)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        reason = exc.strerror or type(exc).__name__
        raise OutputError(f"{path.parent}: cannot write there ({reason}) — choose another "
                          "--out directory, or free space there",
                          source=str(path.parent)) from None


def plant(train: Path, n: int, out: Path, *, seed: int | None = None,
          metadata: Path | None = None, encoding: str = "utf-8") -> Planted:
    """Write ``out/<train's name>`` (the training file with the included canaries at random
    rows) and ``out/canary-manifest.json`` (the secret). ``seed`` None draws a fresh one."""
    from ..data.files import PARQUET_SUFFIXES
    from ..data.io import file_sha256, load_table
    from ..data.metadata import read_sdv_metadata
    from ..data.schema import build_schema

    seed = secrets.randbits(32) if seed is None else seed
    rng = np.random.default_rng(seed)
    raw, source = load_table(train, "train", encoding=encoding)
    declared = ({c: (r, "metadata") for c, r in read_sdv_metadata(metadata).items()}
                if metadata is not None else {})
    schema, frames = build_schema({"train": raw}, {"train": source.name}, declared)
    cells = draw_canaries(schema, raw, frames["train"], n, rng)
    included = rng.random(n) < INCLUSION
    n_in = int(included.sum())
    positions = np.sort(rng.choice(len(raw) + n_in, n_in, replace=False))
    slots = rng.permutation(positions)  # which included canary lands on which row
    parquet = train.name.lower().endswith(PARQUET_SUFFIXES)
    inc_cells = [cells[i] for i in np.flatnonzero(included)]
    by_row = dict(zip(slots.tolist(), range(n_in), strict=True))
    ordered = [inc_cells[by_row[p]] for p in positions.tolist()]
    if parquet:
        table, sep = raw, ","
        rows = _typed([{**o, **{c: "" for c in table.columns if c not in o}} for o in ordered],
                      table)
    else:
        table, sep = _text_table(train, encoding)
        rows = pd.DataFrame([{c: o.get(c, "") for c in table.columns} for o in ordered],
                            columns=table.columns, dtype=object)
    handed = out / train.name
    _write(_with_canaries(table, rows, positions), handed, parquet, sep)
    row_of = {i: int(p) for i, p in zip(np.flatnonzero(included).tolist(), slots.tolist(),
                                        strict=True)}
    manifest = CanaryManifest(
        seed=seed, inclusion_probability=INCLUSION,
        canaries=tuple(Canary(i + 1, cells[i], bool(included[i]), row_of.get(i))
                       for i in range(n)),
        columns={c.name: c.role for c in schema.columns},
        source={"name": source.name, "sha256": source.sha256, "rows": source.n_rows},
        handed_over={"name": handed.name, "sha256": file_sha256(handed),
                      "rows": len(raw) + n_in},
        method=METHOD, created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        synthscan=__version__)
    path = manifest.save(out / MANIFEST_NAME)
    return Planted(handed, path, n, n_in, len(raw) + n_in)
