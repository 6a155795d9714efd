"""How fast the client may go: QStash's burst limit, read from its answers, and an adaptive
number of requests in flight.

QStash answers its management endpoints (schedules, logs, DLQ, ...) with `Burst-RateLimit-Limit`
(requests per one-second window), `-Remaining` and `-Reset` (unix seconds), and refuses with 429
past the limit. Waiting out 429s works, but wastes requests and time; so:

- `RateModel` mirrors the server's budget as a token bucket: it learns the limit from the first
  answer that carries it, spends one token per request before sending, refills at the limit,
  keeps a small reserve for timing jitter, and believes the server whenever it reports less left
  than expected (someone else spends the same token). An answer's `Remaining` is read as not
  counting any other request still open, whatever order they were sent in: the server may take
  requests that are in flight together in any order (it does on a loaded machine), so "only
  those sent after this one" would overestimate what is left. A 429 empties the model and slows
  its refill; successful answers restore it.
- `Window` bounds the requests in flight like a congestion window: it starts at 8, grows while
  answers come back as fast as the fastest one seen (the server is latency-bound: more in
  flight means more done), and shrinks on 429, 5xx, errors or rising latency. `--concurrency`
  caps it.

A process keeps one `Pacing` per endpoint and token (`shared`), so the plan's client and the
apply's client share what was learned.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_MAX = 64  # requests in flight at most when --concurrency is not given
INITIAL = 8
UNLIMITED_PREFIXES = ("/v2/publish/", "/v2/enqueue/", "/v2/batch", "/v2/trigger/",
                      "/v2/notify/", "/v2/wait/")


def is_limited(path: str) -> bool:
    """Whether QStash's burst limit covers this endpoint (everything but publishing)."""
    return path.startswith("/v2/") and not path.startswith(UNLIMITED_PREFIXES)


class RateModel:
    """The server's burst budget as this client sees it (a token bucket)."""

    def __init__(self) -> None:
        self.limit: float | None = None  # requests per second; None: no limit announced
        self.tokens = 0.0
        self.stamp = time.monotonic()
        self.factor = 1.0  # share of the limit used; lowered by 429s, restored by successes
        self.sent = 0  # requests started on limited endpoints (sequence numbers)
        self.open: set[int] = set()  # sequence numbers started and not yet answered
        self.limited = 0  # 429s seen
        self._cut_at = 0.0
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def reserve(self) -> float:
        return max(1.0, math.ceil(0.05 * self.limit)) if self.limit else 0.0

    def _refill(self, now: float) -> None:
        if self.limit:
            cap = max(1.0, self.limit - self.reserve)
            self.tokens = min(cap, self.tokens + (now - self.stamp) * self.limit * self.factor)
        self.stamp = now

    async def take(self) -> tuple[int, bool]:
        """Wait for a token; (sequence number, whether it had to wait)."""
        waited = False
        if self.limit:
            loop = asyncio.get_running_loop()
            if self._lock is None or self._loop is not loop:  # one asyncio.run per phase
                self._lock, self._loop = asyncio.Lock(), loop
            async with self._lock:
                while True:
                    now = time.monotonic()
                    self._refill(now)
                    if self.tokens >= 1 or not self.limit:
                        break
                    waited = True
                    await asyncio.sleep((1 - self.tokens) / (self.limit * self.factor))
                self.tokens -= 1
        self.sent += 1
        self.open.add(self.sent)
        return self.sent, waited

    def settle(self, seq: int) -> None:
        """The request numbered `seq` is over (answered or failed)."""
        self.open.discard(seq)

    def uncounted(self, seq: int) -> int:
        """Requests the answer to `seq` may not have counted: every one started after it, and
        every earlier one still open (the server may have taken it after `seq`)."""
        return self.sent - seq + sum(1 for s in self.open if s < seq)

    def learn(self, seq: int, status: int, headers: Mapping[str, str]) -> None:
        """Read the burst headers of an answer to the request numbered `seq`."""
        try:
            limit = float(headers["Burst-RateLimit-Limit"])
            remaining = float(headers.get("Burst-RateLimit-Remaining", "0"))
        except (KeyError, ValueError):
            if 200 <= status < 300:
                self.limit = None  # the server no longer announces a limit
            return
        if limit <= 0:
            return
        now = time.monotonic()
        self._refill(now)
        after = self.uncounted(seq)  # the server may not have counted them yet
        self.settle(seq)
        if self.limit != limit:
            self.limit = limit
            self.tokens = remaining - after - self.reserve
            self.stamp = now
        elif remaining - after < self.tokens:
            # The server has less left than we thought, beyond the reserve: someone else
            # spends the same token, or our clock runs ahead. Believe the server.
            self.tokens = remaining - after - self.reserve
        if status == 429:
            self.limited += 1
            self.tokens = min(self.tokens, 0.0)
            if now - self._cut_at > 0.5:  # once per half-second, not once per refusal
                self.factor = max(0.25, self.factor * 0.8)
                self._cut_at = now
        elif self.factor < 1.0:
            self.factor = min(1.0, self.factor + 0.01)


