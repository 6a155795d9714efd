"""Delivering one message attempt over HTTP, as QStash does, and recording what happened.

Each attempt is signed, sent with the message's method, body and forwarded headers, and recorded
as QStash events (ACTIVE, then DELIVERED or ERROR + RETRY / FAILED). A message out of retries goes
to the DLQ and its failure callback is called. Flow control limits concurrent deliveries per key.
"""

from __future__ import annotations

import base64
import json
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx

from ..targets.qstash.retrydelay import compile_delay, default_backoff_ms
from .clock import Clock
from .livelog import LiveLog
from .model import CALLER_IP, Message, MessageSpec, new_id
from .options import canonical
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
        self._event(message, "CREATED", self.clock.now_ms())

    def cancelled(self, message: Message) -> None:
        now = self.clock.now_ms()
        self._event(message, "CANCEL_REQUESTED", now)
        self._event(message, "CANCELED", now)

    async def attempt(self, message: Message, retried: int) -> int | None:
        """One delivery attempt; returns when the next retry is due (ms), or None when done."""
        spec = message.spec
        start = self.clock.now_ms()
        started = time.monotonic()
        self._event(message, "ACTIVE", start)
        status, text, error, response_headers = await self._send(message, retried)
        elapsed = int((time.monotonic() - started) * 1000)
        end = start + elapsed
        self.counters["attempts"] += 1
        self.log.delivery(method=spec.method, url=self._url(spec), message_id=message.message_id,
                          schedule_id=message.schedule_id, retried=retried, status=status,
                          error=error, ms=elapsed)
        outcome: dict[str, Any] = {"responseStatus": status, "error": error,
                                   "responseHeader": response_headers}
        outcome = {k: v for k, v in outcome.items() if v is not None}
        ok = status is not None and 200 <= status < 300
        if text is not None:
            outcome["responseBody"] = text if ok else _b64(text)
        if ok:
            self._event(message, "DELIVERED", end, **outcome)
            self.counters["delivered"] += 1
            self._set_state(message, "SUCCESS")
            if spec.callback:
                await self._callback(spec.callback, spec.callback_header, message, retried,
                                     status, text, response_headers)
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
        dlq_id = self._dead_letter(message, status, text, response_headers, end)
        if spec.failure_callback:
            await self._callback(spec.failure_callback, spec.failure_callback_header, message,
                                 retried, status, text, response_headers, dlqId=dlq_id)
        return None

    # -- helpers ------------------------------------------------------------------------------

    async def _send(self, message: Message, retried: int
                    ) -> tuple[int | None, str | None, str | None, dict[str, list[str]] | None]:
        """(status, response body, error, response headers) of one request to the destination."""
        spec = message.spec
        url = self._url(spec)
        body = spec.body_bytes()
        headers = [(name, value) for name, values in spec.header.items() for value in values]
        headers += [
            ("User-Agent", USER_AGENT),
            ("Upstash-Message-Id", message.message_id),
            ("Upstash-Retried", str(retried)),
            ("Upstash-Caller-Ip", CALLER_IP),
            ("Upstash-Signature", sign(self.signing_key, url, body)),
        ]
        extra = {"Upstash-Schedule-Id": message.schedule_id, "Upstash-Topic-Name": message.topic,
                 "Upstash-Queue-Name": spec.queue}
        headers += [(k, v) for k, v in extra.items() if v]
        timeout = float(spec.timeout) if spec.timeout else DEFAULT_TIMEOUT_S
        try:
            response = await self.http.request(spec.method, url, headers=headers,
                                               content=body or None, timeout=timeout)
        except httpx.TimeoutException:
            return None, None, f"timed out after {timeout:g}s", None
        except Exception as exc:  # noqa: BLE001 - refused, unreachable, bad port: a failed attempt
            return None, None, f"connection failed: {type(exc).__name__}: {exc}", None
        header: dict[str, list[str]] = {}
        for name, value in response.headers.multi_items():
            header.setdefault(canonical(name), []).append(value)
        return response.status_code, response.text[:MAX_RESPONSE_BODY], None, header

    def _event(self, message: Message, state: str, at: int, **extra: Any) -> None:
        spec = message.spec
        shown = message.to_api()
        event: dict[str, Any] = {
            "time": at,
            "messageId": message.message_id,
            "state": state,
            "url": spec.destination,
            "method": spec.method,
            "maxRetries": spec.retries,
            "header": shown["header"],
            "body": _b64_bytes(spec.body_bytes()) if "body" not in spec.redact
            else _b64(shown["body"]),
            "notBefore": shown["notBefore"],
            "createdAt": message.created_ms,
            "callerIp": CALLER_IP,
        }
        for name in ("scheduleId", "topicName", "endpointName", "queueName", "label", "labels",
                     "retryDelayExpression", "flowControlKey", "callback", "failureCallback"):
            if name in shown:
                event[name] = shown[name]
        if spec.retry_delay:  # the Python SDK reads retryDelayExpr, the JS SDK the long name
            event["retryDelayExpr"] = spec.retry_delay
        event.update(extra)
        self.store.add_event(event)

    def _set_state(self, message: Message, state: str) -> None:
        if message.schedule_id:
            self.store.set_state(message.schedule_id, message.message_id, state)

    def _dead_letter(self, message: Message, status: int | None, text: str | None,
                     response_headers: dict[str, list[str]] | None, at: int) -> str:
        dlq_id = new_id("dlq")
        entry: dict[str, Any] = {**message.to_api(), "dlqId": dlq_id, "createdAt": at,
                                 "responseStatus": status or 0, "responseBody": text or ""}
        if response_headers:
            entry["responseHeader"] = response_headers
        self.store.add_dlq(entry, message.spec)
        return dlq_id

    async def _callback(self, url: str, forward: dict[str, list[str]], message: Message,
                        retried: int, status: int | None, text: str | None,
                        response_headers: dict[str, list[str]] | None, **extra: Any) -> None:
        """QStash's callback body, POSTed once (best effort) and signed like a delivery."""
        spec = message.spec
        payload: dict[str, Any] = {
            "status": status or 0,
            "header": response_headers or {},
            "body": _b64(text or ""),
            "retried": retried,
            "maxRetries": spec.retries,
            "sourceMessageId": message.message_id,
            "url": spec.destination,
            "method": spec.method,
            "sourceHeader": spec.header,
            "sourceBody": _b64_bytes(spec.body_bytes()),
            "notBefore": message.not_before_ms or message.created_ms,
            "createdAt": message.created_ms,
            "callerIP": CALLER_IP,
            **extra,
        }
        if message.schedule_id:
            payload["scheduleId"] = message.schedule_id
        body = json.dumps(payload).encode()
        headers = [(k, v) for k, values in forward.items() for v in values]
        headers += [("Content-Type", "application/json"), ("User-Agent", USER_AGENT),
                    ("Upstash-Signature", sign(self.signing_key, url, body))]
        try:
            response = await self.http.post(url, content=body, headers=headers,
                                            timeout=DEFAULT_TIMEOUT_S)
            self.log.line(f"callback POST {url} -> {response.status_code}", "cyan")
        except Exception as exc:  # noqa: BLE001 - best effort, like QStash
            self.log.line(f"callback POST {url} failed: {type(exc).__name__}", "red")
        self.counters["callbacks"] += 1


def retry_delay_ms(spec: MessageSpec, retried: int) -> int:
    """The wait before the retry after `retried` earlier retries: the expression or QStash's."""
    if spec.retry_delay:
        return compile_delay(spec.retry_delay).ms(retried)
    return default_backoff_ms(retried + 1)


def _b64(text: str) -> str:
    return _b64_bytes(text.encode())


def _b64_bytes(data: bytes) -> str:
    return base64.b64encode(data).decode()
