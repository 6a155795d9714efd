"""Two threads, each with its own event loop (the dashboard's request threads and its
background refresh), talking to one QStash at once: each finishes. The process-wide pacing
is per thread, since its waiters belong to one event loop."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from cronctl.targets.qstash.client import QStashClient
from cronctl.testing import DevServer

pytestmark = pytest.mark.reliability


def test_two_threads_with_their_own_loops_share_no_waiters():
    with DevServer(memory=True, latency_ms=20) as server:
        done: list[int] = []

        def work() -> None:
            async def go() -> int:
                async with QStashClient(server.url, server.token) as client:
                    found = await asyncio.gather(*(client.list_schedules() for _ in range(30)))
                    return len(found)

            done.append(asyncio.run(go()))

        threads = [threading.Thread(target=work, daemon=True) for _ in range(4)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        for t in threads:
            t.join(max(0.1, deadline - time.monotonic()))
        assert [t.is_alive() for t in threads] == [False] * 4  # none waits for ever
        assert done == [30] * 4
