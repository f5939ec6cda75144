"""The result as every renderer reads it: normalised as it reads back from its JSON, and the
few look-ups the documents share (the synthetic input, whether a holdout was given)."""

from __future__ import annotations

import json

from ..data.io import TableSource
from ..result import ScanResult


def normalised(result: ScanResult) -> ScanResult:
    """The result as it reads back from its JSON (numbers rounded as stored), so that a report
    rendered during the scan and one rendered later from result.json are byte-identical."""
    return ScanResult.from_dict(json.loads(result.to_json()))


def synthetic_input(result: ScanResult) -> TableSource | None:
    """The synthetic input (name, path, sha256, rows, columns)."""
    for i in result.inputs:
        if i.table == "synthetic":
            return i
    return None


def has_holdout(result: ScanResult) -> bool:
    """Whether the scan was given real records the generator never saw."""
    return any(i.table == "holdout" for i in result.inputs)


def check_label(result: ScanResult, check_id: str | None) -> str:
    """A check named by its name and id (``Membership inference (membership_inference)``)."""
    if not check_id:
        return ""
    for ch in result.checks:
        if ch.id == check_id:
            return f"{ch.name} ({ch.id})" if ch.name else ch.id
    return check_id
