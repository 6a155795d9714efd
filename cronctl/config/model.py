"""The schedules.yaml format (version 1): types, enums, bounds and unknown keys, declared once
as frozen dataclasses. `shape.py` checks a file against them (pydantic's strict rules, without
loading pydantic); `asmodels.py` makes pydantic models of them for the JSON Schema.

Cross-field and provider rules (cron dialects, timezones, URLs) live in `validate.py`.
No `from __future__ import annotations`: `shape.py` reads these annotations as objects.
"""

from dataclasses import field
from typing import Annotated, Any, Literal

from ..durations import DURATION, parse_duration

# The runner target declares its own format (issue 21 derives all of this from a registry).
from ..targets.runner.spec import FIELD_HINTS as RUNNER_HINTS
from ..targets.runner.spec import RunnerJob, RunnerSettings
from .shape import Before, Ge, Le, MinLen, Pattern, spec

Tier = Literal["infrastructure", "business"]
TargetName = Literal["vercel", "qstash", "kubernetes", "runner"]
TARGETS: tuple[str, ...] = ("vercel", "qstash", "kubernetes", "runner")
# Where a tier runs unless the file's `tiers:` mapping says otherwise (the seed's vocabulary).
TIER_TARGETS: dict[str, str] = {"infrastructure": "vercel", "business": "qstash"}
Priority = Literal["critical", "high", "medium", "low"]
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
Plan = Literal["hobby", "pro", "enterprise"]

_DURATION = DURATION  # the pattern, for the JSON Schema


Duration = Annotated[int, Before(parse_duration, accepts=Annotated[int, Ge(0)] | str)]


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


MethodField = Annotated[Method, Before(_upper)]
Headers = dict[str, str | None]


@spec
class VercelSettings:
    plan: Plan = "pro"
    file: str = "vercel.json"
    # What cronctl writes in vercel.json: legacy Cron Jobs (`crons`) or Vercel Schedules.
    output: Literal["crons", "schedules"] = "crons"
    # The Vercel project (ID or name) whose deployed crons cronctl reads with VERCEL_TOKEN;
    # else VERCEL_PROJECT_ID or .vercel/project.json.
    project: str | None = None
    team: str | None = None  # the team ID (teamId=), else VERCEL_ORG_ID or .vercel/project.json


@spec
class Diagnostics:
    path: str = "/api/diagnostics"
    components: list[str] = field(default_factory=list)


@spec
class Defaults:
    retries: Annotated[int, Ge(0)] | None = None
    method: MethodField | None = None
    timezone: str | None = None
    headers: Headers = field(default_factory=dict)
    timeout: Duration | None = None
    delay: Duration | None = None
    retry_delay: str | None = None
    callback: str | None = None
    failure_callback: str | None = None
    labels: list[str] | None = None
    notify: list[str] | None = None  # the runner target's failure notifications


@spec
class SecretRef:
    """A key of a Kubernetes Secret: the manifest names it, never holds its value."""

    secret: Annotated[str, MinLen(1)]
    key: Annotated[str, MinLen(1)]


@spec
class KubernetesSettings:
    file: str = "k8s/cronjobs.yaml"
    namespace: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    service_account: str | None = None
    image: str | None = None  # the default image of container jobs
    http_image: str = "curlimages/curl:8.11.1"  # runs the HTTP jobs
    base_url: str | None = None  # where HTTP jobs call (default: the top-level base_url)
    cron_secret: SecretRef = SecretRef(secret="cron-secret", key="CRON_SECRET")
    # Each container job's command runs under `cronctl exec` (its lock and ledger); the image
    # needs cronctl, and the ledger's URL comes from this Secret key (CRONCTL_DATABASE_URL).
    wrap: bool = False
    runner_database: SecretRef = SecretRef(secret="cronctl-runner", key="database-url")


Share = Annotated[float, Ge(0), Le(1)]


@spec
class SafetySettings:
    """octoDNS's thresholds: refuse a plan that updates, or deletes, more than this share of
    at least `min_existing` managed jobs of one target (unless --force)."""

    update_threshold: Share = 0.3
    delete_threshold: Share = 0.3
    min_existing: Annotated[int, Ge(0)] = 10


