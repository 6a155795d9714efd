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
    """The app's diagnostics endpoint: `cronctl probe` calls it once per component, with the
    `CRON_SECRET` bearer, and reports each one's status and latency."""

    path: str = "/api/diagnostics"
    """The endpoint's path on `base_url`; probe calls `<base_url><path>?component=X`."""
    components: list[str] = field(default_factory=list)
    """The components to check, e.g. `[database, redis, qstash]`."""


Share = Annotated[float, Ge(0), Le(1)]


@spec
class SafetySettings:
    """octoDNS's thresholds: refuse a plan that updates, or deletes, more than this share of
    at least `min_existing` managed jobs of one target (unless --force)."""

    update_threshold: Share = 0.3
    """The largest share of a target's managed jobs a plan may replace (updates, renames)."""
    delete_threshold: Share = 0.3
    """The largest share of a target's managed jobs a plan may stop (deletes, pauses)."""
    min_existing: Annotated[int, Ge(0)] = 10
    """Below this many managed jobs in a target, no limit applies."""


@spec
class VerifySettings:
    """`verify:` on a job or in a target's settings, for `cronctl verify` (see verify.md): how
    late a run may start (`tolerance`: the provider's own by default; then `grace` more, when
    it is late, not missed) and how long it may run before it is stuck (`max_runtime`)."""

    tolerance: Duration | None = None
    """How late the provider may fire a run that is still ok (default: the target's own: a
    minute for QStash, the runner and Vercel Pro; Vercel Hobby's hour comes on top)."""
    grace: Duration | None = None
    """How much later still a run counts as late rather than missed (default 0)."""
    max_runtime: Duration | None = None
    """A run started and not ended after this long is stuck (default: the target's, e.g. a
    runner job's timeouts and retries; none for QStash and Vercel)."""


@spec
class JobFields:
    """What every job has, whatever its target. A target's job model subclasses this."""

    tier: Tier | None = None
    """The seed's vocabulary for where a job runs: `infrastructure` (Vercel, vercel.json) or
    `business` (QStash), unless `tiers:` sends the tier elsewhere. A job needs `tier` or
    `target`."""
    # Any registered target's name: checked (with a did-you-mean) before the job's own model.
    target: str | None = None
    """The target that runs the job, by name (see the jobs by target below)."""
    path: str
    """The path the job calls on `base_url`. It starts with `/`; letters, digits and
    `-._~!$&'()*+,;=:/` only (no `..` or `.` segment, `//`, `@`, `?`, `#`, `%`, `\\`, spaces
    or non-ASCII), so what is sent is what the plan shows."""
    schedule: str
    """A cron expression, quoted, in the dialect of the job's target: 5 numeric fields for
    Vercel; for QStash, Kubernetes and the runner also names, `?` and `@daily`/`@every 1h`
    (robfig/cron)."""
    priority: Priority = "medium"
    """How much the job matters, for people and for sorting."""
    description: str | None = None
    """Free text."""
    enabled: bool = True
    """`false` pauses the job on its target (or leaves it out of a file the target writes)."""
    # Only the file changes a locked job: pause, resume and trigger refuse it without --force.
    locked: bool = False
    """`true`: only the file changes the job, so `pause`, `resume`, `trigger` and
    `stats --pause-failing` refuse it unless given `--force`."""
    # The job's previous name: the plan shows a rename, and its history follows it.
    renamed_from: Annotated[str, Pattern(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")] | None = None
    """The job's previous name: the plan shows a rename (not a delete and a create), and its
    history (`logs`, `stats`) follows it."""
    verify: VerifySettings | None = None
    """`cronctl verify`: this job's tolerance, grace and max_runtime (else its target's
    `verify:`, else the target's own)."""


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
                                     namespace={"__doc__": FILE_DOC,
                                                "__field_docs__": _top_docs(plugins)})
    cls.__module__ = __name__
    return cls


# What each top-level key is (the file model is made here, so its keys have no source to
# carry attribute docstrings); a target's settings key is described by its settings' class.
TOP_DOCS = {
    "version": "The format version: `1`.",
    "project": "The owner name: cronctl changes only the jobs it marks with it (QStash "
               "schedules whose ID starts with `cronctl.<project>.`, CronJobs labelled "
               "`cronctl.dev/project: <project>`). Lowercase letters, digits and `-`.",
    "base_url": "The app's origin: a job is called at `base_url` + its `path`. Required when a "
                "job calls the app; `http(s)` only, no `user:password@` (protect the endpoints "
                "with `CRON_SECRET`), no query or fragment.",
    "diagnostics": "The app's diagnostics endpoint, for `cronctl probe`.",
    "tiers": "Sends a whole tier to another target, e.g. `infrastructure: kubernetes` (a team "
             "on AKS).",
    "safety": "The safety limit of `schedule` and `cleanup`: a plan that replaces or stops "
              "too large a share of a target's managed jobs is refused (exit 4) unless "
              "`--force`.",
    "jobs": "The jobs, by name (letters, digits, `-`, `_`, `.`; the name becomes part of the "
            "QStash schedule ID).",
}


def _top_docs(plugins: list) -> dict[str, str]:
    docs = dict(TOP_DOCS)
    for p in plugins:
        if p.settings_key:
            cls = p.ref("settings")
            doc = (cls.__doc__ or "").strip().split("\n\n")[0]
            if doc and not doc.startswith(f"{cls.__name__}("):  # dataclasses' made-up one
                docs[p.settings_key] = " ".join(doc.split())
    return docs


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
