"""Canaries: planting writes the original rows plus the included canaries and a private
manifest; canaries are fictitious outliers, never a training record; a release that copies
the included canaries is ``high`` and refutes ε = 1, a clean release is neither; bad manifests
and options exit 2 with a message naming the file, column or flag."""

from __future__ import annotations

import json
import math
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_runner import run_cli

from synthscan.api import scan
from synthscan.canaries.manifest import read_manifest
from synthscan.canaries.plant import MANIFEST_NAME, MIN_LEVEL_ROWS, plant
from synthscan.config import ScanConfig
from synthscan.datasets import simulate_population
from synthscan.errors import ExitCode, UsageError

N_TRAIN, N_HOLDOUT, N_SYNTH, N_CANARIES = 600, 400, 600, 50
NUMERIC = ["age", "years_education", "n_children", "hours_per_week", "income", "bmi"]
CATEGORICAL = ["sex", "region", "education", "occupation", "marital_status", "smoker"]


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("canaries")
    pop = simulate_population(N_TRAIN + N_HOLDOUT + N_SYNTH, 21)
    paths = {"train": d / "train.csv", "holdout": d / "holdout.csv", "clean": d / "clean.csv"}
    pop.iloc[:N_TRAIN].to_csv(paths["train"], index=False)
    pop.iloc[N_TRAIN:N_TRAIN + N_HOLDOUT].to_csv(paths["holdout"], index=False)
    pop.iloc[N_TRAIN + N_HOLDOUT:].to_csv(paths["clean"], index=False)
    done = plant(paths["train"], N_CANARIES, d / "handover", seed=11)
    paths["handed"], paths["manifest"] = done.handed_over, done.manifest
    # a release that copies every handed-over canary in place of synthetic rows
    manifest = json.loads(done.manifest.read_text(encoding="utf-8"))
    copies = pd.DataFrame([c["values"] for c in manifest["canaries"] if c["included"]])
    clean = pd.read_csv(paths["clean"], dtype=str, keep_default_na=False)
    leaky = pd.concat([clean.iloc[len(copies):], copies], ignore_index=True)
    paths["leaky"] = d / "leaky.csv"
    leaky.to_csv(paths["leaky"], index=False)
    return paths


def _scan(p: dict[str, Path], release: str):
    cfg = ScanConfig(checks=["verbatim"], dp_claim={"epsilon": 1.0}, threads=1)
    return scan(p["train"], p[release], holdout=p["holdout"], config=cfg,
                canaries=p["manifest"])


def test_handed_over_file_is_the_original_plus_the_included_canaries(planted):
    m = read_manifest(planted["manifest"])
    original = planted["train"].read_text(encoding="utf-8").splitlines()
    handed = planted["handed"].read_text(encoding="utf-8").splitlines()
    rows = {c.row: c for c in m.included}
    assert len(handed) == len(original) + len(rows) and None not in rows
    assert [line for i, line in enumerate(handed[1:]) if i not in rows] == original[1:]
    header = handed[0].split(",")
    for row, c in rows.items():
        assert handed[row + 1].split(",") == [c.values[h] for h in header]
    assert 0 < len(m.included) < N_CANARIES and len(m.canaries) == N_CANARIES
    assert m.handed_over["rows"] == N_TRAIN + len(m.included)


def test_canaries_are_fictitious_outliers_never_training_records(planted):
    m = read_manifest(planted["manifest"])
    train = pd.read_csv(planted["train"])
    canaries = pd.DataFrame([c.values for c in m.canaries])
    for col in NUMERIC:
        canaries[col] = pd.to_numeric(canaries[col])
    beyond = np.zeros(len(canaries), bool)
    for col in NUMERIC:
        beyond |= canaries[col].to_numpy() > train[col].max()
    dates = pd.to_datetime(canaries["signup_date"]) > pd.to_datetime(train["signup_date"]).max()
    assert (beyond | dates.to_numpy()).all()  # every canary is out of range somewhere
    for col in CATEGORICAL:
        counts = train[col].value_counts()
        assert set(canaries[col]) <= set(counts.index[counts >= MIN_LEVEL_ROWS]), col
    assert not set(canaries["person_id"]) & set(train["person_id"])
    both = train[NUMERIC + CATEGORICAL].merge(canaries[NUMERIC + CATEGORICAL], how="inner")
    assert both.empty
    assert len(canaries.drop_duplicates()) == N_CANARIES


