"""Adding a check is one module and one registry line: a toy check, registered at run time,
is planned, decided against its own thresholds, configured from ``[checks.<id>]`` settings and
described by its own ``summarize``."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

import synthscan
from synthscan.attacks import Attack, ScanContext, planned_components, register, unregister
from synthscan.errors import ConfigError
from synthscan.model import CheckResult
from synthscan.risk.policy import PRESETS
from synthscan.stats.bounds import SubTest


class SameFirstValue(Attack):
    """Toy attack: the share of real records whose ``x`` value some synthetic row has exactly
    (train vs holdout)."""

    id = "toy_same_x"
    name = "Toy: exact x values"
    criterion = "copies"
    thresholds: ClassVar = {"public-release": 0.05, "controlled-access": 0.10}
    data_driving = "more rows of everything"

    def __init__(self, *, column: str = "x") -> None:
        self.column = column

    def run(self, ctx: ScanContext) -> CheckResult:
        seen = set(ctx.frames["synthetic"][self.column])
        hits = {t: int(ctx.frames[t][self.column].isin(seen).sum()) for t in ("train", "holdout")}
        test = SubTest("x value present", hits["train"], ctx.n("train"), hits["holdout"],
                       ctx.n("holdout"))
        return self.result(tests=[test], counts={"train_rows": ctx.n("train")},
                           details={"column": self.column})

    def summarize(self, result: CheckResult) -> str:
        return f"toy on {result.details['column']}: status {result.status}"


@pytest.fixture()
def toy():
    register(SameFirstValue)
    yield SameFirstValue
    unregister(SameFirstValue.id)


def _tables(leak: bool) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(5)
    train = pd.DataFrame({"x": rng.normal(size=400), "y": rng.integers(0, 3, 400),
                          "z": rng.choice(list("abc"), 400)})
    hold = pd.DataFrame({"x": rng.normal(size=300), "y": rng.integers(0, 3, 300),
                         "z": rng.choice(list("abc"), 300)})
    synth = pd.DataFrame({"x": rng.normal(size=400), "y": rng.integers(0, 3, 400),
                          "z": rng.choice(list("abc"), 400)})
    if leak:  # 40% of the synthetic x values are training values: about 40% of people hit
        synth.loc[:159, "x"] = train["x"].to_numpy()[:160]
    return train, hold, synth


def test_a_registered_check_is_planned_decided_and_summarised(toy):
    assert toy.id in planned_components(True)
    assert PRESETS["public-release"][toy.id] == 0.05
    cfg = synthscan.ScanConfig(checks=["exact_copies", toy.id])
    train, hold, synth = _tables(leak=True)
    res = synthscan.scan(train, synth, holdout=hold, config=cfg)
    c = res.check(toy.id)
    assert c.status == "fail" and res.verdict == "high"
    assert c.tests[0].k_t == 160 and c.tests[0].k_h == 0
    assert c.threshold == 0.05 and c.decision.lower > 0.05
    assert c.summary == "toy on x: status fail"
    assert toy.id in res.risk.planned and res.risk.driver == toy.id

    train, hold, synth = _tables(leak=False)
    res = synthscan.scan(train, synth, holdout=hold, config=cfg)
    assert res.check(toy.id).status == "pass" and res.check(toy.id).tests[0].k_t == 0


def test_a_checks_settings_reach_its_init_and_unknown_ones_are_named(toy):
    train, hold, synth = _tables(leak=True)
    cfg = synthscan.ScanConfig(checks=[toy.id], check_params={toy.id: {"column": "y"}})
    c = synthscan.scan(train, synth, holdout=hold, config=cfg).check(toy.id)
    # y takes three values, all present in the synthetic data: every record is hit
    assert c.details["column"] == "y" and c.tests[0].k_t == 400
    with pytest.raises(ConfigError, match=rf"checks\.{toy.id}\.colum.*column"):
        bad = synthscan.ScanConfig(checks=[toy.id], check_params={toy.id: {"colum": "y"}})
        synthscan.scan(train, synth, holdout=hold, config=bad)


def test_unregister_restores_the_registry(toy):
    unregister(toy.id)
    assert toy.id not in planned_components(True)
    assert toy.id not in PRESETS["public-release"]
    register(toy)  # the fixture unregisters it again


def test_a_component_without_thresholds_for_every_preset_is_refused():
    class OnePreset(Attack):
        id = "toy_one_preset"
        name = "n"
        criterion = "copies"
        thresholds: ClassVar = {"public-release": 0.05}

        def run(self, ctx: ScanContext) -> CheckResult:  # pragma: no cover - never run
            raise AssertionError

    assert OnePreset.component  # declaring thresholds makes a risk component
    with pytest.raises(ValueError, match="declares no threshold for preset 'controlled-access'"):
        register(OnePreset)


def test_component_is_derived_not_declared():
    class Supporting(Attack):
        id = "toy_supporting"
        name = "n"
        criterion = "distance"

        def run(self, ctx: ScanContext) -> CheckResult:  # pragma: no cover - never run
            raise AssertionError

    assert not Supporting.component
    with pytest.raises(TypeError, match="'component' follows from the declaration"):
        type("Declared", (Supporting,), {"component": True})
