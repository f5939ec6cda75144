"""The rules a scan configuration is validated by: each setting's validators (``rules``) and
the settings that constrain each other (``CROSS_RULES``); a failing one names the key, what is
wrong and what to do (``InvalidSetting``). ``config.ScanConfig`` applies them."""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .data.text import is_text_encoding
from .errors import ConfigError
from .types import ROLES

if TYPE_CHECKING:
    from .config import ScanConfig

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


class InvalidSetting(ConfigError):
    """A setting failed validation; carries ``key`` and ``why`` so a caller can say where the
    value came from."""

    def __init__(self, where: str, key: str, why: str) -> None:
        super().__init__(f"{where}: {key!r} {why}", source=where, key=key)
        self.why = why

    def at(self, where: str) -> InvalidSetting:
        """The same problem, said of a value that came from ``where``."""
        return InvalidSetting(where, str(self.key), self.why)


def short_value(value: object, limit: int = 40) -> str:
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
                 lambda v: f"is {short_value(v)} — use one of {', '.join(choices)}")


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
                    f"has unknown role {short_value(role)} — use one of {', '.join(ROLES)}")
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
        return key, f"has unknown check {short_value(unknown[0])} — known: {', '.join(ids)}"
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
            return f"checks.{check_id}", f"has an invalid value — {short_value(str(exc), 120)}"
    return None


def _dp_claim(key: str, value: Any) -> tuple[str, str] | None:
    from .dp_claim import settings_problem

    return settings_problem(key, value)


def rules(defaults: Mapping[str, Any]) -> dict[str, tuple[Rule, ...]]:
    """The validators of each setting, in the order problems are reported (``defaults``: each
    setting's default, the example a size range's message gives)."""
    return {
        "seed": (_rule(lambda v: _is_int(v) and v >= 0,
                       "must be a non-negative integer — e.g. 7"),),
        "missing_tokens": (_rule(_texts, "must be a list of strings — e.g. [\"?\", \"-999\"] "
                                         "(quote numbers)"),),
        "columns": (_columns,),
        "metric": (_choice(METRICS),),
        "threads": (_rule(lambda v: v is None or (_is_int(v) and v >= 1),
                          "must be a positive integer — or leave it out to use all cores"),),
        "encoding": (_rule(is_text_encoding, "is not a known text encoding (codecs such as rot13, "
                           "hex or base64, which do not turn bytes into text, are refused) — use "
                           "e.g. utf-8, latin-1 or cp1252"),),
        **{key: (_in_range(low, high, defaults[key]),) for key, (low, high) in SIZE_RANGES.items()},
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
CROSS_RULES: tuple[tuple[str, Callable[[ScanConfig], bool], str], ...] = (
    ("known", lambda c: bool(set(c.secret) & set(c.known)),
     "must not contain a secret column — remove it from one of the lists"),
    ("link_columns", lambda c: bool(c.link_columns)
     and bool(set(c.link_columns[0]) & set(c.link_columns[1])),
     "has a column in both lists — put each column on one side"),
)
