"""What QStash remembers of past deliveries: the events of each schedule and the DLQ, paged."""

from __future__ import annotations

from collections.abc import Callable

from ...aio import gather_all
from ...stats import JobStats, compute
from . import connect
from .runs import JobIndex
from .spec import run_label

MAX_PAGES = 200


async def _events(client, label: str, from_ms: int) -> list[dict]:
    """A job's events by its label: scheduled and manual runs alike."""
    events: list[dict] = []
    cursor = None
    for _ in range(MAX_PAGES):
        params = {"label": label, "fromDate": from_ms, "count": 1000}
        if cursor:
            params["cursor"] = cursor
        page = await client.events(params)
        found = page.get("logs", page.get("events")) or []
        events.extend(found)
        cursor = page.get("cursor")
        if not cursor or not found:
            break
    return events


async def _dlq_counts(client, index: JobIndex) -> dict[str, int]:
    """Dead letters per job name (manual runs' too: they carry the job's label)."""
    counts: dict[str, int] = {}
    cursor = None
    for _ in range(MAX_PAGES):
        page = await client.dlq({"cursor": cursor} if cursor else {})
        for msg in page.get("messages") or []:
            job = index.job_of(msg)
            if job:
                counts[job] = counts.get(job, 0) + 1
        cursor = page.get("cursor")
        if not cursor or not page.get("messages"):
            break
    return counts



def job_stats(state, jobs: list, from_ms: int, on_job: Callable[[], None] | None = None
              ) -> list[JobStats]:
    async def one(client, job) -> list[dict]:
        found = await _events(client, run_label(job), from_ms)
        if on_job is not None:
            on_job()
        return found

    async def go(client) -> list[JobStats]:  # the client's lanes bound the requests in flight
        # A failure (a wrong token) cancels and awaits the others: one clean error.
        dlq, *events = await gather_all(
            _dlq_counts(client, JobIndex(jobs)), *(one(client, j) for j in jobs))
        return [compute(j.name, j.schedule_id, ev, dlq.get(j.name, 0))
                for j, ev in zip(jobs, events, strict=True)]

    return connect.run(state, go)
