"""Column roles from an SDV metadata JSON file, read directly (the sdv package is not needed).

Supports SDV's single-table format (``columns`` at the top level) and the multi-table format
(``tables``; the table is chosen by name, or must be the only one). ``sdtype: id``, the
``primary_key`` and PII sdtypes (email, name, address, ... — any sdtype outside the statistical
ones, unless marked ``pii: false``) become identifiers. Errors carry ``key="metadata"``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .problems import problem

_STATISTICAL = {
    "numerical": "numeric",
    "categorical": "categorical",
    "boolean": "boolean",
    "datetime": "datetime",
}
_SDV_FILE = "pass the metadata.json that SDV wrote"


def _error(where: str, what: str, hint: str, column: str | None = None) -> ConfigError:
    """A metadata problem: the fix is always in the metadata file."""
    return problem(ConfigError, where, what, hint, column=column, key="metadata")


def _read_json(p: Path) -> object:
    """The file's JSON value (a byte-order mark is allowed)."""
    if not p.is_file():
        raise _error(str(p), "no such metadata file", "check the metadata path")
    try:
        return json.loads(p.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _error(p.name, "not UTF-8 text", "re-save it as UTF-8") from None
    except json.JSONDecodeError as exc:
        raise _error(p.name, f"not valid JSON (line {exc.lineno}, column {exc.colno})",
                     "fix the syntax") from None
    except OSError as exc:
        raise _error(p.name, f"cannot be read ({exc.strerror or type(exc).__name__})",
                     "check the file's permissions") from None
    except RecursionError:
        raise _error(p.name, "nested too deeply to be SDV metadata", _SDV_FILE) from None


def _pick_table(data: dict[str, Any], table: str | None, where: str) -> dict[str, Any]:
    """The description of one table of a multi-table file (``table``, or the only one)."""
    tables = data["tables"]
    if not isinstance(tables, dict) or not tables:
        raise _error(where, "'tables' must be a non-empty object", _SDV_FILE)
    known = ", ".join(sorted(map(str, tables)))
    if table is None:
        if len(tables) != 1:
            raise _error(where, f"describes {len(tables)} tables ({known})",
                         "pass a metadata file with only the scanned table (e.g. SDV's "
                         "metadata.get_table_metadata(name))")
        table = next(iter(tables))
    if table not in tables:
        raise _error(where, f"no table {table!r} in the metadata", f"use one of {known}")
    chosen = tables[table]
    if not isinstance(chosen, dict):
        raise _error(where, f"table {table!r} is not an object", "fix the metadata")
    return chosen


def _role(sdtype: str, spec: dict[str, Any]) -> str:
    """A column's role from its sdtype: statistical sdtypes keep their meaning, ids and PII
    (unless marked ``pii: false``) are identifiers."""
    if sdtype == "id":
        return "identifier"
    if sdtype in _STATISTICAL:
        return _STATISTICAL[sdtype]
    return "categorical" if spec.get("pii", True) is False else "identifier"


def _key_columns(data: dict[str, Any]) -> list[str]:
    """Columns named by the primary, alternate and sequence keys (composite keys included)."""
    out: list[str] = []
    for key in ("primary_key", "alternate_keys", "sequence_key"):
        value = data.get(key)
        names = value if isinstance(value, list) else [value] if value is not None else []
        for k in names:
            out.extend(c for c in (k if isinstance(k, list) else [k]) if isinstance(c, str))
    return out


def read_sdv_metadata(path: str | Path, table: str | None = None) -> dict[str, str]:
    """Return column -> role from an SDV metadata JSON file.

    ``table`` picks a table of a multi-table file (an SDV table name, not a scan's input);
    without it the file must describe one table.
    """
    p = Path(path)
    data = _read_json(p)
    if not isinstance(data, dict):
        raise _error(p.name, "not SDV metadata (expected a JSON object)", _SDV_FILE)
    if "tables" in data:
        data = _pick_table(data, table, p.name)
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise _error(p.name, "no 'columns' object", "is this an SDV metadata file?")
    roles: dict[str, str] = {}
    for name, spec in columns.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("sdtype"), str):
            raise _error(p.name, f"column {name!r} has no 'sdtype'", "fix the metadata",
                         column=str(name))
        roles[name] = _role(spec["sdtype"], spec)
    for col in _key_columns(data):  # keys identify a record whatever their sdtype
        if col in roles:
            roles[col] = "identifier"
    return roles
