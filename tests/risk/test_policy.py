"""``Policy``: resolving a preset and the user's θ into the θ and high-threshold tables, and
rebuilding the policy a saved result was decided with from the tables it wrote."""

from __future__ import annotations

import dataclasses

import pytest

from synthscan.errors import ConfigError
from synthscan.risk import policy as policy_module
from synthscan.risk.policy import Policy


def test_the_public_preset_is_stricter_for_high_than_its_theta() -> None:
    p = Policy()
    # hand-worked from the checks' declarations: verbatim θ = 0.1%, any confirmed excess fails
    assert p.threshold("verbatim") == 0.001 and p.high_threshold("verbatim") == 0.0
    assert p.threshold("membership_inference") == 0.05
    assert p.high_threshold("membership_inference") == 0.05  # θ where the preset is not stricter
    c = Policy(preset="controlled-access")
    assert c.threshold("verbatim") == 0.002 and c.high_threshold("verbatim") == 0.002


def test_a_user_theta_applies_to_both_directions_even_when_equal_to_the_preset() -> None:
    p = Policy(thresholds={"verbatim": 0.001, "closeness": 0.03})
    assert p.thresholds["verbatim"] == 0.001 and p.high_threshold("verbatim") == 0.001
    assert p.threshold("closeness") == 0.03 and p.high_threshold("closeness") == 0.03
    assert p.high_threshold("membership_inference") == 0.05


@pytest.mark.parametrize("policy", [
    Policy(),
    Policy(preset="controlled-access", fail_on="inconclusive"),
    Policy(thresholds={"verbatim": 0.001}),  # equal to the preset's θ: high stays θ, not 0
    Policy(thresholds={"closeness": 0.02}, fail_on="never"),
])
def test_a_written_policy_rebuilds_to_the_same_tables(policy: Policy) -> None:
    loaded = Policy.from_dict(policy.to_dict())
    assert loaded == policy and loaded.to_dict() == policy.to_dict()
    for component in policy.thresholds:
        assert loaded.threshold(component) == policy.threshold(component)
        assert loaded.high_threshold(component) == policy.high_threshold(component)


def test_a_saved_policy_keeps_its_thresholds_when_the_presets_change(monkeypatch) -> None:
    written = Policy().to_dict()
    # a later synthscan: public release loosens verbatim, adds a component, drops one
    public = dict(policy_module.PRESETS["public-release"], verbatim=0.5, new_component=0.2)
    del public["linkability"]
    monkeypatch.setitem(policy_module.PRESETS, "public-release", public)
    monkeypatch.setitem(policy_module.HIGH_PRESETS, "public-release", {"verbatim": 0.4})
    assert Policy().threshold("verbatim") == 0.5  # today's preset
    loaded = Policy.from_dict(written)
    assert loaded.threshold("verbatim") == 0.001 and loaded.high_threshold("verbatim") == 0.0
    assert loaded.threshold("linkability") == 0.05  # decided with it; gone from the code
    assert "new_component" not in loaded.thresholds
    assert loaded.to_dict() == written


def test_an_older_policy_without_high_thresholds_reads_theta_as_high() -> None:
    loaded = Policy.from_dict({"preset": "public-release", "thresholds": {"verbatim": 0.001},
                               "fail_on": "high", "added_later": True})
    assert loaded.high_threshold("verbatim") == 0.001
    assert Policy.from_dict({}).to_dict() == {"preset": "public-release", "thresholds": {},
                                               "high_thresholds": {}, "fail_on": "high"}


@pytest.mark.parametrize("data,error", [
    ({"thresholds": {"verbatim": "0.1%"}}, ValueError),
    ({"thresholds": {"verbatim": 0.0}}, ValueError),  # θ must be above 0
    ({"thresholds": {"verbatim": 0.1}, "high_thresholds": {"verbatim": 1.0}}, ValueError),
    ({"thresholds": "strict"}, ValueError),
    ({"fail_on": "sometimes"}, ConfigError),
    ({"preset": "anything-goes"}, ConfigError),
])
def test_a_malformed_written_policy_is_refused(data: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        Policy.from_dict(data)


def test_replacing_a_field_keeps_the_resolved_tables() -> None:
    p = Policy(thresholds={"closeness": 0.02})
    lenient = dataclasses.replace(p, fail_on="never")
    assert lenient.fail_on == "never"
    assert lenient.thresholds == p.thresholds and lenient.high_thresholds == p.high_thresholds
    assert lenient.high_threshold("verbatim") == 0.0  # not turned into a user θ


def test_given_high_thresholds_are_checked_like_thresholds() -> None:
    assert Policy(high_thresholds={"closeness": 0.005}).high_threshold("closeness") == 0.005
    with pytest.raises(ConfigError, match=r"policy\.high_thresholds\.nope: unknown component"):
        Policy(high_thresholds={"nope": 0.1})
    with pytest.raises(ConfigError, match=r"policy\.high_thresholds\.closeness: must be"):
        Policy(high_thresholds={"closeness": -0.1})
