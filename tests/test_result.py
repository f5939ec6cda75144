"""``ScanResult``'s typed edges — inputs, column schema, configuration and policy — written to
result.json and rebuilt from it, also from a result an earlier 2.x wrote; a malformed file is
one ``InputError`` naming it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synthscan.config import ScanConfig
from synthscan.data.io import TableSource
from synthscan.data.schema import ColumnSpec, Schema
from synthscan.errors import InputError
from synthscan.model import Risk
from synthscan.reports import render
from synthscan.result import ScanResult
from synthscan.risk import policy as policy_module
from synthscan.risk.policy import Policy

SHA = "ab" * 32


def _result() -> ScanResult:
    return ScanResult(
        verdict="low", risk=Risk(upper_level=0.95), checks=[],
        inputs=[TableSource("train", "train.csv", "data/train.csv", SHA, 120, 3),
                TableSource("synthetic", "<synthetic DataFrame>", None, None, 100, 3)],
        schema=Schema([ColumnSpec("age", "numeric", "config"),
                       ColumnSpec("person_id", "identifier", "metadata"),
                       ColumnSpec("color", "categorical", note="3 levels")], ["notes"]),
        encoding={"metric": "l1"},
        config=ScanConfig(seed=3, checks=["verbatim"], link_k=[1, 3],
                          check_params={"verbatim": {"max_listed": 2}}),
        policy=Policy(thresholds={"verbatim": 0.001}, fail_on="inconclusive"),
        seed=3, environment={"synthscan": "2.0.0"})


def _written() -> dict:
    return json.loads(_result().to_json())


def test_the_edges_are_written_as_their_json() -> None:
    d = _written()
    assert d["inputs"][1] == {"role": "synthetic", "name": "<synthetic DataFrame>",
                              "path": None, "sha256": None, "rows": 100, "columns": 3}
    assert d["schema"] == {
        "columns": [{"name": "age", "role": "numeric", "source": "config"},
                    {"name": "person_id", "role": "identifier", "source": "metadata"},
                    {"name": "color", "role": "categorical", "source": "inferred",
                     "note": "3 levels"}],
        "identifiers_excluded_from_distances": ["person_id"], "ignored": ["notes"]}
    assert d["config"]["check_params"] == {"verbatim": {"max_listed": 2}}
    assert d["config"]["link_k"] == [1, 3] and d["config"]["threads"] is None
    # a θ the user set equal to the preset's applies to both directions
    assert d["policy"]["thresholds"]["verbatim"] == 0.001
    assert d["policy"]["high_thresholds"]["verbatim"] == 0.001
    assert d["policy"]["high_thresholds"]["closeness"] == 0.0


def test_the_edges_rebuild_to_equal_objects() -> None:
    original = _result()
    loaded = ScanResult.from_dict(_written())
    assert loaded.inputs == original.inputs and loaded.schema == original.schema
    assert loaded.config == original.config and loaded.policy == original.policy
    assert loaded.schema.identifiers == ["person_id"]
    assert loaded.policy.high_threshold("verbatim") == 0.001
    assert loaded.to_json() == original.to_json()


def test_a_result_keeps_its_policy_when_the_presets_change(monkeypatch, tmp_path) -> None:
    path = _result().save_json(tmp_path / "result.json")
    public = dict(policy_module.PRESETS["public-release"], closeness=0.3)
    monkeypatch.setitem(policy_module.PRESETS, "public-release", public)
    loaded = ScanResult.load(path)
    assert loaded.policy.threshold("closeness") == 0.01
    assert loaded.policy.high_threshold("closeness") == 0.0
    doc = render(loaded, "html")
    assert '<td>closeness</td><td class="num">1.00%</td>' in doc and "30.00%" not in doc


def test_a_result_an_older_2x_wrote_loads(tmp_path) -> None:
    d = _written()
    d["schema_version"] = "2.0"
    for key in ("encoding", "evidence", "limitations", "run"):
        del d[key]
    del d["config"]["check_params"], d["config"]["max_memory"]
    del d["policy"]["high_thresholds"]
    del d["schema"]["columns"][2]["note"], d["schema"]["ignored"]
    d["config"]["a_later_setting"] = 1
    d["inputs"][0]["a_later_key"] = "x"
    d["a_later_section"] = {}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(d), encoding="utf-8")
    loaded = ScanResult.load(path)
    assert loaded.config.check_params == {} and loaded.config.max_memory is None
    assert loaded.config.seed == 3 and loaded.config.checks == ["verbatim"]
    assert loaded.policy.high_threshold("closeness") == 0.01  # θ when none was written
    assert loaded.schema.columns[2].note == "" and loaded.schema.ignored == []
    assert loaded.inputs[0].n_rows == 120 and loaded.encoding == {}


@pytest.mark.parametrize("section,change", [
    ("config", {"seed": "three"}),
    ("config", {"metric": "cosine"}),
    ("policy", {"thresholds": {"verbatim": "0.1%"}}),
    ("policy", {"fail_on": "sometimes"}),
    ("schema", {"columns": [{"name": "age", "role": "ignore"}]}),
    ("schema", {"columns": "age"}),
    ("inputs", [{"role": "alien", "name": "x.csv", "rows": 1, "columns": 1}]),
    ("inputs", [{"role": "train", "name": "x.csv", "rows": "many", "columns": 1}]),
    ("inputs", [{"role": "train", "rows": 1, "columns": 1}]),
])
def test_a_malformed_edge_is_one_input_error_naming_the_file(tmp_path, section: str,
                                                             change: dict | list) -> None:
    d = _written()
    d[section] = {**d[section], **change} if isinstance(change, dict) else change
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(InputError) as info:
        ScanResult.load(path)
    message = str(info.value)
    assert message.startswith("tampered.json: not a synthscan result (missing or bad field")
    assert "\n" not in message


def test_the_scan_result_holds_its_own_copy_of_the_settings() -> None:
    from synthscan.api import scan

    sample = Path(__file__).resolve().parents[1] / "sample_data"
    config, policy = ScanConfig(checks=["exact_copies"]), Policy()
    r = scan(sample / "train.csv", sample / "synthetic_clean.csv", config=config,
             policy=policy)
    config.seed, policy.fail_on = 99, "never"
    assert r.config.seed == 0 and r.policy.fail_on == "high"
    assert [i.table for i in r.inputs] == ["train", "synthetic"]
    assert r.inputs[0].path == str(sample / "train.csv") and r.inputs[0].sha256
