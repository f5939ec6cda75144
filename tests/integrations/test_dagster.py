"""The Dagster asset check, run in process with ``materialize()``: a leaky release fails the
blocking check with severity ERROR and its downstream asset is not materialised; a clean one
(inconclusive at this size) warns and lets it run; the metadata carries the scan's figures.
Runs where Dagster is installed (``.ci/run`` makes a virtualenv for it)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest
from _releases import N_COPIES, N_TRAIN, Releases

dg = pytest.importorskip("dagster")

from synthscan.integrations.dagster import synthscan_asset_check  # noqa: E402


def _pipeline(release: Path, releases: Releases, reports: Path, **check_kwargs):
    """The synthetic asset (a DataFrame), the real training data as an asset, a downstream
    asset, and the check on the synthetic one."""

    @dg.asset
    def train_table() -> pd.DataFrame:
        return pd.read_csv(releases.train)

    @dg.asset
    def synthetic_table() -> pd.DataFrame:
        return pd.read_csv(release)

    @dg.asset(deps=[synthetic_table])
    def published() -> str:
        return "published"

    check = synthscan_asset_check(synthetic_table, train=train_table, holdout=releases.holdout,
                                  config=releases.settings, reports_dir=reports, **check_kwargs)
    return [train_table, synthetic_table, published], check


def _run(release: Path, releases: Releases, tmp_path: Path, **check_kwargs):
    assets, check = _pipeline(release, releases, tmp_path / "reports", **check_kwargs)
    result = dg.materialize([*assets, check], raise_on_error=False,
                            instance=dg.DagsterInstance.ephemeral())
    (evaluation,) = result.get_asset_check_evaluations()
    materialised = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()
                    for m in [m.event_specific_data.materialization]}
    return evaluation, materialised


def test_leaky_release_fails_the_blocking_check_and_stops_downstream(releases, tmp_path):
    evaluation, materialised = _run(releases.leaky, releases, tmp_path)
    assert evaluation.passed is False
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert "published" not in materialised
    assert {"train_table", "synthetic_table"} <= materialised
    meta = {k: v.value for k, v in evaluation.metadata.items()}
    assert meta["verdict"] == "high" and meta["policy_passed"] is False
    verbatim = meta["component/verbatim"]
    # 60 verbatim copies among 300 training records, none of the holdout's
    assert verbatim["status"] == "fail"
    assert verbatim["estimate"] == pytest.approx(N_COPIES / N_TRAIN)
    assert verbatim["confirmed_lower"] < N_COPIES / N_TRAIN < verbatim["certified_upper"]
    assert meta["certified_upper"] >= verbatim["certified_upper"]
    assert f"of {N_TRAIN}" in meta["certified_people"]
    report = Path(meta["report"])
    assert report.name == "report.html" and report.is_file()
    # reports/<asset key>/<run id>/
    assert report.parent.parent == tmp_path / "reports" / "synthetic_table"
    saved = json.loads((report.parent / "result.json").read_text(encoding="utf-8"))
    assert saved["verdict"] == "high"


def test_clean_release_warns_and_lets_downstream_run(releases, tmp_path):
    evaluation, materialised = _run(releases.clean, releases, tmp_path)
    assert evaluation.passed is False  # inconclusive: not certified low
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert "published" in materialised
    meta = {k: v.value for k, v in evaluation.metadata.items()}
    assert meta["verdict"] == "inconclusive" and meta["policy_passed"] is True
    assert {k for k in meta if k.startswith("component/")} >= {
        "component/verbatim", "component/closeness"}


def test_a_stricter_policy_blocks_an_inconclusive_release(releases, tmp_path):
    evaluation, materialised = _run(releases.clean, releases, tmp_path,
                                    settings={"policy.fail_on": "inconclusive"})
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert "published" not in materialised


def test_release_read_from_a_path_when_the_asset_writes_its_own_file(releases, tmp_path):
    @dg.asset
    def synthetic_file() -> None:
        return None  # the file is written elsewhere

    check = synthscan_asset_check(synthetic_file, train=releases.train, holdout=releases.holdout,
                                  synthetic_path=releases.leaky, settings=releases.overrides,
                                  reports_dir=None)
    result = dg.materialize([synthetic_file, check], raise_on_error=False,
                            instance=dg.DagsterInstance.ephemeral())
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert "report" not in evaluation.metadata


def test_the_documented_example_defines_the_check_on_the_synthetic_asset():
    spec = importlib.util.spec_from_file_location(
        "dagster_privacy", Path(__file__).resolve().parents[2] / "docs/examples/dagster_privacy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (key,) = module.privacy_check.check_keys
    assert (key.asset_key.to_user_string(), key.name) == ("synthetic_patients",
                                                           "synthscan_privacy")
    assert isinstance(module.defs, dg.Definitions)


def test_a_scan_that_cannot_run_fails_the_step_with_its_one_line_message(releases, tmp_path):
    @dg.asset
    def synthetic_table() -> pd.DataFrame:
        return pd.read_csv(releases.clean)

    check = synthscan_asset_check(synthetic_table, train=tmp_path / "missing.csv",
                                  settings=releases.overrides, reports_dir=None)
    result = dg.materialize([synthetic_table, check], raise_on_error=False,
                            instance=dg.DagsterInstance.ephemeral())
    assert not result.success
    (failure,) = result.get_step_failure_events()
    error = failure.event_specific_data.error
    assert "missing.csv" in error.message and "Traceback" not in error.message
    assert not result.get_asset_check_evaluations()
