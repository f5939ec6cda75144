"""Scan configuration: defaults, loading from TOML/YAML, and validation with clear errors.

A config file holds the same settings as the CLI options, e.g.::

    seed = 7
    missing_tokens = ["?"]
    metric = "l1"

    [columns]
    customer_id = "identifier"
    zip = "categorical"

Unknown keys are errors (a typo must not silently fall back to a default).
"""

from __future__ import annotations

import dataclasses
import difflib
import reprlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .data.io import is_text_encoding
from .data.schema import ROLES
from .errors import ConfigError

METRICS = ("l1", "l2")
MODES = ("default", "anonymeter")
#: allowed range of each size-like setting: below it the statistics are too coarse, above it
#: the memory and time they take have no use (each is also charged under --max-memory)
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
                                  f"settings: {', '.join(sorted(names))}")
        if len(args) > len(names):
            raise ConfigError(f"ScanConfig: takes at most {len(names)} settings, "
                              f"{len(args)} given — pass settings by name, e.g. "
                              "ScanConfig(seed=7)")
        given = set(names[: len(args)]) & set(kwargs)
        if given:
            raise ConfigError(f"ScanConfig: setting {sorted(given)[0]!r} given twice — pass "
                              "each setting once")
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

    def __post_init__(self) -> None:
        self.validate()

    def validate(self, where: str = "config") -> None:
        """Check every setting; raise ``ConfigError`` naming ``where``, the key and a fix."""
        problem = self._problem()
        if problem is not None:
            key, why = problem
            raise _Invalid(where, key, why)

    def _problem(self) -> tuple[str, str] | None:
        """(key, what is wrong — what to do) of the first invalid setting, or None."""

        def is_int(v: Any) -> bool:
            return isinstance(v, int) and not isinstance(v, bool)

        if not is_int(self.seed) or self.seed < 0:
            return "seed", "must be a non-negative integer — e.g. 7"
        if not isinstance(self.missing_tokens, (list, tuple)) or not all(
            isinstance(t, str) for t in self.missing_tokens
        ):
            return "missing_tokens", ("must be a list of strings — e.g. [\"?\", \"-999\"] "
                                      "(quote numbers)")
        self.missing_tokens = list(self.missing_tokens)
        if not isinstance(self.columns, dict):
            return "columns", ("must be a table of column name = role — e.g. [columns] with "
                               "customer_id = \"identifier\"")
        for col, role in self.columns.items():
            if not isinstance(col, (str, int, float)) or isinstance(col, bool):
                return "columns", ("must be a table of column name = role — e.g. [columns] "
                                   "with customer_id = \"identifier\"")
            if not isinstance(role, str) or role not in ROLES:
                return f"columns.{str(col)[:80]}", (f"has unknown role {_short(role)} — use "
                                                    f"one of {', '.join(ROLES)}")
        self.columns = {str(col): role for col, role in self.columns.items()}
        if not isinstance(self.metric, str) or self.metric not in METRICS:
            return "metric", f"is {_short(self.metric)} — use one of {', '.join(METRICS)}"
        if self.threads is not None and (not is_int(self.threads) or self.threads < 1):
            return "threads", "must be a positive integer — or leave it out to use all cores"
        if not is_text_encoding(self.encoding):
            return "encoding", ("is not a known text encoding (codecs such as rot13, hex or "
                                "base64, which do not turn bytes into text, are refused) — use "
                                "e.g. utf-8, latin-1 or cp1252")
        for key, (low, high) in SIZE_RANGES.items():
            v = getattr(self, key)
            if not is_int(v) or not low <= v <= high:
                return key, f"must be an integer from {low} to {high} — e.g. {_DEFAULTS[key]}"
        if (isinstance(self.alpha, bool) or not isinstance(self.alpha, (int, float))
                or not ALPHA_RANGE[0] <= self.alpha < ALPHA_RANGE[1]):
            return "alpha", (f"must be a number from {ALPHA_RANGE[0]:g} up to (not including) "
                             f"{ALPHA_RANGE[1]:g}; smaller error rates ask for intervals the "
                             "sample sizes cannot support — e.g. 0.05")
        if not is_int(self.mia_folds) or not 2 <= self.mia_folds <= 10:
            return "mia_folds", "must be an integer from 2 to 10 — e.g. 5"
        for key in ("secret", "known"):
            v = getattr(self, key)
            if not isinstance(v, (list, tuple)) or not all(isinstance(c, str) for c in v):
                return key, "must be a list of column names — e.g. [\"income\"]"
            setattr(self, key, list(v))
        if self.secret and self.known and set(self.secret) & set(self.known):
            return "known", "must not contain a secret column — remove it from one of the lists"
        lc = self.link_columns
        if not isinstance(lc, (list, tuple)) or (lc and (
                len(lc) != 2 or not all(isinstance(side, (list, tuple)) and side
                                        and all(isinstance(c, str) for c in side)
                                        for side in lc))):
            return "link_columns", ("must be two non-empty lists of column names — e.g. "
                                    "[[\"age\", \"sex\"], [\"income\", \"region\"]]")
        self.link_columns = [list(side) for side in lc]
        if lc and set(self.link_columns[0]) & set(self.link_columns[1]):
            return "link_columns", "has a column in both lists — put each column on one side"
        if (not isinstance(self.link_k, (list, tuple)) or not self.link_k
                or not all(is_int(k) and 1 <= k <= 100 for k in self.link_k)):
            return "link_k", "must be a list of integers from 1 to 100 — e.g. [1, 5]"
        self.link_k = sorted(set(self.link_k))
        if not isinstance(self.mode, str) or self.mode not in MODES:
            return "mode", f"is {_short(self.mode)} — use one of {', '.join(MODES)}"
        if not isinstance(self.checks, (list, tuple)) or not all(
                isinstance(c, str) for c in self.checks):
            return "checks", "must be a list of check ids — e.g. [\"exact_copies\"]"
        self.checks = list(self.checks)
        if self.max_memory is not None:
            from .memory import parse_size

            try:
                parse_size(self.max_memory)
            except ValueError:
                return "max_memory", "must be a size — e.g. \"4GB\" or \"512MB\""
            self.max_memory = str(self.max_memory)
        return None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> ScanConfig:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_mapping(cls, data: dict[str, Any], where: str = "config",
                     origins: dict[str, str] | None = None) -> ScanConfig:
        """Build a config from a settings dict. ``where`` names the source in messages;
        ``origins`` maps a top-level key to a more precise source (e.g. "--seed")."""
        origins = origins or {}
        known = {f.name for f in dataclasses.fields(cls)}
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: must be a table of settings at the top level — e.g. "
                              "seed = 7")
        for key in data:
            if key not in known:
                raise ConfigError(
                    f"{origins.get(str(key), where)}: unknown key {key!r} — known keys: "
                    f"{', '.join(sorted(known | _ALSO_KNOWN))}"
                )
        try:
            return cls(**data)
        except _Invalid as exc:
            origin = origins.get(exc.key.split(".", 1)[0], where)
            raise ConfigError(f"{origin}: {exc.key!r} {exc.why}") from None

    @classmethod
    def from_file(cls, path: str | Path) -> ScanConfig:
        """The scan settings of a settings file. A file with a ``[policy]`` table is read with
        ``synthscan.load_settings``, which returns the policy too."""
        data = read_config_file(path)
        if isinstance(data, dict) and "policy" in data:
            raise ConfigError(f"{Path(path).name}: has a [policy] table, which ScanConfig does "
                              "not hold — read the file with synthscan.load_settings(path) to "
                              "get the settings and the policy")
        return cls.from_mapping(data, where=Path(path).name)


