"""No personal data in any output, and byte-identical results for the same inputs and seed.

Real records carry unique sentinel values (rare categories, a free-text column, distinctive
numbers). A full scan through the command line's entry point (in process; the one real
subprocess is in tests/cli/test_cli_contract.py) — every check, every report format, the summary
on stderr, the re-rendered reports — must not contain any of them. The synthetic release copies
some real records, so the sentinels are in the synthetic data too: a copy of a person is
personal data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from cli_runner import run_cli

import synthscan
from synthscan.datasets import simulate_population

N = 700


def sentinel_tables(seed: int = 5) -> tuple[dict[str, pd.DataFrame], list[str]]:
    pop = simulate_population(3 * N, seed)
    pop = pop.drop(columns=["person_id"])
    rng = np.random.default_rng(seed)
    sentinels: list[str] = []
    # a free-text column: every record its own sentinel (an identifier-like column)
    pop.insert(0, "note", [f"ZQXNOTE{i:05d}QZ" for i in range(len(pop))])
    sentinels += ["ZQXNOTE"]
    # rare categorical sentinels: each value held by one to three records
    rows = rng.choice(2 * N - 1, 40, replace=False)  # real records only
    for j, r in enumerate(rows):
        value = f"ZQXOCC{j:02d}QZ"
        pop.loc[r, "occupation"] = value
        if j % 3 == 0:  # a few shared by a second record
            pop.loc[r + 1, "occupation"] = value
    sentinels += ["ZQXOCC"]
    # distinctive numbers: outlying incomes and a sentinel age
    pop.loc[rows[:5], "income"] = 9876543.21
    pop.loc[rows[5:8], "bmi"] = 77.7123
    sentinels += ["9876543", "77.712"]
    train = pop.iloc[:N].reset_index(drop=True)
    hold = pop.iloc[N:2 * N].reset_index(drop=True)
    synth = pop.iloc[2 * N:].reset_index(drop=True).drop(columns=["note"])
    synth["note"] = [f"fresh{i}" for i in range(len(synth))]
    synth = synth[train.columns]
    # a leaky release: 15% of it are verbatim training records, sentinels included
    copies = rng.choice(N, int(0.15 * N), replace=False)
    synth.iloc[: len(copies)] = train.iloc[copies].to_numpy()
    return {"train": train, "holdout": hold, "synthetic": synth}, sentinels


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict:
    d = tmp_path_factory.mktemp("sentinel")
    tables, sentinels = sentinel_tables()
    paths = {}
    for role, df in tables.items():
        paths[role] = d / f"{role}.csv"
        df.to_csv(paths[role], index=False)
    # the sentinels really are in the inputs
    for s in sentinels:
        assert s in paths["train"].read_text() or s in paths["holdout"].read_text()
    out = d / "out"
    proc = run_cli("scan", paths["train"], paths["synthetic"], "--holdout", paths["holdout"],
                   "--out", out, "--format", "json,html,md,sarif,junit",
                   "--set", "permutations=199", "--set", "bootstrap=100")
    rerender = d / "again"
    proc2 = run_cli("report", out / "result.json", "--format", "html,md,sarif,junit",
                    "--out", rerender)
    return {"proc": proc, "proc2": proc2, "out": out, "rerender": rerender,
            "sentinels": sentinels}


def test_no_sentinel_in_any_output_or_on_stderr(scanned):
    proc, proc2 = scanned["proc"], scanned["proc2"]
    assert proc.returncode == 1, proc.stderr  # the leak is found ...
    assert proc2.returncode == 0, proc2.stderr
    texts = {"stderr (scan)": proc.stderr, "stdout (scan)": proc.stdout,
             "stderr (report)": proc2.stderr}
    for folder in (scanned["out"], scanned["rerender"]):
        for f in sorted(folder.iterdir()):
            texts[f.name + " in " + folder.name] = f.read_text(encoding="utf-8")
    assert len(texts) >= 3 + 5 + 4
    for where, text in texts.items():
        for s in scanned["sentinels"]:
            assert s not in text, f"{s!r} found in {where}"
    result = json.loads((scanned["out"] / "result.json").read_text())
    # ... by checks that had the sentinel-bearing records in hand
    ran = {c["id"] for c in result["checks"] if c["status"] not in ("skipped", "error")}
    assert {"exact_copies", "nearest_record_share", "singling_out", "linkability"} <= ran
    assert result["verdict"] == "high"


def _without_run(path_or_result) -> dict:
    d = (path_or_result.to_dict() if hasattr(path_or_result, "to_dict")
         else json.loads(Path(path_or_result).read_text()))
    d.pop("run", None)
    return d


def test_same_inputs_and_seed_give_identical_results_on_one_or_two_threads(tmp_path):
    tables, _ = sentinel_tables(seed=8)
    cfg: dict[str, Any] = dict(seed=3, permutations=199, bootstrap=100)
    results: list[str] = []
    for threads in (1, 2):
        r = synthscan.scan(tables["train"], tables["synthetic"], holdout=tables["holdout"],
                           config=synthscan.ScanConfig(threads=threads, **cfg))
        p = tmp_path / f"r{len(results)}.json"
        r.save_json(p)
        d = _without_run(p)
        d["config"].pop("threads")
        results.append(json.dumps(d, sort_keys=True))
    # byte-identical apart from run (timings, timestamp), whatever the thread count
    assert results[0] == results[1]
    other = synthscan.scan(tables["train"], tables["synthetic"], holdout=tables["holdout"],
                           config=synthscan.ScanConfig(threads=2, **{**cfg, "seed": 4}))
    assert json.dumps(_without_run(other), sort_keys=True) != results[1]  # the seed matters