def test_manifest_is_private_and_says_so(planted):
    mode = stat.S_IMODE(planted["manifest"].stat().st_mode)
    assert mode & 0o077 == 0
    data = json.loads(planted["manifest"].read_text(encoding="utf-8"))
    assert data["secret"].startswith("SECRET") and data["seed"] == 11
    assert data["inclusion_probability"] == 0.5


def test_a_release_copying_the_included_canaries_is_high_and_refutes_epsilon_1(planted):
    r = _scan(planted, "leaky")
    c = r.check("canaries")
    n_in = c.counts["included"]
    assert c.status == "fail" and r.verdict == "high" and not r.passed
    assert c.counts["included_reproduced"] == n_in and c.counts["excluded_reproduced"] == 0
    assert c.decision is not None and c.decision.lower > 0.5
    assert r.dp_claim is not None and r.dp_claim.status == "refuted"
    bound = next(b for b in r.dp_claim.bounds if b.source == "canaries")
    assert (bound.right_in + bound.right_out, bound.guesses_in + bound.guesses_out) == (50, 50)
    # every one of 50 guesses right at q = 1/2, at 97.5% (two audits): logit(0.025^(1/50))
    p = 0.025 ** (1 / 50)
    assert bound.epsilon == pytest.approx(math.log(p / (1 - p)), abs=1e-3)


def test_a_clean_release_is_not_high_and_refutes_nothing(planted):
    r = _scan(planted, "clean")
    c = r.check("canaries")
    assert c.status == "info" and r.verdict != "high"
    assert c.counts["included_reproduced"] == 0 == c.counts["excluded_reproduced"]
    assert r.dp_claim is not None and r.dp_claim.status == "not refuted"
    bound = next(b for b in r.dp_claim.bounds if b.source == "canaries")
    assert bound.epsilon < 1 and bound.max_refutable > 1
    assert c.summary.startswith("0 of ")
    # no canary value reaches the result
    text = r.to_json()
    for cell in (v for can in read_manifest(planted["manifest"]).canaries
                 for k, v in can.values.items() if k in ("person_id", "income")):
        assert cell not in text


def test_bad_manifests_are_usage_errors_naming_the_file(planted, tmp_path):
    bad = tmp_path / "not-json.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(UsageError, match="not-json.json: not a JSON file"):
        read_manifest(bad)
    data = json.loads(planted["manifest"].read_text(encoding="utf-8"))
    del data["columns"]["bmi"]
    for c in data["canaries"]:
        del c["values"]["bmi"]
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps(data), encoding="utf-8")
    res = run_cli("scan", planted["train"], planted["clean"], "--holdout", planted["holdout"],
                  "--canaries", partial, "--out", tmp_path / "out", "--set",
                  "checks=[\"verbatim\"]", "-q")
    assert res.returncode == ExitCode.USAGE
    assert "partial.json" in res.stderr and "'bmi'" in res.stderr


def test_plant_command_writes_warns_and_refuses_to_overwrite(planted, tmp_path):
    out = tmp_path / "handover"
    res = run_cli("canary", "plant", planted["train"], "--n", "20", "--out", out, "--seed", "3")
    assert res.returncode == ExitCode.OK, res.stderr
    assert (out / "train.csv").is_file() and (out / MANIFEST_NAME).is_file()
    assert "SECRET" in res.stderr and "give this file to the vendor" in res.stderr
    again = run_cli("canary", "plant", planted["train"], "--n", "20", "--out", out)
    assert again.returncode == ExitCode.USAGE and "--force" in again.stderr
    few = run_cli("canary", "plant", planted["train"], "--n", "1", "--out", tmp_path / "x")
    assert few.returncode == ExitCode.USAGE and "--n" in few.stderr
    itself = run_cli("canary", "plant", planted["train"], "--out", planted["train"].parent,
                     "--force")
    assert itself.returncode == ExitCode.USAGE and "TRAIN itself" in itself.stderr
