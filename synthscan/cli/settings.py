"""Resolve settings from a config file, CLI options and ``--set key=value`` overrides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..config import ScanConfig, _short, read_config_file
from ..errors import ConfigError, UsageError
from ..risk.policy import FAIL_ON, PRESETS, Policy

#: CLI option that sets each top-level setting (for messages naming where a bad value came from)
OPTION_OF = {"seed": "--seed", "missing_tokens": "--missing-token", "threads": "--threads",
             "preset": "--preset", "fail_on": "--fail-on", "secret": "--secret",
             "known": "--known", "mode": "--mode", "max_memory": "--max-memory"}
POLICY_KEYS = ("preset", "thresholds", "fail_on")


def _parse_value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def parse_set(item: str) -> tuple[list[str], Any]:
    """Split one ``a.b.c=value`` assignment into its key path and parsed value."""
    if "=" not in item:
        raise UsageError(f"--set {item!r}: expected key=value — e.g. --set "
                         "policy.thresholds.closeness=0.02")
    key, value = item.split("=", 1)
    parts = [p.strip() for p in key.strip().split(".")]
    if not key.strip() or not all(parts):
        raise UsageError(f"--set {item!r}: the key is empty or has an empty part — e.g. --set "
                         "seed=7")
    return parts, _parse_value(value.strip())


def apply_set(data: dict[str, Any], assignments: list[str]) -> dict[str, Any]:
    """Apply ``a.b.c=value`` assignments to a nested settings dict (values parsed as JSON when
    they can be, else kept as text)."""
    for item in assignments:
        parts, value = parse_set(item)
        node = data
        for i, p in enumerate(parts[:-1]):
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                prefix = ".".join(parts[: i + 1])
                raise UsageError(f"--set {item!r}: {prefix!r} is a single value, not a table — "
                                 f"set it directly, e.g. --set {prefix}=...")
        node[parts[-1]] = value
    return data


def _origin(key: str, set_keys: list[str], cli_keys: set[str], file_name: str | None) -> str:
    """Where the value of dotted ``key`` came from: --set beats CLI options beats the file."""
    for k in reversed(set_keys):
        if k == key or key.startswith(k + ".") or k.startswith(key + "."):
            return "--set"
    parts = key.split(".")
    top = parts[1] if parts[0] == "policy" and len(parts) > 1 else parts[0]
    if top in cli_keys:
        return OPTION_OF.get(top, "--set")
    return file_name or "--set"


def resolve(config_path: Path | None, assignments: list[str], overrides: dict[str, Any],
            preset: str | None, fail_on: str | None) -> tuple[ScanConfig, Policy]:
    """Config file < CLI options < --set. Errors name the key and where its value came from
    (the config file, the CLI option or --set)."""
    data: dict[str, Any] = read_config_file(config_path) if config_path else {}
    file_name = config_path.name if config_path else None
    set_keys = [".".join(parse_set(a)[0]) for a in assignments]
    cli_keys = {k for k, v in overrides.items() if v is not None and v != []}
    cli_keys |= {k for k, v in (("preset", preset), ("fail_on", fail_on)) if v}

    def where(key: str) -> str:
        return _origin(key, set_keys, cli_keys, file_name)

    for k in cli_keys & set(overrides):
        data[k] = overrides[k]
    if preset or fail_on:
        if data.get("policy") is None:
            data["policy"] = {}
        if not isinstance(data["policy"], dict):
            raise ConfigError(f"{where('policy')}: 'policy' must be a table — e.g. [policy] "
                              "with preset = \"controlled-access\"")
        data["policy"].update({k: v for k, v in (("preset", preset), ("fail_on", fail_on)) if v})
    data = apply_set(data, assignments)
    policy_data = data.pop("policy", None)
    policy_data = {} if policy_data is None else policy_data
    if not isinstance(policy_data, dict):
        raise ConfigError(f"{where('policy')}: 'policy' must be a table — e.g. [policy] with "
                          "preset = \"controlled-access\"")
    for k in policy_data:
        if k not in POLICY_KEYS:
            raise ConfigError(f"{where(f'policy.{k}')}: unknown key 'policy.{k}' — known keys: "
                              f"{', '.join(f'policy.{p}' for p in POLICY_KEYS)}")
    origins = {k: where(k) for k in data}
    config = ScanConfig.from_mapping(data, where=file_name or "--set", origins=origins)
    thresholds = policy_data.get("thresholds")
    thresholds = {} if thresholds is None else thresholds
    if not isinstance(thresholds, dict):
        raise ConfigError(f"{where('policy.thresholds')}: 'policy.thresholds' must be a table "
                          "of component = threshold — e.g. closeness = 0.02")
    for key, choices in (("preset", PRESETS), ("fail_on", FAIL_ON)):
        value = policy_data.get(key)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{where(f'policy.{key}')}: 'policy.{key}' must be one text value, "
                              f"not a {type(value).__name__} — use one of {', '.join(choices)}, "
                              f"e.g. {key} = \"{next(iter(choices))}\"")
        if isinstance(value, str) and len(value) > 100:
            policy_data[key] = _short(value)  # Policy quotes it in its message
    try:
        policy = Policy(preset=policy_data.get("preset", "public-release"),
                        thresholds=thresholds, fail_on=policy_data.get("fail_on", "high"))
    except ConfigError as exc:
        raise _policy_error(str(exc), where) from None
    return config, policy


def _policy_error(msg: str, where: Any) -> ConfigError:
    """Prefix a ``Policy`` message ("policy.x: problem") with where the value came from, and
    make sure it says what to do."""
    key, sep, problem = msg.partition(": ")
    if not sep or not key.startswith("policy."):
        return ConfigError(f"{where('policy')}: {msg}")
    if " — " in problem:
        return ConfigError(f"{where(key)}: {key!r}: {problem}")
    return ConfigError(f"{where(key)}: {key!r} has an invalid value — it {problem}")
