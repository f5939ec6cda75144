"""The DP-claim check: planted copies of training records refute ε = 1 from the membership
audit (guesses chosen on a selection half, counted on the other), a clean release does not;
q comes from a setting, a split manifest or the sizes (with the assumption said); a refuted
claim fails the policy without changing the verdict; settings, flags, the result's JSON and
the HTML section."""

from __future__ import annotations

import dataclasses

import jsonschema
import pytest
from cli_runner import run_cli

from synthscan.api import prepare
from synthscan.config import ScanConfig
from synthscan.datasets import plant_copies, simulate_population
from synthscan.dp_claim import DPClaim, EpsilonBound
from synthscan.dp_claim.evaluate import inclusion, section
from synthscan.errors import ConfigError, ExitCode, PrivacyRiskError
from synthscan.model import Risk, SplitVerification
from synthscan.reports.html import render_html
from synthscan.result import ScanResult
from synthscan.result_schema import json_schema
from synthscan.risk.policy import Policy
from synthscan.settings import Settings

N_TRAIN, N_HOLDOUT, N_SYNTH = 600, 400, 600


@pytest.fixture(scope="module")
def tables():
    pop = simulate_population(N_TRAIN + N_HOLDOUT + N_SYNTH, 31)
    train = pop.iloc[:N_TRAIN].reset_index(drop=True)
    holdout = pop.iloc[N_TRAIN:N_TRAIN + N_HOLDOUT].reset_index(drop=True)
    clean = pop.iloc[N_TRAIN + N_HOLDOUT:].reset_index(drop=True)
    leaky, _ = plant_copies(clean, train, 0.25, seed=1)  # 150 training records copied
    return train, holdout, clean, leaky


def _ctx(tables, release: str, holdout: bool = True, **claim):
    train, hold, clean, leaky = tables
    cfg = ScanConfig(threads=1, dp_claim={"epsilon": 1.0, **claim})
    return prepare(train, leaky if release == "leaky" else clean, hold if holdout else None,
                   cfg)[0]


def test_copies_of_training_records_refute_epsilon_1_and_a_clean_release_does_not(tables):
    leaky = section(_ctx(tables, "leaky"), [], None)
    assert leaky.status == "refuted" and leaky.epsilon_lower > 1
    b = leaky.bounds[0]
    assert b.source == "membership" and b.q == pytest.approx(0.6)
    # counted on the evaluation half only (about half of the 1,000 real records)
    assert 400 < b.candidates < 600 and b.right_in <= b.guesses_in <= b.candidates
    assert b.epsilon <= b.max_refutable <= b.ceiling
    clean = section(_ctx(tables, "clean"), [], None)
    assert clean.status == "not refuted" and clean.epsilon_lower < 1
    assert "weak evidence" in clean.summary and clean.largest_refutable > 1


def test_q_from_setting_manifest_or_sizes_with_the_assumption_said(tables):
    ctx = _ctx(tables, "clean")
    q, source, why = inclusion(ctx)
    assert q == pytest.approx(N_TRAIN / (N_TRAIN + N_HOLDOUT)) and "assumed" in source
    assert "--split-manifest" in why
    ctx.split_verification = SplitVerification("s.json", "bernoulli", 1, 0.5, "t", 600, 400,
                                               "file digest", "file digest")
    assert inclusion(ctx)[:2] == (0.5, "split manifest, Bernoulli split")
    ctx.split_verification = dataclasses.replace(ctx.split_verification, method="shuffle")
    assert "approximates" in inclusion(ctx)[2]
    assert inclusion(_ctx(tables, "clean", q=0.3))[:2] == (0.3, "setting dp_claim.q")
    nothing = section(_ctx(tables, "clean", holdout=False), [], None)
    assert nothing.status == "not tested" and not nothing.bounds


def test_delta_and_checklist(tables):
    d = section(_ctx(tables, "leaky", delta=0.01, domain="public bounds"), [], None)
    items = {c.topic: c for c in d.checklist}
    assert items["δ"].concern and "not below 1 / n" in items["δ"].answer  # 0.01 > 1/600
    assert items["Domain"].answer == "public bounds" and not items["Domain"].concern
    assert items["Unit of privacy"].concern
    pure = section(_ctx(tables, "leaky"), [], None)
    assert d.epsilon_lower < pure.epsilon_lower  # a δ only weakens the bound
    assert any("pure ε-DP" in a for a in pure.assumptions)


def _result(dp: DPClaim | None, verdict: str = "low", fail_on: str = "high") -> ScanResult:
    from synthscan.data.schema import Schema

    return ScanResult(verdict=verdict, risk=Risk(upper_level=0.95), checks=[], inputs=[],
                      schema=Schema([]), encoding={}, config=ScanConfig(),
                      policy=Policy(fail_on=fail_on), seed=0, environment={}, dp_claim=dp)


REFUTED = DPClaim(status="refuted", claimed_epsilon=1.0, epsilon_lower=2.5, confidence=0.95,
                  largest_refutable=3.0, q=0.5, q_source="setting dp_claim.q",
                  bounds=(EpsilonBound("canaries", 2.5, 0.95, 50, 0.5, 25, 25, 25, 25, 2.79,
                                       2.79, 1e-5),), summary="refuted.")


def test_a_refuted_claim_fails_the_policy_but_not_the_verdict():
    r = _result(REFUTED)
    assert r.verdict == "low" and not r.passed
    with pytest.raises(PrivacyRiskError, match="differential-privacy claim refuted"):
        r.assert_ok()
    assert _result(REFUTED, fail_on="never").passed
    assert _result(dataclasses.replace(REFUTED, status="not refuted")).passed


def test_the_section_round_trips_and_matches_the_schema():
    r = _result(REFUTED)
    data = r.to_dict()
    schema = json_schema()
    jsonschema.validate(data["dp_claim"], {**schema["properties"]["dp_claim"],
                                           "$defs": schema["$defs"]})
    assert "dp_claim" in schema["required"]
    assert ScanResult.from_dict(data).dp_claim == REFUTED
    assert _result(None).to_dict()["dp_claim"] is None
    html = render_html(r)
    assert "Differential-privacy claim</h2>" in html and "NIST SP 800-226" in html
    assert "Differential-privacy claim</h2>" not in render_html(_result(None))


def test_settings_table_and_flags(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text("[dp_claim]\nepsilon = 2\ndelta = 1e-6\ntrust_model = \"central\"\n",
                 encoding="utf-8")
    assert Settings.load(f).config.dp_claim == {"epsilon": 2, "delta": 1e-6,
                                                "trust_model": "central"}
    f.write_text("[dp_claim]\nepsilon = 2\neps = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="s.toml: 'dp_claim.eps' is not a dp_claim setting"):
        Settings.load(f)
    res = run_cli("scan", "a.csv", "b.csv", "--claimed-epsilon", "0", "--out", tmp_path)
    assert res.returncode == ExitCode.USAGE and "--claimed-epsilon" in res.stderr
