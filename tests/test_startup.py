"""Start-up stays cheap: ``import synthscan`` and ``synthscan --version`` load none of the
scan stack (pandas, FAISS, scikit-learn, scipy), the public names still resolve on first use,
and a ``Policy`` knows every built-in component whatever was imported first. Each check runs
in a fresh interpreter: in this one the stack is long loaded. No timings here (they are in
benchmarks/README.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import synthscan

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "faiss", "sklearn", "scipy", "pyarrow", "typer", "rich", "dask",
         "distributed")


def fresh(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python [args] -c code`` in a new interpreter that imports this checkout."""
    return subprocess.run([sys.executable, *args, "-c", code], cwd=REPO, capture_output=True,
                          text=True, encoding="utf-8", check=False,
                          env=dict(os.environ, PYTHONPATH=str(REPO)))


def imported(importtime_log: str) -> set[str]:
    """The top-level packages a ``python -X importtime`` run imported (from its stderr)."""
    return {line.split("|")[-1].strip().split(".")[0]
            for line in importtime_log.splitlines() if line.startswith("import time:")}


def test_import_synthscan_loads_none_of_the_scan_stack():
    proc = fresh("import json, sys, synthscan; print(json.dumps(list(sys.modules)))")
    assert proc.returncode == 0, proc.stderr
    loaded = {m.split(".")[0] for m in json.loads(proc.stdout)}
    assert "synthscan" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_version_is_printed_without_typer_or_the_scan_stack():
    proc = fresh("from synthscan.cli import main; import sys; sys.argv = ['synthscan', "
                 "'--version']; main()", "-X", "importtime")
    assert proc.returncode == 0
    assert proc.stdout == f"synthscan {synthscan.__version__}\n"
    assert imported(proc.stderr).isdisjoint(HEAVY), sorted(imported(proc.stderr) & set(HEAVY))


def test_help_does_not_load_the_scan_stack():
    proc = fresh("from synthscan.cli import main; import sys; sys.argv = ['synthscan', 'scan', "
                 "'--help']; main()", "-X", "importtime")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "--holdout" in proc.stdout
    assert imported(proc.stderr).isdisjoint({"pandas", "numpy", "faiss", "sklearn", "scipy"})


def test_every_public_name_resolves_to_its_home():
    from synthscan import api, comparison, config, errors, result, settings
    from synthscan.risk import policy

    homes = {"scan": api, "prepare": api, "ScanConfig": config, "ScanResult": result,
             "Policy": policy, "Settings": settings, "load_settings": settings,
             "compare": comparison}
    for name in synthscan.__all__:
        if name == "__version__":
            continue
        namespace: dict[str, object] = {}
        exec(f"from synthscan import {name}", namespace)  # the form users write
        assert namespace[name] is getattr(homes.get(name, errors), name), name
        assert name in dir(synthscan)
    assert not hasattr(synthscan, "nope")  # an unknown name is an AttributeError


def test_cli_app_is_loaded_on_first_use():
    import synthscan.cli as cli
    from synthscan.cli._app import app

    assert cli.app is app
    assert not hasattr(cli, "nope")


@pytest.mark.parametrize("first", ["import synthscan.risk.policy as p; Policy = p.Policy",
                                   "from synthscan import Policy"])
def test_a_policy_knows_every_component_whatever_was_imported_first(first):
    from synthscan.attacks.registry import CHECKS
    from synthscan.canaries import CANARY_ID

    # the canary test runs only with a manifest (not in CHECKS); the registry declares it too
    declared = {c.id for c in CHECKS if c.component or c.detection_only} | {CANARY_ID}
    proc = fresh(f"{first}; import json, sys; p = Policy(); c = Policy('controlled-access'); "
                 "print(json.dumps([sorted(p.thresholds), sorted(c.thresholds)]))")
    assert proc.returncode == 0, proc.stderr
    public, controlled = json.loads(proc.stdout)
    assert set(public) == set(controlled) == declared
    assert "closeness" in declared and "membership_inference" in declared
