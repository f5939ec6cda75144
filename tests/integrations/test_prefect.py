"""The Prefect task under ``prefect_test_harness()`` (a temporary local API, no server to
run): a leaky release publishes its artifacts and fails the task with ``PrivacyRiskError``, or
returns its summary when told not to raise; a clean one returns its summary. Runs where
Prefect is installed (``.ci/run`` makes a virtualenv for it)."""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from _releases import N_COPIES, N_TRAIN

if importlib.util.find_spec("prefect") is not None:
    if "PREFECT_HOME" not in os.environ:
        # Prefect keeps a profile and local storage in its home: a throwaway one
        _HOME = tempfile.mkdtemp(prefix="synthscan-prefect-")
        atexit.register(shutil.rmtree, _HOME, True)
        os.environ["PREFECT_HOME"] = _HOME
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no telemetry calls

prefect = pytest.importorskip("prefect")

from prefect.artifacts import Artifact  # noqa: E402
from prefect.testing.utilities import prefect_test_harness  # noqa: E402

from synthscan.errors import PrivacyRiskError, UsageError  # noqa: E402
from synthscan.integrations.prefect import scan_release  # noqa: E402


@pytest.fixture(scope="module")
def harness():
    with prefect_test_harness(server_startup_timeout=120):  # a loaded CI machine is slow
        yield


def _flow(releases, release, tmp_path, **kwargs):
    @prefect.flow
    def release_flow() -> dict:
        return scan_release(str(releases.train), str(release), str(releases.holdout),
                            config=releases.settings, reports_dir=tmp_path / "reports",
                            **kwargs)

    return release_flow


def test_leaky_release_publishes_its_artifacts_then_fails_the_task(harness, releases, tmp_path):
    with pytest.raises(PrivacyRiskError, match="verbatim fail"):
        _flow(releases, releases.leaky, tmp_path, artifact_key="leaky-release")()
    markdown = Artifact.get("leaky-release")
    assert markdown is not None and markdown.type == "markdown"
    assert "synthscan privacy risk: HIGH" in markdown.data
    assert str(tmp_path / "reports" / "report.html") in markdown.data
    table = Artifact.get("leaky-release-components")
    assert table is not None and table.type == "table"
    rows = {row["component"]: row for row in json.loads(table.data)}
    assert set(rows) >= {"verbatim", "closeness"}
    assert rows["verbatim"]["status"] == "fail"
    assert rows["verbatim"]["estimate"] == f"{100 * N_COPIES / N_TRAIN:.2f}%"
    assert rows["linkability"]["status"] == "skipped" and rows["linkability"]["note"]


def test_told_not_to_raise_it_returns_the_failing_summary(harness, releases, tmp_path):
    summary = _flow(releases, releases.leaky, tmp_path, raise_on_failure=False,
                    artifact_key="leaky-quiet")()
    assert summary["verdict"] == "high" and summary["passed"] is False
    assert summary["reports"]["json"] == str(tmp_path / "reports" / "result.json")
    json.dumps(summary, allow_nan=False)


def test_clean_release_returns_its_summary(harness, releases, tmp_path):
    summary = _flow(releases, releases.clean, tmp_path, artifact_key="clean-release")()
    assert summary["verdict"] == "inconclusive" and summary["passed"] is True
    table = Artifact.get("clean-release-components")
    assert {r["component"]: r["status"] for r in json.loads(table.data)}["verbatim"] == "warn"


def test_a_bad_artifact_key_is_refused_before_scanning(harness, releases, tmp_path):
    with pytest.raises(UsageError, match="artifact_key 'Bad Key'"):
        _flow(releases, releases.clean, tmp_path, artifact_key="Bad Key")()


def test_the_documented_example_flow_is_a_flow():
    path = Path(__file__).resolve().parents[2] / "docs" / "examples" / "prefect_privacy_flow.py"
    spec = importlib.util.spec_from_file_location("prefect_privacy_flow", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert isinstance(module.synthetic_release, prefect.Flow)
    assert set(module.synthetic_release.parameters.properties) == {"data", "release"}
