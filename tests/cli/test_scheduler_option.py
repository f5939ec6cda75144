"""``--scheduler`` and ``scan(client=...)`` without the ``dask`` extra: one line naming the fix,
exit 2, before any work; and a scan without a cluster never imports dask. These tests make the
import of ``distributed`` fail, so they run (and mean the same) with or without the extra."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import run_cli

from synthscan.errors import EXIT_USAGE, UsageError

REPO = Path(__file__).resolve().parents[2]
HINT = "install synthscan[dask] (pip install 'synthscan[dask]')"


@pytest.fixture
def no_dask(monkeypatch: pytest.MonkeyPatch) -> None:
    """``import distributed`` raises ImportError, as where the extra is not installed."""
    monkeypatch.setitem(sys.modules, "distributed", None)


def test_scheduler_without_the_extra_is_a_usage_error(trio, tmp_path, no_dask):
    out = tmp_path / "report"
    res = run_cli("scan", trio["train"], trio["synthetic"], "--holdout", trio["holdout"],
                  "--scheduler", "local", "--out", out)
    assert res.returncode == EXIT_USAGE
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("synthscan: error: --scheduler: ") and lines[0].endswith(HINT)
    assert "Traceback" not in res.stderr and not out.exists()  # stopped before any work


def test_client_without_the_extra_is_a_usage_error(trio, no_dask):
    import synthscan

    with pytest.raises(UsageError) as exc:
        synthscan.scan(trio["train"], trio["synthetic"], client=object())
    assert str(exc.value).startswith("client: ") and str(exc.value).endswith(HINT)
    assert exc.value.exit_code == EXIT_USAGE and exc.value.key == "scheduler"


def test_a_scan_without_a_cluster_imports_no_dask(trio):
    # a fresh interpreter: in this one the Dask tests may have loaded it long ago
    code = ("import json, sys, synthscan, synthscan.dask_backend\n"
            "from synthscan.api import prepare\n"
            f"prepare({str(trio['train'])!r}, {str(trio['synthetic'])!r})\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=str(REPO)), check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    loaded = set(json.loads(proc.stdout))
    assert "pandas" in loaded and not loaded & {"dask", "distributed"}


def test_a_glob_input_is_read_without_a_cluster(trio, tmp_path):
    # the parts of train, read in this process: the same scan as the one file
    import pandas as pd

    parts = tmp_path / "train-parts"
    parts.mkdir()
    whole = pd.read_csv(trio["train"])
    for i, (a, b) in enumerate(((0, 25), (25, 25), (25, 60))):
        whole.iloc[a:b].to_csv(parts / f"part-{i}.csv", index=False)
    one = run_cli("scan", trio["train"], trio["synthetic"], "--holdout", trio["holdout"],
                  "--out", tmp_path / "one", "-q", "--set", "permutations=99",
                  "--set", "bootstrap=50")
    many = run_cli("scan", str(parts / "part-*.csv"), trio["synthetic"], "--holdout",
                   trio["holdout"], "--out", tmp_path / "many", "-q", "--set",
                   "permutations=99", "--set", "bootstrap=50")
    assert one.returncode == many.returncode and many.stderr == one.stderr
    a, b = (json.loads((tmp_path / d / "result.json").read_text()) for d in ("one", "many"))
    assert b["verdict"] == a["verdict"]
    assert [c["estimate"] for c in b["checks"]] == [c["estimate"] for c in a["checks"]]
    train = next(i for i in b["inputs"] if i["role"] == "train")
    assert train["name"] == str(parts / "part-*.csv") and train["rows"] == 60


def test_a_split_manifest_verifies_a_train_table_given_as_parts(trio, tmp_path):
    import pandas as pd

    split = run_cli("split", trio["train"], "--out", tmp_path / "split", "--holdout-fraction",
                    "0.3")
    assert split.returncode == 0, split.stderr
    train = next((tmp_path / "split").glob("*_train.csv"))
    holdout = next((tmp_path / "split").glob("*_holdout.csv"))
    manifest = next((tmp_path / "split").glob("*_split.json"))
    parts = tmp_path / "parts"
    parts.mkdir()
    whole = pd.read_csv(train)
    whole.iloc[:20].to_csv(parts / "part-1.csv", index=False)
    whole.iloc[20:].to_csv(parts / "part-2.csv", index=False)
    res = run_cli("scan", parts, trio["synthetic"], "--holdout", holdout, "--split-manifest",
                  manifest, "--out", tmp_path / "out", "--format", "json", "-q",
                  "--set", "permutations=99", "--set", "bootstrap=50")
    assert res.returncode in (0, 1), res.stderr
    verified = json.loads((tmp_path / "out" / "result.json").read_text())["split_verification"]
    assert "train" in verified["summary"] and "row hashes" in verified["summary"]
    # a part that is not the split's rows fails the verification
    whole.iloc[:10].to_csv(parts / "part-2.csv", index=False)
    bad = run_cli("scan", parts, trio["synthetic"], "--holdout", holdout, "--split-manifest",
                  manifest, "--out", tmp_path / "bad", "-q")
    assert bad.returncode == 2 and str(parts) in bad.stderr, bad.stderr
