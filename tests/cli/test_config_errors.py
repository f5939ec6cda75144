"""Bad configuration and options, end to end through the command line: config files,
``--set`` keys and values, flags and metadata files give exit code 2 and name the setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from _inputs import assert_error, assert_scanned, scan

from synthscan.errors import EXIT_OK, EXIT_POLICY_FAILED, EXIT_USAGE


def test_unknown_key_in_toml_config(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "typo.toml"
    cfg.write_text("seed = 3\nmising_tokens = [\"?\"]\n", encoding="utf-8")
    assert_error(scan(trio, "--config", cfg), EXIT_USAGE, cfg, contains=("mising_tokens",))


def test_bad_yaml_syntax(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("seed: 3\ncolumns: [age: identifier\n  - : :\n", encoding="utf-8")
    assert_error(scan(trio, "--config", cfg), EXIT_USAGE, cfg)


def test_wrong_type_in_yaml_config(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "types.yaml"
    cfg.write_text("seed: three\n", encoding="utf-8")
    assert_error(scan(trio, "--config", cfg), EXIT_USAGE, cfg, contains=("seed",))


def test_missing_config_file(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "nowhere.toml"
    assert_error(scan(trio, "--config", cfg), EXIT_USAGE, cfg)


def test_policy_preset_as_a_yaml_list(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "preset.yaml"
    cfg.write_text("policy:\n  preset:\n    - public-release\n", encoding="utf-8")
    assert_error(scan(trio, "--config", cfg), EXIT_USAGE, cfg, contains=("policy.preset",))


def test_missing_metadata_file(trio: dict[str, Path], tmp_path: Path) -> None:
    meta = tmp_path / "nometa.json"
    assert_error(scan(trio, "--metadata", meta), EXIT_USAGE, meta)


def test_set_unknown_threshold(trio: dict[str, Path]) -> None:
    assert_error(scan(trio, "--set", "policy.thresholds.nope=0.1"), EXIT_USAGE, "--set",
                 contains=("policy.thresholds.nope",))


def test_set_unknown_top_level_key(trio: dict[str, Path]) -> None:
    assert_error(scan(trio, "--set", "sede=4"), EXIT_USAGE, "--set", contains=("sede",))


def test_negative_seed(trio: dict[str, Path]) -> None:
    assert_error(scan(trio, "--seed", "-1"), EXIT_USAGE, "--seed")


def test_unknown_format(trio: dict[str, Path]) -> None:
    assert_error(scan(trio, "--format", "xyz"), EXIT_USAGE, "--format", contains=("xyz",))


@pytest.mark.parametrize("alpha", ["1e-16", "0", "0.5", "true"])
def test_alpha_outside_the_range_where_the_maths_holds(trio: dict[str, Path],
                                                       alpha: str) -> None:
    assert_error(scan(trio, "--set", f"alpha={alpha}"), EXIT_USAGE, "--set",
                 contains=("'alpha'", "1e-06"))


def test_smallest_alpha_allowed_still_scans(trio: dict[str, Path]) -> None:
    result = assert_scanned(scan(trio, "--set", "alpha=1e-6"), (EXIT_OK, EXIT_POLICY_FAILED))
    assert result["config"]["alpha"] == 1e-6


def test_api_config_typo_is_a_config_error() -> None:
    from synthscan import ScanConfig
    from synthscan.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown setting 'sede' — did you mean 'seed'"):
        ScanConfig(sede=4)  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="'alpha'"):
        ScanConfig(alpha=1e-16)
    assert ScanConfig(seed=4).replace(alpha=0.01).alpha == 0.01
