"""The scan result: a JSON-serialisable, versioned record of everything a scan found and how.

Field names are a contract read by later tooling: ``schema_version``, ``verdict``, ``risk``,
``checks``, ``inputs``, ``schema``, ``config``, ``policy``, ``seed``, ``environment``;
run-dependent values (timings, timestamp) live in ``run`` only, so that two scans of the same
inputs with the same seed give identical JSON outside ``run``. The inputs, column schema,
configuration and policy are the scan's own typed objects, turned into JSON (and back) here.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import ScanConfig
from .data.io import TableSource
from .data.schema import Schema
from .dp_claim import DPClaim
from .errors import ConfigError, InputError, PrivacyRiskError
from .fmt import level, pct
from .model import CheckResult, Risk, SplitVerification, to_jsonable
from .risk.policy import Policy
from .types import VerdictName

SCHEMA_VERSION = "2.0"


@dataclass
class ScanResult:
    verdict: VerdictName
    risk: Risk
    checks: list[CheckResult]
    inputs: list[TableSource]
    schema: Schema
    encoding: dict[str, Any]
    config: ScanConfig
    policy: Policy
    seed: int
    environment: dict[str, Any]
    evidence: str = "holdout-calibrated"
    limitations: list[str] = field(default_factory=list)
    run: dict[str, Any] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION
    #: the split manifest train and holdout were verified against (``scan --split-manifest``)
    split_verification: SplitVerification | None = None
    #: the differential-privacy section (``scan --claimed-epsilon`` / ``--canaries``)
    dp_claim: DPClaim | None = None

    # ---------------------------------------------------------------- gates for pipelines
    @property
    def passed(self) -> bool:
        """True when the verdict does not fail the policy's ``fail_on`` level."""
        fail_on = self.policy.fail_on
        if fail_on == "never":
            return True
        if self.dp_claim is not None and self.dp_claim.refuted:
            return False  # a refuted DP claim fails the policy whatever the verdict
        if fail_on == "inconclusive":
            return self.verdict == "low"
        return self.verdict != "high"

    def failing_checks(self) -> list[CheckResult]:
        bad = {"high": {"fail"}, "inconclusive": {"fail", "warn"}, "never": set()}
        statuses = bad[self.policy.fail_on]
        return [c for c in self.checks if c.component and c.status in statuses]

    def assert_ok(self) -> None:
        """Raise ``PrivacyRiskError`` naming the failing checks when the policy fails."""
        if self.passed:
            return
        parts = []
        for c in self.failing_checks():
            d = c.decision
            bounds = ("" if d is None else
                      f", confirmed ≥ {pct(d.lower)} ({level(d.lower_level)}), certified ≤ "
                      f"{pct(d.upper)} ({level(d.upper_level)})")
            parts.append(f"{c.id} {c.status}: estimate {pct(c.estimate)}{bounds}, threshold "
                         f"{pct(c.threshold)}")
        for m in self.risk.missing:
            if self.policy.fail_on == "inconclusive":
                parts.append(f"{m.component} not decided ({m.reason})")
        if self.dp_claim is not None and self.dp_claim.refuted:
            parts.append(f"differential-privacy claim refuted: {self.dp_claim.summary}")
        raise PrivacyRiskError(f"privacy risk verdict '{self.verdict}' fails the policy "
                               f"(fail on {self.policy.fail_on}): " + "; ".join(parts))

    def check(self, check_id: str) -> CheckResult:
        for c in self.checks:
            if c.id == check_id:
                return c
        raise KeyError(check_id)

    # ---------------------------------------------------------------- serialisation
    def to_dict(self) -> dict[str, Any]:
        return to_jsonable({
            "schema_version": self.schema_version,
            "tool": {"name": "synthscan", "version": self.environment.get("synthscan")},
            "verdict": self.verdict,
            "risk": self.risk.to_dict(),
            "evidence": self.evidence,
            "checks": [c.to_dict() for c in self.checks],
            "inputs": [s.to_dict() for s in self.inputs],
            "schema": self.schema.to_dict(),
            "encoding": self.encoding,
            "config": self.config.to_dict(),
            "policy": self.policy.to_dict(),
            "seed": self.seed,
            "limitations": self.limitations,
            "split_verification": (None if self.split_verification is None
                                   else dataclasses.asdict(self.split_verification)),
            "dp_claim": None if self.dp_claim is None else self.dp_claim.to_dict(),
            "environment": self.environment,
            "run": self.run,
        })

    def to_json(self, indent: int = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, sort_keys=False, ensure_ascii=False,
                          allow_nan=False) + "\n"

    def save_json(self, path: str | Path) -> Path:
        p = Path(path)
        p.write_text(self.to_json(), encoding="utf-8")
        return p

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ScanResult:
        """A result from its ``to_dict()``, also one written by an earlier 2.x: unknown keys
        are skipped and optional ones take their defaults; a malformed one raises
        ``InputError``."""
        try:
            return cls(
                verdict=d["verdict"], risk=Risk.from_dict(d["risk"]),
                checks=[CheckResult.from_dict(c) for c in d["checks"]],
                inputs=[TableSource.from_dict(s) for s in d["inputs"]],
                schema=Schema.from_dict(d["schema"]), encoding=d.get("encoding", {}),
                config=ScanConfig.from_dict(d["config"]), policy=Policy.from_dict(d["policy"]),
                seed=d["seed"], environment=d["environment"], evidence=d.get("evidence", ""),
                limitations=d.get("limitations", []), run=d.get("run", {}),
                schema_version=d["schema_version"],
                split_verification=(SplitVerification(**d["split_verification"])
                                    if d.get("split_verification") else None),
                dp_claim=DPClaim.from_dict(d["dp_claim"]) if d.get("dp_claim") else None,
            )
        except (KeyError, TypeError, ValueError, AttributeError, ConfigError) as exc:
            raise InputError(f"not a synthscan result (missing or bad field {exc}) — pass a "
                             "result.json written by 'synthscan scan'") from None

    @classmethod
    def load(cls, path: str | Path) -> ScanResult:
        """A saved result.json; every problem is an ``InputError`` naming the file."""
        p = Path(path)
        if not p.is_file():
            raise InputError(f"{p}: no such result file — check the path")
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise InputError(f"{p.name}: not a JSON file — pass a result.json written by "
                             "'synthscan scan'") from None
        if not isinstance(data, dict) or "schema_version" not in data:
            raise InputError(f"{p.name}: not a synthscan result (no schema_version)")
        if str(data["schema_version"]).split(".")[0] != SCHEMA_VERSION.split(".")[0]:
            raise InputError(f"{p.name}: result schema {data['schema_version']} is not supported "
                             f"by this synthscan (schema {SCHEMA_VERSION}) — re-run the scan")
        try:
            return cls.from_dict(data)
        except InputError as exc:
            raise InputError(f"{p.name}: {exc}") from None
