"""The schedules.yaml format (version 1): types, enums, bounds and unknown keys, declared once
as frozen dataclasses. `shape.py` checks a file against them (pydantic's strict rules, without
loading pydantic); `asmodels.py` makes pydantic models of them for the JSON Schema.

Here: what every file and every job has. Each target declares its own job fields and settings
(`cronctl/targets/<name>/model.py`, registered in `cronctl/targets/__init__.py`); the top level
(`file_model()`) and the field hints are put together from the registry.

Cross-field and provider rules (cron dialects, timezones, URLs) live in `validate.py` and in the
targets' own validation.
No `from __future__ import annotations`: `shape.py` reads these annotations as objects.
"""

import dataclasses
from dataclasses import field
from typing import Annotated, Any, Literal

from ..durations import DURATION, parse_duration
from .shape import Before, Ge, Le, Pattern, spec

Tier = Literal["infrastructure", "business"]
Priority = Literal["critical", "high", "medium", "low"]
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]

_DURATION = DURATION  # the pattern, for the JSON Schema
__all__ = ["parse_duration"]  # re-exported: the targets' normal forms read durations too


Duration = Annotated[int, Before(parse_duration, accepts=Annotated[int, Ge(0)] | str)]


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


MethodField = Annotated[Method, Before(_upper)]
Headers = dict[str, str | None]


@spec
class Diagnostics:
    path: str = "/api/diagnostics"
    components: list[str] = field(default_factory=list)


Share = Annotated[float, Ge(0), Le(1)]


@spec
class SafetySettings:
    """octoDNS's thresholds: refuse a plan that updates, or deletes, more than this share of
    at least `min_existing` managed jobs of one target (unless --force)."""

    update_threshold: Share = 0.3
    delete_threshold: Share = 0.3
    min_existing: Annotated[int, Ge(0)] = 10


@spec
class VerifySettings:
    """`verify:` on a job or in a target's settings (`cronctl verify`, cronctl/verify/): how
    late a run may start (`tolerance`: the provider's own by default; then `grace` more, when
    it is late, not missed) and how long it may run before it is stuck (`max_runtime`)."""

    tolerance: Duration | None = None
    grace: Duration | None = None
    max_runtime: Duration | None = None


@spec
class JobFields:
    """What every job has, whatever its target. A target's job model subclasses this."""

    tier: Tier | None = None
    # Any registered target's name: checked (with a did-you-mean) before the job's own model.
    target: str | None = None
    path: str
    schedule: str
    priority: Priority = "medium"
    description: str | None = None
    enabled: bool = True
    # Only the file changes a locked job: pause, resume and trigger refuse it without --force.
    locked: bool = False
    # The job's previous name: the plan shows a rename, and its history follows it.
    renamed_from: Annotated[str, Pattern(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")] | None = None
    # `cronctl verify`: this job's tolerance, grace and max_runtime (else its target's).
    verify: VerifySettings | None = None


FILE_DOC = ("The top level. `jobs` is validated job by job so one bad job does not hide the "
            "others.")

_CORE_HEAD = ("version", "project", "base_url")


def file_model() -> type:
    """The top level of the file: the core keys, and each registered target's settings under
    its key (made once per registry version)."""
    from .. import targets

    key = targets.version()
    if _made.get("version") != key:
        _made["model"] = _make_file_model(targets.plugins())
        _made["version"] = key
    return _made["model"]


_made: dict[str, Any] = {}


def _make_file_model(plugins: list) -> type:
    names = tuple(p.name for p in plugins)
    target_name = Literal[names]  # type: ignore[valid-type]
    core: dict[str, tuple[Any, Any]] = {
        "version": (int, dataclasses.MISSING),
        "project": (Annotated[str, Pattern(r"^[a-z0-9][a-z0-9-]{0,62}$")], dataclasses.MISSING),
        "base_url": (str | None, None),
        "diagnostics": (Diagnostics | None, None),
        "tiers": (dict[Tier, target_name], field(default_factory=dict)),
        "safety": (SafetySettings, field(default_factory=SafetySettings)),
        "jobs": (dict[str, dict[str, Any]], field(default_factory=dict)),
    }
    # Settings every file has (vercel:, defaults:) follow base_url; sections a file adds only
    # for a target it uses (kubernetes:) follow tiers. (The JSON Schema keeps this order.)
    always, optional = [], []
    for p in plugins:
        if p.settings_key:
            cls = p.ref("settings")
            if p.settings_optional:
                optional.append((p.settings_key, cls | None, None))
            else:
                always.append((p.settings_key, cls, field(default_factory=cls)))
    specs = [(name, *core[name]) for name in _CORE_HEAD] + always
    specs += [(name, *core[name]) for name in ("diagnostics", "tiers")] + optional
    specs += [(name, *core[name]) for name in ("safety", "jobs")]
    fields_ = [(n, tp, default) if default is not dataclasses.MISSING else (n, tp)
               for n, tp, default in specs]
    cls = dataclasses.make_dataclass("FileModel", fields_, frozen=True, kw_only=True,
                                     namespace={"__doc__": FILE_DOC})
    cls.__module__ = __name__
    return cls


def job_models() -> dict[str, type]:
    """Each target's job model, by target name."""
    from .. import targets

    return {p.name: p.ref("job_model") for p in targets.plugins()}


CORE_HINTS: dict[str, str] = {
    "project": "lowercase letters, digits and '-', e.g. acme-health",
    "tier": "infrastructure (vercel.json) or business (QStash)",
    "priority": "one of critical, high, medium, low",
    "enabled": "true or false",
    "locked": "true or false",
    "schedule": "a quoted cron expression, e.g. \"0 9 * * *\"",
    "path": "a path starting with '/', e.g. /api/cron/cleanup",
    "verify": "a mapping of tolerance, grace and max_runtime, e.g. {grace: 5m, max_runtime: 15m}",
    "grace": "a duration like 30s, 5m or 1h",
    "tolerance": "a duration like 30s, 5m or 1h",
    "max_runtime": "a duration like 30s, 5m or 1h",
}


def field_hints() -> dict[str, str]:
    """What each field takes, for messages: the core's and every target's."""
    from .. import targets

    hints = dict(CORE_HINTS)
    names = targets.names()
    hints["target"] = "one of " + ", ".join(names)
    for p in targets.plugins():
        for name, hint in p.hints.items():
            hints.setdefault(name, hint)
    return hints
