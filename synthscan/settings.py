"""Settings: a scan's ``ScanConfig`` and ``Policy``, resolved from a settings file, overrides
and ``key=value`` assignments.

Precedence, lowest first: the settings file (TOML or YAML; its ``[policy]`` table is the
policy, its ``checks`` list or ``[checks]`` table the check selection and each check's
settings), then ``overrides`` (settings given one by one, e.g. by command-line flags), then
``assignments`` (``a.b.c=value`` strings, values parsed as JSON when they can be). Every error
names the key and where its value came from: the file's name, ``override`` or ``assignment``
(the error's ``source``; the CLI names its flags for those).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import ScanConfig
from .config_rules import InvalidSetting, short_value
from .errors import ConfigError, UsageError
from .risk.policy import FAIL_ON, PRESETS, Policy

#: the ``source`` of an error in a value given in ``overrides`` / in ``assignments``
OVERRIDE = "override"
ASSIGNMENT = "assignment"
POLICY_KEYS = ("preset", "thresholds", "fail_on")
#: top-level keys of a settings file besides the ``ScanConfig`` fields
OTHER_KEYS = ("policy",)
_POLICY_TABLE = "'policy' must be a table — e.g. [policy] with preset = \"controlled-access\""


@dataclass(frozen=True)
class Settings:
    """Everything a scan is told: how to run (``config``) and what fails (``policy``)."""

    config: ScanConfig
    policy: Policy

    @classmethod
    def load(cls, path: str | Path | None = None, *, overrides: Mapping[str, Any] | None = None,
             assignments: Iterable[str] = ()) -> Settings:
        """The settings of ``path`` (optional), then ``overrides`` (setting key -> value, e.g.
        ``{"seed": 7, "policy.fail_on": "never"}``), then ``assignments`` (``"a.b=value"``)."""
        data = read_settings_file(path) if path is not None else {}
        source = Path(path).name if path is not None else "settings"
        return cls.from_mapping(data, source=source, overrides=overrides,
                                assignments=assignments)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "settings",
                     overrides: Mapping[str, Any] | None = None,
                     assignments: Iterable[str] = ()) -> Settings:
        """Resolve a settings table (as read from a file named ``source``) with ``overrides``
        and ``assignments`` on top."""
        items = list(assignments)
        where = _Origins(source, [".".join(parse_assignment(a)[0]) for a in items],
                         list(overrides or {}))
        table: dict[str, Any] = copy.deepcopy(dict(data))
        for key, value in (overrides or {}).items():
            _put(table, key.split("."), value, lambda prefix: _not_a_table(where, prefix))
        apply_assignments(table, items)
        policy = _policy(table.pop("policy", None), where)
        return cls(config=_config(table, where), policy=policy)


def load_settings(path: str | Path) -> tuple[ScanConfig, Policy]:
    """Read a settings file, the one ``synthscan scan --config`` takes (TOML or YAML): the scan
    settings and the policy of its ``[policy]`` table (the default policy when it has none).
    Errors name the file and the key."""
    settings = Settings.load(path)
    return settings.config, settings.policy


class _Origins:
    """Where the value of a dotted key came from: assignments beat overrides beat the file."""

    def __init__(self, source: str, assigned: list[str], overridden: list[str]) -> None:
        self.source, self.assigned, self.overridden = source, assigned, overridden

    def __call__(self, key: str) -> str:
        if any(_related(k, key) for k in self.assigned):
            return ASSIGNMENT
        if any(key == k or key.startswith(k + ".") for k in self.overridden):
            return OVERRIDE
        return self.source


def _related(assigned: str, key: str) -> bool:
    return assigned == key or key.startswith(assigned + ".") or assigned.startswith(key + ".")


def _not_a_table(where: _Origins, prefix: str) -> ConfigError:
    if prefix == "policy":
        return ConfigError(f"{where('policy')}: {_POLICY_TABLE}", source=where("policy"),
                           key="policy")
    return ConfigError(f"{where(prefix)}: {prefix!r} must be a table", source=where(prefix),
                       key=prefix)


# ------------------------------------------------------------------------------ assignments


def parse_assignment(item: str) -> tuple[list[str], Any]:
    """Split one ``a.b.c=value`` assignment into its key path and parsed value."""
    if "=" not in item:
        raise UsageError(f"{ASSIGNMENT} {item!r}: expected key=value — e.g. "
                         "policy.thresholds.closeness=0.02", source=ASSIGNMENT)
    key, value = item.split("=", 1)
    parts = [p.strip() for p in key.strip().split(".")]
    if not key.strip() or not all(parts):
        raise UsageError(f"{ASSIGNMENT} {item!r}: the key is empty or has an empty part — "
                         "e.g. bootstrap=1000", source=ASSIGNMENT)
    try:
        return parts, json.loads(value.strip())
    except json.JSONDecodeError:
        return parts, value.strip()


def apply_assignments(data: dict[str, Any], assignments: Iterable[str]) -> dict[str, Any]:
    """Apply ``a.b.c=value`` assignments to a nested settings dict (values parsed as JSON when
    they can be, else kept as text). A list assigned to ``checks`` where the settings hold a
    ``[checks]`` table becomes its selection (the checks' own settings are kept)."""
    for item in assignments:
        parts, value = parse_assignment(item)
        if parts[0] == "checks" and isinstance(data.get("checks"), (list, tuple)):
            data["checks"] = {"select": data["checks"]}
        if parts == ["checks"] and isinstance(value, list) and isinstance(data.get("checks"),
                                                                            dict):
            parts = ["checks", "select"]

        def refuse(prefix: str, item: str = item) -> UsageError:
            return UsageError(f"{ASSIGNMENT} {item!r}: {prefix!r} is a single value, not a "
                              f"table — set it directly, e.g. {prefix}=...", source=ASSIGNMENT,
                              key=prefix)

        _put(data, parts, value, refuse)
    return data


def _put(data: dict[str, Any], parts: list[str], value: Any,
         refuse: Callable[[str], Exception]) -> None:
    """``data[a][b][c] = value`` for ``parts`` a, b, c, creating tables on the way; a single
    value on the way is ``refuse``d."""
    node = data
    for i, part in enumerate(parts[:-1]):
        if node.get(part) is None:
            node[part] = {}
        node = node[part]
        if not isinstance(node, dict):
            raise refuse(".".join(parts[: i + 1]))
    node[parts[-1]] = value


# ---------------------------------------------------------------------------- the two halves


def _config(table: dict[str, Any], where: _Origins) -> ScanConfig:
    """The ``ScanConfig`` of a resolved table; a ``[checks]`` table becomes the selection
    (``select``) and each check's settings (``check_params``)."""
    known = {f for f in ScanConfig.__dataclass_fields__}
    for key in table:
        if key not in known:
            origin = where(str(key))
            raise ConfigError(f"{origin}: unknown key {key!r} — known keys: "
                              f"{', '.join(sorted(known | set(OTHER_KEYS)))}", source=origin,
                              key=str(key))
    checks = table.get("checks")
    if isinstance(checks, dict):
        params = {k: v for k, v in checks.items() if k != "select"}
        for check_id, knobs in params.items():
            if not isinstance(knobs, dict):
                key = f"checks.{check_id}"
                raise ConfigError(f"{where(key)}: {key!r} must be a table of that check's "
                                  f"settings — e.g. [checks.linkability] with max_targets = "
                                  "2000", source=where(key), key=key)
        table["checks"] = checks.get("select", [])
        table["check_params"] = {**(table.get("check_params") or {}), **params}
    try:
        return ScanConfig(**table)
    except InvalidSetting as exc:
        raise exc.at(where(str(exc.key))) from None


def _policy(data: Any, where: _Origins) -> Policy:
    """The ``Policy`` of a ``[policy]`` table (the default policy when there is none)."""
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ConfigError(f"{where('policy')}: {_POLICY_TABLE}", source=where("policy"),
                          key="policy")
    for k in data:
        key = f"policy.{k}"
        if k not in POLICY_KEYS:
            raise ConfigError(f"{where(key)}: unknown key {key!r} — known keys: "
                              f"{', '.join(f'policy.{p}' for p in POLICY_KEYS)}",
                              source=where(key), key=key)
    thresholds = {} if data.get("thresholds") is None else data["thresholds"]
    if not isinstance(thresholds, dict):
        raise ConfigError(f"{where('policy.thresholds')}: 'policy.thresholds' must be a table "
                          "of component = threshold — e.g. closeness = 0.02",
                          source=where("policy.thresholds"), key="policy.thresholds")
    for name, choices in (("preset", PRESETS), ("fail_on", FAIL_ON)):
        value, key = data.get(name), f"policy.{name}"
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{where(key)}: {key!r} must be one text value, not a "
                              f"{type(value).__name__} — use one of {', '.join(choices)}, "
                              f"e.g. {name} = \"{next(iter(choices))}\"", source=where(key),
                              key=key)
        if isinstance(value, str) and len(value) > 100:
            data[name] = short_value(value)  # Policy quotes it in its message
    try:
        return Policy(preset=data.get("preset", "public-release"), thresholds=thresholds,
                      fail_on=data.get("fail_on", "high"))
    except ConfigError as exc:
        raise _policy_error(exc, where) from None


