"""Identifier replay: real e-mail addresses pasted into 1% of the synthetic rows are found
(``high``), fresh fake ones are not, non-distinctive identifiers are not tested, and no
identifier value reaches any written report, the JSON or the console."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_runner import run_cli

import synthscan
from synthscan.attacks.identifier_replay import IdentifierReplay, keyed_hashes, replayed
from synthscan.datasets import simulate_population
from synthscan.errors import ExitCode

N_TRAIN, N_HOLDOUT, N_SYNTH = 2000, 1000, 2000
CONFIG = {"columns": {"email": "identifier"}, "threads": 1}


def _emails(prefix: str, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array([f"{prefix}.{int(x):08d}@mailhost.example" for x in
                     rng.choice(10**8, n, replace=False)], dtype=object)


def _trio(replay_share: float) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, np.ndarray]:
    pop = simulate_population(N_TRAIN + N_HOLDOUT + N_SYNTH, 3)
    pop["email"] = _emails("real", len(pop), 4)
    train = pop.iloc[:N_TRAIN].reset_index(drop=True)
    holdout = pop.iloc[N_TRAIN:N_TRAIN + N_HOLDOUT].reset_index(drop=True)
    synth = pop.iloc[N_TRAIN + N_HOLDOUT:].reset_index(drop=True)
    synth["email"] = _emails("fake", N_SYNTH, 5)  # fresh fake addresses
    rng = np.random.default_rng(6)
    n = int(round(replay_share * N_SYNTH))
    src = rng.choice(N_TRAIN, n, replace=False)
    synth.loc[rng.choice(N_SYNTH, n, replace=False), "email"] = train["email"].to_numpy()[src]
    return train, holdout, synth, np.sort(src)


def _scan(train, holdout, synth, checks=("identifier_replay",)):
    return synthscan.scan(train, synth, holdout=holdout,
                          config=synthscan.ScanConfig(checks=list(checks), **CONFIG))


def test_keyed_hashes_fold_case_and_spaces_and_skip_missing():
    key = b"k" * 32
    h = keyed_hashes(np.array([" Ann@Example.ORG ", "ann@example.org", None, np.nan, "", 7.0,
                               "7"], dtype=object), key)
    assert h[0] == h[1] and h[5] == h[6] and h[0] != h[5]
    assert list(h[2:5]) == [None, None, None]
    assert keyed_hashes(np.array(["ann@example.org"], dtype=object), b"j" * 32)[0] != h[1]
    present, hit = replayed(h, {h[0]})
    assert present.tolist() == [True, True, False, False, False, True, True]
    assert hit.tolist() == [True, True, False, False, False, False, False]


def test_replayed_emails_in_one_percent_of_rows_are_high_and_fresh_fakes_are_not():
    train, holdout, synth, src = _trio(0.01)
    leaky = _scan(train, holdout, synth)
    c = leaky.check("identifier_replay")
    assert leaky.verdict == "high" and c.status == "fail"
    tests = {t.label: t for t in c.tests}  # person_id is an identifier too (inferred)
    assert set(tests) == {"email replayed", "person_id replayed"}
    t = tests["email replayed"]
    assert (t.k_t, t.n_t, t.k_h, t.n_h) == (20, N_TRAIN, 0, N_HOLDOUT)
    assert tests["person_id replayed"].k_t == 0
    assert list(c.details["exposure"]["train_rows"]) == src.tolist()
    col = c.details["columns"]["email"]
    assert col["share_synthetic_rows_equal_to_a_train_value"] == pytest.approx(0.01)
    # every other comparison excludes the identifier: nothing else sees these rows
    assert "email" in c.summary and "20 of 2000" in c.summary
    clean = _scan(*_trio(0.0)[:3])
    cc = clean.check("identifier_replay")
    assert clean.verdict != "high" and cc.status in ("pass", "warn")
    assert [t.k_t for t in cc.tests] == [0, 0]


def test_non_distinctive_identifiers_are_reported_not_tested():
    train, holdout, synth, _ = _trio(0.0)
    for frame in (train, holdout, synth):  # row numbers: the synthetic ones collide by chance
        frame["row_no"] = np.arange(len(frame))
    res = synthscan.scan(train, synth, holdout=holdout, config=synthscan.ScanConfig(
        checks=["identifier_replay"], columns={"email": "identifier", "row_no": "identifier"},
        threads=1))
    c = res.check("identifier_replay")
    assert [t.label for t in c.tests] == ["person_id replayed", "email replayed"]
    assert "not distinctive" in c.details["columns_not_tested"]["row_no"]
    plain = [f.drop(columns=["email", "person_id", "row_no"]) for f in (train, holdout, synth)]
    no_ids = synthscan.scan(plain[0], plain[2], holdout=plain[1], config=synthscan.ScanConfig(
        checks=["identifier_replay"], threads=1)).check("identifier_replay")
    assert no_ids.status == "skipped" and no_ids.vacuous
    with pytest.raises(synthscan.ConfigError, match="max_chance_rate"):
        IdentifierReplay(max_chance_rate=0)


def test_no_identifier_value_in_any_output(tmp_path: Path):
    train, holdout, synth, _ = _trio(0.01)
    paths = {}
    for name, frame in (("train", train), ("holdout", holdout), ("synthetic", synth)):
        paths[name] = tmp_path / f"{name}.csv"
        frame.to_csv(paths[name], index=False)
    settings = tmp_path / "settings.toml"
    settings.write_text('checks = ["identifier_replay", "verbatim", "exact_copies"]\n'
                        'threads = 1\n[columns]\nemail = "identifier"\n')
    proc = run_cli("scan", paths["train"], paths["synthetic"], "--holdout", paths["holdout"],
                   "--config", settings, "--out", tmp_path / "out",
                   "--format", "json,html,md,sarif,junit")
    assert proc.returncode == ExitCode.POLICY_FAILED, proc.stderr
    written = sorted((tmp_path / "out").iterdir())
    assert {p.name for p in written} >= {"result.json", "report.html", "report.md",
                                        "results.sarif", "junit.xml"}
    values = [*train["email"][:50], *synth["email"][:50], *train["person_id"][:200]]
    texts = [p.read_text(encoding="utf-8") for p in written] + [proc.stdout, proc.stderr]
    for text in texts:
        assert "mailhost.example" not in text
        assert not any(v in text for v in values)
