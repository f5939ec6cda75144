"""docs/result.schema.json is generated from the result model and kept in step with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthscan.config import ScanConfig
from synthscan.data.io import TableSource
from synthscan.data.schema import ColumnSpec, Schema
from synthscan.model import CheckResult, Risk
from synthscan.result_schema import json_schema, main, render
from synthscan.risk.policy import Policy

DOC = Path(__file__).resolve().parents[1] / "docs" / "result.schema.json"


def test_the_published_schema_is_the_generated_one():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/result.schema.json is stale: python -m synthscan.result_schema > "
        "docs/result.schema.json")
    assert main(["--check", str(DOC)]) == 0


def test_the_schema_follows_the_model_fields():
    s = json_schema()
    check = s["$defs"]["CheckResult"]
    # every field is a required property, typed from its annotation, bounds from Json(...)
    assert set(check["required"]) == set(CheckResult.__dataclass_fields__)
    assert check["properties"]["status"] == {"enum": ["pass", "warn", "fail", "skipped",
                                                      "error", "info"]}
    assert check["properties"]["p_value"]["anyOf"] == [
        {"type": "number", "minimum": 0, "maximum": 1}, {"type": "null"}]
    assert check["properties"]["tests"]["items"] == {"$ref": "#/$defs/SubTest"}
    risk = s["$defs"]["Risk"]
    assert "decision_guidance" in risk["properties"] and "guidance" not in risk["properties"]
    assert {"components", "aggregation"} <= set(risk["required"])
    people = s["$defs"]["People"]
    assert people["required"] == ["train_rows"]  # the other figures are written when known
    # Risk's required keys are exactly what Risk.to_dict writes (people and lists included)
    assert set(risk["required"]) == set(Risk(upper_level=0.9).to_dict())
    assert s["required"][:3] == ["schema_version", "tool", "verdict"]


def test_check_mode_reports_a_stale_file(tmp_path, capsys):
    stale = tmp_path / "schema.json"
    stale.write_text("{}\n", encoding="utf-8")
    assert main(["--check", str(stale)]) == 1
    assert "regenerate" in capsys.readouterr().err


@pytest.mark.parametrize("cls", [CheckResult, Risk])
def test_round_trip_keeps_every_field(cls):
    obj = (CheckResult(id="x", name="n", criterion="copies", estimate=0.1, level=0.9)
           if cls is CheckResult else Risk(upper_level=0.9, upper=0.02, planned=("a",)))
    assert cls.from_dict(obj.to_dict()) == obj


def test_the_edge_sections_require_what_their_objects_write():
    """inputs, schema and policy are written by their own ``to_dict()``: the hand-written
    schema of each requires exactly the keys written (a column's note only when it has one)."""
    doc = json_schema()
    props = doc["properties"]
    source = TableSource("train", "t.csv", None, None, 1, 1)
    assert props["inputs"]["items"]["required"] == list(source.to_dict())
    schema = Schema([ColumnSpec("age", "numeric", note="n")])
    assert props["schema"]["required"] == list(schema.to_dict())
    column = props["schema"]["properties"]["columns"]["items"]
    assert set(column["properties"]) == set(schema.columns[0].to_dict())
    assert column["required"] == list(ColumnSpec("age", "numeric").to_dict())
    assert props["policy"]["required"] == list(Policy().to_dict())
    assert props["config"]["$ref"] == "#/$defs/ScanConfig"
    assert doc["$defs"]["ScanConfig"]["required"] == list(ScanConfig().to_dict())
