"""A small async client for the QStash REST API (v2), over httpx.

Why not the official `qstash` SDK (3.4.0)? For a sync engine it falls short: its errors carry no
HTTP status code (so 404, 401 and 429 cannot be told apart), it never retries 429 or 5xx, its strict
enums raise on message states it does not know, its schedule model drops the `labels` field, and its
synchronous log listing prints raw JSON to stdout. Here every call is retried on 429 (waiting for
`Burst-RateLimit-Reset`), 5xx, connection errors and timeouts, with exponential backoff, full
jitter and a bounded number of attempts; every write is an upsert or a delete by schedule ID, so a
retry after a lost response is safe. How fast requests start and how many are in flight is
decided by `pacing.py` (QStash's burst-limit headers, an adaptive window): two hooks in `_send`.
The SDK is still used in our contract tests against `cronctl dev`, to prove it speaks QStash.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from ...errors import ProviderError
from . import pacing

DEFAULT_URL = "https://qstash.upstash.io"
RETRY_STATUSES = {429, 500, 502, 503, 504}


@dataclass
class RetryPolicy:
    attempts: int = 8
    base: float = 0.25  # seconds; doubled each attempt, with full jitter
    cap: float = 8.0

    @classmethod
    def from_env(cls) -> RetryPolicy:
        """`CRONCTL_RETRY_BASE` scales the backoff (the test suite sets it small)."""
        base = float(os.environ.get("CRONCTL_RETRY_BASE", cls.base))
        return cls(base=base, cap=max(base, min(cls.cap, base * 32)))

    def delay(self, attempt: int) -> float:
        return random.uniform(0, min(self.cap, self.base * 2**attempt))


class RateLimiter:
    """At most `rate` request starts per second (a token bucket with a burst of `rate`)."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate if rate and rate > 0 else None
        self._tokens = float(rate or 0)
        self._last = time.monotonic()
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if self.rate is None:
            return
        async with self._lock:
            while True:
                now = time.monotonic()
                self._tokens = min(self.rate, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self.rate)


def credentials(env: Mapping[str, str] | None = None) -> tuple[str, str]:
    env = os.environ if env is None else env
    token = env.get("QSTASH_TOKEN", "").strip()
    if not token:
        raise ProviderError(
            "QSTASH_TOKEN is not set",
            hint="export QSTASH_TOKEN=... (Upstash console -> QStash -> Request builder), "
            "or run 'cronctl dev' and use the QSTASH_URL and QSTASH_TOKEN it prints",
            exit_status=2,
        )
    return env.get("QSTASH_URL", "").strip().rstrip("/") or DEFAULT_URL, token


class QStashClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        concurrency: int = pacing.DEFAULT_MAX,
        rate: float | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        on_retry: Callable[[str, str], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy.from_env()
        self.limiter = RateLimiter(rate)
        self.requests = 0  # HTTP requests sent, retries included
        self.on_retry = on_retry
        # How many requests are in flight, and how fast they start, is pacing.py's business:
        # `concurrency` only caps it. Each request in flight has its own single-connection
        # httpx client (a lane), made when first needed: this spares httpcore's shared pool,
        # whose bookkeeping grows with every queued request and open connection (it doubled
        # the client's CPU time at 32 lanes).
        self.pacing = pacing.shared(self.base_url, token, concurrency)
        # One TLS context for all lanes (loading the CA bundle costs ~17 ms each time); a plain
        # http URL (cronctl dev) needs none, and redirects are never followed.
        verify = _tls_context() if self.base_url.startswith("https:") else False
        self._lane_kw: dict[str, Any] = dict(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}", "User-Agent": "cronctl"},
            timeout=timeout, verify=verify,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1))
        self._all: list[httpx.AsyncClient] = []
        self._idle: list[httpx.AsyncClient] = []

    async def __aenter__(self) -> QStashClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.gather(*(http.aclose() for http in self._all))

    async def _send(self, method: str, path: str, **kw: Any) -> httpx.Response:
        ticket = await self.pacing.start(path)
        http = self._idle.pop() if self._idle else self._new_lane()
        status = headers = None
        try:
            response = await http.request(method, path, **kw)
            status, headers = response.status_code, response.headers
            return response
        finally:
            self._idle.append(http)
            self.pacing.finish(ticket, status, headers)

    def _new_lane(self) -> httpx.AsyncClient:
        http = httpx.AsyncClient(**self._lane_kw)
        self._all.append(http)
        return http

    # -- schedules -------------------------------------------------------------------------

    async def list_schedules(self) -> list[dict[str, Any]]:
        data = await self._json("GET", "/v2/schedules")
        return data if isinstance(data, list) else []

    async def get_schedule(self, schedule_id: str) -> dict[str, Any]:
        return await self._json("GET", f"/v2/schedules/{quote(schedule_id, safe='')}")

    async def upsert_schedule(
        self, destination: str, headers: Mapping[str, str], body: str | None
    ) -> str:
        data = await self._json(
            "POST", f"/v2/schedules/{destination}", headers=headers,
            content=(body or "").encode()
        )
        return str(data.get("scheduleId", ""))

    async def delete_schedule(self, schedule_id: str) -> None:
        try:
            await self._request("DELETE", f"/v2/schedules/{quote(schedule_id, safe='')}")
        except ProviderError as exc:
            if exc.status != 404:  # already gone, e.g. a retry after a lost response
                raise

    async def pause(self, schedule_id: str) -> None:
        await self._request("POST", f"/v2/schedules/{quote(schedule_id, safe='')}/pause")

    async def resume(self, schedule_id: str) -> None:
        await self._request("POST", f"/v2/schedules/{quote(schedule_id, safe='')}/resume")

    # -- messages, events, keys --------------------------------------------------------------

    async def publish(self, destination: str, headers: Mapping[str, str], body: str | None
                      ) -> str:
        # Publishing is not idempotent: only retried when the request surely was not handled.
        data = await self._json("POST", f"/v2/publish/{destination}", headers=headers,
                                content=(body or "").encode(), idempotent=False)
        return str(data.get("messageId", ""))

    async def events(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return await self._json("GET", "/v2/events", params=dict(params))

    async def dlq(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return await self._json("GET", "/v2/dlq", params=dict(params or {}))

    async def keys(self) -> dict[str, Any]:
        return await self._json("GET", "/v2/keys")

    # -- transport -----------------------------------------------------------------------------

    async def _json(self, method: str, path: str, **kw: Any) -> Any:
        response = await self._request(method, path, **kw)
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise ProviderError(
                f"QStash answered {method} {path} with something that is not JSON",
                status=response.status_code,
                hint=f"is QSTASH_URL ({self.base_url}) a QStash endpoint?",
            ) from None

    async def _request(self, method: str, path: str, *, idempotent: bool = True, **kw: Any
                       ) -> httpx.Response:
        last: str = ""
        for attempt in range(self.retry.attempts):
            await self.limiter.wait()
            self.requests += 1
            try:
                response = await self._send(method, path, **kw)
            except httpx.TimeoutException as exc:
                if not idempotent and not isinstance(exc, httpx.ConnectTimeout):
                    raise self._unreachable(exc) from None
                last = f"timed out ({type(exc).__name__})"
            except httpx.TransportError as exc:
                if not idempotent and not isinstance(exc, httpx.ConnectError):
                    raise self._unreachable(exc) from None
                last = f"connection failed: {exc or type(exc).__name__}"
            else:
                if response.status_code < 400:
                    return response
                if response.status_code not in RETRY_STATUSES or (
                    not idempotent and response.status_code != 429
                ):
                    raise self._refused(method, path, response)
                last = f"HTTP {response.status_code}: {_error_text(response)}"
                if attempt + 1 < self.retry.attempts:
                    if self.on_retry:
                        self.on_retry(path, last)
                    await asyncio.sleep(self._wait(response, attempt))
                    continue
                raise self._refused(method, path, response)
            if attempt + 1 < self.retry.attempts:
                if self.on_retry:
                    self.on_retry(path, last)
                await asyncio.sleep(self.retry.delay(attempt))
        raise ProviderError(
            f"QStash at {self.base_url} could not be reached after "
            f"{self.retry.attempts} attempts: {last}",
            hint="check QSTASH_URL and the network (for local work: 'cronctl dev')",
        )

    def _wait(self, response: httpx.Response, attempt: int) -> float:
        if response.status_code == 429 and self.pacing.paces():
            return 0.0  # the rate model holds the retry back until the budget allows it
        if response.status_code == 429:
            reset = response.headers.get("Burst-RateLimit-Reset")
            if reset:
                try:
                    until = float(reset)
                    if until > 1e12:  # milliseconds
                        until /= 1000
                    return min(10.0, max(0.05, until - time.time())) + random.uniform(0, 0.1)
                except ValueError:
                    pass
            retry_after = response.headers.get("Retry-After")
            if retry_after and retry_after.isdigit():
                return min(10.0, float(retry_after))
        return self.retry.delay(attempt)

    def _unreachable(self, exc: Exception) -> ProviderError:
        return ProviderError(
            f"QStash at {self.base_url}: {type(exc).__name__}: {exc}",
            hint="check QSTASH_URL and the network (for local work: 'cronctl dev')",
        )

    def _refused(self, method: str, path: str, response: httpx.Response) -> ProviderError:
        status = response.status_code
        text = _error_text(response)
        hint = None
        if status == 401:
            hint = "QSTASH_TOKEN was not accepted; copy it again from the Upstash console"
        elif status == 403:
            hint = "this token may be read-only; writes need the full QStash token"
        elif status == 412:
            hint = "a QStash plan limit was reached (e.g. the number of schedules)"
        return ProviderError(f"QStash refused {method} {path}: HTTP {status}: {text}",
                             status=status, hint=hint)


def _tls_context():
    import ssl

    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _error_text(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:200].strip() or response.reason_phrase
    if isinstance(data, dict) and "error" in data:
        return str(data["error"])
    return str(data)[:200]
