"""Reading a publish or schedule request (path, `Upstash-*` headers, body) into a MessageSpec.

Every problem is a `BadRequest`, answered as 400 `{"error": ...}`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence

from .. import cron
from ..targets.qstash.retrydelay import compile_delay
from .model import MessageSpec
from .urlcheck import BadURL, checked, shown

FORWARD = "upstash-forward-"
CALLBACK_FORWARD = "upstash-callback-"
FAILURE_CALLBACK_FORWARD = "upstash-failure-callback-"
# Upstash-Callback-<Name>: the documented form is Upstash-Callback-Forward-<Name>, the Python SDK
# sends Upstash-Callback-<Name>; both forward <Name>, except the callback's own settings.
_CALLBACK_SETTINGS = ("retries", "timeout", "delay", "method", "retry-delay", "workflow-")
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
SCHEDULE_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,256}$")
NAME = SCHEDULE_ID  # queue, URL group and endpoint names
_NOT_FORWARDED = {"host", "content-length", "connection", "transfer-encoding"}


class BadRequest(Exception):
    """A request QStash would refuse with 400."""


class RequestHeaders:
    """Case-insensitive, multi-valued view of (name, value) pairs."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.pairs = [(k.lower(), v) for k, v in pairs]

    def get(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.pairs if k == name), None)

    def forwarded(self, prefix: str = FORWARD) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key, value in self.pairs:
            name = key[len(prefix):]
            if prefix != FORWARD and key.startswith(prefix):
                name = name.removeprefix("forward-")
                if name.startswith(_CALLBACK_SETTINGS) or not name:
                    continue
            if key.startswith(prefix) and name not in _NOT_FORWARDED:
                out.setdefault(canonical(name), []).append(value)
            elif key == "content-type" and prefix == FORWARD:
                out.setdefault("Content-Type", []).append(value)
        return out


