"""``Settings``: a settings file < overrides < ``key=value`` assignments, the ``[policy]``
table, the ``[checks]`` table (selection and each check's ``__init__`` arguments), and errors
that name the key and where its value came from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import synthscan
from synthscan.attacks.base import Attack
from synthscan.attacks.registry import default_checks, register, unregister
from synthscan.errors import ConfigError, UsageError
from synthscan.settings import ASSIGNMENT, OVERRIDE, Settings, apply_assignments, parse_assignment


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


class Toy(Attack):
    """A plug-in check with one knob that refuses bad values, as a real check would."""

    id = "toy_check"
    name = "Toy"
    criterion = "none"
    needs_holdout = None

    def __init__(self, *, depth: int = 3) -> None:
        if not isinstance(depth, int) or depth < 1:
            raise ValueError("depth must be a positive integer")
        self.depth = depth

    def run(self, ctx: Any) -> Any:  # pragma: no cover - never run here
        raise NotImplementedError


@pytest.fixture
def toy() -> Iterator[type[Attack]]:
    register(Toy)
    try:
        yield Toy
    finally:
        unregister(Toy.id)


# --------------------------------------------------------------------------------------------
# assignments


def test_assignments_parse_values() -> None:
    data = apply_assignments({"seed": 1}, [
        "seed=5", "policy.thresholds.closeness=0.02", "missing_tokens=[\"?\", \"-\"]",
        "encoding=latin-1", "threads=null", "columns.zip=categorical", " metric = l2 ",
        "policy.preset=controlled-access",
    ])
    assert data == {
        "seed": 5, "missing_tokens": ["?", "-"], "encoding": "latin-1", "threads": None,
        "columns": {"zip": "categorical"}, "metric": "l2",
        "policy": {"thresholds": {"closeness": 0.02}, "preset": "controlled-access"},
    }
    assert apply_assignments({}, ["encoding=a=b"]) == {"encoding": "a=b"}
    assert parse_assignment("a.b=1") == (["a", "b"], 1)


@pytest.mark.parametrize("item,match", [
    ("seed", "expected key=value"),
    ("=3", "empty"),
    ("a..b=1", "empty"),
    ("seed.x=1", "'seed' is a single value"),
])
def test_assignment_errors(item: str, match: str) -> None:
    with pytest.raises(UsageError, match=match) as info:
        apply_assignments({"seed": 1}, [item])
    assert str(info.value).startswith(f"{ASSIGNMENT} ") and " — " in str(info.value)
    assert info.value.source == ASSIGNMENT


# --------------------------------------------------------------------------------------------
# precedence and origins


def test_file_then_overrides_then_assignments(tmp_path: Path) -> None:
    p = write(tmp_path, "c.toml", "seed = 1\nthreads = 3\n[policy]\npreset = "
              "\"controlled-access\"\nfail_on = \"inconclusive\"\n")
    s = Settings.load(p)
    assert (s.config.seed, s.config.threads, s.policy.preset, s.policy.fail_on) == (
        1, 3, "controlled-access", "inconclusive")
    s = Settings.load(p, overrides={"seed": 2, "policy.preset": "public-release",
                                    "policy.fail_on": "never"})
    assert (s.config.seed, s.policy.preset, s.policy.fail_on) == (2, "public-release", "never")
    s = Settings.load(p, overrides={"seed": 2, "policy.fail_on": "never"},
                      assignments=["seed=3", "policy.fail_on=high"])
    assert (s.config.seed, s.config.threads, s.policy.fail_on) == (3, 3, "high")
    assert Settings.load(assignments=["policy.thresholds.closeness=0.03"]).policy.threshold(
        "closeness") == 0.03


@pytest.mark.parametrize("sets,overrides,match,key", [
    (["policy.thresholds.nope=0.1"], {},
     r"^assignment: 'policy.thresholds.nope': unknown component — known: ",
     "policy.thresholds.nope"),
    (["policy.thresholds.closeness=2"], {},
     r"^assignment: 'policy.thresholds.closeness' has an invalid value — it must be",
     "policy.thresholds.closeness"),
    (["policy.nope=1"], {}, r"^assignment: unknown key 'policy.nope' — known keys", "policy.nope"),
    (["policy=3"], {}, r"^assignment: 'policy' must be a table — ", "policy"),
    (["policy.thresholds=3"], {}, r"^assignment: 'policy.thresholds' must be a table",
     "policy.thresholds"),
    ([], {"seed": -1}, r"^override: 'seed' must be a non-negative integer — ", "seed"),
    ([], {"threads": 0}, r"^override: 'threads' must be a positive integer", "threads"),
    ([], {"policy.preset": "nope"},
     r"^override: 'policy.preset': unknown preset 'nope' — use one of", "policy.preset"),
    (["policy.fail_on=x"], {"policy.fail_on": "never"},
     r"^assignment: 'policy.fail_on' has an invalid", "policy.fail_on"),
    (["seed=-4"], {"seed": 1}, r"^assignment: 'seed' must be", "seed"),
    (["encoding=klingon"], {}, r"^assignment: 'encoding' is not a known text encoding",
     "encoding"),
    (["sede=4"], {}, r"^assignment: unknown key 'sede' — known keys: .*policy", "sede"),
])
def test_errors_name_the_key_and_its_origin(sets: list[str], overrides: dict, match: str,
                                            key: str) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        Settings.load(overrides=overrides, assignments=sets)
    assert "\n" not in str(info.value)
    assert info.value.key == key
    assert info.value.source == (ASSIGNMENT if sets else OVERRIDE)


def test_errors_from_the_file_name_it(tmp_path: Path) -> None:
    p = write(tmp_path, "bad.toml", "[policy.thresholds]\nnope = 0.1\n")
    with pytest.raises(ConfigError, match=r"^bad.toml: 'policy.thresholds.nope': unknown"):
        Settings.load(p)
    p = write(tmp_path, "bad2.toml", "seed = -1\n")
    with pytest.raises(ConfigError, match=r"^bad2.toml: 'seed'") as info:
        Settings.load(p)
    assert info.value.source == "bad2.toml"
    # the bad file value is overridden: fine
    assert Settings.load(p, assignments=["seed=2"]).config.seed == 2
    assert Settings.load(p, overrides={"seed": 4}).config.seed == 4


def test_load_settings_returns_the_config_and_the_policy(tmp_path: Path) -> None:
    p = write(tmp_path, "full.yaml", "seed: 3\npolicy:\n  preset: controlled-access\n"
                                     "  thresholds:\n    closeness: 0.02\n")
    config, policy = synthscan.load_settings(p)
    assert (config.seed, policy.preset, policy.threshold("closeness")) == (
        3, "controlled-access", 0.02)
    assert Settings.load(p) == Settings(config, policy)


# --------------------------------------------------------------------------------------------
# the [checks] table


def test_checks_as_a_list_or_as_a_table(tmp_path: Path) -> None:
    listed = Settings.load(write(tmp_path, "l.toml", 'checks = ["verbatim", "closeness"]\n'))
    assert listed.config.checks == ["verbatim", "closeness"] and listed.config.check_params == {}
    table = Settings.load(write(tmp_path, "t.toml", '[checks]\nselect = ["verbatim"]\n\n'
                                                    "[checks.verbatim]\nmax_listed = 5\n"))
    assert table.config.checks == ["verbatim"]
    assert table.config.check_params == {"verbatim": {"max_listed": 5}}
    # no selection: every check runs, with the settings given
    only_knobs = Settings.load(write(tmp_path, "k.yaml", "checks:\n  verbatim:\n"
                                                         "    max_listed: 7\n"))
    assert only_knobs.config.checks == []
    (verbatim,) = [c for c in default_checks(True, only_knobs.config.checks,
                                             only_knobs.config.check_params)
                   if c.id == "verbatim"]
    assert verbatim.get_params() == {"max_listed": 7}


@pytest.mark.usefixtures("toy")
def test_checks_settings_by_assignment(tmp_path: Path) -> None:
    p = write(tmp_path, "c.toml", '[checks]\nselect = ["toy_check"]\n[checks.toy_check]\n'
                                  "depth = 2\n")
    s = Settings.load(p, assignments=["checks.toy_check.depth=9"])
    assert s.config.check_params == {"toy_check": {"depth": 9}}
    # a list assigned to checks replaces the selection and keeps the checks' settings
    s = Settings.load(p, assignments=['checks=["verbatim", "toy_check"]'])
    assert s.config.checks == ["verbatim", "toy_check"]
    assert s.config.check_params == {"toy_check": {"depth": 2}}
    # a list in the file, settings by assignment
    listed = write(tmp_path, "l.toml", 'checks = ["toy_check"]\n')
    s = Settings.load(listed, assignments=["checks.toy_check.depth=4"])
    assert (s.config.checks, s.config.check_params) == (["toy_check"], {"toy_check": {"depth": 4}})
    (instance,) = default_checks(True, s.config.checks, s.config.check_params)
    assert isinstance(instance, Toy) and instance.depth == 4


@pytest.mark.parametrize("text,match,key", [
    ("[checks.nope]\nx = 1\n", r"^c.toml: 'checks.nope' is not a check — known: .*verbatim",
     "checks.nope"),
    ("[checks.toy_check]\nwidth = 1\n",
     r"^c.toml: 'checks.toy_check.width' is not a setting of check 'toy_check' — known: depth$",
     "checks.toy_check.width"),
    ("[checks.verbatim]\nmax_listing = 1\n",
     r"'checks.verbatim.max_listing' is not a setting of check 'verbatim' — known: max_listed",
     "checks.verbatim.max_listing"),
    ("[checks.toy_check]\ndepth = 0\n",
     r"^c.toml: 'checks.toy_check' has an invalid value — 'depth must be a positive integer'",
     "checks.toy_check"),
    ("[checks]\ntoy_check = 3\n", r"^c.toml: 'checks.toy_check' must be a table",
     "checks.toy_check"),
    ('checks = ["toy_check", "nope"]\n', r"^c.toml: 'checks' has unknown check 'nope' — known: ",
     "checks"),
])
@pytest.mark.usefixtures("toy")
def test_unknown_checks_and_knobs_are_refused_at_load_time(tmp_path: Path, text: str, match: str,
                                                           key: str) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        Settings.load(write(tmp_path, "c.toml", text))
    assert info.value.key == key


@pytest.mark.usefixtures("toy")
def test_a_bad_knob_by_assignment_names_the_assignment() -> None:
    with pytest.raises(ConfigError, match=r"^assignment: 'checks.toy_check.width'") as info:
        Settings.load(assignments=["checks.toy_check.width=2"])
    assert info.value.source == ASSIGNMENT
    # the toy check is gone once unregistered: its settings are then refused
    unregister(Toy.id)
    with pytest.raises(ConfigError, match=r"'checks.toy_check' is not a check"):
        Settings.load(assignments=["checks.toy_check.depth=2"])
    register(Toy)