class _Invalid(ConfigError):
    """A setting failed validation (carries the key so callers can name where it came from)."""

    def __init__(self, where: str, key: str, why: str) -> None:
        super().__init__(f"{where}: {key!r} {why}")
        self.key = key
        self.why = why


def _short(value: object, limit: int = 40) -> str:
    """A bounded ``repr`` of a setting's value for messages: nested and long values are cut
    (a YAML alias bomb must not be expanded into a message)."""
    r = reprlib.Repr()
    r.maxstring = r.maxother = limit
    r.maxlevel, r.maxlist, r.maxdict = 2, 4, 4
    return r.repr(value)


_DEFAULTS = {f.name: f.default for f in dataclasses.fields(ScanConfig)}
#: top-level keys of a settings file that are not ScanConfig fields (read by the CLI)
_ALSO_KNOWN = {"policy"}


def read_config_file(path: str | Path) -> dict[str, Any]:
    """Parse a TOML or YAML file into a dict (safe loaders only; nothing is executed)."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: no such config file — check the path")
    suffix = p.suffix.lower()
    if suffix not in (".toml", ".yaml", ".yml"):
        raise ConfigError(f"{p.name}: unknown config format {suffix or '(none)'!r} — use .toml "
                          "or .yaml")
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{p.name}: not UTF-8 text — re-save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{p.name}: cannot be read ({exc.strerror or type(exc).__name__}) — "
                          "check the file's permissions") from None
    try:
        if suffix == ".toml":
            try:
                import tomllib
            except ModuleNotFoundError:  # Python 3.10
                import tomli as tomllib  # type: ignore[no-redef]
            data = tomllib.loads(text)
        else:
            data = _safe_yaml(text)
            data = {} if data is None else data
    except ConfigError:
        raise
    except RecursionError:
        raise ConfigError(f"{p.name}: nested too deeply to be a settings file — write the "
                          "settings as a flat table (see docs)") from None
    except Exception as exc:  # noqa: BLE001 - parser errors carry a position, keep it
        if isinstance(exc, _AliasRefused):
            raise ConfigError(f"{p.name}: {_syntax_problem(exc)} — write each value out in "
                              "full") from None
        raise ConfigError(f"{p.name}: not valid {'TOML' if suffix == '.toml' else 'YAML'} "
                          f"({_syntax_problem(exc)}) — fix the syntax") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{p.name}: must be a table of settings at the top level — e.g. "
                          "seed = 7")
    return data


def _safe_yaml(text: str) -> Any:
    """``yaml.safe_load`` that refuses anchors and aliases: a settings file never needs them,
    and a few lines of nested aliases expand into billions of values (a "billion laughs")
    when anything walks the result."""
    import yaml

    class _NoAliases(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise _AliasRefused(event.start_mark)
            event = self.peek_event()
            if getattr(event, "anchor", None):
                raise _AliasRefused(event.start_mark)
            return super().compose_node(parent, index)

    return yaml.load(text, Loader=_NoAliases)  # noqa: S506 - a SafeLoader subclass


class _AliasRefused(Exception):
    def __init__(self, mark: Any) -> None:
        super().__init__("anchor or alias")
        self.problem_mark = mark
        self.problem = "YAML anchors and aliases (&name, *name) are not supported"


def _syntax_problem(exc: Exception) -> str:
    """A parser error as one short phrase with its position."""
    mark = getattr(exc, "problem_mark", None)  # PyYAML
    if mark is not None:
        problem = getattr(exc, "problem", None) or "syntax error"
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    lines = str(exc).splitlines()
    return " ".join(lines[0].split()) if lines else type(exc).__name__
