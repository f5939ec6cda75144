"""The split manifest: a record of which rows ``synthscan split`` put on each side, that a
later scan can verify its train and holdout files against.

Each row is hashed on a canonical encoding of its cells, so that a round trip through CSV (a
re-save by pandas or a spreadsheet: ``23`` read back as ``23.0``, ``1.50`` as ``1.5``, column
order changed) still verifies: missing cells and the default missing tokens are one value,
numbers are compared as numbers, ``true``/``False`` as booleans, other text verbatim. The hash
is SHA-256 of a random per-split salt and the row's encoding, truncated to 96 bits; the salt is
stored in the manifest. Anyone holding the manifest can therefore test whether a record they
already know was put in train or holdout: keep it with the holdout, never with the generator.

The manifest also stores each output's SHA-256 (a byte-identical file verifies without
re-reading it), the row counts, the column names, seed, method and holdout fraction, the time
of the split and the synthscan version. No cell value is stored.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import OutputError, UsageError
from ..model import SplitVerification
from ..types import Table
from .io import DEFAULT_MISSING_TOKENS, TableSource, load_table

FORMAT = "synthscan-split-manifest"
VERSION = 1
#: the row encoding the hashes are taken of (see the module docstring)
ENCODING = "canonical-cells-v1"
DIGEST_HEX = 24  # 96 bits: no collision among a billion rows in practice
SIDES: tuple[Table, Table] = ("train", "holdout")
_MISSING = "m"  # every other cell starts with a kind and a colon
_MAX_NUMBER_DIGITS = 15  # longer digit strings (ids) stay text: a float would merge them
_TOKENS = frozenset(DEFAULT_MISSING_TOKENS)


def _numbers(v: np.ndarray) -> np.ndarray:
    """Numbers in one text form: integral values as integers, others by ``repr``."""
    out = np.full(len(v), _MISSING, dtype=object)
    ok = ~np.isnan(v)
    integral = ok & np.isfinite(v) & (np.abs(v) < 2.0**53)
    integral[integral] = np.floor(v[integral]) == v[integral]
    out[integral] = ["n:" + s for s in v[integral].astype(np.int64).astype(str)]
    rest = ok & ~integral
    out[rest] = ["n:" + repr(float(x)) for x in v[rest]]
    return out


def _text_cells(values: np.ndarray) -> np.ndarray:
    """Text cells (any objects): booleans and numbers written as text become those."""
    out = np.full(len(values), _MISSING, dtype=object)
    text = pd.Series([str(v) for v in values], dtype=object)
    low = text.str.strip().str.casefold()
    is_bool = low.isin(("true", "false")).to_numpy()
    out[is_bool] = np.where(low[is_bool] == "true", "b:1", "b:0")
    digits = text.str.count(r"\d").to_numpy()
    num = pd.to_numeric(text.where(~is_bool & (digits <= _MAX_NUMBER_DIGITS)),
                        errors="coerce").to_numpy(dtype=np.float64)
    is_num = ~np.isnan(num)
    out[is_num] = _numbers(num[is_num])
    rest = ~is_bool & ~is_num
    out[rest] = ["s:" + t for t in text[rest]]
    return out


def canonical_cells(s: pd.Series) -> np.ndarray:
    """One column's cells in the canonical encoding (see the module docstring)."""
    if pd.api.types.is_bool_dtype(s) and not s.isna().any():
        return np.where(s.to_numpy(dtype=bool), "b:1", "b:0").astype(object)
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return _numbers(s.to_numpy(dtype=np.float64, na_value=np.nan))
    if pd.api.types.is_datetime64_any_dtype(s):
        out = np.full(len(s), _MISSING, dtype=object)
        ok = s.notna().to_numpy()
        out[ok] = ["t:" + t.isoformat() for t in s[ok]]
        return out
    obj = s.astype(object).to_numpy()
    missing = np.asarray(pd.isna(obj), dtype=bool)
    missing |= np.array([isinstance(v, str) and v in _TOKENS for v in obj], dtype=bool)
    out = np.full(len(obj), _MISSING, dtype=object)
    out[~missing] = _text_cells(obj[~missing])
    return out


