"""What QStash remembers of past deliveries (events and DLQ entries) of a set of schedules, read
with the fewest requests, and the per-job statistics `cronctl stats` shows.

Two ways to read the events of a window, with identical results:

- per schedule: `GET /v2/events?label=...` for each (at least one request per job);
- project-wide: one `GET /v2/schedules`, then `GET /v2/events` pages of 1,000 across the
  account, keeping the events of our schedules (requests in proportion to the events).

`fetch` picks the cheaper one: per schedule for one or two jobs (no listing needed), else it
lists the schedules, estimates the account's events in the window from their crons, and compares
the page counts (long windows and busy accounts favour per-schedule queries, many jobs the
project-wide pages). DLQ counts: a `label` query each for one or two jobs, else the whole
DLQ paged once.

Every run of a managed job carries the job's label, its schedule ID (`spec.run_label`), manual
runs (`cronctl trigger`) included: so per-job queries ask by `label`, and an event or dead letter
belongs to a schedule by that label (or, for a schedule not yet labelled, its `scheduleId`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ...aio import gather_all
from . import connect
from .stats import JobStats, compute

EVENTS_PAGE = 1000  # QStash's largest events page
DLQ_PAGE = 100  # QStash's largest DLQ page
EVENTS_PER_RUN = 3  # CREATED, ACTIVE, DELIVERED; retries add more
MAX_PAGES = 200
FEW = 2  # this many jobs or fewer: per-schedule queries, without a listing
SLICES = 4  # time ranges of the window paged side by side


@dataclass
class History:
    events: dict[str, list[dict[str, Any]]]  # by schedule ID (all asked for, maybe empty)
    dlq: dict[str, int]
    strategy: str  # "per-schedule" | "project-wide"
    requests: int = 0


def labels_of(item: dict) -> set[str]:
    labels = item.get("labels")
    if isinstance(labels, list):
        return {str(x) for x in labels}
    return {x.strip() for x in str(item.get("label") or "").split(",") if x.strip()}


def job_stats(state, jobs: list, from_ms: int, on_job: Callable[[], None] | None = None
              ) -> tuple[list[JobStats], int]:
    """(statistics per job, QStash requests made); `-v` says how many and which way.
    `on_job` is called as each job's events are in (a progress bar)."""
    window_s = max(0.0, time.time() - from_ms / 1000)
    # A renamed job's runs include those under its previous name (renamed_from).
    each = {j.name: j.spec.history_ids for j in jobs}
    ids = [sid for job_ids in each.values() for sid in job_ids]
    history = connect.run(state, lambda client: fetch(ids, from_ms, window_s, client=client,
                                                      on_job=on_job))
    tell = getattr(state, "tell", None)
    if getattr(state, "verbose", 0) and tell is not None:
        tell(f"{history.requests} QStash requests ({history.strategy})")
    return [compute(j.name, j.spec.schedule_id,
                    [e for sid in each[j.name] for e in history.events.get(sid, [])],
                    sum(history.dlq.get(sid, 0) for sid in each[j.name]))
            for j in jobs], history.requests


async def fetch(schedule_ids: Sequence[str], from_ms: int, window_s: float, *, client,
                strategy: str | None = None, slices: int = 1,
                on_job: Callable[[], None] | None = None) -> History:
    """`strategy` ("per-schedule" or "project-wide") and `slices` override the choice (for
    tests)."""
    ids = list(dict.fromkeys(schedule_ids))
    before = client.requests
    if strategy == "project-wide":
        history = await _project_wide(client, ids, from_ms, slices)
    elif strategy == "per-schedule" or len(ids) <= FEW:
        history = await _per_schedule(client, ids, from_ms, on_job)
    else:
        live = await client.list_schedules()
        now = time.time()
        # Events of a schedule exist only since it was created (and within the window).
        spans = {str(s.get("scheduleId")): (str(s.get("cron", "")), _span(s, now, window_s))
                 for s in live}
        per_schedule = sum(_pages(_estimate(*spans[i])) for i in ids if i in spans)
        per_schedule += 1  # the DLQ, paged
        account = _pages(sum(_estimate(*span) for span in spans.values()))
        if per_schedule <= account + 1:
            history = await _per_schedule(client, ids, from_ms, on_job)
        else:
            history = await _project_wide(client, ids, from_ms, min(SLICES, account))
    history.requests = client.requests - before
    return history


