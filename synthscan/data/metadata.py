"""Column roles from an SDV metadata JSON file, read directly (the sdv package is not needed).

Supports SDV's single-table format (``columns`` at the top level) and the multi-table format
(``tables``; the table is chosen by name, or must be the only one). ``sdtype: id``, the
``primary_key`` and PII sdtypes (email, name, address, ... — any sdtype outside the statistical
ones, unless marked ``pii: false``) become identifiers.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import ConfigError

_STATISTICAL = {
    "numerical": "numeric",
    "categorical": "categorical",
    "boolean": "boolean",
    "datetime": "datetime",
}


def read_sdv_metadata(path: str | Path, table: str | None = None) -> dict[str, str]:
    """Return column -> role from an SDV metadata JSON file."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: no such metadata file — check the --metadata path")
    try:
        data = json.loads(p.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{p.name}: not UTF-8 text — re-save it as UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{p.name}: not valid JSON (line {exc.lineno}) — fix the syntax") \
            from None
    if not isinstance(data, dict):
        raise ConfigError(f"{p.name}: not SDV metadata (expected a JSON object)")
    if "tables" in data:
        tables = data["tables"]
        if not isinstance(tables, dict) or not tables:
            raise ConfigError(f"{p.name}: 'tables' must be a non-empty object")
        if table is None:
            if len(tables) != 1:
                raise ConfigError(
                    f"{p.name}: describes {len(tables)} tables — name the one to use "
                    f"(one of {', '.join(sorted(tables))})"
                )
            table = next(iter(tables))
        if table not in tables:
            raise ConfigError(f"{p.name}: no table {table!r} in the metadata")
        data = tables[table]
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise ConfigError(f"{p.name}: no 'columns' object — is this an SDV metadata file?")
    roles: dict[str, str] = {}
    for name, spec in columns.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("sdtype"), str):
            raise ConfigError(f"{p.name}: column {name!r} has no 'sdtype' — fix the metadata")
        sdtype = spec["sdtype"]
        if sdtype == "id":
            roles[name] = "identifier"
        elif sdtype in _STATISTICAL:
            roles[name] = _STATISTICAL[sdtype]
        elif spec.get("pii", True) is False:
            roles[name] = "categorical"
        else:
            roles[name] = "identifier"
    pk = data.get("primary_key")
    keys = pk if isinstance(pk, list) else [pk] if isinstance(pk, str) else []
    for k in keys:
        if k in roles:
            roles[k] = "identifier"
    return roles
