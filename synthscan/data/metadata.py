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
    """Return column -> role from an SDV metadata JSON file.

    ``table`` picks a table of a multi-table file; without it the file must describe one table.
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: no such metadata file — check the --metadata path")
    try:
        data = json.loads(p.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"{p.name}: not UTF-8 text — re-save it as UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{p.name}: not valid JSON (line {exc.lineno}, column {exc.colno}) — "
                          "fix the syntax") from None
    except OSError as exc:
        raise ConfigError(f"{p.name}: cannot be read ({exc.strerror or type(exc).__name__}) — "
                          "check the file's permissions") from None
    except RecursionError:
        raise ConfigError(f"{p.name}: nested too deeply to be SDV metadata — pass the "
                          "metadata.json that SDV wrote") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{p.name}: not SDV metadata (expected a JSON object) — pass the "
                          "metadata.json that SDV wrote")
    if "tables" in data:
        tables = data["tables"]
        if not isinstance(tables, dict) or not tables:
            raise ConfigError(f"{p.name}: 'tables' must be a non-empty object — pass the "
                              "metadata.json that SDV wrote")
        if table is None:
            if len(tables) != 1:
                raise ConfigError(
                    f"{p.name}: describes {len(tables)} tables "
                    f"({', '.join(sorted(map(str, tables)))}) — pass a metadata file with only "
                    "the scanned table (e.g. SDV's metadata.get_table_metadata(name))"
                )
            table = next(iter(tables))
        if table not in tables:
            raise ConfigError(f"{p.name}: no table {table!r} in the metadata — use one of "
                              f"{', '.join(sorted(map(str, tables)))}")
        data = tables[table]
        if not isinstance(data, dict):
            raise ConfigError(f"{p.name}: table {table!r} is not an object — fix the metadata")
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
    # keys identify a record whatever their sdtype
    for key in ("primary_key", "alternate_keys", "sequence_key"):
        value = data.get(key)
        names = value if isinstance(value, list) else [value] if value is not None else []
        for k in names:
            for col in k if isinstance(k, list) else [k]:  # composite keys are lists
                if isinstance(col, str) and col in roles:
                    roles[col] = "identifier"
    return roles
