"""What the server stores: message settings, schedules, and their QStash JSON shapes."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from typing import Any


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(18).replace('-', 'x').replace('_', 'y')}"


@dataclass(frozen=True)
class MessageSpec:
    """Everything a publish or a schedule upsert sets; a replace sets all of it again."""

    destination: str
    method: str = "POST"
    header: dict[str, list[str]] = field(default_factory=dict)  # forwarded, incl. Content-Type
    body: str = ""
    retries: int = 3
    retry_delay: str | None = None
    delay: int = 0  # seconds
    timeout: int = 0  # seconds; 0 = the server's default
    callback: str | None = None
    failure_callback: str | None = None
    labels: tuple[str, ...] = ()
    flow_key: str | None = None
    parallelism: int | None = None
    rate: int | None = None
    period: int | None = None  # seconds

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MessageSpec:
        return cls(**{**data, "labels": tuple(data.get("labels") or ())})

    def api_fields(self) -> dict[str, Any]:
        """The fields QStash shows for a message or schedule with these settings."""
        out: dict[str, Any] = {
            "destination": self.destination,
            "method": self.method,
            "header": self.header,
            "retries": self.retries,
        }
        optional = {
            "body": self.body,
            "delay": self.delay,
            "timeout": self.timeout,
            "retryDelayExpression": self.retry_delay,
            "callback": self.callback,
            "failureCallback": self.failure_callback,
            "flowControlKey": self.flow_key,
            "parallelism": self.parallelism,
            "rate": self.rate,
            "period": self.period,
        }
        out.update({k: v for k, v in optional.items() if v})
        if self.labels:
            out["label"] = ",".join(self.labels)
            out["labels"] = list(self.labels)
        return out


@dataclass
class Schedule:
    schedule_id: str
    cron: str  # as sent, with any CRON_TZ= prefix
    spec: MessageSpec
    created_ms: int
    paused: bool = False
    next_ms: int | None = None
    last_ms: int | None = None
    states: dict[str, str] = field(default_factory=dict)  # messageId -> IN_PROGRESS/SUCCESS/FAIL

    def to_api(self) -> dict[str, Any]:
        out: dict[str, Any] = {"scheduleId": self.schedule_id, "cron": self.cron,
                               "createdAt": self.created_ms, **self.spec.api_fields(),
                               "isPaused": self.paused, "callerIP": "127.0.0.1"}
        if self.next_ms is not None:
            out["nextScheduleTime"] = self.next_ms
        if self.last_ms is not None:
            out["lastScheduleTime"] = self.last_ms
        if self.states:
            out["lastScheduleStates"] = dict(self.states)
        return out


@dataclass(frozen=True)
class Message:
    message_id: str
    spec: MessageSpec
    created_ms: int
    schedule_id: str | None = None


def spec_json(spec: MessageSpec) -> dict[str, Any]:
    data = asdict(spec)
    data["labels"] = list(spec.labels)
    return data
