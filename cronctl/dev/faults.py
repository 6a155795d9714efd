"""Fault injection for API requests: a seeded share answered 500, 503 or 429, or dropped.

Some faults strike BEFORE the request takes effect, some AFTER (the write is applied, the
answer lost), which is what proves a client's retries are idempotent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    kind: str  # "500" | "503" | "429" | "drop"
    after: bool  # the request is handled first, then the answer is replaced or lost

    @property
    def status(self) -> int:
        return 200 if self.kind == "drop" else int(self.kind)


KINDS = (
    Fault("500", after=False),
    Fault("503", after=False),
    Fault("429", after=False),
    Fault("drop", after=False),
    Fault("500", after=True),
    Fault("drop", after=True),
)


class FaultPlan:
    def __init__(self, rate: float, seed: int | None = None) -> None:
        if not 0 <= rate <= 1:
            raise ValueError("--fault-rate must be between 0 and 1")
        self.rate = rate
        self._rng = random.Random(seed)

    def draw(self) -> Fault | None:
        """The fault for the next API request, or None. Seeded: the same sequence every run."""
        if self.rate <= 0:
            return None
        hit = self._rng.random() < self.rate
        kind = self._rng.choice(KINDS)  # drawn either way, so the sequence does not shift
        return kind if hit else None
