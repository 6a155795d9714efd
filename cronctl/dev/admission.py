"""Whether a due delivery may start now: its queue (paused, parallelism), then its flow-control
key (paused, parallelism, rate per period).

`admit` answers GO (the slots are taken: call `release` when the attempt ends), a later time in
ms (the key's rate is used up until then) or PARKED (kept until a slot frees or a resume; then
`requeue` gets it back to be admitted again).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from .flowcontrol import FlowControl
from .queues import Queues

GO = 0
PARKED = -1
GLOBAL_PARALLELISM = 200  # the deliverer's connection limit


class Admission:
    def __init__(self, queues: Queues, flow: FlowControl, requeue: Callable[[Any], None]
                 ) -> None:
        self.queues = queues
        self.flow = flow
        self.requeue = requeue
        self.active = 0

    def admit(self, pending: Any, now_ms: int) -> int:
        spec = pending.message.spec
        lane = None
        if spec.queue:
            queue = self.queues.get(spec.queue)
            if queue is not None:
                lane = self.queues.lane(spec.queue)
                if queue["paused"] or lane.active >= queue["parallelism"]:
                    lane.waiting.append(pending)
                    return PARKED
        key = self.flow.key_for(spec)
        if key is not None:
            if key.paused or (key.parallelism and key.active >= key.parallelism):
                key.waiting.append(pending)
                return PARKED
            if key.rate:
                key.roll(now_ms)
                if key.rate_count >= key.rate:
                    key.deferred.add(pending.message.message_id)
                    return key.period_start_ms + key.period_s * 1000
                key.rate_count += 1
            key.deferred.discard(pending.message.message_id)
            key.active += 1
        if lane is not None:
            lane.active += 1
        self.active += 1
        return GO

    def release(self, pending: Any) -> None:
        spec = pending.message.spec
        self.active -= 1
        if spec.queue and spec.queue in self.queues.state:
            lane = self.queues.state[spec.queue]
            lane.active = max(0, lane.active - 1)
            self._wake(lane.waiting, 1)
        key = self.flow.key_for(spec)
        if key is not None:
            key.active = max(0, key.active - 1)
            self._wake(key.waiting, 1)

    def resume_queue(self, name: str) -> None:
        if name in self.queues.state:
            waiting = self.queues.state[name].waiting
            self._wake(waiting, len(waiting))

    def resume_key(self, name: str) -> None:
        key = self.flow.keys.get(name)
        if key is not None:
            self._wake(key.waiting, len(key.waiting))

    def _wake(self, waiting: deque[Any], n: int) -> None:
        for _ in range(min(n, len(waiting))):
            self.requeue(waiting.popleft())
