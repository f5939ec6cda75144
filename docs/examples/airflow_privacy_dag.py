"""Airflow 3: scan each run's synthetic release before publishing it.

Put this file in your DAGs folder. To try it once in process from the repository root
(pip install 'synthscan[airflow]'; the DAG must be in the DAGs folder to be run):
    export AIRFLOW__CORE__DAGS_FOLDER=docs/examples AIRFLOW__CORE__LOAD_EXAMPLES=False
    airflow db migrate
    python docs/examples/airflow_privacy_dag.py
"""

import os

from airflow.sdk import DAG, task

from synthscan.integrations.airflow import SynthscanOperator

DATA = os.path.abspath(os.environ.get("SYNTHSCAN_DATA", "sample_data"))

with DAG(
    dag_id="synthetic_release",
    schedule=None,
    params={"data": DATA, "release": "synthetic_clean.csv"},
    default_args={"retries": 2},  # for a scan that could not run; a failed policy never retries
) as dag:
    scan = SynthscanOperator(
        task_id="privacy_scan",
        # the paths are templated
        train="{{ params.data }}/train.csv",
        synthetic="{{ params.data }}/{{ params.release }}",
        holdout="{{ params.data }}/holdout.csv",
        metadata="{{ params.data }}/metadata.json",
        settings={"policy.fail_on": "high"},
        reports_dir="synthscan-report/{{ dag.dag_id }}/{{ run_id }}",
    )

    @task
    def publish(summary: dict) -> str:
        """Runs only when the policy passed; the scan's summary arrives as its XCom."""
        upper = summary["certified"]["upper"]
        print(f"publishing: verdict {summary['verdict']}, certified upper bound {upper:.2%} "
              f"({summary['certified']['in_words']}); reports {summary['reports']['html']}")
        return summary["verdict"]

    publish(scan.output)

if __name__ == "__main__":
    run = dag.test()
    print("run state:", run.state)
