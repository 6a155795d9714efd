"""The schedules.yaml format (version 1) as pydantic models: types, enums and unknown keys.

Cross-field and provider rules (cron dialects, timezones, URLs) live in `validate.py`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt

Tier = Literal["infrastructure", "business"]
Priority = Literal["critical", "high", "medium", "low"]
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
Plan = Literal["hobby", "pro", "enterprise"]

_DURATION = re.compile(r"^\s*(\d+)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def parse_duration(value: Any) -> int:
    """`30`, `"30s"`, `"5m"`, `"1h"`, `"2d"` -> whole seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration like 30s, 5m or 1h")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return value
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m:
            seconds = int(m.group(1)) * _UNITS[m.group(2)]
            if seconds != int(seconds):
                raise ValueError("durations are whole seconds (QStash has second precision)")
            return int(seconds)
    raise ValueError("expected a duration like 30s, 5m or 1h")


Duration = Annotated[
    int, BeforeValidator(parse_duration, json_schema_input_type=Annotated[int, Field(ge=0)] | str)
]


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


MethodField = Annotated[Method, BeforeValidator(_upper)]
Headers = dict[str, str | None]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class VercelSettings(_Strict):
    plan: Plan = "pro"
    file: str = "vercel.json"


class Diagnostics(_Strict):
    path: str = "/api/diagnostics"
    components: list[str] = Field(default_factory=list)


class Defaults(_Strict):
    retries: Annotated[StrictInt, Field(ge=0)] | None = None
    method: MethodField | None = None
    timezone: str | None = None
    headers: Headers = Field(default_factory=dict)
    timeout: Duration | None = None
    delay: Duration | None = None
    retry_delay: str | None = None
    callback: str | None = None
    failure_callback: str | None = None
    labels: list[str] | None = None


class _JobCommon(_Strict):
    path: str
    schedule: str
    priority: Priority = "medium"
    description: str | None = None
    enabled: StrictBool = True


class InfrastructureJob(_JobCommon):
    tier: Literal["infrastructure"]
    # Vercel runs crons in UTC only; accepted here so validation can say so plainly.
    timezone: str | None = None


class BusinessJob(_JobCommon):
    tier: Literal["business"]
    timezone: str | None = None
    method: MethodField | None = None
    headers: Headers = Field(default_factory=dict)
    retries: Annotated[StrictInt, Field(ge=0)] | None = None
    timeout: Duration | None = None
    delay: Duration | None = None
    retry_delay: str | None = None
    body: dict[str, Any] | list[Any] | str | None = None
    labels: list[str] | None = None
    callback: str | None = None
    failure_callback: str | None = None
    concurrency: Annotated[StrictInt, Field(ge=1)] | None = None


JOB_MODELS: dict[str, type[_JobCommon]] = {
    "infrastructure": InfrastructureJob,
    "business": BusinessJob,
}
BUSINESS_ONLY = set(BusinessJob.model_fields) - set(InfrastructureJob.model_fields)


class FileModel(_Strict):
    """The top level. `jobs` is validated job by job so one bad job does not hide the others."""

    version: StrictInt
    project: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
    base_url: str | None = None
    vercel: VercelSettings = Field(default_factory=VercelSettings)
    defaults: Defaults = Field(default_factory=Defaults)
    diagnostics: Diagnostics | None = None
    jobs: dict[str, dict[str, Any]] = Field(default_factory=dict)


FIELD_HINTS: dict[str, str] = {
    "project": "lowercase letters, digits and '-', e.g. acme-health",
    "tier": "infrastructure (vercel.json) or business (QStash)",
    "priority": "one of critical, high, medium, low",
    "method": "one of GET, POST, PUT, PATCH, DELETE",
    "plan": "one of hobby, pro, enterprise",
    "enabled": "true or false",
    "timeout": "a duration like 30s, 5m or 1h",
    "delay": "a duration like 30s, 5m or 1h",
    "retries": "a whole number, e.g. 3",
    "concurrency": "a whole number of deliveries at once, at least 1",
    "schedule": "a quoted cron expression, e.g. \"0 9 * * *\"",
    "path": "a path starting with '/', e.g. /api/cron/cleanup",
    "headers": "a mapping of header name to value",
    "labels": "a list of strings, e.g. [notifications]",
}
