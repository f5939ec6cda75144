"""Scan configuration: ``ScanConfig``, its defaults, and validation with clear errors.

Each setting has a small validator in ``_RULES`` (plus ``_CROSS_RULES`` for settings that
constrain each other); a failing one names the key, what is wrong and what to do. Validation
only looks; ``_normalise`` then converts accepted values to their canonical form (lists, text
column names, sorted neighbour counts) in one explicit step. Settings files are read by
``synthscan.settings``; unknown keys are errors (a typo must not fall back to a default).
"""

from __future__ import annotations

import dataclasses
import difflib
import reprlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .data.text import is_text_encoding
from .errors import ConfigError
from .types import ROLES

METRICS = ("l1", "l2")
MODES = ("default", "anonymeter")
#: allowed range of each size-like setting: below it the statistics are too coarse, above it
#: the memory and time they take have no use (each is also charged under max_memory)
SIZE_RANGES: dict[str, tuple[int, int]] = {
    "max_query_rows": (100, 10_000_000),
    "permutations": (99, 100_000),
    "bootstrap": (50, 100_000),
    "singling_out_predicates": (10, 100_000),
}
#: alpha (two-sided error rate of every interval), from the lower bound up to (not including)
#: the upper: below 1e-6 the intervals of the sample sizes synthscan sees degenerate (e.g.
#: [1, 1] for a release without copies); at 0.5 they have no coverage left
ALPHA_RANGE = (1e-6, 0.5)


