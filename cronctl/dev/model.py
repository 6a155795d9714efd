"""What the server stores: message settings, schedules, and their QStash JSON shapes."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

CALLER_IP = "127.0.0.1"


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
    queue: str | None = None  # Upstash-Queue-Name: delivered through that queue
    body_base64: bool = False  # `body` holds base64 of bytes that are not UTF-8
    redact: tuple[str, ...] = ()  # "body", "header" or "header[Name]": shown as REDACTED:<sha256>
    callback_header: dict[str, list[str]] = field(default_factory=dict)
    failure_callback_header: dict[str, list[str]] = field(default_factory=dict)

    def body_bytes(self) -> bytes:
        return base64.b64decode(self.body) if self.body_base64 else self.body.encode()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MessageSpec:
        return cls(**{**data, "labels": tuple(data.get("labels") or ()),
                      "redact": tuple(data.get("redact") or ())})

    def api_fields(self) -> dict[str, Any]:
        """The fields QStash shows for a message or schedule with these settings."""
        out: dict[str, Any] = {
            "destination": self.destination,
            "method": self.method,
            "header": self.header,
            "retries": self.retries,
        }
        optional = {
            **self.shown_body(),
            "delay": self.delay,
            "timeout": self.timeout,
            "retryDelayExpression": self.retry_delay,
            "callback": self.callback,
            "failureCallback": self.failure_callback,
            "flowControlKey": self.flow_key,
            "parallelism": self.parallelism,
            "rate": self.rate,
            "period": (self.period or 1) if self.flow_key else None,  # QStash's default: 1 s
            "queueName": self.queue,
            "callbackHeader": self.callback_header,
            "failureCallbackHeader": self.failure_callback_header,
        }
        out["header"] = self.shown_header()
        out.update({k: v for k, v in optional.items() if v})
        if self.labels:
            out["label"] = self.labels[0]
            out["labels"] = list(self.labels)
        return out

    def shown_body(self) -> dict[str, str]:
        """`body` (UTF-8) or `bodyBase64`, as listings show it; redacted when asked to be."""
        if not self.body:
            return {}
        if "body" in self.redact:
            return {"body": redacted(self.body_bytes())}
        return {"bodyBase64": self.body} if self.body_base64 else {"body": self.body}

    def shown_header(self) -> dict[str, list[str]]:
        everything = "header" in self.redact
        names = {r[7:-1].lower() for r in self.redact if r.startswith("header[")}
        return {name: [redacted(v.encode()) for v in values]
                if everything or name.lower() in names else values
                for name, values in self.header.items()}


def redacted(value: bytes) -> str:
    return "REDACTED:" + hashlib.sha256(value).hexdigest()


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
                               "isPaused": self.paused, "callerIP": CALLER_IP}
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
    not_before_ms: int = 0  # when the first delivery is due
    topic: str | None = None  # the URL group it was published to, and its endpoint's name
    endpoint: str | None = None

    def to_api(self) -> dict[str, Any]:
        """`GET /v2/messages/{id}`, a DLQ entry's message fields."""
        fields = self.spec.api_fields()
        out: dict[str, Any] = {"messageId": self.message_id, "url": fields.pop("destination"),
                               "maxRetries": fields.pop("retries"),
                               "notBefore": self.not_before_ms or self.created_ms,
                               "createdAt": self.created_ms,
                               # the Python SDK reads callerIP, the JS SDK callerIp
                               "callerIP": CALLER_IP, "callerIp": CALLER_IP}
        fields.pop("delay", None)
        out.update(fields)
        extra = {"scheduleId": self.schedule_id, "topicName": self.topic,
                 "endpointName": self.endpoint}
        out.update({k: v for k, v in extra.items() if v})
        return out


def spec_json(spec: MessageSpec) -> dict[str, Any]:
    data = asdict(spec)
    data["labels"] = list(spec.labels)
    data["redact"] = list(spec.redact)
    return data


def message_json(message: Message) -> dict[str, Any]:
    """A message as the store keeps it until it is delivered, failed or cancelled."""
    return {"messageId": message.message_id, "spec": spec_json(message.spec),
            "createdMs": message.created_ms, "scheduleId": message.schedule_id,
            "notBeforeMs": message.not_before_ms, "topic": message.topic,
            "endpoint": message.endpoint}


def message_from_json(data: dict[str, Any]) -> Message:
    return Message(data["messageId"], MessageSpec.from_json(data["spec"]), data["createdMs"],
                   schedule_id=data.get("scheduleId"), not_before_ms=data.get("notBeforeMs") or 0,
                   topic=data.get("topic"), endpoint=data.get("endpoint"))
