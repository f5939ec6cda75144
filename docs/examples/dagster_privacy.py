"""Dagster: a privacy check on the synthetic release, blocking its publication when it fails.

From the repository root (pip install 'synthscan[dagster]'):
    dagster dev -f docs/examples/dagster_privacy.py    # the UI, with the check on the asset
    python docs/examples/dagster_privacy.py            # one run in process
"""

from pathlib import Path

import dagster as dg
import pandas as pd

from synthscan.integrations.dagster import synthscan_asset_check

DATA = Path("sample_data")


@dg.asset
def train_patients() -> pd.DataFrame:
    """The real records the generator was trained on."""
    return pd.read_csv(DATA / "train.csv")


@dg.asset
def synthetic_patients() -> pd.DataFrame:
    """The synthetic release (read from a file here; the generator's output in a pipeline)."""
    return pd.read_csv(DATA / "synthetic_leaky.csv")


@dg.asset(deps=[synthetic_patients])
def published_release() -> None:
    """Publishes the release: runs only when the privacy check did not fail with ERROR."""


privacy_check = synthscan_asset_check(
    synthetic_patients,
    train=train_patients,  # an asset: its value is loaded by its IO manager
    holdout=DATA / "holdout.csv",  # or a path (CSV, Parquet), or a DataFrame
    metadata=DATA / "metadata.json",
    settings={"policy.fail_on": "high"},  # setting keys, as `synthscan scan --set`
    reports_dir="synthscan-report",  # reports in synthscan-report/synthetic_patients/<run id>/
)

defs = dg.Definitions(assets=[train_patients, synthetic_patients, published_release],
                      asset_checks=[privacy_check])

if __name__ == "__main__":
    result = dg.materialize([train_patients, synthetic_patients, published_release,
                             privacy_check], raise_on_error=False)
    for evaluation in result.get_asset_check_evaluations():
        meta = evaluation.metadata
        print(f"verdict {meta['verdict'].value}: check passed={evaluation.passed}, severity "
              f"{evaluation.severity.value}; certified {meta['certified_people'].value}; "
              f"report {meta['report'].value}")
    published = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()
                 for e in [e.event_specific_data.materialization]}
    print("published_release materialised:", "published_release" in published)
