"""The kubernetes target's part of schedules.yaml: its jobs (HTTP or container), its
`kubernetes:` settings, and how a job becomes the `Job` the target plans with. Light: `cronctl
validate` imports it.
No `from __future__ import annotations`: `config/shape.py` reads these annotations as objects.
"""

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from ...config.model import Duration, JobFields, MethodField, VerifySettings
from ...config.project import render_body
from ...config.shape import Ge, MinLen, spec


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
    # Each container job's command runs under `cronctl exec` (its lock and the runner's
    # ledger); the image needs cronctl, and CRONCTL_DATABASE_URL comes from this Secret key.
    wrap: bool = False
    runner_database: SecretRef = SecretRef(secret="cronctl-runner", key="database-url")
    verify: VerifySettings | None = None  # `cronctl verify` for its jobs (a job's own wins)


Quantity = str | int
EnvValue = str | SecretRef


@spec
class Resources:
    requests: dict[str, Quantity] = field(default_factory=dict)
    limits: dict[str, Quantity] = field(default_factory=dict)


@spec
class KubernetesJob(JobFields):
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


@dataclass(frozen=True)
class KubernetesSpec:
    """The kubernetes target's own part of a loaded job: the validated job as written, and
    the values the manifest takes from it."""

    model: KubernetesJob
    method: str = "POST"
    body: str | None = None  # as sent: JSON for a mapping or list


HINTS = {
    "concurrency_policy": "one of Allow, Forbid, Replace",
    "restart_policy": "OnFailure or Never",
    "starting_deadline": "a duration like 30s, 5m or 1h",
    "method": "one of GET, POST, PUT, PATCH, DELETE",
    "timeout": "a duration like 30s, 5m or 1h",
    "retries": "a whole number, e.g. 3",
    "concurrency": "a whole number of deliveries at once, at least 1",
    "env": "a text value, or secret: and key: naming a key of a Kubernetes Secret",
    "body": "a mapping or list (sent as JSON), or a text",
}
LIMITS = ("is not supported by the kubernetes target", "a CronJob's HTTP call sends "
          "Authorization from kubernetes.cron_secret; use tier: business (QStash) for the "
          "other delivery options")


def build(job: KubernetesJob, ctx: Any) -> dict[str, Any]:
    return {"timezone": job.timezone or "UTC",
            "spec": KubernetesSpec(model=job, method=job.method or "POST",
                                   body=render_body(job.body))}


def dialect(settings: Any):
    from ... import cron

    return cron.get_dialect("kubernetes")


def reads(jobs: list) -> set[str]:
    """Its settings when it has jobs; base_url only for HTTP jobs (container jobs call none)."""
    keys = {"kubernetes"} if jobs else set()
    return keys | ({"base_url"} if any(j.path for j in jobs) else set())


def settings(config: Any) -> KubernetesSettings:
    return config.settings.get("kubernetes") or KubernetesSettings()