@spec
class _JobCommon:
    tier: Tier | None = None
    target: TargetName | None = None
    path: str
    schedule: str
    priority: Priority = "medium"
    description: str | None = None
    enabled: bool = True
    # Only the file changes a locked job: pause, resume and trigger refuse it without --force.
    locked: bool = False
    # The job's previous name: the plan shows a rename, and its history follows it.
    renamed_from: Annotated[str, Pattern(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")] | None = None


@spec
class InfrastructureJob(_JobCommon):
    """A job of the vercel target (vercel.json crons)."""

    # Cron Jobs run in UTC only (validation says so plainly); Vercel Schedules take a zone.
    timezone: str | None = None
    jitter: Annotated[int, Ge(1), Le(15)] | None = None  # Schedules only: minutes


@spec
class BusinessJob(_JobCommon):
    """A job of the qstash target."""

    timezone: str | None = None
    method: MethodField | None = None
    headers: Headers = field(default_factory=dict)
    retries: Annotated[int, Ge(0)] | None = None
    timeout: Duration | None = None
    delay: Duration | None = None
    retry_delay: str | None = None
    body: dict[str, Any] | list[Any] | str | None = None
    labels: list[str] | None = None
    callback: str | None = None
    failure_callback: str | None = None
    concurrency: Annotated[int, Ge(1)] | None = None


Quantity = str | int
EnvValue = str | SecretRef


@spec
class Resources:
    requests: dict[str, Quantity] = field(default_factory=dict)
    limits: dict[str, Quantity] = field(default_factory=dict)


@spec
class KubernetesJob(_JobCommon):
    """A job of the kubernetes target: an HTTP job (`path`) or a container job (`image`,
    `command`, ...), written as a batch/v1 CronJob."""

    path: str | None = None  # type: ignore[assignment]
    timezone: str | None = None
    method: MethodField | None = None
    body: dict[str, Any] | list[Any] | str | None = None
    image: str | None = None
    command: list[str] | None = None
    args: list[str] | None = None
    env: dict[str, EnvValue] = field(default_factory=dict)
    resources: Resources | None = None
    retries: Annotated[int, Ge(0)] | None = None
    timeout: Duration | None = None
    starting_deadline: Duration | None = None
    concurrency: Annotated[int, Ge(1)] | None = None
    concurrency_policy: Literal["Allow", "Forbid", "Replace"] | None = None
    successful_history: Annotated[int, Ge(0)] | None = None
    failed_history: Annotated[int, Ge(0)] | None = None
    restart_policy: Literal["OnFailure", "Never"] | None = None


JOB_MODELS: dict[str, type] = {
    "vercel": InfrastructureJob,
    "qstash": BusinessJob,
    "kubernetes": KubernetesJob,
    "runner": RunnerJob,
}
# Why a target refuses a key another target takes: said in the error, with what to do.
TARGET_LIMITS = {
    "vercel": ("applies to business jobs only: the vercel target (vercel.json crons) takes "
               "path and schedule only", "use tier: business (QStash) or target: kubernetes "
               "for it"),
    "qstash": ("is not supported by the qstash target", "use target: kubernetes for "
               "container jobs, or remove it"),
    "kubernetes": ("is not supported by the kubernetes target", "a CronJob's HTTP call sends "
                   "Authorization from kubernetes.cron_secret; use tier: business (QStash) "
                   "for the other delivery options"),
    "runner": ("is not supported by the runner target", "see the README's runner section for "
               "its keys (path or command, overlap, catchup, retries, notify, ...)"),
}


@spec
class FileModel:
    """The top level. `jobs` is validated job by job so one bad job does not hide the others."""

    version: int
    project: Annotated[str, Pattern(r"^[a-z0-9][a-z0-9-]{0,62}$")]
    base_url: str | None = None
    vercel: VercelSettings = field(default_factory=VercelSettings)
    defaults: Defaults = field(default_factory=Defaults)
    diagnostics: Diagnostics | None = None
    tiers: dict[Tier, TargetName] = field(default_factory=dict)
    kubernetes: KubernetesSettings | None = None
    runner: RunnerSettings | None = None
    safety: SafetySettings = field(default_factory=SafetySettings)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)


FIELD_HINTS: dict[str, str] = {
    "project": "lowercase letters, digits and '-', e.g. acme-health",
    "tier": "infrastructure (vercel.json) or business (QStash)",
    "target": "one of vercel, qstash, kubernetes, runner",
    "concurrency_policy": "one of Allow, Forbid, Replace",
    "restart_policy": "OnFailure or Never",
    "starting_deadline": "a duration like 30s, 5m or 1h",
    "priority": "one of critical, high, medium, low",
    "method": "one of GET, POST, PUT, PATCH, DELETE",
    "plan": "one of hobby, pro, enterprise",
    "output": "crons (vercel.json Cron Jobs) or schedules (Vercel Schedules)",
    "jitter": "a whole number of minutes from 1 to 15 (vercel.output: schedules)",
    "enabled": "true or false",
    "locked": "true or false",
    "timeout": "a duration like 30s, 5m or 1h",
    "delay": "a duration like 30s, 5m or 1h",
    "retries": "a whole number, e.g. 3",
    "concurrency": "a whole number of deliveries at once, at least 1",
    "schedule": "a quoted cron expression, e.g. \"0 9 * * *\"",
    "path": "a path starting with '/', e.g. /api/cron/cleanup",
    "headers": "a mapping of header name to value",
    "labels": "a list of strings, e.g. [notifications]",
    "env": "a text value, or secret: and key: naming a key of a Kubernetes Secret",
    "body": "a mapping or list (sent as JSON), or a text",
}
FIELD_HINTS.update(RUNNER_HINTS)
