"""Adapters that run a scan inside a data pipeline, each an optional extra.

==================  ==========================  ==============================================
module              install                     gives
==================  ==========================  ==============================================
``common``          (core)                      ``run_scan`` and the summary every adapter uses
``dagster``         ``synthscan[dagster]``      ``synthscan_asset_check``: an ``@asset_check``
``airflow``         ``synthscan[airflow]``      ``SynthscanOperator`` on ``airflow.sdk``
``prefect``         ``synthscan[prefect]``      ``scan_release``: a task publishing artifacts
==================  ==========================  ==============================================

``import synthscan`` never imports this package, and importing it loads no orchestrator: each
adapter module imports its orchestrator when it is itself imported.
"""
