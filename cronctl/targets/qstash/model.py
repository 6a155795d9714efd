"""The qstash target's part of schedules.yaml: its jobs, the file's `defaults:` (which only
QStash jobs take), and how a job becomes the `Job` the target plans with. Light: `cronctl
validate` imports it.
No `from __future__ import annotations`: `config/shape.py` reads these annotations as objects.
"""

from dataclasses import dataclass, field
from typing import Annotated, Any

from ...config.model import Duration, Headers, JobFields, MethodField, VerifySettings
from ...config.project import render_body
from ...config.shape import Ge, spec
from ...secrets import Secret, reveal


@spec
class Defaults:
    """Values for every QStash job that does not set its own; `headers` merge by name (a job
    removes a default header with `Name: null`)."""

    retries: Annotated[int, Ge(0)] | None = None
    """The jobs' `retries`."""
    method: MethodField | None = None
    """The jobs' `method`."""
    timezone: str | None = None
    """The jobs' `timezone`."""
    headers: Headers = field(default_factory=dict)
    """Headers every job sends (a job's own win, by name)."""
    timeout: Duration | None = None
    """The jobs' `timeout`."""
    delay: Duration | None = None
    """The jobs' `delay`."""
    retry_delay: str | None = None
    """The jobs' `retry_delay`."""
    callback: str | None = None
    """The jobs' `callback`."""
    failure_callback: str | None = None
    """The jobs' `failure_callback`."""
    labels: list[str] | None = None
    """The jobs' `labels`."""
    verify: VerifySettings | None = None
    """`cronctl verify` for its jobs: tolerance, grace, max_runtime (a job's own `verify:`
    wins)."""


@spec
class BusinessJob(JobFields):
    """A job of the qstash target."""

    timezone: str | None = None
    """An IANA zone, sent as a `CRON_TZ=` prefix (default UTC)."""
    method: MethodField | None = None
    """The HTTP method QStash calls with (default `POST`)."""
    headers: Headers = field(default_factory=dict)
    """Headers QStash forwards to the endpoint (`Upstash-Forward-*`); values are never
    printed. `Name: null` removes a default header."""
    retries: Annotated[int, Ge(0)] | None = None
    """Delivery retries after a failed attempt (QStash's default is 3)."""
    timeout: Duration | None = None
    """How long QStash waits for the endpoint's answer."""
    delay: Duration | None = None
    """How long QStash waits before the first delivery of each run."""
    retry_delay: str | None = None
    """QStash's retry-delay expression, e.g. `pow(2, retried) * 1000` (milliseconds)."""
    body: dict[str, Any] | list[Any] | str | None = None
    """The request body: a mapping or list is sent as JSON (with `Content-Type:
    application/json`), a string as is."""
    labels: list[str] | None = None
    """Labels, for filtering logs; cronctl adds one more, the job's schedule ID, to the
    schedule and to every manual run."""
    callback: str | None = None
    """Called with each delivery's answer: a path (joined to `base_url`) or a URL."""
    failure_callback: str | None = None
    """Called when a delivery has failed for good: a path (joined to `base_url`) or a URL."""
    concurrency: Annotated[int, Ge(1)] | None = None
    """At most this many deliveries at once (QStash flow control, keyed by the schedule ID)."""


@dataclass(frozen=True)
class QStashSpec:
    """The qstash target's own part of a loaded job; the file's defaults already applied."""

    schedule_id: str
    url: str | None
    method: str = "POST"
    headers: dict[str, str | Secret] = field(default_factory=dict)  # forwarded ones: Secret
    retries: int | None = None
    timeout: int | None = None
    delay: int | None = None
    retry_delay: str | None = None
    body: str | None = None
    callback: str | None = None
    failure_callback: str | None = None
    concurrency: int | None = None
    # The schedule IDs its runs were recorded under: its own, then its previous name's.
    history_ids: tuple[str, ...] = ()

    def secrets(self) -> set[str]:
        """Values never to print: every forwarded header value."""
        from ...config.interpolate import has_placeholder

        found = set()
        for name, value in self.headers.items():
            value = reveal(value)
            # A value still holding an unset ${VAR} is not a secret; masking it would turn
            # "${TOKEN} is not set" into "*** is not set".
            if name.lower() != "content-type" and value and not has_placeholder(value):
                found.add(value)
        return found


HINTS = {
    "method": "one of GET, POST, PUT, PATCH, DELETE",
    "timeout": "a duration like 30s, 5m or 1h",
    "delay": "a duration like 30s, 5m or 1h",
    "retries": "a whole number, e.g. 3",
    "concurrency": "a whole number of deliveries at once, at least 1",
    "headers": "a mapping of header name to value",
    "labels": "a list of strings, e.g. [notifications]",
    "body": "a mapping or list (sent as JSON), or a text",
}
LIMITS = ("is not supported by the qstash target", "use target: kubernetes for container "
          "jobs, or remove it")


def build(job: BusinessJob, ctx: Any) -> dict[str, Any]:
    from ...config.project import schedule_id

    d = ctx.settings or Defaults()
    base_url = ctx.base_url
    # Forwarded header values are secrets: they render as *** wherever they go.
    headers: dict[str, Any] = {
        k: v if k.lower() == "content-type" else Secret(v)
        for k, v in _merge_headers(d.headers, job.headers).items()
    }
    body = render_body(job.body)
    if isinstance(job.body, dict | list) and not any(k.lower() == "content-type"
                                                      for k in headers):
        headers["Content-Type"] = "application/json"
    sid = schedule_id(ctx.project, ctx.name)
    history = (sid,) if not job.renamed_from else (sid, schedule_id(ctx.project,
                                                                    job.renamed_from))
    return {
        "timezone": job.timezone or d.timezone or "UTC",
        "labels": tuple(job.labels if job.labels is not None else (d.labels or ())),
        "spec": QStashSpec(
            schedule_id=sid,
            url=f"{base_url}{job.path}" if base_url else None,
            method=job.method or d.method or "POST",
            headers=headers,
            retries=_pick(job.retries, d.retries),
            timeout=_pick(job.timeout, d.timeout),
            delay=_pick(job.delay, d.delay),
            retry_delay=job.retry_delay or d.retry_delay,
            body=body,
            callback=_url(base_url, job.callback or d.callback),
            failure_callback=_url(base_url, job.failure_callback or d.failure_callback),
            concurrency=job.concurrency,
            history_ids=history,
        ),
    }


def dialect(settings: Any):
    from ... import cron

    return cron.get_dialect("qstash")


def reads(jobs: list) -> set[str]:
    return {"defaults", "base_url"}


def _pick(value: Any, default: Any) -> Any:
    return value if value is not None else default


def _merge_headers(defaults: dict, own: dict) -> dict[str, str]:
    """Job headers override defaults by name (case-insensitive); a null value removes one."""
    merged: dict[str, str | None] = {}
    for source in (defaults, own):
        for name, value in source.items():
            for existing in [k for k in merged if k.lower() == name.lower()]:
                del merged[existing]
            merged[name] = value
    return {k: v for k, v in merged.items() if v is not None}


def _url(base_url: str | None, target: str | None) -> str | None:
    if not target:
        return None
    if target.startswith("/") and base_url:
        return base_url + target
    return target
