"""Flow control as QStash does it: per key parallelism, rate per period, pause, pin.

Keys come into being with the first message that names one. `admit` decides whether a delivery
may start now: it goes, it waits for a later time (the key's rate is used up for this period), or
it is parked until a slot frees or the key resumes. Parked deliveries form the key's wait list.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .model import MessageSpec

DEFAULT_PERIOD_S = 1


@dataclass
class FlowKey:
    key: str
    parallelism: int | None = None
    rate: int | None = None
    period_s: int = DEFAULT_PERIOD_S
    paused: bool = False
    pinned_parallelism: bool = False
    pinned_rate: bool = False
    active: int = 0
    rate_count: int = 0
    period_start_ms: int = 0
    waiting: deque[Any] = field(default_factory=deque)  # parked deliveries, oldest first
    deferred: set[str] = field(default_factory=set)  # message IDs waiting for the next period

    def configure(self, spec: MessageSpec) -> None:
        """A message's settings update the key's, unless pinned."""
        if not self.pinned_parallelism and spec.parallelism:
            self.parallelism = spec.parallelism
        if not self.pinned_rate and spec.rate:
            self.rate, self.period_s = spec.rate, spec.period or DEFAULT_PERIOD_S

    def roll(self, now_ms: int) -> None:
        if now_ms >= self.period_start_ms + self.period_s * 1000:
            self.period_start_ms, self.rate_count = now_ms, 0

    def to_api(self, now_ms: int) -> dict[str, Any]:
        self.roll(now_ms)
        return {
            "flowControlKey": self.key,
            "waitListSize": len(self.waiting) + len(self.deferred),
            "parallelismMax": self.parallelism or 0,
            "parallelismCount": self.active,
            "rateMax": self.rate or 0,
            "rateCount": self.rate_count,
            "ratePeriod": self.period_s,
            "ratePeriodStart": self.period_start_ms,
            "isPaused": self.paused,
            "isPinnedParallelism": self.pinned_parallelism,
            "isPinnedRate": self.pinned_rate,
        }


class FlowControl:
    def __init__(self) -> None:
        self.keys: dict[str, FlowKey] = {}

    def key_for(self, spec: MessageSpec) -> FlowKey | None:
        if not spec.flow_key:
            return None
        key = self.keys.get(spec.flow_key)
        if key is None:
            key = self.keys[spec.flow_key] = FlowKey(spec.flow_key)
        return key

    def seen(self, spec: MessageSpec) -> None:
        """A message naming a key was accepted: the key exists and takes its settings."""
        key = self.key_for(spec)
        if key is not None:
            key.configure(spec)

    def pin(self, name: str, parallelism: int | None, rate: int | None,
            period_s: int | None) -> None:
        key = self.keys[name]
        if parallelism is not None:
            key.parallelism, key.pinned_parallelism = parallelism, True
        if rate is not None or period_s is not None:
            key.rate = rate if rate is not None else key.rate
            key.period_s = period_s or key.period_s
            key.pinned_rate = True

    def unpin(self, name: str, parallelism: bool, rate: bool) -> None:
        key = self.keys[name]
        key.pinned_parallelism = key.pinned_parallelism and not parallelism
        key.pinned_rate = key.pinned_rate and not rate

    def reset_rate(self, name: str, now_ms: int) -> None:
        key = self.keys[name]
        key.period_start_ms, key.rate_count = now_ms, 0
