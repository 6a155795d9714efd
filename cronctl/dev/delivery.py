"""Delivering one message attempt over HTTP, as QStash does, and recording what happened.

Each attempt is signed, sent with the message's method, body and forwarded headers, and recorded
as QStash events (ACTIVE, then DELIVERED or ERROR + RETRY / FAILED). A message out of retries goes
to the DLQ and its failure callback is called. Flow control limits concurrent deliveries per key.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx

from ..retrydelay import compile_delay, default_backoff_ms
from .clock import Clock
from .livelog import LiveLog
from .model import Message, MessageSpec, new_id
from .signing import sign
from .store import Store

DEFAULT_TIMEOUT_S = 30.0
MAX_RESPONSE_BODY = 4096
USER_AGENT = "Upstash-QStash"


class Deliverer:
    def __init__(self, store: Store, clock: Clock, log: LiveLog, signing_key: str) -> None:
        self.store = store
        self.clock = clock
        self.log = log
        self.signing_key = signing_key
        self.counters: Counter[str] = Counter()
        self._http: httpx.AsyncClient | None = None
        self._flow: dict[str, asyncio.Semaphore] = {}
        self.route: Callable[[str], str] | None = None  # --app-url: where a destination goes

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                trust_env=False, follow_redirects=False,
                limits=httpx.Limits(max_connections=200, max_keepalive_connections=50))
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def _url(self, spec: MessageSpec) -> str:
        """Where a delivery goes (`cronctl dev --app-url` may send it to the local app)."""
        return self.route(spec.destination) if self.route else spec.destination

    def created(self, message: Message) -> None:
        self._event(message, "CREATED", message.created_ms)

    async def attempt(self, message: Message, retried: int) -> int | None:
        """One delivery attempt; returns when the next retry is due (ms), or None when done."""
        spec = message.spec
        async with self._flow_slot(spec):
            start = self.clock.now_ms()
            started = time.monotonic()
            self._event(message, "ACTIVE", start)
            status, text, error = await self._send(message, retried)
            elapsed = int((time.monotonic() - started) * 1000)
        end = start + elapsed
        self.counters["attempts"] += 1
        self.log.delivery(method=spec.method, url=self._url(spec), message_id=message.message_id,
                          schedule_id=message.schedule_id, retried=retried, status=status,
                          error=error, ms=elapsed)
        outcome = {"responseStatus": status, "responseBody": text, "error": error}
        outcome = {k: v for k, v in outcome.items() if v is not None}
        if status is not None and 200 <= status < 300:
            self._event(message, "DELIVERED", end, **outcome)
            self.counters["delivered"] += 1
            self._set_state(message, "SUCCESS")
            if spec.callback:
                await self._callback(spec.callback, message, retried, status, text)
            return None
        self._event(message, "ERROR", end, **outcome)
        if retried < spec.retries:
            due = end + retry_delay_ms(spec, retried)
            self._event(message, "RETRY", end, nextDeliveryTime=due)
            self.counters["retried"] += 1
            return due
        self._event(message, "FAILED", end, **outcome)
        self.counters["failed"] += 1
        self._set_state(message, "FAIL")
        dlq_id = self._dead_letter(message, status, text, end)
        if spec.failure_callback:
            await self._callback(spec.failure_callback, message, retried, status, text,
                                 dlqId=dlq_id)
        return None

    # -- helpers ------------------------------------------------------------------------------

    def _flow_slot(self, spec: MessageSpec) -> contextlib.AbstractAsyncContextManager:
        if not spec.flow_key or not spec.parallelism:
            return contextlib.nullcontext()
        sem = self._flow.get(spec.flow_key)
        if sem is None:
            sem = self._flow[spec.flow_key] = asyncio.Semaphore(spec.parallelism)
        return sem

    async def _send(self, message: Message, retried: int
                    ) -> tuple[int | None, str | None, str | None]:
        """(status, response body, error) of one HTTP request to the destination."""
        spec = message.spec
        url = self._url(spec)
        body = spec.body.encode()
        headers = [(name, value) for name, values in spec.header.items() for value in values]
        headers += [
            ("User-Agent", USER_AGENT),
            ("Upstash-Message-Id", message.message_id),
            ("Upstash-Retried", str(retried)),
            ("Upstash-Signature", sign(self.signing_key, url, body)),
        ]
        if message.schedule_id:
            headers.append(("Upstash-Schedule-Id", message.schedule_id))
        timeout = float(spec.timeout) if spec.timeout else DEFAULT_TIMEOUT_S
        try:
            response = await self.http.request(spec.method, url, headers=headers,
                                               content=body or None, timeout=timeout)
        except httpx.TimeoutException:
            return None, None, f"timed out after {timeout:g}s"
        except httpx.HTTPError as exc:
            return None, None, f"connection failed: {type(exc).__name__}: {exc}"
        return response.status_code, response.text[:MAX_RESPONSE_BODY], None

    def _event(self, message: Message, state: str, at: int, **extra: Any) -> None:
        spec = message.spec
        event: dict[str, Any] = {
            "time": at,
            "messageId": message.message_id,
            "state": state,
            "url": spec.destination,
            "method": spec.method,
            "maxRetries": spec.retries,
        }
        if message.schedule_id:
            event["scheduleId"] = message.schedule_id
        if spec.labels:
            event["label"] = ",".join(spec.labels)
        event.update(extra)
        self.store.add_event(event)

    def _set_state(self, message: Message, state: str) -> None:
        if message.schedule_id:
            self.store.set_state(message.schedule_id, message.message_id, state)

    def _dead_letter(self, message: Message, status: int | None, text: str | None,
                     at: int) -> str:
        spec = message.spec
        dlq_id = new_id("dlq")
        entry: dict[str, Any] = {
            "dlqId": dlq_id,
            "messageId": message.message_id,
            "url": spec.destination,
            "method": spec.method,
            "header": spec.header,
            "body": spec.body,
            "maxRetries": spec.retries,
            "notBefore": message.created_ms + spec.delay * 1000,
            "createdAt": at,
            "responseStatus": status or 0,
            "responseBody": text or "",
            "callerIP": "127.0.0.1",
        }
        optional = {"scheduleId": message.schedule_id, "callback": spec.callback,
                    "failureCallback": spec.failure_callback,
                    "retryDelayExpression": spec.retry_delay,
                    "label": ",".join(spec.labels)}
        entry.update({k: v for k, v in optional.items() if v})
        self.store.add_dlq(entry)
        return dlq_id

    async def _callback(self, url: str, message: Message, retried: int, status: int | None,
                        text: str | None, **extra: Any) -> None:
        """QStash's callback body, POSTed once (best effort) and signed like a delivery."""
        spec = message.spec
        payload: dict[str, Any] = {
            "status": status or 0,
            "header": {},
            "body": _b64(text or ""),
            "retried": retried,
            "maxRetries": spec.retries,
            "sourceMessageId": message.message_id,
            "url": spec.destination,
            "method": spec.method,
            "sourceHeader": spec.header,
            "sourceBody": _b64(spec.body),
            "notBefore": message.created_ms + spec.delay * 1000,
            "createdAt": message.created_ms,
            "callerIP": "127.0.0.1",
            **extra,
        }
        if message.schedule_id:
            payload["scheduleId"] = message.schedule_id
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                   "Upstash-Signature": sign(self.signing_key, url, body)}
        try:
            response = await self.http.post(url, content=body, headers=headers,
                                            timeout=DEFAULT_TIMEOUT_S)
            self.log.line(f"callback POST {url} -> {response.status_code}", "cyan")
        except httpx.HTTPError as exc:
            self.log.line(f"callback POST {url} failed: {type(exc).__name__}", "red")
        self.counters["callbacks"] += 1


def retry_delay_ms(spec: MessageSpec, retried: int) -> int:
    """The wait before the retry after `retried` earlier retries: the expression or QStash's."""
    if spec.retry_delay:
        return compile_delay(spec.retry_delay).ms(retried)
    return default_backoff_ms(retried + 1)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
