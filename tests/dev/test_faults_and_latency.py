"""Fault injection (seeded proportions, before and after the write) and parallel latency."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from cronctl.dev.faults import KINDS, FaultPlan
from cronctl.testing import DevServer

DEST = "https://app.example.com/api/cron/x"


def test_fault_plan_is_seeded_and_hits_its_rate():
    a = FaultPlan(0.2, seed=7)
    b = FaultPlan(0.2, seed=7)
    seq_a = [a.draw() for _ in range(5000)]
    assert seq_a == [b.draw() for _ in range(5000)]
    hits = [f for f in seq_a if f is not None]
    assert 0.18 < len(hits) / 5000 < 0.22
    assert {(f.kind, f.after) for f in hits} == {(k.kind, k.after) for k in KINDS}
    assert FaultPlan(0.0, seed=7).draw() is None


def _upsert_all(srv: DevServer, n: int) -> dict[str, int]:
    """n upserts with distinct IDs, no client retries; outcome counts by kind."""
    outcomes = {"ok": 0, "500": 0, "503": 0, "429": 0, "dropped": 0}
    with httpx.Client(base_url=srv.url, trust_env=False,
                      headers={"Authorization": f"Bearer {srv.token}"}) as http:
        for i in range(n):
            try:
                r = http.post(f"/v2/schedules/{DEST}",
                              headers={"Upstash-Cron": "0 9 * * *",
                                       "Upstash-Schedule-Id": f"s{i}"})
            except httpx.TransportError:
                outcomes["dropped"] += 1
                continue
            if r.status_code == 200:
                outcomes["ok"] += 1
            else:
                outcomes[str(r.status_code)] += 1
                if r.status_code == 429:
                    assert {"burst-ratelimit-limit", "burst-ratelimit-remaining",
                            "burst-ratelimit-reset"} <= set(r.headers)
                assert "error" in r.json()
    return outcomes


@pytest.mark.long  # 1,200 sequential round trips: collected first, it overlaps the rest
def test_faults_strike_before_and_after_the_write_in_proportion():
    n = 600
    with DevServer(fault_rate=0.3, fault_seed=5) as srv:
        outcomes = _upsert_all(srv, n)
        stored = len(srv.schedules())  # control endpoint: never faulted
        counted = srv.request_count()
    failed = n - outcomes["ok"]
    assert 0.24 < failed / n < 0.36, outcomes
    assert all(outcomes[k] > 0 for k in outcomes), outcomes
    # Some failed answers hid an applied write (an AFTER fault), some did not (BEFORE).
    assert outcomes["ok"] < stored < n
    assert counted == n
    with DevServer(fault_rate=0.3, fault_seed=5) as again:
        assert _upsert_all(again, n) == outcomes  # the same seed, the same faults


def test_no_faults_by_default():
    with DevServer() as srv:
        assert _upsert_all(srv, 50)["ok"] == 50


@pytest.mark.long  # 1,000 round trips of 25 ms, 8 at a time
def test_latency_does_not_serialise_concurrent_requests():
    async def burst(url: str, token: str) -> list[int]:
        """1,000 upserts from 8 workers over 8 connections (as cronctl's client does)."""
        limits = httpx.Limits(max_connections=8)
        slots = asyncio.Semaphore(8)
        async with httpx.AsyncClient(base_url=url, trust_env=False, limits=limits, timeout=60,
                                     headers={"Authorization": f"Bearer {token}"}) as http:
            async def upsert(i: int) -> int:
                async with slots:
                    r = await http.post(f"/v2/schedules/{DEST}",
                                        headers={"Upstash-Cron": "0 9 * * *",
                                                 "Upstash-Schedule-Id": f"j{i}"})
                return r.status_code

            return list(await asyncio.gather(*(upsert(i) for i in range(1000))))

    with DevServer(latency_ms=25) as srv:
        statuses = asyncio.run(burst(srv.url, srv.token))
        assert statuses == [200] * 1000
        assert len(srv.schedules()) == 1000
        assert srv.request_count() == 1000
        assert srv.max_in_flight() == 8  # all eight connections were served at once
