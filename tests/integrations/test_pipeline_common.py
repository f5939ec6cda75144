"""The orchestrator-free core of the pipeline adapters: a scan with settings and reports, its
JSON-able summary (checked against the result's own fields and the planted leak's hand-worked
excess), the failure message, and the clear error of an adapter whose orchestrator is missing.
Also: the extras stay out of the core install and ``import synthscan`` loads none of this."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from _releases import N_COPIES, N_HOLDOUT, N_TRAIN

from synthscan.errors import ConfigError, ExitCode, UsageError
from synthscan.integrations.common import (
    markdown_summary,
    people_sentence,
    require,
    run_scan,
    summarize,
)

REPO = Path(__file__).resolve().parents[2]


def test_leaky_release_summary_matches_the_result_and_the_planted_copies(releases, tmp_path):
    run = run_scan(releases.train, releases.leaky, releases.holdout, config=releases.settings,
                   reports_dir=tmp_path, formats=["json", "md"])
    assert not run.passed and run.result.verdict == "high"
    s = run.summary()
    assert json.loads(json.dumps(s, allow_nan=False)) == s
    by_id = {c["id"]: c for c in s["components"]}
    # only the two selected components ran; the others are reported as skipped, with why
    assert {i for i, c in by_id.items() if c["status"] not in ("skipped",)} == {
        "verbatim", "closeness"}
    assert all(c["reason"] for c in by_id.values() if c["status"] == "skipped")
    verbatim = by_id["verbatim"]
    assert verbatim["estimate"] == pytest.approx(N_COPIES / N_TRAIN - 0 / N_HOLDOUT)
    assert verbatim["status"] == "fail"
    decision = run.result.check("verbatim").decision
    assert verbatim["confirmed_lower"] == pytest.approx(decision.lower, abs=1e-6)
    assert verbatim["certified_upper"] == pytest.approx(decision.upper, abs=1e-6)
    assert verbatim["confirmed_lower"] < N_COPIES / N_TRAIN < verbatim["certified_upper"]
    people = run.result.risk.people
    assert s["certified"]["upper"] == pytest.approx(run.result.risk.upper, abs=1e-6)
    assert s["certified"]["people"] == people.at_most and s["certified"]["of"] == N_TRAIN
    # the bound in people brackets the 60 planted copies
    assert s["confirmed"]["people"] <= N_COPIES <= s["certified"]["people"]
    assert people_sentence(run.result) == (
        f"at most {people.at_most} of {N_TRAIN} {people.unit} ({people.component})")
    assert {k: s["reports"][k] for k in ("json", "md")} == {
        "json": str(tmp_path / "result.json"), "md": str(tmp_path / "report.md")}
    assert all(Path(p).parent == tmp_path and Path(p).is_file() for p in s["reports"].values())
    assert json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))["verdict"] == "high"
    assert s["synthetic_sha256"] == next(i.sha256 for i in run.result.inputs
                                         if i.table == "synthetic")
    message = run.failure_message()
    assert message.startswith("privacy risk verdict 'high' fails the policy")
    assert "verbatim fail" in message and "closeness fail" in message


def test_clean_release_passes_the_default_policy_and_fails_a_stricter_one(releases):
    frames = {n: pd.read_csv(getattr(releases, n)) for n in ("train", "clean", "holdout")}
    default = run_scan(frames["train"], frames["clean"], frames["holdout"],
                       settings=releases.overrides)
    assert default.result.verdict == "inconclusive" and default.passed
    assert default.failure_message() == "" and default.reports == {}
    strict = run_scan(frames["train"], frames["clean"], frames["holdout"],
                      config=releases.settings, settings={"policy.fail_on": "inconclusive"})
    assert not strict.passed
    assert summarize(strict.result)["policy"] == {"preset": "public-release",
                                                 "fail_on": "inconclusive"}
    assert "verbatim warn: estimate 0.00%" in strict.failure_message()


def test_no_record_value_enters_the_summary(releases):
    run = run_scan(releases.train, releases.leaky, releases.holdout, config=releases.settings)
    text = json.dumps(run.summary())
    train = pd.read_csv(releases.train)
    text_columns = [c for c in train.columns if pd.api.types.is_string_dtype(train[c])]
    words = {v for col in text_columns for v in train[col].dropna().astype(str) if len(v) > 4}
    assert words and not [w for w in words if w in text]


def test_markdown_summary_is_the_report_plus_where_the_reports_are(releases, tmp_path):
    run = run_scan(releases.train, releases.leaky, releases.holdout, config=releases.settings,
                   reports_dir=tmp_path, formats=["json", "html"])
    from synthscan.reports.markdown import render_markdown

    text = markdown_summary(run.result, run.reports)
    assert text.startswith(render_markdown(run.result))
    assert f"`{tmp_path / 'report.html'}`" in text


def test_a_bad_setting_is_a_config_error_naming_its_key(releases):
    with pytest.raises(ConfigError, match="policy.fail_on") as err:
        run_scan(releases.train, releases.clean, settings={"policy.fail_on": "sometimes"})
    assert err.value.exit_code == ExitCode.USAGE


def test_an_unknown_report_format_is_refused_before_scanning(releases, tmp_path):
    with pytest.raises(UsageError, match="unknown report format 'pdf'"):
        run_scan(releases.train, releases.clean, reports_dir=tmp_path, formats=["json", "pdf"])
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("adapter, module", [("dagster", "dagster"), ("airflow", "airflow.sdk"),
                                             ("prefect", "prefect")])
def test_an_adapter_without_its_orchestrator_says_how_to_install_it(adapter, module,
                                                                    monkeypatch):
    monkeypatch.setitem(sys.modules, module.split(".")[0], None)  # import fails
    monkeypatch.delitem(sys.modules, f"synthscan.integrations.{adapter}", raising=False)
    with pytest.raises(UsageError, match=rf"pip install 'synthscan\[{adapter}\]'") as err:
        importlib.import_module(f"synthscan.integrations.{adapter}")
    assert err.value.exit_code == ExitCode.USAGE


def test_require_returns_an_installed_module():
    assert require("json", "dagster") is json


def test_import_synthscan_loads_no_integration_and_the_core_no_orchestrator():
    code = ("import sys, synthscan; a = set(sys.modules); "
            "import synthscan.integrations.common; b = set(sys.modules); "
            "print(any(m.startswith('synthscan.integrations') for m in a)); "
            "print(sorted({m.split('.')[0] for m in b - a} & "
            "{'dagster', 'airflow', 'prefect', 'pandas', 'sklearn', 'faiss'}))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, check=True)
    assert proc.stdout.split("\n")[:2] == ["False", "[]"]


def test_the_extras_are_optional_and_admit_the_supported_versions():
    tomllib = pytest.importorskip("tomllib")
    from packaging.requirements import Requirement

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = {Requirement(r).name for r in project["dependencies"]}
    assert not core & {"dagster", "apache-airflow-core", "apache-airflow-task-sdk", "prefect"}
    extras = project["optional-dependencies"]
    supported = {"dagster": {"dagster": "1.13.28"},
                 "airflow": {"apache-airflow-core": "3.3.2", "apache-airflow-task-sdk": "1.3.2"},
                 "prefect": {"prefect": "3.9.1"}}
    for extra, versions in supported.items():
        reqs = {Requirement(r).name: Requirement(r) for r in extras[extra]}
        for name, version in versions.items():
            assert reqs[name].specifier.contains(version), (extra, name)
    assert not {n for r in extras["dev"] for n in ("dagster", "airflow", "prefect") if n in r}


def test_the_documented_examples_are_the_example_files():
    doc = (REPO / "docs" / "pipelines.md").read_text(encoding="utf-8")
    examples = sorted((REPO / "docs" / "examples").glob("*.*"))
    assert {p.suffix for p in examples} == {".py", ".yml"}
    for path in examples:
        assert path.read_text(encoding="utf-8").rstrip("\n") in doc, path.name
