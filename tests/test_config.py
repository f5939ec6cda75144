"""Unit tests of ``ScanConfig``: validation, TOML/YAML settings files read into it, and the
memory model's sizes. (``Settings``: file < overrides < assignments, in test_settings.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from synthscan.config import ScanConfig
from synthscan.errors import ConfigError
from synthscan.settings import read_settings_file

TOML = """\
seed = 7
missing_tokens = ["?", "-999"]
metric = "l2"
threads = 2
encoding = "latin-1"
max_query_rows = 1000
permutations = 199
bootstrap = 100
alpha = 0.1

[columns]
customer_id = "identifier"
"zip code" = "categorical"
notes = "ignore"
"""

YAML = """\
seed: 7
missing_tokens: ["?", "-999"]
metric: l2
threads: 2
encoding: latin-1
max_query_rows: 1000
permutations: 199
bootstrap: 100
alpha: 0.1
columns:
  customer_id: identifier
  zip code: categorical
  notes: ignore
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# --------------------------------------------------------------------------------------------
# files


def test_toml_and_yaml_give_the_same_config(tmp_path: Path) -> None:
    a = ScanConfig.from_file(write(tmp_path, "c.toml", TOML))
    b = ScanConfig.from_file(write(tmp_path, "c.yaml", YAML))
    assert a == b
    assert a.seed == 7 and a.metric == "l2" and a.missing_tokens == ["?", "-999"]
    assert a.columns == {"customer_id": "identifier", "zip code": "categorical",
                         "notes": "ignore"}


def test_round_trip_through_a_file(tmp_path: Path) -> None:
    import yaml

    cfg = ScanConfig(seed=3, missing_tokens=["?"], columns={"id": "identifier"}, alpha=0.01)
    p = write(tmp_path, "rt.yml", yaml.safe_dump(cfg.to_dict()))
    assert ScanConfig.from_file(p) == cfg
    lines = [f"{k} = {v!r}".replace("'", '"') for k, v in cfg.to_dict().items()
             if k != "columns" and v is not None]
    toml_text = "\n".join(lines + ["[columns]", 'id = "identifier"'])
    toml_text = toml_text.replace("True", "true").replace("False", "false")
    assert ScanConfig.from_file(write(tmp_path, "rt.toml", toml_text)) == cfg
    assert ScanConfig.from_mapping(cfg.to_dict()) == cfg


def test_empty_yaml_is_the_default(tmp_path: Path) -> None:
    assert ScanConfig.from_file(write(tmp_path, "e.yaml", "# nothing\n")) == ScanConfig()


def test_bom_in_config_file(tmp_path: Path) -> None:
    p = tmp_path / "bom.toml"
    p.write_bytes(b"\xef\xbb\xbfseed = 4\n")
    assert ScanConfig.from_file(p).seed == 4


