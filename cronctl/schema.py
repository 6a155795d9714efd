"""A JSON Schema for schedules.yaml, generated from the models (for editors and CI)."""

from __future__ import annotations

import json
from typing import Any

from .config.model import BusinessJob, FileModel, InfrastructureJob
from .config.validate import JOB_NAME

SCHEMA_ID = "https://raw.githubusercontent.com/cronctl/cronctl/main/schedules.schema.json"


def build() -> dict[str, Any]:
    top = FileModel.model_json_schema(ref_template="#/$defs/{model}")
    defs = top.pop("$defs", {})
    for model in (InfrastructureJob, BusinessJob):
        schema = model.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        defs[model.__name__] = schema
    top["properties"]["version"] = {"const": 1, "description": "Format version."}
    top["properties"]["jobs"] = {
        "type": "object",
        "description": "Jobs by name; the name becomes part of the QStash schedule ID.",
        "propertyNames": {"pattern": JOB_NAME.pattern},
        "additionalProperties": {
            "oneOf": [{"$ref": "#/$defs/InfrastructureJob"}, {"$ref": "#/$defs/BusinessJob"}]
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "cronctl schedules.yaml",
        **top,
        "$defs": defs,
    }


def render() -> str:
    return json.dumps(build(), indent=2, sort_keys=False) + "\n"
