"""Reading a publish or schedule request (path, `Upstash-*` headers, body) into a MessageSpec.

Every problem is a `BadRequest`, answered as 400 `{"error": ...}`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from .. import cron
from ..config.model import parse_duration
from ..retrydelay import compile_delay
from .model import MessageSpec

FORWARD = "upstash-forward-"
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
SCHEDULE_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,256}$")
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

    def forwarded(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key, value in self.pairs:
            if key.startswith(FORWARD) and key[len(FORWARD):] not in _NOT_FORWARDED:
                out.setdefault(canonical(key[len(FORWARD):]), []).append(value)
            elif key == "content-type":
                out.setdefault("Content-Type", []).append(value)
        return out


def canonical(name: str) -> str:
    """`x-tenant-id` -> `X-Tenant-Id`, as QStash (Go) shows header names."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def destination(raw: str, query: str = "") -> str:
    url = raw + (f"?{query}" if query else "")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest(f"invalid destination {raw!r}: expected an http(s) URL")
    return url


def optional_url(headers: RequestHeaders, name: str) -> str | None:
    value = headers.get(name)
    if value is None or not value.strip():
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest(f"invalid {name} header: expected an http(s) URL")
    return value.strip()


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


def _duration(headers: RequestHeaders, name: str) -> int:
    value = headers.get(name)
    if value is None or not value.strip():
        return 0
    try:
        return parse_duration(value.strip())
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
            number = parse_duration(raw.strip()) if name == "period" else int(raw.strip())
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
    return MessageSpec(
        destination=dest,
        method=method,
        header=headers.forwarded(),
        body=body.decode("utf-8", errors="replace"),
        retries=_int(headers, "Upstash-Retries", 3),
        retry_delay=retry_delay,
        delay=_duration(headers, "Upstash-Delay"),
        timeout=_duration(headers, "Upstash-Timeout"),
        callback=optional_url(headers, "Upstash-Callback"),
        failure_callback=optional_url(headers, "Upstash-Failure-Callback"),
        labels=labels,
        **_flow_control(headers),  # type: ignore[arg-type]
    )


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


def query_int(params: Mapping[str, str], name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"invalid {name}: expected a whole number") from None