@pytest.mark.parametrize("name,text,match", [
    ("u.toml", "seed = 1\nsed = 2\n", "u.toml: unknown key 'sed'"),
    ("u.yaml", "sede: 2\n", "u.yaml: unknown key 'sede'"),
    ("s.toml", "seed = \n", r"s.toml: not valid TOML \(.*line 1.*\) — fix the syntax"),
    ("s.yaml", "seed: [1,\n", r"s.yaml: not valid YAML \(.*line \d+, column \d+\)"),
    ("l.yaml", "- 1\n- 2\n", "l.yaml: must be a table of settings"),
    ("c.json", "{}", "unknown config format '.json'"),
    ("t.toml", 'seed = "7"\n', "t.toml: 'seed' must be a non-negative integer — e.g. 7"),
    ("t.yaml", "columns:\n  age: number\n", "'columns.age' has unknown role 'number' — use"),
])
def test_config_file_errors(tmp_path: Path, name: str, text: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        ScanConfig.from_file(write(tmp_path, name, text))
    assert "\n" not in str(info.value)


def test_config_file_not_utf8_or_missing(tmp_path: Path) -> None:
    p = tmp_path / "l1.toml"
    p.write_bytes('encoding = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        read_settings_file(p)
    with pytest.raises(ConfigError, match="no such config file"):
        read_settings_file(tmp_path / "none.toml")


# --------------------------------------------------------------------------------------------
# validation


@pytest.mark.parametrize("key,value", [
    ("seed", -1), ("seed", True), ("seed", 1.5), ("seed", "7"),
    ("missing_tokens", "?"), ("missing_tokens", [1]),
    ("columns", ["a"]), ("columns", {"a": "number"}), ("columns", {"a": 1}),
    ("metric", "cosine"),
    ("threads", 0), ("threads", True),
    ("encoding", "no-such-codec"), ("encoding", 8),
    ("max_query_rows", 10), ("permutations", 98.0), ("bootstrap", "100"),
    ("alpha", 0.5), ("alpha", 0), ("alpha", True), ("alpha", float("nan")),
    ("mia_folds", 1), ("mia_folds", 11), ("secret", "income"), ("known", [1]),
    ("link_columns", [["a"]]), ("link_columns", [["a"], ["a", "b"]]), ("link_columns", [[], ["b"]]),
    ("link_k", []), ("link_k", [0]), ("singling_out_predicates", 5), ("mode", "strict"),
    ("max_memory", "lots"), ("max_memory", -1), ("max_memory", "0GB"), ("checks", "nndr"),
])
def test_bad_values_are_rejected_with_a_hint(key: str, value: Any) -> None:
    with pytest.raises(ConfigError) as info:
        ScanConfig(**{key: value})
    msg = str(info.value)
    assert msg.startswith(f"config: '{key}") and " — " in msg
    assert info.value.key is not None and info.value.key.startswith(key)


def test_validation_only_looks_and_normalising_is_one_step() -> None:
    cfg = ScanConfig()
    cfg.link_k = (5, 1, 5)  # type: ignore[assignment]
    cfg.validate()
    assert cfg.link_k == (5, 1, 5)  # validate() changed nothing
    cfg._normalise()
    assert cfg.link_k == [1, 5]


def test_valid_values() -> None:
    cfg = ScanConfig(missing_tokens=("?",), threads=None, encoding="cp1252",  # type: ignore[arg-type]
                     alpha=0.01, columns={2020: "numeric"})  # type: ignore[dict-item]
    assert cfg.missing_tokens == ["?"]
    assert cfg.columns == {"2020": "numeric"}  # YAML may give non-text keys


def test_unknown_key_names_the_key_and_the_known_ones() -> None:
    with pytest.raises(ConfigError) as info:
        ScanConfig.from_mapping({"sead": 1}, where="x.toml")
    msg = str(info.value)
    assert msg.startswith("x.toml: unknown key 'sead' — known keys:") and "seed" in msg


def test_from_mapping_names_the_source_and_the_key() -> None:
    with pytest.raises(ConfigError, match=r"^c.toml: 'alpha'") as info:
        ScanConfig.from_mapping({"seed": 1, "alpha": 2}, where="c.toml")
    assert (info.value.source, info.value.key) == ("c.toml", "alpha")


def test_attack_settings_are_normalised() -> None:
    cfg = ScanConfig(link_k=[5, 1, 5], link_columns=(("a",), ("b", "c")),  # type: ignore[arg-type]
                     max_memory=512)  # type: ignore[arg-type]
    assert cfg.link_k == [1, 5]
    assert cfg.link_columns == [["a"], ["b", "c"]]
    assert cfg.max_memory == "512"
    with pytest.raises(ConfigError, match="must not contain a secret column"):
        ScanConfig(secret=["income"], known=["age", "income"])


def test_memory_sizes_parse() -> None:
    from synthscan.memory import batch_budget, parse_size, peak_bound

    assert parse_size("4GB") == 4 * 2**30
    assert parse_size("512 mb") == 512 * 2**20
    assert parse_size(100) == 100 * 2**20  # plain numbers are megabytes
    assert parse_size("1.5g") == int(1.5 * 2**30)
    assert batch_budget(None) == 256 * 2**20
    assert batch_budget(1 * 2**30) == 32 * 2**20  # smaller batches under a limit
    assert batch_budget(10 * 2**20) == 8 * 2**20  # never below the minimum
    # the bound grows linearly with rows x width
    a, b = peak_bound(10_000, 15, 65), peak_bound(20_000, 15, 65)
    assert b - a == peak_bound(20_000, 15, 65) - peak_bound(10_000, 15, 65) > 0


def test_settings_file_with_a_policy_table(tmp_path: Path) -> None:
    import synthscan

    p = write(tmp_path, "full.toml", 'seed = 3\n\n[policy]\npreset = "controlled-access"\n'
                                     "[policy.thresholds]\ncloseness = 0.02\n")
    # ScanConfig alone cannot hold the policy: it says so and names the function that can
    with pytest.raises(ConfigError, match=r"full.toml: has a \[policy\] table.*load_settings"):
        ScanConfig.from_file(p)
    config, policy = synthscan.load_settings(p)
    assert config.seed == 3
    assert policy.preset == "controlled-access"
    assert policy.threshold("closeness") == 0.02
    # without a policy table: the default policy
    config, policy = synthscan.load_settings(write(tmp_path, "plain.toml", "seed = 5\n"))
    assert (config.seed, policy.preset) == (5, "public-release")
    bad = write(tmp_path, "bad.toml", "[policy]\npreset = \"nope\"\n")
    with pytest.raises(ConfigError, match="bad.toml"):
        synthscan.load_settings(bad)


def test_memory_model_of_hostile_inputs(tmp_path) -> None:
    """Compressed inputs are measured by what they decompress to (stopping at the budget),
    Parquet by its footer; duplicates and settings are charged."""
    import gzip

    import pandas as pd

    from synthscan.config import ScanConfig
    from synthscan.data.io import probe_size
    from synthscan.errors import InputError, ResourceError
    from synthscan.memory import (
        check_inputs,
        credit_groups,
        duplicate_bytes,
        input_budget,
        row_multiplicity,
        settings_bytes,
    )

    text = b"a,b,c\n" + b"1,2,x\n" * 1_000_000
    gz = tmp_path / "t.csv.gz"
    gz.write_bytes(gzip.compress(text))
    full = probe_size(gz, "train")
    assert (full.data_bytes, full.rows, full.columns, full.complete) == (len(text), 10**6, 3,
                                                                       True)
    cut = probe_size(gz, "train", stop_rows=1000)
    assert not cut.complete and cut.rows < 10**6
    with pytest.raises(ResourceError, match="t.csv.gz: .* raise max_memory") as info:
        check_inputs([("t.csv.gz", cut.data_bytes, cut.rows, cut.columns, cut.complete)],
                     10**12)
    assert (info.value.key, info.value.source) == ("max_memory", "t.csv.gz")
    pq_path = tmp_path / "t.parquet"
    pd.DataFrame({"a": range(5000), "b": ["x"] * 5000}).to_parquet(pq_path)
    assert (probe_size(pq_path, "train").rows, probe_size(pq_path, "train").columns) == (5000, 2)
    gz.write_bytes(gzip.compress(text)[:-40])
    with pytest.raises(InputError, match="truncated"):
        probe_size(gz, "train")
    # at the budget, reading alone reaches the limit
    limit = 700 * 2**20
    stop_at, stop_rows = input_budget(limit)
    with pytest.raises(ResourceError):
        check_inputs([("x.csv.gz", stop_at, 0, 0, True)], limit)
    check_inputs([("x.csv.gz", stop_at // 2, 0, 0, True)], limit)

    distinct = pd.DataFrame({"a": range(100)})
    same = pd.DataFrame({"a": [1] * 100})
    assert row_multiplicity(distinct) == 1.0 and row_multiplicity(same) == 100.0
    cfg = ScanConfig()
    assert duplicate_bytes(cfg, {"synthetic": 100.0}) > 50 * duplicate_bytes(cfg,
                                                                             {"synthetic": 1.0})
    assert settings_bytes(ScanConfig(bootstrap=10_000), 5_000, 5_000, 5_000) > 10 * (
        settings_bytes(cfg, 5_000, 5_000, 5_000))
    # membership's bootstrap: Poisson weights over half of every train and holdout record
    assert settings_bytes(cfg, 100_000, 100_000, 100_000) > 24 * 500 * 100_000
    assert settings_bytes(cfg, 100_000, 0, 100_000) < 10 * 2**20  # no holdout: no resampling
    # equal-credit groups: at most one per real record, and at most 1 + sqrt(2048 Q)
    assert credit_groups(100, 10**6, 50_000) == 101
    assert credit_groups(10**6, 20_000, 50_000) == 1 + 6400 + 1
    assert credit_groups(10**6, 10**6, 50_000) == credit_groups(10**6, 50_000, 10**6)
