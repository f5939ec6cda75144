"""The Airflow 3 operator: ``execute()`` on a passing and a failing release, a refused setting,
and one ``dag.test()`` run (in process, on a temporary SQLite metadata database; no scheduler
or API server) where the failed policy fails the task once, without its retries, with the
summary in XCom and the reports in the templated directory. Runs where Airflow is installed
(``.ci/run`` makes a virtualenv for it)."""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from _releases import N_COPIES, N_TRAIN

if importlib.util.find_spec("airflow") is None:
    pytest.skip("Airflow is not installed (pip install 'synthscan[airflow]')",
                allow_module_level=True)

# Airflow reads its home when first imported: a throwaway one, never the developer's
HOME = Path(tempfile.mkdtemp(prefix="synthscan-airflow-"))
atexit.register(shutil.rmtree, HOME, True)
os.environ.update({"AIRFLOW_HOME": str(HOME), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                   "AIRFLOW__CORE__DAGS_FOLDER": str(HOME / "dags")})

from airflow.sdk.exceptions import AirflowFailException  # noqa: E402

from synthscan.integrations.airflow import SUMMARY_KEY, SynthscanOperator  # noqa: E402


def _operator(releases, release, reports: Path | None, **kwargs) -> SynthscanOperator:
    return SynthscanOperator(task_id="privacy_scan", train=str(releases.train),
                             synthetic=str(release), holdout=str(releases.holdout),
                             config=str(releases.settings), reports_dir=reports, **kwargs)


def test_execute_returns_the_summary_of_a_passing_release(releases, tmp_path):
    summary = _operator(releases, releases.clean, tmp_path).execute(context={})
    assert summary["verdict"] == "inconclusive" and summary["passed"] is True
    assert json.loads(json.dumps(summary, allow_nan=False)) == summary  # a valid XCom
    assert {c["id"] for c in summary["components"]} >= {"verbatim", "closeness"}
    for fmt, name in (("json", "result.json"), ("html", "report.html"), ("md", "report.md"),
                      ("sarif", "results.sarif")):
        assert summary["reports"][fmt] == str(tmp_path / name)
        assert (tmp_path / name).is_file()


def test_execute_fails_a_leaky_release(releases, tmp_path):
    op = _operator(releases, releases.leaky, tmp_path, retries=3)
    with pytest.raises(AirflowFailException, match="verbatim fail: estimate 20.00%"):
        op.execute(context={})
    saved = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert saved["verdict"] == "high"
    verbatim = next(c for c in saved["checks"] if c["id"] == "verbatim")
    assert verbatim["estimate"] == pytest.approx(N_COPIES / N_TRAIN)


def test_a_refused_setting_fails_the_task_with_its_key(releases):
    op = _operator(releases, releases.clean, None, settings={"policy.fail_on": "sometimes"})
    with pytest.raises(AirflowFailException, match="policy.fail_on"):
        op.execute(context={})


def test_paths_are_template_fields():
    assert {"train", "synthetic", "holdout", "config", "metadata", "reports_dir"} <= set(
        SynthscanOperator.template_fields)


DAG_FILE = '''
from airflow.sdk import DAG, task
from synthscan.integrations.airflow import SynthscanOperator

with DAG("synthscan_smoke", schedule=None, default_args={{"retries": 2}}) as dag:
    scan = SynthscanOperator(task_id="privacy_scan", train={train!r}, synthetic={leaky!r},
                             holdout={holdout!r}, config={settings!r},
                             reports_dir={reports!r} + "/{{{{ dag.dag_id }}}}/{{{{ run_id }}}}")

    @task
    def publish():
        return "published"

    scan >> publish()
'''


def test_dag_test_fails_the_task_once_and_keeps_the_summary(releases):
    from airflow.utils import db

    db.initdb()
    dags = HOME / "dags"
    dags.mkdir(exist_ok=True)
    reports = HOME / "reports"
    path = dags / "synthscan_smoke.py"
    path.write_text(DAG_FILE.format(train=str(releases.train), leaky=str(releases.leaky),
                                    holdout=str(releases.holdout),
                                    settings=str(releases.settings), reports=str(reports)),
                    encoding="utf-8")
    spec = importlib.util.spec_from_file_location("synthscan_smoke", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["synthscan_smoke"] = module
    spec.loader.exec_module(module)

    run = module.dag.test()
    states = {ti.task_id: ti for ti in run.get_task_instances()}
    assert run.state == "failed"
    scan = states["privacy_scan"]
    assert scan.state == "failed" and scan.try_number == 1  # retries=2 were not used
    assert states["publish"].state == "upstream_failed"
    summary = scan.xcom_pull(task_ids="privacy_scan", key=SUMMARY_KEY)
    assert summary["verdict"] == "high" and summary["passed"] is False
    # the templated reports directory: <reports>/<dag id>/<run id>/
    written = Path(summary["reports"]["json"])
    assert written.parent == reports / "synthscan_smoke" / run.run_id
    assert written.is_file()


def test_the_documented_example_dag_parses():
    path = Path(__file__).resolve().parents[2] / "docs" / "examples" / "airflow_privacy_dag.py"
    spec = importlib.util.spec_from_file_location("airflow_privacy_dag", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.dag.dag_id == "synthetic_release"
    scan = module.dag.get_task("privacy_scan")
    assert isinstance(scan, SynthscanOperator)
    assert scan.synthetic == "{{ params.data }}/{{ params.release }}"
    assert [t.task_id for t in scan.downstream_list] == ["publish"]