class Window:
    """An adjustable bound on the requests in flight."""

    def __init__(self, maximum: int, initial: int = INITIAL) -> None:
        self.maximum = max(1, maximum)
        self.size = float(min(initial, self.maximum))
        self.in_flight = 0
        self.peak = 0
        self.slow_start = True
        self.min_rtt: float | None = None
        self.rtt: float | None = None  # moving average
        self._cut_at = 0.0
        self._waiters: deque[asyncio.Future[None]] = deque()

    def cap(self, maximum: int) -> None:
        self.maximum = max(1, maximum)
        self.size = min(self.size, self.maximum)

    async def enter(self) -> bool:
        """Wait for room; whether the window was full (so a larger one would have helped)."""
        full = self.in_flight + 1 >= int(self.size)
        while self.in_flight >= int(self.size):
            future = asyncio.get_running_loop().create_future()
            self._waiters.append(future)
            await future
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        return full

    def leave(self) -> None:
        self.in_flight -= 1
        self._wake()

    def _wake(self) -> None:
        room = int(self.size) - self.in_flight
        while room > 0 and self._waiters:
            future = self._waiters.popleft()
            if not future.done():
                future.set_result(None)
                room -= 1

    def answered(self, rtt: float, *, ok: bool, full: bool, paced: bool) -> None:
        """Adjust to one answer: `ok` false for 429, 5xx or a failed connection."""
        now = time.monotonic()
        if ok:
            self.min_rtt = rtt if self.min_rtt is None else min(self.min_rtt, rtt)
            self.rtt = rtt if self.rtt is None else 0.8 * self.rtt + 0.2 * rtt
        if not ok:
            self._shrink(now, 0.5)
        elif self.rtt is not None and self.min_rtt is not None \
                and self.rtt > 2.5 * self.min_rtt + 0.005:
            self._shrink(now, 0.8)  # answers slow down: the server is queueing them
        elif full and not paced and self.size < self.maximum:
            self.size = min(float(self.maximum),
                            self.size + (1.0 if self.slow_start else 1.0 / self.size))
            self._wake()

    def _shrink(self, now: float, by: float) -> None:
        if now - self._cut_at < (self.rtt or 0.05):
            return  # once per round trip
        self._cut_at = now
        self.slow_start = False
        self.size = max(1.0, self.size * by)


@dataclass
class Ticket:
    seq: int
    started: float
    full: bool
    paced: bool
    limited: bool


class Pacing:
    """The rate model and the window of one endpoint and token."""

    def __init__(self, maximum: int = DEFAULT_MAX) -> None:
        self.rate = RateModel()
        self.window = Window(maximum)

    async def start(self, path: str) -> Ticket:
        full = await self.window.enter()
        limited = is_limited(path)
        try:
            seq, paced = await self.rate.take() if limited else (0, False)
        except BaseException:
            self.window.leave()
            raise
        return Ticket(seq, time.monotonic(), full, paced, limited)

    def finish(self, ticket: Ticket, status: int | None, headers: Mapping[str, str] | None
               ) -> None:
        self.window.leave()
        rtt = time.monotonic() - ticket.started
        if ticket.limited and status is not None and headers is not None:
            self.rate.learn(ticket.seq, status, headers)
        if ticket.limited:  # no answer (a failed connection) ends it too
            self.rate.settle(ticket.seq)
        ok = status is not None and status != 429 and status < 500
        self.window.answered(rtt, ok=ok, full=ticket.full, paced=ticket.paced)

    def paces(self) -> bool:
        """Whether a 429 can be retried at once: the rate model delays the retry itself."""
        return self.rate.limit is not None


_shared: dict[str, Pacing] = {}


def shared(base_url: str, token: str, maximum: int) -> Pacing:
    """The thread's Pacing for this endpoint and token, capped at `maximum` in flight. Per
    thread: its waiters are futures of one event loop, and a thread runs its own loop (the
    dashboard reads the targets from several threads at once)."""
    key = f"{base_url}#{hashlib.sha256(token.encode()).hexdigest()[:16]}" \
        f"#{threading.get_ident()}"
    pacing = _shared.get(key)
    if pacing is None:
        pacing = _shared[key] = Pacing(maximum)
    pacing.window.cap(maximum)
    return pacing
