"""The secret canary manifest: which fictitious records were planted, their values, and which
of them went into the training file handed to the vendor.

Written by ``synthscan canary plant``, read by ``synthscan scan --canaries``. It must be kept
from the vendor: whoever knows which canaries were included can defeat the audit. It holds no
value of any real record (canaries are drawn from the columns' domains, see ``plant``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import OutputError, UsageError

FORMAT = "synthscan-canary-manifest"
VERSION = 1
SECRET = ("SECRET: keep this file from the vendor. It says which planted records were handed "
          "over; anyone who knows that can defeat the audit.")


@dataclass(frozen=True)
class Canary:
    """One planted record: its values as text (column -> cell), whether it was included in the
    training file handed over, and its 0-based data row there (None when left out)."""

    id: int
    values: Mapping[str, str]
    included: bool
    row: int | None = None


@dataclass(frozen=True)
class CanaryManifest:
    """The canaries of one planting and how they were made."""

    seed: int
    inclusion_probability: float
    canaries: tuple[Canary, ...]
    columns: Mapping[str, str]  # column -> role used to draw its values
    source: Mapping[str, Any] = field(default_factory=dict)  # the original training file
    handed_over: Mapping[str, Any] = field(default_factory=dict)  # the file with canaries
    method: str = ""
    created: str = ""
    synthscan: str = ""
    name: str = "canary manifest"  # the file's name, for messages

    @property
    def included(self) -> list[Canary]:
        return [c for c in self.canaries if c.included]

    @property
    def excluded(self) -> list[Canary]:
        return [c for c in self.canaries if not c.included]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT, "version": VERSION, "secret": SECRET, "created": self.created,
            "synthscan": self.synthscan, "seed": self.seed,
            "inclusion_probability": self.inclusion_probability,
            "source": dict(self.source), "handed_over": dict(self.handed_over),
            "method": self.method, "columns": dict(self.columns),
            "canaries": [{"id": c.id, "included": c.included, "row": c.row,
                          "values": dict(c.values)} for c in self.canaries],
        }

    def save(self, path: Path) -> Path:
        """Write the manifest (readable by its owner only where the system allows)."""
        import os

        try:
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n",
                           encoding="utf-8")
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write the canary manifest "
                              f"({exc.strerror or type(exc).__name__}) — choose another --out "
                              "directory", source=str(path)) from None
        return path


def _bad(name: str, what: str) -> UsageError:
    return UsageError(f"{name}: {what} — pass the canary-manifest.json written by "
                      "'synthscan canary plant'", source=name, key="canaries")


def _canary(item: Any, columns: Mapping[str, str], name: str) -> Canary:
    if not isinstance(item, Mapping):
        raise _bad(name, "a canary entry is not a table")
    values, included, row = item.get("values"), item.get("included"), item.get("row")
    if not isinstance(values, Mapping) or not all(isinstance(v, str) for v in values.values()):
        raise _bad(name, f"canary {item.get('id')!r} has no text values")
    missing = [c for c in columns if c not in values]
    if missing:
        raise _bad(name, f"canary {item.get('id')!r} has no value for column {missing[0]!r}")
    if not isinstance(included, bool) or not (row is None or
                                              (isinstance(row, int) and row >= 0)):
        raise _bad(name, f"canary {item.get('id')!r} has no inclusion bit or a bad row")
    cid = item.get("id")
    if not isinstance(cid, int):
        raise _bad(name, "a canary has no integer id")
    return Canary(cid, {str(k): v for k, v in values.items()}, included, row)


def read_manifest(path: str | Path) -> CanaryManifest:
    """A canary manifest from its file; every problem is a ``UsageError`` naming the file."""
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"{p}: no such canary manifest — check the path", source=p.name,
                         key="canaries")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise _bad(p.name, "not a JSON file") from None
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise _bad(p.name, "not a canary manifest (no 'format' of "
                           f"{FORMAT!r})")
    if data.get("version") != VERSION:
        raise _bad(p.name, f"manifest version {data.get('version')!r} is not supported "
                           f"(this synthscan reads version {VERSION})")
    columns, items = data.get("columns"), data.get("canaries")
    q = data.get("inclusion_probability")
    if not isinstance(columns, Mapping) or not columns:
        raise _bad(p.name, "no 'columns' table")
    if not isinstance(items, list) or not items:
        raise _bad(p.name, "no canaries listed")
    if not isinstance(q, (int, float)) or isinstance(q, bool) or not 0 < q < 1 \
            or not math.isfinite(q):
        raise _bad(p.name, "'inclusion_probability' must be a number between 0 and 1")
    canaries = tuple(_canary(item, columns, p.name) for item in items)
    if len({c.id for c in canaries}) != len(canaries):
        raise _bad(p.name, "two canaries share an id")
    seed = data.get("seed")
    return CanaryManifest(
        seed=seed if isinstance(seed, int) else 0, inclusion_probability=float(q),
        canaries=canaries, columns={str(k): str(v) for k, v in columns.items()},
        source=dict(data.get("source") or {}), handed_over=dict(data.get("handed_over") or {}),
        method=str(data.get("method", "")), created=str(data.get("created", "")),
        synthscan=str(data.get("synthscan", "")), name=p.name)
