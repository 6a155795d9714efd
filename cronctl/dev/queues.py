"""Queues: named FIFO lanes with a parallelism, that can be paused. Kept in the store."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .store import Store

KIND = "queue"


@dataclass
class QueueState:
    """What is in flight and parked for one queue (not persisted)."""

    active: int = 0
    waiting: deque[Any] = field(default_factory=deque)


class Queues:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.state: dict[str, QueueState] = {}

    def get(self, name: str) -> dict[str, Any] | None:
        return self.store.get_object(KIND, name)

    def all(self) -> list[dict[str, Any]]:
        return self.store.objects(KIND)

    def upsert(self, name: str, now_ms: int, parallelism: int | None = None,
               paused: bool | None = None) -> dict[str, Any]:
        old = self.get(name)
        queue = old or {"name": name, "createdAt": now_ms, "parallelism": 1, "paused": False}
        if parallelism is not None:
            queue["parallelism"] = parallelism
        if paused is not None:
            queue["paused"] = paused
        queue["updatedAt"] = now_ms
        self.store.put_object(KIND, name, queue)
        return queue

    def delete(self, name: str) -> bool:
        return self.store.delete_object(KIND, name)

    def lane(self, name: str) -> QueueState:
        state = self.state.get(name)
        if state is None:
            state = self.state[name] = QueueState()
        return state
