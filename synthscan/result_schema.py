"""The JSON Schema of result.json, generated from the result model.

Every dataclass of the model (``CheckResult``, ``Risk`` and theirs) becomes a ``$defs`` entry
whose properties are its fields, typed from their annotations; descriptions and bounds come
from ``Annotated[..., Json(...)]`` on the fields. Keys a class writes beside its fields
(``__json_extra__``), renamed keys (``__json_names__``) and keys written only when known
(``__json_optional__``) are declared on the class. What the result carries from other parts
of the package — the inputs (``TableSource``), column schema (``Schema``) and policy
(``Policy``), each written by its own ``to_dict()``, and the plain encoding, environment and
run dicts — is described in ``EDGE`` below.

    python -m synthscan.result_schema > docs/result.schema.json      # regenerate
    python -m synthscan.result_schema --check docs/result.schema.json  # exit 1 if stale
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from .config import ScanConfig
from .data.schema import Schema
from .model import CheckResult, Guidance, Missing, People, Risk
from .result import SCHEMA_VERSION, ScanResult
from .risk.policy import Policy
from .stats.bounds import Decision, SubTest
from .types import Json

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_NUMBER = {"type": "number"}

#: keys written beside a class's fields, for classes outside the result model
EXTRA: dict[type, dict[str, dict[str, Any]]] = {
    SubTest: {"estimate": {"type": "number", "minimum": -1, "maximum": 1,
                           "description": "k_t / n_t - k_h / n_h"}},
}

#: what a result carries from other parts of the package, as their ``to_dict()`` writes it
EDGE: dict[str, dict[str, Any]] = {
    "tool": {"type": "object", "required": ["name", "version"],
             "properties": {"name": {"const": "synthscan"},
                            "version": {"type": ["string", "null"]}}},
    "inputs": {"type": "array", "minItems": 2, "items": {
        "type": "object", "required": ["role", "name", "path", "sha256", "rows", "columns"],
        "properties": {
            "role": {"enum": ["train", "holdout", "synthetic"]},
            "name": {"type": "string", "description": "File name, or '<role> DataFrame' for "
                                                      "an in-memory table."},
            "path": {"type": ["string", "null"], "description": "Path as given to the scan; "
                                                                "null for an in-memory table."},
            "sha256": {"anyOf": [{"type": "string", "pattern": "^[0-9a-f]{64}$"},
                                 {"type": "null"}]},
            "rows": {"type": "integer", "minimum": 0},
            "columns": {"type": "integer", "minimum": 0}}}},
    "schema": {"description": "The aligned columns of the scan and their roles.",
               "type": "object",
               "required": ["columns", "identifiers_excluded_from_distances", "ignored"],
               "properties": {
                   "columns": {"type": "array", "items": {
                       "type": "object", "required": ["name", "role", "source"],
                       "properties": {
                           "name": {"type": "string"},
                           "role": {"enum": ["numeric", "categorical", "datetime", "boolean",
                                             "identifier"]},
                           "source": {"type": "string", "description": "Where the role came "
                                      "from: inferred, config or metadata."},
                           "note": {"type": "string"}}}},
                   "identifiers_excluded_from_distances": {"type": "array",
                                                           "items": {"type": "string"}},
                   "ignored": {"type": "array", "items": {"type": "string"}}}},
    "encoding": {"description": "How records were encoded for distances (metric, scaling, "
                                "dimensions).", "type": "object"},
    "policy": {"description": "The resolved policy: a threshold per risk check and the verdict "
                              "that fails a pipeline.", "type": "object",
               "required": ["preset", "thresholds", "high_thresholds", "fail_on"],
               "properties": {
                   "preset": {"type": "string"},
                   "thresholds": {"type": "object", "additionalProperties": {
                       "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}},
                   "high_thresholds": {"type": "object", "description": "Thresholds a "
                                       "confirmed lower bound must exceed for a component to "
                                       "fail (θ unless the preset is stricter).",
                                       "additionalProperties": {"type": "number", "minimum": 0,
                                                                "exclusiveMaximum": 1}},
                   "fail_on": {"enum": ["high", "inconclusive", "never"]}}},
    "environment": {"description": "Versions of synthscan, Python and the numerical libraries.",
                    "type": "object", "required": ["synthscan"],
                    "properties": {"synthscan": {"type": "string"}},
                    "additionalProperties": {"type": "string"}},
    "run": {"description": "Run-dependent values: start time, timings, threads. Everything "
                           "else is a function of the inputs, configuration, policy and seed.",
            "type": "object",
            "properties": {"started": {"type": "string"},
                           "timings_seconds": {"type": "object",
                                               "additionalProperties": _NUMBER},
                           "threads": {"type": ["integer", "null"]}}},
}

TOP_DOCS = {
    "schema_version": Json("Version of this result format; the major version must be 2 (2.0: "
                           "one per-person risk scale, one-sided decision bounds, record-side "
                           "copy components).", pattern=r"^2\.[0-9]+$"),
    "verdict": Json("high: some component's confirmed (family-adjusted) lower bound exceeds "
                    "its high threshold; low: every planned component's certified (one-sided, "
                    "unadjusted) upper bound is below its threshold and none was skipped or "
                    "errored; inconclusive: otherwise (risk.undecided and risk.missing name "
                    "why)."),
    "evidence": Json("Basis of the evidence, e.g. 'holdout-calibrated' or 'no-holdout (weaker "
                     "evidence)'."),
    "seed": Json(minimum=0),
    "config": Json("The resolved scan configuration (ScanConfig)."),
}


def _with_null(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _annotate(schema: dict[str, Any], meta: Json) -> dict[str, Any]:
    out = dict(schema)
    if meta.constraints:
        if "anyOf" in out:  # bounds belong to the non-null branch
            out["anyOf"] = [{**out["anyOf"][0], **meta.constraints}, *out["anyOf"][1:]]
        else:
            out.update(meta.constraints)
    if meta.doc:
        out["description"] = meta.doc
    return out


def _scalar(tp: Any) -> dict[str, Any] | None:
    if tp is Any:
        return {}
    if tp is type(None):
        return {"type": "null"}
    return {str: {"type": "string"}, bool: {"type": "boolean"}, int: {"type": "integer"},
            float: _NUMBER}.get(tp)


def type_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of a Python type, registering dataclasses in ``defs``."""
    scalar = _scalar(tp)
    if scalar is not None:
        return dict(scalar)
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        base = type_schema(args[0], defs)
        for meta in args[1:]:
            if isinstance(meta, Json):
                base = _annotate(base, meta)
        return base
    if origin in (Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        inner = (type_schema(rest[0], defs) if len(rest) == 1
                 else {"anyOf": [type_schema(a, defs) for a in rest]})
        return _with_null(inner) if len(rest) < len(args) else inner
    if origin is Literal:
        return {"enum": list(args)}
    if origin in (tuple, list, Sequence):
        return {"type": "array", "items": type_schema(args[0], defs) if args else {}}
    if origin in (dict, Mapping):
        value = type_schema(args[1], defs) if len(args) == 2 else {}
        return {"type": "object", **({"additionalProperties": value} if value else {})}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            defs[name] = dataclass_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON Schema for {tp!r}")


def dataclass_schema(cls: type, defs: dict[str, Any],
                     given: Mapping[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """An object schema with one property per field (and the class's declared extras); a
    property in ``given`` is taken as it is instead of from the field's type."""
    hints = get_type_hints(cls, include_extras=True)
    names: Mapping[str, str] = getattr(cls, "__json_names__", {})
    optional = set(getattr(cls, "__json_optional__", ()))
    given = given or {}
    props: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        key = names.get(f.name, f.name)
        props[key] = given[key] if key in given else type_schema(hints[f.name], defs)
    props.update(getattr(cls, "__json_extra__", {}))
    props.update(EXTRA.get(cls, {}))
    out: dict[str, Any] = {"type": "object"}
    doc = (cls.__doc__ or "").strip().split("\n\n")[0]
    if doc:
        out["description"] = " ".join(doc.split())
    out["required"] = [k for k in props if k not in optional]
    out["properties"] = props
    return out


def json_schema() -> dict[str, Any]:
    """The published schema of ``ScanResult.to_dict()``."""
    defs: dict[str, Any] = {}
    for cls in (CheckResult, SubTest, Decision, Risk, People, Missing, Guidance):
        type_schema(cls, defs)
    top = dataclass_schema(ScanResult, defs, given=EDGE)
    props = top["properties"]
    props["risk"] = {"$ref": "#/$defs/Risk", "description": "The weakest link over the planned "
                     "risk components, as certified and confirmed bounds on the excess share "
                     "of training records."}
    props["checks"] = {"type": "array", "items": {"$ref": "#/$defs/CheckResult"}}
    for key, meta in TOP_DOCS.items():
        props[key] = _annotate(props[key], meta)
    props.update(EDGE)  # with "tool", written beside the fields
    order = list(ScanResult(verdict="low", risk=Risk(upper_level=0.95), checks=[], inputs=[],
                            schema=Schema([]), encoding={}, config=ScanConfig(),
                            policy=Policy(), seed=0, environment={}).to_dict())
    return {
        "$schema": DIALECT,
        "title": "synthscan scan result",
        "description": f"The result.json written by 'synthscan scan' (ScanResult.to_dict()), "
                       f"result schema {SCHEMA_VERSION.split('.')[0]}.x. Readers must ignore "
                       "keys they do not know: minor versions may add keys, a new major "
                       "version changes meaning. Numbers that cannot be computed are null. "
                       "Run-dependent values (timings, timestamp) live in 'run' only. "
                       "Generated from the result model by synthscan.result_schema.",
        "type": "object",
        "required": order,
        "properties": {k: props[k] for k in order},
        "$defs": dict(sorted(defs.items())),
    }


def render() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] = ()) -> int:
    args = list(argv)
    if args[:1] == ["--check"] and len(args) == 2:
        current = Path(args[1]).read_text(encoding="utf-8")
        if current != render():
            print(f"{args[1]} is stale: regenerate it with "
                  f"'python -m synthscan.result_schema > {args[1]}'", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
