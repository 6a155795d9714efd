"""A JSON Schema for schedules.yaml, generated from the format's models (for editors and CI)."""

from __future__ import annotations

import json
from typing import Any, get_args

from . import targets
from .config.asmodels import model_of
from .config.model import _DURATION, Method, file_model, job_models
from .config.validate import JOB_NAME

SCHEMA_ID = "https://raw.githubusercontent.com/cronctl/cronctl/main/schedules.schema.json"


def build() -> dict[str, Any]:
    JOB_MODELS = job_models()
    names = list(JOB_MODELS)
    top = model_of(file_model()).model_json_schema(ref_template="#/$defs/{model}")
    defs = top.pop("$defs", {})
    for model in JOB_MODELS.values():
        schema = model_of(model).model_json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        # `target` takes any registered target's name (the model says str: the registry is
        # only known when the file is read)
        target = schema["properties"]["target"]
        schema["properties"]["target"] = {
            "anyOf": [{"enum": names, "type": "string"}, {"type": "null"}],
            "default": None, "title": "Target", "description": target.get("description")}
        defs[model.__name__] = schema
    settings = [p.ref("settings").__name__ for p in targets.plugins() if p.settings]
    for name in (*settings, *(m.__name__ for m in JOB_MODELS.values())):
        _loosen(defs[name]["properties"])
    top["properties"]["version"] = {"const": 1, "description": "Format version."}
    top["properties"]["jobs"] = {
        "type": "object",
        "description": "Jobs by name; the name becomes part of the QStash schedule ID.",
        "propertyNames": {"pattern": JOB_NAME.pattern},
    }
    # Where a job runs: its `target`, else its `tier` (infrastructure → vercel, business →
    # qstash). A file with a `tiers:` mapping may send a tier anywhere, so there a job with a
    # tier may also be a job of any other target.
    tier_of = {target: tier for tier, target in targets.tier_targets().items()}
    routed = [_routed(m.__name__, t, tier_of.get(t)) for t, m in JOB_MODELS.items()]
    by_tier = [{"allOf": [{"$ref": f"#/$defs/{m.__name__}"}, {"required": ["tier"]}]}
               for t, m in JOB_MODELS.items() if t not in tier_of]
    top["allOf"] = [{
        "if": {"required": ["tiers"]},
        "then": {"properties": {"jobs": {"additionalProperties": {"anyOf": [*routed, *by_tier]}}}},
        "else": {"properties": {"jobs": {"additionalProperties": {"anyOf": routed}}}},
    }]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "cronctl schedules.yaml",
        **top,
        "$defs": defs,
    }


def _routed(model: str, target: str, tier: str | None) -> dict[str, Any]:
    ways: list[dict[str, Any]] = [
        {"required": ["target"], "properties": {"target": {"const": target}}}]
    if tier:
        ways.append({"required": ["tier"], "properties": {"tier": {"const": tier},
                                                          "target": False}})
    return {"allOf": [{"$ref": f"#/$defs/{model}"}, {"anyOf": ways}]}


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


_METHODS = list(get_args(Method))
_METHOD_ANY_CASE = "^(" + "|".join(_any_case(m) for m in _METHODS) + ")$"


def _loosen(props: dict[str, Any]) -> None:
    """Match what the models' before-validators accept: `method: post` (upper-cased on load),
    and as duration strings only what `parse_duration` reads (`30s`, `5m`, not `5 minutes`)."""
    for branch in props.get("method", {}).get("anyOf", ()):
        if branch.get("enum") == _METHODS:
            branch.pop("enum")
            branch["anyOf"] = [{"enum": _METHODS}, {"pattern": _METHOD_ANY_CASE}]
    for name in ("timeout", "delay", "starting_deadline"):
        for branch in props.get(name, {}).get("anyOf", ()):
            if branch == {"type": "string"}:
                branch["pattern"] = _DURATION.pattern


def render() -> str:
    return json.dumps(build(), indent=2, sort_keys=False) + "\n"
