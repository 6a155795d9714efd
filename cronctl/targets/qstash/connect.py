"""A QStash client from the environment (QSTASH_URL, QSTASH_TOKEN), and a way to run one
phase of work with it. Each phase runs its own event loop, so that a confirmation prompt between
phases is asked outside of asyncio (where Ctrl-C could not interrupt a blocking read)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


def client(state, *, concurrency: int | None = None, rate: float | None = None,
           phase: str = "read", extra: float = 0.0):
    """A client whose pacing adapts to the server (pacing.py); `concurrency` caps the requests
    in flight. `phase` ("read", "write" or "wait", `extra` seconds on top) sets its overall
    deadline (deadlines.py)."""
    from ...httpguard import Limits
    from ...urls import is_https, is_local
    from .client import QStashClient
    from .credentials import qstash
    from .pacing import DEFAULT_MAX
    from .sync import DEFAULT_RATE

    url, token = qstash(state)
    tell = getattr(state, "tell", None) or (lambda text: None)
    if not is_https(url) and not is_local(url):
        tell(f"warning: QSTASH_URL {url} is plain http to a remote host: the token travels "
             "unencrypted (use https://)")
    verbose = getattr(state, "verbose", 0)

    def on_retry(path: str, why: str) -> None:
        if verbose >= 2:
            tell(f"retrying {path}: {why}")

    return QStashClient(url, token, concurrency=concurrency or DEFAULT_MAX,
                        rate=rate or DEFAULT_RATE, on_retry=on_retry,
                        limits=Limits.from_env(phase, extra=extra))


def run(state, body: Callable[..., Awaitable[T]], *, concurrency: int | None = None,
        count: list[int] | None = None, phase: str = "read", extra: float = 0.0) -> T:
    """Run `body(client)` on a fresh client and loop; `count` collects the requests made;
    `phase` as for `client`."""

    async def go() -> T:
        async with client(state, concurrency=concurrency, phase=phase, extra=extra) as qstash:
            try:
                return await body(qstash)
            finally:
                if count is not None:
                    count.append(qstash.requests)

    return asyncio.run(go())
