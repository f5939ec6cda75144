"""Prefect 3: a privacy scan as a task that publishes artifacts (``synthscan[prefect]``).

>>> from prefect import flow
>>> from synthscan.integrations.prefect import scan_release
>>> @flow
... def release(day: str):
...     summary = scan_release(f"/data/{day}/train.parquet", f"/data/{day}/synthetic.parquet",
...                            holdout=f"/data/{day}/holdout.parquet")  # doctest: +SKIP

``scan_release`` scans, then publishes two artifacts under ``artifact_key``: the Markdown
report (the verdict, the bounds, every check, what did not run, the limitations and where the
reports are), and a table of the risk components (``<artifact_key>-components``). It
returns the scan's summary (``synthscan.integrations.common.summarize``). When the policy
fails it raises ``PrivacyRiskError`` (exit code 1) after publishing, which fails the task
run — unless ``raise_on_failure=False``, for a flow that decides from the summary itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..fmt import pct
from .common import (
    DEFAULT_FORMATS,
    PipelineScan,
    components,
    headline,
    markdown_summary,
    require,
    run_scan,
)

if TYPE_CHECKING:
    from ..api import TableLike

_prefect: Any = require("prefect", "prefect")
_artifacts: Any = require("prefect.artifacts", "prefect")
_NO_CACHE: Any = require("prefect.cache_policies", "prefect").NO_CACHE

DEFAULT_KEY = "synthscan-privacy"
_KEY = re.compile(r"^[a-z0-9-]{1,100}$")


def component_table(run: PipelineScan) -> list[dict[str, str]]:
    """One row per risk component, its figures as percentages."""
    return [{"component": row["id"], "status": row["status"],
             "estimate": pct(row["estimate"]),
             "confirmed ≥": pct(row["confirmed_lower"]),
             "certified ≤": pct(row["certified_upper"]),
             "threshold": pct(row["threshold"]),
             "note": row.get("reason", "")}
            for row in components(run.result)]


def publish(run: PipelineScan, key: str = DEFAULT_KEY) -> None:
    """The Markdown artifact ``key`` and the table artifact ``<key>-components``."""
    outcome = "passed" if run.passed else "FAILED"
    _artifacts.create_markdown_artifact(
        markdown=markdown_summary(run.result, run.reports), key=key,
        description=f"synthscan privacy scan: {run.result.verdict} (policy {outcome})")
    _artifacts.create_table_artifact(
        table=component_table(run), key=f"{key}-components",
        description="synthscan risk components: estimate, decision bounds, threshold")


def _scan_release(train: TableLike, synthetic: TableLike, holdout: TableLike | None = None, *,
                  config: str | Path | None = None, settings: Mapping[str, Any] | None = None,
                  metadata: str | Path | None = None, reports_dir: str | Path | None = None,
                  formats: Sequence[str] = DEFAULT_FORMATS, artifact_key: str = DEFAULT_KEY,
                  raise_on_failure: bool = True) -> dict[str, Any]:
    """Scan a synthetic release, publish its artifacts, return its summary; raise
    ``PrivacyRiskError`` when the policy fails (unless ``raise_on_failure`` is false).

    ``config`` is a settings file, ``settings`` setting keys on top (``{"policy.fail_on":
    "inconclusive"}``); ``reports_dir`` (None: no files) receives ``formats``;
    ``artifact_key`` holds lowercase letters, digits and dashes."""
    if not _KEY.match(artifact_key):
        raise UsageError(f"artifact_key {artifact_key!r}: Prefect keys hold lowercase letters, "
                         "digits and dashes only — e.g. 'synthscan-privacy'", key="artifact_key")
    logger = _prefect.get_run_logger()
    run = run_scan(train, synthetic, holdout, config=config, settings=settings,
                   metadata=metadata, reports_dir=reports_dir, formats=formats,
                   progress=logger.debug)
    publish(run, artifact_key)
    logger.info(headline(run.result))
    if raise_on_failure:
        run.result.assert_ok()
    return run.summary()


#: the task; ``scan_release.with_options(...)`` changes its name, retries, tags...
scan_release = _prefect.task(_scan_release, name="synthscan-scan", cache_policy=_NO_CACHE)