def canonical(name: str) -> str:
    """`x-tenant-id` -> `X-Tenant-Id`, as QStash (Go) shows header names."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def is_url(target: str) -> bool:
    return target.lower().startswith(("http://", "https://", "http:/", "https:/"))


def destination(raw: str, query: str = "", what: str = "destination") -> str:
    """A destination URL (the query joined back), checked as every URL is (urlcheck.py)."""
    try:
        return checked(raw + (f"?{query}" if query else ""), what)
    except BadURL as exc:
        raise BadRequest(str(exc)) from None


def group_name(raw: str) -> str:
    """A publish's destination that is not an http(s) URL: a URL group's name, else a 400."""
    if not NAME.match(raw):
        raise BadRequest(f"invalid destination {shown(raw)}: expected an http(s) URL or "
                         "the name of a URL group")
    return raw


def optional_url(headers: RequestHeaders, name: str) -> str | None:
    value = headers.get(name)
    if value is None or not value.strip():
        return None
    return destination(value.strip(), what=f"{name} header")


def _int(headers: RequestHeaders, name: str, default: int, minimum: int = 0) -> int:
    value = headers.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise BadRequest(f"invalid {name} header: expected a whole number") from None
    if number < minimum:
        raise BadRequest(f"invalid {name} header: must be at least {minimum}")
    return number


_GO_DURATION = re.compile(r"^(?:\d+(?:ms|s|m|h|d))+$")
_GO_PART = re.compile(r"(\d+)(ms|s|m|h|d)")
_GO_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def seconds(value: str) -> int:
    """`30`, `30s`, `5m`, `1h30m3s`, `2d` (Go-style, as the SDKs send) -> whole seconds."""
    value = value.replace(" ", "")
    if value.isdigit():
        return int(value)
    if not _GO_DURATION.match(value):
        raise ValueError(f"{value!r} is not a duration")
    total = sum(int(n) * _GO_UNITS[u] for n, u in _GO_PART.findall(value))
    if total != int(total):
        raise ValueError("durations are whole seconds (QStash has second precision)")
    return int(total)


def _duration(headers: RequestHeaders, name: str) -> int:
    value = headers.get(name)
    if value is None or not value.strip():
        return 0
    try:
        return seconds(value)
    except ValueError:
        raise BadRequest(f"invalid {name} header: expected a duration like 30s, 5m or 1h") \
            from None


def _flow_control(headers: RequestHeaders) -> dict[str, int | str | None]:
    key = (headers.get("Upstash-Flow-Control-Key") or "").strip() or None
    value = headers.get("Upstash-Flow-Control-Value") or ""
    out: dict[str, int | str | None] = {"flow_key": key}
    if value.strip() and key is None:
        raise BadRequest("Upstash-Flow-Control-Value needs Upstash-Flow-Control-Key")
    for part in filter(None, (p.strip() for p in value.split(","))):
        name, _, raw = part.partition("=")
        name = name.strip().lower()
        if name not in ("parallelism", "rate", "period"):
            raise BadRequest(f"invalid Upstash-Flow-Control-Value: unknown setting {name!r}")
        try:
            number = seconds(raw) if name == "period" else int(raw.strip())
        except ValueError:
            raise BadRequest(f"invalid Upstash-Flow-Control-Value: {part!r}") from None
        if number < 1:
            raise BadRequest(f"invalid Upstash-Flow-Control-Value: {name} must be at least 1")
        out[name] = number
    return out


def message_spec(dest: str, headers: RequestHeaders, body: bytes) -> MessageSpec:
    method = (headers.get("Upstash-Method") or "POST").strip().upper()
    if method not in METHODS:
        raise BadRequest(f"invalid Upstash-Method header: {method!r}")
    retry_delay = (headers.get("Upstash-Retry-Delay") or "").strip() or None
    if retry_delay:
        try:
            compile_delay(retry_delay)
        except ValueError as exc:
            raise BadRequest(f"invalid Upstash-Retry-Delay header: {exc}") from None
    labels = tuple(dict.fromkeys(
        x.strip() for x in (headers.get("Upstash-Label") or "").split(",") if x.strip()))
    try:
        text, binary = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, binary = base64.b64encode(body).decode(), True
    return MessageSpec(
        destination=dest,
        method=method,
        header=headers.forwarded(),
        body=text,
        body_base64=binary,
        queue=queue_name(headers.get("Upstash-Queue-Name")),
        redact=_redact(headers.get("Upstash-Redact-Fields")),
        callback_header=headers.forwarded(CALLBACK_FORWARD),
        failure_callback_header=headers.forwarded(FAILURE_CALLBACK_FORWARD),
        retries=_int(headers, "Upstash-Retries", 3),
        retry_delay=retry_delay,
        delay=_duration(headers, "Upstash-Delay"),
        timeout=_duration(headers, "Upstash-Timeout"),
        callback=optional_url(headers, "Upstash-Callback"),
        failure_callback=optional_url(headers, "Upstash-Failure-Callback"),
        labels=labels,
        **_flow_control(headers),  # type: ignore[arg-type]
    )


def queue_name(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if not NAME.match(value.strip()):
        raise BadRequest(f"invalid queue name {value.strip()!r}: "
                         "use letters, digits, '-', '_' and '.' only")
    return value.strip()


def _redact(value: str | None) -> tuple[str, ...]:
    parts = tuple(p.strip() for p in (value or "").split(",") if p.strip())
    for part in parts:
        if part not in ("body", "header") and not re.fullmatch(r"header\[[^\]]+\]", part):
            raise BadRequest(f"invalid Upstash-Redact-Fields: {part!r} "
                             "(expected body, header or header[Name])")
    return parts


def not_before_ms(headers: RequestHeaders) -> int | None:
    """Upstash-Not-Before (Unix seconds) in milliseconds, or None."""
    value = _int(headers, "Upstash-Not-Before", -1)
    return None if value < 0 else value * 1000


def schedule_request(headers: RequestHeaders) -> tuple[str, str | None]:
    """(the cron as sent, the requested schedule ID or None)."""
    expr = (headers.get("Upstash-Cron") or "").strip()
    if not expr:
        raise BadRequest("Upstash-Cron header is required")
    tz, bare = cron.split_tz(expr)
    if tz is not None and not cron.is_valid_zone(tz):
        raise BadRequest(f"invalid cron: unknown timezone {tz!r}")
    problems = cron.check_qstash(expr)  # as sent, prefix included: what QStash itself parses
    if problems:
        raise BadRequest(f"invalid cron {expr!r}: {problems[0].message}")
    schedule_id = headers.get("Upstash-Schedule-Id")
    if schedule_id is not None:
        schedule_id = schedule_id.strip()
        if not SCHEDULE_ID.match(schedule_id):
            raise BadRequest(
                f"invalid Upstash-Schedule-Id {schedule_id!r}: "
                "use letters, digits, '-', '_' and '.' only"
            )
    return expr, schedule_id


MAX_INT = 2**53  # what a JSON number holds exactly; SQLite's limit is 2**63


def query_int(params: Mapping[str, str], name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(f"invalid {name}: expected a whole number") from None
    if abs(number) > MAX_INT:
        raise BadRequest(f"invalid {name}: out of range")
    return number