def row_hashes(df: pd.DataFrame, salt: bytes) -> list[str]:
    """Salted hashes of every row's canonical encoding, columns in name order."""
    cols = [canonical_cells(df[c]) for c in sorted(df.columns)]
    return [hashlib.sha256(salt + "\x1f".join(cells).encode("utf-8", "surrogatepass"))
            .hexdigest()[:DIGEST_HEX] for cells in zip(*cols, strict=True)]


@dataclass
class Side:
    """One output of the split: its file, fingerprint, rows and sorted row hashes."""

    file: str
    sha256: str | None
    rows: int
    row_hashes: list[str] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "rows": self.rows,
                "row_hashes": self.row_hashes}


@dataclass
class SplitManifest:
    """Everything needed to verify a split later, and nothing from a record."""

    method: str
    seed: int
    holdout_fraction: float
    source: dict[str, Any]
    columns: list[str]
    salt: str
    sides: dict[Table, Side]
    created: str = ""
    synthscan: str = ""

    @classmethod
    def build(cls, train: pd.DataFrame, holdout: pd.DataFrame, *, method: str, seed: int,
              holdout_fraction: float, source: dict[str, Any], files: list[str]) -> SplitManifest:
        """A manifest of the two parts (hashes now; file digests are filled in once
        written)."""
        from .._version import __version__

        salt = secrets.token_bytes(16)
        sides = {name: Side(f, None, len(part), sorted(row_hashes(part, salt)))
                 for name, part, f in zip(SIDES, (train, holdout), files, strict=True)}
        return cls(method, seed, holdout_fraction, source, sorted(map(str, train.columns)),
                   salt.hex(), sides,
                   datetime.now(timezone.utc).isoformat(timespec="seconds"), __version__)

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": VERSION, "created": self.created,
                "synthscan": self.synthscan, "method": self.method, "seed": self.seed,
                "holdout_fraction": self.holdout_fraction,
                "training_inclusion_probability": (round(1 - self.holdout_fraction, 12)
                                                   if self.method == "bernoulli" else None),
                "source": self.source, "columns": self.columns,
                "hash": {"algorithm": "sha256", "salt": self.salt, "hex_digits": DIGEST_HEX,
                         "row_encoding": ENCODING},
                **{name: side.to_dict() for name, side in self.sides.items()}}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SplitManifest:
        """``ValueError``/``KeyError``/``TypeError`` when malformed."""
        if d.get("format") != FORMAT or d.get("version") != VERSION:
            raise ValueError("not a split manifest of this version")
        h = d["hash"]
        if h.get("row_encoding") != ENCODING or h.get("hex_digits") != DIGEST_HEX:
            raise ValueError("unknown row encoding")
        sides = {}
        for name in SIDES:
            s = d[name]
            hashes = s["row_hashes"]
            if not isinstance(hashes, list) or not all(isinstance(x, str) for x in hashes):
                raise TypeError("row_hashes must be a list of text")
            sides[name] = Side(str(s["file"]), s.get("sha256"), int(s["rows"]), hashes)
        bytes.fromhex(h["salt"])
        return cls(str(d["method"]), int(d["seed"]), float(d["holdout_fraction"]),
                   dict(d.get("source") or {}), [str(c) for c in d["columns"]], h["salt"],
                   sides, str(d.get("created", "")), str(d.get("synthscan", "")))


