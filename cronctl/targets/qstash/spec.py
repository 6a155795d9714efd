"""One QStash schedule in a normal form, built from a job (desired) or from QStash (live).

Both sides go through the same normalisation, so an unchanged job never shows as a change:
the `CRON_TZ=` prefix, header names (case, `Upstash-Forward-`), default retries and method, delay
and timeout units, and JSON bodies (compared as data, not text).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ... import cron
from ...config import Job
from ...secrets import Secret

DEFAULT_RETRIES = 3
DEFAULT_METHOD = "POST"
FORWARD = "upstash-forward-"


@dataclass(frozen=True)
class ScheduleSpec:
    schedule_id: str
    destination: str
    cron: str
    timezone: str = "UTC"
    method: str = DEFAULT_METHOD
    headers: tuple[tuple[str, str], ...] = ()  # (lower-case name, value), sorted
    body: str = ""
    retries: int = DEFAULT_RETRIES
    retry_delay: str | None = None
    delay: int = 0
    timeout: int = 0
    callback: str | None = None
    failure_callback: str | None = None
    labels: tuple[str, ...] = ()
    parallelism: int | None = None
    paused: bool = False
    # Read-only facts from QStash (not compared).
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def cron_expr(self) -> str:
        """The expression as QStash stores it: with a `CRON_TZ=` prefix unless UTC."""
        return cron.join_tz(self.cron, self.timezone)

    def request_headers(self) -> dict[str, str]:
        """The `Upstash-*` headers of the upsert that creates or replaces this schedule."""
        h: dict[str, str] = {
            "Upstash-Cron": self.cron_expr,
            "Upstash-Schedule-Id": self.schedule_id,
            "Upstash-Method": self.method,
            "Upstash-Retries": str(self.retries),
        }
        for name, value in self.headers:
            if name == "content-type":
                h["Content-Type"] = value
            else:
                h[f"Upstash-Forward-{name}"] = value
        if self.retry_delay:
            h["Upstash-Retry-Delay"] = self.retry_delay
        if self.delay:
            h["Upstash-Delay"] = f"{self.delay}s"
        if self.timeout:
            h["Upstash-Timeout"] = f"{self.timeout}s"
        if self.callback:
            h["Upstash-Callback"] = self.callback
        if self.failure_callback:
            h["Upstash-Failure-Callback"] = self.failure_callback
        if self.labels:
            h["Upstash-Label"] = ",".join(self.labels)
        if self.parallelism:
            h["Upstash-Flow-Control-Key"] = self.schedule_id
            h["Upstash-Flow-Control-Value"] = f"parallelism={self.parallelism}"
        return h


# Fields compared between desired and live, in the order a plan shows them.
COMPARED = (
    "destination",
    "cron",
    "timezone",
    "method",
    "headers",
    "body",
    "retries",
    "retry_delay",
    "delay",
    "timeout",
    "callback",
    "failure_callback",
    "labels",
    "parallelism",
)


def comparable(spec: ScheduleSpec, name: str) -> Any:
    value = getattr(spec, name)
    if name == "body":
        return canonical_body(value)
    return value


def differences(live: ScheduleSpec, desired: ScheduleSpec) -> list[str]:
    """The compared fields whose normal forms differ (pause state aside)."""
    return [f for f in COMPARED if comparable(live, f) != comparable(desired, f)]


def attributes(spec: ScheduleSpec) -> tuple[str, ...]:
    """Every attribute of a schedule, one line each, for the plan of a create. Header values
    are never shown (they carry secrets): only the names."""
    def secs(n: int) -> str:
        return f"{n}s" if n else "(none)"

    names = [name.title() for name, _ in spec.headers]
    size = len(spec.body.encode())
    kind = " (JSON)" if isinstance(canonical_body(spec.body), tuple) else ""
    return (
        f"{spec.method} {spec.destination}",
        f"cron: {spec.cron}",
        f"timezone: {spec.timezone}",
        f"retries: {spec.retries}"
        + (f", retry delay: {spec.retry_delay}" if spec.retry_delay else ""),
        f"timeout: {secs(spec.timeout)}",
        f"delay: {secs(spec.delay)}",
        f"callback: {spec.callback or '(none)'}",
        f"failure callback: {spec.failure_callback or '(none)'}",
        f"headers: {', '.join(names) + ' (values hidden)' if names else '(none)'}",
        f"body: {f'{size} bytes{kind}' if size else '(none)'}",
        f"labels: {', '.join(spec.labels) or '(none)'}",
        *([f"concurrency: {spec.parallelism}"] if spec.parallelism else []),
        *(["paused (enabled: false)"] if spec.paused else []),
    )


def canonical_body(body: str) -> Any:
    if not body:
        return ""
    try:
        return ("json", json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")))
    except ValueError:
        return body


def _headers(pairs: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    out: dict[str, str] = {}
    for name, value in pairs.items():
        key = name.lower()
        if key.startswith(FORWARD):
            key = key[len(FORWARD):]
        # Forwarded values are secrets, from the file and from QStash alike.
        out[key] = value if key == "content-type" else Secret(value)
    return tuple(sorted(out.items()))


def run_label(job: Job) -> str:
    """The QStash label on every run of a job, scheduled or triggered by hand (`Upstash-Label`),
    so that logs, stats and the DLQ find manual runs too: the job's schedule ID."""
    assert job.spec.schedule_id
    return job.spec.schedule_id


