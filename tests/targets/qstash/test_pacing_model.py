"""The pacing decisions themselves (qstash/pacing.py), answer by answer: what the client learns
from QStash's burst headers and how its window of requests in flight moves."""

from __future__ import annotations

import asyncio

import pytest

from cronctl.targets.qstash.pacing import Pacing, RateModel, Window, is_limited

pytestmark = pytest.mark.speed


def headers(limit: int, remaining: int) -> dict[str, str]:
    return {"Burst-RateLimit-Limit": str(limit), "Burst-RateLimit-Remaining": str(remaining),
            "Burst-RateLimit-Reset": "1900000000"}


def test_only_management_endpoints_are_limited():
    assert is_limited("/v2/schedules") and is_limited("/v2/events") and is_limited("/v2/dlq")
    assert not is_limited("/v2/publish/https://example.com")
    assert not is_limited("/v2/batch")


def test_rate_model_learns_the_limit_keeps_a_reserve_and_believes_the_server():
    rate = RateModel()
    assert rate.limit is None
    for _ in range(3):  # three requests started before any answer
        asyncio.run(rate.take())
    rate.learn(1, 200, headers(100, 99))  # the first answer: 2 more were started since
    assert rate.limit == 100
    assert rate.reserve == 5
    assert rate.tokens == 99 - 2 - 5
    # Someone else spends the same token: the server reports far less than the model holds.
    # (Request 2 is still open: the server may not have counted it yet.)
    rate.learn(3, 200, headers(100, 10))
    assert rate.tokens == 10 - 1 - 5


def test_answers_taken_out_of_order_never_make_the_model_overestimate(monkeypatch):
    """Requests in flight together may reach the server in any order (a loaded machine
    schedules its connections as it can): the model must never believe the server has more
    left than it really has. Counts only; the clock is frozen, so nothing refills."""
    import cronctl.targets.qstash.pacing as pacing

    monkeypatch.setattr(pacing.time, "monotonic", lambda: 1000.0)
    rate = RateModel()
    for _ in range(8):  # eight requests before the limit is known (the first window)
        asyncio.run(rate.take())
    # The server takes them last to first: request 8 first, and answers it at once.
    rate.learn(8, 200, headers(40, 39))
    server_left = 39 - 7  # then 1..7, whose answers are still on their way
    assert rate.tokens <= server_left - rate.reserve, (rate.tokens, server_left)
    for seq in range(1, 8):
        rate.learn(seq, 200, headers(40, server_left))
    assert rate.tokens <= server_left - rate.reserve
    assert not rate.open


def test_a_429_empties_the_budget_and_slows_the_refill_until_answers_succeed():
    rate = RateModel()
    asyncio.run(rate.take())
    rate.learn(1, 200, headers(50, 49))
    rate.learn(1, 429, headers(50, 0))
    assert rate.tokens <= 0 and rate.factor < 1.0 and rate.limited == 1
    slowed = rate.factor
    for _ in range(5):
        rate.learn(1, 200, headers(50, 40))
    assert slowed < rate.factor <= 1.0


def test_a_server_that_stops_announcing_a_limit_is_unlimited_again():
    rate = RateModel()
    rate.learn(0, 429, headers(100, 0))  # e.g. an injected 429
    assert rate.limit == 100
    rate.learn(0, 200, {})
    assert rate.limit is None


def test_window_grows_while_latency_bound_and_shrinks_on_trouble():
    window = Window(maximum=64)
    assert window.size == 8
    for _ in range(20):  # full window, answers as fast as ever: slow start
        window.answered(0.025, ok=True, full=True, paced=False)
    assert window.size == 28
    window.answered(0.025, ok=True, full=False, paced=False)  # not full: no reason to grow
    window.answered(0.025, ok=True, full=True, paced=True)  # the rate limit binds, not latency
    assert window.size == 28
    window.answered(0.025, ok=False, full=True, paced=False)  # 429 or 5xx
    assert window.size == 14 and not window.slow_start
    window._cut_at = 0  # (a round trip later)
    for _ in range(10):  # answers slow down: the server is queueing
        window.answered(0.5, ok=True, full=True, paced=False)
    assert window.size < 14


def test_window_never_exceeds_the_cap():
    window = Window(maximum=5)
    for _ in range(50):
        window.answered(0.01, ok=True, full=True, paced=False)
    assert window.size == 5


def test_requests_in_flight_stay_within_the_window():
    pacing = Pacing(maximum=3)
    seen = []

    async def one() -> None:
        ticket = await pacing.start("/v2/schedules")
        seen.append(pacing.window.in_flight)
        await asyncio.sleep(0)
        pacing.finish(ticket, 200, {})

    async def many() -> None:
        await asyncio.gather(*(one() for _ in range(20)))

    asyncio.run(many())
    assert max(seen) <= 3 and pacing.window.in_flight == 0 and len(seen) == 20
