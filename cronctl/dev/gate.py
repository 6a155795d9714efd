"""The ASGI layer in front of the QStash API (`/v2/...`): counts, latency, auth, faults, access log.

Control endpoints (`/_cronctl/...`) pass straight through: never counted, delayed or faulted.
In front of everything, `HostGuard` refuses a request whose Host is not the server's own address
(a web page on another origin cannot reach it through DNS rebinding), and reads (GET) never take
the token from the query: what they answer holds forwarded header values.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
import time
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..secrets import same_secret
from .faults import Fault, FaultPlan
from .livelog import LiveLog

_CONVERTER = re.compile(r":\w+}")  # "{destination:path}" -> "{destination}"


class DropConnection(Exception):
    """Raised after the response has started: uvicorn then closes the connection."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DropConnection)


_QUIET_DROPS = _QuietDrops()  # one instance: addFilter ignores a filter already added


class RequestStats:
    """API requests served, by method and route template, and the most handled at once."""

    def __init__(self) -> None:
        self.by_route: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()  # e.g. how many were answered 429
        self.in_flight = 0
        self.max_in_flight = 0

    def count(self, method: str, template: str) -> None:
        self.by_route[f"{method} {template}"] += 1

    def reset(self) -> None:
        self.by_route.clear()
        self.by_status.clear()
        self.max_in_flight = self.in_flight

    def to_json(self) -> dict[str, Any]:
        return {"total": sum(self.by_route.values()),
                "byRoute": dict(sorted(self.by_route.items())),
                "byStatus": {str(k): v for k, v in sorted(self.by_status.items())},
                "maxInFlight": self.max_in_flight}


def authorised(scope: Scope, token: str, *, query: bool | None = None) -> bool:
    """`Authorization: Bearer <token>`, or `?qstash_token=<token>` as QStash also accepts, but
    only where `query` allows (default: not on reads, whose answers hold forwarded header
    values; a token in a URL ends up in histories, logs and Referer headers)."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            return same_secret(value.decode("latin-1").strip(), f"Bearer {token}")
    if query is None:
        query = scope.get("method") not in ("GET", "HEAD")
    if not query:
        return False
    found = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    given = found.get("qstash_token", [None])[-1]
    return given is not None and same_secret(given, token)


def host_of(scope: Scope) -> str | None:
    """The Host header's name, lower case, without port or brackets (None: no Host)."""
    for name, value in scope.get("headers", ()):
        if name == b"host":
            host = value.decode("latin-1").strip().lower()
            if host.startswith("["):
                return host[1:host.find("]")] if "]" in host else host
            return host.rsplit(":", 1)[0].rstrip(".") if host.count(":") == 1 else \
                host.rstrip(".")
    return None


class HostGuard:
    """403 for a Host that is not this server's address: `localhost`, a loopback IP, the
    address it was bound to (`--host`), or, bound to every interface, any IP literal. A DNS
    rebinding page sends its own name as Host, so it never reads the schedules (forwarded
    headers), the environment or the signing keys."""

    def __init__(self, app: ASGIApp, bound: str = "127.0.0.1") -> None:
        self.app = app
        self.bound = bound.strip("[]").lower()

    def allowed(self, host: str | None) -> bool:
        if host is None or host in ("localhost", self.bound):
            return True
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return False
        return ip.is_loopback or self.bound in ("0.0.0.0", "::", "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = host_of(scope)
            if not self.allowed(host):
                await send_json(send, 403, {"error": f"forbidden: Host {host!r} is not this "
                                            "server's address (use 127.0.0.1 or localhost)"})
                return
        await self.app(scope, receive, send)


async def send_json(send: Send, status: int, data: Any, headers: dict[str, str] | None = None
                    ) -> None:
    body = json.dumps(data).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class ApiGate:
    def __init__(self, app: ASGIApp, router: Router, *, token: str, stats: RequestStats,
                 latency_ms: int, faults: FaultPlan, log: LiveLog) -> None:
        self.app = app
        self.router = router
        self.token = token
        self.stats = stats
        self.latency_s = latency_ms / 1000
        self.faults = faults
        self.log = log
        logging.getLogger("uvicorn.error").addFilter(_QUIET_DROPS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v2/"):
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        self.stats.count(scope["method"], self._template(scope))
        status = [0]

        async def tracked(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        self.stats.in_flight += 1
        self.stats.max_in_flight = max(self.stats.max_in_flight, self.stats.in_flight)
        try:
            await self._handle(scope, receive, tracked)
        finally:
            self.stats.in_flight -= 1
            self.stats.by_status[status[0] or 0] += 1
            self.log.access(scope["method"], scope["path"], status[0] or 0,
                            (time.monotonic() - started) * 1000)

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        if not authorised(scope, self.token):
            await send_json(send, 401, {"error": "unauthorized: missing or wrong bearer token"})
            return
        fault = self.faults.draw()
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.after:
            await self.app(scope, receive, _discard)
        await _strike(fault, send)

    def _template(self, scope: Scope) -> str:
        for route in self.router.routes:
            match, _ = route.matches(scope)
            if match != Match.NONE:
                return _CONVERTER.sub("}", getattr(route, "path", scope["path"]))
        return "(unmatched)"


async def _discard(message: Message) -> None:
    """The answer of a request whose response a fault replaces."""


async def _strike(fault: Fault, send: Send) -> None:
    if fault.kind == "drop":
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", b"64")]})
        raise DropConnection("injected fault: connection dropped")
    headers = None
    if fault.kind == "429":
        headers = {"Burst-RateLimit-Limit": "100", "Burst-RateLimit-Remaining": "0",
                   "Burst-RateLimit-Reset": str(int(time.time()) + 1)}
    text = {"500": "internal server error", "503": "service unavailable",
            "429": "too many requests"}[fault.kind]
    await send_json(send, fault.status, {"error": f"injected fault: {text}"}, headers)
