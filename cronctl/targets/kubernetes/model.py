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
    """The Secret's name."""
    key: Annotated[str, MinLen(1)]
    """The key in the Secret."""


@spec
class KubernetesSettings:
    """The manifest cronctl writes for the kubernetes target's jobs, and what every CronJob in
    it shares."""

    file: str = "k8s/cronjobs.yaml"
    """The manifest to write, relative to schedules.yaml."""
    namespace: str | None = None
    """The CronJobs' namespace."""
    labels: dict[str, str] = field(default_factory=dict)
    """Labels on every CronJob, beside cronctl's ownership labels."""
    service_account: str | None = None
    """The pods' service account."""
    image: str | None = None  # the default image of container jobs
    """The default image of container jobs."""
    http_image: str = "curlimages/curl:8.11.1"  # runs the HTTP jobs
    """The image that runs HTTP jobs (it needs `curl`)."""
    base_url: str | None = None  # where HTTP jobs call (default: the top-level base_url)
    """Where HTTP jobs call, e.g. a cluster-internal URL (default: the top-level `base_url`)."""
    cron_secret: SecretRef = SecretRef(secret="cron-secret", key="CRON_SECRET")
    """The Secret key HTTP jobs read their `Authorization: Bearer` value from."""
    # Each container job's command runs under `cronctl exec` (its lock and the runner's
    # ledger); the image needs cronctl, and CRONCTL_DATABASE_URL comes from this Secret key.
    wrap: bool = False
    """`true`: each container job's command runs under `cronctl exec` (the job's lock and the
    runner's ledger); the image needs cronctl installed."""
    runner_database: SecretRef = SecretRef(secret="cronctl-runner", key="database-url")
    """With `wrap: true`, the Secret key `CRONCTL_DATABASE_URL` is read from."""
    verify: VerifySettings | None = None
    """`cronctl verify` for its jobs: tolerance, grace, max_runtime (a job's own `verify:`
    wins)."""


Quantity = str | int
EnvValue = str | SecretRef


@spec
class Resources:
    """A container's resources, as Kubernetes takes them (`cpu: 100m`, `memory: 128Mi`)."""

    requests: dict[str, Quantity] = field(default_factory=dict)
    """What the container is guaranteed."""
    limits: dict[str, Quantity] = field(default_factory=dict)
    """What the container may use at most."""


@spec
class KubernetesJob(JobFields):
    """A job of the kubernetes target: an HTTP job (`path`) or a container job (`image`,
    `command`, ...), written as a batch/v1 CronJob."""

    path: str | None = None  # type: ignore[assignment]
    """An HTTP job's path: `curl` calls `kubernetes.base_url` (or `base_url`) + path."""
    timezone: str | None = None
    """An IANA zone: `spec.timeZone`."""
    method: MethodField | None = None
    """An HTTP job's method (default `POST`)."""
    body: dict[str, Any] | list[Any] | str | None = None
    """An HTTP job's body: a mapping or list is sent as JSON, a string as is."""
    image: str | None = None
    """A container job's image (default: `kubernetes.image`)."""
    command: list[str] | None = None
    """A container job's command."""
    args: list[str] | None = None
    """A container job's arguments."""
    env: dict[str, EnvValue] = field(default_factory=dict)
    """A container job's environment: a value, or `{secret: NAME, key: KEY}` (a
    `secretKeyRef`; a secret value is never written into the manifest)."""
    resources: Resources | None = None
    """A container job's `requests` and `limits`."""
    retries: Annotated[int, Ge(0)] | None = None
    """`backoffLimit`: retries of a failed Job."""
    timeout: Duration | None = None
    """`activeDeadlineSeconds`: how long a run may take."""
    starting_deadline: Duration | None = None
    """`startingDeadlineSeconds`: a run that cannot start within it is skipped."""
    concurrency: Annotated[int, Ge(1)] | None = None
    """`1`: `concurrencyPolicy: Forbid` (no run while one is running)."""
    concurrency_policy: Literal["Allow", "Forbid", "Replace"] | None = None
    """`concurrencyPolicy`, said directly."""
    successful_history: Annotated[int, Ge(0)] | None = None
    """`successfulJobsHistoryLimit`."""
    failed_history: Annotated[int, Ge(0)] | None = None
    """`failedJobsHistoryLimit`."""
    restart_policy: Literal["OnFailure", "Never"] | None = None
    """The pods' `restartPolicy` (default `OnFailure`)."""


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
