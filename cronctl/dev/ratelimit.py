"""`cronctl dev --rate-limit N[/s]`: QStash's per-second burst limit on the management API.

QStash limits its management endpoints (schedules, logs/events, DLQ, queues, keys) per token and
per second, and says so on every answer of those endpoints:

- `Burst-RateLimit-Limit`: requests allowed in the burst window (one second);
- `Burst-RateLimit-Remaining`: requests left in it;
- `Burst-RateLimit-Reset`: when it resets, as a unix timestamp in seconds;

and answers 429 with the same headers when the budget is spent. Publishing (publish, enqueue,
batch, trigger, notify, wait) has no such limit. Here the budget is a token bucket per token: it
holds at most N requests and refills at N per second, so a client that keeps under N per second
is never refused, and one that bursts is refused exactly as far as it overshoots.

The bucket refills on wall time; a test may pass the server's clock instead (`DevServer(...,
rate_clock="server")`): on a frozen one nothing refills until the clock is advanced, so the test
counts answers whatever the machine's speed.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNLIMITED_PREFIXES = ("/v2/publish/", "/v2/enqueue/", "/v2/batch", "/v2/trigger/",
                      "/v2/notify/", "/v2/wait/")


def parse_rate(text: str) -> float:
    """'100', '100/s' or '6000/m' -> requests per second. Raises ValueError."""
    raw = text.strip().lower()
    number, _, unit = raw.partition("/")
    per = {"": 1.0, "s": 1.0, "sec": 1.0, "second": 1.0, "m": 60.0, "min": 60.0,
           "minute": 60.0}.get(unit.strip())
    try:
        value = float(number)
    except ValueError:
        value = math.nan
    if per is None or not math.isfinite(value) or value <= 0:
        raise ValueError(f"--rate-limit {text!r}: expected requests per second, "
                         "e.g. 100 or 100/s (or 6000/m)")
    return value / per


@dataclass
class Bucket:
    capacity: float
    rate: float  # tokens per second
    tokens: float
    stamp: float  # time.monotonic() of the last refill

    def take(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def headers(self, now: float) -> dict[str, str]:
        until_full = (self.capacity - self.tokens) / self.rate
        return {
            "Burst-RateLimit-Limit": str(int(self.capacity)),
            "Burst-RateLimit-Remaining": str(max(0, int(self.tokens))),
            "Burst-RateLimit-Reset": str(math.ceil(time.time() + until_full)),
        }


class RateLimit:
    """ASGI middleware: the burst limit on the management endpoints, one bucket per token.

    `limited` counts the requests answered 429."""

    def __init__(self, app: ASGIApp, per_second: float,
                 seconds: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.seconds = seconds  # the server's clock, in seconds
        self.per_second = per_second
        self.capacity = max(1.0, math.floor(per_second))
        self.buckets: dict[bytes, Bucket] = {}
        self.limited = 0

    def _bucket(self, scope: Scope, now: float) -> Bucket:
        token = next((v for k, v in scope.get("headers", ()) if k == b"authorization"), b"")
        bucket = self.buckets.get(token)
        if bucket is None:
            bucket = self.buckets[token] = Bucket(self.capacity, self.per_second,
                                                  self.capacity, now)
        return bucket

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/v2/") \
                or path.startswith(UNLIMITED_PREFIXES):
            await self.app(scope, receive, send)
            return
        now = self.seconds()
        bucket = self._bucket(scope, now)
        allowed = bucket.take(now)
        extra = [(k.lower().encode(), v.encode()) for k, v in bucket.headers(now).items()]
        if not allowed:
            self.limited += 1
            body = json.dumps({"error": "too many requests: burst rate limit of "
                               f"{bucket.capacity:g} per second exceeded"}).encode()
            await send({"type": "http.response.start", "status": 429,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode()), *extra]})
            await send({"type": "http.response.body", "body": body})
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
