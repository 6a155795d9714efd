"""The server's clock: the wall clock, or a frozen one that only moves when told to."""

from __future__ import annotations

import time
from datetime import UTC, datetime


class Clock:
    """Milliseconds since the epoch. `advance_to` moves it forward (both modes: an offset)."""

    def __init__(self, frozen_at_ms: int | None = None) -> None:
        self.frozen = frozen_at_ms is not None
        self._base = frozen_at_ms or 0
        self._offset = 0

    def now_ms(self) -> int:
        base = self._base if self.frozen else int(time.time() * 1000)
        return base + self._offset

    def now(self) -> datetime:
        return from_ms(self.now_ms())

    def advance_to(self, ms: int) -> None:
        now = self.now_ms()
        if ms > now:
            self._offset += ms - now


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def to_ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def parse_clock(spec: str | None) -> Clock:
    """`wall` (or None), `frozen` (now, to the second) or `frozen:<ISO 8601>` (UTC if no zone)."""
    if not spec or spec == "wall":
        return Clock()
    kind, _, value = spec.partition(":")
    if kind != "frozen":
        raise ValueError(f"clock {spec!r}: expected 'wall', 'frozen' or 'frozen:<ISO time>'")
    if not value:
        return Clock(int(time.time()) * 1000)
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"clock {spec!r}: {value!r} is not an ISO 8601 time") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return Clock(to_ms(at))
