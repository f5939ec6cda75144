"""Airflow 3: a privacy scan as a task (``synthscan[airflow]``).

>>> from synthscan.integrations.airflow import SynthscanOperator
>>> scan = SynthscanOperator(task_id="privacy_scan", train="/data/{{ ds }}/train.parquet",
...                          synthetic="/data/{{ ds }}/synthetic.parquet",
...                          holdout="/data/{{ ds }}/holdout.parquet",
...                          reports_dir="/reports/{{ dag.dag_id }}/{{ run_id }}")  # doctest: +SKIP

The task scans, writes the reports into ``reports_dir``, and returns the scan's summary
(``synthscan.integrations.common.summarize``: verdict, certified bound, components, report
paths) as its XCom. When the policy fails it pushes the same summary under the key
``synthscan_summary`` and raises ``AirflowFailException``: the task fails without retries (a
scan of the same data gives the same verdict). A setting or input the scan refuses (exit 2)
fails the same way; a scan that could not run (exit 3: an unreadable file, too little memory)
raises its own error, which the task's retries may retry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import ExitCode, SynthscanError
from .common import DEFAULT_FORMATS, headline, require, run_scan

_sdk: Any = require("airflow.sdk", "airflow")
AirflowFailException: Any = require("airflow.sdk.exceptions", "airflow").AirflowFailException

#: the XCom key of the summary pushed before a failed policy fails the task
SUMMARY_KEY = "synthscan_summary"


class SynthscanOperator(_sdk.BaseOperator):  # type: ignore[misc]
    """Scan a synthetic release for leakage of its real training records.

    Parameters
    ----------
    train, synthetic, holdout : paths of CSV or Parquet files (templated).
    config : a settings file, TOML or YAML (templated); ``settings``: setting keys on top,
        e.g. ``{"policy.fail_on": "inconclusive"}`` (templated).
    metadata : SDV metadata JSON (templated).
    reports_dir : where the reports are written (templated; None: nowhere). The default
        is relative to the worker's working directory: give a shared location.
    formats : report formats (json, html, md, sarif, junit).
    """

    template_fields: Sequence[str] = ("train", "synthetic", "holdout", "config", "settings",
                                      "metadata", "reports_dir")
    ui_color = "#e8f1fa"

    def __init__(self, *, train: str | Path, synthetic: str | Path,
                 holdout: str | Path | None = None, config: str | Path | None = None,
                 settings: Mapping[str, Any] | None = None, metadata: str | Path | None = None,
                 reports_dir: str | Path | None = "synthscan-report/{{ dag.dag_id }}/{{ run_id }}",
                 formats: Sequence[str] = DEFAULT_FORMATS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.train, self.synthetic, self.holdout = train, synthetic, holdout
        self.config, self.settings, self.metadata = config, dict(settings or {}), metadata
        self.reports_dir, self.formats = reports_dir, tuple(formats)

    def execute(self, context: Any) -> dict[str, Any]:
        try:
            run = run_scan(self.train, self.synthetic, self.holdout, config=self.config,
                           settings=self.settings, metadata=self.metadata,
                           reports_dir=self.reports_dir, formats=self.formats,
                           progress=lambda message: self.log.debug("%s", message))
        except SynthscanError as exc:
            if exc.exit_code == ExitCode.USAGE:
                raise AirflowFailException(str(exc)) from None
            raise
        self.log.info(headline(run.result))
        summary = run.summary()
        if not run.passed:
            ti = context.get("ti") if isinstance(context, Mapping) else None
            if ti is not None:
                ti.xcom_push(key=SUMMARY_KEY, value=summary)
            raise AirflowFailException(run.failure_message())
        return summary
