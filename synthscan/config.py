"""Scan configuration: ``ScanConfig``, its defaults, and validation with clear errors.

Each setting has a small validator (``config_rules``, plus its cross rules for settings that
constrain each other); a failing one names the key, what is wrong and what to do. Validation
only looks; ``_normalise`` then converts accepted values to their canonical form (lists, text
column names, sorted neighbour counts) in one explicit step. Settings files are read by
``synthscan.settings``; unknown keys are errors (a typo must not fall back to a default).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config_rules import (
    ALPHA_RANGE,
    CROSS_RULES,
    METRICS,
    MODES,
    SIZE_RANGES,
    InvalidSetting,
    rules,
    short_value,
)
from .errors import ConfigError

__all__ = ["ALPHA_RANGE", "METRICS", "MODES", "SIZE_RANGES", "InvalidSetting", "ScanConfig"]


class _Checked(type):
    """Calling ``ScanConfig(...)`` with an unknown or extra argument raises ``ConfigError``
    naming it (and the closest known setting), not Python's ``TypeError``."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
        for key in kwargs:
            if key not in names:
                close = difflib.get_close_matches(str(key), names, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise ConfigError(f"ScanConfig: unknown setting {short_value(key)} — {hint}known "
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
        for key, checks in _RULES.items():
            for rule in checks:
                problem = rule(key, getattr(self, key))
                if problem is not None:
                    return problem
        for key, bad, why in CROSS_RULES:
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


#: the validators of each setting (``config_rules.rules``), with the defaults as examples
_RULES = rules({f.name: f.default for f in dataclasses.fields(ScanConfig)})
