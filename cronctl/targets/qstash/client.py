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
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from ... import httpguard as guard
from ...errors import ProviderError
from ...secrets import Secret, reveal
from ...urls import encode_destination, is_https
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
        from ...environment import current

        base = current().tuning.retry_base or cls.base
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


class QStashClient:
    def __init__(
        self,
        base_url: str,
        token: str | Secret,
        *,
        concurrency: int = pacing.DEFAULT_MAX,
        rate: float | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        on_retry: Callable[[str, str], None] | None = None,
        limits: guard.Limits | None = None,
        phase: str = "read",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.limits = limits or guard.Limits.from_env(phase)
        # One deadline for everything this client does (a command phase; reading shares one
        # per command, deadlines.py): a server that drips bytes, or a storm of retries,
        # cannot keep a command running for ever.
        self._started = time.monotonic()
        self._deadline = self._started + self.limits.left
        self.retry = retry or RetryPolicy.from_env()
        self.limiter = RateLimiter(rate)
        self.requests = 0  # HTTP requests sent, retries included
        self.on_retry = on_retry
        # How many requests are in flight, and how fast they start, is pacing.py's business:
        # `concurrency` only caps it. Each request in flight has its own single-connection
        # httpx client (a lane), made when first needed: this spares httpcore's shared pool,
        # whose bookkeeping grows with every queued request and open connection (it doubled
        # the client's CPU time at 32 lanes).
        self.pacing = pacing.shared(self.base_url, reveal(token), concurrency)
        # One TLS context for all lanes (loading the CA bundle costs ~17 ms each time); a plain
        # http URL (cronctl dev) needs none, and redirects are never followed.
        # The scheme is parsed, never prefix-tested: HTTPS:// checks certificates too.
        verify = _tls_context() if is_https(self.base_url) else False
        self._lane_kw: dict[str, Any] = dict(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {reveal(token)}", "User-Agent": "cronctl"},
            timeout=timeout, verify=verify,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1))
        self._all: list[httpx.AsyncClient] = []
        self._idle: list[httpx.AsyncClient] = []

    async def __aenter__(self) -> QStashClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.limits.spent(time.monotonic() - self._started)
        await asyncio.gather(*(http.aclose() for http in self._all))

    async def _send(self, method: str, path: str, **kw: Any) -> httpx.Response:
        ticket = await self.pacing.start(path)
        http = self._idle.pop() if self._idle else self._new_lane()
        status = headers = None
        try:
            if "headers" in kw:
                kw["headers"] = guard.outgoing(kw["headers"], f"{method} {path}")
            response = await guard.fetch(http, method, path,
                                         max_bytes=self.limits.max_response, **kw)
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
        data = await self._json("GET", "/v2/schedules", expect=list)
        if not all(isinstance(item, dict) for item in data):
            raise self._shape("GET", "/v2/schedules", "a list of schedule objects")
        return data

    async def get_schedule(self, schedule_id: str) -> dict[str, Any]:
        return await self._json("GET", f"/v2/schedules/{quote(schedule_id, safe='')}",
                                expect=dict)

    async def upsert_schedule(
        self, destination: str, headers: Mapping[str, str], body: str | None
    ) -> str:
        data = await self._json(
            "POST", f"/v2/schedules/{encode_destination(destination)}", headers=headers,
            content=(body or "").encode(), expect=dict,
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
        data = await self._json("POST", f"/v2/publish/{encode_destination(destination)}",
                                headers=headers, content=(body or "").encode(),
                                idempotent=False, expect=dict)
        return str(data.get("messageId", ""))

    async def events(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return self._page(await self._json("GET", "/v2/events", params=dict(params),
                                           expect=dict), "events", "/v2/events")

    async def dlq(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self._page(await self._json("GET", "/v2/dlq", params=dict(params or {}),
                                           expect=dict), "messages", "/v2/dlq")

    async def retry_dead_letter(self, dlq_id: str) -> str:
        """Deliver a DLQ message again (a new message); not idempotent, so not blindly retried."""
        data = await self._json("POST", f"/v2/dlq/retry/{quote(dlq_id, safe='')}",
                                idempotent=False)
        return str(data.get("messageId", ""))

    async def delete_dead_letter(self, dlq_id: str) -> bool:
        try:
            await self._request("DELETE", f"/v2/dlq/{quote(dlq_id, safe='')}")
        except ProviderError as exc:
            if exc.status == 404:  # already gone
                return False
            raise
        return True

    async def keys(self) -> dict[str, Any]:
        return await self._json("GET", "/v2/keys", expect=dict)

    # -- transport -----------------------------------------------------------------------------

    async def _json(self, method: str, path: str, *, expect: type | None = None, **kw: Any
                    ) -> Any:
        """The answer's JSON; with `expect`, it must be that type (an empty body is not)."""
        response = await self._request(method, path, **kw)
        if not response.content and expect is None:
            return {}
        try:
            data = response.json()
        except ValueError:
            raise self._shape(method, path, "JSON", response.status_code) from None
        if expect is not None and not isinstance(data, expect):
            raise self._shape(method, path, "a JSON " + ("list" if expect is list else "object"),
                              response.status_code)
        return data

    def _page(self, data: dict[str, Any], key: str, path: str) -> dict[str, Any]:
        """A page of a listing: `key` holds a list of objects, the cursor is a string."""
        items, cursor = data.get(key), data.get("cursor")
        if (items is not None and not (isinstance(items, list)
                                       and all(isinstance(i, dict) for i in items))) or (
                cursor is not None and not isinstance(cursor, str | int)):
            raise self._shape("GET", path, f"a page of {key} (a list of objects)")
        return data

    def _shape(self, method: str, path: str, wanted: str, status: int | None = None
               ) -> ProviderError:
        return ProviderError(
            f"QStash answered {method} {path} with something that is not {wanted}",
            status=status, hint=f"is QSTASH_URL ({self.base_url}) a QStash endpoint?")

    async def _request(self, method: str, path: str, *, idempotent: bool = True, **kw: Any
                       ) -> httpx.Response:
        remaining = self._deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise TimeoutError
            async with asyncio.timeout(remaining):
                return await self._attempts(method, path, idempotent=idempotent, **kw)
        except TimeoutError:
            raise self.limits.exceeded(f"QStash at {self.base_url}", f"{method} {path}",
                                       "check QSTASH_URL and the network") from None

    async def _attempts(self, method: str, path: str, *, idempotent: bool, **kw: Any
                        ) -> httpx.Response:
        last: str = ""
        for attempt in range(self.retry.attempts):
            await self.limiter.wait()
            self.requests += 1
            try:
                response = await self._send(method, path, **kw)
            except guard.TooLarge as exc:
                raise ProviderError(
                    f"QStash answered {method} {path} with more than "
                    f"{self.limits.max_response:,} bytes ({exc.args[0]:,}); cut off",
                    hint="is QSTASH_URL a QStash endpoint? (CRONCTL_MAX_RESPONSE=BYTES "
                    "raises the cap)") from None
            except (httpx.LocalProtocolError, httpx.UnsupportedProtocol, httpx.InvalidURL,
                    UnicodeError) as exc:
                raise ProviderError(f"cannot send {method} {path}: {type(exc).__name__}",
                                    hint="run 'cronctl validate'") from None
            except httpx.TimeoutException as exc:
                if not idempotent and not isinstance(exc, httpx.ConnectTimeout):
                    raise self._unreachable(exc) from None
                last = f"timed out ({type(exc).__name__})"
            except httpx.TransportError as exc:
                reason = guard.tls_failure(exc)
                if reason:  # never retried: it will not get better, and is not to be ignored
                    raise ProviderError(
                        f"QStash at {self.base_url}: the TLS certificate could not be "
                        f"verified ({reason}); nothing was sent",
                        hint="check QSTASH_URL; for 'cronctl dev' use its http:// URL") from None
                if not idempotent and not isinstance(exc, httpx.ConnectError):
                    raise self._unreachable(exc) from None
                last = f"connection failed: {exc or type(exc).__name__}"
            else:
                if 200 <= response.status_code < 300:
                    return response
                if response.status_code < 400:
                    raise self._redirected(method, path, response)
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

    def _redirected(self, method: str, path: str, response: httpx.Response) -> ProviderError:
        # Never followed: the token would go wherever the server says.
        target = httpx.URL(response.headers.get("Location", "")).host or "elsewhere"
        return ProviderError(
            f"QStash answered {method} {path} with HTTP {response.status_code} (a redirect to "
            f"{target}); redirects are not followed", status=response.status_code,
            hint="set QSTASH_URL to the address QStash answers at")

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
    """The server's own words, at most 200 characters, with control characters (terminal
    escapes, line breaks) replaced: what a server says never drives the user's terminal."""
    try:
        data = response.json()
    except ValueError:
        text = response.text[:200].strip() or response.reason_phrase
    else:
        text = str(data["error"] if isinstance(data, dict) and "error" in data else data)
    return "".join(c if c.isprintable() else "?" for c in text[:200])
