"""What QStash remembers of past deliveries: the events of each schedule and the DLQ, paged."""

from __future__ import annotations

from ...aio import gather_all
from ...stats import JobStats, compute
from . import connect

MAX_PAGES = 200


async def _events(client, schedule_id: str, from_ms: int) -> list[dict]:
    events: list[dict] = []
    cursor = None
    for _ in range(MAX_PAGES):
        params = {"scheduleId": schedule_id, "fromDate": from_ms, "count": 1000}
        if cursor:
            params["cursor"] = cursor
        page = await client.events(params)
        events.extend(page.get("events") or [])
        cursor = page.get("cursor")
        if not cursor or not page.get("events"):
            break
    return events


async def _dlq_counts(client) -> dict[str, int]:
    counts: dict[str, int] = {}
    cursor = None
    for _ in range(MAX_PAGES):
        page = await client.dlq({"cursor": cursor} if cursor else {})
        for msg in page.get("messages") or []:
            sid = msg.get("scheduleId")
            if sid:
                counts[sid] = counts.get(sid, 0) + 1
        cursor = page.get("cursor")
        if not cursor or not page.get("messages"):
            break
    return counts



def job_stats(state, jobs: list, from_ms: int) -> list[JobStats]:
    async def go(client) -> list[JobStats]:  # the client's lanes bound the requests in flight
        # A failure (a wrong token) cancels and awaits the others: one clean error.
        dlq, *events = await gather_all(
            _dlq_counts(client), *(_events(client, j.schedule_id, from_ms) for j in jobs))
        return [compute(j.name, j.schedule_id, ev, dlq.get(j.schedule_id, 0))
                for j, ev in zip(jobs, events, strict=True)]

    return connect.run(state, go)
