"""Reading SDV metadata (``data.metadata``) into declared roles: single- and multi-table
files, keys as identifiers, and the errors of malformed files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synthscan.data.metadata import read_sdv_metadata
from synthscan.errors import ConfigError


def write_json(tmp_path: Path, data: object, name: str = "metadata.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data), encoding="utf-8")
    return p


SINGLE = {
    "METADATA_SPEC_VERSION": "SINGLE_TABLE_V1",
    "primary_key": "user_id",
    "alternate_keys": ["ssn"],
    "columns": {
        "user_id": {"sdtype": "id", "regex_format": "U[0-9]{6}"},
        "ssn": {"sdtype": "ssn"},
        "age": {"sdtype": "numerical", "computer_representation": "Int64"},
        "joined": {"sdtype": "datetime", "datetime_format": "%Y-%m-%d"},
        "active": {"sdtype": "boolean"},
        "plan": {"sdtype": "categorical"},
        "email": {"sdtype": "email", "pii": True},
        "city": {"sdtype": "city", "pii": False},
        "account": {"sdtype": "numerical"},
    },
}


def test_sdv_single_table(tmp_path: Path) -> None:
    assert read_sdv_metadata(write_json(tmp_path, SINGLE)) == {
        "user_id": "identifier", "ssn": "identifier", "age": "numeric", "joined": "datetime",
        "active": "boolean", "plan": "categorical", "email": "identifier",
        "city": "categorical", "account": "numeric",
    }


def test_sdv_primary_key_overrides_sdtype(tmp_path: Path) -> None:
    meta = {"primary_key": "account", "columns": {"account": {"sdtype": "numerical"},
                                                  "x": {"sdtype": "categorical"}}}
    assert read_sdv_metadata(write_json(tmp_path, meta))["account"] == "identifier"


def test_sdv_composite_and_sequence_keys(tmp_path: Path) -> None:
    meta = {"alternate_keys": [["a", "b"], 3], "sequence_key": "s",
            "columns": {c: {"sdtype": "numerical"} for c in ("a", "b", "s", "x")}}
    assert read_sdv_metadata(write_json(tmp_path, meta)) == {
        "a": "identifier", "b": "identifier", "s": "identifier", "x": "numeric"}


def test_sdv_multi_table(tmp_path: Path) -> None:
    one = {"METADATA_SPEC_VERSION": "V1", "relationships": [],
           "tables": {"users": SINGLE}}
    assert read_sdv_metadata(write_json(tmp_path, one))["email"] == "identifier"
    two = {"tables": {"users": SINGLE, "orders": {"primary_key": "order_id", "columns": {
        "order_id": {"sdtype": "id"}, "amount": {"sdtype": "numerical"}}}}}
    path = write_json(tmp_path, two, "two.json")
    with pytest.raises(ConfigError, match="2 tables") as info:
        read_sdv_metadata(path)
    assert " — " in str(info.value)
    assert read_sdv_metadata(path, table="orders") == {"order_id": "identifier",
                                                       "amount": "numeric"}
    with pytest.raises(ConfigError, match="no table 'items'"):
        read_sdv_metadata(path, table="items")


def test_sdv_metadata_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{\"columns\": ", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        read_sdv_metadata(bad)
    with pytest.raises(ConfigError, match="no 'columns'"):
        read_sdv_metadata(write_json(tmp_path, {"tables_": {}}))
    with pytest.raises(ConfigError, match="'x' has no 'sdtype'"):
        read_sdv_metadata(write_json(tmp_path, {"columns": {"x": {}}}))
    with pytest.raises(ConfigError, match="expected a JSON object"):
        read_sdv_metadata(write_json(tmp_path, [1, 2]))
    with pytest.raises(ConfigError, match="not an object"):
        read_sdv_metadata(write_json(tmp_path, {"tables": {"t": 3}}))
    with pytest.raises(ConfigError, match="no such metadata file"):
        read_sdv_metadata(tmp_path / "missing.json")
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps(SINGLE).encode())
    assert read_sdv_metadata(bom)["age"] == "numeric"


def test_metadata_errors_carry_the_metadata_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        read_sdv_metadata(write_json(tmp_path, {"columns": {"x": {}}}))
    assert (info.value.source, info.value.column, info.value.key) == ("metadata.json", "x",
                                                                      "metadata")
    with pytest.raises(ConfigError) as info:
        read_sdv_metadata(tmp_path / "missing.json")
    assert info.value.key == "metadata" and "--metadata" not in str(info.value)