def from_job(job: Job) -> ScheduleSpec:
    assert job.spec.url and job.spec.schedule_id, "business jobs have a URL and a schedule ID"
    return ScheduleSpec(
        schedule_id=job.spec.schedule_id,
        destination=job.spec.url,
        cron=" ".join(cron.robfig.go_fields(job.schedule)),
        timezone=job.timezone or "UTC",
        method=job.spec.method.upper(),
        headers=_headers(job.spec.headers),
        body=job.spec.body or "",
        retries=job.spec.retries if job.spec.retries is not None else DEFAULT_RETRIES,
        retry_delay=job.spec.retry_delay,
        delay=job.spec.delay or 0,
        timeout=job.spec.timeout or 0,
        callback=job.spec.callback,
        failure_callback=job.spec.failure_callback,
        labels=tuple(sorted({*job.labels, run_label(job)})),
        parallelism=job.spec.concurrency,
        paused=not job.enabled,
    )


def from_live(obj: dict[str, Any]) -> ScheduleSpec:
    tz, expr = cron.split_tz(str(obj.get("cron", "")))
    raw_headers = obj.get("header") or {}
    headers = {
        name: ",".join(v) if isinstance(v, list) else str(v) for name, v in raw_headers.items()
    }
    labels = obj.get("labels")
    if labels is None and obj.get("label"):
        labels = str(obj["label"]).split(",")
    return ScheduleSpec(
        schedule_id=str(obj.get("scheduleId", "")),
        destination=str(obj.get("destination", "")),
        cron=" ".join(cron.robfig.go_fields(expr)),
        timezone=tz or "UTC",
        method=str(obj.get("method") or DEFAULT_METHOD).upper(),
        headers=_headers(headers),
        body=obj.get("body") or "",
        retries=int(obj["retries"]) if obj.get("retries") is not None else DEFAULT_RETRIES,
        retry_delay=obj.get("retryDelayExpression") or None,
        delay=_seconds(obj.get("delay")),
        timeout=_seconds(obj.get("timeout")),
        callback=obj.get("callback") or None,
        failure_callback=obj.get("failureCallback") or None,
        labels=tuple(sorted({str(x).strip() for x in labels or () if str(x).strip()})),
        parallelism=int(obj["parallelism"]) if obj.get("parallelism") else None,
        paused=bool(obj.get("isPaused", False)),
        extra={
            k: obj.get(k)
            for k in ("createdAt", "lastScheduleTime", "nextScheduleTime", "lastScheduleStates")
            if obj.get(k) is not None
        },
    )


def _seconds(value: Any) -> int:
    """QStash reports delay and timeout in seconds; accept '30s'-style strings too."""
    if value in (None, "", 0):
        return 0
    if isinstance(value, int | float):
        return int(value)
    from ...durations import parse_duration

    try:
        return parse_duration(str(value))
    except ValueError:
        return 0