async def _per_schedule(client, ids: list[str], from_ms: int,
                        on_job: Callable[[], None] | None = None) -> History:
    """Events per schedule (by its label: manual runs too); the DLQ per schedule too for a
    few, else all of it, paged."""
    async def events(sid: str) -> list[dict[str, Any]]:
        found = await _pages_of(client.events, "events",
                                {"label": sid, "fromDate": from_ms, "count": EVENTS_PAGE})
        if on_job is not None:
            on_job()
        return found

    def dlq(params: dict[str, Any]):
        return _pages_of(client.dlq, "messages", {**params, "count": DLQ_PAGE})

    few = len(ids) <= FEW
    dlq_calls = [dlq({"label": sid}) for sid in ids] if few else [dlq({})]
    found = await gather_all(*(events(sid) for sid in ids), *dlq_calls)
    # A failure (a wrong token) cancels and awaits the others: one clean error.
    return History(events=dict(zip(ids, found[:len(ids)], strict=True)),
                   dlq=_dlq_counts([m for page in found[len(ids):] for m in page], set(ids)),
                   strategy="per-schedule")


async def _project_wide(client, ids: list[str], from_ms: int, slices: int) -> History:
    """The account's events, filtered to `ids`. Paging follows a cursor, one page after
    another; so the window is cut into `slices` consecutive time ranges paged side by side
    (each costs at most one partly filled page more), newest first as one listing would be."""
    wanted = set(ids)
    now_ms = int(time.time() * 1000)
    slices = max(1, slices) if now_ms > from_ms + slices else 1
    edges = [from_ms + (now_ms - from_ms) * i // slices for i in range(slices)]
    ranges = [{"fromDate": start, **({"toDate": edges[i + 1] - 1} if i + 1 < slices else {})}
              for i, start in enumerate(edges)]
    pages = await gather_all(
        *(_pages_of(client.events, "events", {**r, "count": EVENTS_PAGE})
          for r in reversed(ranges)),
        _pages_of(client.dlq, "messages", {"count": DLQ_PAGE}))
    dlq_entries = pages.pop()
    by_schedule: dict[str, list[dict[str, Any]]] = {sid: [] for sid in ids}
    for ev in (e for page in pages for e in page):
        sid = _owner(ev, wanted)
        if sid is not None:
            by_schedule[sid].append(ev)
    return History(events=by_schedule, dlq=_dlq_counts(dlq_entries, wanted),
                   strategy="project-wide")


def _owner(item: dict[str, Any], wanted: set[str]) -> str | None:
    """The schedule an event or dead letter belongs to: by its label, else its scheduleId."""
    for label in labels_of(item):
        if label in wanted:
            return label
    sid = item.get("scheduleId")
    return sid if sid in wanted else None


def _dlq_counts(entries: list[dict[str, Any]], wanted: set[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for msg in entries:
        sid = _owner(msg, wanted)
        if sid is not None:
            counts[sid] = counts.get(sid, 0) + 1
    return counts


async def _pages_of(call, key: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(MAX_PAGES):
        page = await call({**params, **({"cursor": cursor} if cursor else {})})
        items.extend(page.get(key) or [])
        cursor = page.get("cursor")
        if not cursor or not page.get(key):
            break
    return items


def _span(schedule: dict[str, Any], now: float, window_s: float) -> float:
    created = schedule.get("createdAt")
    if not isinstance(created, (int, float)) or created <= 0:
        return window_s
    return max(0.0, min(window_s, now - created / 1000))


def _pages(events: float) -> int:
    return max(1, math.ceil(events / EVENTS_PAGE))


# -- how many times a cron fires in a window (an estimate: it only picks the strategy) -------

def _estimate(expr: str, window_s: float) -> float:
    """Events a schedule with this cron produces in the window, roughly (robfig's own parse, so
    it reads what QStash reads; a spec it cannot parse counts as every minute)."""
    from ...cron import robfig

    try:
        sched = robfig.parse(expr)
    except robfig.RobfigError:
        return window_s / 60 * EVENTS_PER_RUN
    if isinstance(sched, robfig.Every):
        return window_s / sched.seconds * EVENTS_PER_RUN

    def count(bits: int) -> int:
        return bin(bits & ~robfig.STAR).count("1")

    dom_r, dow_r = not sched.dom & robfig.STAR, not sched.dow & robfig.STAR
    dom, dow = count(sched.dom), count(sched.dow)
    if dom_r and dow_r:
        days = min(1.0, dom / 31 + dow / 7)
    else:
        days = dom / 31 if dom_r else dow / 7 if dow_r else 1.0
    per_day = count(sched.minute) * count(sched.hour) * days * count(sched.month) / 12
    return per_day * window_s / 86400 * EVENTS_PER_RUN