def write_manifest(manifest: SplitManifest, path: Path) -> None:
    """Write the manifest as JSON (atomically: a temporary file, then a rename)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(manifest.to_dict(), indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"{path.parent}: cannot write the split manifest there "
                          f"({exc.strerror or type(exc).__name__}) — choose another directory",
                          source=str(path.parent)) from None


def read_manifest(path: str | Path) -> SplitManifest:
    """A manifest written by ``synthscan split``; every problem is a one-line ``UsageError``
    naming the file."""
    p = Path(path)
    fix = "pass the _split.json that 'synthscan split' wrote beside the train and holdout files"
    if not p.is_file():
        raise UsageError(f"{p}: no such split manifest — {fix}", source=p.name,
                         key="split_manifest", hint=fix)
    try:
        return SplitManifest.from_dict(json.loads(p.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError, KeyError, TypeError,
            AttributeError):
        raise UsageError(f"{p.name}: not a split manifest synthscan can read — {fix}",
                         source=p.name, key="split_manifest", hint=fix) from None


def _difference(got: list[str], expected: list[str]) -> tuple[int, int]:
    """(rows of the file not in ``expected``, rows of ``expected`` not in the file), as
    multisets."""
    a, b = Counter(got), Counter(expected)
    return sum((a - b).values()), sum((b - a).values())


def _mismatch(name: str, side: str, manifest: str, what: str) -> UsageError:
    fix = (f"pass the {side} file that 'synthscan split' wrote with {manifest}, or the manifest "
           "written with these files")
    return UsageError(f"{name}: does not match the {side} side of split manifest {manifest} "
                      f"({what}) — {fix}", source=name, key="split_manifest", hint=fix)


def _check_side(m: SplitManifest, side: Table, frame: pd.DataFrame, name: str,
                manifest: str) -> None:
    """Raise a one-line ``UsageError`` unless ``frame`` holds exactly the rows of ``side``."""
    cols = sorted(map(str, frame.columns))
    if cols != m.columns:
        gone = [c for c in m.columns if c not in cols]
        new = [c for c in cols if c not in m.columns]
        what = "; ".join(p for p in (gone and f"{len(gone)} column(s) of the split missing, "
                                     f"e.g. {gone[0]!r}", new and f"{len(new)} column(s) "
                                     f"not in the split, e.g. {new[0]!r}") if p)
        raise _mismatch(name, side, manifest, what)
    got = row_hashes(frame, bytes.fromhex(m.salt))
    extra, lost = _difference(got, m.sides[side].row_hashes)
    if not extra and not lost:
        return
    other = next(s for s in SIDES if s != side)
    if _difference(got, m.sides[other].row_hashes) == (0, 0):
        raise _mismatch(name, side, manifest, f"it holds the rows of the {other} side: were "
                        "train and holdout swapped?")
    raise _mismatch(name, side, manifest,
                    f"{extra} of its {len(got)} rows are not among the split's {side} rows, "
                    f"and {lost} of the {m.sides[side].rows} rows the split put there are "
                    "not in it")


def verify_split(path: str | Path, tables: Mapping[str, tuple[str | Path | pd.DataFrame,
                                                               TableSource]],
                 encoding: str = "utf-8") -> SplitVerification:
    """Verify train and holdout against the manifest at ``path``.

    ``tables`` maps "train" and "holdout" to (the input as given — a path or a DataFrame —,
    its ``TableSource``). A file whose SHA-256 equals the manifest's is verified by that;
    otherwise it is read again as the split read its source (no missing tokens, no type
    conversion) and its rows' salted hashes must equal the manifest's as a multiset. Returns
    the ``SplitVerification`` a result records; a mismatch raises a one-line ``UsageError``
    naming the file, which side fails and how many rows differ (never a value).
    """
    m = read_manifest(path)
    mname = Path(path).name
    how: dict[str, str] = {}
    for side in SIDES:
        src, ts = tables[side]
        if ts.sha256 is not None and ts.sha256 == m.sides[side].sha256:
            how[side] = "file digest"
            continue
        frame, _ = load_table(src, side, (), encoding)
        _check_side(m, side, frame, ts.name, mname)
        how[side] = "row hashes"
    n_t, n_h = m.sides["train"].rows, m.sides["holdout"].rows
    when = m.created or "at an unrecorded time"
    summary = (f"Train and holdout verified against split manifest {mname}: a {m.method} "
               f"split (holdout fraction {m.holdout_fraction:g}, seed {m.seed}) made {when}; "
               f"train ({n_t:,} rows) by its {how['train']}, holdout ({n_h:,} rows) by its "
               f"{how['holdout']}.")
    return SplitVerification(manifest=mname, method=m.method, seed=m.seed,
                             holdout_fraction=m.holdout_fraction, split_at=m.created,
                             train_rows=n_t, holdout_rows=n_h, train_matched_by=how["train"],
                             holdout_matched_by=how["holdout"], summary=summary)
