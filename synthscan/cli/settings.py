"""Resolve settings from a config file, CLI options and ``--set key=value`` overrides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..config import ScanConfig, read_config_file
from ..errors import ConfigError, UsageError
from ..risk.policy import Policy


def _parse_value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def apply_set(data: dict[str, Any], assignments: list[str]) -> dict[str, Any]:
    """Apply ``a.b.c=value`` assignments to a nested settings dict (values parsed as JSON when
    they can be, else kept as text)."""
    for item in assignments:
        if "=" not in item:
            raise UsageError(f"--set {item!r}: expected key=value, e.g. --set "
                             "policy.thresholds.exact_copies=0.02")
        key, value = item.split("=", 1)
        parts = [p for p in key.strip().split(".") if p]
        if not parts:
            raise UsageError(f"--set {item!r}: empty key")
        node = data
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise UsageError(f"--set {item!r}: {p!r} is not a table")
        node[parts[-1]] = _parse_value(value)
    return data


def resolve(config_path: Path | None, assignments: list[str], overrides: dict[str, Any],
            preset: str | None, fail_on: str | None) -> tuple[ScanConfig, Policy]:
    """Config file < CLI options < --set. Unknown keys are errors naming the key."""
    data: dict[str, Any] = read_config_file(config_path) if config_path else {}
    where = config_path.name if config_path else "--set"
    for k, v in overrides.items():
        if v is not None and v != []:
            data[k] = v
    data = apply_set(data, assignments)
    policy_data = data.pop("policy", {}) or {}
    if not isinstance(policy_data, dict):
        raise ConfigError(f"{where}: 'policy' must be a table")
    known = {"preset", "thresholds", "fail_on"}
    for k in policy_data:
        if k not in known:
            raise ConfigError(f"{where}: unknown key 'policy.{k}' — known keys: "
                              f"{', '.join(sorted(known))}")
    if preset:
        policy_data["preset"] = preset
    if fail_on:
        policy_data["fail_on"] = fail_on
    config = ScanConfig.from_mapping(data, where=where)
    thresholds = policy_data.get("thresholds", {}) or {}
    if not isinstance(thresholds, dict):
        raise ConfigError(f"{where}: 'policy.thresholds' must be a table")
    policy = Policy(preset=policy_data.get("preset", "public-release"), thresholds=thresholds,
                    fail_on=policy_data.get("fail_on", "high"))
    return config, policy
