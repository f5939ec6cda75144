"""Scan configuration: defaults, loading from TOML/YAML, and validation with clear errors.

A config file holds the same settings as the CLI options, e.g.::

    seed = 7
    missing_tokens = ["?"]
    metric = "l1"

    [columns]
    customer_id = "identifier"
    zip = "categorical"

Unknown keys are errors (a typo must not silently fall back to a default).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .data.schema import ROLES
from .errors import ConfigError

METRICS = ("l1", "l2")


@dataclass
class ScanConfig:
    """Everything that decides how a scan runs. Recorded in every result.

    Parameters
    ----------
    seed : drives every random choice; same inputs + seed give the same result.
    missing_tokens : cell values read as missing in addition to empty cells, NA, NaN, NULL, None.
    columns : role per column name (numeric, categorical, datetime, boolean, identifier, ignore);
        overrides inference and SDV metadata.
    metric : "l1" is the exact Gower-style distance; "l2" the faster Euclidean variant of the
        same encoding (approximate for numeric columns).
    threads : neighbour-search threads; None means all cores.
    encoding : text encoding of CSV inputs.
    max_query_rows : synthetic rows used as queries by distance statistics (a uniform sample when
        the release is larger; the real reference set is never subsampled).
    permutations : label permutations for the nearest-record share p-value.
    bootstrap : bootstrap replicates for intervals that need one.
    alpha : two-sided error rate of every interval (0.05 gives 95% intervals).
    """

    seed: int = 0
    missing_tokens: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    metric: str = "l1"
    threads: int | None = None
    encoding: str = "utf-8"
    max_query_rows: int = 50_000
    permutations: int = 1000
    bootstrap: int = 500
    alpha: float = 0.05

    def __post_init__(self) -> None:
        self.validate()

    def validate(self, where: str = "config") -> None:
        def bad(key: str, why: str) -> ConfigError:
            return ConfigError(f"{where}: {key!r} {why}")

        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise bad("seed", "must be a non-negative integer")
        if not isinstance(self.missing_tokens, (list, tuple)) or not all(
            isinstance(t, str) for t in self.missing_tokens
        ):
            raise bad("missing_tokens", "must be a list of strings, e.g. [\"?\"]")
        self.missing_tokens = list(self.missing_tokens)
        if not isinstance(self.columns, dict):
            raise bad("columns", "must be a table of column name = role")
        for col, role in self.columns.items():
            if role not in ROLES:
                raise bad(f"columns.{col}", f"has unknown role {role!r}; use one of "
                          f"{', '.join(ROLES)}")
        if self.metric not in METRICS:
            raise bad("metric", f"must be one of {', '.join(METRICS)}")
        if self.threads is not None and (
            not isinstance(self.threads, int) or isinstance(self.threads, bool) or self.threads < 1
        ):
            raise bad("threads", "must be a positive integer")
        for key, low in (("max_query_rows", 100), ("permutations", 99), ("bootstrap", 50)):
            v = getattr(self, key)
            if not isinstance(v, int) or isinstance(v, bool) or v < low:
                raise bad(key, f"must be an integer >= {low}")
        if not isinstance(self.alpha, (int, float)) or not 0 < self.alpha < 0.5:
            raise bad("alpha", "must be a number between 0 and 0.5")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> ScanConfig:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_mapping(cls, data: dict[str, Any], where: str = "config") -> ScanConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: must be a table of settings at the top level")
        for key in data:
            if key not in known:
                raise ConfigError(
                    f"{where}: unknown key {key!r} — known keys: {', '.join(sorted(known))}"
                )
        try:
            cfg = cls(**{k: v for k, v in data.items()})
        except ConfigError as exc:
            msg = str(exc)
            raise ConfigError(msg.replace("config:", f"{where}:", 1)) from None
        except TypeError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        return cfg

    @classmethod
    def from_file(cls, path: str | Path) -> ScanConfig:
        return cls.from_mapping(read_config_file(path), where=Path(path).name)


def read_config_file(path: str | Path) -> dict[str, Any]:
    """Parse a TOML or YAML file into a dict (safe loaders only; nothing is executed)."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: no such config file — check the path")
    text_bytes = p.read_bytes()
    suffix = p.suffix.lower()
    try:
        if suffix == ".toml":
            try:
                import tomllib
            except ModuleNotFoundError:  # Python 3.10
                import tomli as tomllib  # type: ignore[no-redef]
            data = tomllib.loads(text_bytes.decode("utf-8"))
        elif suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text_bytes.decode("utf-8")) or {}
        else:
            raise ConfigError(f"{p.name}: unknown config format {suffix!r} — use .toml or .yaml")
    except ConfigError:
        raise
    except UnicodeDecodeError:
        raise ConfigError(f"{p.name}: not UTF-8 text — re-save it as UTF-8") from None
    except Exception as exc:  # noqa: BLE001 - parser errors carry a position, keep it
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{p.name}: not valid {suffix[1:].upper()} ({first}) — fix the syntax") \
            from None
    if not isinstance(data, dict):
        raise ConfigError(f"{p.name}: must be a table of settings at the top level")
    return data
