"""The verifiable split: Bernoulli and shuffle splits, the manifest's canonical row hashes, and
``scan --split-manifest`` (a CSV round trip verifies; a changed, swapped or foreign file is a
one-line usage error naming the file, never quoting a value)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_runner import run_cli

import synthscan
from synthscan.data.io import load_table
from synthscan.data.manifest import canonical_cells, read_manifest, row_hashes, verify_split
from synthscan.data.split import holdout_mask, split_holdout
from synthscan.datasets import simulate_population
from synthscan.errors import ExitCode, UsageError

SECRET = "Zebulon-Quartz-4471"  # a distinctive cell value that must never be printed


def test_bernoulli_split_is_independent_per_row_and_shuffle_is_fixed_size():
    n, q = 2000, 0.5
    sizes = [int(holdout_mask(n, q, s, "bernoulli").sum()) for s in range(30)]
    sd = (n * q * (1 - q)) ** 0.5
    assert len(set(sizes)) > 5  # random sizes, not a fixed count
    assert all(abs(k - n * q) < 5 * sd for k in sizes)
    assert abs(np.mean(sizes) - n * q) < 4 * sd / 30**0.5
    assert {int(holdout_mask(n, 0.2, s).sum()) for s in range(5)} == {400}
    assert (holdout_mask(n, q, 3, "bernoulli") == holdout_mask(n, q, 3, "bernoulli")).all()
    df = pd.DataFrame({"i": range(50)})
    train, hold = split_holdout(df, 0.3, 1, "bernoulli")
    assert sorted([*train["i"], *hold["i"]]) == list(range(50))
    with pytest.raises(UsageError, match="unknown split method"):
        holdout_mask(10, 0.5, 0, "stratified")
    help_text = " ".join(run_cli("split", "--help").stdout.split())
    assert "--method bernoulli" in help_text and "--holdout-fraction 0.5" in help_text


def test_canonical_cells_survive_a_csv_round_trip():
    assert list(canonical_cells(pd.Series([23.0, np.nan, -0.0]))) == ["n:23", "m", "n:0"]
    assert list(canonical_cells(pd.Series(["23.0", "1.50", "NA", "", "true", "x"]))) == [
        "n:23", "n:1.5", "m", "m", "b:1", "s:x"]
    assert list(canonical_cells(pd.Series([1.5, 2]))) == ["n:1.5", "n:2"]
    # a long digit string (an id) stays text: as a float it would merge with its neighbours
    long = ["12345678901234567890", "12345678901234567891"]
    assert canonical_cells(pd.Series(long))[0] != canonical_cells(pd.Series(long))[1]
    a = pd.DataFrame({"x": [1, 2], "y": ["a", None]})
    b = pd.DataFrame({"y": ["a", ""], "x": ["1.0", "2"]})  # reordered, re-typed, blank = missing
    assert row_hashes(a, b"s") == row_hashes(b, b"s") != row_hashes(a, b"t")


def _split(tmp_path: Path, seed: int = 11) -> Path:
    pop = simulate_population(300, 5)
    pop.loc[7, "occupation"] = SECRET
    tmp_path.mkdir(exist_ok=True)
    src = tmp_path / "people.csv"
    pop.to_csv(src, index=False)
    out = tmp_path / "split"
    proc = run_cli("split", src, "--holdout-fraction", "0.5", "--method", "bernoulli",
                   "--seed", str(seed), "--out", out)
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert "people_split.json" in proc.stderr
    return out


def _tables(train: Path, holdout: Path) -> dict:
    return {side: (p, load_table(p, side)[1]) for side, p in (("train", train),
                                                            ("holdout", holdout))}


def test_manifest_records_the_split_and_verifies_a_round_trip(tmp_path):
    out = _split(tmp_path)
    text = (out / "people_split.json").read_text()
    ids = simulate_population(300, 5)["person_id"]
    assert SECRET not in text and not any(i in text for i in ids)
    m = read_manifest(out / "people_split.json")
    raw = json.loads(text)
    assert (m.method, m.seed, m.holdout_fraction) == ("bernoulli", 11, 0.5)
    assert raw["training_inclusion_probability"] == 0.5 and raw["created"] and raw["synthscan"]
    n_t, n_h = m.sides["train"].rows, m.sides["holdout"].rows
    assert n_t + n_h == 300 and len(m.sides["train"].row_hashes) == n_t
    # a re-save by pandas: rows shuffled, columns reversed, numbers re-formatted
    tr = pd.read_csv(out / "people_train.csv")
    tr = tr.sample(frac=1, random_state=0)[tr.columns[::-1]]
    tr["age"] = tr["age"].astype(float)  # written back as "34.0"
    tr.to_csv(tmp_path / "resaved.csv", index=False)
    v = verify_split(out / "people_split.json",
                     _tables(tmp_path / "resaved.csv", out / "people_holdout.csv"))
    assert (v.train_matched_by, v.holdout_matched_by) == ("row hashes", "file digest")
    assert (v.train_rows, v.holdout_rows, v.method) == (n_t, n_h, "bernoulli")
    assert "people_split.json" in v.summary
    # two changed rows: the side, the file and the counts are named, never a value
    tr.iloc[:2, tr.columns.get_loc("occupation")] = SECRET
    tr.to_csv(tmp_path / "changed.csv", index=False)
    with pytest.raises(UsageError) as info:
        verify_split(out / "people_split.json",
                     _tables(tmp_path / "changed.csv", out / "people_holdout.csv"))
    msg = str(info.value)
    assert msg.startswith("changed.csv: does not match the train side")
    assert f"2 of its {n_t} rows" in msg and f"2 of the {n_t} rows" in msg
    assert SECRET not in msg and "\n" not in msg
    with pytest.raises(UsageError, match="swapped"):
        verify_split(out / "people_split.json",
                     _tables(out / "people_holdout.csv", out / "people_train.csv"))


def test_scan_verifies_the_manifest_and_records_it(tmp_path):
    out = _split(tmp_path)
    train, hold = out / "people_train.csv", out / "people_holdout.csv"
    synth = tmp_path / "synthetic.csv"
    simulate_population(200, 99).to_csv(synth, index=False)
    only = ("--set", 'checks=["holdout_validity", "verbatim"]', "--format", "json")
    proc = run_cli("scan", train, synth, "--holdout", hold, "--split-manifest",
                   out / "people_split.json", "--out", tmp_path / "r", *only)
    assert proc.returncode == ExitCode.OK, proc.stderr
    r = json.loads((tmp_path / "r" / "result.json").read_text())
    assert r["split_verification"]["train_matched_by"] == "file digest"
    hv = next(c for c in r["checks"] if c["id"] == "holdout_validity")
    assert "people_split.json" in hv["details"]["split_manifest"]
    back = synthscan.ScanResult.from_dict(r)
    assert back.split_verification is not None and back.split_verification.seed == 11
    # the holdout file of another split: exit 2, one line naming the file
    other = _split(tmp_path / "o", seed=12)
    proc = run_cli("scan", train, synth, "--holdout", other / "people_holdout.csv",
                   "--split-manifest", out / "people_split.json", "--out", tmp_path / "x", *only)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == ExitCode.USAGE and len(lines) == 1
    assert "people_holdout.csv: does not match the holdout side" in lines[0]
    assert SECRET not in proc.stderr and not (tmp_path / "x" / "result.json").exists()


@pytest.mark.parametrize("content", ["{not json", json.dumps({"format": "other"})])
def test_an_unreadable_manifest_is_a_usage_error(tmp_path, content):
    bad = tmp_path / "m.json"
    bad.write_text(content)
    frame = simulate_population(50, 1)
    with pytest.raises(UsageError, match=r"^m\.json: not a split manifest"):
        synthscan.scan(frame, frame, holdout=frame, split_manifest=bad,
                       config=synthscan.ScanConfig(checks=["verbatim"]))
    with pytest.raises(UsageError, match="pass the holdout file too"):
        synthscan.scan(frame, frame, split_manifest=bad,
                       config=synthscan.ScanConfig(checks=["verbatim"]))
