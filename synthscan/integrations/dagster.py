"""Dagster: a privacy scan as an asset check on a synthetic asset (``synthscan[dagster]``).

>>> import dagster as dg
>>> from synthscan.integrations.dagster import synthscan_asset_check
>>> privacy = synthscan_asset_check(synthetic_patients, train=dg.AssetKey("train_patients"),
...                                 holdout="data/holdout.parquet")  # doctest: +SKIP

The check loads the synthetic asset's value (a DataFrame, or the path of a CSV or Parquet
file) — or reads ``synthetic_path`` instead, for an asset that writes its own file — and
scans it against the real ``train`` and ``holdout``: each an asset (``AssetKey``,
``AssetsDefinition``, ``AssetSpec``, ``SourceAsset``; its value loaded by its IO manager) or a
path or DataFrame given here.

Outcome: the check passes only on a ``low`` verdict. When the policy fails (a ``high``
verdict by default; see ``policy.fail_on``) it fails with severity ERROR, which — the check
being blocking by default — stops the assets downstream of the synthetic one; any other
verdict (``inconclusive``) fails it with severity WARN, which blocks nothing. Its metadata:
the verdict, the certified and confirmed bounds (shares, and people), each component, and
the report paths.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ExitCode, SynthscanError, UsageError
from .common import DEFAULT_FORMATS, PipelineScan, headline, require, run_scan, summarize

if TYPE_CHECKING:
    import dagster

dg: Any = require("dagster", "dagster")

#: the roles whose value may come from an asset, in the check function's parameter order
_ROLES = ("synthetic", "train", "holdout")


def _asset_key(value: Any) -> Any:
    """The asset key of an asset-like value; None for a path or a DataFrame."""
    if isinstance(value, dg.AssetKey):
        return value
    if isinstance(value, (dg.AssetsDefinition, dg.AssetSpec, dg.SourceAsset)):
        return value.key
    return None


def _table(role: str, value: Any, asset: str | None) -> Any:
    """A loaded asset value or a given input, checked to be something a scan reads."""
    if isinstance(value, (str, Path)) or hasattr(value, "columns"):
        return value
    where = f"asset {asset}" if asset else f"the {role} input"
    raise UsageError(f"{where}: gave a {type(value).__name__}, not a DataFrame or the path of a "
                     f"CSV or Parquet file — return one from the asset"
                     + (", or pass synthetic_path=" if role == "synthetic" else ""), key=role)


def _outcome(run: PipelineScan) -> tuple[bool, Any]:
    """(passed, severity): ERROR when the policy fails, WARN for any other verdict but low."""
    if not run.passed:
        return False, dg.AssetCheckSeverity.ERROR
    return run.result.verdict == "low", dg.AssetCheckSeverity.WARN


def check_metadata(run: PipelineScan) -> dict[str, Any]:
    """The check's metadata: verdict, bounds, one entry per component, the report paths."""
    s = summarize(run.result, run.reports)
    cert, conf = s["certified"], s["confirmed"]
    meta: dict[str, Any] = {
        "verdict": dg.MetadataValue.text(s["verdict"]),
        "policy_passed": dg.MetadataValue.bool(s["passed"]),
        "fail_on": dg.MetadataValue.text(s["policy"]["fail_on"]),
        "certified_upper": dg.MetadataValue.float(cert["upper"]) if cert["upper"] is not None
        else dg.MetadataValue.null(),
        "certified_people": dg.MetadataValue.text(cert["in_words"] or "n/a"),
        "confirmed_lower": dg.MetadataValue.float(conf["lower"]) if conf["lower"] is not None
        else dg.MetadataValue.null(),
    }
    for row in s["components"]:
        meta[f"component/{row['id']}"] = dg.MetadataValue.json(row)
    report = run.reports.get("html") or next(iter(run.reports.values()), None)
    if report is not None:
        meta["report"] = dg.MetadataValue.path(str(report))
        meta["reports"] = dg.MetadataValue.json(s["reports"])
    return meta


def _signature(params: Sequence[str]) -> inspect.Signature:
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    return inspect.Signature([inspect.Parameter(p, kind) for p in ("context", *params)])


def synthscan_asset_check(
    asset: Any,
    *,
    train: Any,
    holdout: Any = None,
    synthetic_path: str | Path | None = None,
    name: str = "synthscan_privacy",
    config: str | Path | None = None,
    settings: Mapping[str, Any] | None = None,
    metadata: str | Path | None = None,
    reports_dir: str | Path | None = "synthscan-report",
    formats: Sequence[str] = DEFAULT_FORMATS,
    blocking: bool = True,
    description: str | None = None,
) -> dagster.AssetChecksDefinition:
    """An asset check that scans the synthetic ``asset`` for leakage of ``train``.

    Parameters
    ----------
    asset : the synthetic asset (an ``AssetsDefinition``, ``AssetKey``, or what Dagster
        coerces to one).
    train, holdout : the real data: an asset, or a path (CSV, Parquet) or DataFrame.
    synthetic_path : read the release from this file instead of loading the asset's value.
    config, settings : a settings file, and setting keys on top (``{"policy.fail_on":
        "inconclusive"}``), as ``synthscan scan --config`` / ``--set``.
    metadata : SDV metadata JSON (column sdtypes).
    reports_dir : reports go to ``<reports_dir>/<asset key>/<run id>/`` (None: none written).
    blocking : a failed policy (severity ERROR) stops the downstream assets.
    """
    key = dg.AssetKey.from_coercible_or_definition(asset)
    given = {"train": train, "holdout": holdout}
    ins = {role: dg.AssetIn(k) for role, v in given.items() if (k := _asset_key(v)) is not None}
    params = [r for r in _ROLES if r in ins or (r == "synthetic" and synthetic_path is None)]
    names = {"synthetic": key.to_user_string(),
             **{r: ins[r].key.to_user_string() for r in ins}}

    def evaluate(context: Any, **loaded: Any) -> Any:
        tables = {r: _table(r, loaded[r], names.get(r)) if r in loaded else given.get(r)
                  for r in _ROLES}
        syn = tables["synthetic"] if "synthetic" in loaded else synthetic_path
        out = None if reports_dir is None else (
            Path(reports_dir).joinpath(*key.path) / context.run.run_id)
        try:
            run = run_scan(tables["train"], syn, tables["holdout"], config=config,
                           settings=settings, metadata=metadata, reports_dir=out,
                           formats=formats)
        except SynthscanError as exc:
            raise dg.Failure(description=str(exc), allow_retries=exc.exit_code not in (
                ExitCode.USAGE,)) from None
        context.log.info(headline(run.result))
        passed, severity = _outcome(run)
        return dg.AssetCheckResult(passed=passed, severity=severity,
                                   metadata=check_metadata(run),
                                   description=headline(run.result))

    evaluate.__signature__ = _signature(params)  # type: ignore[attr-defined]
    evaluate.__name__ = name
    return dg.asset_check(
        asset=key, name=name, blocking=blocking, additional_ins=ins,
        description=description or "Privacy risk of the synthetic release (synthscan): fails "
                                   "with severity ERROR when the policy fails, WARN when the "
                                   "verdict is inconclusive.",
    )(evaluate)
