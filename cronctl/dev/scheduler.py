"""Time: schedules, pending attempts and Vercel crons fire when the clock reaches them.

One loop starts whatever is due (the wall clock, or a frozen clock that does not move by itself).
`advance(seconds)` moves the clock forward step by step to each due time in the window, starting
and awaiting the deliveries due then, retries included, so a test sees every outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from .. import cron
from .admission import GO, PARKED, Admission
from .clock import Clock, from_ms, to_ms
from .delivery import Deliverer
from .flowcontrol import FlowControl
from .livelog import LiveLog
from .model import Message, MessageSpec, Schedule, new_id
from .queues import Queues
from .store import Store
from .vercel_jobs import VercelCrons

MAX_IDLE_S = 1.0


@dataclass(order=True)
class _Pending:
    due_ms: int
    seq: int
    message: Message = field(compare=False)
    retried: int = field(compare=False)


class NotFound(Exception):
    pass


class LimitReached(Exception):
    pass


def next_fire_ms(expr: str, after_ms: int) -> int | None:
    """When QStash fires the cron as sent (CRON_TZ= prefix included): robfig/cron's times,
    with its DST skips and repeats."""
    at = cron.get_dialect("qstash").next_after(expr, from_ms(after_ms))
    return to_ms(at) if at else None


class Scheduler:
    def __init__(self, store: Store, clock: Clock, deliverer: Deliverer, log: LiveLog, *,
                 fire: bool = True, max_schedules: int | None = None,
                 vercel: VercelCrons | None = None) -> None:
        self.store = store
        self.clock = clock
        self.deliverer = deliverer
        self.log = log
        self.fire = fire
        self.max_schedules = max_schedules
        self.vercel = vercel
        self.counters: Counter[str] = Counter()
        self._heap: list[_Pending] = []
        self._seq = itertools.count()
        self._inflight: set[asyncio.Task] = set()
        self._wake = asyncio.Event()
        self._advancing = asyncio.Lock()
        self._loop_task: asyncio.Task | None = None
        self.pending: dict[str, Message] = {}  # accepted, not yet delivered, failed or cancelled
        self.queues = Queues(store)
        self.flow = FlowControl()
        self.admission = Admission(self.queues, self.flow, self._requeue)

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        self._resume()
        self._loop_task = asyncio.create_task(self._loop())

    def _resume(self) -> None:
        """The messages the store kept (a stop or a crash came before they were done) go back
        on the heap: each is attempted again when due, with its retry count (at least once)."""
        resumed = 0
        for message, retried, due in self.store.pending_messages():
            if message.message_id in self.pending:
                continue
            if message.spec.queue and self.queues.get(message.spec.queue) is None:
                self.queues.upsert(message.spec.queue, self.clock.now_ms())
            self.flow.seen(message.spec)
            self.pending[message.message_id] = message
            self._push(message, retried, due)
            resumed += 1
        if resumed:
            self.log.line(f"resumed {resumed} message(s) accepted before the last stop", "cyan")

    async def stop(self) -> None:
        tasks = [t for t in (self._loop_task, *self._inflight) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.deliverer.close()

    # -- schedules ------------------------------------------------------------------------------

    def upsert(self, expr: str, schedule_id: str | None, spec: MessageSpec) -> str:
        """Create, or replace every field of, a schedule. Pause state and history are kept."""
        now = self.clock.now_ms()
        old = self.store.get_schedule(schedule_id) if schedule_id else None
        if old is None and self.max_schedules is not None \
                and self.store.count_schedules() >= self.max_schedules:
            raise LimitReached(f"schedule limit reached ({self.max_schedules})")
        new = Schedule(schedule_id or new_id("scd"), expr, spec, created_ms=now,
                       next_ms=next_fire_ms(expr, now))
        if old is not None:
            new.created_ms, new.paused = old.created_ms, old.paused
            new.last_ms, new.states = old.last_ms, old.states
        if spec.queue and self.queues.get(spec.queue) is None:
            self.queues.upsert(spec.queue, now)  # a queue comes into being when first named
        self.store.put_schedule(new)
        self._wake.set()
        return new.schedule_id

    def set_paused(self, schedule_id: str, paused: bool) -> None:
        s = self.store.get_schedule(schedule_id)
        if s is None:
            raise NotFound(f"schedule {schedule_id} not found")
        if s.paused != paused:
            s.paused = paused
            if not paused:
                s.next_ms = next_fire_ms(s.cron, self.clock.now_ms())
            self.store.put_schedule(s)
            self._wake.set()

    def publish(self, spec: MessageSpec, *, not_before_ms: int | None = None,
                topic: str | None = None, endpoint: str | None = None) -> Message:
        now = self.clock.now_ms()
        due = not_before_ms if not_before_ms is not None else now + spec.delay * 1000
        message = Message(new_id("msg"), spec, created_ms=now, not_before_ms=due,
                          topic=topic, endpoint=endpoint)
        self._accept(message, due)
        return message

    def cancel(self, message_id: str) -> bool:
        """Stop a message that is not yet delivered (an attempt under way finishes)."""
        message = self.pending.pop(message_id, None)
        if message is None:
            return False
        self.store.done_pending(message_id)
        self.deliverer.cancelled(message)
        return True

    def _accept(self, message: Message, due: int, start: bool = True) -> None:
        if message.spec.queue and self.queues.get(message.spec.queue) is None:
            self.queues.upsert(message.spec.queue, self.clock.now_ms())
        self.flow.seen(message.spec)
        self.pending[message.message_id] = message
        self.store.put_pending(message, 0, due)
        self.deliverer.created(message)
        self._push(message, 0, due)
        if start and not self.clock.frozen:  # start now: what the publisher asks next is exact
            self._start_due(self.clock.now_ms())

    # -- time -------------------------------------------------------------------------------------

    async def advance(self, seconds: float) -> dict[str, Any]:
        """Move the clock `seconds` forward, firing and awaiting everything due on the way."""
        async with self._advancing:
            start = self.clock.now_ms()
            target = start + int(seconds * 1000)
            before = self._totals()
            while True:
                await self._drain()
                due = self._next_due_ms()
                if due is None or due > target:
                    break
                self.clock.advance_to(due)
                self._start_due(self.clock.now_ms())
            self.clock.advance_to(target)
            after = self._totals()
            summary: dict[str, Any] = {"from": start, "to": target,
                                       "now": from_ms(target).isoformat()}
            summary.update({k: after[k] - before[k] for k in after})
            return summary

    def _totals(self) -> dict[str, int]:
        d = self.deliverer.counters
        return {"fired": self.counters["fired"], "attempts": d["attempts"],
                "delivered": d["delivered"], "retried": d["retried"], "failed": d["failed"],
                "vercelRuns": self.counters["vercel"]}

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            now = self.clock.now_ms()
            self._start_due(now)
            due = self._next_due_ms()
            wait = MAX_IDLE_S
            if due is not None and not self.clock.frozen:
                wait = min(MAX_IDLE_S, max(0.0, (due - now) / 1000))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    async def _drain(self) -> None:
        while self._inflight:
            await asyncio.gather(*list(self._inflight), return_exceptions=True)

    def _next_due_ms(self) -> int | None:
        if not self.fire:
            return None
        times = [self.store.next_due_ms(), self._heap[0].due_ms if self._heap else None,
                 self.vercel.next_due_ms() if self.vercel else None]
        present = [t for t in times if t is not None]
        return min(present) if present else None

    def _start_due(self, now: int) -> None:
        if not self.fire:
            return
        for s in self.store.due_schedules(now):
            self._fire(s, now)
        if self.vercel is not None:
            for job, scheduled in self.vercel.take_due(now):
                self.counters["vercel"] += 1
                self._spawn(self.vercel.run(self.deliverer.http, job, scheduled))
        while self._heap and self._heap[0].due_ms <= now:
            p = heapq.heappop(self._heap)
            if p.message.message_id not in self.pending:
                continue  # cancelled
            verdict = self.admission.admit(p, now)  # at once: counts are exact when asked
            if verdict == GO:
                self._spawn(self._attempt(p))
            elif verdict != PARKED:
                self._push(p.message, p.retried, verdict)

    def _fire(self, s: Schedule, now: int) -> None:
        assert s.next_ms is not None
        due = s.next_ms + s.spec.delay * 1000
        message = Message(new_id("msg"), s.spec, created_ms=s.next_ms,
                          schedule_id=s.schedule_id, not_before_ms=due)
        s.last_ms = s.next_ms
        s.next_ms = next_fire_ms(s.cron, now)  # a run missed while stopped fires once
        s.states = {message.message_id: "IN_PROGRESS"}
        self.store.put_schedule(s)
        self.counters["fired"] += 1
        self._accept(message, due, start=False)  # _start_due goes on to the heap itself

    def _push(self, message: Message, retried: int, due_ms: int) -> None:
        heapq.heappush(self._heap, _Pending(due_ms, next(self._seq), message, retried))
        self._wake.set()

    def _requeue(self, p: _Pending) -> None:
        """A parked delivery may try again now."""
        p.due_ms, p.seq = self.clock.now_ms(), next(self._seq)
        heapq.heappush(self._heap, p)
        self._wake.set()

    async def _attempt(self, p: _Pending) -> None:
        """One admitted attempt; its slots are released when it ends."""
        message = p.message
        try:
            due = await self.deliverer.attempt(message, p.retried)
        except Exception as exc:  # a bug must not stop the scheduler; say so and move on
            self.log.line(f"internal error delivering {message.message_id}: {exc!r}", "red")
            due = None
        finally:
            self.admission.release(p)
        if due is not None and message.message_id in self.pending:
            self.store.retry_pending(message.message_id, p.retried + 1, due)
            self._push(message, p.retried + 1, due)
        elif self.pending.pop(message.message_id, None) is not None:
            self.store.done_pending(message.message_id)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