class _Checked(type):
    """Calling ``ScanConfig(...)`` with an unknown or extra argument raises ``ConfigError``
    naming it (and the closest known setting), not Python's ``TypeError``."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
        for key in kwargs:
            if key not in names:
                close = difflib.get_close_matches(str(key), names, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise ConfigError(f"ScanConfig: unknown setting {_short(key)} — {hint}known "
                                  f"settings: {', '.join(sorted(names))}", key=str(key))
        if len(args) > len(names):
            raise ConfigError(f"ScanConfig: takes at most {len(names)} settings, "
                              f"{len(args)} given — pass settings by name, e.g. "
                              "ScanConfig(seed=7)")
        given = set(names[: len(args)]) & set(kwargs)
        if given:
            raise ConfigError(f"ScanConfig: setting {sorted(given)[0]!r} given twice — pass "
                              "each setting once", key=sorted(given)[0])
        return super().__call__(*args, **kwargs)


@dataclass
class ScanConfig(metaclass=_Checked):
    """Everything that decides how a scan runs. Recorded in every result.

    Parameters
    ----------
    seed : drives every random choice; same inputs + seed give the same result.
    missing_tokens : cell values read as missing in addition to empty cells, NA, NaN, NULL, None.
    columns : role per column name (numeric, categorical, datetime, boolean, identifier, ignore);
        overrides inference and SDV metadata.
    metric : "l1" is the exact Gower-style distance; "l2" the faster Euclidean variant of the
        same encoding (approximate for numeric columns).
    threads : neighbour-search threads; None means all cores.
    encoding : text encoding of CSV inputs.
    max_query_rows : synthetic rows used as queries by distance statistics (a uniform sample when
        the release is larger; the real reference set is never subsampled).
    permutations : label permutations for the nearest-record share p-value.
    bootstrap : bootstrap replicates for intervals that need one.
    alpha : two-sided error rate of every interval (0.05 gives 95% intervals).
    mia_folds : folds of the holdout in the cross-fitted membership-inference design (2-10).
    secret : columns tested as the secret in attribute inference (empty: every column in turn).
    known : columns the attribute-inference attacker knows (empty: all other columns).
    link_columns : two disjoint lists of columns for linkability (empty: several random
        balanced splits, the worst reported).
    link_k : neighbour counts for linkability (a target is linked when its k nearest synthetic
        rows on each side share a row).
    singling_out_predicates : predicates requested per kind (univariate, multivariate).
    checks : ids of the checks to run (empty: every check). The others are reported as
        skipped ("not selected"), and the verdict covers only the checks that ran.
    check_params : per check id, the keyword arguments of its class (a settings file's
        ``[checks.<id>]`` tables), e.g. ``{"linkability": {"max_targets": 2000}}``.
    max_memory : peak-memory limit, e.g. "4GB" or "512MB" (None: no limit). The scan takes
        smaller batches under it and stops early, with a clear message, if its memory bound
        exceeds it.
    mode : "default", or "anonymeter" to reproduce Anonymeter's setup (1-NN attackers, its
        numbers of attacks) so figures can be compared on the same data.
    exact_search : search exactly at every size (``--exact``). By default the searches between
        whole tables (real records -> synthetic rows, synthetic rows -> real records, holdout ->
        train) switch to a certified approximate index above
        ``attacks.searches.APPROX_MIN_PAIRS`` pairs (2.5 x 10^8, e.g. 16,000 rows a side); its
        measured recall is in the result.
    dp_claim : the vendor's differential-privacy claim to test (a settings file's
        ``[dp_claim]`` table): ``epsilon``, ``delta``, ``q`` (the probability that a real
        record went into training, when neither a split manifest nor the sizes should give
        it) and the checklist answers ``unit_of_privacy``, ``trust_model``, ``domain``,
        ``composition``, ``implementation`` (see ``synthscan.dp_claim``).
    """

    seed: int = 0
    missing_tokens: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    metric: str = "l1"
    threads: int | None = None
    encoding: str = "utf-8"
    max_query_rows: int = 50_000
    permutations: int = 1000
    bootstrap: int = 500
    alpha: float = 0.05
    mia_folds: int = 5
    secret: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    link_columns: list[list[str]] = field(default_factory=list)
    link_k: list[int] = field(default_factory=lambda: [1, 5])
    singling_out_predicates: int = 3000
    mode: str = "default"
    max_memory: str | None = None
    checks: list[str] = field(default_factory=list)
    check_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    exact_search: bool = False
    dp_claim: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.validate()
        self._normalise()

    def validate(self, where: str = "config") -> None:
        """Check every setting; raise ``ConfigError`` naming ``where``, the key and a fix."""
        problem = self._problem()
        if problem is not None:
            key, why = problem
            raise InvalidSetting(where, key, why)

    def _problem(self) -> tuple[str, str] | None:
        """(key, what is wrong — what to do) of the first invalid setting, or None. Looks
        only: nothing is changed."""
        for key, rules in _RULES.items():
            for rule in rules:
                problem = rule(key, getattr(self, key))
                if problem is not None:
                    return problem
        for key, bad, why in _CROSS_RULES:
            if bad(self):
                return key, why
        return None

    def _normalise(self) -> None:
        """Canonical forms of validated values: lists (not tuples), text column names, sorted
        distinct neighbour counts, a text memory size."""
        self.missing_tokens = list(self.missing_tokens)
        self.columns = {str(col): role for col, role in self.columns.items()}
        self.secret, self.known = list(self.secret), list(self.known)
        self.link_columns = [list(side) for side in self.link_columns]
        self.link_k = sorted(set(self.link_k))
        self.checks = list(self.checks)
        self.check_params = {str(k): dict(v) for k, v in self.check_params.items()}
        if self.max_memory is not None:
            self.max_memory = str(self.max_memory)
        self.dp_claim = dict(self.dp_claim)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScanConfig:
        """The configuration a result records (``to_dict()``): keys this version does not know
        are skipped (a later 2.x may add settings), missing ones take their defaults, and the
        values are validated as any setting is (``ConfigError``)."""
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def replace(self, **changes: Any) -> ScanConfig:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "config",
                     also_known: Collection[str] = ()) -> ScanConfig:
        """Build a config from a settings dict; ``where`` names its source in messages, and
        ``also_known`` lists other keys the caller reads (named in the unknown-key message)."""
        if not isinstance(data, Mapping):
            raise ConfigError(f"{where}: must be a table of settings at the top level — e.g. "
                              "seed = 7", source=where)
        known = {f.name for f in dataclasses.fields(cls)}
        for key in data:
            if key not in known:
                raise ConfigError(f"{where}: unknown key {key!r} — known keys: "
                                  f"{', '.join(sorted(known | set(also_known)))}",
                                  source=where, key=str(key))
        try:
            return cls(**data)
        except InvalidSetting as exc:
            raise exc.at(where) from None

    @classmethod
    def from_file(cls, path: str | Path) -> ScanConfig:
        """The scan settings of a settings file (TOML or YAML), read by the one settings
        loader. A file with a ``[policy]`` table is refused: read it with
        ``synthscan.load_settings`` (or ``Settings.load``), which returns the policy too."""
        from .settings import Settings, read_settings_file

        data = read_settings_file(path)
        if "policy" in data:
            raise ConfigError(f"{Path(path).name}: has a [policy] table, which ScanConfig does "
                              "not hold — read the file with synthscan.load_settings(path) to "
                              "get the settings and the policy", source=Path(path).name,
                              key="policy")
        return Settings.from_mapping(data, source=Path(path).name).config


class InvalidSetting(ConfigError):
    """A setting failed validation; carries ``key`` and ``why`` so a caller can say where the
    value came from."""

    def __init__(self, where: str, key: str, why: str) -> None:
        super().__init__(f"{where}: {key!r} {why}", source=where, key=key)
        self.why = why

    def at(self, where: str) -> InvalidSetting:
        """The same problem, said of a value that came from ``where``."""
        return InvalidSetting(where, str(self.key), self.why)


def _short(value: object, limit: int = 40) -> str:
    """A bounded ``repr`` of a setting's value for messages: nested and long values are cut
    (a YAML alias bomb must not be expanded into a message)."""
    r = reprlib.Repr()
    r.maxstring = r.maxother = limit
    r.maxlevel, r.maxlist, r.maxdict = 2, 4, 4
    return r.repr(value)


# -------------------------------------------------------------------------------- validators

#: (key, value) -> (key, what is wrong — what to do), or None when the value is fine
Rule = Callable[[str, Any], "tuple[str, str] | None"]


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _texts(v: Any, allow_empty: bool = True) -> bool:
    """A list (or tuple) of strings."""
    return (isinstance(v, (list, tuple)) and (allow_empty or bool(v))
            and all(isinstance(x, str) for x in v))


def _rule(ok: Callable[[Any], bool], why: str | Callable[[Any], str]) -> Rule:
    """A validator from a predicate and the message of a value failing it."""

    def check(key: str, value: Any) -> tuple[str, str] | None:
        if ok(value):
            return None
        return key, why(value) if callable(why) else why

    return check


def _choice(choices: tuple[str, ...]) -> Rule:
    return _rule(lambda v: isinstance(v, str) and v in choices,
                 lambda v: f"is {_short(v)} — use one of {', '.join(choices)}")


def _in_range(low: int, high: int, example: int) -> Rule:
    return _rule(lambda v: _is_int(v) and low <= v <= high,
                 f"must be an integer from {low} to {high} — e.g. {example}")


_COLUMNS_TABLE = "must be a table of column name = role — e.g. [columns] with customer_id = " \
                 "\"identifier\""


def _columns(key: str, value: Any) -> tuple[str, str] | None:
    """A table of column name -> role; a bad role is reported as ``columns.<name>``."""
    if not isinstance(value, dict) or not all(
            isinstance(c, (str, int, float)) and not isinstance(c, bool) for c in value):
        return key, _COLUMNS_TABLE
    for col, role in value.items():
        if not isinstance(role, str) or role not in ROLES:
            return (f"{key}.{str(col)[:80]}",
                    f"has unknown role {_short(role)} — use one of {', '.join(ROLES)}")
    return None


def _link_sides(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and (not v or (
        len(v) == 2 and all(_texts(side, allow_empty=False) for side in v)))


def _memory_size(v: Any) -> bool:
    from .memory import parse_size

    try:
        parse_size(v)
    except ValueError:
        return False
    return True


def _known_checks(key: str, value: Any) -> tuple[str, str] | None:
    if not value:
        return None
    from .attacks.registry import check_ids

    ids = check_ids()
    unknown = [c for c in value if c not in ids]
    if unknown:
        return key, f"has unknown check {_short(unknown[0])} — known: {', '.join(ids)}"
    return None


def _check_params(key: str, value: Any) -> tuple[str, str] | None:
    """Per check id, a table of its ``__init__`` keyword arguments; unknown ids and knobs are
    reported as ``checks.<id>`` / ``checks.<id>.<knob>`` with the known ones."""
    if value == {}:
        return None
    from .attacks.registry import CHECKS, instantiate

    if not isinstance(value, dict) or not all(isinstance(p, dict) for p in value.values()):
        return key, "must be a table of check id = table of settings — e.g. [checks.linkability]" \
                    " with max_targets = 2000"
    by_id = {cls.id: cls for cls in CHECKS}
    for check_id, params in value.items():
        if check_id not in by_id:
            return (f"checks.{str(check_id)[:80]}",
                    f"is not a check — known: {', '.join(by_id)}")
        try:
            instantiate(by_id[check_id], params)
        except ConfigError as exc:
            known = by_id[check_id].param_names()
            return (str(exc.key or f"checks.{check_id}"),
                    f"is not a setting of check {check_id!r} — known: "
                    f"{', '.join(known) if known else '(none: it takes no settings)'}")
        except (TypeError, ValueError) as exc:
            return f"checks.{check_id}", f"has an invalid value — {_short(str(exc), 120)}"
    return None


def _dp_claim(key: str, value: Any) -> tuple[str, str] | None:
    from .dp_claim import settings_problem

    return settings_problem(key, value)


_DEFAULTS: dict[str, Any] = {f.name: f.default for f in dataclasses.fields(ScanConfig)}

#: the validators of each setting, in the order problems are reported
_RULES: dict[str, tuple[Rule, ...]] = {
    "seed": (_rule(lambda v: _is_int(v) and v >= 0, "must be a non-negative integer — e.g. 7"),),
    "missing_tokens": (_rule(_texts, "must be a list of strings — e.g. [\"?\", \"-999\"] (quote "
                                     "numbers)"),),
    "columns": (_columns,),
    "metric": (_choice(METRICS),),
    "threads": (_rule(lambda v: v is None or (_is_int(v) and v >= 1),
                      "must be a positive integer — or leave it out to use all cores"),),
    "encoding": (_rule(is_text_encoding, "is not a known text encoding (codecs such as rot13, "
                       "hex or base64, which do not turn bytes into text, are refused) — use "
                       "e.g. utf-8, latin-1 or cp1252"),),
    **{key: (_in_range(low, high, _DEFAULTS[key]),) for key, (low, high) in SIZE_RANGES.items()},
    "alpha": (_rule(lambda v: _is_number(v) and ALPHA_RANGE[0] <= v < ALPHA_RANGE[1],
                    f"must be a number from {ALPHA_RANGE[0]:g} up to (not including) "
                    f"{ALPHA_RANGE[1]:g}; smaller error rates ask for intervals the sample "
                    "sizes cannot support — e.g. 0.05"),),
    "mia_folds": (_rule(lambda v: _is_int(v) and 2 <= v <= 10,
                        "must be an integer from 2 to 10 — e.g. 5"),),
    "secret": (_rule(_texts, "must be a list of column names — e.g. [\"income\"]"),),
    "known": (_rule(_texts, "must be a list of column names — e.g. [\"income\"]"),),
    "link_columns": (_rule(_link_sides, "must be two non-empty lists of column names — e.g. "
                                        "[[\"age\", \"sex\"], [\"income\", \"region\"]]"),),
    "link_k": (_rule(lambda v: isinstance(v, (list, tuple)) and bool(v)
                     and all(_is_int(k) and 1 <= k <= 100 for k in v),
                     "must be a list of integers from 1 to 100 — e.g. [1, 5]"),),
    "mode": (_choice(MODES),),
    "checks": (_rule(_texts, "must be a list of check ids — e.g. [\"exact_copies\"]"),
               _known_checks),
    "check_params": (_check_params,),
    "max_memory": (_rule(lambda v: v is None or _memory_size(v),
                         "must be a size — e.g. \"4GB\" or \"512MB\""),),
    "exact_search": (_rule(lambda v: isinstance(v, bool), "must be true or false"),),
    "dp_claim": (_dp_claim,),
}

#: settings that constrain each other: (key reported, is it violated?, what to do)
_CROSS_RULES: tuple[tuple[str, Callable[[ScanConfig], bool], str], ...] = (
    ("known", lambda c: bool(set(c.secret) & set(c.known)),
     "must not contain a secret column — remove it from one of the lists"),
    ("link_columns", lambda c: bool(c.link_columns)
     and bool(set(c.link_columns[0]) & set(c.link_columns[1])),
     "has a column in both lists — put each column on one side"),
)