def _policy_error(exc: ConfigError, where: _Origins) -> ConfigError:
    """A ``Policy`` message ("policy.x: problem") prefixed with where the value came from, and
    saying what to do."""
    key, sep, problem = str(exc).partition(": ")
    if not sep or not key.startswith("policy."):
        return ConfigError(f"{where('policy')}: {exc}", source=where("policy"), key="policy")
    if " — " in problem:
        return ConfigError(f"{where(key)}: {key!r}: {problem}", source=where(key), key=key)
    return ConfigError(f"{where(key)}: {key!r} has an invalid value — it {problem}",
                       source=where(key), key=key)


# ------------------------------------------------------------------------------ the file


def read_settings_file(path: str | Path) -> dict[str, Any]:
    """Parse a TOML or YAML settings file into a dict (safe loaders only; nothing is
    executed)."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: no such config file — check the path", source=p.name)
    suffix = p.suffix.lower()
    if suffix not in (".toml", ".yaml", ".yml"):
        raise ConfigError(f"{p.name}: unknown config format {suffix or '(none)'!r} — use "
                          ".toml or .yaml", source=p.name)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{p.name}: not UTF-8 text — re-save it as UTF-8",
                          source=p.name) from None
    except OSError as exc:
        raise ConfigError(f"{p.name}: cannot be read ({exc.strerror or type(exc).__name__}) — "
                          "check the file's permissions", source=p.name) from None
    data = _parse(text, suffix == ".toml", p.name)
    if not isinstance(data, dict):
        raise ConfigError(f"{p.name}: must be a table of settings at the top level — e.g. "
                          "seed = 7", source=p.name)
    return data


def _parse(text: str, toml: bool, name: str) -> Any:
    """The parsed document; syntax errors say where they are."""
    try:
        if toml:
            try:
                import tomllib
            except ModuleNotFoundError:  # Python 3.10
                import tomli as tomllib  # type: ignore[no-redef]
            return tomllib.loads(text)
        data = _safe_yaml(text)
        return {} if data is None else data
    except RecursionError:
        raise ConfigError(f"{name}: nested too deeply to be a settings file — write the "
                          "settings as a flat table (see docs)", source=name) from None
    except _AliasRefused as exc:
        raise ConfigError(f"{name}: {_syntax_problem(exc)} — write each value out in full",
                          source=name) from None
    except Exception as exc:  # parser errors carry a position: keep it
        raise ConfigError(f"{name}: not valid {'TOML' if toml else 'YAML'} "
                          f"({_syntax_problem(exc)}) — fix the syntax", source=name) from None


def _safe_yaml(text: str) -> Any:
    """``yaml.safe_load`` that refuses anchors and aliases: a settings file never needs them,
    and a few lines of nested aliases expand into billions of values (a "billion laughs")
    when anything walks the result."""
    import yaml

    class _NoAliases(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()
            if self.check_event(yaml.AliasEvent) or getattr(event, "anchor", None):
                raise _AliasRefused(event.start_mark)
            return super().compose_node(parent, index)

    return yaml.load(text, Loader=_NoAliases)  # a SafeLoader subclass


class _AliasRefused(Exception):
    def __init__(self, mark: Any) -> None:
        super().__init__("anchor or alias")
        self.problem_mark = mark
        self.problem = "YAML anchors and aliases (&name, *name) are not supported"


def _syntax_problem(exc: Exception) -> str:
    """A parser error as one short phrase with its position."""
    mark = getattr(exc, "problem_mark", None)  # PyYAML
    if mark is not None:
        problem = getattr(exc, "problem", None) or "syntax error"
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    lines = str(exc).splitlines()
    return " ".join(lines[0].split()) if lines else type(exc).__name__
