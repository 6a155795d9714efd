"""A runner job resolved for running: the file's defaults applied, its URL joined, its cron
compiled (robfig, as Kubernetes parses it, with the job's zone), and its run IDs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ...secrets import Secret

DEFAULT_RETRY_BACKOFF = 10  # seconds, doubled after each failed attempt
DEFAULT_TIMEOUT = 300  # seconds, HTTP and command jobs alike


@dataclass(frozen=True)
class RunJob:
    name: str
    schedule: str
    timezone: str
    enabled: bool
    kind: str  # http | command
    url: str | None = None
    method: str = "POST"
    headers: dict[str, Any] = field(default_factory=dict)  # forwarded values: Secret
    body: str | None = None
    command: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    pass_env: tuple[str, ...] = ()
    workdir: str | None = None
    timeout: int = DEFAULT_TIMEOUT
    retries: int = 0
    retry_backoff: int = DEFAULT_RETRY_BACKOFF
    jitter: int = 0
    overlap: str = "forbid"
    catchup: str = "latest"
    starting_deadline: int | None = None
    pause_after_failures: int | None = None
    notify: tuple[str, ...] = ()
    line: int | None = None

    def compiled(self):
        """(robfig schedule, zone): the Kubernetes dialect's parse, the zone as its timeZone."""
        from ... import cron

        return cron.get_dialect("kubernetes").compile(self.schedule, self.timezone)

    def spec(self) -> dict[str, Any]:
        """What the runner records as loaded (the target's live side): no secret values, only
        header names."""
        extra = {"pass_env": sorted(self.pass_env)} if self.pass_env else {}
        return {
            **extra, "schedule": self.schedule, "timezone": self.timezone, "enabled": self.enabled,
            "kind": self.kind, "url": self.url, "method": self.method if self.url else None,
            "headers": sorted(self.headers), "body": _digest(self.body),
            "command": list(self.command), "env": sorted(self.env), "workdir": self.workdir,
            "timeout": self.timeout, "retries": self.retries,
            "retry_backoff": self.retry_backoff, "jitter": self.jitter,
            "overlap": self.overlap, "catchup": self.catchup,
            "starting_deadline": self.starting_deadline,
            "pause_after_failures": self.pause_after_failures, "notify": len(self.notify),
        }


def _digest(text: str | None) -> str | None:
    return None if text is None else "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]


def run_id(job: str, scheduled_ms: int) -> str:
    """Deterministic: the same job and scheduled time give the same ID on every replica (as
    Kubernetes names a CronJob's Job, and Temporal a workflow run)."""
    return f"{job}@{iso(scheduled_ms)}"


def iso(ms: int) -> str:
    t = datetime.fromtimestamp(ms / 1000, UTC)
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    return text + (f".{ms % 1000:03d}Z" if ms % 1000 else "Z")


def resolve(config, job) -> RunJob:
    """The config's Job (target runner) as the runner runs it: the job's own keys, then the
    `runner:` settings (base_url, notify), then the defaults here."""
    from .model import settings_of

    spec = job.spec.model
    settings = settings_of(config)
    base = settings.base_url or config.base_url or ""
    headers: dict[str, Any] = {}
    for name, value in spec.headers.items():
        if value is not None:
            headers[name] = value if name.lower() == "content-type" else Secret(value)
    body = spec.body
    if isinstance(body, dict | list):
        import json

        body = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"
    notify = spec.notify if spec.notify is not None else settings.notify
    return RunJob(
        name=job.name, schedule=job.schedule, timezone=job.timezone, enabled=job.enabled,
        kind="command" if spec.command else "http",
        url=(base.rstrip("/") + spec.path) if spec.path else None,
        method=spec.method or "POST", headers=headers if spec.path else {}, body=body,
        command=tuple(spec.command or ()), env=dict(spec.env),
        pass_env=tuple(spec.pass_env), workdir=spec.workdir,
        timeout=_pick(spec.timeout, DEFAULT_TIMEOUT), retries=_pick(spec.retries, 0),
        retry_backoff=_pick(spec.retry_backoff, DEFAULT_RETRY_BACKOFF),
        jitter=spec.jitter or 0, overlap=spec.overlap, catchup=spec.catchup,
        starting_deadline=spec.starting_deadline,
        pause_after_failures=spec.pause_after_failures, notify=tuple(notify or ()),
        line=job.line)


def _pick(*values):
    return next(v for v in values if v is not None)
