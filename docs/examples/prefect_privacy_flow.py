"""Prefect 3: a flow that scans the synthetic release and publishes the verdict as artifacts.

From the repository root (pip install 'synthscan[prefect]'; without a Prefect server
configured, Prefect starts a temporary local one for the run — give it longer to start on a
slow machine with PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=120):
    python docs/examples/prefect_privacy_flow.py
"""

from prefect import flow

from synthscan.integrations.prefect import scan_release


@flow(log_prints=True)
def synthetic_release(data: str = "sample_data",
                      release: str = "synthetic_clean.csv") -> dict:
    # publishes the Markdown artifact "synthetic-release-privacy" (verdict, bounds, every check,
    # next steps, the report paths) and the table "synthetic-release-privacy-components";
    # raises PrivacyRiskError, failing the flow, when the policy fails
    summary = scan_release(f"{data}/train.csv", f"{data}/{release}",
                           holdout=f"{data}/holdout.csv", metadata=f"{data}/metadata.json",
                           settings={"policy.fail_on": "high"},
                           reports_dir="synthscan-report", artifact_key="synthetic-release-privacy")
    print(f"publishing: verdict {summary['verdict']}, certified upper bound "
          f"{summary['certified']['upper']:.2%} ({summary['certified']['in_words']})")
    return summary


if __name__ == "__main__":
    synthetic_release()
